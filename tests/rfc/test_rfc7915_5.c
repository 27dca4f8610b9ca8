/* test_rfc7915_5.c - RFC 7915 section 5, IPv6 -> IPv4, byte-exact: 5.1 the
 * header (extension headers, the Fragment header 5.1.1, atomic fragments
 * per RFC 6946 and RFC 8021, DF and the IPv4 ID per RFC 6864), 5.2 ICMPv6
 * -> ICMPv4, 5.3 the packet quoted in an ICMP error (RFC 4884, RFC 6791
 * sources), 5.5 transport headers, and the UDP zero checksum IPv6 side. The
 * addresses (RFC 6052, RFC 7757) are in test_rfc6052.c and test_rfc7757.c,
 * the errors the translator sends itself (5.4) in test_icmp_originated.c;
 * tests/rfc/INDEX.md maps every section to its tests.
 *
 * Every expected IPv4 packet is built here with the tests/lib/testpkt.h
 * builders from the RFC rules (RFC 6052 address extraction worked by hand),
 * never captured from the translator's output. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "rfc/vec.h"

#include "rfc/hosts64.h"

#define CONF CONF64

static uint8_t inner[4000], inner4[4000], body[4000], full[4000], w4[4000];

static uint16_t rd16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

/* IPv6 packet whose payload is ext (extlen bytes, first header type nh)
 * followed by the upper-layer message u (n bytes) */
static size_t ip6x(uint8_t *b, const char *s, const char *d, uint8_t hlim, uint8_t tc,
		   uint8_t nh, const uint8_t *ext, size_t extlen, const uint8_t *u, size_t n)
{
	static uint8_t tmp[70000];
	memcpy(tmp, ext, extlen);
	memcpy(tmp + extlen, u, n);
	return tp_ipv6(b, s, d, nh, hlim, tc, 0, tmp, extlen + n);
}

/* Hop-by-Hop / Destination Options header: one PadN option, 8 bytes */
static size_t ext_opts(uint8_t *b, uint8_t nh)
{
	static const uint8_t h[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	memcpy(b, h, 8);
	b[0] = nh;
	return 8;
}

/* Routing header (experimental type 253, RFC 4727) with one address */
static size_t ext_rh(uint8_t *b, uint8_t nh, uint8_t segleft)
{
	memset(b, 0, 24);
	b[0] = nh;
	b[1] = 2;
	b[2] = 253;
	b[3] = segleft;
	tp_a6("2001:db8:1::99", b + 8);
	return 24;
}

/* Fragment header (RFC 8200 4.5) */
static size_t ext_frag(uint8_t *b, uint8_t nh, uint16_t off_bytes, int more, uint32_t id)
{
	b[0] = nh;
	b[1] = 0;
	put16(b + 2, (uint16_t)(off_bytes | (more ? 1 : 0)));
	put16(b + 4, (uint16_t)(id >> 16));
	put16(b + 6, (uint16_t)id);
	return 8;
}

/* RFC 7915 5.1 DF rule for a packet without a Fragment header */
static uint16_t df_for(size_t tot)
{
	return tot > 1260 ? 0x4000 : 0;
}

/* ICMPv6 error message s -> d quoting q (qlen bytes) */
static size_t icmp6_err(uint8_t *b, const char *s, const char *d, uint8_t hlim,
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *qb, size_t qlen)
{
	size_t n = tp_icmp(l4, type, code, rest, qb, qlen);
	size_t len = tp_ipv6(b, s, d, 58, hlim, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* expected translated ICMPv4 error: DF=0 (RFC 7915 5.1 for <= 1260) */
static size_t icmp4_err(uint8_t *b, const char *s, const char *d, uint8_t ttl, uint16_t id,
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *qb, size_t qlen)
{
	size_t n = tp_icmp(l4, type, code, rest, qb, qlen);
	size_t len = tp_ipv4(b, s, d, 1, ttl, 0, id, 0, l4, n);
	tp_fix_l4_4(b);
	return len;
}

START_TEST(rfc7915_5_1_header_fields)
{
	/* TOS = traffic class (incl. ECN), TTL = hop limit - 1, total length =
	 * payload length + 20, protocol = next header, flow label dropped;
	 * addresses from the 1:1 map and the /96 prefix */
	size_t n = udp_6(l4, H6, R6, 100);
	size_t len = tp_ipv6(in, H6, R6, 17, 64, 0xb9, 0x12345, l4, n);
	RUN_OK(in, len);
	ck_assert_uint_eq(E.nout, 1);
	size_t wl = udp4(want, H4, R4, 63, 0xb9, NID(0), 0, 100);
	ck_assert_uint_eq(wl, 128);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 1);
	ck_assert_uint_eq(E.stats.bytes[DIR_6TO4], 128);
	ck_assert_uint_eq(drops_total(&E.stats), 0);
}
END_TEST

START_TEST(rfc7915_5_1_total_length_from_payload_length)
{
	/* bytes after the IPv6 payload (link padding) are not part of it */
	size_t len = udp6(in, H6, R6, 64, 0, 30);
	memset(in + len, 0xee, 9);
	RUN_OK(in, len + 9);
	size_t wl = udp4(want, H4, R4, 63, 0, NID(0), 0, 30);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_df_above_1260_and_id)
{
	/* DF=1 iff the IPv4 packet exceeds 1260 bytes. The ID: 0 with DF=1
	 * (RFC 6864 4.1, atomic); with DF=0 a non-zero one that does not
	 * repeat soon (RFC 6864 4.2): a counter, used by DF=0 packets only. */
	size_t len = udp6(in, H6, R6, 64, 0, 1232);
	RUN_OK(in, len);
	size_t wl = udp4(want, H4, R4, 63, 0, NID(0), df_for(1260), 1232);
	ck_assert_uint_eq(wl, 1260);
	ck_assert_uint_eq(df_for(wl), 0);
	TP_ASSERT_OUT(&E, 0, want, wl);

	len = udp6(in, H6, R6, 64, 0, 1233);
	RUN_OK(in, len);
	wl = udp4(want, H4, R4, 63, 0, 0, 0x4000, 1233);
	ck_assert_uint_eq(wl, 1261);
	TP_ASSERT_OUT(&E, 0, want, wl);

	len = udp6(in, H6, R6, 64, 0, 10);
	RUN_OK(in, len);
	wl = udp4(want, H4, R4, 63, 0, NID(1), 0, 10);
	TP_ASSERT_OUT(&E, 0, want, wl);

	len = udp6(in, H6, R6, 64, 0, 11);
	RUN_OK(in, len);
	wl = udp4(want, H4, R4, 63, 0, NID(2), 0, 11);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_ttl_from_hop_limit)
{
	static const uint8_t hl[] = { 2, 17, 128, 255 };
	for (size_t i = 0; i < sizeof(hl); i++) {
		size_t len = udp6(in, H6, R6, hl[i], 0, 5);
		RUN_OK(in, len);
		size_t wl = udp4(want, H4, R4, (uint8_t)(hl[i] - 1), 0, NID((uint16_t)i), 0, 5);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}
}
END_TEST

START_TEST(rfc7915_5_1_hop_limit_expired)
{
	/* hop limit 1 or 0: ICMPv6 Time Exceeded 3/0 from ipv6-addr */
	for (uint8_t hl = 0; hl <= 1; hl++) {
		size_t len = udp6(in, H6, R6, hl, 0, 40);
		RUN_DROP(in, len);
		ck_assert_uint_eq(E.nout, 1);
		size_t wl = want_icmp6(want, H6, 3, 0, 0, in, len);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 2);
	ck_assert_uint_eq(E.stats.icmp6_sent, 2);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);
}
END_TEST

START_TEST(rfc7915_5_1_unknown_protocol_forwarded)
{
	/* protocols other than TCP/UDP/ICMPv6 pass unchanged */
	static const uint8_t protos[] = { 253, 132, 47 };
	for (size_t i = 0; i < sizeof(protos); i++) {
		size_t len = tp_ipv6(in, H6, R6, protos[i], 64, 0, 0, data, 40);
		RUN_OK(in, len);
		size_t wl = tp_ipv4(want, H4, R4, protos[i], 63, 0, NID((uint16_t)i), 0, data, 40);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}
}
END_TEST

/* ---------- extension headers ---------- */

START_TEST(rfc7915_5_1_ext_hop_by_hop_and_dest_opts_skipped)
{
	uint8_t ext[16];
	size_t el = ext_opts(ext, 60);          /* HBH -> DstOpts */
	el += ext_opts(ext + el, 17);           /* DstOpts -> UDP */
	size_t n = udp_6(body, H6, R6, 60);
	size_t len = ip6x(in, H6, R6, 64, 0, 0, ext, el, body, n);
	ck_assert_uint_eq(len, 40 + 16 + 68);
	RUN_OK(in, len);
	size_t wl = udp4(want, H4, R4, 63, 0, NID(0), 0, 60);
	ck_assert_uint_eq(wl, 88);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_routing_segments_left_0_skipped)
{
	uint8_t ext[24];
	size_t el = ext_rh(ext, 6, 0);
	size_t n = tp_tcp(body, 443, 50000, 1000, 2000, 0x18, data, 100);
	ck6(body, n, 6, H6, R6);
	size_t len = ip6x(in, H6, R6, 64, 0, 43, ext, el, body, n);
	RUN_OK(in, len);
	n = tp_tcp(l4, 443, 50000, 1000, 2000, 0x18, data, 100);
	ck4(l4, n, 6, H4, R4);
	size_t wl = tp_ipv4(want, H4, R4, 6, 63, 0, NID(0), 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_routing_segments_left_param_problem)
{
	/* not translated: ICMPv6 4/0 pointing at Segments Left */
	uint8_t ext[32];
	size_t el = ext_rh(ext, 17, 2);
	size_t n = udp_6(body, H6, R6, 20);
	size_t len = ip6x(in, H6, R6, 64, 0, 43, ext, el, body, n);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 1);
	size_t wl = want_icmp6(want, H6, 4, 0, 40 + 3, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* behind a Hop-by-Hop header: pointer 40 + 8 + 3 */
	el = ext_opts(ext, 43);
	el += ext_rh(ext + el, 17, 1);
	len = ip6x(in, H6, R6, 64, 0, 0, ext, el, body, n);
	RUN_DROP(in, len);
	wl = want_icmp6(want, H6, 4, 0, 51, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_EXT_HDR], 2);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);
}
END_TEST

