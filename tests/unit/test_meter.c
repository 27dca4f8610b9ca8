/* test_meter.c - usage accounting and byte rate limits: the token bucket
 * (ratelimit.c) with an injected clock, prefix folding and the bounded
 * table (ptable.c), per-prefix and total buckets (bucket.c), the config
 * directives, and both features around the translator (meter.c); the usage
 * tables themselves are test_usage.c. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/bucket.h"
#include "config/conf.h"
#include "account/meter.h"
#include "lib/ptable.h"
#include "lib/ratelimit.h"
#include "lib/testpkt.h"
#include "account/usage.h"

/* ---------- token bucket in bytes ---------- */

START_TEST(bucket_burst_then_refill)
{
	struct ratelimit r;

	ratelimit_init(&r, 1000, 1500, 5000);   /* 1000 B/s, 1500 B burst */
	ck_assert(ratelimit_ready(&r, 5000, 1500));
	ratelimit_charge(&r, 1500);
	ck_assert(!ratelimit_ready(&r, 5000, 1));
	/* 500 ms refill 500 bytes, not 501 */
	ck_assert(!ratelimit_ready(&r, 5500, 501));
	ck_assert(ratelimit_ready(&r, 5500, 500));
	/* a long idle time fills to the burst and no further */
	ck_assert(ratelimit_full(&r, 600000));
	ck_assert(ratelimit_ready(&r, 600000, 1500));
	ratelimit_charge(&r, 1500);
	ck_assert(!ratelimit_ready(&r, 600000, 1));
	/* time going backwards adds nothing */
	ck_assert(!ratelimit_ready(&r, 1000, 1));
}
END_TEST

START_TEST(bucket_super_packet_charged_in_full)
{
	struct ratelimit r;

	ratelimit_init(&r, 1000, 1500, 0);
	/* a 64000-byte GSO packet passes a full 1500-byte bucket ... */
	ck_assert(ratelimit_ready(&r, 0, 64000));
	ratelimit_charge(&r, 64000);
	/* ... and leaves a 62500-byte debt: 62.5 s at 1000 B/s */
	ck_assert(!ratelimit_ready(&r, 62500, 1));
	ck_assert(ratelimit_ready(&r, 62501, 1));
	/* not full before the debt and a whole burst are back */
	ck_assert(!ratelimit_ready(&r, 62501, 64000));
	ck_assert(ratelimit_ready(&r, 64000, 64000));
}
END_TEST

START_TEST(bucket_sub_byte_rates_and_huge_values)
{
	struct ratelimit r;

	ratelimit_init(&r, 1, 1, 0);    /* one byte per second */
	ratelimit_charge(&r, 1);
	ck_assert(!ratelimit_ready(&r, 999, 1));
	ck_assert(ratelimit_ready(&r, 1000, 1));
	/* the largest settings must not overflow over long idle times */
	ratelimit_init(&r, RATELIMIT_MAX, RATELIMIT_MAX, 0);
	ratelimit_charge(&r, RATELIMIT_MAX);
	ck_assert(!ratelimit_ready(&r, 0, 1));
	ck_assert(ratelimit_full(&r, UINT64_MAX / 2));
	/* a new burst keeps the level, capped */
	ratelimit_init(&r, 1000, 10000, 0);
	ratelimit_set(&r, 1000, 100);
	ck_assert(ratelimit_ready(&r, 0, 100));
	ratelimit_charge(&r, 100);
	ck_assert(!ratelimit_ready(&r, 0, 1));
}
END_TEST

/* ---------- prefix folding ---------- */

static const char *v6key(const char *addr, unsigned len, char *buf)
{
	struct pkey k;
	struct in6_addr a = tp_in6(addr);
	pkey_v6(&k, &a, len);
	return pkey_str(&k, buf);
}

static const char *v4key(const char *addr, unsigned len, char *buf)
{
	struct pkey k;
	struct in_addr a = tp_in4(addr);
	pkey_v4(&k, &a, len);
	return pkey_str(&k, buf);
}

