/* test_rfc7757.c - RFC 7757 Explicit Address Mappings, byte-exact in
 * translated packets: 3.2 one-to-one and prefix EAMs (unequal prefix
 * lengths), 3.4 overlapping EAMs (the longest match), 4.2 hairpinning
 * (also of ICMPv6 errors, and where it must not happen) and the appendix
 * B.1 example. tests/unit/test_addr.c holds the EAM lookup alone;
 * tests/rfc/INDEX.md maps every section to its tests.
 *
 * Expected packets are built with tests/lib/testpkt.h from the RFC rules. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc/vec.h"

/* ================= IPv4 -> IPv6 ================= */

#include "rfc/hosts46.h"

/* ---- RFC 7757 explicit address mappings ---- */

static const char *CONF_EAM =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 2001:db8:64::/96\n"
	"map 198.51.100.33 2001:db8:aaaa::5\n"
	"map 198.51.100.128/25 2001:db8:bbbb::1:0/121\n";

START_TEST(rfc7757_3_2_eam_one_to_one)
{
	reinit(CONF_EAM, 1500);
	size_t len = udp4(in, "198.51.100.33", V4, 64, 0, 1, 0, 20);
	size_t wl = udp6(want, "2001:db8:aaaa::5", V6, 63, 0, 20);
	expect_one(in, len, want, wl);
	len = udp4(in, V4, "198.51.100.33", 64, 0, 1, 0, 20);
	wl = udp6(want, V6, "2001:db8:aaaa::5", 63, 0, 20);
	expect_one(in, len, want, wl);
	/* addresses outside every EAM still use the RFC 6052 prefix */
	len = udp4(in, "198.51.100.34", V4, 64, 0, 1, 0, 20);
	wl = udp6(want, "2001:db8:64::c633:6422", V6, 63, 0, 20);
	expect_one(in, len, want, wl);
}
END_TEST

START_TEST(rfc7757_3_2_eam_prefix_map)
{
	/* 198.51.100.128/25 <-> 2001:db8:bbbb::1:0/121: the 7 IPv4 suffix bits
	 * follow the IPv6 prefix; .200 -> suffix 72 = 0x48 */
	static const struct { const char *v4, *v6; } t[] = {
		{ "198.51.100.128", "2001:db8:bbbb::1:0" },
		{ "198.51.100.200", "2001:db8:bbbb::1:48" },
		{ "198.51.100.255", "2001:db8:bbbb::1:7f" },
		{ "198.51.100.127", "2001:db8:64::c633:647f" }, /* just outside */
	};
	reinit(CONF_EAM, 1500);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = udp4(in, t[i].v4, "198.51.100.33", 64, 0, 1, 0, 20);
		size_t wl = udp6(want, t[i].v6, "2001:db8:aaaa::5", 63, 0, 20);
		expect_one(in, len, want, wl);
	}
}
END_TEST

/* ================= IPv6 -> IPv4 ================= */

#include "rfc/hosts64.h"