START_TEST(rfc7915_5_1_1_fragment_header)
{
	/* a 2008-byte UDP datagram in two fragments. ID = low 16 bits of the
	 * Fragment ID, offset and MF copied, DF=0 even above 1260 bytes. The
	 * first fragment's UDP checksum covers the whole datagram. */
	uint8_t ext[8];
	size_t n6 = udp_6(full, H6, R6, 2000);
	ck_assert_uint_eq(n6, 2008);
	size_t el = ext_frag(ext, 17, 0, 1, 0x12345678);
	size_t len = ip6x(in, H6, R6, 64, 0x10, 44, ext, el, full, 1296);
	RUN_OK(in, len);
	udp_4(body, H4, R4, 2000);
	size_t wl = tp_ipv4(want, H4, R4, 17, 63, 0x10, 0x5678, 0x2000, body, 1296);
	ck_assert_uint_eq(wl, 1316);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* second fragment: offset 1296 = 162 * 8, last; payload untouched */
	el = ext_frag(ext, 17, 1296, 0, 0x12345678);
	len = ip6x(in, H6, R6, 64, 0x10, 44, ext, el, full + 1296, 2008 - 1296);
	RUN_OK(in, len);
	wl = tp_ipv4(want, H4, R4, 17, 63, 0x10, 0x5678, 162, full + 1296, 2008 - 1296);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* a middle fragment behind a Hop-by-Hop header */
	el = ext_opts(ext, 44);
	uint8_t fh[8];
	ext_frag(fh, 17, 8, 1, 0xfedc0001);
	uint8_t ext2[16];
	memcpy(ext2, ext, 8);
	memcpy(ext2 + 8, fh, 8);
	len = ip6x(in, H6, R6, 64, 0, 0, ext2, 16, full + 8, 64);
	RUN_OK(in, len);
	wl = tp_ipv4(want, H4, R4, 17, 63, 0, 0x0001, 0x2000 | 1, full + 8, 64);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* atomic fragment (offset 0, M 0): ID copied, flags 0 */
	n6 = udp_6(body, H6, R6, 30);
	el = ext_frag(ext, 17, 0, 0, 0xbeef);
	len = ip6x(in, H6, R6, 64, 0, 44, ext, el, body, n6);
	RUN_OK(in, len);
	wl = udp4(want, H4, R4, 63, 0, 0xbeef, 0, 30);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_packet_too_big)
{
	/* tun MTU 1400: an IPv6 packet whose IPv4 form exceeds it gets an
	 * ICMPv6 Packet Too Big with MTU 1400 + 20 (+ 8 with a Fragment
	 * header), the IPv6 size that translates to 1400 bytes */
	reinit(CONF, 1400);
	size_t len = udp6(in, H6, R6, 64, 0, 1373);
	ck_assert_uint_eq(len, 1421);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 1);
	size_t wl = want_icmp6(want, H6, 2, 0, 1420, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TOO_BIG], 1);

	/* exactly 1400 bytes of IPv4 fit */
	len = udp6(in, H6, R6, 64, 0, 1372);
	RUN_OK(in, len);
	wl = udp4(want, H4, R4, 63, 0, 0, 0x4000, 1372);
	ck_assert_uint_eq(wl, 1400);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* a fragment: 48 + 1384 bytes of IPv6 -> 1404 of IPv4 */
	uint8_t ext[8];
	size_t n6 = udp_6(full, H6, R6, 2000);
	(void)n6;
	size_t el = ext_frag(ext, 17, 0, 1, 7);
	len = ip6x(in, H6, R6, 64, 0, 44, ext, el, full, 1384);
	RUN_DROP(in, len);
	wl = want_icmp6(want, H6, 2, 0, 1428, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TOO_BIG], 2);

	/* the error quotes the packet as received (RFC 4443 2.4(c)): an echo
	 * request stays type 128 with its ICMPv6 checksum */
	size_t n = tp_icmp(l4, 128, 0, 0x00070001, data, 1400);
	ck6(l4, n, 58, H6, R6);
	len = tp_ipv6(in, H6, R6, 58, 64, 0, 0, l4, n);
	RUN_DROP(in, len);
	wl = want_icmp6(want, H6, 2, 0, 1420, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_TOO_BIG], 3);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 1);
}
END_TEST

