/* test_mapfile.c - map-file semantics as TAYGA (issue 11): a relative path
 * is relative to data-dir; the file is a soft source (bad or conflicting
 * lines are skipped with a "file:line: message" warning); config-file maps,
 * ipv4-addr, the prefix and the pool win; a later map-file line replaces an
 * earlier one it conflicts with; a reload swaps the map-file's entries and
 * keeps the dynamic mappings. Also eam_conflict_max() on its own. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/conf.h"
#include "config/eam.h"
#include "state/map.h"
#include "state/pool.h"

static char tmpdir[64];
static char err[1024];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/test_mapfile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* write tmpdir/name; returns the path (static, one of four) */
static const char *tmpw(const char *name, const char *text)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

static struct config *load(const char *path)
{
	struct config *c = conf_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

static struct in_addr a4(const char *s)
{
	struct in_addr a;
	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;
	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

#define HEAD "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"

/* tmpdir/m.map holds maps; tmpdir/t.conf is head + "map-file tmpdir/m.map" */
static struct config *load_with(const char *head, const char *maps)
{
	char conf[1024];

	tmpw("m.map", maps);
	snprintf(conf, sizeof(conf), "%smap-file %s/m.map\n", head, tmpdir);
	return load(tmpw("t.conf", conf));
}

/* map_6to4 of v6: MAP_OK with v4, or MAP_NONE when v4 is NULL */
static void maps_to(const struct config *c, const char *v6, const char *v4)
{
	struct map *m = map_build(c);
	struct in6_addr x = a6(v6);
	struct in_addr o;

	ck_assert_ptr_nonnull(m);
	if (v4) {
		ck_assert_int_eq(map_6to4(m, &x, &o, NULL), MAP_OK);
		ck_assert_uint_eq(o.s_addr, a4(v4).s_addr);
	} else {
		ck_assert_int_eq(map_6to4(m, &x, &o, NULL), MAP_NONE);
	}
	map_free(m);
}

/* warning i is "<tmpdir>/file:rest..." */
static void warned(const struct config *c, size_t i, const char *file, const char *rest)
{
	char want[512];

	ck_assert_uint_gt(c->nwarnings, i);
	snprintf(want, sizeof(want), "%s/%s:%s", tmpdir, file, rest);
	ck_assert_msg(strncmp(c->warnings[i], want, strlen(want)) == 0,
		      "warning %zu \"%s\" does not start with \"%s\"", i, c->warnings[i], want);
}

/* ---- eam_conflict_max ---- */

START_TEST(conflict_max_by_hand)
{
	/* 0: 10.0.0.1 <-> a::1      1: 10.0.0.2 <-> a::/126 (holds a::1)
	 * 2: 10.0.0.1 <-> b::1 (same IPv4 as 0)  3: 10.0.1.0/24 <-> c::/120
	 * 4: 10.0.1.7 <-> d::7 (nested IPv4 only: no conflict)
	 * 5: 10.0.0.9 <-> a::/64 (holds 0 and 1) */
	struct eam e[6];
	const struct eam *v[6];
	long val[6] = { 10, 20, 30, 40, 50, 5 }, out[6];
	static const char *const s4[] = { "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.1.0", "10.0.1.7", "10.0.0.9" };
	static const unsigned l4[] = { 32, 32, 32, 24, 32, 32 };
	static const char *const s6[] = { "a::1", "a::", "b::1", "c::", "d::7", "a::" };
	static const unsigned l6[] = { 128, 126, 128, 120, 128, 64 };

	memset(e, 0, sizeof(e));
	for (int i = 0; i < 6; i++) {
		e[i].v4 = a4(s4[i]);
		e[i].len4 = (uint8_t)l4[i];
		e[i].v6 = a6(s6[i]);
		e[i].len6 = (uint8_t)l6[i];
		v[i] = &e[i];
	}
	ck_assert_int_eq(eam_conflict_max(v, val, 6, out), 0);
	/* 0 conflicts with 1 (IPv6 nested), 2 (IPv4), 5 (IPv6): max(10,20,30,5) */
	ck_assert_int_eq(out[0], 30);
	/* 1 with 0 and 5: max(20, 10, 5) */
	ck_assert_int_eq(out[1], 20);
	/* 2 with 0 only (b::1 is alone on the IPv6 side) */
	ck_assert_int_eq(out[2], 30);
	/* 3 and 4: nested IPv4 prefixes are no conflict (longest match) */
	ck_assert_int_eq(out[3], 40);
	ck_assert_int_eq(out[4], 50);
	/* 5 with 0 and 1 below it */
	ck_assert_int_eq(out[5], 20);
	ck_assert_int_eq(eam_conflict_max(v, val, 0, out), 0);
}
END_TEST

/* ---- map-file semantics ---- */

/* The example: the config's map wins; line 2 is skipped and
 * 2001:db8:1::2 is then unmapped like any other address. */
START_TEST(config_map_wins)
{
	struct config *c = load_with("tun-device t\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n"
				     "prefix 64:ff9b::/96\nmap 192.168.2.2 2001:db8:1::3\n",
				     "map 192.168.2.1 2001:db8:1::1\nmap 192.168.2.2 2001:db8:1::2\n");

	ck_assert_uint_eq(c->nmaps, 2);
	ck_assert_uint_eq(c->nwarnings, 1);
	warned(c, 0, "m.map", "2: map: 192.168.2.2/32 2001:db8:1::2/128 conflicts with the map on ");
	maps_to(c, "2001:db8:1::1", "192.168.2.1");
	maps_to(c, "2001:db8:1::3", "192.168.2.2");
	maps_to(c, "2001:db8:1::2", NULL);
	conf_free(c);
}
END_TEST

/* ipv4-addr, ipv6-addr, the prefix and the pool win over map-file lines */
START_TEST(config_addresses_win)
{
	struct config *c = load_with("tun-device t\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n"
				     "prefix 2001:db8:64::/96\ndynamic-pool 10.9.0.0/24\n",
				     "map 192.168.255.1 2001:db8:9::1\n"   /* ipv4-addr */
				     "map 192.0.2.9 2001:db8:ff::/120\n"   /* holds ipv6-addr */
				     "map 192.0.2.10 2001:db8:64::5\n"     /* inside the prefix */
				     "map 10.9.0.0/24 2001:db8:8::/120\n"  /* covers the pool */
				     "map 10.9.0.5 2001:db8:8::5\n");      /* inside the pool: fine */

	ck_assert_uint_eq(c->nmaps, 1);
	ck_assert_uint_eq(c->nwarnings, 4);
	warned(c, 0, "m.map", "1: map: IPv4 192.168.255.1/32 contains ipv4-addr");
	warned(c, 1, "m.map", "2: map: IPv6 2001:db8:ff::/120 contains ipv6-addr");
	warned(c, 2, "m.map", "3: map: IPv6 2001:db8:64::5/128 overlaps prefix");
	warned(c, 3, "m.map", "4: map: IPv4 10.9.0.0/24 covers the whole dynamic-pool");
	maps_to(c, "2001:db8:8::5", "10.9.0.5");
	conf_free(c);
}
END_TEST

/* A later map-file line replaces the earlier ones it conflicts with (same
 * IPv4 prefix or overlapping IPv6 prefixes), worked by hand:
 *   1: .1 <-> a::1     replaced by 3 (same IPv4) and 4 (a::/126 holds a::1)
 *   2: .2 <-> a::2     replaced by 4 (a::/126 holds a::2)
 *   3: .1 <-> a::11    kept (a::11 is outside a::/126; line 5 is a::3)
 *   4: .8/30 <-> a::/126  replaced by 5 (a::3 is inside it)
 *   5: .20 <-> a::3    kept
 * The message names the last line that conflicts. */
START_TEST(later_line_replaces_earlier)
{
	struct config *c = load_with(HEAD, "map 198.51.100.1 2001:db8:a::1\n"
					   "map 198.51.100.2 2001:db8:a::2\n"
					   "map 198.51.100.1 2001:db8:a::11\n"
					   "map 198.51.100.8/30 2001:db8:a::/126\n"
					   "map 198.51.100.20 2001:db8:a::3\n");

	ck_assert_uint_eq(c->nmaps, 2);
	ck_assert_uint_eq(c->maps[0].line, 3);
	ck_assert_uint_eq(c->maps[1].line, 5);
	ck_assert_uint_eq(c->nwarnings, 3);
	warned(c, 0, "m.map", "1: map: 198.51.100.1/32 2001:db8:a::1/128 is replaced by line 4");
	warned(c, 1, "m.map", "2: map: 198.51.100.2/32 2001:db8:a::2/128 is replaced by line 4");
	warned(c, 2, "m.map", "4: map: 198.51.100.8/30 2001:db8:a::/126 is replaced by line 5");
	maps_to(c, "2001:db8:a::11", "198.51.100.1");
	maps_to(c, "2001:db8:a::3", "198.51.100.20");
	maps_to(c, "2001:db8:a::2", NULL);
	conf_free(c);
}
END_TEST

/* Bad lines are skipped and reported in line order; the good ones stay.
 * Past 200 warnings one line counts the rest. */
START_TEST(bad_lines_skipped_in_order)
{
	struct config *c;
	char *big;
	size_t n = 0;

	c = load_with(HEAD, "map 198.51.100.1\n"                  /* 1: too few words */
			    "map 198.51.100.2 2001:db8:a::2\n"     /* 2: good */
			    "tun-ip 192.0.2.9\n"                   /* 3: not a map line */
			    "map 127.0.0.1 2001:db8:a::7\n"        /* 4: never translated */
			    "map 198.51.100.3 2001:db8:a::2\n");   /* 5: replaces 2 */
	ck_assert_uint_eq(c->nmaps, 1);
	ck_assert_uint_eq(c->nwarnings, 4);
	warned(c, 0, "m.map", "1: map: wrong number of arguments");
	warned(c, 1, "m.map", "2: map: 198.51.100.2/32 2001:db8:a::2/128 is replaced by line 5");
	warned(c, 2, "m.map", "3: tun-ip: only map lines are allowed in a map-file");
	warned(c, 3, "m.map", "4: map: 127.0.0.1 is (or contains) a reserved IPv4 range");
	maps_to(c, "2001:db8:a::2", "198.51.100.3");
	conf_free(c);

	/* 250 bad lines: 200 warnings and "50 more lines skipped" */
	big = malloc(250 * 8 + 1);
	ck_assert_ptr_nonnull(big);
	for (int i = 0; i < 250; i++)
		n += (size_t)sprintf(big + n, "bogus\n");
	c = load_with(HEAD, big);
	free(big);
	ck_assert_uint_eq(c->nmaps, 0);
	ck_assert_uint_eq(c->nwarnings, 201);
	warned(c, 199, "m.map", "200: unknown directive");
	warned(c, 200, "m.map", " 50 more lines skipped");
	conf_free(c);
}
END_TEST

/* TAYGA chdir()s to data-dir: a relative map-file is found there (issue:
 * data-dir /srv + map-file test/tayga.map) */
START_TEST(relative_to_data_dir)
{
	const char *cf;
	struct config *c;
	char conf[512], dir[256], want[300];

	snprintf(dir, sizeof(dir), "%s/data", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/data/test", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	tmpw("data/test/tayga.map", "map 198.51.100.1 2001:db8:a::1\n");
	/* the same relative path next to the config file is not the one read */
	snprintf(dir, sizeof(dir), "%s/test", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	tmpw("test/tayga.map", "map 198.51.100.2 2001:db8:a::2\nmap 198.51.100.3 2001:db8:a::3\n");
	snprintf(conf, sizeof(conf), "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"
		 "map-file test/tayga.map\ndata-dir %s/data\n", tmpdir);
	cf = tmpw("t.conf", conf);
	c = load(cf);
	snprintf(want, sizeof(want), "%s/data/test/tayga.map", tmpdir);
	ck_assert_str_eq(c->map_file, want);
	ck_assert_uint_eq(c->nmaps, 1);
	ck_assert(c->maps[0].v4.s_addr == a4("198.51.100.1").s_addr);
	conf_free(c);
	/* unreadable: the only map-file problem that is an error */
	snprintf(conf, sizeof(conf), "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"
		 "map-file none.map\ndata-dir %s/data\n", tmpdir);
	cf = tmpw("t.conf", conf);
	ck_assert_ptr_null(conf_load(cf, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s/t.conf:4: map-file: %s/data/none.map: cannot open: ", tmpdir, tmpdir);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
}
END_TEST

/* SIGHUP: the daemon builds map + pool from the new config and migrates
 * the pool (main.c reload()). Entries gone from the file are gone, new ones
 * are there, and a dynamic mapping survives. The example: {.2.1 <->
 * ::1} becomes {.2.3 <-> ::1}. */
START_TEST(reload_swaps_entries_keeps_dynamic)
{
	const char *cf;
	struct config *c1, *c2;
	struct map *m1, *m2;
	struct pool *p1, *p2;
	struct in6_addr h = a6("2001:db8:5::5"), back;
	struct in_addr d1, d2;
	char conf[512];

	snprintf(conf, sizeof(conf), "tun-device t\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n"
		 "prefix 64:ff9b::/96\ndynamic-pool 192.168.255.0/24\nmap-file %s/tayga.map\n", tmpdir);
	cf = tmpw("t.conf", conf);
	tmpw("tayga.map", "map 192.168.2.1 2001:db8:1::1\n");
	c1 = load(cf);
	m1 = map_build(c1);
	p1 = pool_new(c1);
	ck_assert_int_eq(pool_lookup6(p1, &h, &d1, 1000, true, NULL), POOL_OK);
	maps_to(c1, "2001:db8:1::1", "192.168.2.1");

	tmpw("tayga.map", "map 192.168.2.3 2001:db8:1::1\n");
	c2 = load(cf);
	m2 = map_build(c2);
	p2 = pool_new(c2);
	pool_migrate(p2, p1);
	maps_to(c2, "2001:db8:1::1", "192.168.2.3");
	/* 192.168.2.1 is no longer mapped (and the WKP refuses it) */
	ck_assert_int_eq(map_4to6(m2, a4("192.168.2.1"), &back), MAP_FORBIDDEN);
	ck_assert_int_eq(pool_lookup6(p2, &h, &d2, 1001, false, NULL), POOL_OK);
	ck_assert_uint_eq(d1.s_addr, d2.s_addr);
	ck_assert_int_eq(pool_lookup4(p2, d2, &back, 1001), POOL_OK);
	ck_assert_mem_eq(&back, &h, 16);
	pool_free(p1);
	map_free(m1);
	conf_free(c1);
	pool_free(p2);
	map_free(m2);
	conf_free(c2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mapfile");
	TCase *t = tcase_create("mapfile");

	tcase_add_checked_fixture(t, tmp_setup, tmp_teardown);
	tcase_add_test(t, conflict_max_by_hand);
	tcase_add_test(t, config_map_wins);
	tcase_add_test(t, config_addresses_win);
	tcase_add_test(t, later_line_replaces_earlier);
	tcase_add_test(t, bad_lines_skipped_in_order);
	tcase_add_test(t, relative_to_data_dir);
	tcase_add_test(t, reload_swaps_entries_keeps_dynamic);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
