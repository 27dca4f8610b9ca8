/* test_icmp.c - ICMP messages the translator originates (icmp.c) and the
 * counters (stats.c). Expected packets are built with tests/lib/testpkt.h from
 * the RFC rules, independently of src/core/icmp.c and src/lib/csum.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/testpkt.h"
#include "daemon/stats.h"

static const char *CONF =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 64:ff9b::/96\n";

static struct tp_env E;
static uint8_t in[70000], want[70000], l4[70000], data[70000];

static void setup(void)
{
	tp_env_init(&E, CONF, 1500);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
}

static void teardown(void)
{
	tp_env_free(&E);
}

/* forget packets emitted by a previous direct call */
static void clear(void)
{
	for (size_t i = 0; i < E.nout; i++)
		free(E.out[i]);
	E.nout = 0;
}


/* IPv4 UDP packet from src to dst with dlen data bytes, valid checksums */
static size_t udp4(uint8_t *b, const char *src, const char *dst, uint8_t ttl, uint16_t frag, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv4(b, src, dst, 17, ttl, 0, 0x4242, frag, l4, n);
	tp_fix_l4_4(b);
	return len;
}

static size_t udp6(uint8_t *b, const char *src, const char *dst, uint8_t hlim, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv6(b, src, dst, 17, hlim, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* expected ICMPv4 error from 192.0.2.1: RFC 1812 4.3.2.3 quote, TOS 0xc0
 * (4.3.2.5 precedence 6), TTL 64, DF clear, ID = errors sent so far */
static size_t want_icmp4(uint8_t *b, const char *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t olen, uint16_t id)
{
	size_t q = olen > 548 ? 548 : olen;
	size_t n = tp_icmp(l4, type, code, rest, orig, q);
	size_t len = tp_ipv4(b, "192.0.2.1", dst, 1, 64, 0xc0, id, 0, l4, n);
	tp_fix_l4_4(b);
	return len;
}

/* expected ICMPv6 error from 2001:db8:ffff::1, RFC 4443 2.4(c) quote */
static size_t want_icmp6(uint8_t *b, const char *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t olen)
{
	size_t q = olen > 1232 ? 1232 : olen;
	size_t n = tp_icmp(l4, type, code, rest, orig, q);
	size_t len = tp_ipv6(b, "2001:db8:ffff::1", dst, 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* ---------- ICMPv4 errors ---------- */

START_TEST(rfc792_time_exceeded_udp)
{
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 100);
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
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 64, 0x4000, 1472);
	/* RFC 1191 4: next-hop MTU in the low 16 bits of the second word */
	ck_assert(icmp4_send_error(&E.ctx, in, len, 3, 4, 1260));
	size_t wl = want_icmp4(want, "198.51.100.7", 3, 4, 1260, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc792_param_problem_pointer)
{
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 64, 0, 20);
	ck_assert(icmp4_send_error(&E.ctx, in, len, 12, 0, 20u << 24));
	size_t wl = want_icmp4(want, "198.51.100.7", 12, 0, 20u << 24, in, len, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.out[0][20 + 4], 20);
}
END_TEST

START_TEST(rfc1812_4_3_2_3_truncated_to_576)
{
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 1372);
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
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
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

	len = udp4(inner, "203.0.113.9", "198.51.100.7", 64, 0, 0);
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
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0x2000 | 185, 100);
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 185, 100);
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0x1000, 100);   /* top offset bit */
	ck_assert(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
	/* the first fragment (MF, offset 0) identifies the flow: answered */
	len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0x2000, 100);
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
		len = udp4(in, bad_src[i], "203.0.113.9", 1, 0, 10);
		ck_assert_msg(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0), "src %s", bad_src[i]);
	}
	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		len = udp4(in, "198.51.100.7", bad_dst[i], 1, 0, 10);
		ck_assert_msg(!icmp4_send_error(&E.ctx, in, len, 11, 0, 0), "dst %s", bad_dst[i]);
	}
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.icmp4_sent, 0);
	ck_assert_uint_eq(drops_total(&E.stats), 0);
}
END_TEST

