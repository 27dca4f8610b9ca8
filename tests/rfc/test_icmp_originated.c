/* test_icmp_originated.c - the ICMP messages the translator sends itself
 * (core/icmp.c), byte-exact: errors per RFC 792 / RFC 4443 with the quote
 * limits and the cases that get none (RFC 1812 4.3.2.3 and 4.3.2.7, RFC 4443
 * 2.4), echo replies for ipv4-addr / ipv6-addr, the rate limit, RFC 7915 4.4
 * and 5.4 (refused addresses are answered), packets to the translator it does
 * not serve, and martians dropped without an answer (RFC 1812 5.3.7).
 * tests/rfc/INDEX.md maps every section to its tests.
 *
 * Expected packets are built with tests/lib/testpkt.h from the RFC rules,
 * independently of src/core/icmp.c and src/lib/csum.c. */
#include <arpa/inet.h>
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "rfc/vec.h"

static const char *CONF =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 64:ff9b::/96\n";

static void setup(void)
{
	vec_setup(CONF);
}

/* forget packets emitted by a previous direct call */
static void clear(void)
{
	for (size_t i = 0; i < E.nout; i++)
		free(E.out[i]);
	E.nout = 0;
}

/* IPv4 UDP packet (ID 0x4242) from src to dst with dlen data bytes, valid checksums */
static size_t dgram4(uint8_t *b, const char *src, const char *dst, uint8_t ttl, uint16_t frag, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv4(b, src, dst, 17, ttl, 0, 0x4242, frag, l4, n);
	tp_fix_l4_4(b);
	return len;
}

static size_t dgram6(uint8_t *b, const char *src, const char *dst, uint8_t hlim, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv6(b, src, dst, 17, hlim, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

#define C4646 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	      "prefix 3fff:4646::/96\nmap 192.0.2.9 2001:db8::9\nlog drop\n"

/* IPv6 src -> dst, next header nh, total length len (payload 0x5a...) */
static size_t v6pkt(uint8_t *b, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		    size_t len)
{
	memset(l4, 0x5a, len - 40);
	return tp_ipv6(b, src, dst, nh, hlim, 0, 0, l4, len - 40);
}

START_TEST(rfc792_time_exceeded_udp)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 100);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	size_t wl = want_icmp4(want, "198.51.100.7", 11, 0, 0, in, len, 1);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.icmp4_sent, 1);
	/* offload metadata zeroed */
	ck_assert_uint_eq(E.outoff[0].flags, 0);
	ck_assert_uint_eq(E.outoff[0].gso_type, 0);

	/* the second error gets the next IPv4 ID */
	clear();
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	wl = want_icmp4(want, "198.51.100.7", 11, 0, 0, in, len, 2);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc1191_frag_needed_mtu)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 64, 0x4000, 1472);
	/* RFC 1191 4: next-hop MTU in the low 16 bits of the second word */
	ck_assert(icmp4_send_error(&E.ctx, in, len, 3, 4, 1260));
	size_t wl = want_icmp4(want, "198.51.100.7", 3, 4, 1260, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc792_param_problem_pointer)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 64, 0, 20);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 12, 0, 20u << 24));
	size_t wl = want_icmp4(want, "198.51.100.7", 12, 0, 20u << 24, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.out[0][20 + 4], 20);
}
END_TEST

