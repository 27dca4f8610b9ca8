/* test_rfc7915_4.c - RFC 7915 section 4, IPv4 -> IPv6, byte-exact: 4.1
 * the header (TTL, options, fragments, DF and the MTU), 4.2 ICMPv4 -> ICMPv6,
 * 4.3 the packet quoted in an ICMP error (RFC 4884 extensions, RFC 6791
 * sources), 4.5 transport headers (the UDP zero checksum: drop, calc, fwd,
 * reject). The addresses (RFC 6052, RFC 7757) are in test_rfc6052.c and
 * test_rfc7757.c, the errors the translator sends itself (4.4) in
 * test_icmp_originated.c; tests/rfc/INDEX.md maps every section to its tests.
 *
 * Every expected IPv6 packet is built here with the tests/lib/testpkt.h builders
 * from the RFC rules (addresses embedded by hand), never captured from the
 * translator's output. Naming: H = IPv4 host, V = IPv6 host (seen from IPv4
 * as V4), R = an IPv4 router that reports errors. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "rfc/vec.h"

#include "rfc/hosts46.h"

#define CONF CONF46

static uint8_t want2[VEC_BUF], full[VEC_BUF], ebuf[VEC_BUF], fbuf[VEC_BUF], inner[VEC_BUF], inner6[VEC_BUF];

static size_t tcp4(uint8_t *b, uint8_t ttl, size_t dlen)
{
	size_t n = tp_tcp(l4, 443, 50000, 0x01020304, 0xa0b0c0d0, 0x18, data, dlen);
	size_t len = tp_ipv4(b, H4, V4, 6, ttl, 0, 0x1111, 0x4000, l4, n);
	tp_fix_l4_4(b);
	return len;
}

static size_t tcp6(uint8_t *b, uint8_t hlim, size_t dlen)
{
	size_t n = tp_tcp(l4, 443, 50000, 0x01020304, 0xa0b0c0d0, 0x18, data, dlen);
	size_t len = tp_ipv6(b, H6, V6, 6, hlim, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* IPv6 packet carrying a Fragment header (RFC 8200 4.5): next header nh,
 * byte offset off (multiple of 8), M flag, 32-bit identification. */
static size_t frag6(uint8_t *b, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		    uint8_t tc, uint32_t id, size_t off, bool more, const uint8_t *d, size_t n)
{
	fbuf[0] = nh;
	fbuf[1] = 0;
	put16(fbuf + 2, (uint16_t)(off | (more ? 1 : 0)));
	put32(fbuf + 4, id);
	memcpy(fbuf + 8, d, n);
	return tp_ipv6(b, src, dst, 44, hlim, tc, 0, fbuf, 8 + n);
}

/* The IPv6 host's UDP packet as an IPv4 router saw it (V4 -> H4) ... */
static size_t inner_udp4(uint8_t *b, uint8_t ttl, uint16_t frag, size_t dlen)
{
	size_t n = tp_udp(l4, 5353, 40000, data, dlen);
	size_t len = tp_ipv4(b, V4, H4, 17, ttl, 0x20, 0x5151, frag, l4, n);
	tp_fix_l4_4(b);
	return len;
}

/* ... and as the IPv6 host knows it: RFC 7915 4.3 translates it like an
 * outer header but does not touch the hop limit. */
static size_t inner_udp6(uint8_t *b, uint8_t hlim, size_t dlen)
{
	size_t n = tp_udp(l4, 5353, 40000, data, dlen);
	size_t len = tp_ipv6(b, V6, H6, 17, hlim, 0x20, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* ICMPv4 error from R4 to V4 quoting q (qlen bytes) */
static size_t err4(uint8_t *b, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *qb, size_t qlen)
{
	size_t n = tp_icmp(ebuf, type, code, rest, qb, qlen);
	size_t len = tp_ipv4(b, R4, V4, 1, 50, 0x08, 0x7777, 0, ebuf, n);
	tp_fix_l4_4(b);
	return len;
}

/* expected ICMPv6 error from src6 to V6, hop limit 50 - 1, TC from the TOS */
static size_t err6(uint8_t *b, const char *src6, uint8_t type, uint8_t code, uint32_t rest,
		   const uint8_t *qb, size_t qlen)
{
	size_t n = tp_icmp(ebuf, type, code, rest, qb, qlen);
	size_t len = tp_ipv6(b, src6, V6, 58, 49, 0x08, 0, ebuf, n);
	tp_fix_l4_6(b);
	return len;
}

START_TEST(rfc7915_4_1_udp_header_fields)
{
	/* TC = TOS, flow label 0, payload length = total length - 20, next
	 * header = protocol, hop limit = TTL - 1, addresses by RFC 6052 /96;
	 * no Fragment header for an unfragmented packet */
	size_t len = udp4(in, H4, V4, 64, 0, 0x1234, 0x4000, 100);
	size_t wl = udp6(want, H6, V6, 63, 0, 100);
	ck_assert_uint_eq(wl, 40 + 108);
	expect_one(in, len, want, wl);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 1);
	ck_assert_uint_eq(E.stats.segs[DIR_4TO6], 1);
	ck_assert_uint_eq(E.stats.bytes[DIR_4TO6], wl);
	ck_assert_uint_eq(drops_total(&E.stats), 0);
	ck_assert_uint_eq(E.outoff[0].flags, 0);
	ck_assert_uint_eq(E.outoff[0].gso_type, 0);

	/* odd payload length, DF clear, no payload at all */
	len = udp4(in, H4, V4, 64, 0, 0x1234, 0, 33);
	wl = udp6(want, H6, V6, 63, 0, 33);
	expect_one(in, len, want, wl);
	len = udp4(in, H4, V4, 64, 0, 0x1234, 0, 0);
	wl = udp6(want, H6, V6, 63, 0, 0);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_tos_to_traffic_class)
{
	/* the whole octet is copied, DSCP and ECN bits alike */
	static const uint8_t tos[] = { 0x00, 0xb8, 0x03, 0x01, 0xc0, 0xff };
	for (size_t i = 0; i < sizeof(tos); i++) {
		size_t len = udp4(in, H4, V4, 64, tos[i], 1, 0x4000, 20);
		size_t wl = udp6(want, H6, V6, 63, tos[i], 20);
		expect_one(in, len, want, wl);
		/* flow label is zero */
		ck_assert_uint_eq(E.out[0][1] & 0x0f, 0);
		ck_assert_uint_eq(E.out[0][2], 0);
		ck_assert_uint_eq(E.out[0][3], 0);
	}
}
END_TEST

START_TEST(rfc7915_4_1_hop_limit_ttl_minus_one)
{
	static const uint8_t ttl[] = { 2, 3, 64, 128, 255 };
	for (size_t i = 0; i < sizeof(ttl); i++) {
		size_t len = udp4(in, H4, V4, ttl[i], 0, 1, 0, 20);
		size_t wl = udp6(want, H6, V6, (uint8_t)(ttl[i] - 1), 0, 20);
		expect_one(in, len, want, wl);
	}
}
END_TEST

START_TEST(rfc7915_4_1_payload_length_ignores_link_padding)
{
	/* bytes after Total Length (e.g. Ethernet padding) are not packet */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 6);
	memset(in + len, 0xee, 20);
	size_t wl = udp6(want, H6, V6, 63, 0, 6);
	expect_one(in, len + 20, want, wl);
	/* a buffer shorter than Total Length is a truncated packet */
	expect_drop(in, len - 1, DROP_TRUNCATED);
}
END_TEST

START_TEST(rfc7915_4_1_tcp)
{
	size_t len = tcp4(in, 64, 1000);
	size_t wl = tcp6(want, 63, 1000);
	expect_one(in, len, want, wl);
	len = tcp4(in, 10, 0);
	wl = tcp6(want, 9, 0);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_bad_ipv4_header_checksum_dropped)
{
	/* RFC 1812 5.2.2: a router verifies the header checksum */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 20);
	in[10] ^= 0x01;
	expect_drop(in, len, DROP_BAD_V4_CKSUM);
}
END_TEST