/* ---------- checksums ---------- */

/* one's complement a + d */
static uint16_t oc_add(uint16_t a, uint16_t d)
{
	uint32_t s = (uint32_t)a + d;
	return (uint16_t)((s & 0xffff) + (s >> 16));
}

START_TEST(rfc7915_5_5_bad_checksum_stays_bad)
{
	/* RFC 1624 incremental update: a checksum off by d stays off by d */
	size_t n = udp_6(l4, H6, R6, 77);
	put16(l4 + 6, oc_add(rd16(l4 + 6), 0x0101));
	size_t len = tp_ipv6(in, H6, R6, 17, 64, 0, 0, l4, n);
	RUN_OK(in, len);
	n = udp_4(l4, H4, R4, 77);
	put16(l4 + 6, oc_add(rd16(l4 + 6), 0x0101));
	size_t wl = tp_ipv4(want, H4, R4, 17, 63, 0, NID(0), 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);

	n = tp_tcp(l4, 80, 40001, 7, 9, 0x10, data, 51);
	ck6(l4, n, 6, H6, R6);
	put16(l4 + 16, oc_add(rd16(l4 + 16), 0x3000));
	len = tp_ipv6(in, H6, R6, 6, 64, 0, 0, l4, n);
	RUN_OK(in, len);
	n = tp_tcp(l4, 80, 40001, 7, 9, 0x10, data, 51);
	ck4(l4, n, 6, H4, R4);
	put16(l4 + 16, oc_add(rd16(l4 + 16), 0x3000));
	wl = tp_ipv4(want, H4, R4, 6, 63, 0, NID(1), 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

/* ---------- dynamic pool ---------- */

START_TEST(dynamic_pool_first_address)
{
	/* a /31 pool: the lowest address is reserved (TAYGA), so the first
	 * usable one, 192.0.2.129, is the only one */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:64::/96\ndynamic-pool 192.0.2.128/31\n", 1500);
	size_t len = udp6(in, "2001:db8:2::7", R6, 64, 0, 20);
	RUN_OK(in, len);
	size_t wl = udp4(want, "192.0.2.129", R4, 63, 0, NID(0), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.dyn_created, 1);

	/* the same host keeps it */
	RUN_OK(in, len);
	wl = udp4(want, "192.0.2.129", R4, 63, 0, NID(1), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.dyn_created, 1);

	/* replies reach it */
	size_t n = udp_4(l4, R4, "192.0.2.129", 20);
	len = tp_ipv4(in, R4, "192.0.2.129", 17, 40, 0, 1, 0, l4, n);
	RUN_OK(in, len);
	n = udp_6(l4, R6, "2001:db8:2::7", 20);
	wl = tp_ipv6(want, R6, "2001:db8:2::7", 17, 39, 0, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* a second host finds the pool full */
	len = udp6(in, "2001:db8:2::8", R6, 64, 0, 20);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.stats.drops[DROP_POOL_FULL], 1);
	for (size_t i = 0; i < E.nout; i++)
		ck_assert_uint_eq(E.out[i][0] >> 4, 6);
}
END_TEST

/* ---------- RFC 7915 5.2: ICMPv6 -> ICMPv4 ---------- */

START_TEST(rfc7915_5_2_echo)
{
	/* 128 -> 8, 129 -> 0; identifier, sequence, data kept; checksum
	 * without pseudo-header */
	static const uint8_t t6[] = { 128, 129 }, t4[] = { 8, 0 };
	for (int i = 0; i < 2; i++) {
		size_t n = tp_icmp(l4, t6[i], 0, 0x12340001, data, 57);
		ck6(l4, n, 58, H6, R6);
		size_t len = tp_ipv6(in, H6, R6, 58, 64, 0, 0, l4, n);
		RUN_OK(in, len);
		n = tp_icmp(l4, t4[i], 0, 0x12340001, data, 57);
		ck4(l4, n, 1, H4, R4);
		size_t wl = tp_ipv4(want, H4, R4, 1, 63, 0, NID((uint16_t)i), 0, l4, n);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}
}
END_TEST

START_TEST(rfc7915_5_2_informational_dropped)
{
	/* MLD (130-132, 143), ND (133-137) and unknown informational types */
	static const uint8_t types[] = { 130, 131, 132, 133, 134, 135, 136, 137, 143, 200, 255 };
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t n = tp_icmp(l4, types[i], 0, 0, data, 16);
		ck6(l4, n, 58, H6, R6);
		size_t len = tp_ipv6(in, H6, R6, 58, 255, 0, 0, l4, n);
		RUN_DROP(in, len);
		ck_assert_uint_eq(E.nout, 0);
	}
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_TYPE], sizeof(types));
}
END_TEST

