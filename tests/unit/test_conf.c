/* test_conf.c - tayga.conf parser: good configs, every directive and default,
 * and one test per error class checking the exact "file:line: directive:"
 * prefix of the message. */
#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "config/conf_paths.h"

static char err[1024];

/* Base lines every config below builds on (lines 1-3). */
#define BASE "tun-device nat64\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"

static struct config *ok(const char *text)
{
	struct config *c;

	err[0] = '\0';
	c = conf_parse_string(text, "tayga.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "unexpected error: %s\n--- config:\n%s", err, text);
	ck_assert_str_eq(err, "");
	return c;
}

/* The parse must fail; the message must start with prefix and contain
 * needle (when not NULL). */
static void bad(const char *text, const char *prefix, const char *needle)
{
	struct config *c;

	strcpy(err, "(untouched)");
	c = conf_parse_string(text, "tayga.conf", err, sizeof(err));
	ck_assert_msg(c == NULL, "config accepted but should fail with \"%s\":\n%s", prefix, text);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "message \"%s\" does not start with \"%s\"", err, prefix);
	if (needle)
		ck_assert_msg(strstr(err, needle) != NULL, "message \"%s\" lacks \"%s\"", err, needle);
}

static bool eq4(struct in_addr a, const char *s)
{
	struct in_addr b;

	ck_assert_int_eq(inet_pton(AF_INET, s, &b), 1);
	return a.s_addr == b.s_addr;
}

static bool eq6(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &b), 1);
	return memcmp(a, &b, sizeof(b)) == 0;
}

/* ---- temp files ---- */

static char tmpdir[64];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/test_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_write(const char *name, const char *text, size_t len)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

#define TMPW(name, text) tmp_write((name), (text), strlen(text))

/* tests/ in the source tree: $SRCDIR (set by make check) or next to this file */
static const char *srcfile(const char *rel)
{
	static char path[1024];
	const char *sd = getenv("SRCDIR");

	if (sd && *sd) {
		snprintf(path, sizeof(path), "%s/%s", sd, rel);
	} else {
		const char *me = __FILE__, *slash = strrchr(me, '/');
		int dl = slash ? (int)(slash - me) : 1;
		/* __FILE__ is .../tests/unit/test_conf.c */
		snprintf(path, sizeof(path), "%.*s/../%s", dl, slash ? me : ".", rel);
	}
	return path;
}

/* ---------------------------------------------------------------- good */

START_TEST(minimal_clatd_style)
{
	/* clatd: no ipv6-addr, derived from prefix + ipv4-addr */
	struct config *c = ok("tun-device clat\nipv4-addr 192.0.0.1\nprefix 2001:db8:64::/96\n"
			      "map 192.0.0.4 2001:db8:1::4\n");
	ck_assert_str_eq(c->tun_device, "clat");
	ck_assert(eq4(c->ipv4_addr, "192.0.0.1"));
	ck_assert(c->ipv6_addr_set);
	ck_assert(eq6(&c->ipv6_addr, "2001:db8:64::c000:1"));
	ck_assert(c->have_prefix);
	ck_assert(eq6(&c->prefix, "2001:db8:64::"));
	ck_assert_uint_eq(c->prefix_len, 96);
	ck_assert_uint_eq(c->nmaps, 1);
	ck_assert(eq4(c->maps[0].v4, "192.0.0.4"));
	ck_assert(eq6(&c->maps[0].v6, "2001:db8:1::4"));
	ck_assert_uint_eq(c->maps[0].len4, 32);
	ck_assert_uint_eq(c->maps[0].len6, 128);
	ck_assert_uint_eq(c->maps[0].line, 4);
	ck_assert_str_eq(c->maps[0].file, "tayga.conf");
	ck_assert_str_eq(c->path, "tayga.conf");
	conf_free(c);
}
END_TEST

START_TEST(opnsense_style)
{
	struct config *c = ok("tun-device nat64\n"
			      "ipv4-addr 192.168.255.1\n"
			      "ipv6-addr 2001:db8:ff::1\n"
			      "prefix 64:ff9b::/96\n"
			      "dynamic-pool 192.168.255.0/24\n"
			      "data-dir /var/db/tayga\n"
			      "udp-cksum-mode fwd\n"
			      "wkpf-strict no\n"
			      "map 192.168.254.2 2001:db8:1::2\n");
	ck_assert(!c->wkpf_strict);
	ck_assert_int_eq(c->udp_cksum_mode, UDP_CKSUM_FWD);
	ck_assert_str_eq(c->data_dir, "/var/db/tayga");
	ck_assert(c->have_pool);
	ck_assert(eq4(c->pool_addr, "192.168.255.0"));
	ck_assert_uint_eq(c->pool_len, 24);
	ck_assert(eq6(&c->ipv6_addr, "2001:db8:ff::1"));
	conf_free(c);
}
END_TEST

START_TEST(defaults)
{
	struct config *c = ok(BASE);

	ck_assert(c->wkpf_strict);
	ck_assert_int_eq(c->udp_cksum_mode, UDP_CKSUM_DROP);
	ck_assert_uint_eq(c->log_events, 0);
	ck_assert_uint_eq(c->offlink_mtu, 1280);
	ck_assert_int_eq(c->offload, MODE_AUTO);
	ck_assert_int_eq(c->io_uring, MODE_AUTO);
	ck_assert_uint_eq(c->icmp_rate, 100);
	ck_assert_uint_eq(c->icmp_burst, 50);
	ck_assert_uint_eq(c->stats_interval, 60);
	ck_assert_uint_eq(c->rx_hold_us, 100);   /* RX_HOLD_DEFAULT_US */
	ck_assert_uint_eq(c->rx_busy_poll_us, NUM_AUTO);   /* the daemon decides */
	ck_assert_ptr_null(c->stats_file);
	ck_assert_ptr_null(c->data_dir);
	ck_assert_ptr_null(c->map_file);
	ck_assert(!c->have_pool);
	ck_assert_uint_eq(c->nmaps, 0);
	ck_assert(!c->tun_up);
	ck_assert(!c->tun_up_set);
	ck_assert_uint_eq(c->ntun_ips, 0);
	ck_assert_uint_eq(c->ntun_routes, 0);
	ck_assert_uint_eq(c->dyn_limit_count, 0);
	/* RFC 6791 sources default to the translator's own addresses */
	ck_assert(eq4(c->rfc6791_v4, "192.0.2.1"));
	ck_assert(eq6(&c->rfc6791_v6, "2001:db8:64::c000:201"));
	ck_assert(eq6(&c->ipv6_addr, "2001:db8:64::c000:201"));
	conf_free(c);
}
END_TEST

/* RFC 6052 2.2: ipv6-addr derivation for every prefix length (the u-octet
 * at bits 64-71 is skipped). */
/* rx-busy-poll-usecs: auto (any case) leaves it to the daemon, 0 is off */
START_TEST(rx_busy_poll_auto_and_off)
{
	struct config *c = ok(BASE "rx-busy-poll-usecs Auto\n");

	ck_assert_uint_eq(c->rx_busy_poll_us, NUM_AUTO);
	conf_free(c);
	c = ok(BASE "rx-busy-poll-usecs 0\n");
	ck_assert_uint_eq(c->rx_busy_poll_us, 0);
	conf_free(c);
}
END_TEST

