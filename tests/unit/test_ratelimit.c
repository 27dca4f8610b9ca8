/* test_ratelimit.c - lib/ratelimit: the token bucket behind icmp-ratelimit
 * (one token per ICMP error) and rate-limit (one token per byte). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/ratelimit.h"
#include "lib/checkrun.h"

START_TEST(burst_then_rate)
{
	struct ratelimit r;
	int n = 0;

	/* icmp-ratelimit 10 5: a full bucket gives 5 at once ... */
	ratelimit_init(&r, 10, 5, 1000);
	while (n < 100 && ratelimit_take(&r, 1000))
		n++;
	ck_assert_int_eq(n, 5);
	/* ... then one every 100 ms */
	ck_assert(!ratelimit_take(&r, 1099));
	ck_assert(ratelimit_take(&r, 1100));
	ck_assert(!ratelimit_take(&r, 1100));
	/* a long pause refills to the burst, not beyond */
	for (n = 0; n < 100 && ratelimit_take(&r, 60000); n++)
		;
	ck_assert_int_eq(n, 5);
}
END_TEST

START_TEST(time_going_backwards_adds_nothing)
{
	struct ratelimit r;

	ratelimit_init(&r, 1, 1, 5000);
	ck_assert(ratelimit_take(&r, 5000));
	ck_assert(!ratelimit_take(&r, 4000));
	ck_assert(!ratelimit_take(&r, 5999));
	ck_assert(ratelimit_take(&r, 6000));
}
END_TEST

START_TEST(rate_zero_is_unlimited)
{
	struct ratelimit r;

	ratelimit_init(&r, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert(ratelimit_take(&r, 0));
	ck_assert(ratelimit_ready(&r, 0, UINT64_C(1) << 40));
	ck_assert(ratelimit_full(&r, 0));
}
END_TEST

START_TEST(big_request_from_full_bucket_leaves_debt)
{
	struct ratelimit r;

	/* rate-limit ... 1000 B/s, burst 1500: a 64 KiB super-packet passes a
	 * full bucket and is charged every byte */
	ratelimit_init(&r, 1000, 1500, 0);
	ck_assert(ratelimit_ready(&r, 0, 65536));
	ratelimit_charge(&r, 65536);
	ck_assert(!ratelimit_ready(&r, 0, 1));
	/* the debt is 64036 bytes: at 1000 B/s the next byte fits after 64.037 s */
	ck_assert(!ratelimit_ready(&r, 64036, 1));
	ck_assert(ratelimit_ready(&r, 64037, 1));
	/* and the bucket is full again only at burst: 1.5 s later still */
	ck_assert(!ratelimit_full(&r, 65000));
	ck_assert(ratelimit_full(&r, 65536));
}
END_TEST

START_TEST(ready_does_not_take)
{
	struct ratelimit r;

	ratelimit_init(&r, 100, 3, 0);
	for (int i = 0; i < 10; i++)
		ck_assert(ratelimit_ready(&r, 0, 3));
	ratelimit_charge(&r, 3);
	ck_assert(!ratelimit_ready(&r, 0, 1));
}
END_TEST

START_TEST(set_keeps_level_capped)
{
	struct ratelimit r;

	ratelimit_init(&r, 10, 100, 0);
	ratelimit_charge(&r, 40);           /* 60 left */
	ratelimit_set(&r, 10, 20);          /* capped at the new burst */
	ck_assert(ratelimit_ready(&r, 0, 20));
	ratelimit_charge(&r, 20);
	ck_assert(!ratelimit_ready(&r, 0, 1));
	ratelimit_set(&r, 10, 1000);        /* a bigger burst adds no tokens */
	ck_assert(!ratelimit_ready(&r, 0, 1));
	/* out-of-range values are clamped, burst 0 becomes 1 */
	ratelimit_set(&r, UINT64_MAX, 0);
	ck_assert_uint_eq(r.rate, RATELIMIT_MAX);
	ck_assert_uint_eq(r.burst, 1);
}
END_TEST

START_TEST(huge_rates_do_not_overflow)
{
	struct ratelimit r;

	ratelimit_init(&r, RATELIMIT_MAX, RATELIMIT_MAX, 0);
	ratelimit_charge(&r, RATELIMIT_MAX);
	ck_assert(!ratelimit_ready(&r, 0, 1));
	/* years later the bucket is full, not wrapped around */
	ck_assert(ratelimit_full(&r, UINT64_C(1) << 50));
	ck_assert(ratelimit_ready(&r, UINT64_C(1) << 50, RATELIMIT_MAX));
}
END_TEST

CHECK_MAIN("ratelimit",
	   burst_then_rate,
	   time_going_backwards_adds_nothing,
	   rate_zero_is_unlimited,
	   big_request_from_full_bucket_leaves_debt,
	   ready_does_not_take,
	   set_keeps_level_capped,
	   huge_rates_do_not_overflow)