START_TEST(fold_both_families)
{
	char b[PKEY_STRLEN];

	ck_assert_str_eq(v6key("2001:db8:1234:5678::1", 32, b), "2001:db8::/32");
	ck_assert_str_eq(v6key("2001:db8:1234:5678::1", 48, b), "2001:db8:1234::/48");
	ck_assert_str_eq(v6key("2001:db8:ffff::1", 33, b), "2001:db8:8000::/33");
	ck_assert_str_eq(v6key("2001:db8::1", 128, b), "2001:db8::1/128");
	ck_assert_str_eq(v4key("192.0.2.200", 24, b), "192.0.2.0/24");
	ck_assert_str_eq(v4key("198.51.103.9", 22, b), "198.51.100.0/22");
	ck_assert_str_eq(v4key("198.51.103.9", 32, b), "198.51.103.9/32");
}
END_TEST

/* ---------- the table itself ---------- */

static bool always(void *arg, size_t slot)
{
	(void)arg;
	(void)slot;
	return true;
}

static struct pkey key(unsigned i)
{
	char s[64];
	struct pkey k;
	struct in6_addr a;

	snprintf(s, sizeof(s), "2001:db8:%x::", i);
	a = tp_in6(s);
	pkey_v6(&k, &a, 48);
	return k;
}

START_TEST(ptable_lookup_cache_and_handover)
{
	struct ptable t;
	struct pkey k0 = key(0), k1 = key(1), kx = key(100);
	bool fresh;
	long s0, s1, sx;

	ck_assert_int_eq(ptable_init(&t, 16), 0);
	s0 = ptable_get(&t, &k0, NULL, NULL, &fresh);
	ck_assert(fresh);
	s1 = ptable_get(&t, &k1, NULL, NULL, &fresh);
	ck_assert(fresh);
	ck_assert_int_ne(s0, s1);
	/* alternating lookups find their own slots, not the last one */
	ck_assert_int_eq(ptable_get(&t, &k0, NULL, NULL, &fresh), s0);
	ck_assert(!fresh);
	ck_assert_int_eq(ptable_get(&t, &k1, NULL, NULL, &fresh), s1);
	ck_assert_int_eq(ptable_get(&t, &k1, NULL, NULL, &fresh), s1);
	ck_assert_int_eq(ptable_get(&t, &k0, NULL, NULL, &fresh), s0);
	for (unsigned i = 2; i < 16; i++) {
		struct pkey k = key(i);
		ck_assert_int_ge(ptable_get(&t, &k, NULL, NULL, &fresh), 0);
	}
	ck_assert_uint_eq(t.used, 16);
	/* full: a newcomer gets nothing unless a slot is handed over */
	ck_assert_int_eq(ptable_get(&t, &kx, NULL, NULL, &fresh), -1);
	sx = ptable_get(&t, &kx, always, NULL, &fresh);
	ck_assert_int_ge(sx, 0);
	ck_assert(fresh);
	/* the key that lived there is gone, though its slot was the last one used */
	for (unsigned i = 0; i < 16; i++) {
		struct pkey k = key(i);
		long s = ptable_get(&t, &k, NULL, NULL, &fresh);
		ck_assert_int_ne(s, sx);
	}
	ck_assert_int_eq(ptable_get(&t, &kx, NULL, NULL, &fresh), sx);
	ptable_free(&t);
}
END_TEST

/* ---------- per-prefix buckets ---------- */

START_TEST(buckets_per_prefix_and_total)
{
	struct bucket_cfg c = { .plen = 48, .rate = 1000, .burst = 3000, .entries = 64 };
	struct buckets *b = buckets_new(&c, 0);
	struct in6_addr x = tp_in6("2001:db8:1::1"), x2 = tp_in6("2001:db8:1:ffff::2"), y = tp_in6("2001:db8:2::1");

	ck_assert(buckets_admit(b, &x, 2000, 0));
	ck_assert(buckets_admit(b, &x2, 1000, 0));   /* same /48 */
	ck_assert(!buckets_admit(b, &x, 1, 0));
	ck_assert(buckets_admit(b, &y, 3000, 0));    /* another /48 is unaffected */
	ck_assert(buckets_admit(b, NULL, 100000, 0)); /* no total limit */
	ck_assert(buckets_admit(b, &x, 1000, 1000)); /* one second refills 1000 */
	buckets_free(b);

	/* total limit across prefixes; a refused packet charges nothing */
	struct bucket_cfg t = { .plen = 48, .rate = 1000, .burst = 3000, .total_rate = 1000,
				.total_burst = 4000, .entries = 64 };
	b = buckets_new(&t, 0);
	ck_assert(buckets_admit(b, &x, 3000, 0));
	ck_assert(!buckets_admit(b, &y, 1001, 0));   /* total has 1000 left */
	ck_assert(buckets_admit(b, &y, 1000, 0));
	ck_assert(!buckets_admit(b, NULL, 1, 0));
	buckets_free(b);
}
END_TEST