START_TEST(rfc6052_derived_ipv6_addr_each_length)
{
	static const struct { const char *prefix, *want; } t[] = {
		{ "2001:db8::/32", "2001:db8:c000:221::" },
		{ "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
		{ "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
		{ "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
		{ "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
		{ "2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct config *c;
		snprintf(buf, sizeof(buf), "tun-device t\nipv4-addr 192.0.2.33\nprefix %s\n", t[i].prefix);
		c = ok(buf);
		ck_assert_msg(eq6(&c->ipv6_addr, t[i].want), "prefix %s", t[i].prefix);
		conf_free(c);
	}
}
END_TEST

START_TEST(every_directive)
{
	struct config *c = ok(BASE
			      "ipv6-addr 2001:db8:ff::1\n"
			      "wkpf-strict yes\n"
			      "map 198.51.100.0/24 2001:db8:1::/120\n"
			      "map 198.51.100.7 2001:db8:2::7\n"
			      "dynamic-pool 10.64.0.0/16\n"
			      "data-dir /var/lib/tayga\n"
			      "udp-cksum-mode calc\n"
			      "log drop reject icmp self dyn\n"
			      "offlink-mtu 1500\n"
			      "strict-frag-hdr\n"
			      "tun-up no\n"
			      "tun-ip 10.64.0.1/16\n"
			      "tun-ip 2001:db8:ff::2\n"
			      "tun-route 2001:db8:64::/96\n"
			      "tun-route 10.64.0.0/16\n"
			      "workers 4\n"
			      "offload off\n"
			      "dynamic-limit 64 16\n"
			      "rfc6791-v4 192.0.0.8\n"
			      "rfc6791-v6 2001:db8:ff::99\n"
			      "icmp-ratelimit 200 20\n"
			      "stats-file /run/tayga.prom\n"
			      "stats-interval 15\n"
			      "rx-hold-usecs 250\n"
			      "rx-busy-poll-usecs 50\n");
	ck_assert(eq6(&c->ipv6_addr, "2001:db8:ff::1"));
	ck_assert_uint_eq(c->rx_hold_us, 250);
	ck_assert_uint_eq(c->rx_busy_poll_us, 50);
	ck_assert_uint_eq(c->nmaps, 2);
	ck_assert(eq4(c->maps[0].v4, "198.51.100.0"));
	ck_assert_uint_eq(c->maps[0].len4, 24);
	ck_assert_uint_eq(c->maps[0].len6, 120);
	ck_assert_uint_eq(c->maps[0].line, 6);
	ck_assert_uint_eq(c->maps[1].line, 7);
	ck_assert(eq4(c->pool_addr, "10.64.0.0"));
	ck_assert_uint_eq(c->pool_len, 16);
	ck_assert_str_eq(c->data_dir, "/var/lib/tayga");
	ck_assert_int_eq(c->udp_cksum_mode, UDP_CKSUM_CALC);
	ck_assert_uint_eq(c->log_events, LOG_EV_DROP | LOG_EV_REJECT | LOG_EV_ICMP | LOG_EV_SELF | LOG_EV_DYN);
	ck_assert_uint_eq(c->offlink_mtu, 1500);
	ck_assert(!c->tun_up);
	ck_assert(c->tun_up_set);
	ck_assert_uint_eq(c->ntun_ips, 2);
	ck_assert_int_eq(c->tun_ips[0].family, AF_INET);
	ck_assert(eq4(c->tun_ips[0].a.v4, "10.64.0.1"));
	ck_assert_uint_eq(c->tun_ips[0].len, 16);
	ck_assert_int_eq(c->tun_ips[1].family, AF_INET6);
	ck_assert(eq6(&c->tun_ips[1].a.v6, "2001:db8:ff::2"));
	ck_assert_uint_eq(c->tun_ips[1].len, 128);
	ck_assert_uint_eq(c->ntun_routes, 2);
	ck_assert_int_eq(c->tun_routes[0].family, AF_INET6);
	ck_assert_uint_eq(c->tun_routes[0].len, 96);
	ck_assert_int_eq(c->tun_routes[1].family, AF_INET);
	ck_assert_uint_eq(c->workers, 4);
	ck_assert_int_eq(c->offload, MODE_OFF);
	ck_assert_uint_eq(c->dyn_limit_plen, 64);
	ck_assert_uint_eq(c->dyn_limit_count, 16);
	ck_assert(eq4(c->rfc6791_v4, "192.0.0.8"));
	ck_assert(eq6(&c->rfc6791_v6, "2001:db8:ff::99"));
	ck_assert_uint_eq(c->icmp_rate, 200);
	ck_assert_uint_eq(c->icmp_burst, 20);
	ck_assert_str_eq(c->stats_file, "/run/tayga.prom");
	ck_assert_uint_eq(c->stats_interval, 15);
	conf_free(c);
}
END_TEST

START_TEST(enum_values)
{
	static const struct { const char *line; int mode; } u[] = {
		{ "udp-cksum-mode drop", UDP_CKSUM_DROP }, { "udp-cksum-mode calc", UDP_CKSUM_CALC },
		{ "udp-cksum-mode fwd", UDP_CKSUM_FWD }, { "udp-cksum-mode reject", UDP_CKSUM_REJECT },
		/* TAYGA main's rule (issue 27): by the first letters, any case */
		{ "udp-cksum-mode forward", UDP_CKSUM_FWD }, { "udp-cksum-mode FORW", UDP_CKSUM_FWD },
		{ "udp-cksum-mode fwding", UDP_CKSUM_FWD }, { "udp-cksum-mode DR", UDP_CKSUM_DROP },
		{ "udp-cksum-mode dropped", UDP_CKSUM_DROP }, { "udp-cksum-mode Calculate", UDP_CKSUM_CALC },
		{ "udp-cksum-mode Reject", UDP_CKSUM_REJECT },
	};
	static const struct { const char *line; int mode; } o[] = {
		{ "offload auto", MODE_AUTO }, { "offload on", MODE_ON }, { "offload off", MODE_OFF },
	};
	char buf[256];
	struct config *c;

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		snprintf(buf, sizeof(buf), BASE "%s\n", u[i].line);
		c = ok(buf);
		ck_assert_int_eq(c->udp_cksum_mode, u[i].mode);
		conf_free(c);
	}
	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++) {
		snprintf(buf, sizeof(buf), BASE "%s\n", o[i].line);
		c = ok(buf);
		ck_assert_int_eq(c->offload, o[i].mode);
		conf_free(c);
		/* io-uring takes the same words */
		snprintf(buf, sizeof(buf), BASE "io-uring %s\n", o[i].line + strlen("offload "));
		c = ok(buf);
		ck_assert_int_eq(c->io_uring, o[i].mode);
		ck_assert_int_eq(c->offload, MODE_AUTO);
		conf_free(c);
	}
	c = ok(BASE "io-uring NO\noffload yes\n");
	ck_assert_int_eq(c->io_uring, MODE_OFF);
	ck_assert_int_eq(c->offload, MODE_ON);
	conf_free(c);
	c = ok(BASE "log none\n");
	ck_assert_uint_eq(c->log_events, 0);
	conf_free(c);
	c = ok(BASE "log dyn self\n");
	ck_assert_uint_eq(c->log_events, LOG_EV_DYN | LOG_EV_SELF);
	conf_free(c);
	c = ok(BASE "strict-frag-hdr yes\n");
	conf_free(c);
	c = ok(BASE "strict-frag-hdr no\n");
	conf_free(c);
	c = ok(BASE "wkpf-strict no\n");
	ck_assert(!c->wkpf_strict);
	conf_free(c);
	c = ok(BASE "offlink-mtu 1280\n");
	ck_assert_uint_eq(c->offlink_mtu, 1280);
	conf_free(c);
	c = ok(BASE "offlink-mtu 65535\n");
	ck_assert_uint_eq(c->offlink_mtu, 65535);
	conf_free(c);
}
END_TEST

START_TEST(tun_up_default)
{
	struct config *c = ok(BASE "tun-ip 192.168.253.1\n");

	ck_assert(c->tun_up);            /* implied by tun-ip */
	ck_assert(!c->tun_up_set);
	ck_assert_uint_eq(c->tun_ips[0].len, 32);
	conf_free(c);
	c = ok(BASE "tun-route 2001:db8:ff::1\n");
	ck_assert(c->tun_up);            /* implied by tun-route */
	ck_assert_uint_eq(c->tun_routes[0].len, 128);
	conf_free(c);
	c = ok(BASE "tun-route 10.0.0.0/8\ntun-up no\n");
	ck_assert(!c->tun_up);           /* explicit wins */
	conf_free(c);
	c = ok(BASE "tun-up yes\n");
	ck_assert(c->tun_up);
	conf_free(c);
}
END_TEST

START_TEST(icmp_ratelimit_forms)
{
	struct config *c = ok(BASE "icmp-ratelimit 10\n");

	ck_assert_uint_eq(c->icmp_rate, 10);
	ck_assert_uint_eq(c->icmp_burst, 5);   /* burst defaults to rate/2 */
	conf_free(c);
	c = ok(BASE "icmp-ratelimit 1\n");
	ck_assert_uint_eq(c->icmp_burst, 1);
	conf_free(c);
	c = ok(BASE "icmp-ratelimit 0\n");
	ck_assert_uint_eq(c->icmp_rate, 0);    /* unlimited */
	conf_free(c);
}
END_TEST

START_TEST(case_insensitive_keywords_and_values)
{
	struct config *c = ok("TUN-DEVICE Nat64\nIpv4-Addr 192.0.2.1\nPREFIX 2001:DB8:64::/96\n"
			      "UDP-Cksum-Mode FWD\nWKPF-STRICT No\nLog DROP Dyn\nOffload ON\nMap 192.0.2.9 2001:DB8:1::9\n");
	ck_assert_str_eq(c->tun_device, "Nat64");   /* names keep their case */
	ck_assert_int_eq(c->udp_cksum_mode, UDP_CKSUM_FWD);
	ck_assert(!c->wkpf_strict);
	ck_assert_uint_eq(c->log_events, LOG_EV_DROP | LOG_EV_DYN);
	ck_assert_int_eq(c->offload, MODE_ON);
	ck_assert_uint_eq(c->nmaps, 1);
	conf_free(c);
}
END_TEST

START_TEST(comments_blank_lines_crlf)
{
	struct config *c = ok("# leading comment\n"
			      "\n"
			      "   \t \n"
			      "tun-device nat64   # trailing comment\r\n"
			      "\tipv4-addr 192.0.2.1#glued comment\r\n"
			      "prefix 2001:db8:64::/96 # map 192.0.2.9 2001:db8:1::9\n"
			      "#map 192.0.2.10 2001:db8:1::10\n"
			      "map 192.0.2.11 2001:db8:1::11");   /* no final newline */
	ck_assert_str_eq(c->tun_device, "nat64");
	ck_assert(eq4(c->ipv4_addr, "192.0.2.1"));
	ck_assert_uint_eq(c->nmaps, 1);
	ck_assert_uint_eq(c->maps[0].line, 8);
	conf_free(c);
	/* a UTF-8 byte order mark at the start is skipped */
	c = ok("\xef\xbb\xbftun-device nat64\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n");
	ck_assert_str_eq(c->tun_device, "nat64");
	conf_free(c);
}
END_TEST

/* RFC 7757 3.2: overlapping EAMs of different lengths are resolved by the
 * longest match, so nested IPv4 prefixes are allowed. */
START_TEST(rfc7757_nested_v4_maps_allowed)
{
	struct config *c = ok(BASE "map 198.51.100.0/24 2001:db8:1::/120\n"
			      "map 198.51.100.128/25 2001:db8:2::/121\n"
			      "map 198.51.100.130 2001:db8:3::1\n");
	ck_assert_uint_eq(c->nmaps, 3);
	conf_free(c);
}
END_TEST

/* RFC 6052 3.1 + drop-in compatibility: with the WKP only addresses that
 * get embedded in it matter. Pool and map IPv4 addresses stand for IPv6
 * hosts and are accepted (TAYGA's classic 64:ff9b::/96 + 192.168.255.0/24). */
START_TEST(rfc6052_3_1_wkp_private_pool_and_maps_accepted)
{
	struct config *c = ok("tun-device nat64\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n"
			      "prefix 64:ff9b::/96\ndynamic-pool 192.168.255.0/24\n"
			      "map 10.0.0.1 2001:db8:1::1\n");
	ck_assert(c->wkpf_strict);
	conf_free(c);
	/* global ipv4-addr: derivation into the WKP is fine */
	c = ok("tun-device nat64\nipv4-addr 198.51.99.1\nprefix 64:ff9b::/96\n");
	ck_assert(eq6(&c->ipv6_addr, "64:ff9b::c633:6301"));
	conf_free(c);
}
END_TEST

START_TEST(rfc6052_3_1_wkpf_strict_no_derives)
{
	struct config *c = ok("tun-device nat64\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\nwkpf-strict no\n");

	ck_assert(eq6(&c->ipv6_addr, "64:ff9b::c0a8:ff01"));
	conf_free(c);
}
END_TEST

/* RFC 8215: 64:ff9b:1::/48 is for local use; non-global IPv4 is fine. */
START_TEST(rfc8215_local_use_prefix_exempt)
{
	struct config *c = ok("tun-device nat64\nipv4-addr 192.168.255.1\nprefix 64:ff9b:1::/96\n");

	ck_assert(eq6(&c->ipv6_addr, "64:ff9b:1::c0a8:ff01"));
	conf_free(c);
	c = ok("tun-device nat64\nipv4-addr 10.1.2.3\nprefix 64:ff9b:1::/48\n");
	conf_free(c);
}
END_TEST

START_TEST(ipv6_addr_equal_to_derived_allowed)
{
	struct config *c = ok(BASE "ipv6-addr 2001:db8:64::c000:201\n");

	conf_free(c);
}
END_TEST

START_TEST(no_prefix_with_ipv6_addr_and_maps)
{
	struct config *c = ok("tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ff::1\n"
			      "map 198.51.100.0/24 2001:db8:1::/120\n");
	ck_assert(!c->have_prefix);
	ck_assert(eq6(&c->rfc6791_v6, "2001:db8:ff::1"));
	conf_free(c);
}
END_TEST

START_TEST(map_inside_pool_allowed)
{
	/* the pool skips statically mapped addresses (pool.h) */
	struct config *c = ok(BASE "dynamic-pool 10.64.0.0/24\nmap 10.64.0.5 2001:db8:1::5\n"
			      "map 10.64.0.128/25 2001:db8:2::/121\n");
	conf_free(c);
	/* and ipv4-addr inside the pool is allowed too */
	c = ok("tun-device nat64\nipv4-addr 10.64.0.1\nprefix 2001:db8:64::/96\ndynamic-pool 10.64.0.0/24\n");
	conf_free(c);
}
END_TEST

START_TEST(many_maps_fast)
{
	/* 20000 maps: overlap checks must not be quadratic */
	size_t cap = 20000 * 48 + 256, n;
	char *buf = malloc(cap);
	struct config *c;

	ck_assert_ptr_nonnull(buf);
	n = (size_t)snprintf(buf, cap, BASE);
	for (unsigned i = 0; i < 20000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "map 10.%u.%u.1 2001:db8:1::%x\n", i / 256, i % 256, i + 1);
	c = ok(buf);
	ck_assert_uint_eq(c->nmaps, 20000);
	conf_free(c);
	/* one duplicate at the end is found and named */
	n += (size_t)snprintf(buf + n, cap - n, "map 10.0.7.1 2001:db8:9::1\n");
	bad(buf, "tayga.conf:20004: map: IPv4 10.0.7.1/32 is already mapped on line 11", NULL);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------- errors */

/* A config that must be refused: the message starts with prefix (the exact
 * "file:line: directive:" part and the reason) and contains needle when it
 * is not NULL. Grouped by directive; a group's comment cites the rule. */
struct bad_case {
	const char *text, *prefix, *needle;
};

static const struct bad_case bad_cases[] = {
	/* unknown directive */
	{ BASE "no-such-thing 42\n",
	  "tayga.conf:4: unknown directive \"no-such-thing\"", NULL },
	/* a typo of a real directive too */
	{ "tun-device nat64\nipv4-adr 192.0.2.1\n",
	  "tayga.conf:2: unknown directive \"ipv4-adr\"", NULL },
	/* issue 14.9: control characters from the line are escaped, not sent
	 * to the terminal raw */
	{ BASE "tun-devic\x1b[2J x\n",
	  "tayga.conf:4: unknown directive \"tun-devic\\x1b[2J\"", NULL },
	{ BASE "offload \a\x7f\n",
	  "tayga.conf:4: offload: expected auto, on or off, not \"\\x07\\x7f\"", NULL },
	/* CR-only line ends read as one line: say so (CRLF is accepted) */
	{ "tun-device nat64\ripv4-addr 192.0.2.1\rprefix 2001:db8:64::/96\r",
	  "tayga.conf:1: carriage return (CR) inside the line: the file seems to have CR-only line ends", NULL },
	{ "# tayga.conf\rtun-device nat64\r", "tayga.conf:1: carriage return (CR) inside the line", NULL },
	{ BASE "offload on\r\r\nlog drop\rdyn\r\n", "tayga.conf:5: carriage return (CR)", "LF (or CRLF)" },
	/* repeated directive */
	{ BASE "prefix 2001:db8:65::/96\n",
	  "tayga.conf:4: prefix: given twice (first on line 3)", NULL },
	{ BASE "TUN-DEVICE x\n",
	  "tayga.conf:4: tun-device: given twice (first on line 1)", NULL },
	{ BASE "log drop\nlog dyn\n",
	  "tayga.conf:5: log: given twice (first on line 4)", NULL },
	/* argument count */
	{ BASE "map 192.0.2.9\n",
	  "tayga.conf:4: map: wrong number of arguments", "map IPV4[/LEN] IPV6[/LEN]" },
	{ BASE "offlink-mtu\n",
	  "tayga.conf:4: offlink-mtu: wrong number of arguments", NULL },
	{ BASE "tun-up yes no\n",
	  "tayga.conf:4: tun-up: wrong number of arguments", NULL },
	{ BASE "dynamic-limit 64\n",
	  "tayga.conf:4: dynamic-limit: wrong number of arguments", NULL },
	{ BASE "icmp-ratelimit 1 2 3\n",
	  "tayga.conf:4: icmp-ratelimit: wrong number of arguments", NULL },
	{ BASE "log\n",
	  "tayga.conf:4: log: wrong number of arguments", NULL },
	{ BASE "map 1 2 3 4 5 6 7 8 9 10\n",
	  "tayga.conf:4: too many words", NULL },
	/* missing mandatory */
	{ "ipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n",
	  "tayga.conf: missing mandatory directive tun-device", NULL },
	{ "tun-device nat64\nprefix 2001:db8:64::/96\n",
	  "tayga.conf: missing mandatory directive ipv4-addr", NULL },
	{ "",
	  "tayga.conf: missing mandatory directive tun-device", NULL },
	/* tun-device name */
	{ "tun-device abcdefghijklmnop\n",
	  "tayga.conf:1: tun-device: name \"abcdefghijklmnop\" is longer than 15", NULL },
	{ "tun-device a/b\n",
	  "tayga.conf:1: tun-device: \"a/b\" is not a valid interface name", NULL },
	{ "tun-device ..\n",
	  "tayga.conf:1: tun-device: \"..\" is not a valid interface name", NULL },
	/* ipv4-addr */
	{ "tun-device t\nipv4-addr 300.1.1.1\n",
	  "tayga.conf:2: ipv4-addr: \"300.1.1.1\" is not an IPv4 address", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1/24\n",
	  "tayga.conf:2: ipv4-addr: takes an address without a /length", NULL },
	{ "tun-device t\nipv4-addr 127.0.0.1\n",
	  "tayga.conf:2: ipv4-addr: 127.0.0.1 is a reserved address", NULL },
	{ "tun-device t\nipv4-addr 224.0.0.5\n",
	  "tayga.conf:2: ipv4-addr: 224.0.0.5 is a reserved address", NULL },
	{ "tun-device t\nipv4-addr 0.1.2.3\n",
	  "tayga.conf:2: ipv4-addr: 0.1.2.3 is a reserved address", NULL },
	/* ipv6-addr */
	{ BASE "ipv6-addr 2001:db8::g\n",
	  "tayga.conf:4: ipv6-addr: \"2001:db8::g\" is not an IPv6 address", NULL },
	{ BASE "ipv6-addr ::1\n",
	  "tayga.conf:4: ipv6-addr: ::1 is a reserved address", NULL },
	{ BASE "ipv6-addr fe80::1\n",
	  "tayga.conf:4: ipv6-addr: fe80::1 is a reserved address", NULL },
	{ BASE "ipv6-addr ff02::1\n",
	  "tayga.conf:4: ipv6-addr: ff02::1 is a reserved address", NULL },
	/* prefix: RFC 6052 2.2 lengths */
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/33\n",
	  "tayga.conf:3: prefix: length 33 is not one of 32,40,48,56,64,96", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/128\n",
	  "tayga.conf:3: prefix: length 128 is not one of 32,40,48,56,64,96", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::\n",
	  "tayga.conf:3: prefix: a prefix length is required", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/abc\n",
	  "tayga.conf:3: prefix: invalid IPv6 prefix length", NULL },
	/* prefix: host bits */
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::1/96\n",
	  "tayga.conf:3: prefix: 2001:db8::1/96 has bits set after the prefix length", "2001:db8::/96" },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:1:1::/56\n",
	  "tayga.conf:3: prefix: 2001:db8:1:1::/56 has bits set after the prefix length", NULL },
	/* prefix: RFC 6052 2.2, bits 64-71 must be zero (inside the prefix only for /96) */
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:0:0:ff00::/96\n",
	  "tayga.conf:3: prefix: bits 64-71", "u-octet" },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:0:0:100::/96\n",
	  "tayga.conf:3: prefix: bits 64-71", NULL },
	/* prefix: reserved ranges */
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix fe80::/64\n",
	  "tayga.conf:3: prefix: fe80::/64 is inside a reserved range", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix ff0e::/96\n",
	  "tayga.conf:3: prefix: ff0e::/96 is inside a reserved range", NULL },
	/* a prefix in ::/8 other than the WKP /96 or inside 64:ff9b:1::/48: its
	 * first address may be 64:ff9b::, but every address with an IPv4
	 * address embedded is never translated (issue 14.6) */
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/64\n",
	  "tayga.conf:3: prefix: 64:ff9b::/64 would embed IPv4 addresses in ::/8, which is never translated "
	  "outside 64:ff9b::/96 and 64:ff9b:1::/48", "every IPv6 to IPv4 packet would be dropped" },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/32\n",
	  "tayga.conf:3: prefix: 64:ff9b::/32 would embed IPv4 addresses in ::/8", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/40\n",
	  "tayga.conf:3: prefix: 64:ff9b::/40 would embed", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix 0:1::/32\n",
	  "tayga.conf:3: prefix: 0:1::/32 would embed", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nprefix ::/96\n",
	  "tayga.conf:3: prefix: ::/96 would embed", NULL },
	/* RFC 6052 3.1: the WKP must not carry a non-global ipv4-addr */
	{ "tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\n",
	  "tayga.conf:2: ipv6-addr: must be given", "wkpf-strict no" },
	{ "tun-device t\nipv4-addr 10.0.0.1\nprefix 64:ff9b::/96\n",
	  "tayga.conf:2: ipv6-addr: must be given", "RFC 6052" },
	/* an explicit ipv6-addr that is exactly that embedding is refused too */
	{ "tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\nipv6-addr 64:ff9b::c0a8:ff01\n",
	  "tayga.conf:4: ipv6-addr: 64:ff9b::c0a8:ff01 embeds non-global ipv4-addr 192.168.255.1", "wkpf-strict no" },
	/* ipv6-addr inside the prefix */
	{ BASE "ipv6-addr 2001:db8:64::1\n",
	  "tayga.conf:4: ipv6-addr: 2001:db8:64::1 is inside prefix 2001:db8:64::/96 but is not prefix+ipv4-addr (2001:db8:64::c000:201)", NULL },
	/* no prefix */
	{ "tun-device t\nipv4-addr 192.0.2.1\nmap 198.51.100.1 2001:db8:1::1\n",
	  "tayga.conf:2: ipv6-addr: must be given when there is no prefix", NULL },
	{ "tun-device t\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8::1\n",
	  "tayga.conf: nothing to translate", NULL },
	/* map syntax; RFC 7757 3.2: the IPv6 suffix must hold the IPv4 suffix bits */
	{ BASE "map 198.51.0.0/16 2001:db8:1::/120\n",
	  "tayga.conf:4: map: the IPv6 suffix of 2001:db8:1::/120 is shorter than the IPv4 suffix of 198.51.0.0/16", NULL },
	{ BASE "map 198.51.100.0/24 2001:db8:1::1\n",
	  "tayga.conf:4: map: the IPv6 suffix of 2001:db8:1::1 is shorter than the IPv4 suffix of 198.51.100.0/24", NULL },
	{ BASE "map 198.51.100.1/24 2001:db8:1::/120\n",
	  "tayga.conf:4: map: 198.51.100.1/24 has bits set after the prefix length", NULL },
	{ BASE "map 198.51.100.0/24 2001:db8:1::1/120\n",
	  "tayga.conf:4: map: 2001:db8:1::1/120 has bits set after the prefix length", NULL },
	{ BASE "map 198.51.100.0/33 2001:db8:1::1\n",
	  "tayga.conf:4: map: invalid IPv4 prefix length \"/33\"", NULL },
	{ BASE "map 2001:db8:1::1 198.51.100.1\n",
	  "tayga.conf:4: map: \"2001:db8:1::1\" is not an IPv4 address", NULL },
	{ BASE "map 198.51.100.1 198.51.100.2\n",
	  "tayga.conf:4: map: \"198.51.100.2\" is not an IPv6 address", NULL },
	/* map: reserved ranges */
	{ BASE "map 127.0.0.1 2001:db8:1::1\n",
	  "tayga.conf:4: map: 127.0.0.1 is (or contains) a reserved IPv4 range", NULL },
	{ BASE "map 224.1.2.0/24 2001:db8:1::/120\n",
	  "tayga.conf:4: map: 224.1.2.0/24 is (or contains) a reserved", NULL },
	/* a wide prefix that contains a reserved /8 */
	{ BASE "map 64.0.0.0/2 2001:db8:1::/98\n",
	  "tayga.conf:4: map: 64.0.0.0/2 is (or contains) a reserved", NULL },
	{ BASE "map 0.0.0.0/0 2001:db8:1::/96\n",
	  "tayga.conf:4: map: 0.0.0.0/0 is (or contains) a reserved", NULL },
	{ BASE "map 198.51.100.1 fe80::1\n",
	  "tayga.conf:4: map: fe80::1/128 is (or contains) a reserved IPv6 range", NULL },
	{ BASE "map 198.51.100.1 ::1\n",
	  "tayga.conf:4: map: ::1/128 is (or contains) a reserved IPv6 range", NULL },
	/* 64:ff9b::/88 starts in the WKP /96 but holds ::/8 addresses outside it */
	{ BASE "map 198.51.100.0/24 64:ff9b::/88\n",
	  "tayga.conf:4: map: 64:ff9b::/88 is (or contains) a reserved IPv6 range", NULL },
	/* map overlapping the prefix */
	{ BASE "map 198.51.100.1 2001:db8:64::5\n",
	  "tayga.conf:4: map: IPv6 2001:db8:64::5/128 overlaps prefix 2001:db8:64::/96 (line 3)", NULL },
	/* prefix given after the map: still reported on the map line */
	{ "tun-device t\nipv4-addr 192.0.2.1\nmap 198.51.100.0/24 2001:db8::/120\nprefix 2001:db8::/32\n",
	  "tayga.conf:3: map: IPv6 2001:db8::/120 overlaps prefix 2001:db8::/32 (line 4)", NULL },
	/* map: IPv6 overlap */
	{ BASE "map 198.51.100.1 2001:db8:1::1\nmap 198.51.100.2 2001:db8:1::1\n",
	  "tayga.conf:5: map: IPv6 2001:db8:1::1/128 overlaps 2001:db8:1::1/128 mapped on line 4", NULL },
	/* nested IPv6 (the later line is the wide one) */
	{ BASE "map 198.51.100.7 2001:db8:1::7\nmap 198.51.100.0/24 2001:db8:1::/120\n",
	  "tayga.conf:5: map: IPv6 2001:db8:1::/120 overlaps 2001:db8:1::7/128 mapped on line 4", NULL },
	/* an unrelated entry sorted between two overlapping ones */
	{ BASE "map 198.51.100.0/24 2001:db8:1::/120\nmap 203.0.113.1 2001:db8:1::1:0\n" "map 203.0.113.2 2001:db8:1::ff\n",
	  "tayga.conf:6: map: IPv6 2001:db8:1::ff/128 overlaps 2001:db8:1::/120 mapped on line 4", NULL },
	/* the overlapping pair sorts after an unrelated, lower entry */
	{ BASE "map 203.0.113.1 2001:db8::1\nmap 198.51.100.0/24 2001:db8:1::/120\n" "map 203.0.113.2 2001:db8:1::5\n",
	  "tayga.conf:6: map: IPv6 2001:db8:1::5/128 overlaps 2001:db8:1::/120 mapped on line 5", NULL },
	/* map: IPv4 duplicate */
	{ BASE "map 198.51.100.1 2001:db8:1::1\nmap 198.51.100.1 2001:db8:1::2\n",
	  "tayga.conf:5: map: IPv4 198.51.100.1/32 is already mapped on line 4", NULL },
	{ BASE "map 198.51.100.0/24 2001:db8:1::/120\nmap 198.51.100.0/24 2001:db8:2::/120\n",
	  "tayga.conf:5: map: IPv4 198.51.100.0/24 is already mapped on line 4", NULL },
	/* map against the own addresses */
	{ BASE "map 192.0.2.0/24 2001:db8:1::/120\n",
	  "tayga.conf:4: map: IPv4 192.0.2.0/24 contains ipv4-addr 192.0.2.1 (line 2)", NULL },
	{ BASE "ipv6-addr 2001:db8:1::5\nmap 198.51.100.0/24 2001:db8:1::/120\n",
	  "tayga.conf:5: map: IPv6 2001:db8:1::/120 contains ipv6-addr 2001:db8:1::5 (line 4)", NULL },
	/* map covering the pool */
	{ BASE "dynamic-pool 10.64.0.0/24\nmap 10.64.0.0/16 2001:db8:1::/112\n",
	  "tayga.conf:5: map: IPv4 10.64.0.0/16 covers the whole dynamic-pool 10.64.0.0/24 (line 4)", NULL },
	{ BASE "dynamic-pool 10.64.0.0/24\nmap 10.64.0.0/24 2001:db8:1::/120\n",
	  "tayga.conf:5: map: IPv4 10.64.0.0/24 covers the whole dynamic-pool", NULL },
	/* dynamic-pool */
	{ BASE "dynamic-pool 10.64.0.0\n",
	  "tayga.conf:4: dynamic-pool: a prefix length is required", NULL },
	{ BASE "dynamic-pool 10.64.0.0/32\n",
	  "tayga.conf:4: dynamic-pool: length /32 is too long", NULL },
	{ BASE "dynamic-pool 10.64.0.1/24\n",
	  "tayga.conf:4: dynamic-pool: 10.64.0.1/24 has bits set after the prefix length", NULL },
	{ BASE "dynamic-pool 127.0.0.0/16\n",
	  "tayga.conf:4: dynamic-pool: 127.0.0.0/16 is (or contains) a reserved range", NULL },
	/* values of the other directives */
	{ BASE "wkpf-strict maybe\n",
	  "tayga.conf:4: wkpf-strict: expected yes or no, not \"maybe\"", NULL },
	{ BASE "tun-up 2\n",
	  "tayga.conf:4: tun-up: expected yes or no", NULL },
	{ BASE "strict-frag-hdr perhaps\n",
	  "tayga.conf:4: strict-frag-hdr: expected yes or no", NULL },
	{ BASE "udp-cksum-mode fix\n",
	  "tayga.conf:4: udp-cksum-mode: expected drop, calc, fwd (forward) or reject, not \"fix\"",
	  NULL },
	/* neither TAYGA's prefixes nor ours */
	{ BASE "udp-cksum-mode d\n",
	  "tayga.conf:4: udp-cksum-mode: expected drop, calc, fwd (forward) or reject, not \"d\"",
	  NULL },
	{ BASE "udp-cksum-mode fw\n",
	  "tayga.conf:4: udp-cksum-mode: expected drop, calc, fwd (forward) or reject, not \"fw\"",
	  NULL },
	{ BASE "udp-cksum-mode rejects\n",
	  "tayga.conf:4: udp-cksum-mode: expected drop, calc, fwd (forward) or reject, not \"rejects\"",
	  NULL },
	{ BASE "offload maybe\n",
	  "tayga.conf:4: offload: expected auto, on or off", NULL },
	{ BASE "io-uring fast\n",
	  "tayga.conf:4: io-uring: expected auto, on or off, not \"fast\"", NULL },
	{ BASE "io-uring\n",
	  "tayga.conf:4: io-uring:", NULL },
	{ BASE "io-uring on\nio-uring off\n",
	  "tayga.conf:5: io-uring: given twice (first on line 4)", NULL },
	{ BASE "log drop everything\n",
	  "tayga.conf:4: log: unknown event \"everything\"", NULL },
	{ BASE "log none drop\n",
	  "tayga.conf:4: log: \"none\" cannot be combined", NULL },
	{ BASE "offlink-mtu 1279\n",
	  "tayga.conf:4: offlink-mtu: \"1279\" is not a number in 1280..65535", NULL },
	{ BASE "offlink-mtu 65536\n",
	  "tayga.conf:4: offlink-mtu: \"65536\" is not a number", NULL },
	{ BASE "offlink-mtu -1500\n",
	  "tayga.conf:4: offlink-mtu: \"-1500\" is not a number", NULL },
	{ BASE "offlink-mtu 99999999999999999999999\n",
	  "tayga.conf:4: offlink-mtu:", NULL },
	{ BASE "workers many\n",
	  "tayga.conf:4: workers: \"many\" is not a number", NULL },
	{ BASE "data-dir var/db/tayga\n",
	  "tayga.conf:4: data-dir: \"var/db/tayga\" must be an absolute path", NULL },
	{ BASE "stats-interval 0\n",
	  "tayga.conf:4: stats-interval: \"0\" is not a number of seconds", NULL },
	{ BASE "rx-hold-usecs 10001\n",
	  "tayga.conf:4: rx-hold-usecs: \"10001\" is not a number in 0..10000", NULL },
	{ BASE "rx-hold-usecs -5\n",
	  "tayga.conf:4: rx-hold-usecs: \"-5\" is not a number", NULL },
	{ BASE "rx-hold-usecs auto\n",
	  "tayga.conf:4: rx-hold-usecs: \"auto\" is not a number", NULL },
	{ BASE "rx-busy-poll-usecs 10001\n",
	  "tayga.conf:4: rx-busy-poll-usecs: \"10001\" is not a number in 0..10000", NULL },
	{ BASE "rx-busy-poll-usecs often\n",
	  "tayga.conf:4: rx-busy-poll-usecs: \"often\" is not a number", NULL },
	/* dynamic-limit */
	{ BASE "dynamic-limit 0 16\n",
	  "tayga.conf:4: dynamic-limit: IPv6 prefix length \"0\"", NULL },
	{ BASE "dynamic-limit 129 16\n",
	  "tayga.conf:4: dynamic-limit: IPv6 prefix length \"129\"", NULL },
	{ BASE "dynamic-limit 64 x\n",
	  "tayga.conf:4: dynamic-limit: count \"x\" is not a number", NULL },
	/* icmp-ratelimit */
	{ BASE "icmp-ratelimit fast\n",
	  "tayga.conf:4: icmp-ratelimit: rate \"fast\"", NULL },
	{ BASE "icmp-ratelimit 100 0\n",
	  "tayga.conf:4: icmp-ratelimit: burst \"0\"", NULL },
	/* rfc6791-v4/-v6 */
	{ BASE "rfc6791-v4 127.0.0.1\n",
	  "tayga.conf:4: rfc6791-v4: 127.0.0.1 is a reserved address", NULL },
	{ BASE "rfc6791-v4 192.0.0.8/29\n",
	  "tayga.conf:4: rfc6791-v4: takes an address without a /length", NULL },
	{ BASE "rfc6791-v6 ff02::2\n",
	  "tayga.conf:4: rfc6791-v6: ff02::2 is a reserved address", NULL },
	/* ::/8 (issue 27: tayga.conf(5) says so) */
	{ BASE "rfc6791-v6 2::2\n",
	  "tayga.conf:4: rfc6791-v6: 2::2 is a reserved address", NULL },
	/* tun-ip, tun-route */
	{ BASE "tun-ip 10.0.0.1/33\n",
	  "tayga.conf:4: tun-ip: invalid IPv4 prefix length", NULL },
	{ BASE "tun-ip nonsense\n",
	  "tayga.conf:4: tun-ip: \"nonsense\" is not an IPv4 address", NULL },
	{ BASE "tun-route 10.0.0.1/8\n",
	  "tayga.conf:4: tun-route: 10.0.0.1/8 has bits set after the prefix length", NULL },
	{ BASE "tun-route 2001:db8::1/64\n",
	  "tayga.conf:4: tun-route: 2001:db8::1/64 has bits set", NULL },
};

