/* ratelimit.h - token bucket for ICMP errors the translator generates. */
#ifndef TAYGA_RATELIMIT_H
#define TAYGA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t rate;        /* tokens per second; 0 = unlimited */
	uint64_t burst;       /* max tokens */
	uint64_t tokens_milli;/* tokens * 1000 */
	uint64_t last_ms;     /* last refill time (monotonic ms) */
};

void ratelimit_init(struct ratelimit *r, unsigned rate, unsigned burst, uint64_t now_ms);
/* Take one token; false when the bucket is empty. */
bool ratelimit_take(struct ratelimit *r, uint64_t now_ms);

#endif
