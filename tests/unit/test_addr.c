/* test_addr.c - RFC 6052 embedding, address classes and the EAM map. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "config/conf.h"
#include "state/map.h"

static struct in6_addr A6(const char *s)
{
	struct in6_addr a;
	ck_assert_msg(inet_pton(AF_INET6, s, &a) == 1, "bad literal %s", s);
	return a;
}

static struct in_addr A4(const char *s)
{
	struct in_addr a;
	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad literal %s", s);
	return a;
}

/* addr_v6_mask keeps exactly the first len bits (bit i counted from the
 * most significant bit of byte 0), for every length, against a bit-by-bit
 * reference; lengths past 128 keep everything. */
START_TEST(v6_mask_every_length)
{
	for (unsigned len = 0; len <= 130; len++) {
		struct in6_addr a;
		for (unsigned i = 0; i < 16; i++)
			a.s6_addr[i] = (uint8_t)(0xa5 ^ (i * 29));
		struct in6_addr orig = a;
		addr_v6_mask(&a, len);
		for (unsigned bit = 0; bit < 128; bit++) {
			unsigned byte = bit / 8, sh = 7 - bit % 8;
			unsigned want = bit < len ? (orig.s6_addr[byte] >> sh & 1) : 0;
			ck_assert_msg((unsigned)(a.s6_addr[byte] >> sh & 1) == want,
				      "len %u bit %u", len, bit);
		}
	}
}
END_TEST

/* RFC 6052 section 2.4, table of examples (192.0.2.33) */
static const struct { const char *prefix; unsigned len; const char *embedded; } rfc6052_2_4[] = {
	{ "2001:db8::", 32, "2001:db8:c000:221::" },
	{ "2001:db8:100::", 40, "2001:db8:1c0:2:21::" },
	{ "2001:db8:122::", 48, "2001:db8:122:c000:2:2100::" },
	{ "2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::" },
	{ "2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0" },
	{ "2001:db8:122:344::", 96, "2001:db8:122:344::c000:221" },
	{ "64:ff9b::", 96, "64:ff9b::c000:221" },
};

START_TEST(rfc6052_2_4_embed_table)
{
	struct in6_addr p = A6(rfc6052_2_4[_i].prefix), want = A6(rfc6052_2_4[_i].embedded), got;
	struct in_addr v4 = A4("192.0.2.33"), back;
	ck_assert(addr_prefix_len_valid(rfc6052_2_4[_i].len));
	addr_embed(&p, rfc6052_2_4[_i].len, v4, &got);
	ck_assert_mem_eq(&got, &want, 16);
	addr_extract(&want, rfc6052_2_4[_i].len, &back);
	ck_assert_uint_eq(back.s_addr, v4.s_addr);
}
END_TEST

START_TEST(rfc6052_2_2_u_octet_and_suffix)
{
	/* RFC 6052 2.2 says how to form bits 64-71 (u-octet) and the suffix;
	 * on receipt both are ignored (issue 11, as TAYGA and Jool):
	 * /32 puts the IPv4 address in bytes 4-7 (c0a8:0102 = 192.168.1.2);
	 * byte 8 (0xab) is the u-octet */
	struct in6_addr a = A6("3fff:6464:c0a8:102:ab00::");
	struct in_addr back;
	addr_extract(&a, 32, &back);
	ck_assert_uint_eq(back.s_addr, A4("192.168.1.2").s_addr);
	/* /64: bytes 9-12 after the u-octet; suffix bits 104-127 ignored */
	a = A6("2001:db8:122:344:1c0:2:2100:ffff");
	addr_extract(&a, 64, &back);
	ck_assert_uint_eq(back.s_addr, A4("192.0.2.33").s_addr);
	ck_assert(!addr_prefix_len_valid(33));
	ck_assert(!addr_prefix_len_valid(128));
}
END_TEST

