/* test_usage.c - account/usage: per-prefix counters, their log lines and
 * Prometheus series; the IPv6 client table and the table of unmapped IPv4
 * sources with a budget each, slots reclaimed from idle, reported prefixes
 * (issue 22 H) and "other" holding everything outside the top N, so the
 * series add up (issue 22 I). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/usage.h"
#include "lib/checkrun.h"
#include "lib/testpkt.h"

struct lines {
	int n;
	char l[64][320];
};

static void collect(void *arg, const char *msg)
{
	struct lines *ls = arg;
	ck_assert_int_lt(ls->n, 64);
	snprintf(ls->l[ls->n++], sizeof(ls->l[0]), "%s", msg);
}

START_TEST(usage_folds_and_reports_deltas)
{
	struct usage *u = usage_new(64, 32, 24);
	struct in6_addr a = tp_in6("2001:db8:1::5"), b = tp_in6("2001:db8:ffff::9"), c = tp_in6("2001:db9::1");
	struct in_addr s4 = tp_in4("203.0.113.77");
	struct lines ls = { 0 };

	usage_add6(u, &a, USAGE_6TO4, 100);
	usage_add6(u, &b, USAGE_6TO4, 50);     /* same /32 as a */
	usage_add6(u, &b, USAGE_4TO6, 1000);
	usage_add6(u, &c, USAGE_4TO6, 7);
	usage_add4(u, &s4, USAGE_UNMAPPED, 28);
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 3);
	/* table order is the hash's: find each line */
	int seen = 0;
	for (int i = 0; i < ls.n; i++) {
		if (!strcmp(ls.l[i], "usage: 2001:db8::/32 6to4 2 packets 150 bytes, 4to6 1 packets 1000 bytes"))
			seen |= 1;
		if (!strcmp(ls.l[i], "usage: 2001:db9::/32 4to6 1 packets 7 bytes"))
			seen |= 2;
		if (!strcmp(ls.l[i], "usage: 203.0.113.0/24 unmapped 1 packets 28 bytes"))
			seen |= 4;
	}
	ck_assert_int_eq(seen, 7);
	/* nothing new: no lines; then only what changed since */
	ls.n = 0;
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 0);
	usage_add6(u, &a, USAGE_LIMITED, 1280);
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 1);
	ck_assert_str_eq(ls.l[0], "usage: 2001:db8::/32 ratelimited 1 packets 1280 bytes");
	usage_free(u);
}
END_TEST

START_TEST(usage_table_bounded_overflow_to_other)
{
	struct usage *u = usage_new(16, 48, 24);  /* 16 slots */
	uint64_t sum = 0, tracked = 0;
	struct lines ls = { 0 };

	ck_assert_uint_eq(u->six.t.cap, 16);
	for (unsigned i = 0; i < 100; i++) {
		char s[64];
		struct in6_addr a;
		snprintf(s, sizeof(s), "2001:db8:%x::1", i);
		a = tp_in6(s);
		usage_add6(u, &a, USAGE_6TO4, 10);
	}
	ck_assert_uint_eq(u->six.t.used, 16);  /* never more entries than slots */
	for (size_t s = 0; s < u->six.t.cap; s++)
		tracked += u->six.tot[s].pkts[USAGE_6TO4];
	ck_assert_uint_eq(tracked, 16);
	ck_assert_uint_eq(u->other.pkts[USAGE_6TO4], 84);
	ck_assert_uint_eq(u->other.bytes[USAGE_6TO4], 840);
	ck_assert_uint_eq(u->overflow, 84);
	sum = tracked + u->other.pkts[USAGE_6TO4];
	ck_assert_uint_eq(sum, 100);
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 17);
	ck_assert_str_eq(ls.l[16], "usage: other (table of 16 full) 6to4 84 packets 840 bytes");
	usage_free(u);
}
END_TEST

static char *prom(const struct usage *u, unsigned top)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	usage_write_prom(u, f, top);
	fclose(f);
	return buf;
}