/* ---- TTL, options ---- */

START_TEST(rfc7915_4_1_ttl_expired_time_exceeded)
{
	/* TTL 1 (and 0) would reach 0: ICMPv4 11/0 from ipv4-addr, no IPv6 */
	size_t len = udp4(in, H4, V4, 1, 0, 0x4242, 0, 100);
	size_t wl = want_icmp4(want, H4, 11, 0, 0, in, len, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 1);
	ck_assert_uint_eq(E.stats.icmp4_sent, 1);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 0);

	len = udp4(in, H4, V4, 0, 0x10, 0x4243, 0x4000, 700);
	wl = want_icmp4(want, H4, 11, 0, 0, in, len, 2);
	ck_assert_uint_eq(wl, 576);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 2);
}
END_TEST

/* Insert IPv4 options (olen bytes, multiple of 4) after the header of a
 * built packet and redo the header checksum. */
static size_t add_options(uint8_t *b, size_t len, const uint8_t *opt, size_t olen)
{
	memmove(b + 20 + olen, b + 20, len - 20);
	memcpy(b + 20, opt, olen);
	b[0] = (uint8_t)(0x40 | (20 + olen) / 4);
	put16(b + 2, (uint16_t)(len + olen));
	put16(b + 10, 0);
	put16(b + 10, tp_cksum(b, 20 + olen, 0));
	return len + olen;
}

START_TEST(rfc7915_4_1_options_dropped)
{
	/* Record Route (7), len 7, pointer 4, one empty slot, then EOL */
	static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	static const uint8_t nops[4] = { 1, 1, 1, 1 };
	/* the L4 checksum doesn't cover options, so build it first */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 50);
	len = add_options(in, len, rr, sizeof(rr));
	size_t wl = udp6(want, H6, V6, 63, 0, 50);
	/* payload length = total length - IHL * 4 */
	ck_assert_uint_eq(wl - 40, len - 28);
	expect_one(in, len, want, wl);

	len = tcp4(in, 64, 99);
	len = add_options(in, len, nops, sizeof(nops));
	wl = tcp6(want, 63, 99);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_unexpired_source_route)
{
	/* LSRR (131), len 7, pointer 4 <= len: route not yet used up ->
	 * ICMPv4 3/5 (Source Route Failed) and drop */
	uint8_t lsrr[8] = { 131, 7, 4, 198, 51, 100, 1, 0 };
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 30);
	len = add_options(in, len, lsrr, sizeof(lsrr));
	size_t wl = want_icmp4(want, H4, 3, 5, 0, in, len, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_SRC_ROUTE], 1);

	/* SSRR (137) likewise */
	lsrr[0] = 137;
	len = udp4(in, H4, V4, 64, 0, 1, 0, 30);
	len = add_options(in, len, lsrr, sizeof(lsrr));
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_SRC_ROUTE], 2);

	/* pointer 8 > len 7: the route is exhausted, options just dropped */
	lsrr[0] = 131;
	lsrr[2] = 8;
	len = udp4(in, H4, V4, 64, 0, 1, 0, 30);
	len = add_options(in, len, lsrr, sizeof(lsrr));
	wl = udp6(want, H6, V6, 63, 0, 30);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_unknown_protocol_forwarded)
{
	/* no transport translation for protocols we don't know (253 is
	 * experimental, 47 GRE, 132 SCTP whose CRC has no pseudo-header) */
	static const uint8_t protos[] = { 253, 47, 132 };
	for (size_t i = 0; i < sizeof(protos); i++) {
		size_t len = tp_ipv4(in, H4, V4, protos[i], 64, 0x04, 9, 0x4000, data, 77);
		size_t wl = tp_ipv6(want, H6, V6, protos[i], 63, 0x04, 0, data, 77);
		expect_one(in, len, want, wl);
	}
}
END_TEST

/* ================= RFC 7915 4.1: fragmentation ================= */

START_TEST(rfc7915_4_1_fragment_header_for_fragments)
{
	/* a 1000-byte UDP datagram (1008 L4 bytes) sent as IPv4 fragments of
	 * 512 + 496 bytes; each becomes an IPv6 fragment with the IPv4 ID
	 * zero-extended to 32 bits, the same offset and M = MF */
	size_t n = tp_udp(l4, 40000, 53, data, 1000);
	tp_ipv4(full, H4, V4, 17, 64, 0x28, 0xabcd, 0, l4, n);
	tp_fix_l4_4(full);
	/* the IPv6 UDP checksum of the whole datagram */
	uint8_t *v4l4 = full + 20;
	size_t wl6 = udp6(want2, H6, V6, 63, 0x28, 1000);
	ck_assert_uint_eq(wl6, 40 + 1008);
	uint8_t *v6l4 = want2 + 40;

	size_t len = tp_ipv4(in, H4, V4, 17, 64, 0x28, 0xabcd, 0x2000, v4l4, 512);
	size_t wl = frag6(want, H6, V6, 17, 63, 0x28, 0xabcd, 0, true, v6l4, 512);
	expect_one(in, len, want, wl);
	/* identification: high 16 bits zero, low 16 bits the IPv4 ID */
	ck_assert_uint_eq(E.out[0][44], 0);
	ck_assert_uint_eq(E.out[0][45], 0);
	len = tp_ipv4(in, H4, V4, 17, 64, 0x28, 0xabcd, 512 / 8, v4l4 + 512, 496);
	wl = frag6(want, H6, V6, 17, 63, 0x28, 0xabcd, 512, false, v6l4 + 512, 496);
	expect_one(in, len, want, wl);
	/* a middle fragment: MF and offset */
	len = tp_ipv4(in, H4, V4, 17, 64, 0x28, 0xabcd, 0x2000 | 256 / 8, v4l4 + 256, 256);
	wl = frag6(want, H6, V6, 17, 63, 0x28, 0xabcd, 256, true, v6l4 + 256, 256);
	expect_one(in, len, want, wl);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 3);
}
END_TEST

START_TEST(rfc7915_4_1_fragment_max_offset_and_id)
{
	/* offset field all ones (8191 * 8 = 65528) and ID 0xffff: the
	 * Fragment header ID's high 16 bits stay zero */
	size_t n = 7;
	size_t len = tp_ipv4(in, H4, V4, 253, 64, 0, 0xffff, 0x1fff, data, n);
	size_t wl = frag6(want, H6, V6, 253, 63, 0, 0xffff, 65528, false, data, n);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_non_first_fragment_payload_untouched)
{
	/* a non-first UDP fragment has no UDP header: bytes where one would
	 * be (even a "zero checksum") are payload, copied as they are */
	uint8_t d[64];
	memset(d, 0, sizeof(d));
	d[0] = 0x9c;
	size_t len = tp_ipv4(in, H4, V4, 17, 64, 0, 0x0101, 0x2000 | 3, d, sizeof(d));
	size_t wl = frag6(want, H6, V6, 17, 63, 0, 0x0101, 24, true, d, sizeof(d));
	expect_one(in, len, want, wl);
	len = tp_ipv4(in, H4, V4, 6, 64, 0, 0x0102, 9, d, 13);
	wl = frag6(want, H6, V6, 6, 63, 0, 0x0102, 72, false, d, 13);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_df_clear_small_no_fragment_header)
{
	/* RFC 7915 (unlike RFC 6145) adds no Fragment header to unfragmented
	 * packets, DF or not, as long as they fit */
	size_t len = udp4(in, H4, V4, 64, 0, 0x3333, 0, 1232);
	size_t wl = udp6(want, H6, V6, 63, 0, 1232);
	ck_assert_uint_eq(wl, 1280);
	expect_one(in, len, want, wl);
}
END_TEST

/* Expected IPv6 fragments of the translated datagram at want2 (v6len
 * bytes, a UDP packet from H6 to V6): chunks of `chunk` bytes, each
 * compared against emitted packet i. */
