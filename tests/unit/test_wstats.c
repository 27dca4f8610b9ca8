/* test_wstats.c - `workers N` counters (daemon/wstats.h): the stats-file and
 * SIGUSR1 show the sum over the workers, each worker's packets apart, and a
 * restarted worker continues from its last copy. */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/wstats.h"

static void fill(struct stats *s, struct tun_counters *t, uint64_t base)
{
	memset(s, 0, sizeof(*s));
	memset(t, 0, sizeof(*t));
	s->xlat.pkts[DIR_4TO6] = base + 1;
	s->xlat.pkts[DIR_6TO4] = base + 2;
	s->xlat.drops[DROP_MAX - 1] = base + 3;   /* the last field counts too */
	s->xlat.dyn_active = base + 4;
	s->pool_size = 128;
	s->pool_dormant = base;
	s->rx.holds = base + 7;
	s->rx.busy_polls = base + 8;
	s->rx.busy_poll_us = base + 9;   /* the last rx counter */
	t->read_pkts = base + 5;
	t->udp_coalesced = base + 6;
	s->tun = t;
}

START_TEST(sum_over_workers)
{
	struct wstats *ws = wstats_new(3);
	struct stats s, out;
	struct tun_counters t, tun;
	struct worker_stats per[3];

	ck_assert_ptr_nonnull(ws);
	ck_assert_uint_eq(wstats_count(ws), 3);
	for (unsigned w = 0; w < 3; w++) {
		fill(&s, &t, 100 * (w + 1));
		wstats_publish(ws, w, &s);
	}
	memset(&out, 0, sizeof(out));
	out.reloads_ok = 7;   /* what is not summed stays */
	wstats_sum(ws, &out, &tun, per);
	ck_assert_uint_eq(out.xlat.pkts[DIR_4TO6], 600 + 3);
	ck_assert_uint_eq(out.xlat.pkts[DIR_6TO4], 600 + 6);
	ck_assert_uint_eq(out.xlat.drops[DROP_MAX - 1], 600 + 9);
	ck_assert_uint_eq(out.xlat.dyn_active, 600 + 12);
	ck_assert_uint_eq(out.pool_size, 3 * 128);
	ck_assert_uint_eq(out.pool_dormant, 600);
	ck_assert_uint_eq(out.rx.holds, 600 + 21);
	ck_assert_uint_eq(out.rx.busy_polls, 600 + 24);
	ck_assert_uint_eq(out.rx.busy_poll_us, 600 + 27);
	ck_assert_ptr_eq(out.tun, &tun);
	ck_assert_uint_eq(tun.read_pkts, 600 + 15);
	ck_assert_uint_eq(tun.udp_coalesced, 600 + 18);
	ck_assert_uint_eq(out.reloads_ok, 7);
	for (unsigned w = 0; w < 3; w++) {
		ck_assert_uint_eq(per[w].pkts[DIR_4TO6], 100 * (w + 1) + 1);
		ck_assert_uint_eq(per[w].pkts[DIR_6TO4], 100 * (w + 1) + 2);
		/* each worker's slice of the pool on its own */
		ck_assert_uint_eq(per[w].dyn_active, 100 * (w + 1) + 4);
		ck_assert_uint_eq(per[w].pool_size, 128);
		ck_assert_uint_eq(per[w].pool_dormant, 100 * (w + 1));
	}
}
END_TEST

/* the page is shared with forked workers: what a child publishes, the
 * parent (and worker 0) reads; a new worker reads its predecessor's copy */
START_TEST(shared_across_fork)
{
	struct wstats *ws = wstats_new(2);
	struct stats x;
	struct tun_counters t;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stats s;
		struct tun_counters ct;
		fill(&s, &ct, 1000);
		wstats_publish(ws, 1, &s);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	memset(&x, 0, sizeof(x));
	wstats_read(ws, 1, &x, &t);
	ck_assert_uint_eq(x.xlat.pkts[DIR_6TO4], 1002);
	ck_assert_uint_eq(x.rx.holds, 1007);
	ck_assert_uint_eq(x.rx.busy_poll_us, 1009);
	ck_assert_uint_eq(t.read_pkts, 1005);
	wstats_read(ws, 0, &x, &t);
	ck_assert_uint_eq(x.xlat.pkts[DIR_6TO4], 0);
	ck_assert_uint_eq(x.rx.holds, 0);
	ck_assert_uint_eq(x.rx.busy_polls, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wstats");
	TCase *tc = tcase_create("wstats");

	tcase_add_test(tc, sum_over_workers);
	tcase_add_test(tc, shared_across_fork);
	suite_add_tcase(s, tc);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