START_TEST(usage_prometheus_top_n)
{
	struct usage *u = usage_new(64, 32, 24);
	struct in6_addr a = tp_in6("2001:db8::1"), b = tp_in6("2001:db9::1"), c = tp_in6("2001:dba::1");
	struct in_addr s4 = tp_in4("198.51.100.9");

	usage_add6(u, &a, USAGE_6TO4, 100);
	usage_add6(u, &b, USAGE_6TO4, 300);
	usage_add6(u, &b, USAGE_4TO6, 3000);
	usage_add6(u, &c, USAGE_4TO6, 200);
	usage_add4(u, &s4, USAGE_UNMAPPED, 40);
	char *t = prom(u, 2);
	/* top 2 by bytes: 2001:db9::/32 (3300), then 2001:dba::/32 (200); the
	 * rest (2001:db8::/32 and the IPv4 /24) is "other" (issue 22 I) */
	ck_assert_str_eq(t,
		"# HELP tayga_usage_packets_total Packets per client prefix (top 2 by bytes, "
		"each since it entered the top, then other: all the rest).\n"
		"# TYPE tayga_usage_packets_total counter\n"
		"tayga_usage_packets_total{prefix=\"2001:db9::/32\",dir=\"6to4\"} 1\n"
		"tayga_usage_packets_total{prefix=\"2001:db9::/32\",dir=\"4to6\"} 1\n"
		"tayga_usage_packets_total{prefix=\"2001:dba::/32\",dir=\"4to6\"} 1\n"
		"tayga_usage_packets_total{prefix=\"other\",dir=\"6to4\"} 1\n"
		"tayga_usage_packets_total{prefix=\"other\",dir=\"unmapped\"} 1\n"
		"# HELP tayga_usage_bytes_total Bytes per client prefix (top 2 by bytes, "
		"each since it entered the top, then other: all the rest).\n"
		"# TYPE tayga_usage_bytes_total counter\n"
		"tayga_usage_bytes_total{prefix=\"2001:db9::/32\",dir=\"6to4\"} 300\n"
		"tayga_usage_bytes_total{prefix=\"2001:db9::/32\",dir=\"4to6\"} 3000\n"
		"tayga_usage_bytes_total{prefix=\"2001:dba::/32\",dir=\"4to6\"} 200\n"
		"tayga_usage_bytes_total{prefix=\"other\",dir=\"6to4\"} 100\n"
		"tayga_usage_bytes_total{prefix=\"other\",dir=\"unmapped\"} 40\n"
		"# TYPE tayga_usage_prefixes gauge\ntayga_usage_prefixes 4\n"
		"# TYPE tayga_usage_table_size gauge\ntayga_usage_table_size 128\n"
		"# TYPE tayga_usage_overflow_packets_total counter\n"
		"tayga_usage_overflow_packets_total 0\n"
		"# HELP tayga_usage_reclaimed_total Usage table slots handed from an idle, "
		"reported prefix to a new one.\n"
		"# TYPE tayga_usage_reclaimed_total counter\n"
		"tayga_usage_reclaimed_total 0\n");
	free(t);
	/* top 10 at the next write labels all four; the two that enter now
	 * leave what they had in "other", which was written before and must
	 * not go down: their series start at 0 */
	t = prom(u, 10);
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_packets_total{prefix=\"198.51.100.0/24\",dir=\"unmapped\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"2001:db8::/32\",dir=\"6to4\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"other\",dir=\"6to4\"} 100\n"));
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"other\",dir=\"unmapped\"} 40\n"));
	free(t);
	/* from then on they count */
	usage_add4(u, &s4, USAGE_UNMAPPED, 40);
	t = prom(u, 10);
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_packets_total{prefix=\"198.51.100.0/24\",dir=\"unmapped\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"other\",dir=\"unmapped\"} 40\n"));
	free(t);
	usage_free(u);

	/* the first write of a top 10 labels them with all they have */
	u = usage_new(64, 32, 24);
	usage_add4(u, &s4, USAGE_UNMAPPED, 40);
	usage_add6(u, &a, USAGE_6TO4, 100);
	t = prom(u, 10);
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_packets_total{prefix=\"198.51.100.0/24\",dir=\"unmapped\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"2001:db8::/32\",dir=\"6to4\"} 100\n"));
	ck_assert_ptr_null(strstr(t, "prefix=\"other\""));
	free(t);
	usage_free(u);
}
END_TEST

