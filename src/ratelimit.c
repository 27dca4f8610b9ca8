/* ratelimit.c - token bucket (integer arithmetic, milli-tokens). */
#include "ratelimit.h"

void ratelimit_init(struct ratelimit *r, unsigned rate, unsigned burst, uint64_t now_ms)
{
	r->rate = rate;
	r->burst = burst ? burst : 1;
	r->tokens_milli = r->burst * 1000;
	r->last_ms = now_ms;
}

bool ratelimit_take(struct ratelimit *r, uint64_t now_ms)
{
	if (r->rate == 0)
		return true;
	if (now_ms > r->last_ms) {
		uint64_t add = (now_ms - r->last_ms) * r->rate; /* ms * tok/s = milli-tokens */
		uint64_t cap = r->burst * 1000;
		r->tokens_milli = (r->tokens_milli + add > cap) ? cap : r->tokens_milli + add;
		r->last_ms = now_ms;
	}
	if (r->tokens_milli < 1000)
		return false;
	r->tokens_milli -= 1000;
	return true;
}