START_TEST(icmp4_error_malformed_original)
{
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
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
	size_t len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 100);
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
	size_t len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 64, 1452);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 2, 0, 1480));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 2, 0, 1480, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(wl, 1280);
}
END_TEST

START_TEST(rfc4443_3_4_param_problem_pointer)
{
	size_t len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 64, 10);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 4, 0, 40));
	size_t wl = want_icmp6(want, "2001:db8:1::5", 4, 0, 40, in, len);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc4443_2_4_c_truncated_to_1280)
{
	size_t len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 1452);
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
		len = udp6(in, bad_src[i], "64:ff9b::cb00:7109", 1, 10);
		ck_assert_msg(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0), "src %s", bad_src[i]);
	}
	/* (e.3) multicast destination */
	len = udp6(in, "2001:db8:1::5", "ff0e::1", 1, 10);
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
	size_t len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
	ck_assert(!icmp6_send_error(&E.ctx, in, 39, 3, 0, 0));
	in[0] = 0x45;
	ck_assert(!icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert_uint_eq(E.nout, 0);
}
END_TEST

/* ---------- rate limiting ---------- */

START_TEST(icmp_errors_rate_limited)
{
	size_t len4 = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);
	/* 10 per second, burst 3 */
	ratelimit_init(&E.rl, 10, 3, E.ctx.now_ms);
	for (int i = 0; i < 3; i++)
		ck_assert(icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));
	ck_assert(!icmp4_send_error(&E.ctx, in, len4, 11, 0, 0));
	ck_assert_uint_eq(E.stats.icmp_ratelimited, 1);
	ck_assert_uint_eq(E.stats.icmp4_sent, 3);
	ck_assert_uint_eq(E.nout, 3);

	/* the bucket is shared with ICMPv6 */
	size_t len6 = udp6(want, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
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
	size_t bad = udp4(l4 + 1000, "224.0.0.1", "203.0.113.9", 1, 0, 10);
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

static char logged[512];
static unsigned logged_ev;

static void capture_log(void *arg, unsigned ev, const char *msg)
{
	(void)arg;
	logged_ev = ev;
	snprintf(logged, sizeof(logged), "%s", msg);
}

START_TEST(events_logged)
{
	size_t len = udp4(in, "198.51.100.7", "203.0.113.9", 1, 0, 10);

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
	len = udp6(in, "2001:db8:1::5", "64:ff9b::cb00:7109", 1, 10);
	ck_assert(icmp6_send_error(&E.ctx, in, len, 3, 0, 0));
	ck_assert_str_eq(logged, "");
}
END_TEST

/* ---------- stats ---------- */

static void fill_stats(struct stats *s)
{
	struct xlat_counters *x = &s->xlat;

	memset(s, 0, sizeof(*s));
	x->pkts[DIR_4TO6] = 5;
	x->pkts[DIR_6TO4] = 6;
	x->bytes[DIR_4TO6] = 12345678901ull;
	x->bytes[DIR_6TO4] = 7;
	x->segs[DIR_4TO6] = 50;
	x->segs[DIR_6TO4] = 60;
	x->icmp4_sent = 3;
	x->icmp6_sent = 4;
	x->echo_replies = 9;
	x->dyn_created = 11;
	x->dyn_active = 2;
	for (unsigned i = 0; i < DROP_MAX; i++)
		x->drops[i] = 100 + i;
}

static char *prom_text(const struct stats *s)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);
	ck_assert_ptr_nonnull(f);
	stats_write_prom(s, f);
	fclose(f);
	return buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

