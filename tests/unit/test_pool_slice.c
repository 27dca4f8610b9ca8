/* test_pool_slice.c - `workers N` and the dynamic pool (issue 25): each
 * worker allocates only in its slice, the host keeps its address across
 * restarts, dynamic.map stays one file in TAYGA's format that every
 * worker merges its slice into, and a change of N re-homes mappings. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf.h"
#include "lib/steer.h"
#include "state/pool.h"

#define W 2
#define CONF "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n" \
	     "dynamic-pool 10.64.0.0/24\n"
#define NOW 1000000

static struct config *conf;
static struct steer_params sp;

static void setup(void)
{
	char err[512];

	conf = conf_parse_string(CONF, "slice.conf", err, sizeof(err));
	ck_assert_msg(conf != NULL, "%s", err);
	pool_steer_params(conf, &sp);
	sp.workers = W;
	sp.plen6 = 56;
}

static void teardown(void)
{
	conf_free(conf);
}

/* worker w's pool of `workers` (1: no slices) */
static struct pool *worker_pool(unsigned workers, unsigned w)
{
	struct steer_params s = sp;
	struct pool *p = pool_new(conf);

	ck_assert_ptr_nonnull(p);
	s.workers = workers;
	pool_set_slice(p, &s, w);
	return p;
}

/* host k: 40 /56 client networks, a few hosts in each */
static struct in6_addr host(unsigned k)
{
	struct in6_addr a;
	inet_pton(AF_INET6, "2001:db8:100::", &a);
	a.s6_addr[5] = (uint8_t)(k / 4);
	a.s6_addr[6] = (uint8_t)(k * 37);
	a.s6_addr[15] = (uint8_t)(k % 4 + 1);
	return a;
}

static struct in_addr get(struct pool *p, unsigned k)
{
	struct in6_addr h = host(k);
	struct in_addr a;
	ck_assert_int_eq(pool_lookup6(p, &h, &a, NOW, true, NULL), POOL_OK);
	return a;
}

START_TEST(each_worker_allocates_in_its_slice)
{
	struct pool *p[W] = { worker_pool(W, 0), worker_pool(W, 1) }, *again;
	unsigned used[W] = { 0 };

	for (unsigned k = 0; k < 160; k++) {
		unsigned w = steer_v6(&sp, host(k).s6_addr);
		struct in_addr a = get(p[w], k);
		ck_assert_int_eq(pool_owner(p[w], a), (int)w);
		used[w]++;
	}
	ck_assert_uint_gt(used[0], 30);   /* both carry hosts */
	ck_assert_uint_gt(used[1], 30);
	/* restart without dynamic.map: the fold gives every host its address again */
	for (unsigned w = 0; w < W; w++) {
		again = worker_pool(W, w);
		for (unsigned k = 0; k < 160; k++) {
			struct in6_addr h = host(k);
			struct in_addr a, b;
			if (steer_v6(&sp, h.s6_addr) != w)
				continue;
			ck_assert_int_eq(pool_lookup6(p[w], &h, &a, NOW, false, NULL), POOL_OK);
			b = get(again, k);
			ck_assert_uint_eq(a.s_addr, b.s_addr);
		}
		pool_free(again);
		pool_free(p[w]);
	}
}
END_TEST

/* Where TAYGA's fold lands in the host's own slice, the address is the one
 * one worker (and TAYGA) would give */
START_TEST(fold_unchanged_inside_the_slice)
{
	struct pool *one = worker_pool(1, 0), *p[W] = { worker_pool(W, 0), worker_pool(W, 1) };
	unsigned same = 0;

	for (unsigned k = 0; k < 40; k++) {
		unsigned w = steer_v6(&sp, host(k).s6_addr);
		struct in_addr a1 = get(one, k), aw = get(p[w], k);
		if (pool_owner(p[w], a1) == (int)w) {
			ck_assert_uint_eq(a1.s_addr, aw.s_addr);
			same++;
		}
	}
	ck_assert_uint_gt(same, 5);
	pool_free(one);
	pool_free(p[0]);
	pool_free(p[1]);
}
END_TEST

static long count_lines(const char *path)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		n += line[0] != '#';
	fclose(f);
	return n;
}

