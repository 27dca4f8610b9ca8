/* ratelimit.c - token bucket (integer arithmetic, milli-tokens). */
#include "lib/ratelimit.h"

void ratelimit_init(struct ratelimit *r, uint64_t rate, uint64_t burst, uint64_t now_ms)
{
	r->last_ms = now_ms;
	r->tokens_milli = 0;
	ratelimit_set(r, rate, burst);
	r->tokens_milli = (int64_t)(r->burst * 1000);
}

void ratelimit_set(struct ratelimit *r, uint64_t rate, uint64_t burst)
{
	if (rate > RATELIMIT_MAX)
		rate = RATELIMIT_MAX;
	if (burst > RATELIMIT_MAX)
		burst = RATELIMIT_MAX;
	r->rate = rate;
	r->burst = burst ? burst : 1;
	if (r->tokens_milli > (int64_t)(r->burst * 1000))
		r->tokens_milli = (int64_t)(r->burst * 1000);
}

static void refill(struct ratelimit *r, uint64_t now_ms)
{
	int64_t cap = (int64_t)(r->burst * 1000);
	uint64_t elapsed, need;

	if (now_ms <= r->last_ms)
		return;
	elapsed = now_ms - r->last_ms;
	r->last_ms = now_ms;
	if (r->tokens_milli >= cap)
		return;
	need = (uint64_t)(cap - r->tokens_milli);
	/* ms * tokens/s = milli-tokens; compare first so it can't overflow */
	if (elapsed > need / r->rate)
		r->tokens_milli = cap;
	else
		r->tokens_milli += (int64_t)(elapsed * r->rate);
	if (r->tokens_milli > cap)
		r->tokens_milli = cap;
}

bool ratelimit_ready(struct ratelimit *r, uint64_t now_ms, uint64_t n)
{
	if (r->rate == 0)
		return true;
	refill(r, now_ms);
	if (n > r->burst)
		n = r->burst;
	return r->tokens_milli >= (int64_t)(n * 1000);
}

void ratelimit_charge(struct ratelimit *r, uint64_t n)
{
	if (r->rate == 0)
		return;
	if (n > RATELIMIT_MAX)
		n = RATELIMIT_MAX;
	r->tokens_milli -= (int64_t)(n * 1000);
}

bool ratelimit_take(struct ratelimit *r, uint64_t now_ms)
{
	if (!ratelimit_ready(r, now_ms, 1))
		return false;
	ratelimit_charge(r, 1);
	return true;
}

bool ratelimit_full(struct ratelimit *r, uint64_t now_ms)
{
	if (r->rate == 0)
		return true;
	refill(r, now_ms);
	return r->tokens_milli >= (int64_t)(r->burst * 1000);
}