START_TEST(stats_prometheus_text)
{
	struct stats s;
	char line[256];

	fill_stats(&s);
	ck_assert_uint_eq(drops_total(&s.xlat), 100u * DROP_MAX + DROP_MAX * (DROP_MAX - 1) / 2);
	char *t = prom_text(&s);
	static const char *const lines[] = {
		"# TYPE tayga_packets_total counter",
		"tayga_packets_total{dir=\"4to6\"} 5",
		"tayga_packets_total{dir=\"6to4\"} 6",
		"# TYPE tayga_bytes_total counter",
		"tayga_bytes_total{dir=\"4to6\"} 12345678901",
		"tayga_bytes_total{dir=\"6to4\"} 7",
		"tayga_segments_total{dir=\"4to6\"} 50",
		"tayga_segments_total{dir=\"6to4\"} 60",
		"# TYPE tayga_drops_total counter",
		"tayga_drops_total{reason=\"truncated\"} 100",
		"tayga_icmp_errors_sent_total{family=\"4\"} 3",
		"tayga_icmp_errors_sent_total{family=\"6\"} 4",
		"tayga_echo_replies_total 9",
		"tayga_dynamic_mappings_created_total 11",
		"# TYPE tayga_dynamic_mappings gauge",
		"tayga_dynamic_mappings 2",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(has_line(t, lines[i]), "missing line: %s\n%s", lines[i], t);
	for (unsigned i = 0; i < DROP_MAX; i++) {
		snprintf(line, sizeof(line), "tayga_drops_total{reason=\"%s\"} %u",
			 drop_reason_name((enum drop_reason)i), 100 + i);
		ck_assert_msg(has_line(t, line), "missing line: %s", line);
	}
	/* every metric family has HELP and TYPE before its samples, and every
	 * line is a comment or "name[{labels}] value" */
	for (char *l = t; *l; ) {
		char *nl = strchr(l, '\n');
		ck_assert_ptr_nonnull(nl);
		if (*l != '#') {
			char name[128];
			size_t k = strcspn(l, "{ ");
			ck_assert_uint_lt(k, sizeof(name));
			memcpy(name, l, k);
			name[k] = 0;
			snprintf(line, sizeof(line), "# HELP %s ", name);
			char *help = strstr(t, line);
			ck_assert_msg(help && help < l, "no HELP before %s", name);
			snprintf(line, sizeof(line), "# TYPE %s ", name);
			char *type = strstr(t, line);
			ck_assert_msg(type && type < l, "no TYPE before %s", name);
		}
		l = nl + 1;
	}
	free(t);
}
END_TEST

START_TEST(stats_file_atomic)
{
	char dir[] = "/tmp/test_icmp.XXXXXX", path[256], tmp[300], buf[16384];
	struct stats s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tayga.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fill_stats(&s);
	ck_assert_int_eq(stats_write_file(&s, path), 0);
	s.xlat.echo_replies = 10;   /* overwrite an existing file */
	ck_assert_int_eq(stats_write_file(&s, path), 0);
	ck_assert_int_ne(access(tmp, F_OK), 0);

	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	char *want_text = prom_text(&s);
	ck_assert_str_eq(buf, want_text);
	free(want_text);
	unlink(path);
	rmdir(dir);

	/* a directory that doesn't exist: error, nothing left behind */
	ck_assert_int_eq(stats_write_file(&s, "/nonexistent-dir/x.prom"), -1);
}
END_TEST

static Suite *icmp_suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *t;

	t = tcase_create("icmp4_error");
	tcase_add_checked_fixture(t, setup, teardown);
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
	tcase_add_checked_fixture(t, setup, teardown);
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
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, icmp_errors_rate_limited);
	suite_add_tcase(s, t);

	t = tcase_create("echo");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc792_echo_reply_v4);
	tcase_add_test(t, rfc792_echo_reply_v4_odd_length_and_options);
	tcase_add_test(t, echo_request_v4_rejected);
	tcase_add_test(t, rfc4443_4_2_echo_reply_v6);
	tcase_add_test(t, rfc4443_4_2_echo_reply_v6_after_hop_by_hop);
	tcase_add_test(t, echo_request_v6_rejected);
	tcase_add_test(t, events_logged);
	suite_add_tcase(s, t);

	t = tcase_create("stats");
	tcase_add_test(t, stats_prometheus_text);
	tcase_add_test(t, stats_file_atomic);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(icmp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