START_TEST(address_classes)
{
	ck_assert(addr_v4_is_nonglobal(A4("10.1.2.3")));
	ck_assert(addr_v4_is_nonglobal(A4("100.64.0.1")));
	ck_assert(addr_v4_is_nonglobal(A4("172.31.255.255")));
	ck_assert(addr_v4_is_nonglobal(A4("192.168.0.1")));
	ck_assert(addr_v4_is_nonglobal(A4("198.19.0.1")));
	ck_assert(addr_v4_is_nonglobal(A4("203.0.113.9")));
	ck_assert(!addr_v4_is_nonglobal(A4("8.8.8.8")));
	ck_assert(!addr_v4_is_nonglobal(A4("172.32.0.1")));
	ck_assert(!addr_v4_is_nonglobal(A4("100.128.0.1")));
	/* issue 11: 192.0.0.0/29 (RFC 7335, CLAT / DS-Lite) usable with the
	 * WKP, as TAYGA; the rest of 192.0.0.0/24 (RFC 6890) is not */
	ck_assert(!addr_v4_is_nonglobal(A4("192.0.0.0")));
	ck_assert(!addr_v4_is_nonglobal(A4("192.0.0.2")));
	ck_assert(!addr_v4_is_nonglobal(A4("192.0.0.7")));
	ck_assert(addr_v4_is_nonglobal(A4("192.0.0.8")));
	ck_assert(addr_v4_is_nonglobal(A4("192.0.0.170")));
	ck_assert(addr_v4_is_nonglobal(A4("192.0.0.255")));
	/* 192.88.99.0/24: global in the IANA special-purpose registry */
	ck_assert(!addr_v4_is_nonglobal(A4("192.88.99.1")));
	ck_assert(addr_v4_is_nonglobal(A4("169.254.1.1")));
	/* RFC 3927: 169.254.0.0/16 exactly */
	ck_assert(addr_v4_is_linklocal(A4("169.254.0.0")));
	ck_assert(addr_v4_is_linklocal(A4("169.254.255.255")));
	ck_assert(!addr_v4_is_linklocal(A4("169.253.255.255")));
	ck_assert(!addr_v4_is_linklocal(A4("169.255.0.0")));
	ck_assert(addr_v4_is_forbidden(A4("0.1.2.3")));
	ck_assert(addr_v4_is_forbidden(A4("127.0.0.1")));
	ck_assert(addr_v4_is_forbidden(A4("224.0.0.1")));
	ck_assert(addr_v4_is_forbidden(A4("255.255.255.255")));
	ck_assert(!addr_v4_is_forbidden(A4("192.0.2.1")));
	/* martians (RFC 1812 5.3.7): forbidden minus class E */
	ck_assert(addr_v4_is_martian(A4("0.1.2.3")));
	ck_assert(addr_v4_is_martian(A4("127.0.0.1")));
	ck_assert(addr_v4_is_martian(A4("224.0.0.1")));
	ck_assert(addr_v4_is_martian(A4("239.255.255.255")));
	ck_assert(addr_v4_is_martian(A4("255.255.255.255")));
	ck_assert(!addr_v4_is_martian(A4("240.0.0.1")));
	ck_assert(!addr_v4_is_martian(A4("255.255.255.254")));
	ck_assert(!addr_v4_is_martian(A4("169.254.1.1")));
	ck_assert(!addr_v4_is_martian(A4("1.0.0.0")));
	struct in6_addr a = A6("::1");
	ck_assert(addr_v6_is_forbidden(&a));
	a = A6("ff02::1");
	ck_assert(addr_v6_is_forbidden(&a));
	a = A6("fe80::1");
	ck_assert(addr_v6_is_forbidden(&a));
	a = A6("64:ff9b::8.8.8.8");
	ck_assert(!addr_v6_is_forbidden(&a));
	a = A6("64:ff9b:1::1");
	ck_assert(!addr_v6_is_forbidden(&a));
	a = A6("2001:db8::1");
	ck_assert(!addr_v6_is_forbidden(&a));
}
END_TEST

/* Ranges that hold a never-translated address (addr_v6_is_forbidden): in
 * ::/8 only what lies wholly inside 64:ff9b::/96 or 64:ff9b:1::/48 is
 * clear, so 64:ff9b::/64 (which holds 64:ff9b::/96 at its start) is not. */
static const struct { const char *a; unsigned len; bool forbidden; } v6_ranges[] = {
	{ "64:ff9b::", 96, false },    { "64:ff9b::", 64, true },   { "64:ff9b::", 32, true },
	{ "64:ff9b::", 40, true },     { "64:ff9b::", 95, true },   { "64:ff9b::8.8.8.0", 120, false },
	{ "64:ff9b:1::", 48, false },  { "64:ff9b:1:ab00::", 56, false }, { "64:ff9b::", 47, true },
	{ "64:ff9b:0:1::", 64, true }, { "0:1::", 32, true },       { "::", 96, true },
	{ "2001:db8::", 32, false },   { "fe80::", 64, true },      { "fec0::", 10, false },
	{ "ff0e::", 96, true },        { "8000::", 1, true },       { "2000::", 3, false },
	{ "::", 0, true },             { "fe80::", 9, true },       { "fe00::", 9, false },
	{ "4000::", 2, false },
};

