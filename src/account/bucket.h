/* bucket.h - byte rate limits per IPv6 prefix and in total (`rate-limit`,
 * `rate-limit-total`).
 *
 * One token bucket (ratelimit.h, one token per byte) per prefix in a
 * bounded table (ptable.h). A full bucket is the same as a new one, so its
 * slot may be handed to another prefix; a prefix that finds no slot shares
 * the "other" bucket (counted in overflow). Pure; time is injected.
 */
#ifndef TAYGA_BUCKET_H
#define TAYGA_BUCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/ptable.h"
#include "lib/ratelimit.h"

struct bucket_cfg {
	unsigned plen;            /* IPv6 prefix length; 0 = no per-prefix limit */
	uint64_t rate, burst;     /* bytes/s, bytes */
	uint64_t total_rate;      /* 0 = no total limit */
	uint64_t total_burst;
	size_t entries;           /* table size */
};

struct buckets {
	struct bucket_cfg cfg;
	struct ptable t;
	struct ratelimit *b;      /* per slot */
	struct ratelimit other;   /* prefixes that found no slot */
	struct ratelimit total;
	uint64_t overflow;        /* packets charged to other */
	uint64_t reused;          /* slots handed from an idle prefix to another */
	uint64_t now_ms;          /* for the reuse test during a lookup */
};

/* NULL when out of memory. */
struct buckets *buckets_new(const struct bucket_cfg *c, uint64_t now_ms);
void buckets_free(struct buckets *b);

/* Charge `bytes` to the prefix of a (NULL: the total limit only). False
 * (nothing charged) when the prefix's or the total bucket can't take them. */
bool buckets_admit(struct buckets *b, const struct in6_addr *a, uint64_t bytes, uint64_t now_ms);

/* SIGHUP: keep fill levels from the old table where the prefix length is
 * unchanged; rates and bursts are the new ones. */
void buckets_migrate(struct buckets *to, const struct buckets *from);

#endif