START_TEST(rfc1812_4_3_2_3_truncated_to_576)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 1372);
	ck_assert_uint_eq(len, 1400);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	ck_assert_uint_eq(E.outlen[0], 576);
	size_t wl = want_icmp4(want, "198.51.100.7", 11, 0, 0, in, len, 1);
	ck_assert_uint_eq(wl, 576);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc1812_4_3_2_3_quote_ends_at_total_length)
{
	/* link-layer padding after the datagram is not part of it */
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
	memset(in + len, 0xee, 16);
	ck_assert(icmp4_send_error(&E.ctx, in, len + 16, 11, 0, 0));
	size_t wl = want_icmp4(want, "198.51.100.7", 11, 0, 0, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc1812_4_3_2_7_no_error_about_icmp_error)
{
	uint8_t inner[28];
	size_t n, len;

	len = dgram4(inner, "203.0.113.9", "198.51.100.7", 64, 0, 0);
	n = tp_icmp(l4, 3, 1, 0, inner, len);
	len = tp_ipv4(in, "198.51.100.7", "203.0.113.9", 1, 1, 0, 1, 0, l4, n);
	tp_fix_l4_4(in);
	for (uint8_t t = 3; t <= 12; t++) {
		if (t != 3 && t != 4 && t != 5 && t != 11 && t != 12)
			continue;
		in[20] = t;
		ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	}
	/* an ICMP header too short to show its type: stay silent */
	ck_assert(!icmp4_send_error(&E.ctx, in, 20, 11, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);

	/* an echo request is not an error: it does get one */
	n = tp_icmp(l4, 8, 0, 0x10001, data, 8);
	len = tp_ipv4(in, "198.51.100.7", "203.0.113.9", 1, 1, 0, 1, 0, l4, n);
	tp_fix_l4_4(in);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	ck_assert_uint_eq(E.nout, 1);
}
END_TEST

START_TEST(rfc1812_4_3_2_7_no_error_about_non_first_fragment)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0x2000 | 185, 100);
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 185, 100);
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0x1000, 100);   /* top offset bit */
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
	/* the first fragment (MF, offset 0) identifies the flow: answered */
	len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0x2000, 100);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	size_t wl = want_icmp4(want, "198.51.100.7", 11, 0, 0, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc1812_4_3_2_7_no_error_to_bad_sources)
{
	static const char *const bad_src[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.5", "239.1.2.3",
		"240.0.0.1", "255.255.255.255",
	};
	static const char *const bad_dst[] = { "224.0.0.1", "239.255.255.250", "255.255.255.255" };
	size_t len;

	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		len = dgram4(in, bad_src[i], "203.0.113.9", 1, 0, 10);
		ck_assert_msg(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0), "src %s", bad_src[i]);
	}
	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		len = dgram4(in, "198.51.100.7", bad_dst[i], 1, 0, 10);
		ck_assert_msg(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0), "dst %s", bad_dst[i]);
	}
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
	ck_assert_uint_eq(drops_total(&E.stats), 0);
}
END_TEST

START_TEST(icmp4_error_malformed_original)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
	/* too short for a header, wrong version, IHL < 5, IHL past the end */
	ck_assert(!icmp4_send_error(&E.ctx, in, 19, 11, 0, 0));
	ck_assert(!icmp4_send_error(&E.ctx, in, 0, 11, 0, 0));
	in[0] = 0x65;
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	in[0] = 0x44;
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	in[0] = 0x4f;
	ck_assert(!icmp4_send_error(&E.ctx, in, 40, 11, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
}
END_TEST

/* ---------- ICMPv6 errors ---------- */

START_TEST(rfc4443_3_3_time_exceeded_udp)
{
	size_t len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 100);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 3, 0, 0, in, len);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.icmp6_sent, 1);
	ck_assert_uint_eq(E.outoff[0].flags, 0);
}
END_TEST

START_TEST(rfc4443_3_2_packet_too_big_mtu)
{
	size_t len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 64, 1452);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 2, 0, 1480));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 2, 0, 1480, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(wl, 1280);
}
END_TEST

START_TEST(rfc4443_3_4_param_problem_pointer)
{
	size_t len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 64, 10);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 4, 0, 40));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 4, 0, 40, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc4443_2_4_c_truncated_to_1280)
{
	size_t len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 1452);
	ck_assert_uint_eq(len, 1500);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert_uint_eq(E.outlen[0], 1280);
	size_t wl = want_icmp6(want, "2001:db8:1::5", 3, 0, 0, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

/* IPv6 packet with the given extension header bytes before an upper layer */
static size_t with_ext(uint8_t *b, const char *src, const char *dst, uint8_t first_nh,
		       const uint8_t *ext, size_t elen, const uint8_t *ul, size_t ulen)
{
	memcpy(l4, ext, elen);
	memcpy(l4 + elen, ul, ulen);
	return tp_ipv6(b, src, dst, first_nh, 1, 0, 0, l4, elen + ulen);
}

START_TEST(rfc4443_2_4_e_no_error_about_icmpv6_error)
{
	uint8_t ul[64], ext[16];
	size_t n, len;

	/* Destination Unreachable, then a redirect (e.2) */
	n = tp_icmp(ul, 1, 0, 0, data, 40);
	len = tp_ipv6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 58, 1, 0, 0, ul, n);
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	n = tp_icmp(ul, 137, 0, 0, data, 40);
	len = tp_ipv6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 58, 1, 0, 0, ul, n);
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));

	/* an error hidden behind Hop-by-Hop + Destination Options */
	memset(ext, 0, sizeof(ext));
	ext[0] = 60; ext[1] = 0;        /* HBH -> DO, 8 bytes, PadN */
	ext[2] = 1; ext[3] = 4;
	ext[8] = 58; ext[9] = 0;        /* DO -> ICMPv6 */
	ext[10] = 1; ext[11] = 4;
	n = tp_icmp(ul, 4, 0, 0, data, 40);
	len = with_ext(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 0, ext, 16, ul, n);
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	/* chain cut inside the options: can't tell, so silent */
	ck_assert(!icmp6_send_error(&E.ctx, in, 40 + 12, 3, 0, 0));
	/* ICMPv6 header missing its type byte */
	ck_assert(!icmp6_send_error(&E.ctx, in, 40 + 16, 3, 0, 0));
	ck_assert_uint_eq(E.nout, 0);

	/* the same chain ending in an echo request is answered */
	n = tp_icmp(ul, 128, 0, 0x10001, data, 40);
	len = with_ext(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 0, ext, 16, ul, n);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 3, 0, 0, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(icmp6_no_error_about_non_first_fragment)
{
	uint8_t ext[8] = { 17, 0, 0, 0, 0, 0, 0, 7 };
	uint8_t ul[64];
	size_t n = tp_udp(ul, 1, 2, data, 16), len;

	put16(ext + 2, 1448 | 1);      /* offset 181*8, M */
	len = with_ext(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 44, ext, 8, ul, n);
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 1, 0));
	ck_assert_uint_eq(E.nout, 0);
	put16(ext + 2, 1);             /* first fragment */
	len = with_ext(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 44, ext, 8, ul, n);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 1, 0));
	ck_assert_uint_eq(E.nout, 1);
}
END_TEST

