/* test_xlat6to4.c - IPv6 -> IPv4 translation (RFC 7915 section 5) with
 * byte-exact vectors. Every expected IPv4 packet is built here with the
 * tests/lib/testpkt.h builders from the RFC rules (RFC 6052 address extraction
 * worked by hand), never captured from the translator's output. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/testpkt.h"
#include "core/counters.h"

/* The IPv6 host H = 2001:db8:1::5 is mapped 1:1 to 192.0.2.5 (RFC 7757),
 * the IPv4 host R = 203.0.113.9 is reached through the network-specific
 * /96 prefix as 2001:db8:64::cb00:7109 (RFC 6052 2.2: last 32 bits). */
static const char *CONF =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 2001:db8:64::/96\n"
	"map 192.0.2.5 2001:db8:1::5\n"
	"map 192.0.2.6 2001:db8:1::6\n"
	"map 198.51.100.0/24 2001:db8:aaaa::/120\n"
	"map 198.51.100.1 2001:db8:bbbb::1\n";

#define H6   "2001:db8:1::5"
#define H4   "192.0.2.5"
#define R6   "2001:db8:64::cb00:7109"
#define R4   "203.0.113.9"
#define RT6  "2001:db8:1::1"          /* IPv6 router: no mapping */
#define OWN6 "2001:db8:ffff::1"
#define OWN4 "192.0.2.1"

static struct tp_env E;
static uint8_t in[70000], want[70000], l4[70000], data[70000];
static uint8_t inner[4000], inner4[4000], body[4000], full[4000];

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

/* replace the environment by one built from another config */
static void reinit(const char *conf, unsigned mtu)
{
	tp_env_free(&E);
	tp_env_init(&E, conf, mtu);
}

static uint16_t rd16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

static size_t ck_off(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 2;
}

/* Fill the checksum of the L4 message at p (n bytes) for the IPv6
 * pseudo-header s -> d (RFC 8200 8.1; ICMPv6 too, RFC 4443 2.3). */
static void ck6(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d)
{
	uint8_t a[16], b[16];
	tp_a6(s, a);
	tp_a6(d, b);
	put16(p + ck_off(proto), 0);
	uint16_t c = tp_cksum(p, n, tp_pseudo6(a, b, proto, (uint32_t)n));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(p + ck_off(proto), c);
}

/* Same for IPv4 (RFC 768/793 pseudo-header; ICMPv4 has none). */
static void ck4(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d)
{
	uint8_t a[4], b[4];
	tp_a4(s, a);
	tp_a4(d, b);
	put16(p + ck_off(proto), 0);
	uint16_t c = tp_cksum(p, n, proto == 1 ? 0 : tp_pseudo4(a, b, proto, (uint32_t)n));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(p + ck_off(proto), c);
}

/* UDP datagram 40000 -> 53 carrying dlen bytes of data[], checksummed */
static size_t udp_6(uint8_t *p, const char *s, const char *d, size_t dlen)
{
	size_t n = tp_udp(p, 40000, 53, data, dlen);
	ck6(p, n, 17, s, d);
	return n;
}

static size_t udp_4(uint8_t *p, const char *s, const char *d, size_t dlen)
{
	size_t n = tp_udp(p, 40000, 53, data, dlen);
	ck4(p, n, 17, s, d);
	return n;
}

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

/* IPv6 UDP packet s -> d, valid checksum */
static size_t udp6(uint8_t *b, const char *s, const char *d, uint8_t hlim, uint8_t tc, size_t dlen)
{
	size_t n = udp_6(l4, s, d, dlen);
	return tp_ipv6(b, s, d, 17, hlim, tc, 0, l4, n);
}

/* expected IPv4 UDP packet */
static size_t udp4(uint8_t *b, const char *s, const char *d, uint8_t ttl, uint8_t tos,
		   uint16_t id, uint16_t frag, size_t dlen)
{
	size_t n = udp_4(l4, s, d, dlen);
	return tp_ipv4(b, s, d, 17, ttl, tos, id, frag, l4, n);
}