START_TEST(err_table)
{
	bad(bad_cases[_i].text, bad_cases[_i].prefix, bad_cases[_i].needle);
}
END_TEST

/* Edge values next to the errors above that must still be accepted. */
static const char *const edge_ok[] = {
	/* bit 72 onwards is fine */
	"tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:0:0:ff::/96\n",
	/* prefixes inside 64:ff9b:1::/48 (RFC 8215) and the WKP range in a map */
	"tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b:1:ab00::/56\n",
	"tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b:1::/48\n",
	BASE "map 198.51.100.0/24 64:ff9b::c633:6400/120\n",
	/* 128.0.0.0/2 is all usable */
	BASE "map 128.0.0.0/2 2001:db8:1::/98\n",
	/* shortest dynamic-pool */
	BASE "dynamic-pool 10.64.0.0/31\n",
	/* dynamic-limit count 0 */
	BASE "dynamic-limit 56 0\n",
};

START_TEST(edge_ok_table)
{
	conf_free(ok(edge_ok[_i]));
}
END_TEST

/* issue 14.9: a token too long for the message is cut, the explanation
 * after it kept */
START_TEST(err_long_token_keeps_explanation)
{
	size_t n = 5000, len = strlen(BASE "offlink-mtu ");
	char *text = malloc(len + n + 2);

	ck_assert_ptr_nonnull(text);
	memcpy(text, BASE "offlink-mtu ", len);
	memset(text + len, '9', n);
	strcpy(text + len + n, "\n");
	bad(text, "tayga.conf:4: offlink-mtu: \"9999", "9999... is not a number in 1280..65535");
	ck_assert_uint_lt(strlen(err), 200);
	/* an unknown directive of 5000 characters: its start */
	memset(text + strlen(BASE), 'x', len - strlen(BASE));
	bad(text, "tayga.conf:4: unknown directive \"xxxxxxxxxxxx9999", "9999...");
	ck_assert_uint_lt(strlen(err), 200);
	free(text);
}
END_TEST

