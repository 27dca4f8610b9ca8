/* ratelimit.h - token bucket: ICMP errors the translator generates (one
 * token each) and the byte limits of `rate-limit` (one token per byte).
 *
 * Pure: the caller passes the monotonic time in ms. A request bigger than
 * the burst is admitted from a full bucket and leaves it in debt, so a
 * 64 KiB TSO/USO super-packet passes a 10 KB bucket and is still charged
 * every byte (the debt is repaid by refill before the next packet).
 */
#ifndef TAYGA_RATELIMIT_H
#define TAYGA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Largest rate and burst accepted (tokens; 1e12 keeps the milli-token
 * arithmetic below 2^63). */
#define RATELIMIT_MAX 1000000000000ull

struct ratelimit {
	uint64_t rate;        /* tokens per second; 0 = unlimited */
	uint64_t burst;       /* max tokens */
	int64_t tokens_milli; /* tokens * 1000; negative = debt */
	uint64_t last_ms;     /* last refill time (monotonic ms) */
};

void ratelimit_init(struct ratelimit *r, uint64_t rate, uint64_t burst, uint64_t now_ms);
/* New rate and burst keeping the fill level (capped at the new burst). */
void ratelimit_set(struct ratelimit *r, uint64_t rate, uint64_t burst);
/* Take one token; false when the bucket is empty. */
bool ratelimit_take(struct ratelimit *r, uint64_t now_ms);
/* Refill, then true when n tokens (or a full bucket, when n > burst) are
 * there. Does not take them: ratelimit_charge() does. */
bool ratelimit_ready(struct ratelimit *r, uint64_t now_ms, uint64_t n);
void ratelimit_charge(struct ratelimit *r, uint64_t n);
/* Refill, then true when the bucket is full (it then behaves exactly like
 * a new one, so a table may reuse its slot). */
bool ratelimit_full(struct ratelimit *r, uint64_t now_ms);

#endif