START_TEST(rfc7915_5_2_fragmented_icmpv6_not_translated)
{
	uint8_t ext[8];
	size_t n = tp_icmp(body, 128, 0, 0x12340001, data, 100);
	ck6(body, n, 58, H6, R6);
	size_t el = ext_frag(ext, 58, 0, 1, 99);
	size_t len = ip6x(in, H6, R6, 64, 0, 44, ext, el, body, 64);
	RUN_DROP(in, len);
	el = ext_frag(ext, 58, 64, 0, 99);
	len = ip6x(in, H6, R6, 64, 0, 44, ext, el, body + 64, n - 64);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_FRAG], 2);
}
END_TEST

/* The packet in error for the table tests: UDP R -> H as it left the
 * translator (hop limit 50), and its IPv4 original. */
static size_t inner_udp6(uint8_t *b)
{
	size_t n = udp_6(body, R6, H6, 20);
	return tp_ipv6(b, R6, H6, 17, 50, 0, 0, body, n);
}

static size_t inner_udp4(uint8_t *b)
{
	size_t n = udp_4(body, R4, H4, 20);
	return tp_ipv4(b, R4, H4, 17, 50, 0, 0, 0, body, n);
}

START_TEST(rfc7915_5_2_error_type_table)
{
	static const struct {
		uint8_t t6, c6;
		uint32_t r6;
		int ok;
		uint8_t t4, c4;
		uint32_t r4;
	} t[] = {
		/* Destination Unreachable */
		{ 1, 0, 0, 1, 3, 1, 0 },
		{ 1, 1, 0, 1, 3, 10, 0 },
		{ 1, 2, 0, 1, 3, 1, 0 },
		{ 1, 3, 0, 1, 3, 1, 0 },
		{ 1, 4, 0, 1, 3, 3, 0 },
		{ 1, 5, 0, 0, 0, 0, 0 },
		{ 1, 6, 0, 0, 0, 0, 0 },
		{ 1, 7, 0, 0, 0, 0, 0 },
		/* Packet Too Big: MTU - 20 */
		{ 2, 0, 1280, 1, 3, 4, 1260 },
		/* Time Exceeded: code kept */
		{ 3, 0, 0, 1, 11, 0, 0 },
		{ 3, 1, 0, 1, 11, 1, 0 },
		/* Parameter Problem 0: pointer map (figure 6) */
		{ 4, 0, 0, 1, 12, 0, 0u << 24 },
		{ 4, 0, 1, 1, 12, 0, 1u << 24 },
		{ 4, 0, 2, 0, 0, 0, 0 },
		{ 4, 0, 3, 0, 0, 0, 0 },
		{ 4, 0, 4, 1, 12, 0, 2u << 24 },
		{ 4, 0, 5, 1, 12, 0, 2u << 24 },
		{ 4, 0, 6, 1, 12, 0, 9u << 24 },
		{ 4, 0, 7, 1, 12, 0, 8u << 24 },
		{ 4, 0, 8, 1, 12, 0, 12u << 24 },
		{ 4, 0, 23, 1, 12, 0, 12u << 24 },
		{ 4, 0, 24, 1, 12, 0, 16u << 24 },
		{ 4, 0, 39, 1, 12, 0, 16u << 24 },
		{ 4, 0, 40, 0, 0, 0, 0 },
		/* Parameter Problem 1 (next header) -> protocol unreachable */
		{ 4, 1, 6, 1, 3, 2, 0 },
		/* Parameter Problem 2 (option) and others: dropped */
		{ 4, 2, 42, 0, 0, 0, 0 },
		{ 4, 3, 0, 0, 0, 0, 0 },
		/* unknown error types */
		{ 5, 0, 0, 0, 0, 0, 0 },
		{ 100, 0, 0, 0, 0, 0, 0 },
		{ 127, 0, 0, 0, 0, 0, 0 },
	};
	uint16_t done = 0;
	size_t il6 = inner_udp6(inner), il4 = inner_udp4(inner4);
	ck_assert_uint_eq(il6, 68);
	ck_assert_uint_eq(il4, 48);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* from H itself: its source maps to 192.0.2.5 */
		size_t len = icmp6_err(in, H6, R6, 64, t[i].t6, t[i].c6, t[i].r6, inner, il6);
		enum xlat_verdict v = tp_run(&E, in, len);
		if (!t[i].ok) {
			ck_assert_msg(v == XLAT_DROP && E.nout == 0, "ICMPv6 %u/%u ptr %u not dropped",
				      t[i].t6, t[i].c6, t[i].r6);
			continue;
		}
		ck_assert_msg(v == XLAT_OK, "ICMPv6 %u/%u ptr %u dropped", t[i].t6, t[i].c6, t[i].r6);
		size_t wl = icmp4_err(want, H4, R4, 63, NID(done++), t[i].t4, t[i].c4, t[i].r4, inner4, il4);
		if (E.outlen[0] != wl || memcmp(E.out[0], want, wl) != 0) {
			tp_hexdiff(E.out[0], E.outlen[0], want, wl);
			ck_abort_msg("ICMPv6 %u/%u ptr %u", t[i].t6, t[i].c6, t[i].r6);
		}
	}
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_TYPE], 11);
}
END_TEST