START_TEST(err_buffer_small)
{
	char small[12];
	struct config *c;

	memset(small, 'x', sizeof(small));
	c = conf_parse_string("bogus\n", "tayga.conf", small, sizeof(small));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(small, "tayga.conf:");   /* truncated, terminated */
	/* no buffer at all is fine too */
	ck_assert_ptr_null(conf_parse_string("bogus\n", "tayga.conf", NULL, 0));
}
END_TEST

/* ---------------------------------------------------------------- files */

START_TEST(load_file_and_errors)
{
	const char *p = TMPW("t.conf", BASE "map 198.51.100.1 2001:db8:1::1\n");
	struct config *c = conf_load(p, err, sizeof(err));
	char want[512];

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->path, p);
	ck_assert_str_eq(c->maps[0].file, p);
	conf_free(c);

	p = TMPW("bad.conf", BASE "\n\nprefixx 1\n");
	ck_assert_ptr_null(conf_load(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:6: unknown directive \"prefixx\"", p);
	ck_assert_str_eq(err, want);

	snprintf(want, sizeof(want), "%s/missing.conf", tmpdir);
	ck_assert_ptr_null(conf_load(want, err, sizeof(err)));
	ck_assert_msg(strstr(err, "missing.conf: cannot open: ") == err + strlen(tmpdir) + 1, "%s", err);

	/* a NUL byte in the middle of a line */
	p = tmp_write("nul.conf", "tun-device t\nipv4-addr 192.0.2.1\0junk\n", 35);
	ck_assert_ptr_null(conf_load(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:2: NUL byte", p);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);

	/* a directory is not a config file */
	ck_assert_ptr_null(conf_load(tmpdir, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: is a directory, not a regular file", tmpdir);
	ck_assert_str_eq(err, want);

	/* a FIFO is refused at once instead of blocking until a writer comes
	 * (start-up, or the whole daemon at a reload; check's timeout fails
	 * this test if it blocks) */
	snprintf(want, sizeof(want), "%s/fifo.conf", tmpdir);
	ck_assert_int_eq(mkfifo(want, 0600), 0);
	ck_assert_ptr_null(conf_load(want, err, sizeof(err)));
	strcat(want, ": is a FIFO, not a regular file");
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(conf_load("/dev/zero", err, sizeof(err)));
	ck_assert_str_eq(err, "/dev/zero: is a character device, not a regular file");
}
END_TEST

START_TEST(map_file_good)
{
	char conf[2048];
	const char *mf = TMPW("maps.txt", "# static maps\n\nMAP 198.51.100.1 2001:db8:1::1  # one\n"
			      "map 198.51.100.16/28 2001:db8:2::/124\n");
	struct config *c;

	snprintf(conf, sizeof(conf), BASE "map-file %s\nmap 203.0.113.9 2001:db8:3::9\n", mf);
	c = ok(conf);
	ck_assert_str_eq(c->map_file, mf);
	ck_assert_uint_eq(c->nmaps, 3);
	/* config maps first, then the map-file's, each knowing where it came from */
	ck_assert(eq4(c->maps[0].v4, "203.0.113.9"));
	ck_assert_str_eq(c->maps[0].file, "tayga.conf");
	ck_assert_uint_eq(c->maps[0].line, 5);
	ck_assert(eq4(c->maps[1].v4, "198.51.100.1"));
	ck_assert_str_eq(c->maps[1].file, mf);
	ck_assert_uint_eq(c->maps[1].line, 3);
	ck_assert_uint_eq(c->maps[2].len4, 28);
	ck_assert_uint_eq(c->maps[2].line, 4);
	conf_free(c);

	/* a map-file alone (no prefix) is something to translate */
	snprintf(conf, sizeof(conf), "tun-device t\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ff::1\nmap-file %s\n", mf);
	conf_free(ok(conf));
}
END_TEST

START_TEST(map_file_relative_to_config_dir)
{
	const char *p;
	struct config *c;
	char want[256];

	TMPW("rel-maps.txt", "map 198.51.100.1 2001:db8:1::1\n");
	p = TMPW("rel.conf", BASE "map-file rel-maps.txt\nstats-file tayga.prom\n");
	c = conf_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	snprintf(want, sizeof(want), "%s/rel-maps.txt", tmpdir);
	ck_assert_str_eq(c->map_file, want);
	ck_assert_uint_eq(c->nmaps, 1);
	snprintf(want, sizeof(want), "%s/tayga.prom", tmpdir);
	ck_assert_str_eq(c->stats_file, want);
	conf_free(c);
}
END_TEST

/* The map-file is a soft source (issue 11): the config loads, the bad
 * line is left out and reported as a warning "mapfile:line: message". */
static void soft(const char *conf, size_t nmaps, const char *warn_prefix)
{
	struct config *c = ok(conf);

	ck_assert_uint_eq(c->nmaps, nmaps);
	ck_assert_uint_eq(c->nwarnings, 1);
	ck_assert_msg(strncmp(c->warnings[0], warn_prefix, strlen(warn_prefix)) == 0,
		      "warning \"%s\" does not start with \"%s\"", c->warnings[0], warn_prefix);
	ck_assert_msg(strstr(c->warnings[0], "; line skipped") != NULL, "%s", c->warnings[0]);
	conf_free(c);
}

START_TEST(map_file_errors)
{
	char conf[2048], want[512];
	const char *mf;

	/* syntax error: reported as mapfile:line, the other line is used */
	mf = TMPW("m1.txt", "map 198.51.100.1 2001:db8:1::1\n# c\nmap 198.51.100.2/24 2001:db8:1::2\n");
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", mf);
	soft(conf, 1, (snprintf(want, sizeof(want), "%s:3: map: the IPv6 suffix of 2001:db8:1::2 is shorter", mf), want));

	/* only map lines */
	mf = TMPW("m2.txt", "map 198.51.100.1 2001:db8:1::1\nprefix 2001:db8::/96\n");
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", mf);
	soft(conf, 1, (snprintf(want, sizeof(want), "%s:2: prefix: only map lines are allowed in a map-file", mf), want));

	/* unknown word */
	mf = TMPW("m3.txt", "mapp 198.51.100.1 2001:db8:1::1\n");
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", mf);
	soft(conf, 0, (snprintf(want, sizeof(want), "%s:1: unknown directive \"mapp\"", mf), want));

	/* cross-check against the prefix (what reload.sh does) */
	mf = TMPW("m4.txt", "map 198.51.100.1 2001:db8:1::1\nmap 198.51.100.3 2001:db8:64::1\n");
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", mf);
	soft(conf, 1, (snprintf(want, sizeof(want), "%s:2: map: IPv6 2001:db8:64::1/128 overlaps prefix 2001:db8:64::/96 (tayga.conf:3)", mf), want));

	/* the same IPv4 address in both files: the config file wins */
	mf = TMPW("m5.txt", "map 198.51.100.1 2001:db8:1::2\n");
	snprintf(conf, sizeof(conf), BASE "map 198.51.100.1 2001:db8:1::1\nmap-file %s\n", mf);
	soft(conf, 1, (snprintf(want, sizeof(want), "%s:1: map: 198.51.100.1/32 2001:db8:1::2/128 conflicts with the map on tayga.conf:4 (the configuration file wins)", mf), want));

	/* missing map-file: the config line that names it */
	snprintf(conf, sizeof(conf), BASE "map-file %s/none.txt\n", tmpdir);
	snprintf(want, sizeof(want), "tayga.conf:4: map-file: %s/none.txt: cannot open: No such file", tmpdir);
	bad(conf, want, NULL);

	/* a map-file that is not a regular file; a FIFO must not block */
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", tmpdir);
	bad(conf, (snprintf(want, sizeof(want), "tayga.conf:4: map-file: %s: is a directory, not a regular file",
			    tmpdir), want), NULL);
	snprintf(want, sizeof(want), "%s/maps.fifo", tmpdir);
	ck_assert_int_eq(mkfifo(want, 0600), 0);
	snprintf(conf, sizeof(conf), BASE "map-file %s\n", want);
	strcat(want, ": is a FIFO");
	bad(conf, "tayga.conf:4: map-file: ", want);

	/* map-file given twice */
	snprintf(conf, sizeof(conf), BASE "map-file %s\nmap-file %s\n", mf, mf);
	bad(conf, "tayga.conf:5: map-file: given twice (first on line 4)", NULL);
}
END_TEST

/* conf_check_paths: the config parses, the paths it names are refused
 * with "file:line: directive: message" (the message starts with fmt, the
 * temp directory put in for each %s). */
static void paths_bad(const char *conf, unsigned flags, const char *fmt)
{
	char want[1024];
	struct config *c = ok(conf);

	size_t n = 0;

	for (const char *f = fmt; *f && n + sizeof(tmpdir) < sizeof(want); f++) {
		if (f[0] == '%' && f[1] == 's') {
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s", tmpdir);
			f++;
		} else {
			want[n++] = *f;
		}
	}
	want[n] = '\0';
	ck_assert_msg(!conf_check_paths(c, flags, err, sizeof(err)), "accepted:\n%s", conf);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "message \"%s\" does not start with \"%s\"", err, want);
	conf_free(c);
}

static void paths_ok(const char *conf, unsigned flags)
{
	struct config *c = ok(conf);

	ck_assert_msg(conf_check_paths(c, flags, err, sizeof(err)), "%s", err);
	conf_free(c);
}

/* issue 14.5: files that are not what they seem */
START_TEST(paths_checked)
{
	char conf[1024], p[512];

	TMPW("file", "x\n");
	snprintf(p, sizeof(p), "%s/dd", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	/* good: an existing data-dir, a stats-file beside it; a data-dir that
	 * start-up creates (but a reload does not) */
	snprintf(conf, sizeof(conf), BASE "data-dir %s/dd\nstats-file %s/tayga.prom\n", tmpdir, tmpdir);
	paths_ok(conf, 0);
	paths_ok(conf, CONF_PATHS_RELOAD);
	snprintf(conf, sizeof(conf), BASE "data-dir %s/new\n", tmpdir);
	paths_ok(conf, 0);
	paths_bad(conf, CONF_PATHS_RELOAD,
		  "tayga.conf:4: data-dir: %s/new: No such file or directory (it is created at start-up only)");
	/* data-dir naming a regular file, or under one, or in a missing directory */
	snprintf(conf, sizeof(conf), BASE "data-dir %s/file\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: data-dir: %s/file is a regular file, not a directory");
	snprintf(conf, sizeof(conf), BASE "data-dir %s/file/sub\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: data-dir: %s/file/sub: Not a directory");
	snprintf(conf, sizeof(conf), BASE "data-dir %s/none/sub\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: data-dir: directory %s/none: No such file or directory "
		  "(data-dir would be created there)");
	/* dynamic.map that is not a regular file */
	snprintf(p, sizeof(p), "%s/dd/dynamic.map", tmpdir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	snprintf(conf, sizeof(conf), BASE "data-dir %s/dd\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: data-dir: %s/dd/dynamic.map is a FIFO, not a regular file");
	ck_assert_int_eq(unlink(p), 0);

	/* stats-file in a missing directory, a directory, a FIFO */
	snprintf(conf, sizeof(conf), BASE "stats-file %s/none/tayga.prom\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: stats-file: directory %s/none: No such file or directory");
	snprintf(conf, sizeof(conf), BASE "stats-file %s/dd\n", tmpdir);
	paths_bad(conf, 0, "tayga.conf:4: stats-file: %s/dd is a directory, not a regular file");
	/* stats-file overwriting dynamic.map */
	snprintf(conf, sizeof(conf), BASE "data-dir %s/dd\nstats-file %s/dd/dynamic.map\n", tmpdir, tmpdir);
	paths_bad(conf, 0, "tayga.conf:5: stats-file: %s/dd/dynamic.map is dynamic.map (it would be overwritten)");
	/* with -r the stats-file is written inside the jail: /run there is missing */
	snprintf(conf, sizeof(conf), BASE "data-dir %s/dd\nstats-file /run/tayga.prom\n", tmpdir);
	paths_ok(conf, 0);
	paths_bad(conf, CONF_PATHS_CHROOT, "tayga.conf:5: stats-file: directory %s/dd/run: No such file or "
		  "directory (with -r the stats-file is written inside data-dir)");
	snprintf(conf, sizeof(conf), BASE "data-dir %s/dd\nstats-file /tayga.prom\n", tmpdir);
	paths_ok(conf, CONF_PATHS_CHROOT);
}
END_TEST

/* a stats-file naming the config itself or the map-file (both found by
 * their inode too, under another name) */
START_TEST(paths_stats_file_not_the_config)
{
	char text[1024], want[1024], *cp, *mp;
	struct config *c;

	mp = strdup(TMPW("maps.txt", "map 198.51.100.1 2001:db8:1::1\n"));
	snprintf(text, sizeof(text), BASE "map-file %s\nstats-file %s/self.conf\n", mp, tmpdir);
	cp = strdup(TMPW("self.conf", text));
	c = conf_load(cp, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!conf_check_paths(c, 0, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:5: stats-file: %s is the configuration file (it would be overwritten)", cp, cp);
	ck_assert_str_eq(err, want);
	conf_free(c);
	snprintf(text, sizeof(text), BASE "stats-file %s/./maps.txt\nmap-file %s\n", tmpdir, mp);
	TMPW("self.conf", text);
	c = conf_load(cp, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!conf_check_paths(c, 0, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:4: stats-file: %s/./maps.txt is the map-file", cp, tmpdir);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	conf_free(c);
	free(cp);
	free(mp);
}
END_TEST

START_TEST(shipped_configs_load)
{
	static const char *const files[] = {
		"tayga.conf.example", "tests/data/clatd.conf", "tests/data/opnsense.conf", "tests/data/eam.conf",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct config *c = conf_load(srcfile(files[i]), err, sizeof(err));
		ck_assert_msg(c != NULL, "%s: %s", files[i], err);
		conf_free(c);
	}
}
END_TEST

/* Every commented-out directive in tayga.conf.example is valid and they
 * all fit together (map-file excepted: its file does not exist). */
START_TEST(example_commented_directives_load)
{
	FILE *in = fopen(srcfile("tayga.conf.example"), "r");
	char line[512], *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct config *c;
	unsigned uncommented = 0;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while (fgets(line, sizeof(line), in)) {
		if (line[0] == '#' && isalpha((unsigned char)line[1]) && strncmp(line, "#map-file", 9) != 0) {
			fputs(line + 1, out);
			uncommented++;
		} else {
			fputs(line, out);
		}
	}
	fclose(in);
	fclose(out);
	ck_assert_uint_ge(uncommented, 20);
	c = ok(text);
	ck_assert_uint_eq(c->nmaps, 2);
	ck_assert_uint_eq(c->dyn_limit_count, 16);
	ck_assert(eq4(c->rfc6791_v4, "192.0.0.8"));
	conf_free(c);
	free(text);
}
END_TEST

START_TEST(shipped_bad_config_fails)
{
	struct config *c = conf_load(srcfile("tests/data/bad-overlap.conf"), err, sizeof(err));

	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "bad-overlap.conf:9: map: IPv6 2001:db8:1::/120 overlaps 2001:db8:1::10/128 mapped on line 8"),
		      "%s", err);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *g = tcase_create("good");
	TCase *e = tcase_create("errors");
	TCase *f = tcase_create("files");

	tcase_add_test(g, minimal_clatd_style);
	tcase_add_test(g, opnsense_style);
	tcase_add_test(g, defaults);
	tcase_add_test(g, rx_busy_poll_auto_and_off);
	tcase_add_test(g, rfc6052_derived_ipv6_addr_each_length);
	tcase_add_test(g, every_directive);
	tcase_add_test(g, enum_values);
	tcase_add_test(g, tun_up_default);
	tcase_add_test(g, icmp_ratelimit_forms);
	tcase_add_test(g, case_insensitive_keywords_and_values);
	tcase_add_test(g, comments_blank_lines_crlf);
	tcase_add_test(g, rfc7757_nested_v4_maps_allowed);
	tcase_add_test(g, rfc6052_3_1_wkp_private_pool_and_maps_accepted);
	tcase_add_test(g, rfc6052_3_1_wkpf_strict_no_derives);
	tcase_add_test(g, rfc8215_local_use_prefix_exempt);
	tcase_add_test(g, ipv6_addr_equal_to_derived_allowed);
	tcase_add_test(g, no_prefix_with_ipv6_addr_and_maps);
	tcase_add_test(g, map_inside_pool_allowed);
	tcase_add_test(g, many_maps_fast);
	suite_add_tcase(s, g);

	tcase_add_loop_test(e, err_table, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_loop_test(e, edge_ok_table, 0, (int)(sizeof(edge_ok) / sizeof(edge_ok[0])));
	tcase_add_test(e, err_long_token_keeps_explanation);
	tcase_add_test(e, err_buffer_small);
	suite_add_tcase(s, e);

	tcase_add_checked_fixture(f, tmp_setup, tmp_teardown);
	tcase_add_test(f, load_file_and_errors);
	tcase_add_test(f, map_file_good);
	tcase_add_test(f, map_file_relative_to_config_dir);
	tcase_add_test(f, map_file_errors);
	tcase_add_test(f, paths_checked);
	tcase_add_test(f, paths_stats_file_not_the_config);
	tcase_add_test(f, shipped_configs_load);
	tcase_add_test(f, example_commented_directives_load);
	tcase_add_test(f, shipped_bad_config_fails);
	suite_add_tcase(s, f);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
