/* test_rfc6052.c - RFC 6052 IPv4-embedded IPv6 addresses, byte-exact in
 * translated packets: 2.2 every prefix length with the u-octet (bits 64-71)
 * zero when forming and ignored on receipt, 2.4 the table of examples, 3.1
 * the Well-Known Prefix refusing non-global IPv4 addresses (and what is
 * answered), and the addresses never translated. tests/unit/test_addr.c
 * holds the same rules on the address functions alone; tests/rfc/INDEX.md
 * maps every section to its tests.
 *
 * Expected packets are built with tests/lib/testpkt.h, the addresses
 * embedded or extracted by hand. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc/vec.h"

/* ================= IPv4 -> IPv6 ================= */

#include "rfc/hosts46.h"

/* ---- RFC 6052 2.2 address embedding, worked by hand ---- */
START_TEST(rfc6052_2_2_prefix_lengths)
{
	/* 198.51.100.7 = c6.33.64.07, 203.0.113.9 = cb.00.71.09; bits 64-71
	 * (the u octet) are zero and the IPv4 octets skip over it */
	static const struct { const char *prefix, *h6, *v6; } t[] = {
		{ "2001:db8::/32",       "2001:db8:c633:6407::",     "2001:db8:cb00:7109::" },
		{ "2001:db8:100::/40",   "2001:db8:1c6:3364:7::",    "2001:db8:1cb:71:9::" },
		{ "2001:db8:1::/48",     "2001:db8:1:c633:64:700::", "2001:db8:1:cb00:71:900::" },
		{ "2001:db8:1:200::/56", "2001:db8:1:2c6:33:6407::", "2001:db8:1:2cb:0:7109::" },
		{ "2001:db8:1:2::/64",   "2001:db8:1:2:c6:3364:700:0", "2001:db8:1:2:cb:71:900:0" },
		{ "2001:db8:64::/96",    H6,                         V6 },
	};
	char conf[256];
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(conf, sizeof(conf),
			 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr fd00::1\nprefix %s\n",
			 t[i].prefix);
		reinit(conf, 1500);
		size_t len = udp4(in, H4, V4, 64, 0, 1, 0, 40);
		size_t wl = udp6(want, t[i].h6, t[i].v6, 63, 0, 40);
		expect_one(in, len, want, wl);
		/* the u octet really is zero in both addresses */
		ck_assert_uint_eq(E.out[0][8 + 8], 0);
		ck_assert_uint_eq(E.out[0][24 + 8], 0);
	}
}
END_TEST

START_TEST(rfc6052_3_1_wkp_refuses_non_global)
{
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 64:ff9b::/96\n", 1500);
	/* global addresses use the WKP: 8.8.4.4 -> 64:ff9b::808:404 */
	size_t len = udp4(in, "9.9.9.9", "8.8.4.4", 64, 0, 1, 0, 20);
	size_t wl = udp6(want, "64:ff9b::909:909", "64:ff9b::808:404", 63, 0, 20);
	expect_one(in, len, want, wl);
	/* non-global (RFC 6890) destinations and sources must not be; RFC
	 * 7915 4.4 SHOULD answer, with TAYGA's codes: a refused destination
	 * Host Unreachable (3/1), a source that may not be embedded Host
	 * Administratively Prohibited (3/10) */
	len = udp4(in, "9.9.9.9", "10.1.2.3", 64, 0, 1, 0, 20);
	wl = want_icmp4(want, "9.9.9.9", 3, 1, 0, in, len, 1);
	expect_reject(in, len, DROP_FORBIDDEN_ADDR, want, wl);
	len = udp4(in, "9.9.9.9", "203.0.113.9", 64, 0, 1, 0, 20);
	wl = want_icmp4(want, "9.9.9.9", 3, 1, 0, in, len, 2);
	expect_reject(in, len, DROP_FORBIDDEN_ADDR, want, wl);
	len = udp4(in, "192.168.1.1", "8.8.4.4", 64, 0, 1, 0, 20);
	wl = want_icmp4(want, "192.168.1.1", 3, 10, 0, in, len, 3);
	expect_reject(in, len, DROP_FORBIDDEN_ADDR, want, wl);
}
END_TEST

START_TEST(rfc6052_never_translated_addresses)
{
	/* 0/8, 127/8, 224/4 and the limited broadcast are martians (RFC 1812
	 * 5.3.7): dropped silently as destinations and as sources. Class E
	 * (240/4) is refused too: as a destination answered Host Unreachable
	 * (RFC 7915 4.4), as a source silently (RFC 1812 4.3.2.7: not one host) */
	static const struct { const char *a; bool martian; } bad[] = {
		{ "0.1.2.3", true }, { "127.0.0.1", true }, { "127.255.0.9", true },
		{ "224.0.0.1", true }, { "239.255.255.250", true }, { "240.0.0.1", false },
		{ "255.255.255.255", true },
	};
	uint16_t sent = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = udp4(in, H4, bad[i].a, 64, 0, 1, 0, 20);
		if (bad[i].martian) {
			expect_drop(in, len, DROP_MARTIAN);
		} else {
			size_t wl = want_icmp4(want, H4, 3, 1, 0, in, len, ++sent);
			expect_reject(in, len, DROP_FORBIDDEN_ADDR, want, wl);
		}
		len = udp4(in, bad[i].a, V4, 64, 0, 1, 0, 20);
		expect_drop(in, len, bad[i].martian ? DROP_MARTIAN : DROP_FORBIDDEN_ADDR);
	}
	ck_assert_uint_eq(E.stats.icmp4_sent, sent);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 0);
}
END_TEST

