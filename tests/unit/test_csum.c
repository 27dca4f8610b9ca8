/* test_csum.c - lib/csum: the Internet checksum (RFC 1071) and its
 * incremental update (RFC 1624), checked against the RFCs' own worked
 * examples and against a plain 16-bit word sum written here. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csum.h"
#include "lib/checkrun.h"

/* the reference: RFC 1071 2.(1), one 16-bit big-endian word at a time */
static uint16_t ref_sum(const uint8_t *b, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* a folded sum as our functions return it (network-order words) -> host value */
static uint16_t host(uint32_t sum)
{
	uint16_t v = csum_fold(sum);
	uint8_t b[2];

	memcpy(b, &v, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

START_TEST(rfc1071_example)
{
	/* RFC 1071 3: the sum of 0001 f203 f4f5 f6f7 is ddf2 */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(host(csum_add(0, b, sizeof(b))), 0xddf2);
}
END_TEST

START_TEST(ipv4_header_verifies_to_zero)
{
	/* an IPv4 header with its correct checksum (b861): the sum over all
	 * of it is ffff, so the value to store is 0 (RFC 1071 1) */
	static const uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				       0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t z[20];
	uint16_t f;

	ck_assert_uint_eq(csum_finish(csum_add(0, h, sizeof(h))), 0);
	memcpy(z, h, sizeof(z));
	z[10] = z[11] = 0;
	f = csum_finish(csum_add(0, z, sizeof(z)));
	ck_assert_int_eq(memcmp(&f, h + 10, 2), 0);
}
END_TEST

START_TEST(any_length_matches_reference)
{
	uint8_t b[301];

	srand(7);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rand();
	/* every length, both alignments: the 8-byte loop, the 2-byte tail and
	 * the odd last byte all give the word-by-word sum */
	for (size_t off = 0; off < 2; off++)
		for (size_t len = 0; len + off <= sizeof(b); len++)
			ck_assert_uint_eq(host(csum_add(0, b + off, len)), ref_sum(b + off, len));
}
END_TEST

START_TEST(pieces_add_up)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

	/* even-length pieces summed separately give the sum of the whole */
	ck_assert_uint_eq(host(csum_add(csum_add(0, b, 6), b + 6, 8)), ref_sum(b, sizeof(b)));
}
END_TEST

START_TEST(rfc1624_example)
{
	/* RFC 1624 4: header checksum 0xdd2f, a field changes 0x5555 ->
	 * 0x3285; eqn. 3 gives 0x0000 (eqn. 2 would give the wrong 0xffff) */
	static const uint8_t oldw[2] = { 0x55, 0x55 }, neww[2] = { 0x32, 0x85 };
	static const uint8_t field[2] = { 0xdd, 0x2f };
	uint16_t f, r;

	memcpy(&f, field, 2);
	r = csum_replace(f, csum_add(0, oldw, 2), csum_add(0, neww, 2));
	ck_assert_uint_eq(r, 0);
}
END_TEST

START_TEST(replace_equals_recompute)
{
	uint8_t b[40], c[40];
	uint16_t f, r;

	srand(11);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rand();
		b[10] = b[11] = 0;
		f = csum_finish(csum_add(0, b, sizeof(b)));
		memcpy(c, b, sizeof(c));
		/* rewrite 16 bytes (an address), as translation does */
		for (size_t i = 20; i < 36; i++)
			c[i] = (uint8_t)rand();
		r = csum_replace(f, csum_add(0, b + 20, 16), csum_add(0, c + 20, 16));
		memcpy(c + 10, &r, 2);
		ck_assert_uint_eq(csum_finish(csum_add(0, c, sizeof(c))), 0);
	}
}
END_TEST

START_TEST(bad_checksum_stays_bad)
{
	uint8_t b[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2 };
	uint16_t good = csum_finish(csum_add(0, b, sizeof(b)));
	uint16_t bad = (uint16_t)(good ^ htons(0x0101)), r, rgood;
	static const uint8_t na[4] = { 203, 0, 113, 9 };

	/* the same update applied to a good and a bad field keeps their
	 * difference: the error is carried, not repaired */
	r = csum_replace(bad, csum_add(0, b + 12, 4), csum_add(0, na, 4));
	rgood = csum_replace(good, csum_add(0, b + 12, 4), csum_add(0, na, 4));
	ck_assert_uint_ne(r, rgood);
	memcpy(b + 12, na, 4);
	memcpy(b + 10, &rgood, 2);
	ck_assert_uint_eq(csum_finish(csum_add(0, b, sizeof(b))), 0);
	memcpy(b + 10, &r, 2);
	ck_assert_uint_ne(csum_finish(csum_add(0, b, sizeof(b))), 0);
}
END_TEST

START_TEST(pseudo_headers)
{
	struct in_addr s4, d4;
	struct in6_addr s6, d6;
	uint8_t ph4[12], ph6[40];

	inet_pton(AF_INET, "192.0.2.1", &s4);
	inet_pton(AF_INET, "198.51.100.2", &d4);
	/* RFC 768: source, destination, zero, protocol, UDP length */
	memcpy(ph4, &s4, 4);
	memcpy(ph4 + 4, &d4, 4);
	ph4[8] = 0;
	ph4[9] = 17;
	ph4[10] = 0x01;
	ph4[11] = 0x2c;
	ck_assert_uint_eq(host(csum_pseudo4(s4, d4, 17, 300)), ref_sum(ph4, sizeof(ph4)));
	/* RFC 8200 8.1: source, destination, 32-bit length, 3 zeros, next header */
	inet_pton(AF_INET6, "2001:db8::1", &s6);
	inet_pton(AF_INET6, "64:ff9b::c633:6402", &d6);
	memcpy(ph6, &s6, 16);
	memcpy(ph6 + 16, &d6, 16);
	memset(ph6 + 32, 0, 8);
	ph6[34] = 0x01;
	ph6[35] = 0x2c;
	ph6[39] = 6;
	ck_assert_uint_eq(host(csum_pseudo6(&s6, &d6, 6, 300)), ref_sum(ph6, sizeof(ph6)));
}
END_TEST

CHECK_MAIN("csum",
	   rfc1071_example,
	   ipv4_header_verifies_to_zero,
	   any_length_matches_reference,
	   pieces_add_up,
	   rfc1624_example,
	   replace_equals_recompute,
	   bad_checksum_stays_bad,
	   pseudo_headers)