START_TEST(buckets_table_full_reuses_idle_then_other)
{
	struct bucket_cfg c = { .plen = 64, .rate = 1000, .burst = 1000, .entries = 16 };
	struct buckets *b = buckets_new(&c, 0);
	char s[64];

	/* 16 prefixes drain their buckets and fill the table */
	for (unsigned i = 0; i < 16; i++) {
		snprintf(s, sizeof(s), "2001:db8:0:%x::1", i);
		struct in6_addr a = tp_in6(s);
		ck_assert(buckets_admit(b, &a, 1000, 0));
	}
	ck_assert_uint_eq(b->t.used, 16);
	/* newcomers share "other": the first takes its burst, the second waits */
	struct in6_addr n1 = tp_in6("2001:db8:0:100::1"), n2 = tp_in6("2001:db8:0:101::1");
	ck_assert(buckets_admit(b, &n1, 1000, 0));
	ck_assert(!buckets_admit(b, &n2, 1, 0));
	ck_assert_uint_eq(b->overflow, 2);
	/* once the old buckets are full again (idle 1 s) their slots are reused:
	 * n2 gets a bucket of its own */
	ck_assert(buckets_admit(b, &n2, 1000, 1000));
	ck_assert_uint_eq(b->reused, 1);
	ck_assert_uint_eq(b->overflow, 2);
	buckets_free(b);
}
END_TEST

START_TEST(buckets_migrate_keeps_levels)
{
	struct bucket_cfg c = { .plen = 48, .rate = 1000, .burst = 3000, .entries = 64 };
	struct bucket_cfg c2 = { .plen = 48, .rate = 2000, .burst = 5000, .entries = 64 };
	struct buckets *o = buckets_new(&c, 0), *n = buckets_new(&c2, 0);
	struct in6_addr x = tp_in6("2001:db8:1::1");

	ck_assert(buckets_admit(o, &x, 3000, 0));
	buckets_migrate(n, o);
	/* empty after the reload too, refilled at the new rate */
	ck_assert(!buckets_admit(n, &x, 1, 0));
	ck_assert(buckets_admit(n, &x, 2000, 1000));
	buckets_free(o);
	buckets_free(n);
}
END_TEST

/* ---------- configuration ---------- */

#define BASE "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\nprefix 2001:db8:64::/96\n"

