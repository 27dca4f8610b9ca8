/* test_stats.c - the stats-file (Prometheus text format) series that the
 * alert rules and the dashboard in contrib/ read (issue 26): their names,
 * labels and values, and stats_reload()'s bookkeeping. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* the sample line "NAME{LABELS} VALUE" is in text, whole */
static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	ck_abort_msg("missing line \"%s\" in:\n%s", line, text);
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

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("exposition");

	tcase_add_test(t, daemon_gauges);
	tcase_add_test(t, reload_result);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
