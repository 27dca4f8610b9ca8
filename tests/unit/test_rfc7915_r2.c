/* test_rfc7915_r2.c - RFC 7915 conformance, round 2 (issue 13): the cases a
 * strict, independent set of test vectors caught. Each test is named after
 * the RFC section it follows; expected packets are built here with
 * tests/lib/testpkt.h from the rules, independently of src/. */
#include <arpa/inet.h>
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "core/counters.h"
#include "lib/testpkt.h"

/* prefix 2001:db8:100::/40 (RFC 6052 2.4 table): 192.0.2.33 is
 * 2001:db8:1c0:2:21::, 198.51.100.2 is 2001:db8:1c6:3364:2:: */
#define C40 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	    "prefix 2001:db8:100::/40\n"
#define A6 "2001:db8:1c0:2:21::"
#define A4 "192.0.2.33"
#define B6 "2001:db8:1c6:3364:2::"
#define B4 "198.51.100.2"
#define OWN6 "2001:db8:ffff::1"
#define OWN4 "192.0.2.1"

static struct tp_env E;
static uint8_t in[4000], want[4000], l4[4000], q[4000], ext[1000], data[4000];
static char logged[2048];

/* everything logged since env() */
static void capture_log(void *arg, unsigned ev, const char *msg)
{
	size_t n = strlen(logged);
	(void)arg;
	(void)ev;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static void env(const char *conf)
{
	tp_env_free(&E);
	tp_env_init(&E, conf, 1500);
	E.ctx.log = capture_log;
	logged[0] = 0;
}

static void setup(void)
{
	tp_env_init(&E, C40, 1500);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(ext); i++)
		ext[i] = (uint8_t)(0xa0 ^ i);
}

static void teardown(void)
{
	tp_env_free(&E);
}

/* ICMPv6 error from ipv6-addr (RFC 4443 2.4(c): quote up to 1280 bytes) */
static size_t want_icmp6(uint8_t *b, const char *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t olen)
{
	size_t qn = olen > 1232 ? 1232 : olen;
	size_t n = tp_icmp(l4, type, code, rest, orig, qn);
	size_t len = tp_ipv6(b, OWN6, dst, 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* ICMPv4 error from ipv4-addr (RFC 1812 4.3.2.3, TOS 0xc0, TTL 64, ID =
 * errors sent so far) */
static size_t want_icmp4(uint8_t *b, const char *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t olen, uint16_t id)
{
	size_t qn = olen > 548 ? 548 : olen;
	size_t n = tp_icmp(l4, type, code, rest, orig, qn);
	size_t len = tp_ipv4(b, OWN4, dst, 1, 64, 0xc0, id, 0, l4, n);
	tp_fix_l4_4(b);
	return len;
}

static void expect_out(size_t i, const uint8_t *w, size_t wl)
{
	TP_ASSERT_OUT(&E, i, w, wl);
}

/* ---------- 5.1.1: extension header after the Fragment header ---------- */

/* 2001:db8:1c0:2:21:: -> 2001:db8:1c6:3364:2::, Fragment header (next nh,
 * offset off, M), then body */
static size_t frag_pkt(uint8_t *b, uint8_t nh, uint16_t off, bool more, const uint8_t *body,
		       size_t blen)
{
	uint8_t p[512];
	p[0] = nh;
	p[1] = 0;
	put16(p + 2, (uint16_t)(off | (more ? 1 : 0)));
	put32(p + 4, 0x12345678);
	memcpy(p + 8, body, blen);
	return tp_ipv6(b, A6, B6, 44, 64, 0, 0, p, 8 + blen);
}

START_TEST(rfc7915_5_1_1_ext_header_after_fragment_header)
{
	env(C40 "log drop\n");
	/* Destination Options (next 17, 8 bytes, PadN) + UDP 2000 -> 4000, 4 bytes */
	uint8_t body[64] = { 17, 0, 1, 4, 0, 0, 0, 0 };
	size_t n = tp_udp(body + 8, 2000, 4000, data, 4);
	size_t len = frag_pkt(in, 60, 0, true, body, 8 + n);
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
	memcpy(msg + 8 + qlen, ext, 640);
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
	memcpy(body + 8 + 592, ext, 640);
	size_t wl = tp_ipv6(want, B6, A6, 58, 63, 0, 0, body, 8 + 592 + 640);
	tp_fix_l4_6(want);
	ck_assert_uint_eq(wl, 1280);
	ck_assert_uint_eq(E.nout, 1);
	expect_out(0, want, wl);
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
	memcpy(msg + 8 + qlen, ext, 40);
	size_t len = tp_ipv6(in, B6, A6, 58, 64, 0, 0, msg, 8 + qlen + 40);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);

	/* the quote as IPv4: 516 bytes, cut to 508 (a multiple of 4) so that
	 * the message is 576 bytes with the extension (RFC 1812 4.3.2.3) */
	un = tp_udp(l4, 5000, 6000, data, 488);
	size_t q4 = tp_ipv4(q, A4, B4, 17, 31, 0, 0, 0, l4, un);
	tp_fix_l4_4(q);
	ck_assert_uint_eq(q4, 516);
	uint8_t body[700];
	body[0] = 3; body[1] = 3; put16(body + 2, 0); body[4] = 0; body[5] = 127; put16(body + 6, 0);
	memcpy(body + 8, q, 508);
	memcpy(body + 8 + 508, ext, 40);
	put16(body + 2, tp_cksum(body, 8 + 508 + 40, 0));
	/* outer: the first ID the translator hands out (seed 0 -> 1) */
	size_t wl = tp_ipv4(want, B4, A4, 1, 63, 0, 1, 0, body, 8 + 508 + 40);
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

static Suite *suite(void)
{
	Suite *s = suite_create("rfc7915_round2");
	TCase *t = tcase_create("round2");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc7915_5_1_1_ext_header_after_fragment_header);
	tcase_add_test(t, rfc7915_4_2_rfc4884_extension_kept_quote_trimmed);
	tcase_add_test(t, rfc7915_5_2_rfc4884_extension_kept_quote_trimmed);
	tcase_add_test(t, rfc7915_5_1_udp_zero_checksum_calc);
	tcase_add_test(t, rfc7915_5_1_udp_zero_checksum_fwd_and_drop);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_logged_and_answered);
	tcase_add_test(t, rfc7915_4_1_illegal_icmp_error_source_through_prefix);
	tcase_add_test(t, rfc7915_5_4_refused_addresses_answered);
	tcase_add_test(t, rfc7915_4_4_refused_addresses_answered);
	tcase_add_test(t, rfc4443_3_4_next_header_16_to_translator);
	tcase_add_test(t, rfc1122_3_2_2_1_protocol_16_to_translator);
	tcase_add_test(t, rfc7915_4_1_conflicting_protocols_dropped);
	tcase_add_test(t, rfc7915_5_1_conflicting_protocols_dropped);
	tcase_add_test(t, rfc6864_4_2_identification_non_zero_and_changing);
	tcase_add_test(t, rfc4443_2_4_e_no_time_exceeded_for_echo_reply);
	tcase_add_test(t, rate_limited_error_counts_the_packet_once);
	tcase_add_test(t, hop_limit_checked_before_a_mapping_is_created);
	tcase_add_test(t, unassigned_pool_address_in_prefix_answered);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