START_TEST(usage_migrate_keeps_counting)
{
	struct usage *o = usage_new(64, 48, 24), *n = usage_new(64, 32, 24), *l = usage_new(64, 56, 24);
	struct in6_addr a = tp_in6("2001:db8:1::1"), b = tp_in6("2001:db8:2::1");
	struct lines ls = { 0 };

	usage_add6(o, &a, USAGE_6TO4, 100);
	usage_add6(o, &b, USAGE_6TO4, 50);
	usage_report(o, collect, &ls);
	usage_add6(o, &b, USAGE_6TO4, 5);
	/* /48 -> /32: both fold into 2001:db8::/32, deltas stay deltas */
	usage_migrate(n, o);
	ls.n = 0;
	usage_report(n, collect, &ls);
	ck_assert_int_eq(ls.n, 1);
	ck_assert_str_eq(ls.l[0], "usage: 2001:db8::/32 6to4 1 packets 5 bytes");
	char *t = prom(n, 5);
	ck_assert_ptr_nonnull(strstr(t, "tayga_usage_bytes_total{prefix=\"2001:db8::/32\",dir=\"6to4\"} 155\n"));
	free(t);
	/* /48 -> /56 can't be split: the totals go to other */
	usage_migrate(l, o);
	ck_assert_uint_eq(l->other.bytes[USAGE_6TO4], 155);
	ck_assert_uint_eq(l->six.t.used, 0);
	usage_free(o);
	usage_free(n);
	usage_free(l);
}
END_TEST

/* The value of one series in prom text, -1 when absent. */
static long long series(const char *t, const char *m, const char *prefix, const char *dir)
{
	char key[160];
	const char *p;

	snprintf(key, sizeof(key), "tayga_usage_%s_total{prefix=\"%s\",dir=\"%s\"} ", m, prefix,
		 dir);
	for (p = t; (p = strstr(p, key)) != NULL; p++)
		if (p == t || p[-1] == '\n')
			return atoll(p + strlen(key));
	return -1;
}

/* The sum of all tayga_usage_<m>_total series. */
static unsigned long long series_sum(const char *t, const char *m)
{
	char key[64];
	unsigned long long sum = 0;
	size_t n;

	n = (size_t)snprintf(key, sizeof(key), "tayga_usage_%s_total{", m);
	for (const char *l = t; *l; ) {
		const char *nl = strchr(l, '\n');
		if (!strncmp(l, key, n))
			sum += strtoull(strchr(l, '}') + 2, NULL, 10);
		if (!nl)
			break;
		l = nl + 1;
	}
	return sum;
}

/* n IPv4 scan sources, each in a /24 of its own, one 40-byte packet each */
static void scan(struct usage *u, unsigned from, unsigned n)
{
	char s[32];

	for (unsigned i = from; i < from + n; i++) {
		snprintf(s, sizeof(s), "%u.%u.%u.7", 1 + i / 65536, i / 256 % 256, i % 256);
		struct in_addr a = tp_in4(s);
		usage_add4(u, &a, USAGE_UNMAPPED, 40);
	}
}

/* issue 22 H: 5000 IPv4 scan sources hit a 64-entry table, then a new
 * customer sends 200 packets: all 200 are its own labelled series, not
 * "other"; the same after a reload. */
START_TEST(scanners_never_take_a_customers_series)
{
	struct usage *u = usage_new(64, 32, 24), *n;
	struct in6_addr c1 = tp_in6("2001:db9::1"), c2 = tp_in6("2001:dba::1");
	char *t;

	scan(u, 0, 5000);
	for (int i = 0; i < 200; i++)
		usage_add6(u, &c1, USAGE_6TO4, 100);
	t = prom(u, 10);
	ck_assert_int_eq(series(t, "packets", "2001:db9::/32", "6to4"), 200);
	ck_assert_int_eq(series(t, "bytes", "2001:db9::/32", "6to4"), 20000);
	ck_assert_int_eq(series(t, "packets", "other", "6to4"), -1);
	ck_assert_uint_eq(series_sum(t, "packets"), 5200);
	free(t);

	/* SIGHUP: the new tables keep the budgets apart */
	n = usage_new(64, 32, 24);
	usage_migrate(n, u);
	usage_free(u);
	scan(n, 5000, 5000);
	for (int i = 0; i < 200; i++)
		usage_add6(n, &c2, USAGE_4TO6, 100);
	t = prom(n, 10);
	ck_assert_int_eq(series(t, "packets", "2001:dba::/32", "4to6"), 200);
	ck_assert_int_eq(series(t, "packets", "2001:db9::/32", "6to4"), 200);
	ck_assert_int_eq(series(t, "packets", "other", "4to6"), -1);
	ck_assert_uint_eq(series_sum(t, "packets"), 10400);
	free(t);
	usage_free(n);
}
END_TEST

