/* test_workers.c - `workers N` (daemon/workers.c): which prefix the
 * steering hashes (the shortest one anything is counted or limited per, so
 * every such prefix stays on one worker and its counts and limits are
 * exact), and that a reload which would move the steering is refused while
 * one that does not is taken. */
#include <check.h>
#include <string.h>

#include "config/conf.h"
#include "daemon/daemon.h"

#define BASE "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n" \
	     "dynamic-pool 10.64.0.0/20\n"

static struct config *parse(const char *text)
{
	char err[512];
	struct config *c = conf_parse_string(text, "w.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

static unsigned plen_of(const char *extra)
{
	char text[512];
	struct steer_params s;
	struct config *c;

	snprintf(text, sizeof(text), BASE "%s", extra);
	c = parse(text);
	workers_steer_params(c, 4, &s);
	conf_free(c);
	ck_assert_uint_eq(s.workers, 4);
	ck_assert_uint_eq(s.pool_n, 4096);       /* the /20 */
	ck_assert_uint_eq(s.pool_bits, 12);
	ck_assert_uint_eq(s.pool_net, 0x0a400000);
	return s.plen6;
}

START_TEST(steering_prefix_is_the_shortest_counted_one)
{
	ck_assert_uint_eq(plen_of(""), 128);                            /* per host */
	ck_assert_uint_eq(plen_of("usage-stats yes\n"), 32);            /* default /32 */
	ck_assert_uint_eq(plen_of("usage-prefix-len 56\n"), 128);       /* usage off */
	ck_assert_uint_eq(plen_of("usage-stats yes\nusage-prefix-len 56\n"), 56);
	ck_assert_uint_eq(plen_of("rate-limit 48 1M 1M\n"), 48);
	ck_assert_uint_eq(plen_of("usage-stats yes\nusage-prefix-len 56\nrate-limit 48 1M 1M\n"), 48);
	ck_assert_uint_eq(plen_of("rate-limit 64 1M 1M\ndynamic-limit 60 4\n"), 60);
}
END_TEST

START_TEST(reload_keeps_the_steering)
{
	static struct daemon d;
	struct config *c = parse(BASE "rate-limit 48 1M 1M\n"), *n;
	char err[512];

	memset(&d, 0, sizeof(d));
	d.nworkers = 2;
	workers_steer_params(c, 2, &d.steer);
	/* a map added, a rate changed: the steering stays, taken */
	n = parse(BASE "rate-limit 48 2M 1M\nmap 192.0.2.9 2001:db8:9::9\n");
	ck_assert(workers_reload_ok(&d, n, err, sizeof(err)));
	conf_free(n);
	/* another pool, another prefix length: refused, and why */
	n = parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"
		  "dynamic-pool 10.64.0.0/21\nrate-limit 48 1M 1M\n");
	ck_assert(!workers_reload_ok(&d, n, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "dynamic-pool"));
	conf_free(n);
	n = parse(BASE "rate-limit 56 1M 1M\n");
	ck_assert(!workers_reload_ok(&d, n, err, sizeof(err)));
	conf_free(n);
	/* one process: nothing to keep */
	d.nworkers = 1;
	n = parse(BASE "rate-limit 56 1M 1M\n");
	ck_assert(workers_reload_ok(&d, n, err, sizeof(err)));
	conf_free(n);
	conf_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = tcase_create("workers");

	tcase_add_test(tc, steering_prefix_is_the_shortest_counted_one);
	tcase_add_test(tc, reload_keeps_the_steering);
	suite_add_tcase(s, tc);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