static void check_frags(const uint8_t *v6, size_t v6len, uint32_t id, size_t chunk,
			size_t nfrags)
{
	size_t l4len = v6len - 40, i = 0;
	ck_assert_uint_eq(E.nout, nfrags);
	for (size_t off = 0; off < l4len; off += chunk, i++) {
		size_t n = l4len - off < chunk ? l4len - off : chunk;
		size_t wl = frag6(want, H6, V6, v6[6], v6[7], 0, id, off, off + n < l4len, v6 + 40 + off, n);
		TP_ASSERT_OUT(&E, i, want, wl);
	}
	ck_assert_uint_eq(i, nfrags);
}

START_TEST(rfc7915_4_1_df_clear_fragmented_to_offlink_mtu)
{
	/* DF=0, 1420 bytes as IPv6 > offlink-mtu 1280 (default): fragments of
	 * at most 1280 bytes, data in multiples of 8: (1280-48) = 1232 */
	size_t len = udp4(in, H4, V4, 64, 0, 0x4242, 0, 1372);
	ck_assert_uint_eq(len, 1400);
	size_t v6len = udp6(want2, H6, V6, 63, 0, 1372);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	check_frags(want2, v6len, 0x4242, 1232, 2);
	ck_assert_uint_eq(E.outlen[0], 1280);
	ck_assert_uint_eq(E.outlen[1], 48 + 1380 - 1232);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 1);
	ck_assert_uint_eq(E.stats.segs[DIR_4TO6], 2);

	/* 10008 L4 bytes -> 8 full fragments and a 152-byte tail */
	len = udp4(in, H4, V4, 64, 0, 0x4343, 0, 10000);
	v6len = udp6(want2, H6, V6, 63, 0, 10000);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	check_frags(want2, v6len, 0x4343, 1232, 9);
	ck_assert_uint_eq(E.outlen[8], 48 + 10008 - 8 * 1232);
}
END_TEST

START_TEST(rfc7915_4_1_df_clear_fragmented_offlink_mtu_config)
{
	/* offlink-mtu 1400: fragments of at most 1400 bytes, 1352 data */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\nofflink-mtu 1400\n", 1500);
	size_t len = udp4(in, H4, V4, 64, 0, 0x0001, 0, 1472);
	size_t v6len = udp6(want2, H6, V6, 63, 0, 1472);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	check_frags(want2, v6len, 0x0001, 1352, 2);
	ck_assert_uint_eq(E.outlen[0], 1400);

	/* up to offlink-mtu: whole */
	len = udp4(in, H4, V4, 64, 0, 0x0002, 0, 1352);
	size_t wl = udp6(want, H6, V6, 63, 0, 1352);
	ck_assert_uint_eq(wl, 1400);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_df_clear_fragmented_to_tun_mtu)
{
	/* offlink-mtu larger than the tun MTU: the tun MTU bounds fragments */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\nofflink-mtu 9000\n", 1500);
	size_t len = udp4(in, H4, V4, 64, 0, 0x0bad, 0, 3000);
	size_t v6len = udp6(want2, H6, V6, 63, 0, 3000);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	check_frags(want2, v6len, 0x0bad, 1448, 3);
	ck_assert_uint_eq(E.outlen[0], 1496);
}
END_TEST