/* one packet of `bytes` from 2001:db8:<i>::1 */
static void add_one(struct usage *u, unsigned i, enum usage_dir d, uint64_t bytes)
{
	char s[64];

	snprintf(s, sizeof(s), "2001:db8:%x::1", i);
	struct in6_addr a = tp_in6(s);
	usage_add6(u, &a, d, bytes);
}

/* pkts packets of 10 bytes from 2001:db8:<i>::1 */
static void add6(struct usage *u, unsigned i, unsigned pkts)
{
	for (unsigned k = 0; k < pkts; k++)
		add_one(u, i, USAGE_6TO4, 10);
}

static int has_line(const struct lines *ls, const char *l)
{
	for (int i = 0; i < ls->n; i++)
		if (!strcmp(ls->l[i], l))
			return 1;
	return 0;
}

/* issue 22 H: a full table hands over the least recently used slot whose
 * counts have been reported; a slot with unreported counts is never taken,
 * so the usage lines lose nothing, and the series still add up. */
START_TEST(reported_idle_slots_reclaimed_lru)
{
	struct usage *u = usage_new(16, 48, 24);   /* one probe window: 16 slots */
	struct lines ls = { 0 };
	char *t;

	for (unsigned i = 0; i < 16; i++)
		add6(u, i, 1);
	/* full and nothing reported yet: the newcomer waits in "other" */
	add6(u, 0x100, 1);
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 17);
	ck_assert(has_line(&ls, "usage: other (table of 16 full) 6to4 1 packets 10 bytes"));
	/* 0..7 are busy again (unreported); of 8..15, 8 is the least recent */
	for (unsigned i = 0; i < 8; i++)
		add6(u, i, 1);
	add6(u, 0x101, 2);
	add6(u, 0x102, 3);
	t = prom(u, 100);
	ck_assert_int_eq(series(t, "packets", "2001:db8:101::/48", "6to4"), 2);
	ck_assert_int_eq(series(t, "packets", "2001:db8:102::/48", "6to4"), 3);
	ck_assert_int_eq(series(t, "packets", "2001:db8:8::/48", "6to4"), -1);
	ck_assert_int_eq(series(t, "packets", "2001:db8:9::/48", "6to4"), -1);
	ck_assert_int_eq(series(t, "packets", "2001:db8:a::/48", "6to4"), 1);
	ck_assert_int_eq(series(t, "packets", "2001:db8::/48", "6to4"), 2);
	/* 8's and 9's counts and the first newcomer's are "other" */
	ck_assert_int_eq(series(t, "packets", "other", "6to4"), 3);
	ck_assert_uint_eq(series_sum(t, "packets"), 16 + 1 + 8 + 2 + 3);
	free(t);
	/* the lines: only what is new, nothing twice, no "other" line (the
	 * reclaimed counts were reported before) */
	ls.n = 0;
	usage_report(u, collect, &ls);
	ck_assert_int_eq(ls.n, 10);
	ck_assert(has_line(&ls, "usage: 2001:db8::/48 6to4 1 packets 10 bytes"));
	ck_assert(has_line(&ls, "usage: 2001:db8:101::/48 6to4 2 packets 20 bytes"));
	ck_assert(has_line(&ls, "usage: 2001:db8:102::/48 6to4 3 packets 30 bytes"));
	usage_free(u);
}
END_TEST

/* issue 22 H: the prefixes the stats-file shows (usage-top) keep their
 * slots and series however many newcomers come, even when they are the
 * least recently used: only the others are handed over. */
START_TEST(top_prefixes_keep_their_series)
{
	struct usage *u = usage_new(16, 48, 24);   /* one probe window: 16 slots */
	struct lines ls = { 0 };
	char *t;

	add6(u, 0, 50);                            /* two customers, the oldest */
	add6(u, 1, 40);
	for (unsigned i = 2; i < 16; i++)
		add6(u, i, 1);
	t = prom(u, 2);
	ck_assert_int_eq(series(t, "packets", "2001:db8::/48", "6to4"), 50);
	ck_assert_int_eq(series(t, "packets", "2001:db8:1::/48", "6to4"), 40);
	free(t);
	/* 200 scan sources, the usage lines logged every 10 */
	for (unsigned i = 0; i < 200; i++) {
		add6(u, 0x1000 + i, 1);
		if (i % 10 == 9) {
			ls.n = 0;
			usage_report(u, collect, &ls);
		}
	}
	ck_assert_uint_gt(u->reclaimed, 100);
	t = prom(u, 2);
	ck_assert_int_eq(series(t, "packets", "2001:db8::/48", "6to4"), 50);
	ck_assert_int_eq(series(t, "packets", "2001:db8:1::/48", "6to4"), 40);
	ck_assert_uint_eq(series_sum(t, "packets"), 90 + 14 + 200);
	free(t);
	/* and they go on counting */
	add6(u, 0, 1);
	t = prom(u, 2);
	ck_assert_int_eq(series(t, "packets", "2001:db8::/48", "6to4"), 51);
	free(t);
	usage_free(u);
}
END_TEST