START_TEST(rfc4443_2_4_e_no_error_to_bad_sources)
{
	static const char *const bad_src[] = { "::", "::1", "ff02::1", "ff0e::1234" };
	size_t len;

	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		len = dgram6(in, bad_src[i], "64:ff9b::cb00:7109", 1, 10);
		ck_assert_msg(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0), "src %s", bad_src[i]);
	}
	/* (e.3) multicast destination */
	len = dgram6(in, "2001:db8:1::5", "ff0e::1", 1, 10);
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 1, 0, 0));
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 4, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
	/* ... except Packet Too Big and Parameter Problem code 2 */
	ck_assert(icmp6_send_error(&E.ctx, in, len, 2, 0, 1280));
	ck_assert(icmp6_send_error(&E.ctx, in, len, 4, 2, 42));
	ck_assert_uint_eq(E.nout, 2);
	ck_assert_uint_eq(E.stats.icmp6_sent, 2);
}
END_TEST

START_TEST(icmp6_error_malformed_original)
{
	size_t len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
	ck_assert(!icmp6_send_error(&E.ctx, in, 39, 3, 0, 0));
	in[0] = 0x45;
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
}
END_TEST

/* ---------- rate limiting ---------- */

START_TEST(icmp_errors_rate_limited)
{
	size_t len4 = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
	/* 10 per second, burst 3 */
	ratelimit_init(&E.rl, 10, 3, E.ctx.now_ms);
	for (int i = 0; i < 3; i++)
		ck_assert(icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));
	ck_assert(!icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 1);
	ck_assert_uint_eq(E.stats.icmp4_sent, 3);
	ck_assert_uint_eq(E.nout, 3);

	/* the bucket is shared with ICMPv6 */
	size_t len6 = dgram6(want, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
	ck_assert(!icmp6_send_error(&E.ctx, want, len6, 3, 0, 0));
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 2);

	/* 100 ms later one token is back */
	E.ctx.now_ms += 100;
	ck_assert(icmp6_send_error(&E.ctx, want, len6, 3, 0, 0));
	ck_assert(!icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 3);
	ck_assert_uint_eq(E.stats.icmp6_sent, 1);

	/* suppressed originals don't use tokens */
	E.ctx.now_ms += 100;
	size_t bad = dgram4(l4 + 1000, "224.0.0.1", "203.0.113.9", 1, 0, 10);
	ck_assert(!icmp4_send_error(&E.ctx, l4 + 1000, bad, 11, 0, 0));
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 3);
	ck_assert(icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));

	/* a long pause refills only up to the burst */
	E.ctx.now_ms += 60000;
	clear();
	for (int i = 0; i < 5; i++)
		icmp4_send_error(&E.ctx, in, len4, 11, 0, 0);
	ck_assert_uint_eq(E.nout, 3);
}
END_TEST

/* ---------- echo replies ---------- */

static size_t echo4(uint8_t *b, uint8_t type, uint8_t tos, uint16_t frag, size_t dlen)
{
	size_t n = tp_icmp(l4, type, 0, 0xbeef0007, data, dlen);
	size_t len = tp_ipv4(b, "198.51.100.7", "192.0.2.1", 1, 55, tos, 0x1234, frag, l4, n);
	tp_fix_l4_4(b);
	return len;
}

START_TEST(rfc792_echo_reply_v4)
{
	size_t len = echo4(in, 8, 0x10, 0x4000, 56);
	ck_assert(icmp4_echo_reply(&E.ctx, in, len));
	/* swapped addresses, type 0, id/seq/data as sent, TTL 64, request's
	 * TOS, ID and DF */
	size_t n = tp_icmp(l4, 0, 0, 0xbeef0007, data, 56);
	size_t wl = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 1, 64, 0x10, 0x1234, 0x4000, l4, n);
	tp_fix_l4_4(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.echo_replies, 1);
	ck_assert_uint_eq(drops_total(&E.stats), 0);
}
END_TEST