START_TEST(one_file_merged_by_every_worker)
{
	char dir[] = "/tmp/test_slice.XXXXXX", path[64];
	struct pool *p[W] = { worker_pool(W, 0), worker_pool(W, 1) }, *q, *one;
	size_t n[W];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dynamic.map", dir);
	for (unsigned k = 0; k < 100; k++)
		get(p[steer_v6(&sp, host(k).s6_addr)], k);
	n[0] = pool_count(p[0]);
	n[1] = pool_count(p[1]);
	/* in either order, each write keeps the other's lines */
	ck_assert_int_eq(pool_save(p[1], path), 0);
	ck_assert_int_eq(count_lines(path), (long)n[1]);
	ck_assert_int_eq(pool_save(p[0], path), 0);
	ck_assert_int_eq(count_lines(path), 100);
	unsigned k1 = 100;
	while (steer_v6(&sp, host(k1).s6_addr) != 1)
		k1++;
	get(p[1], k1);        /* a new mapping of worker 1 ... */
	ck_assert_int_eq(pool_save(p[1], path), 0);
	ck_assert_int_eq(count_lines(path), 101);
	/* a restarted worker loads its own lines only */
	for (unsigned w = 0; w < W; w++) {
		q = worker_pool(W, w);
		ck_assert_int_eq(pool_load(q, path, NOW, NULL, NULL), (long)pool_count(p[w]));
		for (unsigned k = 0; k <= k1; k++) {
			struct in6_addr h = host(k);
			struct in_addr a, b;
			if (pool_lookup6(p[w], &h, &a, NOW, false, NULL) != POOL_OK)
				continue;
			ck_assert_int_eq(pool_lookup6(q, &h, &b, NOW, false, NULL), POOL_OK);
			ck_assert_uint_eq(a.s_addr, b.s_addr);
		}
		pool_free(q);
	}
	/* a reader that knows nothing of workers: TAYGA's format, all of it */
	one = worker_pool(1, 0);
	ck_assert_int_eq(pool_load(one, path, NOW, NULL, NULL), 101);
	pool_free(one);
	pool_free(p[0]);
	pool_free(p[1]);
	unlink(path);
	rmdir(dir);
}
END_TEST

static unsigned reports;
static void count_report(void *arg, const char *msg)
{
	(void)arg;
	ck_assert_ptr_nonnull(strstr(msg, "workers changed"));
	reports++;
}

/* From one worker to two: every host ends up in its new worker's pool,
 * with its old address where that lies in the worker's slice, re-homed
 * (and said so) where not; the file then holds each host once. */
START_TEST(change_of_n_rehomes)
{
	char dir[] = "/tmp/test_slice.XXXXXX", path[64];
	struct pool *one = worker_pool(1, 0), *p[W];
	unsigned kept = 0, moved = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dynamic.map", dir);
	for (unsigned k = 0; k < 80; k++)
		get(one, k);
	ck_assert_int_eq(pool_save(one, path), 0);
	reports = 0;
	for (unsigned w = 0; w < W; w++) {
		p[w] = worker_pool(W, w);
		pool_load(p[w], path, NOW, count_report, NULL);
	}
	ck_assert_uint_eq(pool_count(p[0]) + pool_count(p[1]), 80);
	for (unsigned k = 0; k < 80; k++) {
		struct in6_addr h = host(k);
		unsigned w = steer_v6(&sp, h.s6_addr);
		struct in_addr a1, aw;
		ck_assert_int_eq(pool_lookup6(one, &h, &a1, NOW, false, NULL), POOL_OK);
		ck_assert_int_eq(pool_lookup6(p[w], &h, &aw, NOW, false, NULL), POOL_OK);
		ck_assert_int_eq(pool_lookup6(p[1 - w], &h, &a1, NOW, false, NULL), POOL_NONE);
		ck_assert_int_eq(pool_owner(p[w], aw), (int)w);
		if (pool_lookup6(one, &h, &a1, NOW, false, NULL) == POOL_OK && a1.s_addr == aw.s_addr)
			kept++;
		else
			moved++;
	}
	ck_assert_uint_gt(kept, 0);
	ck_assert_uint_gt(moved, 0);
	ck_assert_uint_eq(reports, 2 * moved);   /* one line by each side */
	ck_assert_int_eq(pool_save(p[0], path), 0);
	ck_assert_int_eq(pool_save(p[1], path), 0);
	ck_assert_int_eq(count_lines(path), 80);
	pool_free(one);
	pool_free(p[0]);
	pool_free(p[1]);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool_slice");
	TCase *t = tcase_create("slices");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, each_worker_allocates_in_its_slice);
	tcase_add_test(t, fold_unchanged_inside_the_slice);
	tcase_add_test(t, one_file_merged_by_every_worker);
	tcase_add_test(t, change_of_n_rehomes);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