/* issue 22 I: with usage-top 10, 120 prefixes of 20 packets each: the
 * series add up to all 2400 packets and their bytes ("other" is everything
 * outside the top 10, not only what found no slot). */
START_TEST(series_add_up_to_the_totals)
{
	struct usage *u = usage_new(4096, 48, 24);
	unsigned long long bytes = 0;
	char *t;

	for (unsigned i = 0; i < 100; i++) {
		char s[64];
		snprintf(s, sizeof(s), "2001:db8:%x::1", i);
		struct in6_addr a = tp_in6(s);
		for (unsigned k = 0; k < 20; k++) {
			usage_add6(u, &a, k & 1 ? USAGE_4TO6 : USAGE_6TO4, 60 + i);
			bytes += 60 + i;
		}
	}
	for (unsigned i = 0; i < 20; i++) {
		char s[32];
		snprintf(s, sizeof(s), "198.51.%u.9", i);
		struct in_addr a = tp_in4(s);
		for (unsigned k = 0; k < 20; k++) {
			usage_add4(u, &a, USAGE_UNMAPPED, 40);
			bytes += 40;
		}
	}
	t = prom(u, 10);
	ck_assert_uint_eq(series_sum(t, "packets"), 2400);
	ck_assert_uint_eq(series_sum(t, "bytes"), bytes);
	/* the biggest prefix is labelled, the rest in other */
	ck_assert_int_eq(series(t, "packets", "2001:db8:63::/48", "6to4"), 10);
	ck_assert_int_eq(series(t, "packets", "other", "unmapped"), 400);
	free(t);
	/* usage-top 0: all in other */
	t = prom(u, 0);
	ck_assert_uint_eq(series_sum(t, "packets"), 2400);
	ck_assert_int_eq(series(t, "packets", "other", "6to4"), 1000);
	free(t);
	usage_free(u);
}
END_TEST

/* The top changes all the time: "other" (a counter) never goes down, and
 * the series still add up to everything counted at every write. */
START_TEST(other_never_goes_down)
{
	static const char *const dirs[] = { "6to4", "4to6" };
	struct usage *u = usage_new(64, 48, 24);
	long long last[2][2] = { { 0, 0 }, { 0, 0 } };
	unsigned long long pkts = 0, bytes = 0;
	uint32_t r = 12345;

	for (int round = 0; round < 200; round++) {
		for (int k = 0; k < 20; k++) {
			r = r * 1103515245u + 12345u;
			unsigned who = (r >> 16) % 12, b = 40 + (r >> 8) % 1400;
			add_one(u, who, (r >> 4) & 1 ? USAGE_4TO6 : USAGE_6TO4, b);
			pkts++;
			bytes += b;
		}
		char *t = prom(u, 3);
		ck_assert_uint_eq(series_sum(t, "packets"), pkts);
		ck_assert_uint_eq(series_sum(t, "bytes"), bytes);
		for (int d = 0; d < 2; d++) {
			long long p = series(t, "packets", "other", dirs[d]);
			long long y = series(t, "bytes", "other", dirs[d]);
			p = p < 0 ? 0 : p;
			y = y < 0 ? 0 : y;
			ck_assert_msg(p >= last[d][0] && y >= last[d][1],
				      "round %d: other %s went down", round, dirs[d]);
			last[d][0] = p;
			last[d][1] = y;
		}
		free(t);
	}
	usage_free(u);
}
END_TEST

CHECK_MAIN("usage",
	   usage_folds_and_reports_deltas,
	   usage_table_bounded_overflow_to_other,
	   usage_prometheus_top_n,
	   usage_migrate_keeps_counting,
	   scanners_never_take_a_customers_series,
	   reported_idle_slots_reclaimed_lru,
	   top_prefixes_keep_their_series,
	   series_add_up_to_the_totals,
	   other_never_goes_down)