/* RFC 7915 5.1 DF rule for a packet without a Fragment header */
static uint16_t df_for(size_t tot)
{
	return tot > 1260 ? 0x4000 : 0;
}

/* expected ICMPv6 error from ipv6-addr (icmp.c): RFC 4443 2.4(c) quote of
 * at most 1232 bytes, hop limit 64, traffic class 0 */
static size_t want_icmp6(uint8_t *b, const char *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t olen)
{
	size_t q = olen > 1232 ? 1232 : olen;
	size_t n = tp_icmp(l4, type, code, rest, orig, q);
	size_t len = tp_ipv6(b, OWN6, dst, 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* ICMPv6 error message s -> d quoting q (qlen bytes) */
static size_t icmp6_err(uint8_t *b, const char *s, const char *d, uint8_t hlim,
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *q, size_t qlen)
{
	size_t n = tp_icmp(l4, type, code, rest, q, qlen);
	size_t len = tp_ipv6(b, s, d, 58, hlim, 0, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

/* expected translated ICMPv4 error: DF=0 (RFC 7915 5.1 for <= 1260) */
static size_t icmp4_err(uint8_t *b, const char *s, const char *d, uint8_t ttl, uint16_t id,
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *q, size_t qlen)
{
	size_t n = tp_icmp(l4, type, code, rest, q, qlen);
	size_t len = tp_ipv4(b, s, d, 1, ttl, 0, id, 0, l4, n);
	tp_fix_l4_4(b);
	return len;
}

/* RFC 7915 5.1 / RFC 6864: the IPv4 ID of the k-th (from 0) translated
 * packet that needs one (DF=0, no Fragment header) in a fresh environment:
 * the translator counts from its seed (0 in tests) and skips 0. */
#define NID(k) ((uint16_t)((k) + 1))

#define RUN_OK(buf, len) ck_assert_int_eq(tp_run(&E, (buf), (len)), XLAT_OK)
#define RUN_DROP(buf, len) ck_assert_int_eq(tp_run(&E, (buf), (len)), XLAT_DROP)

/* ---------- RFC 7915 5.1: header fields ---------- */

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

/* ---------- addresses: RFC 6052, RFC 7757 ---------- */

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

static Suite *xlat6to4_suite(void)
{
	Suite *s = suite_create("xlat6to4");
	TCase *t;

	t = tcase_create("rfc7915_5_1");
	tcase_add_checked_fixture(t, setup, teardown);
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
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc6052_2_4_prefix_lengths);
	tcase_add_test(t, rfc6052_2_2_u_octet_prefix_40);
	tcase_add_test(t, rfc6052_3_1_wkp_non_global);
	tcase_add_test(t, rfc7757_3_2_eam_prefix);
	tcase_add_test(t, rfc7757_3_4_overlapping_eams);
	tcase_add_test(t, rfc7757_4_2_hairpinning);
	tcase_add_test(t, rfc7757_4_2_no_hairpin_for_eam_destination);
	tcase_add_test(t, rfc7757_appendix_b1_hairpin);
	tcase_add_test(t, dynamic_pool_first_address);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_5_2_icmp");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc7915_5_2_echo);
	tcase_add_test(t, rfc7915_5_2_informational_dropped);
	tcase_add_test(t, rfc7915_5_2_fragmented_icmpv6_not_translated);
	tcase_add_test(t, rfc7915_5_2_error_type_table);
	tcase_add_test(t, rfc7915_5_2_packet_too_big_mtu);
	tcase_add_test(t, rfc7915_5_2_error_checks);
	suite_add_tcase(s, t);

	t = tcase_create("rfc7915_5_3_inner");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, rfc7915_5_3_inner_echo_rfc6791_source);
	tcase_add_test(t, rfc6791_v4_directive);
	tcase_add_test(t, rfc7915_5_3_inner_ext_headers_and_576_limit);
	tcase_add_test(t, rfc7915_5_3_inner_tcp);
	tcase_add_test(t, rfc4884_length_attribute);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(xlat6to4_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