START_TEST(v6_range_forbidden_table)
{
	struct in6_addr a = A6(v6_ranges[_i].a);

	ck_assert_msg(addr_v6_range_forbidden(&a, v6_ranges[_i].len) == v6_ranges[_i].forbidden,
		      "%s/%u", v6_ranges[_i].a, v6_ranges[_i].len);
}
END_TEST

static struct config *parse(const char *text)
{
	char err[512];
	struct config *c = conf_parse_string(text, "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

START_TEST(map_prefix_and_self)
{
	struct config *c = parse("tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\n"
				 "ipv6-addr 2001:db8::1\ndynamic-pool 192.168.255.0/24\n");
	struct map *m = map_build(c);
	struct in6_addr o6, w6;
	struct in_addr o4;
	ck_assert_int_eq(map_4to6(m, A4("8.8.8.8"), &o6), MAP_OK);
	w6 = A6("64:ff9b::808:808");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("8.8.8.8").s_addr);
	/* RFC 6052 3.1: WKP must not carry non-global IPv4 (wkpf-strict default) */
	ck_assert_int_eq(map_4to6(m, A4("10.0.0.1"), &o6), MAP_FORBIDDEN);
	w6 = A6("64:ff9b::10.0.0.1");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_FORBIDDEN);
	/* own addresses */
	ck_assert_int_eq(map_4to6(m, A4("192.168.255.1"), &o6), MAP_OK);
	w6 = A6("2001:db8::1");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("192.168.255.1").s_addr);
	/* pool addresses are never prefix-embedded */
	ck_assert_int_eq(map_4to6(m, A4("192.168.255.7"), &o6), MAP_NONE);
	ck_assert(map_v4_in_pool(m, A4("192.168.255.7")));
	/* RFC 7757 4.2: only EAM-covered addresses are hairpinned inside */
	ck_assert(!map_v4_has_eam(m, A4("192.168.255.7")));
	ck_assert(!map_v4_has_eam(m, A4("8.8.8.8")));
	/* which rule translated an IPv6 destination decides hairpinning */
	{
		bool via = false;
		w6 = A6("64:ff9b::808:808");
		ck_assert_int_eq(map_6to4(m, &w6, &o4, &via), MAP_OK);
		ck_assert(via);
		w6 = A6("2001:db8::1");
		ck_assert_int_eq(map_6to4(m, &w6, &o4, &via), MAP_OK);
		ck_assert(!via);
	}
	/* outside prefix, forbidden classes */
	w6 = A6("2001:db8:5::1");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_NONE);
	ck_assert_int_eq(map_4to6(m, A4("127.0.0.1"), &o6), MAP_MARTIAN);
	w6 = A6("64:ff9b::127.0.0.1");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_MARTIAN);
	/* class E is refused, not a martian (RFC 1812 5.3.7 names 0/8, 127/8, D) */
	ck_assert_int_eq(map_4to6(m, A4("240.0.0.1"), &o6), MAP_FORBIDDEN);
	w6 = A6("64:ff9b::240.0.0.1");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_FORBIDDEN);
	map_free(m);
	conf_free(c);
}
END_TEST

/* v4 <-> v6 both ways (MAP_OK), or neither way through the map (res) */
static void both_ways(const struct map *m, const char *v4, const char *v6, enum map_result res)
{
	struct in6_addr o6, w6 = A6(v6);
	struct in_addr o4;
	ck_assert_int_eq(map_4to6(m, A4(v4), &o6), res);
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), res);
	if (res == MAP_OK) {
		ck_assert_mem_eq(&o6, &w6, 16);
		ck_assert_uint_eq(o4.s_addr, A4(v4).s_addr);
	}
}

/* clatd's file (issue 11): WKP + ipv4-addr 192.0.0.2 (RFC 7335) derives
 * ipv6-addr 64:ff9b::c000:2 and translates per packet both ways */
START_TEST(clatd_wkp_service_continuity_prefix)
{
	struct config *c = parse("tun-device clat\nprefix 64:ff9b::/96\nipv4-addr 192.0.0.2\n"
				 "map 192.0.0.1 2001:db8:aaaa::c1a7\n");
	struct map *m = map_build(c);
	struct in6_addr w6 = A6("64:ff9b::c000:2");
	ck_assert(c->ipv6_addr_set);
	ck_assert_mem_eq(&c->ipv6_addr, &w6, 16);
	both_ways(m, "192.0.0.2", "64:ff9b::c000:2", MAP_OK);
	/* another address of the /29 through the prefix; the EAM */
	both_ways(m, "192.0.0.5", "64:ff9b::c000:5", MAP_OK);
	both_ways(m, "192.0.0.1", "2001:db8:aaaa::c1a7", MAP_OK);
	/* 192.0.0.8 is outside the /29: non-global, refused with the WKP */
	both_ways(m, "192.0.0.8", "64:ff9b::c000:8", MAP_FORBIDDEN);
	/* 192.88.99.1 is global: translated under wkpf-strict */
	both_ways(m, "192.88.99.1", "64:ff9b::c058:6301", MAP_OK);
	map_free(m);
	conf_free(c);
}
END_TEST