START_TEST(rfc792_echo_reply_v4_odd_length_and_options)
{
	/* a request with an IP option (NOP x4) and 33 data bytes */
	size_t n = tp_icmp(l4, 8, 0, 0x00010002, data, 33);
	size_t len = tp_ipv4(in, "198.51.100.7", "192.0.2.1", 1, 55, 0, 7, 0, l4, n);
	memmove(in + 24, in + 20, n);
	memset(in + 20, 1, 4);
	in[0] = 0x46;
	put16(in + 2, (uint16_t)(len + 4));
	put16(in + 10, 0);
	put16(in + 10, tp_cksum(in, 24, 0));
	tp_fix_l4_4(in);
	ck_assert(icmp4_echo_reply(&E.ctx, in, len + 4));
	n = tp_icmp(l4, 0, 0, 0x00010002, data, 33);
	size_t wl = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 1, 64, 0, 7, 0, l4, n);
	tp_fix_l4_4(want);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(echo_request_v4_rejected)
{
	size_t len = echo4(in, 8, 0, 0, 56);
	in[40] ^= 1;   /* corrupt data: bad ICMP checksum */
	ck_assert(!icmp4_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_HEADER], 1);
	in[40] ^= 1;
	/* total length beyond the buffer */
	ck_assert(!icmp4_echo_reply(&E.ctx, in, len - 1));
	ck_assert_uint_eq(E.stats.drops[DROP_TRUNCATED], 1);
	ck_assert(!icmp4_echo_reply(&E.ctx, in, 10));
	ck_assert_uint_eq(E.stats.drops[DROP_TRUNCATED], 2);
	/* not an echo request */
	len = echo4(in, 13, 0, 0, 12);
	ck_assert(!icmp4_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_SELF], 1);
	/* a fragment: we don't reassemble */
	len = echo4(in, 8, 0, 0x2000, 56);
	ck_assert(!icmp4_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_FRAG], 1);
	/* IHL below 5 */
	len = echo4(in, 8, 0, 0, 56);
	in[0] = 0x43;
	ck_assert(!icmp4_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_HEADER], 2);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.echo_replies, 0);
}
END_TEST

static size_t echo6(uint8_t *b, uint8_t type, size_t dlen)
{
	size_t n = tp_icmp(l4, type, 0, 0xbeef0007, data, dlen);
	size_t len = tp_ipv6(b, "2001:db8:1::5", "2001:db8:ffff::1", 58, 55, 0x28, 0x12345, l4, n);
	tp_fix_l4_6(b);
	return len;
}

static size_t want_echo6(uint8_t *b, size_t dlen)
{
	size_t n = tp_icmp(l4, 129, 0, 0xbeef0007, data, dlen);
	size_t len = tp_ipv6(b, "2001:db8:ffff::1", "2001:db8:1::5", 58, 64, 0x28, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

START_TEST(rfc4443_4_2_echo_reply_v6)
{
	size_t len = echo6(in, 128, 57);
	ck_assert(icmp6_echo_reply(&E.ctx, in, len));
	size_t wl = want_echo6(want, 57);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.echo_replies, 1);
}
END_TEST

START_TEST(rfc4443_4_2_echo_reply_v6_after_hop_by_hop)
{
	uint8_t ext[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	uint8_t ul[128];
	uint8_t src[16], dst[16];
	size_t n = tp_icmp(ul, 128, 0, 0xbeef0007, data, 57);

	/* checksum computed independently over the ICMPv6 message only */
	tp_a6("2001:db8:1::5", src);
	tp_a6("2001:db8:ffff::1", dst);
	uint16_t c = tp_cksum(ul, n, tp_pseudo6(src, dst, 58, (uint32_t)n));
	put16(ul + 2, c);
	size_t len = with_ext(in, "2001:db8:1::5", "2001:db8:ffff::1", 0, ext, 8, ul, n);
	in[1] = 0x80;   /* traffic class 0x28, flow label 0 */
	in[0] = 0x62;
	ck_assert(icmp6_echo_reply(&E.ctx, in, len));
	size_t wl = want_echo6(want, 57);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(echo_request_v6_rejected)
{
	size_t len = echo6(in, 128, 56);
	in[60] ^= 0x80;
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_HEADER], 1);
	in[60] ^= 0x80;
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len - 1));
	ck_assert(!icmp6_echo_reply(&E.ctx, in, 30));
	ck_assert_uint_eq(E.stats.drops[DROP_TRUNCATED], 2);
	/* ICMPv6 header cut short by the payload length */
	put16(in + 4, 4);
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_TRUNCATED], 3);
	/* jumbogram payload length */
	put16(in + 4, 0);
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_BAD_HEADER], 2);
	/* a reply is not a request */
	len = echo6(in, 129, 8);
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_SELF], 1);
	/* an unspecified source gets no answer */
	len = echo6(in, 128, 8);
	memset(in + 8, 0, 16);
	tp_fix_l4_6(in);
	ck_assert(!icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 1);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.echo_replies, 0);
}
END_TEST