START_TEST(rfc7915_5_2_packet_too_big_mtu)
{
	/* min(MTU - 20, tun MTU - 20); 28 less when the packet in error had
	 * a Fragment header */
	static const struct { uint32_t m6, m4; } t[] = {
		{ 1280, 1260 }, { 1400, 1380 }, { 1500, 1480 }, { 9000, 1480 },
	};
	uint16_t done = 0;
	size_t il6 = inner_udp6(inner), il4 = inner_udp4(inner4);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = icmp6_err(in, RT6, R6, 64, 2, 0, t[i].m6, inner, il6);
		RUN_OK(in, len);
		size_t wl = icmp4_err(want, OWN4, R4, 63, NID(done++), 3, 4, t[i].m4, inner4, il4);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}

	/* inner first fragment, ID 0xabcd0001 */
	uint8_t ext[8];
	size_t n = udp_6(body, R6, H6, 20);
	size_t el = ext_frag(ext, 17, 0, 1, 0xabcd0001);
	il6 = ip6x(inner, R6, H6, 50, 0, 44, ext, el, body, n);
	n = udp_4(body, R4, H4, 20);
	il4 = tp_ipv4(inner4, R4, H4, 17, 50, 0, 0x0001, 0x2000, body, n);
	size_t len = icmp6_err(in, RT6, R6, 64, 2, 0, 1400, inner, il6);
	RUN_OK(in, len);
	size_t wl = icmp4_err(want, OWN4, R4, 63, NID(done++), 3, 4, 1372, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_2_error_checks)
{
	size_t il6 = inner_udp6(inner);

	/* bad ICMPv6 checksum */
	size_t len = icmp6_err(in, H6, R6, 64, 1, 4, 0, inner, il6);
	in[len - 1] ^= 1;
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 0);

	/* an error about an ICMPv6 error is not translated */
	size_t n = tp_icmp(body, 3, 0, 0, data, 48);
	ck6(body, n, 58, R6, H6);
	size_t ql = tp_ipv6(full, R6, H6, 58, 50, 0, 0, body, n);
	len = icmp6_err(in, H6, R6, 64, 1, 4, 0, full, ql);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_INNER], 1);

	/* quote too short to hold an IPv6 header */
	len = icmp6_err(in, H6, R6, 64, 1, 4, 0, inner, 39);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_INNER], 2);

	/* hop limit 1: expired, and no ICMPv6 error about an ICMPv6 error
	 * (RFC 4443 2.4(e.1)) */
	len = icmp6_err(in, H6, R6, 1, 1, 4, 0, inner, il6);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 1);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);
}
END_TEST

/* ---------- RFC 7915 5.3: the packet in error ---------- */