START_TEST(conf_defaults_and_forms)
{
	char err[256];
	struct config *c = conf_parse_string(BASE, "tayga.conf", err, sizeof(err));

	ck_assert_ptr_nonnull(c);
	ck_assert(!c->usage_stats);
	ck_assert_uint_eq(c->usage_plen6, 32);
	ck_assert_uint_eq(c->usage_plen4, 24);
	ck_assert_uint_eq(c->usage_interval, 300);
	ck_assert_uint_eq(c->rl_plen, 0);
	ck_assert_uint_eq(c->rl_total_rate, 0);
	conf_free(c);
	c = conf_parse_string(BASE "usage-stats yes\nusage-prefix-len 48 22\nusage-interval 0\n"
			      "usage-top 5\nprefix-table-size 100\nrate-limit 48 10M 1M\n"
			      "rate-limit-total 100M 64k\n", "tayga.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->usage_stats);
	ck_assert_uint_eq(c->usage_plen6, 48);
	ck_assert_uint_eq(c->usage_plen4, 22);
	ck_assert_uint_eq(c->usage_interval, 0);
	ck_assert_uint_eq(c->usage_top, 5);
	ck_assert_uint_eq(c->prefix_table_size, 100);
	ck_assert_uint_eq(c->rl_plen, 48);
	ck_assert_uint_eq(c->rl_rate, 10000000);
	ck_assert_uint_eq(c->rl_burst, 1000000);
	ck_assert_uint_eq(c->rl_total_rate, 100000000);
	ck_assert_uint_eq(c->rl_total_burst, 64000);
	conf_free(c);
}
END_TEST

static void bad(const char *text, const char *msg)
{
	char err[256];
	struct config *c = conf_parse_string(text, "tayga.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, msg) != NULL, "got \"%s\", want \"%s\"", err, msg);
}

START_TEST(conf_errors)
{
	bad(BASE "usage-stats maybe\n", "tayga.conf:5: usage-stats:");
	bad(BASE "usage-prefix-len 0\n", "tayga.conf:5: usage-prefix-len: IPv6 prefix length \"0\"");
	bad(BASE "usage-prefix-len 32 33\n", "tayga.conf:5: usage-prefix-len: IPv4 prefix length \"33\"");
	bad(BASE "prefix-table-size 8\n", "tayga.conf:5: prefix-table-size: \"8\" is not a number in 16..");
	bad(BASE "rate-limit 48 10M\n", "tayga.conf:5: rate-limit: wrong number of arguments");
	bad(BASE "rate-limit 129 10M 1M\n", "tayga.conf:5: rate-limit: IPv6 prefix length \"129\"");
	bad(BASE "rate-limit 48 fast 1M\n", "tayga.conf:5: rate-limit: rate \"fast\"");
	bad(BASE "rate-limit 48 0 1M\n", "tayga.conf:5: rate-limit: rate \"0\"");
	bad(BASE "rate-limit 48 10M 2000G\n", "tayga.conf:5: rate-limit: burst \"2000G\"");
	bad(BASE "rate-limit-total 10Q 1M\n", "tayga.conf:5: rate-limit-total: rate \"10Q\"");
	bad(BASE "rate-limit-total 10M 1M\nrate-limit-total 10M 1M\n", "tayga.conf:6: rate-limit-total");
}
END_TEST

/* ---------- around the translator ---------- */

static struct tp_env E;
static struct meter *M;
static uint8_t pkt[2000], l4[2000], dat[2000];

static void env(const char *extra)
{
	char conf[1024];
	snprintf(conf, sizeof(conf), BASE
		 "map 192.0.2.10 2001:db8:1::10\nmap 192.0.2.20 2001:db8:2::20\n"
		 "dynamic-pool 192.0.2.128/25\n%s", extra);
	tp_env_init(&E, conf, 1500);
	ck_assert_int_eq(meter_new(E.conf, E.ctx.now_ms, &M), 0);
	E.meter = M;
	meter_attach(M, &E.ctx, E.ctx.emit, E.ctx.emit_arg);
}

static void env_free(void)
{
	meter_free(M);
	M = NULL;
	tp_env_free(&E);
}

/* IPv6 UDP from src to an IPv4 host through the prefix: an IPv4 packet of
 * 20 + 8 + dlen bytes comes out */
static size_t udp6(const char *src, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, dat, dlen);
	size_t len = tp_ipv6(pkt, src, "2001:db8:64::cb00:7109", 17, 64, 0, 0, l4, n);
	tp_fix_l4_6(pkt);
	return len;
}

static size_t udp4(const char *dst, size_t dlen)
{
	size_t n = tp_udp(l4, 53, 40000, dat, dlen);
	size_t len = tp_ipv4(pkt, "203.0.113.9", dst, 17, 64, 0, 1, 0, l4, n);
	tp_fix_l4_4(pkt);
	return len;
}

static const struct usage_ctr *ctr6(const char *addr)
{
	const struct usage_tab *tb = &M->usage->six;
	struct pkey k;
	struct in6_addr a = tp_in6(addr);
	pkey_v6(&k, &a, tb->plen);
	for (size_t s = 0; s < tb->t.cap; s++)
		if (tb->t.keys[s].family && !memcmp(&tb->t.keys[s], &k, sizeof(k)))
			return &tb->tot[s];
	return NULL;
}