/* ---------- logging ---------- */

START_TEST(events_logged)
{
	size_t len = dgram4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);

	E.ctx.log = capture_log;
	E.conf->log_events = LOG_EV_REJECT | LOG_EV_SELF;
	logged[0] = 0;
	ck_assert(icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	ck_assert_uint_eq(logged_ev, LOG_EV_REJECT);
	ck_assert_ptr_nonnull(strstr(logged, "198.51.100.7"));
	len = echo6(in, 128, 8);
	ck_assert(icmp6_echo_reply(&E.ctx, in, len));
	ck_assert_uint_eq(logged_ev, LOG_EV_SELF);
	ck_assert_ptr_nonnull(strstr(logged, "2001:db8:1::5"));
	/* classes not enabled stay quiet */
	E.conf->log_events = 0;
	logged[0] = 0;
	len = dgram6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert_str_eq(logged, "");
}
END_TEST

/* ================= RFC 7915 review round 2 (issue 13): answers ================= */

/* ---------- 4.4 / 5.4: refused addresses are answered ---------- */

#define CWKP "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	     "prefix 64:ff9b::/96\nwkpf-strict yes\nmap 192.0.2.5 2001:db8:1::5\n"

START_TEST(rfc7915_5_4_refused_addresses_answered)
{
	env(CWKP);
	/* 64:ff9b::c0a8:5801 = 192.168.88.1, non-global: 1/0 from ipv6-addr */
	size_t n = tp_udp(l4, 1, 2, data, 10);
	size_t len = tp_ipv6(in, "2001:db8:1::5", "64:ff9b::c0a8:5801", 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	size_t wl = want_icmp6(want, "2001:db8:1::5", 1, 0, 0, in, len);
	expect_out(0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 1);
	/* a source that may not be used (WKP + 10.0.0.1): 1/5 */
	n = tp_udp(l4, 1, 2, data, 10);
	len = tp_ipv6(in, "64:ff9b::a00:1", "64:ff9b::808:808", 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	wl = want_icmp6(want, "64:ff9b::a00:1", 1, 5, 0, in, len);
	expect_out(0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 2);
}
END_TEST

START_TEST(rfc7915_4_4_refused_addresses_answered)
{
	env(CWKP);
	/* an IPv4 source that may not be embedded in the WKP: 3/10 */
	size_t n = tp_udp(l4, 1, 2, data, 10);
	size_t len = tp_ipv4(in, "10.0.0.1", "192.0.2.5", 17, 64, 0, 1, 0, l4, n);
	tp_fix_l4_4(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	size_t wl = want_icmp4(want, "10.0.0.1", 3, 10, 0, in, len, 1);
	expect_out(0, want, wl);
	/* a refused IPv4 destination: 3/1 */
	len = tp_ipv4(in, "8.8.8.8", "10.0.0.1", 17, 64, 0, 1, 0, l4, n);
	tp_fix_l4_4(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	wl = want_icmp4(want, "8.8.8.8", 3, 1, 0, in, len, 2);
	expect_out(0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 2);
}
END_TEST

/* ---------- packets for the translator that it does not serve ---------- */

START_TEST(rfc4443_3_4_next_header_16_to_translator)
{
	size_t len = tp_ipv6(in, A6, OWN6, 16, 64, 0, 0, data, 24);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	/* Parameter Problem, unrecognized Next Header, pointer 6 */
	size_t wl = want_icmp6(want, A6, 4, 1, 6, in, len);
	expect_out(0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_SELF], 1);
}
END_TEST

START_TEST(rfc1122_3_2_2_1_protocol_16_to_translator)
{
	size_t len = tp_ipv4(in, B4, OWN4, 16, 64, 0, 5, 0, data, 24);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	size_t wl = want_icmp4(want, B4, 3, 2, 0, in, len, 1);
	expect_out(0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_SELF], 1);
}
END_TEST

/* ---------- no Time Exceeded about ICMP other than Echo Request ---------- */

START_TEST(rfc4443_2_4_e_no_time_exceeded_for_echo_reply)
{
	size_t n = tp_icmp(l4, 129, 0, 0x10001, data, 16);
	size_t len = tp_ipv6(in, A6, B6, 58, 1, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 1);
	/* an Echo Request does get one */
	n = tp_icmp(l4, 128, 0, 0x10001, data, 16);
	len = tp_ipv6(in, A6, B6, 58, 1, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	size_t wl = want_icmp6(want, A6, 3, 0, 0, in, len);
	expect_out(0, want, wl);
	/* IPv4: Echo Reply with TTL 1 dropped silently, too */
	n = tp_icmp(l4, 0, 0, 0x10001, data, 16);
	len = tp_ipv4(in, B4, A4, 1, 1, 0, 5, 0, l4, n);
	tp_fix_l4_4(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 3);
}
END_TEST

/* ---------- one reason per drop, also when the error is rate-limited ---------- */

START_TEST(rate_limited_error_counts_the_packet_once)
{
	ratelimit_init(&E.rl, 1, 1, E.ctx.now_ms);
	size_t n = tp_udp(l4, 1, 2, data, 10);
	size_t len = tp_ipv6(in, A6, B6, 17, 1, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 2);
	ck_assert_uint_eq(drops_total(&E.stats), 2);
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 1);
	ck_assert_uint_eq(E.stats.icmp6_sent, 1);
}
END_TEST

/* ---------- ordering around the dynamic pool (issue 14.8) ---------- */

#define CPOOL "tun-device nat64\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n" \
	      "prefix 2001:db8:64::/96\ndynamic-pool 192.168.255.0/24\n"

START_TEST(hop_limit_checked_before_a_mapping_is_created)
{
	/* 100 packets with hop limit 1 from new sources: Time Exceeded, and
	 * no dynamic mapping (before, each created one and wrote it to disk) */
	env(CPOOL);
	char src[64];
	size_t n = tp_udp(l4, 1, 2, data, 10);
	for (int i = 1; i <= 100; i++) {
		snprintf(src, sizeof(src), "2001:db8:1::%x", i);
		size_t len = tp_ipv6(in, src, "2001:db8:64::c000:202", 17, 1, 0, 0, l4, n);
		ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	}
	ck_assert_uint_eq(E.stats.drops[DROP_TTL_EXPIRED], 100);
	ck_assert_uint_eq(E.stats.dyn_created, 0);
	ck_assert_uint_eq(pool_count(E.pool), 0);
}
END_TEST

START_TEST(unassigned_pool_address_in_prefix_answered)
{
	/* an IPv6 host sends to prefix + a pool address nobody holds: No
	 * Route from ipv6-addr (before, the IPv4 packet came back through the
	 * kernel, its ICMPv4 error died as icmp_inner, the sender got nothing) */
	env(CPOOL);
	size_t n = tp_udp(l4, 1, 2, data, 10);
	size_t len = tp_ipv6(in, "2001:db8:1::5", "2001:db8:64::c0a8:ff63", 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_NO_MAP_DST], 1);
	ck_assert_uint_eq(E.nout, 1);
	uint8_t w[2000];
	size_t qn = tp_icmp(q, 1, 0, 0, in, len);
	size_t wl = tp_ipv6(w, "2001:db8:ff::1", "2001:db8:1::5", 58, 64, 0, 0, q, qn);
	tp_fix_l4_6(w);
	expect_out(0, w, wl);
	/* a held pool address still goes out as IPv4 (the kernel routes it
	 * back to the tun): 2001:db8:1::5 now holds one, ::6 sends to it */
	ck_assert_uint_eq(pool_count(E.pool), 1);
	struct in_addr held;
	struct in6_addr h6;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:1::5", &h6), 1);
	bool created;
	ck_assert_int_eq(pool_lookup6(E.pool, &h6, &held, E.ctx.now, false, &created), POOL_OK);
	char dst[64];
	snprintf(dst, sizeof(dst), "2001:db8:64::%x:%x", ntohl(held.s_addr) >> 16,
		 ntohl(held.s_addr) & 0xffff);
	len = tp_ipv6(in, "2001:db8:1::6", dst, 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	ck_assert_uint_eq(E.out[0][0] >> 4, 4);
}
END_TEST

/* ================= RFC 1812 5.3.7 / 4.3.2.7: martians ================= */

START_TEST(rfc1812_5_3_7_martian_ipv6_destination_silent)
{
	env(C4646);
	/* the packet: 2001:db8::2 -> 3fff:4646::7f00:1 (127.0.0.1),
	 * next header 16, 128 bytes: no ICMPv6 error, logged with both ends */
	size_t len = v6pkt(in, "2001:db8::2", "3fff:4646::7f00:1", 16, 64, 128);
	silent(in, len, DROP_MARTIAN);
	ck_assert_ptr_nonnull(strstr(logged, "martian"));
	ck_assert_ptr_nonnull(strstr(logged, "2001:db8::2"));
	ck_assert_ptr_nonnull(strstr(logged, "3fff:4646::7f00:1"));
	/* every martian class through the prefix, as destination */
	static const char *const dst[] = {
		"3fff:4646::1:101",     /* 0.1.1.1 */
		"3fff:4646::7fff:fffe", /* 127.255.255.254 */
		"3fff:4646::a9fe:452a", /* 169.254.69.42 */
		"3fff:4646::e000:5",    /* 224.0.0.5 */
		"3fff:4646::efff:fffa", /* 239.255.255.250 */
		"3fff:4646::ffff:ffff", /* 255.255.255.255 */
	};
	for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		len = v6pkt(in, "2001:db8::9", dst[i], 17, 64, 68);
		silent(in, len, DROP_MARTIAN);
	}
	/* hop limit 1 makes no difference */
	len = v6pkt(in, "2001:db8::9", "3fff:4646::7f00:1", 17, 1, 68);
	silent(in, len, DROP_MARTIAN);
	ck_assert_uint_eq(E.stats.icmp6_sent, 0);
}
END_TEST

START_TEST(rfc1812_4_3_2_7_martian_ipv6_source_silent)
{
	env(C4646);
	/* a source that embeds 169.254.69.42 or 127.0.0.1, to a mapped host
	 * (today answered 1/5), to an unmapped one (1/0) and with hop limit 1
	 * (3/0): nothing goes back */
	static const char *const src[] = { "3fff:4646::a9fe:452a", "3fff:4646::7f00:1",
					   "3fff:4646::e000:1" };
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		size_t len = v6pkt(in, src[i], "2001:db8::9", 17, 64, 68);
		silent(in, len, DROP_MARTIAN);
		len = v6pkt(in, src[i], "2001:db8:77::1", 17, 64, 68);
		silent(in, len, DROP_MARTIAN);
		len = v6pkt(in, src[i], "2001:db8::9", 17, 1, 68);
		silent(in, len, DROP_MARTIAN);
	}
	ck_assert_uint_eq(E.stats.icmp6_sent, 0);
	ck_assert_ptr_nonnull(strstr(logged, "3fff:4646::a9fe:452a"));
}
END_TEST