START_TEST(rfc7915_4_1_fragment_refragmented)
{
	/* an IPv4 first fragment (MF) too big for 1280 as IPv6: split again;
	 * offsets continue from the original, M stays set on the last piece */
	size_t n = tp_udp(l4, 40000, 53, data, 3000);
	tp_ipv4(full, H4, V4, 17, 64, 0, 0x7e57, 0, l4, n);
	tp_fix_l4_4(full);
	udp6(want2, H6, V6, 63, 0, 3000);
	uint8_t *v6l4 = want2 + 40;
	size_t wl;

	size_t len = tp_ipv4(in, H4, V4, 17, 64, 0, 0x7e57, 0x2000, full + 20, 1480);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 2);
	wl = frag6(want, H6, V6, 17, 63, 0, 0x7e57, 0, true, v6l4, 1232);
	TP_ASSERT_OUT(&E, 0, want, wl);
	wl = frag6(want, H6, V6, 17, 63, 0, 0x7e57, 1232, true, v6l4 + 1232, 248);
	TP_ASSERT_OUT(&E, 1, want, wl);

	/* the last IPv4 fragment (offset 1480, no MF): last piece has M=0 */
	len = tp_ipv4(in, H4, V4, 17, 64, 0, 0x7e57, 1480 / 8, full + 20 + 1480, 1528);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 2);
	wl = frag6(want, H6, V6, 17, 63, 0, 0x7e57, 1480, true, v6l4 + 1480, 1232);
	TP_ASSERT_OUT(&E, 0, want, wl);
	wl = frag6(want, H6, V6, 17, 63, 0, 0x7e57, 2712, false, v6l4 + 2712, 296);
	TP_ASSERT_OUT(&E, 1, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_df_set_fits_tun_mtu_forwarded_whole)
{
	/* DF=1 bigger than offlink-mtu but within the tun MTU: not ours to
	 * fragment; a PTB from the IPv6 path will come back */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0x4000, 1452);
	ck_assert_uint_eq(len, 1480);
	size_t wl = udp6(want, H6, V6, 63, 0, 1452);
	ck_assert_uint_eq(wl, 1500);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_1_df_set_too_big_frag_needed)
{
	/* DF=1 and 1501 bytes as IPv6 > tun MTU 1500: ICMPv4 3/4 with the
	 * MTU the IPv4 sender can use, 1500 - 20 */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0x4000, 1453);
	ck_assert_uint_eq(len, 1481);
	size_t wl = want_icmp4(want, H4, 3, 4, 1480, in, len, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TOO_BIG], 1);

	/* the quote is the datagram as sent (RFC 792): an echo request still
	 * shows type 8 and its IPv4 checksum, TCP its IPv4 checksum */
	size_t n = tp_icmp(l4, 8, 0, 0x00010001, data, 1500);
	len = tp_ipv4(in, H4, V4, 1, 64, 0, 2, 0x4000, l4, n);
	tp_fix_l4_4(in);
	wl = want_icmp4(want, H4, 3, 4, 1480, in, len, 2);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	TP_ASSERT_OUT(&E, 0, want, wl);
	len = tcp4(in, 64, 1500);
	wl = want_icmp4(want, H4, 3, 4, 1480, in, len, 3);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* same with a 9000 MTU tun: 8980 */
	reinit(CONF, 9000);
	len = udp4(in, H4, V4, 64, 0, 1, 0x4000, 8953);
	wl = want_icmp4(want, H4, 3, 4, 8980, in, len, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

/* ================= RFC 7915 4.2: ICMPv4 -> ICMPv6 ================= */

static size_t echo4(uint8_t *b, uint8_t type, size_t dlen)
{
	size_t n = tp_icmp(l4, type, 0, 0xbeef0001, data, dlen);
	size_t len = tp_ipv4(b, H4, V4, 1, 64, 0, 0x2222, 0x4000, l4, n);
	tp_fix_l4_4(b);
	return len;
}

static size_t echo6(uint8_t *b, uint8_t type, size_t dlen)
{
	size_t n = tp_icmp(l4, type, 0, 0xbeef0001, data, dlen);
	size_t len = tp_ipv6(b, H6, V6, 58, 63, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

START_TEST(rfc7915_4_2_echo_request)
{
	/* type 8 -> 128, checksum now covers the ICMPv6 pseudo-header */
	size_t len = echo4(in, 8, 56);
	size_t wl = echo6(want, 128, 56);
	expect_one(in, len, want, wl);
	len = echo4(in, 8, 33);
	wl = echo6(want, 128, 33);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_2_echo_reply)
{
	size_t len = echo4(in, 0, 56);
	size_t wl = echo6(want, 129, 56);
	expect_one(in, len, want, wl);
	len = echo4(in, 0, 0);
	wl = echo6(want, 129, 0);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_2_informational_dropped)
{
	/* timestamp 13/14, information 15/16, address mask 17/18, router
	 * advertisement/solicitation 9/10, alternate host address 6, unknown */
	static const uint8_t types[] = { 13, 14, 15, 16, 17, 18, 9, 10, 6, 30, 42, 253 };
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t len = echo4(in, types[i], 12);
		expect_drop(in, len, DROP_ICMP_TYPE);
	}
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
}
END_TEST

START_TEST(rfc7915_4_2_fragmented_icmp_not_translated)
{
	size_t n = tp_icmp(l4, 8, 0, 0xbeef0001, data, 1000);
	tp_ipv4(full, H4, V4, 1, 64, 0, 0x2222, 0, l4, n);
	tp_fix_l4_4(full);
	size_t len = tp_ipv4(in, H4, V4, 1, 64, 0, 0x2222, 0x2000, full + 20, 512);
	expect_drop(in, len, DROP_FRAG);
	len = tp_ipv4(in, H4, V4, 1, 64, 0, 0x2222, 512 / 8, full + 20 + 512, 496);
	expect_drop(in, len, DROP_FRAG);
	/* an ICMP error in a first fragment as well */
	size_t il = inner_udp4(inner, 60, 0, 20);
	len = err4(in, 3, 1, 0, inner, il);
	put16(in + 6, 0x2000);
	put16(in + 10, 0);
	put16(in + 10, tp_cksum(in, 20, 0));
	expect_drop(in, len, DROP_FRAG);
}
END_TEST

/* ICMPv4 error type/code/rest about the IPv6 host's UDP packet (quoted
 * whole) -> expected ICMPv6 t6/c6/rest6 with the inner packet translated */
static void check_error(uint8_t type, uint8_t code, uint32_t rest, uint8_t t6, uint8_t c6,
			uint32_t rest6)
{
	size_t il = inner_udp4(inner, 60, 0x4000, 20);
	size_t len = err4(in, type, code, rest, inner, il);
	size_t i6 = inner_udp6(inner6, 60, 20);
	size_t wl = err6(want, R6, t6, c6, rest6, inner6, i6);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_msg(E.nout == 1, "ICMPv4 %u/%u: %zu packets", type, code, E.nout);
	TP_ASSERT_OUT(&E, 0, want, wl);
}

static void check_error_dropped(uint8_t type, uint8_t code, uint32_t rest)
{
	size_t il = inner_udp4(inner, 60, 0x4000, 20);
	size_t len = err4(in, type, code, rest, inner, il);
	uint64_t before = E.stats.drops[DROP_ICMP_TYPE];
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_msg(E.nout == 0, "ICMPv4 %u/%u translated", type, code);
	ck_assert_msg(E.stats.drops[DROP_ICMP_TYPE] == before + 1, "ICMPv4 %u/%u", type, code);
}

START_TEST(rfc7915_4_2_dest_unreachable_codes)
{
	/* net/host, source route failed, 6,7,8, 11,12 -> 1/0 */
	static const uint8_t to_1_0[] = { 0, 1, 5, 6, 7, 8, 11, 12 };
	for (size_t i = 0; i < sizeof(to_1_0); i++)
		check_error(3, to_1_0[i], 0, 1, 0, 0);
	/* port unreachable -> 1/4 */
	check_error(3, 3, 0, 1, 4, 0);
	/* administratively prohibited 9, 10, 13 and precedence cutoff 15 -> 1/1 */
	check_error(3, 9, 0, 1, 1, 0);
	check_error(3, 10, 0, 1, 1, 0);
	check_error(3, 13, 0, 1, 1, 0);
	check_error(3, 15, 0, 1, 1, 0);
	/* protocol unreachable -> Parameter Problem 4/1 pointing at the IPv6
	 * Next Header field (offset 6) */
	check_error(3, 2, 0, 4, 1, 6);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 14);
}
END_TEST

START_TEST(rfc7915_4_2_dest_unreachable_dropped_codes)
{
	/* 14 host precedence violation and unknown codes: silently dropped */
	check_error_dropped(3, 14, 0);
	check_error_dropped(3, 16, 0);
	check_error_dropped(3, 200, 0);
}
END_TEST

/* ICMPv4 3/4 with a quoted packet of total length tot (only header + UDP
 * header quoted, as RFC 792 allows) -> expected PTB with mtu6 */
static void check_ptb(uint16_t mtu4, uint16_t tot, uint32_t mtu6)
{
	size_t il = inner_udp4(inner, 60, 0x4000, (size_t)tot - 28);
	size_t len = err4(in, 3, 4, mtu4, inner, 28);
	size_t i6 = inner_udp6(inner6, 60, (size_t)tot - 28);
	ck_assert_uint_eq(il, tot);
	ck_assert_uint_eq(i6, tot + 20u);
	size_t wl = err6(want, R6, 2, 0, mtu6, inner6, 48);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}

START_TEST(rfc7915_4_2_frag_needed_to_packet_too_big)
{
	/* MTU = min(advertised MTU + 20, IPv6 next-hop (tun) MTU, ...),
	 * never below the IPv6 minimum 1280 */
	check_ptb(1400, 1480, 1420);
	check_ptb(1460, 1480, 1480);
	check_ptb(1480, 1500, 1500);
	check_ptb(1490, 1500, 1500);   /* 1510 > tun MTU 1500 */
	check_ptb(1000, 1400, 1280);   /* 1020 < 1280 */
	check_ptb(576, 1400, 1280);
	reinit(CONF, 9000);
	check_ptb(4000, 4500, 4020);
	check_ptb(8990, 9000, 9000);
}
END_TEST

START_TEST(rfc7915_4_2_frag_needed_mtu_zero_plateau)
{
	/* MTU 0 (pre-RFC 1191 router): the greatest RFC 1191 plateau less than
	 * the quoted Total Length, + 20 */
	reinit(CONF, 9000);
	check_ptb(0, 1500, 1492 + 20);
	check_ptb(0, 4400, 4352 + 20);
	check_ptb(0, 4352, 2002 + 20);   /* strictly less than */
	check_ptb(0, 8500, 8166 + 20);
	check_ptb(0, 1400, 1280);         /* 1006 + 20 -> 1280 floor */
	reinit(CONF, 1500);
	check_ptb(0, 1500, 1500);         /* 1512 capped at the tun MTU */
}
END_TEST

START_TEST(rfc7915_4_2_time_exceeded)
{
	/* type 11 -> 3, code unchanged (0 hop limit, 1 reassembly) */
	check_error(11, 0, 0, 3, 0, 0);
	check_error(11, 1, 0, 3, 1, 0);
}
END_TEST

START_TEST(rfc7915_4_2_parameter_problem_pointer)
{
	/* RFC 7915 Figure 3: IPv4 pointer -> IPv6 pointer */
	static const struct { uint8_t p4, p6; } map[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 4 }, { 3, 4 }, { 8, 7 }, { 9, 6 },
		{ 12, 8 }, { 13, 8 }, { 14, 8 }, { 15, 8 },
		{ 16, 24 }, { 17, 24 }, { 18, 24 }, { 19, 24 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		check_error(12, 0, (uint32_t)map[i].p4 << 24, 4, 0, map[i].p6);
		/* code 2 (bad length) is translated like code 0 */
		check_error(12, 2, (uint32_t)map[i].p4 << 24, 4, 0, map[i].p6);
	}
	/* n/a (ID, flags/offset, header checksum) and options: dropped */
	static const uint8_t na[] = { 4, 5, 6, 7, 10, 11, 20, 21, 40, 255 };
	for (size_t i = 0; i < sizeof(na); i++)
		check_error_dropped(12, 0, (uint32_t)na[i] << 24);
	/* code 1 (missing required option) and unknown codes: dropped */
	check_error_dropped(12, 1, 0);
	check_error_dropped(12, 3, 0);
}
END_TEST

START_TEST(rfc7915_4_2_redirect_source_quench_dropped)
{
	/* single-hop / deprecated messages: silently dropped */
	check_error_dropped(5, 0, 0xc6336401);
	check_error_dropped(5, 1, 0xc6336401);
	check_error_dropped(4, 0, 0);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
}
END_TEST

/* ================= RFC 7915 4.3: ICMP error inner packets ================= */

START_TEST(rfc7915_4_3_inner_udp)
{
	/* inner addresses translated the same way, inner hop limit = inner TTL
	 * (not decremented), inner TC = inner TOS, inner UDP checksum updated
	 * for the IPv6 pseudo-header; outer length and checksum recomputed */
	check_error(3, 3, 0, 1, 4, 0);
	/* 1-byte and odd-length inner payloads */
	size_t il = inner_udp4(inner, 1, 0, 33);
	size_t len = err4(in, 11, 0, 0, inner, il);
	size_t i6 = inner_udp6(inner6, 1, 33);
	size_t wl = err6(want, R6, 3, 0, 0, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_inner_udp_truncated_quote)
{
	/* RFC 792 minimum quote: IP header + 8 bytes. The inner payload length
	 * still says what the original said; the UDP checksum update is the
	 * same as for the whole datagram */
	size_t il = inner_udp4(inner, 60, 0, 500);
	size_t len = err4(in, 3, 1, 0, inner, 28);
	size_t i6 = inner_udp6(inner6, 60, 500);
	ck_assert_uint_eq(il, 528);
	ck_assert_uint_eq(i6, 548);
	size_t wl = err6(want, R6, 1, 0, 0, inner6, 48);
	expect_one(in, len, want, wl);
	/* and an RFC 1812 576-byte error (548 quoted) */
	len = err4(in, 3, 1, 0, inner, 548 - 20);
	wl = err6(want, R6, 1, 0, 0, inner6, 548);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_inner_udp_zero_checksum)
{
	/* an inner UDP zero checksum is left alone (RFC 7915 4.3: only
	 * checksums that are present are updated) */
	size_t n = tp_udp(l4, 5353, 40000, data, 20);
	size_t il = tp_ipv4(inner, V4, H4, 17, 60, 0, 0x5151, 0, l4, n);
	size_t len = err4(in, 3, 3, 0, inner, il);
	n = tp_udp(l4, 5353, 40000, data, 20);
	size_t i6 = tp_ipv6(inner6, V6, H6, 17, 60, 0, 0, l4, n);
	size_t wl = err6(want, R6, 1, 4, 0, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_inner_tcp)
{
	size_t n = tp_tcp(l4, 50000, 443, 7, 8, 0x02, data, 12);
	size_t il = tp_ipv4(inner, V4, H4, 6, 33, 0, 0x6060, 0x4000, l4, n);
	tp_fix_l4_4(inner);
	size_t len = err4(in, 3, 10, 0, inner, il);
	n = tp_tcp(l4, 50000, 443, 7, 8, 0x02, data, 12);
	size_t i6 = tp_ipv6(inner6, V6, H6, 6, 33, 0, 0, l4, n);
	tp_fix_l4_6(inner6);
	size_t wl = err6(want, R6, 1, 1, 0, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_inner_icmp_echo)
{
	/* inner ICMPv4 echo request -> ICMPv6 echo request, its checksum now
	 * over the ICMPv6 pseudo-header */
	size_t n = tp_icmp(l4, 8, 0, 0x00420007, data, 40);
	size_t il = tp_ipv4(inner, V4, H4, 1, 12, 0, 0x6161, 0, l4, n);
	tp_fix_l4_4(inner);
	size_t len = err4(in, 11, 0, 0, inner, il);
	n = tp_icmp(l4, 128, 0, 0x00420007, data, 40);
	size_t i6 = tp_ipv6(inner6, V6, H6, 58, 12, 0, 0, l4, n);
	tp_fix_l4_6(inner6);
	size_t wl = err6(want, R6, 3, 0, 0, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_inner_icmp_error_dropped)
{
	/* an error quoting an error: more than one embedded header */
	uint8_t qb[64];
	size_t ql = inner_udp4(qb, 60, 0, 4);
	size_t n = tp_icmp(l4, 3, 1, 0, qb, ql);
	size_t il = tp_ipv4(inner, V4, H4, 1, 60, 0, 1, 0, l4, n);
	tp_fix_l4_4(inner);
	size_t len = err4(in, 3, 1, 0, inner, il);
	expect_drop(in, len, DROP_ICMP_INNER);
}
END_TEST

START_TEST(rfc7915_4_3_inner_fragment)
{
	/* the quoted packet was a first fragment: inner Fragment header */
	size_t n = tp_udp(l4, 5353, 40000, data, 100);
	tp_ipv4(full, V4, H4, 17, 60, 0, 0x0f0f, 0, l4, n);
	tp_fix_l4_4(full);
	size_t il = tp_ipv4(inner, V4, H4, 17, 60, 0, 0x0f0f, 0x2000, full + 20, 48);
	size_t len = err4(in, 11, 1, 0, inner, il);
	n = tp_udp(l4, 5353, 40000, data, 100);
	tp_ipv6(want2, V6, H6, 17, 60, 0, 0, l4, n);
	tp_fix_l4_6(want2);
	size_t i6 = frag6(inner6, V6, H6, 17, 60, 0, 0x0f0f, 0, true, want2 + 40, 48);
	size_t wl = err6(want, R6, 3, 1, 0, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_truncated_to_1280)
{
	/* a router quoting the whole 1400-byte packet: the ICMPv6 error must
	 * not exceed 1280 bytes (RFC 4443 2.4(c)), so the translated quote is
	 * cut at 1280 - 48 = 1232 bytes */
	size_t il = inner_udp4(inner, 60, 0x4000, 1372);
	size_t len = err4(in, 3, 1, 0, inner, il);
	ck_assert_uint_eq(len, 1428);
	size_t i6 = inner_udp6(inner6, 60, 1372);
	ck_assert_uint_gt(i6, 1232);
	size_t wl = err6(want, R6, 1, 0, 0, inner6, 1232);
	ck_assert_uint_eq(wl, 1280);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_3_bad_icmp_checksum_not_laundered)
{
	/* the error's checksum is recomputed, so a corrupt one must not be
	 * turned into a valid ICMPv6 message */
	size_t il = inner_udp4(inner, 60, 0, 20);
	size_t len = err4(in, 3, 1, 0, inner, il);
	in[len - 1] ^= 0x40;
	expect_drop(in, len, DROP_BAD_HEADER);
}
END_TEST

START_TEST(rfc7915_4_3_error_too_short)
{
	/* no room for an inner IPv4 header */
	inner_udp4(inner, 60, 0, 20);
	size_t len = err4(in, 3, 1, 0, inner, 19);
	expect_drop(in, len, DROP_ICMP_INNER);
}
END_TEST

START_TEST(rfc7915_4_3_error_ttl_expired_silent)
{
	/* an ICMP error whose TTL runs out gets no error about it
	 * (RFC 1812 4.3.2.7) */
	size_t il = inner_udp4(inner, 60, 0, 20);
	size_t n = tp_icmp(ebuf, 3, 1, 0, inner, il);
	size_t len = tp_ipv4(in, R4, V4, 1, 1, 0, 1, 0, ebuf, n);
	tp_fix_l4_4(in);
	expect_drop(in, len, DROP_TTL_EXPIRED);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
}
END_TEST

static const char *CONF_NOPREFIX =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"map 203.0.113.9 2001:db8:aaaa::9\n"
	"map 198.51.100.7 2001:db8:aaaa::7\n";

START_TEST(rfc7915_4_3_unmappable_source_uses_rfc6791)
{
	/* the router R4 has no IPv6 mapping: the error comes from the RFC 6791
	 * address (default ipv6-addr); the inner packet maps normally */
	reinit(CONF_NOPREFIX, 1500);
	size_t il = inner_udp4(inner, 60, 0, 20);
	size_t len = err4(in, 3, 3, 0, inner, il);
	size_t n = tp_udp(l4, 5353, 40000, data, 20);
	size_t i6 = tp_ipv6(inner6, "2001:db8:aaaa::9", "2001:db8:aaaa::7", 17, 60, 0x20, 0, l4, n);
	tp_fix_l4_6(inner6);
	n = tp_icmp(ebuf, 1, 4, 0, inner6, i6);
	size_t wl = tp_ipv6(want, OWN6, "2001:db8:aaaa::9", 58, 49, 0x08, 0, ebuf, n);
	tp_fix_l4_6(want);
	expect_one(in, len, want, wl);

	/* rfc6791-v6 sets it explicitly */
	char conf[512];
	snprintf(conf, sizeof(conf), "%srfc6791-v6 2001:db8:6791::1\n", CONF_NOPREFIX);
	reinit(conf, 1500);
	len = err4(in, 3, 3, 0, inner, il);
	n = tp_icmp(ebuf, 1, 4, 0, inner6, i6);
	wl = tp_ipv6(want, "2001:db8:6791::1", "2001:db8:aaaa::9", 58, 49, 0x08, 0, ebuf, n);
	tp_fix_l4_6(want);
	expect_one(in, len, want, wl);

	/* a non-error packet from an unmapped source is dropped */
	len = udp4(in, R4, V4, 64, 0, 1, 0, 20);
	expect_drop(in, len, DROP_NO_MAP_SRC);
	/* and one to an unmapped destination gets host unreachable */
	len = udp4(in, "198.51.100.7", "203.0.113.10", 64, 0, 1, 0, 20);
	wl = want_icmp4(want, "198.51.100.7", 3, 1, 0, in, len, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_NO_MAP_DST], 1);
}
END_TEST

/* RFC 4884 extension structure: version 2 header + one 8-byte object */
static size_t ext_struct(uint8_t *b)
{
	static const uint8_t e[12] = { 0x20, 0, 0, 0, 0, 8, 1, 1, 0xde, 0xad, 0xbe, 0xef };
	memcpy(b, e, sizeof(e));
	put16(b + 2, tp_cksum(b, sizeof(e), 0));
	return sizeof(e);
}

/* ICMPv4 error with an RFC 4884 length attribute: inner packet padded with
 * zeros to pad4 bytes, then the extension */
static size_t err4_ext(uint8_t *b, uint8_t type, uint8_t code, uint8_t byte4,
		       const uint8_t *qb, size_t qlen, size_t pad4)
{
	uint8_t body[1500];
	memset(body, 0, sizeof(body));
	memcpy(body, qb, qlen);
	size_t el = ext_struct(body + pad4);
	uint32_t rest = (uint32_t)byte4 << 24 | (uint32_t)(pad4 / 4) << 16;
	return err4(b, type, code, rest, body, pad4 + el);
}

/* expected ICMPv6 with a length attribute: quote padded to pad6 bytes */
static size_t err6_ext(uint8_t *b, uint8_t type, uint8_t code, const uint8_t *qb, size_t qlen,
		       size_t pad6)
{
	uint8_t body[1500];
	memset(body, 0, sizeof(body));
	memcpy(body, qb, qlen);
	size_t el = ext_struct(body + pad6);
	return err6(b, R6, type, code, (uint32_t)(pad6 / 8) << 24, body, pad6 + el);
}

START_TEST(rfc4884_length_attribute)
{
	/* ICMPv4: original datagram zero-padded to >= 128 bytes, length in
	 * 32-bit words in byte 5. ICMPv6: padded to a 64-bit boundary and
	 * >= 128 bytes, length in 64-bit words in byte 4; extension kept. */
	size_t il = inner_udp4(inner, 60, 0, 20);            /* 48 bytes */
	size_t len = err4_ext(in, 3, 1, 0, inner, il, 128);
	size_t i6 = inner_udp6(inner6, 60, 20);              /* 68 bytes */
	size_t wl = err6_ext(want, 1, 0, inner6, i6, 128);
	expect_one(in, len, want, wl);
	ck_assert_uint_eq(E.out[0][44], 16);

	/* time exceeded likewise */
	len = err4_ext(in, 11, 0, 0, inner, il, 128);
	wl = err6_ext(want, 3, 0, inner6, i6, 128);
	expect_one(in, len, want, wl);

	/* a longer original: 200 bytes (50 words) -> 220 -> 224 (28 words) */
	il = inner_udp4(inner, 60, 0, 172);
	ck_assert_uint_eq(il, 200);
	len = err4_ext(in, 3, 3, 0, inner, il, 200);
	i6 = inner_udp6(inner6, 60, 172);
	wl = err6_ext(want, 1, 4, inner6, i6, 224);
	expect_one(in, len, want, wl);
	ck_assert_uint_eq(E.out[0][44], 28);
}
END_TEST

START_TEST(rfc4884_length_attribute_not_for_ptb_or_param_problem)
{
	/* RFC 4884 4.4/4.5 give only ICMPv6 Destination Unreachable and Time
	 * Exceeded a length attribute: a Parameter Problem loses the
	 * extension and the quote its padding */
	size_t il = inner_udp4(inner, 60, 0, 20);
	size_t len = err4_ext(in, 12, 0, 9, inner, il, 128);
	size_t i6 = inner_udp6(inner6, 60, 20);
	size_t wl = err6(want, R6, 4, 0, 6, inner6, i6);
	expect_one(in, len, want, wl);
}
END_TEST

/* ================= RFC 7915 4.5: transport headers ================= */

static size_t udp0_4(uint8_t *b, uint16_t frag, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	return tp_ipv4(b, H4, V4, 17, 64, 0, 0x0505, frag, l4, n); /* checksum 0 */
}

START_TEST(rfc7915_4_5_udp_zero_checksum_drop)
{
	/* default udp-cksum-mode drop: silently, as TAYGA */
	size_t len = udp0_4(in, 0, 40);
	expect_drop(in, len, DROP_UDP_ZERO_CKSUM);
	/* reject: RFC 7915 4.4 lets the translator say so: Communication
	 * Administratively Prohibited (3/13) */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\nudp-cksum-mode reject\n", 1500);
	size_t wl = want_icmp4(want, H4, 3, 13, 0, in, len, 1);
	expect_reject(in, len, DROP_UDP_ZERO_CKSUM, want, wl);
	/* a fragment too */
	len = udp0_4(in, 0x2000, 40);
	wl = want_icmp4(want, H4, 3, 13, 0, in, len, 2);
	expect_reject(in, len, DROP_UDP_ZERO_CKSUM, want, wl);
}
END_TEST

START_TEST(rfc7915_4_5_udp_zero_checksum_calc)
{
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\nudp-cksum-mode calc\n", 1500);
	size_t len = udp0_4(in, 0, 40);
	size_t wl = udp6(want, H6, V6, 63, 0, 40);
	expect_one(in, len, want, wl);
	len = udp0_4(in, 0, 41);
	wl = udp6(want, H6, V6, 63, 0, 41);
	expect_one(in, len, want, wl);
	/* a first fragment: the whole datagram isn't here to checksum ->
	 * dropped silently as in drop mode */
	len = udp0_4(in, 0x2000, 40);
	expect_drop(in, len, DROP_UDP_ZERO_CKSUM);
}
END_TEST

START_TEST(rfc7915_4_5_udp_zero_checksum_fwd)
{
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\nudp-cksum-mode fwd\n", 1500);
	size_t len = udp0_4(in, 0, 40);
	size_t n = tp_udp(l4, 40000, 53, data, 40);
	size_t wl = tp_ipv6(want, H6, V6, 17, 63, 0, 0, l4, n);
	expect_one(in, len, want, wl);
	ck_assert_uint_eq(E.out[0][46], 0);
	ck_assert_uint_eq(E.out[0][47], 0);
	/* fragments too */
	len = udp0_4(in, 0x2000, 40);
	wl = frag6(want, H6, V6, 17, 63, 0, 0x0505, 0, true, l4, n);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7915_4_5_bad_checksum_stays_bad)
{
	/* the checksum is updated incrementally, never recomputed: corrupt
	 * one data byte after checksumming and the IPv6 packet carries the
	 * checksum of the uncorrupted IPv6 packet, i.e. is equally wrong */
	size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 100);
	in[20 + 8 + 50] ^= 0x5a;
	size_t wl = udp6(want, H6, V6, 63, 0, 100);
	want[40 + 8 + 50] ^= 0x5a;
	expect_one(in, len, want, wl);

	len = tcp4(in, 64, 100);
	in[20 + 20 + 7] ^= 0xa5;
	wl = tcp6(want, 63, 100);
	want[40 + 20 + 7] ^= 0xa5;
	expect_one(in, len, want, wl);

	/* ICMP echo (RFC 7915 4.2: checksum adjusted, not recomputed) */
	len = echo4(in, 8, 56);
	in[20 + 8 + 3] ^= 0x11;
	wl = echo6(want, 128, 56);
	want[40 + 8 + 3] ^= 0x11;
	expect_one(in, len, want, wl);

	/* a wrong checksum field itself: off by one, stays off by one */
	len = udp4(in, H4, V4, 64, 0, 1, 0, 100);
	in[27] ^= 0x01;
	wl = udp6(want, H6, V6, 63, 0, 100);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_uint_eq(E.outlen[0], wl);
	/* all but the checksum as for a good packet */
	ck_assert_mem_eq(E.out[0], want, 46);
	ck_assert_mem_eq(E.out[0] + 48, want + 48, wl - 48);
	uint16_t got = (uint16_t)(E.out[0][46] << 8 | E.out[0][47]);
	uint16_t good = (uint16_t)(want[46] << 8 | want[47]);
	ck_assert_uint_ne(got, good);
	/* verifying the IPv6 checksum fails by exactly the same residue as
	 * verifying the IPv4 one */
	uint8_t s4[4], d4[4], s6[16], d6[16];
	tp_a4(H4, s4); tp_a4(V4, d4); tp_a6(H6, s6); tp_a6(V6, d6);
	uint16_t r4 = tp_cksum(in + 20, 108, tp_pseudo4(s4, d4, 17, 108));
	uint16_t r6 = tp_cksum(E.out[0] + 40, 108, tp_pseudo6(s6, d6, 17, 108));
	ck_assert_uint_ne(r4, 0);
	ck_assert_uint_eq(r4, r6);
}
END_TEST

/* ================= RFC 7915 review round 2 (issue 13), section 4 ================= */

/* ---------- 4.2 / 5.2 with RFC 4884: keep the extension, trim the quote ---------- */

START_TEST(rfc7915_4_2_rfc4884_extension_kept_quote_trimmed)
{
	/* the packet in error: 192.0.2.33 -> 198.51.100.2 UDP, 580 bytes */
	size_t un = tp_udp(l4, 5000, 6000, data, 552);
	size_t qlen = tp_ipv4(q, A4, B4, 17, 31, 0, 0x0101, 0, l4, un);
	tp_fix_l4_4(q);
	ck_assert_uint_eq(qlen, 580);
	/* ICMPv4 3/3 198.51.100.2 -> 192.0.2.33, length 145 words (580 bytes),
	 * then a 640-byte extension */
	uint8_t msg[1400];
	memcpy(msg + 8, q, qlen);
	memcpy(msg + 8 + qlen, ext_data, 640);
	msg[0] = 3; msg[1] = 3; put16(msg + 2, 0); msg[4] = 0; msg[5] = 145; put16(msg + 6, 0);
	put16(msg + 2, tp_cksum(msg, 8 + qlen + 640, 0));
	size_t len = tp_ipv4(in, B4, A4, 1, 64, 0, 7, 0, msg, 8 + qlen + 640);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);

	/* the quoted packet as IPv6: 600 bytes, cut to 592 (RFC 4884: a
	 * multiple of 8) so that the whole extension fits in 1280 */
	un = tp_udp(l4, 5000, 6000, data, 552);
	size_t q6 = tp_ipv6(q, A6, B6, 17, 31, 0, 0, l4, un);
	tp_fix_l4_6(q);
	ck_assert_uint_eq(q6, 600);
	uint8_t body[1400];
	body[0] = 1; body[1] = 4; put16(body + 2, 0); body[4] = 74; body[5] = body[6] = body[7] = 0;
	memcpy(body + 8, q, 592);
	memcpy(body + 8 + 592, ext_data, 640);
	size_t wl = tp_ipv6(want, B6, A6, 58, 63, 0, 0, body, 8 + 592 + 640);
	tp_fix_l4_6(want);
	ck_assert_uint_eq(wl, 1280);
	ck_assert_uint_eq(E.nout, 1);
	expect_out(0, want, wl);
}
END_TEST

START_TEST(rfc7915_4_5_udp_zero_checksum_logged_and_answered)
{
	env(C40 "log drop\nudp-cksum-mode reject\n");
	size_t n = tp_udp(l4, 1234, 53, data, 20);
	size_t len = tp_ipv4(in, B4, A4, 17, 64, 0, 9, 0, l4, n); /* checksum 0 */
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_UDP_ZERO_CKSUM], 1);
	size_t wl = want_icmp4(want, B4, 3, 13, 0, in, len, 1);
	expect_out(0, want, wl);
	/* "at least the IP addresses and port numbers" */
	ck_assert_ptr_nonnull(strstr(logged, B4 ":1234"));
	ck_assert_ptr_nonnull(strstr(logged, A4 ":53"));
}
END_TEST

/* ---------- 4.1: ICMPv4 errors from "illegal" sources ---------- */

static void illegal_source(const char *src4, const char *want_src6)
{
	/* the packet in error: 192.0.2.33 -> 198.51.100.2 UDP */
	size_t un = tp_udp(l4, 5000, 6000, data, 12);
	size_t qlen = tp_ipv4(q, A4, B4, 17, 31, 0, 0x0101, 0, l4, un);
	tp_fix_l4_4(q);
	size_t n = tp_icmp(l4, 3, 3, 0, q, qlen);
	size_t len = tp_ipv4(in, src4, A4, 1, 64, 0, 7, 0, l4, n);
	tp_fix_l4_4(in);
	tp_env_free(&E);
	tp_env_init(&E, C40, 1500);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);

	un = tp_udp(l4, 5000, 6000, data, 12);
	size_t q6 = tp_ipv6(q, A6, B6, 17, 31, 0, 0, l4, un);
	tp_fix_l4_6(q);
	n = tp_icmp(l4, 1, 4, 0, q, q6);
	size_t wl = tp_ipv6(want, want_src6, A6, 58, 63, 0, 0, l4, n);
	tp_fix_l4_6(want);
	expect_out(0, want, wl);
}

