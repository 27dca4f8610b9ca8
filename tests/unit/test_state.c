/* test_state.c - the daemon's running state (daemon/state.c): building it
 * from a configuration, and what a SIGHUP reload promises the operator
 * (tayga(8) SIGNALS): a reload that fails keeps the running configuration,
 * live dynamic mappings survive, offload and io-uring changes are reported
 * as taking effect at the next restart, dynamic.map lives in data-dir.
 * The reload is driven as the daemon drives it (reload(), or
 * reload_from_parent() with privilege separation) on a struct daemon with
 * no tun open; what it logs is read back from stdout. */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"

/* no such interface: tun_refresh_mtu() keeps the MTU, nothing is touched */
#define TUN "tgtest-none0"
#define BASE "tun-device " TUN "\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"

static char dir[256];       /* a data-dir */
static char conf_path[512];
static struct daemon d;
static char logbuf[8192];

static void write_conf(const char *text)
{
	FILE *f = fopen(conf_path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* A daemon running conf `text` (written to conf_path) on a tun whose
 * offload and batched reads are as given. */
static void start(const char *text, bool offload, bool batched)
{
	char err[512];
	struct config *c;

	write_conf(text);
	c = conf_load(conf_path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	memset(&d, 0, sizeof(d));
	d.ps_sock = -1;
	snprintf(d.conf_path, sizeof(d.conf_path), "%s", conf_path);
	snprintf(d.tun.name, sizeof(d.tun.name), "%s", TUN);
	d.tun.mtu = 1500;
	d.tun.offload = offload;
	d.tun.batched = batched;
	ck_assert_int_eq(state_build(&d.st, c, false, err, sizeof(err)), 0);
	apply_state(&d);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf_path, sizeof(conf_path), "%s/tayga.conf", dir);
	log_init(LOG_TO_STDOUT, 0);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];
	state_free(&d.st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run fn(&d) with stdout (where log lines go) captured into logbuf. */
static const char *logged(void (*fn)(struct daemon *))
{
	char path[PATH_MAX + 8];
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	fn(&d);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	n = pread(fd, logbuf, sizeof(logbuf) - 1, 0);
	close(fd);
	ck_assert_int_ge(n, 0);
	logbuf[n] = '\0';
	return logbuf;
}

static void do_reload(struct daemon *dm) { reload(dm); }

static struct in_addr v4(const char *s)
{
	struct in_addr a;
	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in6_addr v6(const char *s)
{
	struct in6_addr a;
	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* the running map sends a to the IPv6 address want */
static bool maps_to(const char *a, const char *want)
{
	struct in6_addr out, w = v6(want);
	return map_4to6(d.st.map, v4(a), &out) == MAP_OK && memcmp(&out, &w, sizeof(w)) == 0;
}

/* ---------- building ---------- */

START_TEST(dynmap_path_per_data_dir)
{
	char err[512], text[PATH_MAX + 256], want[PATH_MAX + 16];
	struct state s;
	struct config *c;

	/* no data-dir: no dynamic.map (the pool lives in memory only) */
	c = conf_parse_string(BASE "dynamic-pool 192.0.2.0/24\n", "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(state_build(&s, c, false, err, sizeof(err)), 0);
	ck_assert_str_eq(s.dynmap, "");
	ck_assert_ptr_nonnull(s.pool);
	state_free(&s);

	snprintf(text, sizeof(text), BASE "dynamic-pool 192.0.2.0/24\ndata-dir %s\n", dir);
	c = conf_parse_string(text, "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(state_build(&s, c, false, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/dynamic.map", dir);
	ck_assert_str_eq(s.dynmap, want);
	state_free(&s);

	/* -r: the process is chrooted into data-dir, which is "/" there */
	c = conf_parse_string(text, "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(state_build(&s, c, true, err, sizeof(err)), 0);
	ck_assert_str_eq(s.dynmap, "/dynamic.map");
	ck_assert_ptr_eq(s.conf, c);
	ck_assert_ptr_nonnull(s.map);
	ck_assert_ptr_null(s.meter);   /* usage-stats and rate-limit off */
	state_free(&s);
}
END_TEST

START_TEST(no_pool_without_dynamic_pool_meter_with_usage_stats)
{
	char err[512];
	struct state s;
	struct config *c = conf_parse_string(BASE "usage-stats yes\n", "t.conf", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(state_build(&s, c, false, err, sizeof(err)), 0);
	ck_assert_ptr_null(s.pool);
	ck_assert_ptr_nonnull(s.meter);
	state_free(&s);
}
END_TEST

/* the translator's context points at the running state */
START_TEST(apply_state_points_translator_at_state)
{
	start(BASE "dynamic-pool 192.0.2.0/24\nicmp-ratelimit 7 3\n", false, false);
	ck_assert_ptr_eq(d.xcfg.conf, d.st.conf);
	ck_assert_uint_eq(d.rl.rate, 7);
	ck_assert_uint_eq(d.rl.burst, 3);
	ck_assert_ptr_eq(d.xcfg.map, d.st.map);
	ck_assert_ptr_eq(d.ctx.pool, d.st.pool);
	ck_assert_uint_eq(d.xcfg.mtu, 1500);
}
END_TEST

/* ---------- reload ---------- */

START_TEST(reload_applies_new_config)
{
	const char *log;
	struct config *old;

	start(BASE "map 192.0.2.10 2001:db8:1::10\n", false, false);
	old = d.st.conf;
	write_conf(BASE "map 192.0.2.11 2001:db8:1::11\n");
	log = logged(do_reload);
	ck_assert_ptr_ne(d.st.conf, old);
	ck_assert_ptr_eq(d.xcfg.conf, d.st.conf);
	ck_assert_ptr_eq(d.xcfg.map, d.st.map);
	ck_assert(maps_to("192.0.2.11", "2001:db8:1::11"));
	ck_assert(!maps_to("192.0.2.10", "2001:db8:1::10"));
	ck_assert_msg(strstr(log, "reloaded ") && strstr(log, "(1 maps, 0 dynamic mappings kept)"), "%s", log);
	/* the stats-file's tayga_reloads_total and tayga_last_reload_* */
	ck_assert_uint_eq(d.stats.reloads_ok, 1);
	ck_assert_uint_eq(d.stats.reloads_failed, 0);
	ck_assert(!d.stats.last_reload_failed);
	ck_assert_int_gt(d.stats.last_reload, 0);
}
END_TEST

static void reload_fails_with(const char *bad, const char *why)
{
	const char *log;
	struct config *old;
	struct map *oldmap;

	start(BASE "map 192.0.2.10 2001:db8:1::10\n", false, false);
	old = d.st.conf;
	oldmap = d.st.map;
	write_conf(bad);
	log = logged(do_reload);
	ck_assert_ptr_eq(d.st.conf, old);
	ck_assert_ptr_eq(d.st.map, oldmap);
	ck_assert_ptr_eq(d.xcfg.conf, old);
	ck_assert(maps_to("192.0.2.10", "2001:db8:1::10"));
	ck_assert_msg(strstr(log, why) != NULL, "%s", log);
	ck_assert_msg(strstr(log, "reloaded ") == NULL, "%s", log);
	/* counted as failed for the stats-file (TaygaReloadFailed) */
	ck_assert_uint_eq(d.stats.reloads_failed, 1);
	ck_assert_uint_eq(d.stats.reloads_ok, 0);
	ck_assert(d.stats.last_reload_failed);
	ck_assert_int_gt(d.stats.last_reload, 0);
	teardown();
	setup();
}

START_TEST(failed_reload_keeps_running_config)
{
	char text[PATH_MAX + 256];

	/* a syntax error, with file:line */
	reload_fails_with(BASE "map 192.0.2.11 2001:db8:1::11\nno-such-directive 1\n",
			  "reload failed, keeping the running configuration: ");
	ck_assert_msg(strstr(logbuf, "tayga.conf:5:") != NULL, "%s", logbuf);
	/* a data-dir that does not exist: created at start-up only */
	snprintf(text, sizeof(text), BASE "data-dir %s/gone\n", dir);
	reload_fails_with(text, "reload failed, keeping the running configuration: ");
	ck_assert_msg(strstr(logbuf, "created at start-up only") != NULL, "%s", logbuf);
	/* the tun cannot be renamed under a running daemon */
	reload_fails_with("tun-device other0\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n",
			  "reload refused: tun-device changed from " TUN " to other0");
	/* the file is gone */
	start(BASE "map 192.0.2.10 2001:db8:1::10\n", false, false);
	struct config *old = d.st.conf;
	ck_assert_int_eq(unlink(conf_path), 0);
	ck_assert_ptr_nonnull(strstr(logged(do_reload), "reload failed, keeping the running configuration"));
	ck_assert_ptr_eq(d.st.conf, old);
	ck_assert(maps_to("192.0.2.10", "2001:db8:1::10"));
}
END_TEST

START_TEST(reload_keeps_dynamic_mappings)
{
	struct in6_addr h1 = v6("2001:db8:1::1"), h2 = v6("2001:db8:1::2"), back;
	struct in_addr a1, a2, again;
	bool created;
	const char *log;

	start(BASE "dynamic-pool 192.0.2.0/24\n", false, false);
	ck_assert_int_eq(pool_lookup6(d.ctx.pool, &h1, &a1, 1000, true, &created), POOL_OK);
	ck_assert(created);
	ck_assert_int_eq(pool_lookup6(d.ctx.pool, &h2, &a2, 1000, true, &created), POOL_OK);
	/* the new configuration maps a2 statically: that mapping cannot stay */
	char text[512];
	char s2[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a2, s2, sizeof(s2));
	snprintf(text, sizeof(text), BASE "dynamic-pool 192.0.2.0/24\nmap %s 2001:db8:9::9\n", s2);
	write_conf(text);
	log = logged(do_reload);
	ck_assert_msg(strstr(log, "(1 maps, 1 dynamic mappings kept)") != NULL, "%s", log);
	ck_assert_ptr_eq(d.ctx.pool, d.st.pool);
	/* h1 keeps its address both ways; h2's is a static map now */
	ck_assert_int_eq(pool_lookup4(d.ctx.pool, a1, &back, 1001), POOL_OK);
	ck_assert_mem_eq(&back, &h1, sizeof(h1));
	ck_assert_int_eq(pool_lookup6(d.ctx.pool, &h1, &again, 1001, false, NULL), POOL_OK);
	ck_assert_uint_eq(again.s_addr, a1.s_addr);
	ck_assert_int_eq(pool_lookup6(d.ctx.pool, &h2, &again, 1001, false, NULL), POOL_NONE);
	ck_assert(maps_to(s2, "2001:db8:9::9"));

	/* a failed reload loses none of them */
	write_conf(BASE "dynamic-pool 192.0.2.0/24\nbroken\n");
	logged(do_reload);
	ck_assert_int_eq(pool_lookup4(d.ctx.pool, a1, &back, 1002), POOL_OK);
	ck_assert_mem_eq(&back, &h1, sizeof(h1));
}
END_TEST

/* The offload / io-uring mode is fixed when the tun is opened: a reload
 * that would change it says so (and still applies everything else); one
 * that would not stays quiet (auto keeps what the kernel gave). */
static void check_mode_change(const char *from, const char *to, bool offload, bool batched,
			      bool warned)
{
	char a[256], b[256];
	const char *log;

	snprintf(a, sizeof(a), BASE "%s\n", from);
	snprintf(b, sizeof(b), BASE "%s\nmap 192.0.2.11 2001:db8:1::11\n", to);
	start(a, offload, batched);
	write_conf(b);
	log = logged(do_reload);
	ck_assert_msg((strstr(log, "reload: offload and io-uring changes take effect at the next restart")
		       != NULL) == warned, "%s -> %s (offload %d, batched %d): %s", from, to, offload,
		      batched, log);
	ck_assert_msg(strstr(log, "reloaded ") != NULL, "%s", log);
	ck_assert(maps_to("192.0.2.11", "2001:db8:1::11"));
	teardown();
	setup();
}

START_TEST(offload_io_uring_changes_at_next_restart)
{
	/* running with offload and batched reads */
	check_mode_change("offload on", "offload off", true, false, true);
	check_mode_change("offload on", "offload on", true, false, false);
	check_mode_change("offload auto", "offload on", true, false, false);
	check_mode_change("io-uring on", "io-uring off", false, true, true);
	/* running without: on asks for what is not there */
	check_mode_change("offload off", "offload on", false, false, true);
	check_mode_change("io-uring off", "io-uring on", false, false, true);
	/* auto where it was off could turn it on at a restart; auto where
	 * auto found the kernel without it would find the same again */
	check_mode_change("offload off", "offload auto", false, false, true);
	check_mode_change("offload auto", "offload auto", false, false, false);
	check_mode_change("io-uring off", "io-uring auto", false, false, true);
	check_mode_change("io-uring auto", "io-uring auto", false, false, false);
	check_mode_change("offload off\nio-uring off", "offload off\nio-uring off", false, false, false);
}
END_TEST

START_TEST(reload_moves_dynamic_map_with_data_dir)
{
	char text[PATH_MAX + 256], want[PATH_MAX + 32], sub[PATH_MAX + 8];
	struct in6_addr h = v6("2001:db8:1::1");
	struct in_addr a;
	struct stat st;

	snprintf(text, sizeof(text), BASE "dynamic-pool 192.0.2.0/24\ndata-dir %s\n", dir);
	start(text, false, false);
	snprintf(sub, sizeof(sub), "%s/b", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(text, sizeof(text), BASE "dynamic-pool 192.0.2.0/24\ndata-dir %s\n", sub);
	write_conf(text);
	logged(do_reload);
	snprintf(want, sizeof(want), "%s/dynamic.map", sub);
	ck_assert_str_eq(d.st.dynmap, want);
	/* the pool is saved there from now on */
	ck_assert_int_eq(pool_lookup6(d.ctx.pool, &h, &a, 1000, true, NULL), POOL_OK);
	save_pool(&d);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
}
END_TEST

/* With privilege separation the parent reads the file and sends the text;
 * the jailed child parses it without touching the disk. */
static int peer = -1;
static bool parent_alive;
static void do_reload_from_parent(struct daemon *dm) { parent_alive = reload_from_parent(dm); }

static void send_conf(const char *text)
{
	struct conf_text t = { .text = strdup(text), .len = strlen(text) };
	struct privsep_frame *f;
	size_t off = 0;

	ck_assert_ptr_nonnull(t.text);
	f = privsep_frame_conf(&t);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(privsep_frame_send(peer, f, &off), 1);
	ck_assert_uint_eq(off, f->len);
	privsep_frame_put(f);
	free(t.text);
}

START_TEST(reload_from_privileged_parent)
{
	int sv[2];

	start(BASE "map 192.0.2.10 2001:db8:1::10\n", false, false);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	d.ps_sock = sv[0];
	peer = sv[1];
	/* SIGHUP in the child asks the parent: one request byte, nothing read */
	write_conf(BASE "map 192.0.2.12 2001:db8:1::12\n");
	reload(&d);
	char req = 0;
	ck_assert_int_eq(read(peer, &req, 1), 1);
	ck_assert_int_eq(req, PRIVSEP_REQ_RELOAD);
	ck_assert(maps_to("192.0.2.10", "2001:db8:1::10"));

	send_conf(BASE "map 192.0.2.11 2001:db8:1::11\n");
	logged(do_reload_from_parent);
	ck_assert(parent_alive);
	ck_assert(maps_to("192.0.2.11", "2001:db8:1::11"));

	struct config *old = d.st.conf;
	send_conf(BASE "bogus line\n");
	ck_assert_ptr_nonnull(strstr(logged(do_reload_from_parent),
				     "reload failed, keeping the running configuration"));
	ck_assert(parent_alive);
	ck_assert_ptr_eq(d.st.conf, old);
	ck_assert_uint_eq(d.stats.reloads_failed, 1);

	/* the parent refused one itself: counted, nothing else changes */
	struct privsep_frame *f = privsep_frame_failed();
	size_t off = 0;
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(privsep_frame_send(peer, f, &off), 1);
	privsep_frame_put(f);
	d.stats.last_reload_failed = false;
	logged(do_reload_from_parent);
	ck_assert(parent_alive);
	ck_assert_ptr_eq(d.st.conf, old);
	ck_assert_uint_eq(d.stats.reloads_failed, 2);
	ck_assert_uint_eq(d.stats.reloads_ok, 1);
	ck_assert(d.stats.last_reload_failed);

	/* the parent is gone: time to exit, the state untouched */
	close(peer);
	peer = -1;
	ck_assert_ptr_nonnull(strstr(logged(do_reload_from_parent), "the privileged process is gone"));
	ck_assert(!parent_alive);
	ck_assert_ptr_eq(d.st.conf, old);
	close(sv[0]);
	d.ps_sock = -1;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dynmap_path_per_data_dir);
	tcase_add_test(tc, no_pool_without_dynamic_pool_meter_with_usage_stats);
	tcase_add_test(tc, apply_state_points_translator_at_state);
	tcase_add_test(tc, reload_applies_new_config);
	tcase_add_test(tc, failed_reload_keeps_running_config);
	tcase_add_test(tc, reload_keeps_dynamic_mappings);
	tcase_add_test(tc, offload_io_uring_changes_at_next_restart);
	tcase_add_test(tc, reload_moves_dynamic_map_with_data_dir);
	tcase_add_test(tc, reload_from_privileged_parent);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