/* IPv4 UDP src -> dst, 20 bytes of data, valid checksum */
static size_t v4udp(uint8_t *b, const char *src, const char *dst, uint8_t ttl)
{
	size_t n = tp_udp(l4, 5000, 6000, data, 20);
	size_t len = tp_ipv4(b, src, dst, 17, ttl, 0, 0x1234, 0, l4, n);
	tp_fix_l4_4(b);
	return len;
}

START_TEST(rfc1812_5_3_7_martian_ipv4_silent)
{
	env(C4646);
	/* IPv4 to 0.1.1.1 (today 3/1), from 169.254.69.42 (today 3/10) */
	size_t len = v4udp(in, "198.51.100.7", "0.1.1.1", 64);
	silent(in, len, DROP_MARTIAN);
	len = v4udp(in, "169.254.69.42", "192.0.2.9", 64);
	silent(in, len, DROP_MARTIAN);
	ck_assert_ptr_nonnull(strstr(logged, "169.254.69.42"));
	ck_assert_ptr_nonnull(strstr(logged, "192.0.2.9"));
	/* ... to an unmapped destination (3/1 otherwise) and with TTL 1 */
	len = v4udp(in, "169.254.69.42", "224.0.0.9", 64);
	silent(in, len, DROP_MARTIAN);
	len = v4udp(in, "169.254.69.42", "198.51.100.7", 1);
	silent(in, len, DROP_MARTIAN);
	len = v4udp(in, "198.51.100.7", "127.0.0.1", 64);
	silent(in, len, DROP_MARTIAN);
	len = v4udp(in, "198.51.100.7", "255.255.255.255", 64);
	silent(in, len, DROP_MARTIAN);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
}
END_TEST