/* ================= IPv6 -> IPv4 ================= */

#include "rfc/hosts64.h"

START_TEST(rfc6052_2_4_prefix_lengths)
{
	/* RFC 6052 2.4 table: 192.0.2.33 embedded in each prefix length */
	static const struct { const char *prefix, *addr; } t[] = {
		{ "2001:db8::/32", "2001:db8:c000:221::" },
		{ "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
		{ "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
		{ "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
		{ "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100::" },
		{ "2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33" },
	};
	char conf[512];
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(conf, sizeof(conf),
			 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr fd00:ffff::1\n"
			 "prefix %s\nmap 192.0.2.5 fd00:1::5\n", t[i].prefix);
		reinit(conf, 1500);
		size_t len = udp6(in, "fd00:1::5", t[i].addr, 64, 0, 20);
		RUN_OK(in, len);
		size_t wl = udp4(want, H4, "192.0.2.33", 63, 0, NID(0), 0, 20);
		TP_ASSERT_OUT(&E, 0, want, wl);
		/* an IPv4-embedded source to the mapped host: the source is
		 * extracted (192.0.2.33); the destination matched a `map`
		 * line, not the prefix, so the packet leaves as IPv4 (RFC 7757
		 * 4.2 hairpins only prefix destinations) */
		len = udp6(in, t[i].addr, "fd00:1::5", 64, 0, 20);
		RUN_OK(in, len);
		wl = udp4(want, "192.0.2.33", H4, 63, 0, NID(1), 0, 20);
		TP_ASSERT_OUT(&E, 0, want, wl);
	}
}
END_TEST

START_TEST(rfc6052_2_2_u_octet_prefix_40)
{
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 2001:db8:100::/40\nmap 192.0.2.5 2001:db8:1::5\n", 1500);
	/* 198.51.100.7 = c6.33.64.07: bytes 5-7 c6 33 64, byte 8 (u) 0, byte 9 07 */
	size_t len = udp6(in, H6, "2001:db8:1c6:3364:7::", 64, 0, 20);
	RUN_OK(in, len);
	size_t wl = udp4(want, H4, "198.51.100.7", 63, 0, NID(0), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* bits 64-71 (u-octet) are ignored on receipt (issue 11, as TAYGA and
	 * Jool): 0x01 there still means 198.51.100.7 */
	len = udp6(in, H6, "2001:db8:1c6:3364:107::", 64, 0, 20);
	RUN_OK(in, len);
	wl = udp4(want, H4, "198.51.100.7", 63, 0, NID(1), 0, 20); /* the next IPv4 ID */
	TP_ASSERT_OUT(&E, 0, want, wl);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 0);
}
END_TEST

START_TEST(rfc6052_3_1_wkp_non_global)
{
	reinit("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n"
	       "prefix 64:ff9b::/96\nmap 192.0.2.5 2001:db8:1::5\n", 1500);
	/* 64:ff9b::808:808 = 8.8.8.8, global: translated */
	size_t len = udp6(in, H6, "64:ff9b::808:808", 64, 0, 20);
	RUN_OK(in, len);
	size_t wl = udp4(want, H4, "8.8.8.8", 63, 0, NID(0), 0, 20);
	TP_ASSERT_OUT(&E, 0, want, wl);
	/* the WKP must not carry non-global 203.0.113.9 (wkpf-strict); RFC
	 * 7915 5.4 SHOULD answer: No Route (1/0) from ipv6-addr, as TAYGA */
	len = udp6(in, H6, "64:ff9b::cb00:7109", 64, 0, 20);
	RUN_DROP(in, len);
	ck_assert_uint_eq(E.stats.drops[DROP_FORBIDDEN_ADDR], 1);
	wl = want_icmp6(want, H6, 1, 0, 0, in, len);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, want, wl);
}
END_TEST

static Suite *rfc_suite(void)
{
	Suite *s = suite_create("rfc6052");
	TCase *t;

	t = tcase_create("rfc6052_4to6");
	tcase_add_checked_fixture(t, setup46, vec_teardown);
	tcase_add_test(t, rfc6052_2_2_prefix_lengths);
	tcase_add_test(t, rfc6052_3_1_wkp_refuses_non_global);
	tcase_add_test(t, rfc6052_never_translated_addresses);
	suite_add_tcase(s, t);

	t = tcase_create("rfc6052_6to4");
	tcase_add_checked_fixture(t, setup64, vec_teardown);
	tcase_add_test(t, rfc6052_2_4_prefix_lengths);
	tcase_add_test(t, rfc6052_2_2_u_octet_prefix_40);
	tcase_add_test(t, rfc6052_3_1_wkp_non_global);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return vec_run(rfc_suite());
}