START_TEST(rfc7915_4_1_illegal_icmp_error_source_through_prefix)
{
	/* "the 'illegal' source address will be translated for the purpose
	 * of trouble shooting": 127.0.0.1 -> 2001:db8:17f:0:1::, 0.0.0.0 ->
	 * 2001:db8:100:: (/40: bytes 5-7, u-octet, byte 9) */
	illegal_source("127.0.0.1", "2001:db8:17f:0:1::");
	illegal_source("0.0.0.0", "2001:db8:100::");
}
END_TEST

/* ---------- 4.1 / 5.1: protocol numbers that mean something else ---------- */

START_TEST(rfc7915_4_1_conflicting_protocols_dropped)
{
	static const uint8_t v4[] = { 0, 43, 44, 58, 60 };
	for (size_t i = 0; i < sizeof(v4); i++) {
		size_t len = tp_ipv4(in, B4, A4, v4[i], 64, 0, 5, 0, data, 24);
		ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
		ck_assert_uint_eq(E.nout, 0);
	}
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_PROTO], sizeof(v4));
	/* ... and inside the packet quoted by an ICMP error */
	size_t qlen = tp_ipv4(q, A4, B4, 58, 31, 0, 0x0101, 0, data, 24);
	size_t n = tp_icmp(l4, 3, 1, 0, q, qlen);
	size_t len = tp_ipv4(in, B4, A4, 1, 64, 0, 7, 0, l4, n);
	tp_fix_l4_4(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_INNER], 1);
}
END_TEST