START_TEST(rfc7915_5_3_inner_echo_rfc6791_source)
{
	/* an IPv6 router with no IPv4 mapping reports hop limit exceeded on
	 * an echo request R -> H: the ICMPv4 source is the RFC 6791 address
	 * (default ipv4-addr), the inner echo becomes type 8 with an ICMPv4
	 * checksum, inner hop limit kept as TTL */
	size_t n = tp_icmp(body, 128, 0, 0xbeef0007, data, 16);
	ck6(body, n, 58, R6, H6);
	size_t il6 = tp_ipv6(inner, R6, H6, 58, 1, 0x28, 0, body, n);
	n = tp_icmp(body, 8, 0, 0xbeef0007, data, 16);
	ck4(body, n, 1, R4, H4);
	size_t il4 = tp_ipv4(inner4, R4, H4, 1, 1, 0x28, 0, 0, body, n);

	size_t len = icmp6_err(in, RT6, R6, 60, 3, 0, 0, inner, il6);
	RUN_OK(in, len);
	size_t wl = icmp4_err(want, OWN4, R4, 59, NID(0), 11, 0, 0, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* a non-error from the same unmapped source is not translated */
	n = tp_icmp(l4, 128, 0, 1, data, 8);
	ck6(l4, n, 58, RT6, R6);
	len = tp_ipv6(in, RT6, R6, 58, 64, 0, 0, l4, n);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.stats.drops[DROP_NO_MAP_SRC], 1);
	for (size_t i = 0; i < E.nout; i++)
		ck_assert_uint_eq(E.out[i][0] >> 4, 6);

	/* a link-local source (never translated) is also replaced */
	len = icmp6_err(in, "fe80::1", R6, 60, 3, 0, 0, inner, il6);
	RUN_OK(in, len);
	wl = icmp4_err(want, OWN4, R4, 59, NID(1), 11, 0, 0, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc6791_v4_directive)
{
	char conf[1024];
	snprintf(conf, sizeof(conf), "%srfc6791-v4 192.0.2.254\n", CONF);
	reinit(conf, 1500);
	size_t il6 = inner_udp6(inner), il4 = inner_udp4(inner4);
	size_t len = icmp6_err(in, RT6, R6, 64, 1, 0, 0, inner, il6);
	RUN_OK(in, len);
	size_t wl = icmp4_err(want, "192.0.2.254", R4, 63, NID(0), 3, 1, 0, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* a mappable source keeps its own address */
	len = icmp6_err(in, H6, R6, 64, 1, 0, 0, inner, il6);
	RUN_OK(in, len);
	wl = icmp4_err(want, H4, R4, 63, NID(1), 3, 1, 0, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_3_inner_ext_headers_and_576_limit)
{
	/* original: R -> H, Hop-by-Hop + UDP with 1344 data bytes (1400 bytes
	 * of IPv6), quoted to 1232 bytes by the router. Inner IPv4: no
	 * extension header, total length 20 + 1352 = 1372 (> 1260: DF), TOS
	 * from the inner traffic class; the ICMPv4 error is cut at 576 bytes
	 * (RFC 1812 4.3.2.3). */
	uint8_t ext[8];
	size_t el = ext_opts(ext, 17);
	size_t n = udp_6(body, R6, H6, 1344);
	size_t il6 = ip6x(full, R6, H6, 30, 0x28, 0, ext, el, body, n);
	ck_assert_uint_eq(il6, 1400);
	size_t len = icmp6_err(in, RT6, R6, 64, 3, 0, 0, full, 1232);
	ck_assert_uint_eq(len, 1280);
	RUN_OK(in, len);

	n = udp_4(body, R4, H4, 1344);
	size_t il4 = tp_ipv4(inner4, R4, H4, 17, 30, 0x28, 0, 0x4000, body, n);
	ck_assert_uint_eq(il4, 1372);
	size_t wl = icmp4_err(want, OWN4, R4, 63, NID(0), 11, 0, 0, inner4, 548);
	ck_assert_uint_eq(wl, 576);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_3_inner_tcp)
{
	/* port unreachable from H about a TCP segment R -> H */
	size_t n = tp_tcp(body, 50000, 25, 111, 0, 0x02, data, 0);
	ck6(body, n, 6, R6, H6);
	size_t il6 = tp_ipv6(inner, R6, H6, 6, 57, 0, 0, body, n);
	n = tp_tcp(body, 50000, 25, 111, 0, 0x02, data, 0);
	ck4(body, n, 6, R4, H4);
	size_t il4 = tp_ipv4(inner4, R4, H4, 6, 57, 0, 0, 0, body, n);
	size_t len = icmp6_err(in, H6, R6, 64, 1, 4, 0, inner, il6);
	RUN_OK(in, len);
	size_t wl = icmp4_err(want, H4, R4, 63, NID(0), 3, 3, 0, inner4, il4);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc4884_length_attribute)
{
	/* ICMPv6 Time Exceeded with an RFC 4884 extension (an RFC 4950 MPLS
	 * label stack object): the original datagram is padded to 128 bytes,
	 * length 16 (64-bit words). ICMPv4: translated datagram padded to 128
	 * bytes, length 32 (32-bit words) in byte 5, extension copied. */
	uint8_t ext[12] = { 0x20, 0, 0, 0, 0, 8, 1, 1, 0x00, 0x01, 0x23, 0xff };
	put16(ext + 2, tp_cksum(ext, 12, 0));
	size_t il6 = inner_udp6(inner), il4 = inner_udp4(inner4);

	memset(full, 0, 128);
	memcpy(full, inner, il6);
	memcpy(full + 128, ext, 12);
	size_t len = icmp6_err(in, RT6, R6, 64, 3, 0, 16u << 24, full, 140);
	RUN_OK(in, len);

	memset(full, 0, 128);
	memcpy(full, inner4, il4);
	memcpy(full + 128, ext, 12);
	size_t wl = icmp4_err(want, OWN4, R4, 63, NID(0), 11, 0, 32u << 16, full, 140);
	ck_assert_uint_eq(wl, 20 + 8 + 140);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* Destination Unreachable carries it too */
	memset(full, 0, 128);
	memcpy(full, inner, il6);
	memcpy(full + 128, ext, 12);
	len = icmp6_err(in, H6, R6, 64, 1, 4, 16u << 24, full, 140);
	RUN_OK(in, len);
	memset(full, 0, 128);
	memcpy(full, inner4, il4);
	memcpy(full + 128, ext, 12);
	wl = icmp4_err(want, H4, R4, 63, NID(1), 3, 3, 32u << 16, full, 140);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

/* ================= RFC 7915 review round 2 (issue 13), section 5 ================= */

/* ---------- 5.1.1: extension header after the Fragment header ---------- */

/* 2001:db8:1c0:2:21:: -> 2001:db8:1c6:3364:2::, Fragment header (next nh,
 * offset off, M), then mbody */
static size_t frag_pkt(uint8_t *b, uint8_t nh, uint16_t off, bool more, const uint8_t *mbody,
		       size_t blen)
{
	uint8_t p[512];
	p[0] = nh;
	p[1] = 0;
	put16(p + 2, (uint16_t)(off | (more ? 1 : 0)));
	put32(p + 4, 0x12345678);
	memcpy(p + 8, mbody, blen);
	return tp_ipv6(b, A6, B6, 44, 64, 0, 0, p, 8 + blen);
}

START_TEST(rfc7915_5_1_1_ext_header_after_fragment_header)
{
	env(C40 "log drop\n");
	/* Destination Options (next 17, 8 bytes, PadN) + UDP 2000 -> 4000, 4 bytes */
	uint8_t mbody[64] = { 17, 0, 1, 4, 0, 0, 0, 0 };
	size_t n = tp_udp(mbody + 8, 2000, 4000, data, 4);
	size_t len = frag_pkt(in, 60, 0, true, mbody, 8 + n);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_EXT_HDR], 1);
	/* answered Destination Unreachable, administratively prohibited */
	size_t wl = want_icmp6(want, A6, 1, 1, 0, in, len);
	ck_assert_uint_eq(E.nout, 1);
	expect_out(0, want, wl);
	/* logged with the addresses */
	ck_assert_ptr_nonnull(strstr(logged, A6));
	ck_assert_ptr_nonnull(strstr(logged, B6));
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);

	/* the same datagram's fragment at offset 8: dropped too (before, it
	 * left as IPv4 protocol 60); no error about a non-first fragment */
	len = frag_pkt(in, 60, 8, false, data, 8);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_EXT_HDR], 2);
	ck_assert_uint_eq(E.nout, 0);

	/* ESP after the Fragment header is translated (5.1.1 excepts it) */
	len = frag_pkt(in, 50, 0, true, data, 16);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_uint_eq(E.out[0][9], 50);
}
END_TEST

START_TEST(rfc7915_5_2_rfc4884_extension_kept_quote_trimmed)
{
	/* the packet in error: 2001:db8:1c0:2:21:: -> 2001:db8:1c6:3364:2::
	 * UDP, 536 bytes */
	size_t un = tp_udp(l4, 5000, 6000, data, 488);
	size_t qlen = tp_ipv6(q, A6, B6, 17, 31, 0, 0, l4, un);
	tp_fix_l4_6(q);
	ck_assert_uint_eq(qlen, 536);
	/* ICMPv6 1/4 from B6, length 67 words (536 bytes), 40-byte extension */
	uint8_t msg[1400];
	msg[0] = 1; msg[1] = 4; put16(msg + 2, 0); msg[4] = 67; msg[5] = msg[6] = msg[7] = 0;
	memcpy(msg + 8, q, qlen);
	memcpy(msg + 8 + qlen, ext_data, 40);
	size_t len = tp_ipv6(in, B6, A6, 58, 64, 0, 0, msg, 8 + qlen + 40);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);

	/* the quote as IPv4: 516 bytes, cut to 508 (a multiple of 4) so that
	 * the message is 576 bytes with the extension (RFC 1812 4.3.2.3) */
	un = tp_udp(l4, 5000, 6000, data, 488);
	size_t q4 = tp_ipv4(q, A4, B4, 17, 31, 0, 0, 0, l4, un);
	tp_fix_l4_4(q);
	ck_assert_uint_eq(q4, 516);
	uint8_t mbody[700];
	mbody[0] = 3; mbody[1] = 3; put16(mbody + 2, 0); mbody[4] = 0; mbody[5] = 127; put16(mbody + 6, 0);
	memcpy(mbody + 8, q, 508);
	memcpy(mbody + 8 + 508, ext_data, 40);
	put16(mbody + 2, tp_cksum(mbody, 8 + 508 + 40, 0));
	/* outer: the first ID the translator hands out (seed 0 -> 1) */
	size_t wl = tp_ipv4(want, B4, A4, 1, 63, 0, 1, 0, mbody, 8 + 508 + 40);
	ck_assert_uint_eq(wl, 576);
	ck_assert_uint_eq(E.nout, 1);
	expect_out(0, want, wl);
}
END_TEST