/* RFC 3927 2.7: 169.254/16 never through the prefix (either direction, any
 * prefix), but usable in map lines and the dynamic pool */
START_TEST(rfc3927_link_local_not_through_prefix)
{
	struct config *c = parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"
				 "map 169.254.7.0/24 2001:db8:7::/120\n"
				 "dynamic-pool 169.254.0.0/24\n");
	struct map *m = map_build(c);
	struct in6_addr o6;
	char err[512];
	both_ways(m, "169.254.1.1", "2001:db8:64::a9fe:101", MAP_MARTIAN);
	/* a pool address is not the map's business (the pool maps it) */
	ck_assert_int_eq(map_4to6(m, A4("169.254.0.9"), &o6), MAP_NONE);
	ck_assert(map_v4_in_pool(m, A4("169.254.0.9")));
	/* the EAM: 169.254.7.9 <-> 2001:db8:7::9 */
	both_ways(m, "169.254.7.9", "2001:db8:7::9", MAP_OK);
	map_free(m);
	conf_free(c);
	/* ipv4-addr 169.254.x can't be derived into the prefix */
	c = conf_parse_string("tun-device t\nipv4-addr 169.254.9.1\nprefix 2001:db8:64::/96\n",
			      "t.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "t.conf:2: ipv6-addr: ipv4-addr 169.254.9.1 is link-local") != NULL, "%s", err);
	c = parse("tun-device t\nipv4-addr 169.254.9.1\nipv6-addr 2001:db8::1\nprefix 2001:db8:64::/96\n");
	conf_free(c);
}
END_TEST

/* Issue 11: prefix 3fff:6464::/32, the u-octet is ignored per packet */
START_TEST(rfc6052_u_octet_ignored_per_packet)
{
	struct config *c = parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 3fff:6464::/32\n");
	struct map *m = map_build(c);
	struct in6_addr w6 = A6("3fff:6464:c0a8:102:ab00::");
	struct in_addr o4;
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("192.168.1.2").s_addr);
	map_free(m);
	conf_free(c);
}
END_TEST

START_TEST(rfc8215_local_use_prefix)
{
	struct config *c = parse("tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b:1::/48\n");
	struct map *m = map_build(c);
	struct in6_addr o6, w6 = A6("64:ff9b:1:a00:1:100::");
	/* RFC 8215: non-global IPv4 allowed in 64:ff9b:1::/48 */
	ck_assert_int_eq(map_4to6(m, A4("10.0.1.1"), &o6), MAP_OK);
	ck_assert_mem_eq(&o6, &w6, 16);
	map_free(m);
	conf_free(c);
}
END_TEST

START_TEST(rfc7757_eam_longest_prefix)
{
	/* a /24 EAM with a /28 (and a /32) nested inside: longest match wins */
	struct config *c = parse("tun-device t\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n"
				 "map 198.51.100.0/24 2001:db8:100::/120\n"
				 "map 198.51.100.16/28 2001:db8:200::/124\n"
				 "map 198.51.100.20 2001:db8:300::20\n");
	struct map *m = map_build(c);
	struct in6_addr o6, w6;
	struct in_addr o4;
	ck_assert_int_eq(map_4to6(m, A4("198.51.100.200"), &o6), MAP_OK);
	w6 = A6("2001:db8:100::c8");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert_int_eq(map_4to6(m, A4("198.51.100.17"), &o6), MAP_OK);
	w6 = A6("2001:db8:200::1");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert_int_eq(map_4to6(m, A4("198.51.100.20"), &o6), MAP_OK);
	w6 = A6("2001:db8:300::20");
	ck_assert_mem_eq(&o6, &w6, 16);
	/* reverse direction, suffix copied (RFC 7757 3.2) */
	w6 = A6("2001:db8:200::f");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("198.51.100.31").s_addr);
	w6 = A6("2001:db8:100::5");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("198.51.100.5").s_addr);
	/* EAM wins over the prefix; other addresses fall back to RFC 6052 */
	ck_assert_int_eq(map_4to6(m, A4("192.0.2.33"), &o6), MAP_OK);
	w6 = A6("2001:db8:64::c000:221");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert(map_v4_has_eam(m, A4("198.51.100.9")));
	{
		bool via = true;
		w6 = A6("2001:db8:100::5");
		ck_assert_int_eq(map_6to4(m, &w6, &o4, &via), MAP_OK);
		ck_assert(!via); /* an EAM, not the prefix */
	}
	map_free(m);
	conf_free(c);
}
END_TEST