/* ================= RFC 7915 4.4 / 4.5: zero UDP checksum ================= */

#define CUDP0 "tun-device nat64\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ffff::1\n" \
	      "prefix 3fff:6464::/96\nmap 192.168.255.2 2001:db8::2\nlog drop\n"

/* the datagram: 203.0.113.2:5000 -> 192.168.255.2:6000, checksum 0 */
static size_t udp_zero4(uint8_t *b)
{
	size_t n = tp_udp(l4, 5000, 6000, data, 24);
	return tp_ipv4(b, "203.0.113.2", "192.168.255.2", 17, 64, 0, 0x0707, 0, l4, n);
}

/* 2001:db8::2:6000 -> 3fff:6464::cb00:7102 (203.0.113.2):5000, checksum 0 */
static size_t udp_zero6(uint8_t *b)
{
	size_t n = tp_udp(l4, 6000, 5000, data, 24);
	return tp_ipv6(b, "2001:db8::2", "3fff:6464::cb00:7102", 17, 64, 0, 0, l4, n);
}

START_TEST(rfc7915_4_5_udp_zero_checksum_drop_is_silent)
{
	env(CUDP0 "udp-cksum-mode drop\n");
	size_t len = udp_zero4(in);
	silent(in, len, DROP_UDP_ZERO_CKSUM);
	/* "at least the IP addresses and port numbers" (4.5) */
	ck_assert_ptr_nonnull(strstr(logged, "203.0.113.2:5000"));
	ck_assert_ptr_nonnull(strstr(logged, "192.168.255.2:6000"));
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
	/* the reply direction: IPv6 with checksum 0 (invalid there), logged too */
	len = udp_zero6(in);
	silent(in, len, DROP_UDP_ZERO_CKSUM);
	ck_assert_ptr_nonnull(strstr(logged, "[2001:db8::2]:6000 -> [3fff:6464::cb00:7102]:5000"));
}
END_TEST