/* ---------- 4.5 / 5.1: UDP zero checksum ---------- */

#define CUDP "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	     "prefix 3fff:6464::/96\nmap 172.16.0.2 2001:db8::2\n"

/* the datagram: UDP 666 -> 667, payload 00..0f, checksum 0, in l4 */
static size_t udp_666(void)
{
	uint8_t pl[16];
	for (int i = 0; i < 16; i++)
		pl[i] = (uint8_t)i;
	return tp_udp(l4, 666, 667, pl, 16);
}

/* 2001:db8::2:666 -> 3fff:6464::c0a8:102:667 */
static size_t udp6_zero(uint8_t *b)
{
	size_t n = udp_666();
	return tp_ipv6(b, "2001:db8::2", "3fff:6464::c0a8:102", 17, 64, 0, 0, l4, n);
}

/* its IPv4 form 172.16.0.2 -> 192.168.1.2, checksum still 0; the first
 * ID the translator hands out (seed 0 -> 1) */
static size_t udp4_want(uint8_t *b)
{
	size_t n = udp_666();
	return tp_ipv4(b, "172.16.0.2", "192.168.1.2", 17, 63, 0, 1, 0, l4, n);
}

START_TEST(rfc7915_5_1_udp_zero_checksum_calc)
{
	env(CUDP "udp-cksum-mode calc\n");
	size_t len = udp6_zero(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	size_t wl = udp4_want(want);
	tp_fix_l4_4(want);
	/* the value the issue worked out for this datagram */
	ck_assert_uint_eq(get16(want + 26), 0x548c);
	ck_assert_uint_eq(E.nout, 1);
	expect_out(0, want, wl);
}
END_TEST

START_TEST(rfc7915_5_1_udp_zero_checksum_fwd_and_drop)
{
	env(CUDP "udp-cksum-mode fwd\n");
	size_t len = udp6_zero(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	size_t wl = udp4_want(want);
	ck_assert_uint_eq(get16(want + 26), 0); /* IPv4: no checksum */
	expect_out(0, want, wl);

	env(CUDP); /* default: drop */
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_UDP_ZERO_CKSUM], 1);
	ck_assert_uint_eq(E.nout, 0);
}
END_TEST

START_TEST(rfc7915_5_1_conflicting_protocols_dropped)
{
	size_t len = tp_ipv6(in, A6, B6, 1, 64, 0, 0, data, 24);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_PROTO], 1);
	/* quoted in an ICMPv6 error */
	size_t qlen = tp_ipv6(q, A6, B6, 1, 31, 0, 0, data, 24);
	size_t n = tp_icmp(l4, 1, 0, 0, q, qlen);
	len = tp_ipv6(in, B6, A6, 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_ICMP_INNER], 1);
}
END_TEST

/* ---------- 5.1 / RFC 6864: IPv4 Identification ---------- */