/* RFC 7757 3.2 with unequal suffix lengths: the 8 IPv4 suffix bits of a
 * /24 follow a /64 IPv6 prefix directly; the IPv6 bits after them are zero
 * towards IPv6 and not part of the mapping towards IPv4. */
START_TEST(rfc7757_3_2_unequal_suffix_lengths)
{
	struct config *c = parse("tun-device t\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n"
				 "map 198.51.100.0/24 2001:db8:1::/64\n"
				 "map 203.0.113.0/25 2001:db8:2::/120\n");
	struct map *m = map_build(c);
	struct in6_addr o6, w6;
	struct in_addr o4;
	/* .5 = 00000101: bits 64-71 -> 2001:db8:1:0:0500:: */
	ck_assert_int_eq(map_4to6(m, A4("198.51.100.5"), &o6), MAP_OK);
	w6 = A6("2001:db8:1:0:500::");
	ck_assert_mem_eq(&o6, &w6, 16);
	ck_assert_int_eq(map_4to6(m, A4("198.51.100.255"), &o6), MAP_OK);
	w6 = A6("2001:db8:1:0:ff00::");
	ck_assert_mem_eq(&o6, &w6, 16);
	w6 = A6("2001:db8:1:0:500::");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("198.51.100.5").s_addr);
	w6 = A6("2001:db8:1:0:5ff:1:2:3");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("198.51.100.5").s_addr);
	/* /25 (7 suffix bits) after /120: .100 = 1100100 -> bits 120-126
	 * = 1100100, bit 127 = 0 -> last byte 0xc8 */
	ck_assert_int_eq(map_4to6(m, A4("203.0.113.100"), &o6), MAP_OK);
	w6 = A6("2001:db8:2::c8");
	ck_assert_mem_eq(&o6, &w6, 16);
	w6 = A6("2001:db8:2::c9");
	ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
	ck_assert_uint_eq(o4.s_addr, A4("203.0.113.100").s_addr);
	map_free(m);
	conf_free(c);
}
END_TEST

START_TEST(eam_10000_entries)
{
	size_t cap = 10000 * 48 + 256, off = 0;
	char *text = malloc(cap);
	off += (size_t)snprintf(text, cap, "tun-device t\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n");
	for (unsigned i = 0; i < 10000; i++)
		off += (size_t)snprintf(text + off, cap - off, "map 10.%u.%u.1 2001:db8:1::%x:1\n",
					i / 256, i % 256, i);
	struct config *c = parse(text);
	struct map *m = map_build(c);
	for (unsigned i = 0; i < 10000; i++) {
		char s4[32], s6[64];
		struct in6_addr o6, w6;
		struct in_addr o4;
		snprintf(s4, sizeof(s4), "10.%u.%u.1", i / 256, i % 256);
		snprintf(s6, sizeof(s6), "2001:db8:1::%x:1", i);
		w6 = A6(s6);
		ck_assert_int_eq(map_4to6(m, A4(s4), &o6), MAP_OK);
		ck_assert_mem_eq(&o6, &w6, 16);
		ck_assert_int_eq(map_6to4(m, &w6, &o4, NULL), MAP_OK);
		ck_assert_uint_eq(o4.s_addr, A4(s4).s_addr);
	}
	map_free(m);
	conf_free(c);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, rfc6052_2_4_embed_table, 0, sizeof(rfc6052_2_4) / sizeof(rfc6052_2_4[0]));
	tcase_add_test(tc, rfc6052_2_2_u_octet_and_suffix);
	tcase_add_test(tc, v6_mask_every_length);
	tcase_add_test(tc, rfc7757_3_2_unequal_suffix_lengths);
	tcase_add_test(tc, address_classes);
	tcase_add_loop_test(tc, v6_range_forbidden_table, 0, sizeof(v6_ranges) / sizeof(v6_ranges[0]));
	tcase_add_test(tc, map_prefix_and_self);
	tcase_add_test(tc, rfc8215_local_use_prefix);
	tcase_add_test(tc, clatd_wkp_service_continuity_prefix);
	tcase_add_test(tc, rfc3927_link_local_not_through_prefix);
	tcase_add_test(tc, rfc6052_u_octet_ignored_per_packet);
	tcase_add_test(tc, rfc7757_eam_longest_prefix);
	tcase_add_test(tc, eam_10000_entries);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