START_TEST(xlat_rate_limit_both_directions)
{
	/* per /48: 1000 B/s, 3000 B burst */
	env("usage-stats yes\nusage-prefix-len 48\nrate-limit 48 1000 3000\n");
	size_t len = udp6("2001:db8:1::10", 972);      /* IPv4 out: 1000 bytes */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_OK);
		ck_assert_uint_eq(E.nout, 1);
		ck_assert_uint_eq(E.outlen[0], 1000);
	}
	/* refused by the meter: dropped, and the verdict says why */
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_int_eq(E.last.why, DROP_RATE_LIMIT);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_RATE_LIMIT], 1);
	/* the return traffic to the same /48 shares the bucket */
	len = udp4("192.0.2.10", 100);
	tp_run(&E, pkt, len);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_RATE_LIMIT], 2);
	/* another client's /48 is unaffected, both ways */
	ck_assert_int_eq(tp_run(&E, pkt, udp6("2001:db8:2::20", 972)), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	tp_run(&E, pkt, udp4("192.0.2.20", 100));
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_uint_eq(E.outlen[0], 40 + 8 + 100);
	/* 148 ms later the first /48 may send a 148-byte packet again */
	E.ctx.now_ms += 148;
	tp_run(&E, pkt, udp4("192.0.2.10", 100));
	ck_assert_uint_eq(E.nout, 1);

	const struct usage_ctr *c1 = ctr6("2001:db8:1::"), *c2 = ctr6("2001:db8:2::");
	ck_assert_ptr_nonnull(c1);
	ck_assert_ptr_nonnull(c2);
	ck_assert_uint_eq(c1->pkts[USAGE_6TO4], 3);
	ck_assert_uint_eq(c1->bytes[USAGE_6TO4], 3000);
	ck_assert_uint_eq(c1->pkts[USAGE_4TO6], 1);
	ck_assert_uint_eq(c1->bytes[USAGE_4TO6], 148);
	ck_assert_uint_eq(c1->pkts[USAGE_LIMITED], 2);
	ck_assert_uint_eq(c1->bytes[USAGE_LIMITED], 1000 + 148);
	ck_assert_uint_eq(c2->pkts[USAGE_6TO4], 1);
	ck_assert_uint_eq(c2->pkts[USAGE_4TO6], 1);
	ck_assert_uint_eq(c2->pkts[USAGE_LIMITED], 0);
	env_free();
}
END_TEST

/* issue 22 J: a packet the rate limit refuses is a drop, not also a
 * translated packet: `rate-limit 48 1k 1k` and 50 packets of 60 bytes as
 * written let 16 through; packets_total and bytes_total count those 16. */
START_TEST(xlat_rate_limited_counted_once)
{
	unsigned written = 0;

	env("rate-limit 48 1k 1k\n");
	size_t len = udp6("2001:db8:1::10", 32);       /* IPv4 out: 60 bytes */
	for (int i = 0; i < 50; i++) {
		tp_run(&E, pkt, len);
		written += (unsigned)E.nout;
	}
	ck_assert_uint_eq(written, 16);
	ck_assert_uint_eq(E.stats.drops[DROP_RATE_LIMIT], 34);
	ck_assert_uint_eq(E.stats.pkts[DIR_6TO4], 16);
	ck_assert_uint_eq(E.stats.bytes[DIR_6TO4], 16 * 60);
	ck_assert_uint_eq(E.stats.segs[DIR_6TO4], 16);

	/* IPv6 fragments of a DF=0 IPv4 packet to the same /48: all refused */
	tp_run(&E, pkt, udp4("192.0.2.10", 1800));
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_RATE_LIMIT], 36);
	ck_assert_uint_eq(E.stats.pkts[DIR_4TO6], 0);
	ck_assert_uint_eq(E.stats.bytes[DIR_4TO6], 0);
	ck_assert_uint_eq(E.stats.segs[DIR_4TO6], 0);

	/* an echo reply to the /48 that the budget refuses is not an answer */
	size_t n = tp_icmp(l4, 128, 0, 0x00010001, dat, 8);
	len = tp_ipv6(pkt, "2001:db8:1::10", "2001:db8:ffff::1", 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(pkt);
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_int_eq(E.last.why, DROP_RATE_LIMIT);
	ck_assert_uint_eq(E.stats.echo_replies, 0);
	ck_assert_uint_eq(E.stats.drops[DROP_RATE_LIMIT], 37);
	/* another /48 still gets both */
	len = tp_ipv6(pkt, "2001:db8:2::20", "2001:db8:ffff::1", 58, 64, 0, 0, l4, n);
	tp_fix_l4_6(pkt);
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	ck_assert_uint_eq(E.stats.echo_replies, 1);
	env_free();
}
END_TEST

