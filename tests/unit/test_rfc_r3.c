/* test_rfc_r3.c - RFC conformance, round 3 (issue 27, sections 5 and 6):
 * martians dropped silently (RFC 1812 5.3.7, 4.3.2.7), the zero UDP
 * checksum modes (RFC 7915 4.4, 4.5), atomic fragments (RFC 6946 4, RFC
 * 8021) and ICMPv6 errors to hairpinned destinations (RFC 7757 4.2). Each
 * test is named after the RFC section it follows; expected packets are
 * built here with tests/lib/testpkt.h from the rules, independently of src/. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/testpkt.h"

static struct tp_env E;
static bool have_env;
static uint8_t in[4000], want[4000], l4[4000], q[4000], w4[4000], data[256];
static char logged[4096];

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
	if (have_env)
		tp_env_free(&E);
	tp_env_init(&E, conf, 1500);
	have_env = true;
	E.ctx.log = capture_log;
	logged[0] = 0;
}

static void setup(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
}

static void teardown(void)
{
	if (have_env)
		tp_env_free(&E);
	have_env = false;
}

/* run pkt: dropped under reason r, nothing emitted */
static void silent(const uint8_t *pkt, size_t len, enum drop_reason r)
{
	uint64_t before = E.stats.drops[r];

	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[r], before + 1);
}

/* ================= RFC 1812 5.3.7 / 4.3.2.7: martians ================= */

#define C4646 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	      "prefix 3fff:4646::/96\nmap 192.0.2.9 2001:db8::9\nlog drop\n"

/* IPv6 src -> dst, next header nh, total length len (payload 0x5a...) */
static size_t v6pkt(uint8_t *b, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		    size_t len)
{
	memset(l4, 0x5a, len - 40);
	return tp_ipv6(b, src, dst, nh, hlim, 0, 0, l4, len - 40);
}

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

/* ================= RFC 6946 4 / RFC 8021: atomic fragments ================= */

#define C40 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	    "prefix 2001:db8:100::/40\n"
#define A6 "2001:db8:1c0:2:21::"  /* 192.0.2.33 */
#define A4 "192.0.2.33"
#define B6 "2001:db8:1c6:3364:2::" /* 198.51.100.2 */
#define B4 "198.51.100.2"

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

/* ================= RFC 7757 4.2: hairpinned ICMPv6 errors ================= */

START_TEST(rfc7757_4_2_icmp6_error_to_hairpinned_destination)
{
	env("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	    "prefix 2001:db8:100::/40\nmap 1.0.0.0/24 2001:db8:3::/120\n"
	    "map 10.0.0.0/24 2001:db8:2::/120\nrfc6791-v4 203.0.113.8\n");
	uint8_t u[64], e[256];
	/* 2001:db8:3::1 (EAM 1.0.0.1) sent to 10.0.0.10 through the prefix;
	 * hairpinned, 2001:db8:2::a (EAM 10.0.0.10) got it from 1.0.0.1's
	 * prefix form 2001:db8:101:0:1:: (RFC 6052 /40: bytes 5-7, u, 9).
	 * A router 2001:db8::5 (no IPv4 mapping) reports it No Route. */
	size_t un = tp_udp(u, 5000, 6000, data, 4);
	size_t ql = tp_ipv6(q, "2001:db8:101:0:1::", "2001:db8:2::a", 17, 30, 0, 0, u, un);
	tp_fix_l4_6(q);
	ck_assert_uint_eq(ql, 52);
	size_t n = tp_icmp(e, 1, 0, 0, q, ql);
	size_t len = tp_ipv6(in, "2001:db8::5", "2001:db8:101:0:1::", 58, 64, 0, 0, e, n);
	tp_fix_l4_6(in);
	ck_assert_int_eq(tp_run(&E, in, len), XLAT_OK);
	/* translated back at once: from 203.0.113.8 (rfc6791-v4) in the
	 * prefix form to the EAM host, hop limit decremented once; the quoted
	 * packet as its sender sent it: 2001:db8:3::1 -> 10.0.0.10's prefix
	 * form 2001:db8:10a:0:a:: */
	un = tp_udp(u, 5000, 6000, data, 4);
	ql = tp_ipv6(q, "2001:db8:3::1", "2001:db8:10a:0:a::", 17, 30, 0, 0, u, un);
	tp_fix_l4_6(q);
	n = tp_icmp(e, 1, 0, 0, q, ql);
	size_t wl = tp_ipv6(want, "2001:db8:1cb:71:8::", "2001:db8:3::1", 58, 63, 0, 0, e, n);
	tp_fix_l4_6(want);
	ck_assert_uint_eq(wl, 100);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 1);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rfc_r3");
	TCase *t = tcase_create("martian");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc1812_5_3_7_martian_ipv6_destination_silent);
	tcase_add_test(t, rfc1812_4_3_2_7_martian_ipv6_source_silent);
	tcase_add_test(t, rfc1812_5_3_7_martian_ipv4_silent);
	tcase_add_test(t, rfc1812_martian_wkpf_strict_keeps_its_answers);
	tcase_add_test(t, rfc1812_5_3_7_martian_map_file_line_in_prefix);
	suite_add_tcase(s, t);
	t = tcase_create("udp_zero");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc7915_4_5_udp_zero_checksum_drop_is_silent);
	tcase_add_test(t, rfc7915_4_4_udp_zero_checksum_reject);
	suite_add_tcase(s, t);
	t = tcase_create("atomic_fragment");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc6946_4_atomic_fragment_echo_request);
	tcase_add_test(t, rfc6946_4_atomic_fragment_icmp_error);
	tcase_add_test(t, rfc6946_4_atomic_fragment_ping_to_translator);
	tcase_add_test(t, rfc6946_4_real_fragment_of_icmp_stays_untranslated);
	suite_add_tcase(s, t);
	t = tcase_create("hairpin");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc7757_4_2_icmp6_error_to_hairpinned_destination);
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