START_TEST(rfc7915_4_4_udp_zero_checksum_reject)
{
	env(CUDP0 "udp-cksum-mode reject\n");
	size_t len = udp_zero4(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_UDP_ZERO_CKSUM], 1);
	ck_assert_ptr_nonnull(strstr(logged, "203.0.113.2:5000"));
	/* Communication Administratively Prohibited from ipv4-addr (TOS 0xc0,
	 * TTL 64, ID 1: the first error) quoting the whole datagram */
	size_t n = tp_icmp(l4, 3, 13, 0, in, len);
	size_t wl = tp_ipv4(want, "192.168.255.1", "203.0.113.2", 1, 64, 0xc0, 1, 0, l4, n);
	tp_fix_l4_4(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* rate-limited like every error we send */
	ratelimit_init(&E.rl, 1, 1, E.ctx.now_ms);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 1);
	ck_assert_uint_eq(E.stats.drops[DROP_UDP_ZERO_CKSUM], 3);
	/* IPv6 ones are dropped silently: 3/13 is an ICMPv4 answer */
	len = udp_zero6(in);
	silent(in, len, DROP_UDP_ZERO_CKSUM);
}
END_TEST

static Suite *rfc_suite(void)
{
	Suite *s = suite_create("rfc7915_4");
	TCase *t;

	t = tcase_create("rfc7915_4_1_header");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7915_4_1_udp_header_fields);
	tcase_add_test(t, rfc7915_4_1_tos_to_traffic_class);
	tcase_add_test(t, rfc7915_4_1_hop_limit_ttl_minus_one);
	tcase_add_test(t, rfc7915_4_1_payload_length_ignores_link_padding);
	tcase_add_test(t, rfc7915_4_1_tcp);
	tcase_add_test(t, rfc7915_4_1_bad_ipv4_header_checksum_dropped);
	tcase_add_test(t, rfc7915_4_1_ttl_expired_time_exceeded);
	tcase_add_test(t, rfc7915_4_1_options_dropped);
	tcase_add_test(t, rfc7915_4_1_unexpired_source_route);
	tcase_add_test(t, rfc7915_4_1_unknown_protocol_forwarded);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_4_1_fragments");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7915_4_1_fragment_header_for_fragments);
	tcase_add_test(t, rfc7915_4_1_fragment_max_offset_and_id);
	tcase_add_test(t, rfc7915_4_1_non_first_fragment_payload_untouched);
	tcase_add_test(t, rfc7915_4_1_df_clear_small_no_fragment_header);
	tcase_add_test(t, rfc7915_4_1_df_clear_fragmented_to_offlink_mtu);
	tcase_add_test(t, rfc7915_4_1_df_clear_fragmented_offlink_mtu_config);
	tcase_add_test(t, rfc7915_4_1_df_clear_fragmented_to_tun_mtu);
	tcase_add_test(t, rfc7915_4_1_fragment_refragmented);
	tcase_add_test(t, rfc7915_4_1_df_set_fits_tun_mtu_forwarded_whole);
	tcase_add_test(t, rfc7915_4_1_df_set_too_big_frag_needed);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_4_2_icmp");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7915_4_2_echo_request);
	tcase_add_test(t, rfc7915_4_2_echo_reply);
	tcase_add_test(t, rfc7915_4_2_informational_dropped);
	tcase_add_test(t, rfc7915_4_2_fragmented_icmp_not_translated);
	tcase_add_test(t, rfc7915_4_2_dest_unreachable_codes);
	tcase_add_test(t, rfc7915_4_2_dest_unreachable_dropped_codes);
	tcase_add_test(t, rfc7915_4_2_frag_needed_to_packet_too_big);
	tcase_add_test(t, rfc7915_4_2_frag_needed_mtu_zero_plateau);
	tcase_add_test(t, rfc7915_4_2_time_exceeded);
	tcase_add_test(t, rfc7915_4_2_parameter_problem_pointer);
	tcase_add_test(t, rfc7915_4_2_redirect_source_quench_dropped);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_4_3_icmp_errors");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7915_4_3_inner_udp);
	tcase_add_test(t, rfc7915_4_3_inner_udp_truncated_quote);
	tcase_add_test(t, rfc7915_4_3_inner_udp_zero_checksum);
	tcase_add_test(t, rfc7915_4_3_inner_tcp);
	tcase_add_test(t, rfc7915_4_3_inner_icmp_echo);
	tcase_add_test(t, rfc7915_4_3_inner_icmp_error_dropped);
	tcase_add_test(t, rfc7915_4_3_inner_fragment);
	tcase_add_test(t, rfc7915_4_3_truncated_to_1280);
	tcase_add_test(t, rfc7915_4_3_bad_icmp_checksum_not_laundered);
	tcase_add_test(t, rfc7915_4_3_error_too_short);
	tcase_add_test(t, rfc7915_4_3_error_ttl_expired_silent);
	tcase_add_test(t, rfc7915_4_3_unmappable_source_uses_rfc6791);
	tcase_add_test(t, rfc4884_length_attribute);
	tcase_add_test(t, rfc4884_length_attribute_not_for_ptb_or_param_problem);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_4_5_transport");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_drop);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_calc);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_fwd);
	tcase_add_test(t, rfc7915_4_5_bad_checksum_stays_bad);
	suite_add_tcase(s, t);

	t = tcase_create("round2_4");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc7915_4_2_rfc4884_extension_kept_quote_trimmed);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_logged_and_answered);
	tcase_add_test(t, rfc7915_4_1_illegal_icmp_error_source_through_prefix);
	tcase_add_test(t, rfc7915_4_1_conflicting_protocols_dropped);
	suite_add_tcase(s, t);

	t = tcase_create("udp_zero_4");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_drop_is_silent);
	tcase_add_test(t, rfc7915_4_4_udp_zero_checksum_reject);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vec_run(rfc_suite());
}