START_TEST(rfc7757_3_2_eam_prefix)
{
	/* 198.51.100.0/24 <-> 2001:db8:aaaa::/120 (suffix 8 bits both sides;
	 * prefix lengths differ) */
	size_t len = udp6(in, "2001:db8:aaaa::7", R6, 64, 0, 20);
	RUN_OK(in, len);
	size_t wl = udp4(want, "198.51.100.7", R4, 63, 0, NID(0), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	len = udp6(in, "2001:db8:aaaa::ff", R6, 64, 0, 20);
	RUN_OK(in, len);
	wl = udp4(want, "198.51.100.255", R4, 63, 0, NID(1), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* just outside the /120: no mapping, not translated */
	len = udp6(in, "2001:db8:aaaa::107", R6, 64, 0, 20);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.stats.drops[DROP_NO_MAP_SRC], 1);
	for (size_t i = 0; i < E.nout; i++)
		ck_assert_uint_eq(E.out[i][0] >> 4, 6); /* at most an ICMPv6 error */
}
END_TEST

START_TEST(rfc7757_3_4_overlapping_eams)
{
	/* RFC 7757 3.4: 198.51.100.1 <-> 2001:db8:bbbb::1 overlaps the /24
	 * entry on the IPv4 side. 6->4 both IPv6 addresses become
	 * 198.51.100.1; the reverse uses the longest match (/32). */
	size_t len = udp6(in, "2001:db8:bbbb::1", R6, 64, 0, 20);
	RUN_OK(in, len);
	size_t wl = udp4(want, "198.51.100.1", R4, 63, 0, NID(0), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	len = udp6(in, "2001:db8:aaaa::1", R6, 64, 0, 20);
	RUN_OK(in, len);
	wl = udp4(want, "198.51.100.1", R4, 63, 0, NID(1), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);

	/* hairpinned through 198.51.100.1: longest prefix -> bbbb::1; the
	 * source H4 goes back through the prefix (RFC 7757 4.2) */
	len = udp6(in, H6, "2001:db8:64::c633:6401", 64, 0, 20);
	RUN_OK(in, len);
	size_t n = udp_6(l4, "2001:db8:64::c000:205", "2001:db8:bbbb::1", 20);
	wl = tp_ipv6(want, "2001:db8:64::c000:205", "2001:db8:bbbb::1", 17, 63, 0, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* ... and 198.51.100.2 only matches the /24 */
	len = udp6(in, H6, "2001:db8:64::c633:6402", 64, 0, 20);
	RUN_OK(in, len);
	n = udp_6(l4, "2001:db8:64::c000:205", "2001:db8:aaaa::2", 20);
	wl = tp_ipv6(want, "2001:db8:64::c000:205", "2001:db8:aaaa::2", 17, 63, 0, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7757_4_2_hairpinning)
{
	/* H sends to H2's IPv4 address in the prefix: translated to IPv4
	 * (TTL 63), found to be an EAM of ours and translated back at once.
	 * RFC 7757 4.2: the second pass maps the source through the prefix
	 * (H4 = 192.0.2.5 -> 2001:db8:64::c000:205), so H2's reply goes to
	 * the prefix address, the way H2 sees H; the hop limit drops once
	 * (the packet crossed the translator once); counted once, as the
	 * IPv6 packet that leaves. TC kept, flow label 0. */
	size_t n = udp_6(l4, H6, "2001:db8:64::c000:206", 50);
	size_t len = tp_ipv6(in, H6, "2001:db8:64::c000:206", 17, 64, 0x20, 0xabcde, l4, n);
	RUN_OK(in, len);
	ck_assert_uint_eq(E.nout, 1);
	n = udp_6(l4, "2001:db8:64::c000:205", "2001:db8:1::6", 50);
	size_t wl = tp_ipv6(want, "2001:db8:64::c000:205", "2001:db8:1::6", 17, 63, 0x20, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 0);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 1);

	/* an echo request hairpins as an ICMPv6 echo request */
	n = tp_icmp(l4, 128, 0, 0x00420001, data, 32);
	ck6(l4, n, 58, H6, "2001:db8:64::c000:206");
	len = tp_ipv6(in, H6, "2001:db8:64::c000:206", 58, 64, 0, 0, l4, n);
	RUN_OK(in, len);
	n = tp_icmp(l4, 128, 0, 0x00420001, data, 32);
	ck6(l4, n, 58, "2001:db8:64::c000:205", "2001:db8:1::6");
	wl = tp_ipv6(want, "2001:db8:64::c000:205", "2001:db8:1::6", 58, 63, 0, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

START_TEST(rfc7757_4_2_no_hairpin_for_eam_destination)
{
	/* issue 11 2: the IPv6 destination matched a `map` line itself, so
	 * the IPv4 packet is written out, even though its IPv4 destination is
	 * one of our EAMs: 2001:db8::2 -> 2001:db8:beef:0:cafe::, next header
	 * 16, 128 bytes -> IPv4 172.16.0.2 -> 10.0.0.0, protocol 16, total
	 * length 148. Hairpinning it looped in the kernel before. */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 3fff:6464::/96\nwkpf-strict no\nmap 172.16.0.2 2001:db8::2\n"
	       "map 10.0.0.0 2001:db8:beef:0:cafe::\n", 1500);
	size_t len = tp_ipv6(in, "2001:db8::2", "2001:db8:beef:0:cafe::", 16, 64, 0, 0, data, 128);
	RUN_OK(in, len);
	ck_assert_uint_eq(E.nout, 1);
	size_t wl = tp_ipv4(want, "172.16.0.2", "10.0.0.0", 16, 63, 0, NID(0), 0, data, 128);
	ck_assert_uint_eq(wl, 148);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* the same for ipv6-addr as destination: it is ours, not hairpinned */
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 0);
}
END_TEST

START_TEST(rfc7757_appendix_b1_hairpin)
{
	/* RFC 7757 Appendix B.1: prefix 2001:db8:100::/40, EAM 1.0.0.0/24 <->
	 * 2001:db8:3::/120. UDP 2001:db8:3::8 -> 2001:db8:101:0:9:: (1.0.0.9
	 * through the /40 prefix: bytes 5-7 01 00 00, u-octet, byte 9 09) ->
	 * 2001:db8:101:0:8:: (1.0.0.8 the same way) -> 2001:db8:3::9, hop
	 * limit 64 -> 63. */
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:100::/40\nmap 1.0.0.0/24 2001:db8:3::/120\n", 1500);
	size_t len = udp6(in, "2001:db8:3::8", "2001:db8:101:0:9::", 64, 0, 24);
	RUN_OK(in, len);
	ck_assert_uint_eq(E.nout, 1);
	size_t n = udp_6(l4, "2001:db8:101:0:8::", "2001:db8:3::9", 24);
	size_t wl = tp_ipv6(want, "2001:db8:101:0:8::", "2001:db8:3::9", 17, 63, 0, 0, l4, n);
	TP_ASSERT_OUT(&E, 0, want, wl);
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

static Suite *rfc_suite(void)
{
	Suite *s = suite_create("rfc7757");
	TCase *t;

	t = tcase_create("rfc7757_4to6");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc7757_3_2_eam_one_to_one);
	tcase_add_test(t, rfc7757_3_2_eam_prefix_map);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7757_6to4");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, rfc7757_3_2_eam_prefix);
	tcase_add_test(t, rfc7757_3_4_overlapping_eams);
	tcase_add_test(t, rfc7757_4_2_hairpinning);
	tcase_add_test(t, rfc7757_4_2_no_hairpin_for_eam_destination);
	tcase_add_test(t, rfc7757_appendix_b1_hairpin);
	suite_add_tcase(s, t);

	t = tcase_create("hairpin_icmp_error");
	tcase_add_checked_fixture(t, setup_c40, vec_teardown);
	tcase_add_test(t, rfc7757_4_2_icmp6_error_to_hairpinned_destination);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vec_run(rfc_suite());
}
