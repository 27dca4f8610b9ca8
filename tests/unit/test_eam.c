/* test_eam.c - config/eam: which map entries conflict (same IPv4 prefix,
 * or nested IPv6 prefixes; RFC 7757 3.2 needs each address to map one
 * way), checked against a pairwise O(n^2) reference written here. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/eam.h"
#include "config/model.h"
#include "lib/checkrun.h"

static struct eam mk(const char *v4, unsigned l4, const char *v6, unsigned l6)
{
	struct eam e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(inet_pton(AF_INET, v4, &e.v4), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, v6, &e.v6), 1);
	e.len4 = (uint8_t)l4;
	e.len6 = (uint8_t)l6;
	return e;
}

static bool v6_nest(const struct eam *a, const struct eam *b)
{
	unsigned l = a->len6 < b->len6 ? a->len6 : b->len6;

	for (unsigned i = 0; i < l; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;
		if (((a->v6.s6_addr[byte] >> bit) & 1) != ((b->v6.s6_addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static bool conflict(const struct eam *a, const struct eam *b)
{
	return (a->len4 == b->len4 && a->v4.s_addr == b->v4.s_addr) || v6_nest(a, b);
}

static void check_against_reference(struct eam *e, size_t n, const long *val)
{
	const struct eam *v[64];
	long out[64];

	for (size_t i = 0; i < n; i++)
		v[i] = &e[i];
	ck_assert_int_eq(eam_conflict_max(v, val, n, out), 0);
	for (size_t i = 0; i < n; i++) {
		long want = val[i];
		for (size_t k = 0; k < n; k++)
			if (k != i && conflict(&e[i], &e[k]) && val[k] > want)
				want = val[k];
		ck_assert_msg(out[i] == want, "entry %zu: %ld, expected %ld", i, out[i], want);
	}
}

START_TEST(examples)
{
	struct eam e[] = {
		mk("192.0.2.1", 32, "2001:db8:1::1", 128),      /* 0 */
		mk("192.0.2.1", 32, "2001:db8:9::1", 128),      /* 1: same IPv4 as 0 */
		mk("198.51.100.0", 24, "2001:db8:2::", 120),    /* 2 */
		mk("203.0.113.5", 32, "2001:db8:2::5", 128),    /* 3: inside 2's IPv6 */
		mk("10.0.0.0", 24, "2001:db8:3::", 120),        /* 4: alone */
		mk("10.0.0.0", 25, "2001:db8:4::", 121),        /* 5: other IPv4 length: no conflict */
	};
	long val[] = { 1, 2, 3, 4, 5, 6 }, out[6];
	const struct eam *v[6];

	for (size_t i = 0; i < 6; i++)
		v[i] = &e[i];
	ck_assert_int_eq(eam_conflict_max(v, val, 6, out), 0);
	ck_assert_int_eq(out[0], 2);
	ck_assert_int_eq(out[1], 2);
	ck_assert_int_eq(out[2], 4);
	ck_assert_int_eq(out[3], 4);
	ck_assert_int_eq(out[4], 5);
	ck_assert_int_eq(out[5], 6);
}
END_TEST

START_TEST(random_against_reference)
{
	struct eam e[64];
	long val[64];
	char v4[32], v6[64];

	srand(3);
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (size_t)rand() % 64;
		for (size_t i = 0; i < n; i++) {
			unsigned l6 = 120 + (unsigned)rand() % 9;   /* nests often */
			snprintf(v4, sizeof(v4), "10.0.%u.0", (unsigned)rand() % 4);
			snprintf(v6, sizeof(v6), "2001:db8::%x00", (unsigned)rand() % 8);
			e[i] = mk(v4, 32 - (128 - l6), v6, l6);
			/* mask the IPv6 address to its length, as the parser stores it */
			for (unsigned b = l6; b < 128; b++)
				e[i].v6.s6_addr[b / 8] &= (uint8_t)~(1u << (7 - b % 8));
			val[i] = rand() % 100;
		}
		check_against_reference(e, n, val);
	}
}
END_TEST

CHECK_MAIN("eam",
	   examples,
	   random_against_reference)
