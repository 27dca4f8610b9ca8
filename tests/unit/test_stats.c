/* test_stats.c - the stats-file (Prometheus text format, daemon/stats.c):
 * every counter with its labels, the series that the alert rules and the
 * dashboard in contrib/ read (issue 26), stats_reload()'s bookkeeping, and
 * the file written atomically. */
#define _GNU_SOURCE
#include <check.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/stats.h"

static char *expose(const struct stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	stats_write_prom(s, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* the line is in text, whole */
static bool find_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* the sample line "NAME{LABELS} VALUE" is in text, whole */
static void has_line(const char *text, const char *line)
{
	if (!find_line(text, line))
		ck_abort_msg("missing line \"%s\" in:\n%s", line, text);
}

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

START_TEST(daemon_gauges)
{
	struct stats s;
	char *t;

	memset(&s, 0, sizeof(s));
	s.xlat.pkts[DIR_4TO6] = 7;
	s.xlat.pkts[DIR_6TO4] = 9;
	s.xlat.dyn_active = 200;
	s.pool_size = 254;
	s.pool_dormant = 12;
	s.interval = 15;
	s.written = 1796625600;
	t = expose(&s);
	has_line(t, "tayga_dynamic_mappings 200");
	has_line(t, "tayga_dynamic_pool_addresses 254");
	has_line(t, "tayga_dynamic_mappings_dormant 12");
	has_line(t, "tayga_stats_interval_seconds 15");
	has_line(t, "tayga_stats_timestamp_seconds 1796625600");
	has_line(t, "tayga_worker_packets_total{worker=\"0\",dir=\"4to6\"} 7");
	has_line(t, "tayga_worker_packets_total{worker=\"0\",dir=\"6to4\"} 9");
	/* one translator: its slice is the whole pool */
	has_line(t, "tayga_worker_dynamic_mappings{worker=\"0\"} 200");
	has_line(t, "tayga_worker_dynamic_mappings_dormant{worker=\"0\"} 12");
	has_line(t, "tayga_worker_dynamic_pool_addresses{worker=\"0\"} 254");
	/* the existing series keep their names */
	has_line(t, "tayga_packets_total{dir=\"4to6\"} 7");
	has_line(t, "# TYPE tayga_dynamic_pool_addresses gauge");
	has_line(t, "# TYPE tayga_reloads_total counter");
	/* no reload yet: nothing failed, no time */
	has_line(t, "tayga_reloads_total{result=\"ok\"} 0");
	has_line(t, "tayga_reloads_total{result=\"failed\"} 0");
	has_line(t, "tayga_last_reload_success 1");
	has_line(t, "tayga_last_reload_timestamp_seconds 0");
	free(t);
}
END_TEST

/* workers N: each slice on its own, so an alert can see the one that is
 * full while the whole pool is half empty */
START_TEST(worker_slices)
{
	struct worker_stats w[2] = {
		{ .pkts = { 1, 2 }, .dyn_active = 127, .pool_size = 127, .pool_dormant = 0 },
		{ .pkts = { 3, 4 }, .dyn_active = 5, .pool_size = 127, .pool_dormant = 1 },
	};
	struct stats s;
	char *t;

	memset(&s, 0, sizeof(s));
	s.xlat.dyn_active = 132;
	s.pool_size = 254;
	s.pool_dormant = 1;
	s.workers = w;
	s.nworkers = 2;
	t = expose(&s);
	has_line(t, "tayga_dynamic_mappings 132");
	has_line(t, "tayga_dynamic_pool_addresses 254");
	has_line(t, "tayga_worker_packets_total{worker=\"1\",dir=\"4to6\"} 3");
	has_line(t, "tayga_worker_dynamic_mappings{worker=\"0\"} 127");
	has_line(t, "tayga_worker_dynamic_mappings{worker=\"1\"} 5");
	has_line(t, "tayga_worker_dynamic_mappings_dormant{worker=\"1\"} 1");
	has_line(t, "tayga_worker_dynamic_pool_addresses{worker=\"0\"} 127");
	has_line(t, "tayga_worker_dynamic_pool_addresses{worker=\"1\"} 127");
	has_line(t, "# TYPE tayga_worker_dynamic_pool_addresses gauge");
	free(t);
}
END_TEST

START_TEST(reload_result)
{
	struct stats s;
	char *t;

	memset(&s, 0, sizeof(s));
	stats_reload(&s, true, 1000);
	stats_reload(&s, false, 2000);
	t = expose(&s);
	has_line(t, "tayga_reloads_total{result=\"ok\"} 1");
	has_line(t, "tayga_reloads_total{result=\"failed\"} 1");
	has_line(t, "tayga_last_reload_success 0");
	has_line(t, "tayga_last_reload_timestamp_seconds 2000");
	free(t);
	/* a good reload clears the failure */
	stats_reload(&s, true, 3000);
	t = expose(&s);
	has_line(t, "tayga_reloads_total{result=\"ok\"} 2");
	has_line(t, "tayga_last_reload_success 1");
	has_line(t, "tayga_last_reload_timestamp_seconds 3000");
	free(t);
}
END_TEST

START_TEST(stats_prometheus_text)
{
	struct stats s;
	char line[256];

	fill_stats(&s);
	s.rx.holds = 13;
	s.rx.busy_polls = 21;
	s.rx.busy_poll_us = 3000042;
	ck_assert_uint_eq(drops_total(&s.xlat), 100u * DROP_MAX + DROP_MAX * (DROP_MAX - 1) / 2);
	char *t = expose(&s);
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
		"# TYPE tayga_rx_holds_total counter",
		"tayga_rx_holds_total 13",
		"# TYPE tayga_rx_busy_polls_total counter",
		"tayga_rx_busy_polls_total 21",
		"# TYPE tayga_rx_busy_poll_seconds_total counter",
		"tayga_rx_busy_poll_seconds_total 3.000042",
		"tayga_dynamic_mappings_created_total 11",
		"# TYPE tayga_dynamic_mappings gauge",
		"tayga_dynamic_mappings 2",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(find_line(t, lines[i]), "missing line: %s\n%s", lines[i], t);
	for (unsigned i = 0; i < DROP_MAX; i++) {
		snprintf(line, sizeof(line), "tayga_drops_total{reason=\"%s\"} %u",
			 drop_reason_name((enum drop_reason)i), 100 + i);
		ck_assert_msg(find_line(t, line), "missing line: %s", line);
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
	snprintf(tmp, sizeof(tmp), "%s.tmp*", path);
	fill_stats(&s);
	ck_assert_int_eq(stats_write_file(&s, path), 0);
	s.xlat.echo_replies = 10;   /* overwrite an existing file */
	ck_assert_int_eq(stats_write_file(&s, path), 0);
	glob_t g;   /* no temporary file (tayga.prom.tmp.XXXXXXXX) left behind */
	ck_assert_int_eq(glob(tmp, 0, NULL, &g), GLOB_NOMATCH);

	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	char *want_text = expose(&s);
	ck_assert_str_eq(buf, want_text);
	free(want_text);
	unlink(path);
	rmdir(dir);

	/* a directory that doesn't exist: error, nothing left behind */
	ck_assert_int_eq(stats_write_file(&s, "/nonexistent-dir/x.prom"), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("exposition");

	tcase_add_test(t, daemon_gauges);
	tcase_add_test(t, worker_slices);
	tcase_add_test(t, reload_result);
	tcase_add_test(t, stats_prometheus_text);
	tcase_add_test(t, stats_file_atomic);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