START_TEST(rfc6864_4_2_identification_non_zero_and_changing)
{
	size_t n = tp_udp(l4, 1, 2, data, 10);
	size_t len = tp_ipv6(in, A6, B6, 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	/* a counter from the seed, skipping 0 */
	E.ctx.ip4_id = 0xffff;
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(get16(E.out[0] + 4), 0xffff);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(get16(E.out[0] + 4), 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(get16(E.out[0] + 4), 2);
	/* an atomic datagram (DF=1, > 1260 bytes) has ID 0 and uses none */
	n = tp_udp(l4, 1, 2, data, 1300);
	len = tp_ipv6(in, A6, B6, 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(get16(E.out[0] + 4), 0);
	ck_assert_uint_eq(get16(E.out[0] + 6), 0x4000);
	ck_assert_uint_eq(E.ctx.ip4_id, 3);
}
END_TEST

/* ================= RFC 6946 4 / RFC 8021: atomic fragments ================= */

/* IPv6 src -> dst carrying an atomic fragment (offset 0, M=0, ID 0x87654321)
 * of the upper-layer message u (ulen bytes, protocol nh, checksum filled in
 * here over the RFC 8200 8.1 pseudo-header with the upper-layer length) */
static size_t atomic6(uint8_t *b, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		      uint8_t *u, size_t ulen)
{
	uint8_t s[16], d[16], f[2048];
	size_t co = nh == 17 ? 6 : 2;

	tp_a6(src, s);
	tp_a6(dst, d);
	put16(u + co, 0);
	put16(u + co, tp_cksum(u, ulen, tp_pseudo6(s, d, nh, (uint32_t)ulen)));
	f[0] = nh;
	f[1] = 0;
	put16(f + 2, 0);
	put32(f + 4, 0x87654321);
	memcpy(f + 8, u, ulen);
	return tp_ipv6(b, src, dst, 44, hlim, 0, 0, f, 8 + ulen);
}
START_TEST(rfc6946_4_atomic_fragment_echo_request)
{
	env(C40);
	uint8_t u[64], w[64];
	size_t n = tp_icmp(u, 128, 0, 0x0b0c0001, data, 32);
	size_t len = atomic6(in, A6, B6, 58, 64, u, n);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	/* ICMPv4 Echo Request 8/0, same identifier, sequence and data; ID
	 * from the Fragment header's low 16 bits, DF clear (RFC 7915 5.1.1) */
	n = tp_icmp(w, 8, 0, 0x0b0c0001, data, 32);
	size_t wl = tp_ipv4(want, A4, B4, 1, 63, 0, 0x4321, 0, w, n);
	tp_fix_l4_4(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_FRAG], 0);
}
END_TEST

START_TEST(rfc6946_4_atomic_fragment_icmp_error)
{
	env(C40);
	uint8_t u[256], e6[512], e4[512];
	/* the packet in error: A6 -> B6 UDP 5000 -> 6000 in an atomic fragment */
	size_t un = tp_udp(u, 5000, 6000, data, 16);
	size_t qlen = atomic6(q, A6, B6, 17, 30, u, un);
	/* B6 answers Port Unreachable (1/4), itself in an atomic fragment */
	size_t n = tp_icmp(e6, 1, 4, 0, q, qlen);
	size_t len = atomic6(in, B6, A6, 58, 64, e6, n);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	/* ICMPv4 3/3; outer and inner ID 0x4321, DF clear; the inner packet
	 * loses its Fragment header, keeps its TTL, its UDP checksum now
	 * covers the IPv4 pseudo-header */
	un = tp_udp(u, 5000, 6000, data, 16);
	size_t il = tp_ipv4(w4, A4, B4, 17, 30, 0, 0x4321, 0, u, un);
	tp_fix_l4_4(w4);
	n = tp_icmp(e4, 3, 3, 0, w4, il);
	size_t wl = tp_ipv4(want, B4, A4, 1, 63, 0, 0x4321, 0, e4, n);
	tp_fix_l4_4(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc6946_4_atomic_fragment_ping_to_translator)
{
	env(C40);
	uint8_t u[64];
	size_t n = tp_icmp(u, 128, 0, 0x0b0c0002, data, 32);
	size_t len = atomic6(in, A6, "2001:db8:ffff::1", 58, 64, u, n);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	/* RFC 4443 4.2 Echo Reply from ipv6-addr (hop limit 64), without
	 * the request's extension headers */
	n = tp_icmp(u, 129, 0, 0x0b0c0002, data, 32);
	size_t wl = tp_ipv6(want, "2001:db8:ffff::1", A6, 58, 64, 0, 0, u, n);
	tp_fix_l4_6(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.echo_replies, 1);
}
END_TEST

START_TEST(rfc6946_4_real_fragment_of_icmp_stays_untranslated)
{
	env(C40);
	uint8_t u[64], f[128];
	size_t n = tp_icmp(u, 128, 0, 0x0b0c0001, data, 32);
	/* M=1: the first of several fragments */
	f[0] = 58;
	f[1] = 0;
	put16(f + 2, 1);
	put32(f + 4, 0x87654321);
	memcpy(f + 8, u, n);
	size_t len = tp_ipv6(in, A6, B6, 44, 64, 0, 0, f, 8 + n);
	silent(in, len, DROP_FRAG);
	/* offset 8, M=0: the last one */
	put16(f + 2, 8);
	silent(in, len, DROP_FRAG);
}
END_TEST

static Suite *rfc_suite(void)
{
	Suite *s = suite_create("rfc7915_5");
	TCase *t;

	t = tcase_create("rfc7915_5_1");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, rfc7915_5_1_header_fields);
	tcase_add_test(t, rfc7915_5_1_total_length_from_payload_length);
	tcase_add_test(t, rfc7915_5_1_df_above_1260_and_id);
	tcase_add_test(t, rfc7915_5_1_ttl_from_hop_limit);
	tcase_add_test(t, rfc7915_5_1_hop_limit_expired);
	tcase_add_test(t, rfc7915_5_1_unknown_protocol_forwarded);
	tcase_add_test(t, rfc7915_5_1_ext_hop_by_hop_and_dest_opts_skipped);
	tcase_add_test(t, rfc7915_5_1_routing_segments_left_0_skipped);
	tcase_add_test(t, rfc7915_5_1_routing_segments_left_param_problem);
	tcase_add_test(t, rfc7915_5_1_1_fragment_header);
	tcase_add_test(t, rfc7915_5_1_packet_too_big);
	tcase_add_test(t, rfc7915_5_5_bad_checksum_stays_bad);
	suite_add_tcase(s, t);

	t = tcase_create("addresses");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, dynamic_pool_first_address);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_5_2_icmp");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, rfc7915_5_2_echo);
	tcase_add_test(t, rfc7915_5_2_informational_dropped);
	tcase_add_test(t, rfc7915_5_2_fragmented_icmpv6_not_translated);
	tcase_add_test(t, rfc7915_5_2_error_type_table);
	tcase_add_test(t, rfc7915_5_2_packet_too_big_mtu);
	tcase_add_test(t, rfc7915_5_2_error_checks);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_5_3_inner");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, rfc7915_5_3_inner_echo_rfc6791_source);
	tcase_add_test(t, rfc6791_v4_directive);
	tcase_add_test(t, rfc7915_5_3_inner_ext_headers_and_576_limit);
	tcase_add_test(t, rfc7915_5_3_inner_tcp);
	tcase_add_test(t, rfc4884_length_attribute);
	suite_add_tcase(s, t);

	t = tcase_create("round2_5");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc7915_5_1_1_ext_header_after_fragment_header);
	tcase_add_test(t, rfc7915_5_2_rfc4884_extension_kept_quote_trimmed);
	tcase_add_test(t, rfc7915_5_1_udp_zero_checksum_calc);
	tcase_add_test(t, rfc7915_5_1_udp_zero_checksum_fwd_and_drop);
	tcase_add_test(t, rfc7915_5_1_conflicting_protocols_dropped);
	tcase_add_test(t, rfc6864_4_2_identification_non_zero_and_changing);
	suite_add_tcase(s, t);

	t = tcase_create("atomic_fragment");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc6946_4_atomic_fragment_echo_request);
	tcase_add_test(t, rfc6946_4_atomic_fragment_icmp_error);
	tcase_add_test(t, rfc6946_4_atomic_fragment_ping_to_translator);
	tcase_add_test(t, rfc6946_4_real_fragment_of_icmp_stays_untranslated);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vec_run(rfc_suite());
}
