/* bucket.c - per-prefix and total byte token buckets. */
#include "account/bucket.h"

#include <stdlib.h>
#include <string.h>

struct buckets *buckets_new(const struct bucket_cfg *c, uint64_t now_ms)
{
	struct buckets *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->cfg = *c;
	b->now_ms = now_ms;
	ratelimit_init(&b->total, c->total_rate, c->total_burst, now_ms);
	ratelimit_init(&b->other, c->rate, c->burst, now_ms);
	if (c->plen && (ptable_init(&b->t, c->entries) != 0 ||
			!(b->b = calloc(b->t.cap, sizeof(*b->b))))) {
		buckets_free(b);
		return NULL;
	}
	return b;
}

void buckets_free(struct buckets *b)
{
	if (!b)
		return;
	ptable_free(&b->t);
	free(b->b);
	free(b);
}

static bool idle(void *arg, size_t slot)
{
	struct buckets *b = arg;
	return ratelimit_full(&b->b[slot], b->now_ms);
}

static struct ratelimit *bucket_of(struct buckets *b, const struct in6_addr *a)
{
	struct pkey k;
	bool fresh;
	long s;

	pkey_v6(&k, a, b->cfg.plen);
	s = ptable_get(&b->t, &k, idle, b, &fresh);
	if (s < 0) {
		b->overflow++;
		return &b->other;
	}
	if (fresh) {
		if (b->b[s].burst) /* the slot had a bucket: handed over */
			b->reused++;
		ratelimit_init(&b->b[s], b->cfg.rate, b->cfg.burst, b->now_ms);
	}
	return &b->b[s];
}

bool buckets_admit(struct buckets *b, const struct in6_addr *a, uint64_t bytes, uint64_t now_ms)
{
	struct ratelimit *r = NULL;

	b->now_ms = now_ms;
	if (a && b->cfg.plen) {
		r = bucket_of(b, a);
		if (!ratelimit_ready(r, now_ms, bytes))
			return false;
	}
	if (!ratelimit_ready(&b->total, now_ms, bytes))
		return false;
	if (r)
		ratelimit_charge(r, bytes);
	ratelimit_charge(&b->total, bytes);
	return true;
}

void buckets_migrate(struct buckets *to, const struct buckets *from)
{
	if (!to || !from)
		return;
	if (from->cfg.total_rate) {
		to->total.tokens_milli = from->total.tokens_milli;
		to->total.last_ms = from->total.last_ms;
		ratelimit_set(&to->total, to->cfg.total_rate, to->cfg.total_burst);
	}
	to->overflow = from->overflow;
	to->reused = from->reused;
	if (!to->cfg.plen || to->cfg.plen != from->cfg.plen)
		return;
	for (size_t s = 0; s < from->t.cap; s++) {
		struct ratelimit *r;
		struct in6_addr a;
		if (!from->t.keys[s].family)
			continue;
		memcpy(&a, from->t.keys[s].a, sizeof(a));
		r = bucket_of(to, &a);
		r->tokens_milli = from->b[s].tokens_milli;
		r->last_ms = from->b[s].last_ms;
		ratelimit_set(r, to->cfg.rate, to->cfg.burst);
	}
}