START_TEST(rfc1812_martian_wkpf_strict_keeps_its_answers)
{
	/* wkpf-strict refusals of non-global addresses are not martians:
	 * 64:ff9b::a00:1 (10.0.0.1) is still answered 1/0 */
	env("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	    "prefix 64:ff9b::/96\n");
	size_t len = v6pkt(in, "2001:db8::2", "64:ff9b::a00:1", 17, 64, 68);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_DROP);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 1);
	size_t n = tp_icmp(l4, 1, 0, 0, in, len);
	size_t wl = tp_ipv6(want, "2001:db8:ffff::1", "2001:db8::2", 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(want);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* but 64:ff9b::7f00:1 is a martian */
	len = v6pkt(in, "2001:db8::2", "64:ff9b::7f00:1", 17, 64, 68);
	silent(in, len, DROP_MARTIAN);
}
END_TEST

START_TEST(rfc1812_5_3_7_martian_map_file_line_in_prefix)
{
	/* no pool; a map-file line inside the prefix is skipped, so
	 * 3fff:6464::69 stays the prefix's 0.0.0.105: a martian */
	char dir[] = "/tmp/tayga-r3-XXXXXX", path[64], conf[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.map", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("map 192.0.2.2 3fff:6464::69\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "tun-device nat64\nipv4-addr 192.0.2.1\n"
		 "ipv6-addr 2001:db8:ffff::1\nprefix 3fff:6464::/96\nmap-file %s\n", path);
	env(conf);
	unlink(path);
	rmdir(dir);
	ck_assert_uint_eq(E.conf->nmaps, 0);
	size_t len = v6pkt(in, "2001:db8::2", "3fff:6464::69", 17, 64, 68);
	silent(in, len, DROP_MARTIAN);
}
END_TEST