START_TEST(xlat_gso_super_packet_charged_all_bytes)
{
	env("rate-limit 48 1000 3000\n");
	/* a 1400-byte-MSS TCP super-packet of 4 segments */
	static uint8_t big[8000], tl4[8000], td[6000];
	size_t n = tp_tcp(tl4, 40000, 80, 1, 1, 0x10, td, 5600);
	size_t len = tp_ipv6(big, "2001:db8:1::10", "2001:db8:64::cb00:7109", 6, 64, 0, 0, tl4, n);
	struct offload off = { .flags = OFF_F_NEEDS_CSUM, .gso_type = OFF_GSO_TCPV6,
			       .hdr_len = 60, .gso_size = 1400, .csum_start = 40, .csum_offset = 16 };
	E.xcfg.mtu = 65535;
	ck_assert_int_eq(tp_run_off(&E, big, len, &off), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	/* 5640 bytes charged: the bucket is 2640 in debt, so even 1 byte waits
	 * 2.641 s; one 1000-byte packet every second would have passed */
	E.ctx.now_ms += 2640;
	tp_run(&E, pkt, udp6("2001:db8:1::10", 0));
	ck_assert_uint_eq(E.nout, 0);
	E.ctx.now_ms += 28;
	tp_run(&E, pkt, udp6("2001:db8:1::10", 0));
	ck_assert_uint_eq(E.nout, 1);
	env_free();
}
END_TEST

START_TEST(xlat_unmapped_ipv4_counted_by_source)
{
	env("usage-stats yes\n");
	size_t len = udp4("192.0.2.200", 10);   /* an unassigned pool address */
	tp_run(&E, pkt, len);
	tp_run(&E, pkt, len);
	struct pkey k;
	struct in_addr s = tp_in4("203.0.113.0");
	pkey_v4(&k, &s, 24);
	const struct usage_ctr *c = NULL;
	for (size_t i = 0; i < M->usage->four.t.cap; i++)
		if (!memcmp(&M->usage->four.t.keys[i], &k, sizeof(k)))
			c = &M->usage->four.tot[i];
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->pkts[USAGE_UNMAPPED], 2);
	ck_assert_uint_eq(c->bytes[USAGE_UNMAPPED], 2 * len);
	/* a mapped one is 4to6 traffic of its IPv6 /32, not unmapped */
	tp_run(&E, pkt, udp4("192.0.2.10", 10));
	ck_assert_uint_eq(c->pkts[USAGE_UNMAPPED], 2);
	ck_assert_uint_eq(ctr6("2001:db8::")->pkts[USAGE_4TO6], 1);
	/* and so is the translator's own address (not a ping) */
	tp_run(&E, pkt, udp4("192.0.2.1", 10));
	ck_assert_uint_eq(c->pkts[USAGE_UNMAPPED], 3);
	env_free();
}
END_TEST

START_TEST(xlat_meter_off_by_default)
{
	env("");
	ck_assert_ptr_null(M);
	env_free();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("meter");
	TCase *t = tcase_create("bucket");
	tcase_add_test(t, bucket_burst_then_refill);
	tcase_add_test(t, bucket_super_packet_charged_in_full);
	tcase_add_test(t, bucket_sub_byte_rates_and_huge_values);
	suite_add_tcase(s, t);
	t = tcase_create("usage");
	tcase_add_test(t, fold_both_families);
	tcase_add_test(t, ptable_lookup_cache_and_handover);
	suite_add_tcase(s, t);
	t = tcase_create("buckets");
	tcase_add_test(t, buckets_per_prefix_and_total);
	tcase_add_test(t, buckets_table_full_reuses_idle_then_other);
	tcase_add_test(t, buckets_migrate_keeps_levels);
	suite_add_tcase(s, t);
	t = tcase_create("conf");
	tcase_add_test(t, conf_defaults_and_forms);
	tcase_add_test(t, conf_errors);
	suite_add_tcase(s, t);
	t = tcase_create("xlat");
	tcase_add_test(t, xlat_rate_limit_both_directions);
	tcase_add_test(t, xlat_gso_super_packet_charged_all_bytes);
	tcase_add_test(t, xlat_rate_limited_counted_once);
	tcase_add_test(t, xlat_unmapped_ipv4_counted_by_source);
	tcase_add_test(t, xlat_meter_off_by_default);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
