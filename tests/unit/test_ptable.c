/* test_ptable.c - lib/ptable: the bounded prefix table behind usage-stats
 * and rate-limit (keys folded to their prefix, fixed memory, a full probe
 * window answered with -1 unless the caller hands a slot over). */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ptable.h"
#include "lib/checkrun.h"

static struct pkey k6(const char *s, unsigned len)
{
	struct in6_addr a;
	struct pkey k;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	pkey_v6(&k, &a, len);
	return k;
}

static struct pkey k4(const char *s, unsigned len)
{
	struct in_addr a;
	struct pkey k;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	pkey_v4(&k, &a, len);
	return k;
}

START_TEST(keys_are_prefixes)
{
	char buf[PKEY_STRLEN];
	struct pkey a = k6("2001:db8:1234:5678::1", 48), b = k6("2001:db8:1234:ffff::2", 48);

	ck_assert_str_eq(pkey_str(&a, buf), "2001:db8:1234::/48");
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	a = k6("2001:db8:ffff::", 33);
	ck_assert_str_eq(pkey_str(&a, buf), "2001:db8:8000::/33");
	a = k4("192.0.2.77", 24);
	ck_assert_str_eq(pkey_str(&a, buf), "192.0.2.0/24");
	a = k4("198.51.100.255", 31);
	ck_assert_str_eq(pkey_str(&a, buf), "198.51.100.254/31");
	/* lengths past the address are clamped */
	a = k4("203.0.113.9", 99);
	ck_assert_str_eq(pkey_str(&a, buf), "203.0.113.9/32");
	a = k6("2001:db8::9", 200);
	ck_assert_str_eq(pkey_str(&a, buf), "2001:db8::9/128");
}
END_TEST

START_TEST(insert_and_find)
{
	struct ptable t;
	struct pkey a = k6("2001:db8:1::", 48), b = k6("2001:db8:2::", 48), c = k4("32.1.13.0", 24);
	bool fresh;
	long sa, sb, sc;

	ck_assert_int_eq(ptable_init(&t, 100), 0);
	ck_assert_uint_eq(t.cap, 128);        /* a power of two >= entries */
	sa = ptable_get(&t, &a, NULL, NULL, &fresh);
	ck_assert(sa >= 0 && fresh);
	sb = ptable_get(&t, &b, NULL, NULL, &fresh);
	ck_assert(sb >= 0 && fresh && sb != sa);
	/* the IPv4 key with the same first bytes is a different key
	 * (2001:0db8 and 32.1.13.184 share bytes) */
	sc = ptable_get(&t, &c, NULL, NULL, &fresh);
	ck_assert(sc >= 0 && fresh && sc != sa && sc != sb);
	ck_assert_int_eq(ptable_get(&t, &a, NULL, NULL, &fresh), sa);
	ck_assert(!fresh);
	ck_assert_int_eq(ptable_get(&t, &b, NULL, NULL, &fresh), sb);
	ck_assert(!fresh);
	ck_assert_uint_eq(t.used, 3);
	ptable_free(&t);
}
END_TEST

static unsigned reuse_calls;
static bool reuse_first(void *arg, size_t slot)
{
	(void)slot;
	reuse_calls++;
	return *(bool *)arg;
}

START_TEST(bounded)
{
	struct ptable t;
	struct pkey k;
	bool fresh, yes = true, no = false;
	unsigned ok = 0, refused = 0;
	char s[64];

	/* the smallest table (16 slots): 1000 prefixes never grow it */
	ck_assert_int_eq(ptable_init(&t, 1), 0);
	ck_assert_uint_eq(t.cap, 16);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "2001:db8:%x::", i);
		k = k6(s, 48);
		if (ptable_get(&t, &k, NULL, NULL, &fresh) >= 0)
			ok++;
		else
			refused++;
	}
	ck_assert_uint_eq(ok, 16);
	ck_assert_uint_eq(refused, 984);
	ck_assert_uint_eq(t.used, 16);
	/* a caller that declines to hand a slot over: still -1 */
	k = k6("3fff::", 48);
	reuse_calls = 0;
	ck_assert_int_eq(ptable_get(&t, &k, reuse_first, &no, &fresh), -1);
	ck_assert_uint_gt(reuse_calls, 0);
	/* one that agrees: the key takes that slot and is fresh */
	ck_assert_int_ge(ptable_get(&t, &k, reuse_first, &yes, &fresh), 0);
	ck_assert(fresh);
	ck_assert_int_ge(ptable_get(&t, &k, NULL, NULL, &fresh), 0);
	ck_assert(!fresh);
	ptable_free(&t);
}
END_TEST

/* rank: the slot's number in ranks[], UINT64_MAX refuses */
static uint64_t rank_of(const void *arg, size_t slot)
{
	return ((const uint64_t *)arg)[slot];
}

/* ptable_replace: the lowest-ranked slot of the full window is handed to
 * the newcomer (least recently used for the usage table); none when every
 * slot refuses; the others keep their keys. */
START_TEST(replace_lowest_rank)
{
	struct ptable t;
	struct pkey k, old;
	uint64_t ranks[16];
	bool fresh;
	long s;
	char str[64];

	ck_assert_int_eq(ptable_init(&t, 16), 0);
	for (unsigned i = 0; i < 16; i++) {
		snprintf(str, sizeof(str), "2001:db8:%x::", i);
		k = k6(str, 48);
		ck_assert_int_ge(ptable_get(&t, &k, NULL, NULL, &fresh), 0);
	}
	k = k6("3fff::", 48);
	ck_assert_int_eq(ptable_get(&t, &k, NULL, NULL, &fresh), -1);
	for (unsigned i = 0; i < 16; i++)
		ranks[i] = UINT64_MAX;
	ck_assert_int_eq(ptable_replace(&t, &k, rank_of, ranks), -1);
	ranks[3] = 50;
	ranks[9] = 7;
	ranks[12] = 8;
	old = t.keys[9];
	s = ptable_replace(&t, &k, rank_of, ranks);
	ck_assert_int_eq(s, 9);
	/* the newcomer is found there, the old key no longer, the rest still */
	ck_assert_int_eq(ptable_get(&t, &k, NULL, NULL, &fresh), 9);
	ck_assert(!fresh);
	ck_assert_int_eq(ptable_get(&t, &old, NULL, NULL, &fresh), -1);
	k = t.keys[12];
	ck_assert_int_eq(ptable_get(&t, &k, NULL, NULL, &fresh), 12);
	ck_assert_uint_eq(t.used, 16);
	ptable_free(&t);
}
END_TEST

CHECK_MAIN("ptable",
	   keys_are_prefixes,
	   insert_and_find,
	   bounded,
	   replace_lowest_rank)