static Suite *rfc_suite(void)
{
	Suite *s = suite_create("icmp_originated");
	TCase *t;

	t = tcase_create("icmp4_error");
	tcase_add_checked_fixture(t, setup, vec_teardown);
	tcase_add_test(t, rfc792_time_exceeded_udp);
	tcase_add_test(t, rfc1191_frag_needed_mtu);
	tcase_add_test(t, rfc792_param_problem_pointer);
	tcase_add_test(t, rfc1812_4_3_2_3_truncated_to_576);
	tcase_add_test(t, rfc1812_4_3_2_3_quote_ends_at_total_length);
	tcase_add_test(t, rfc1812_4_3_2_7_no_error_about_icmp_error);
	tcase_add_test(t, rfc1812_4_3_2_7_no_error_about_non_first_fragment);
	tcase_add_test(t, rfc1812_4_3_2_7_no_error_to_bad_sources);
	tcase_add_test(t, icmp4_error_malformed_original);
	suite_add_tcase(s, t);

	t = tcase_create("icmp6_error");
	tcase_add_checked_fixture(t, setup, vec_teardown);
	tcase_add_test(t, rfc4443_3_3_time_exceeded_udp);
	tcase_add_test(t, rfc4443_3_2_packet_too_big_mtu);
	tcase_add_test(t, rfc4443_3_4_param_problem_pointer);
	tcase_add_test(t, rfc4443_2_4_c_truncated_to_1280);
	tcase_add_test(t, rfc4443_2_4_e_no_error_about_icmpv6_error);
	tcase_add_test(t, icmp6_no_error_about_non_first_fragment);
	tcase_add_test(t, rfc4443_2_4_e_no_error_to_bad_sources);
	tcase_add_test(t, icmp6_error_malformed_original);
	suite_add_tcase(s, t);

	t = tcase_create("ratelimit");
	tcase_add_checked_fixture(t, setup, vec_teardown);
	tcase_add_test(t, icmp_errors_rate_limited);
	suite_add_tcase(s, t);

	t = tcase_create("echo");
	tcase_add_checked_fixture(t, setup, vec_teardown);
	tcase_add_test(t, rfc792_echo_reply_v4);
	tcase_add_test(t, rfc792_echo_reply_v4_odd_length_and_options);
	tcase_add_test(t, echo_request_v4_rejected);
	tcase_add_test(t, rfc4443_4_2_echo_reply_v6);
	tcase_add_test(t, rfc4443_4_2_echo_reply_v6_after_hop_by_hop);
	tcase_add_test(t, echo_request_v6_rejected);
	tcase_add_test(t, events_logged);
	suite_add_tcase(s, t);

	t = tcase_create("round2_answers");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc7915_5_4_refused_addresses_answered);
	tcase_add_test(t, rfc7915_4_4_refused_addresses_answered);
	tcase_add_test(t, rfc4443_3_4_next_header_16_to_translator);
	tcase_add_test(t, rfc1122_3_2_2_1_protocol_16_to_translator);
	tcase_add_test(t, rfc4443_2_4_e_no_time_exceeded_for_echo_reply);
	tcase_add_test(t, rate_limited_error_counts_the_packet_once);
	tcase_add_test(t, hop_limit_checked_before_a_mapping_is_created);
	tcase_add_test(t, unassigned_pool_address_in_prefix_answered);
	suite_add_tcase(s, t);

	t = tcase_create("martian");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc1812_5_3_7_martian_ipv6_destination_silent);
	tcase_add_test(t, rfc1812_4_3_2_7_martian_ipv6_source_silent);
	tcase_add_test(t, rfc1812_5_3_7_martian_ipv4_silent);
	tcase_add_test(t, rfc1812_martian_wkpf_strict_keeps_its_answers);
	tcase_add_test(t, rfc1812_5_3_7_martian_map_file_line_in_prefix);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vec_run(rfc_suite());
}
