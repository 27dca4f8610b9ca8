/* test_pool.c - dynamic pool: allocation, exclusion, dormancy, limits and
 * the dynamic.map file (issue 4). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/conf.h"
#include "state/map.h"
#include "state/pool.h"

static struct config *conf;
static struct map *map;
static struct pool *pool;

static void setup_text(const char *text)
{
	char err[512];
	conf = conf_parse_string(text, "pool.conf", err, sizeof(err));
	ck_assert_msg(conf != NULL, "%s", err);
	map = map_build(conf);
	pool = pool_new(conf);
	ck_assert_ptr_nonnull(pool);
}

static void teardown(void)
{
	pool_free(pool);
	map_free(map);
	conf_free(conf);
	pool = NULL;
}

#define BASE "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"

static struct in6_addr v6(const char *s)
{
	struct in6_addr a;
	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static struct in6_addr host(unsigned i)
{
	struct in6_addr a = v6("2001:db8:1::");
	a.s6_addr[12] = (uint8_t)(i >> 24);
	a.s6_addr[13] = (uint8_t)(i >> 16);
	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)i;
	return a;
}

static uint32_t h4(struct in_addr a) { return ntohl(a.s_addr); }

START_TEST(stable_and_reverse)
{
	struct in6_addr a = host(1), back;
	struct in_addr x, y;
	bool created;
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 100, true, &created), POOL_OK);
	ck_assert(created);
	ck_assert_int_eq(pool_lookup6(pool, &a, &y, 200, true, &created), POOL_OK);
	ck_assert(!created);
	ck_assert_uint_eq(x.s_addr, y.s_addr);
	ck_assert_int_eq(pool_lookup4(pool, x, &back, 300), POOL_OK);
	ck_assert_mem_eq(&back, &a, 16);
	ck_assert_uint_eq(pool_count(pool), 1);
	ck_assert(pool_dirty(pool));
	/* lookup only never creates */
	a = host(2);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 300, false, NULL), POOL_NONE);
	teardown();
}
END_TEST

START_TEST(exclusions_and_full)
{
	/* /29: .0 reserved, .1 is ipv4-addr, .4 statically mapped -> 5 usable */
	struct in_addr got[8];
	setup_text(BASE "dynamic-pool 192.0.2.0/29\nmap 192.0.2.4 2001:db8:9::4\n");
	for (unsigned i = 0; i < 5; i++) {
		struct in6_addr a = host(10 + i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &got[i], 1000, true, NULL), POOL_OK);
		uint32_t o = h4(got[i]) & 7;
		ck_assert_msg(o != 0 && o != 1 && o != 4, "excluded address .%u handed out", o);
		for (unsigned j = 0; j < i; j++)
			ck_assert_uint_ne(got[i].s_addr, got[j].s_addr);
	}
	struct in6_addr a = host(99);
	struct in_addr x;
	/* nothing is dormant yet: full */
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000 + 60, true, NULL), POOL_FULL);
	teardown();
}
END_TEST

START_TEST(dormant_lru_reuse)
{
	struct in_addr x, first;
	struct in6_addr a;
	setup_text(BASE "dynamic-pool 192.0.2.0/30\n"); /* .2 and .3 usable */
	a = host(1);
	ck_assert_int_eq(pool_lookup6(pool, &a, &first, 1000, true, NULL), POOL_OK);
	a = host(2);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 2000, true, NULL), POOL_OK);
	a = host(3);
	/* host 1 idle 2h03m: not dormant yet */
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000 + POOL_DORMANT_SECS - 1, true, NULL), POOL_FULL);
	/* at 2h04m host 1 (least recently used) is dormant and its address reused */
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000 + POOL_DORMANT_SECS, true, NULL), POOL_OK);
	ck_assert_uint_eq(x.s_addr, first.s_addr);
	a = host(1);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000 + POOL_DORMANT_SECS, false, NULL), POOL_NONE);
	teardown();
}
END_TEST

START_TEST(dormant_host_keeps_address)
{
	struct in_addr x, y;
	struct in6_addr a = host(7);
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_int_eq(pool_lookup6(pool, &a, &y, 1000 + 5 * 86400, true, NULL), POOL_OK);
	ck_assert_uint_eq(x.s_addr, y.s_addr);
	teardown();
}
END_TEST

START_TEST(expiry_frees)
{
	struct in_addr x;
	struct in6_addr a = host(1), b = host(2), back;
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_int_eq(pool_lookup6(pool, &b, &x, 1000 + POOL_EXPIRE_SECS, true, NULL), POOL_OK);
	ck_assert_uint_eq(pool_count(pool), 1);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000 + POOL_EXPIRE_SECS, false, NULL), POOL_NONE);
	ck_assert_int_eq(pool_lookup4(pool, x, &back, 1000 + POOL_EXPIRE_SECS), POOL_OK);
	ck_assert_mem_eq(&back, &b, 16);
	teardown();
}
END_TEST

START_TEST(dynamic_limit)
{
	struct in_addr x;
	setup_text(BASE "dynamic-pool 192.0.2.0/24\ndynamic-limit 64 3\n");
	for (unsigned i = 0; i < 3; i++) {
		struct in6_addr a = host(i + 1);
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	}
	struct in6_addr a = host(50);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_LIMITED);
	/* existing mappings still work; another /64 is not limited */
	a = host(1);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1001, true, NULL), POOL_OK);
	a = v6("2001:db8:2::1");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1001, true, NULL), POOL_OK);
	teardown();
}
END_TEST

START_TEST(full_slash16)
{
	struct in_addr x;
	setup_text("tun-device t\nipv4-addr 10.1.0.1\nprefix 2001:db8:64::/96\ndynamic-pool 10.0.0.0/16\n");
	/* 65,536 minus the reserved lowest address */
	for (unsigned i = 0; i < 65535; i++) {
		struct in6_addr a = host(i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	}
	ck_assert_uint_eq(pool_count(pool), 65535);
	for (unsigned i = 0; i < 65535; i++) {
		struct in6_addr a = host(i), back;
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1001, false, NULL), POOL_OK);
		ck_assert_int_eq(pool_lookup4(pool, x, &back, 1001), POOL_OK);
		ck_assert_mem_eq(&back, &a, 16);
	}
	struct in6_addr a = host(70000);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1002, true, NULL), POOL_FULL);
	teardown();
}
END_TEST

/* Issue 11: a new host gets the address TAYGA gives it. w = host bits of
 * the pool; v = 0; for each 32-bit word of the IPv6 address read
 * little-endian: v += word (32-bit, wrapping), then while v >= 2^w:
 * v = (v & (2^w - 1)) + (v >> w); the first free of v, v+1, ... (mod 2^w). */
START_TEST(tayga_address_choice)
{
	struct in6_addr a;
	struct in_addr x;

	setup_text(BASE "dynamic-pool 169.254.0.0/24\n");
	/* 2001:db8::69, w = 8. Word 0, bytes 20 01 0d b8 -> 0xb80d0120:
	 * 0x20 + 0xb80d01 = 0xb80d21; 0x21 + 0xb80d = 0xb82e; 0x2e + 0xb8 = 0xe6.
	 * Words 1, 2 are 0. Word 3, bytes 00 00 00 69 -> 0x69000000:
	 * 0xe6 + 0x69000000 = 0x690000e6; 0xe6 + 0x690000 = 0x6900e6;
	 * 0xe6 + 0x6900 = 0x69e6; 0xe6 + 0x69 = 0x14f; 0x4f + 0x1 = 0x50 = 80 */
	a = v6("2001:db8::69");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xa9fe0050);  /* 169.254.0.80 */
	/* 2001:db8::6900: word 3 is 0x00690000, also folds to 0xe6 + 0x69 -> 80,
	 * which is taken: the next one, 81 */
	a = v6("2001:db8::6900");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xa9fe0051);
	/* 2001:db8:ffff:ffff::e: word 0 -> 0xe6 as above; word 1 0xffffffff:
	 * 0xe6 + 0xffffffff wraps to 0xe5 (32 bits, as TAYGA); word 3 bytes
	 * 00 00 00 0e -> 0x0e0000e5 -> 0xe5 + 0x0e = 0xf3 = 243 */
	a = v6("2001:db8:ffff:ffff::e");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xa9fe00f3);
	teardown();

	/* the same host gets the same address from a fresh pool (a restart
	 * that lost dynamic.map) */
	setup_text(BASE "dynamic-pool 169.254.0.0/24\n");
	a = v6("2001:db8::69");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 5000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xa9fe0050);
	teardown();

	/* /29, w = 3: .0 reserved, .1 is ipv4-addr. ::7: word 3 is
	 * 0x07000000 = octal 700000000 -> 7. ::700: word 3 0x00070000 = octal
	 * 1600000 -> 1 + 6 = 7, taken; wraps to .0 (reserved), .1 (ipv4-addr),
	 * so .2 */
	setup_text(BASE "dynamic-pool 192.0.2.0/29\n");
	a = v6("::7");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xc0000207);
	a = v6("::700");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xc0000202);
	teardown();
}
END_TEST

static char reports[8][256];
static int nreports;

static void report(void *arg, const char *msg)
{
	(void)arg;
	if (nreports < 8)
		snprintf(reports[nreports], sizeof(reports[0]), "%s", msg);
	nreports++;
}

static char *write_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_pool.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* What the stats-file exports: the addresses mappings can use (the
 * network less its lowest address and ipv4-addr) and how many live mappings
 * are dormant, i.e. reusable when the pool is full. */
START_TEST(size_and_dormant)
{
	struct in6_addr a;
	struct in_addr x;
	const time_t t0 = 1000, t1 = 5000, dorm = t0 + POOL_DORMANT_SECS;
	size_t size = 1;

	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_uint_eq(pool_dormant(pool, dorm, &size), 0);
	ck_assert_uint_eq(size, 254);
	for (unsigned i = 1; i <= 10; i++) {
		a = host(i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, t0, true, NULL), POOL_OK);
	}
	for (unsigned i = 11; i <= 13; i++) {
		a = host(i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, t1, true, NULL), POOL_OK);
	}
	ck_assert_uint_eq(pool_count(pool), 13);
	ck_assert_uint_eq(pool_dormant(pool, dorm - 1, &size), 0);
	ck_assert_uint_eq(pool_dormant(pool, dorm, &size), 10);
	ck_assert_uint_eq(pool_dormant(pool, t1 + POOL_DORMANT_SECS, &size), 13);
	ck_assert_uint_eq(size, 254);
	/* traffic to one of them makes it active again */
	a = host(4);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, dorm, false, NULL), POOL_OK);
	ck_assert_uint_eq(pool_dormant(pool, dorm, &size), 9);
	ck_assert_uint_eq(pool_dormant(pool, dorm + POOL_DORMANT_SECS, &size), 13);
	ck_assert_uint_eq(pool_dormant(NULL, dorm, &size), 0);
	ck_assert_uint_eq(size, 0);
	teardown();
}
END_TEST

START_TEST(load_tayga_format_and_damage)
{
	/* TAYGA 0.9.2 writes a comment header then IPv4 TAB IPv6 TAB time */
	char *path = write_file(
		"# comment\n"
		"192.0.2.5\t2001:db8:1::5\t999000\n"
		"192.0.2.6 2001:db8:1::6 999500\n"
		"garbage line\n"
		"198.51.100.1\t2001:db8:1::7\t999000\n"
		"192.0.2.8\t2001:db8:1::5\t999000\n"
		"192.0.2.9\t2001:db8:1::9\t1\n"
		"192.0.2.10\t2001:db8:1::a\t9990");
	struct in_addr x;
	struct in6_addr a = v6("2001:db8:1::5"), back;
	nreports = 0;
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_int_eq(pool_load(pool, path, 2000000, report, NULL), 2);
	ck_assert_int_eq(nreports, 5);
	ck_assert_msg(strstr(reports[0], ":4: ") != NULL, "%s", reports[0]);
	ck_assert_msg(strstr(reports[1], ":5: ") && strstr(reports[1], "outside"), "%s", reports[1]);
	ck_assert_msg(strstr(reports[2], ":6: ") && strstr(reports[2], "duplicate"), "%s", reports[2]);
	ck_assert_msg(strstr(reports[3], ":7: ") && strstr(reports[3], "expired"), "%s", reports[3]);
	ck_assert_msg(strstr(reports[4], ":8: ") && strstr(reports[4], "truncated"), "%s", reports[4]);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 2000001, false, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xc0000205);
	x.s_addr = htonl(0xc0000206);
	ck_assert_int_eq(pool_lookup4(pool, x, &back, 2000001), POOL_OK);
	a = v6("2001:db8:1::6");
	ck_assert_mem_eq(&back, &a, 16);
	unlink(path);
	teardown();
}
END_TEST

START_TEST(save_load_roundtrip)
{
	char path[] = "/tmp/test_pool_rt.XXXXXX";
	int fd = mkstemp(path);
	struct in_addr got[100], x;
	close(fd);
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	for (unsigned i = 0; i < 100; i++) {
		struct in6_addr a = host(i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &got[i], 5000 + i, true, NULL), POOL_OK);
	}
	ck_assert_int_eq(pool_save(pool, path), 0);
	ck_assert(!pool_dirty(pool));
	pool_free(pool);
	pool = pool_new(conf);
	nreports = 0;
	ck_assert_int_eq(pool_load(pool, path, 6000, report, NULL), 100);
	ck_assert_int_eq(nreports, 0);
	for (unsigned i = 0; i < 100; i++) {
		struct in6_addr a = host(i);
		ck_assert_int_eq(pool_lookup6(pool, &a, &x, 6000, false, NULL), POOL_OK);
		ck_assert_uint_eq(x.s_addr, got[i].s_addr);
	}
	/* no temporary file (dynamic.map.tmp.XXXXXXXX) left behind */
	char tmp[80];
	glob_t g;
	snprintf(tmp, sizeof(tmp), "%s.tmp*", path);
	ck_assert_int_eq(glob(tmp, 0, NULL, &g), GLOB_NOMATCH);
	ck_assert_int_eq(pool_load(pool, "/nonexistent/dynamic.map", 6000, report, NULL), 0);
	unlink(path);
	teardown();
}
END_TEST

/* Lines out of last-use order: the LRU list is sorted once after the load
 * (issue 14.7), so save writes them oldest first and lines with the same time
 * keep their file order; the oldest dormant mapping is reused first. */
START_TEST(load_unsorted_orders_by_last_use)
{
	char *path = write_file("192.0.2.3\t2001:db8:1::3\t1000300\n"
				"192.0.2.1\t2001:db8:1::1\t1000100\n"
				"192.0.2.5\t2001:db8:1::5\t1000500\n"
				"192.0.2.2\t2001:db8:1::2\t1000200\n"
				"192.0.2.6\t2001:db8:1::6\t1000100\n"
				"192.0.2.4\t2001:db8:1::4\t1000400\n");
	char saved[64], buf[1024];
	FILE *f;
	size_t n;
	struct in6_addr a = host(99);
	struct in_addr x;

	setup_text(BASE "dynamic-pool 192.0.2.0/29\n");   /* 2..7: .1 is ipv4-addr */
	ck_assert_int_eq(pool_load(pool, path, 1000600, NULL, NULL), 5);
	unlink(path);
	snprintf(saved, sizeof(saved), "%s", write_file(""));
	ck_assert_int_eq(pool_save(pool, saved), 0);
	f = fopen(saved, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(saved);
	ck_assert_str_eq(strchr(buf, '\n') + 1,
			 "192.0.2.6\t2001:db8:1::6\t1000100\n"
			 "192.0.2.2\t2001:db8:1::2\t1000200\n"
			 "192.0.2.3\t2001:db8:1::3\t1000300\n"
			 "192.0.2.4\t2001:db8:1::4\t1000400\n"
			 "192.0.2.5\t2001:db8:1::5\t1000500\n");
	/* .7 is free; then the pool is full and the oldest dormant one goes */
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000600 + POOL_DORMANT_SECS, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xc0000207);
	a = host(98);
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000600 + POOL_DORMANT_SECS, true, NULL), POOL_OK);
	ck_assert_uint_eq(h4(x), 0xc0000206);
	teardown();
}
END_TEST

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* dynamic.map with n lines for a /12 pool, in last-use order or shuffled */
static void write_dynmap(const char *path, unsigned n, bool shuffled)
{
	uint32_t *order = malloc(n * sizeof(*order)), r = 12345;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(order);
	ck_assert_ptr_nonnull(f);
	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	for (unsigned i = n - 1; shuffled && i > 0; i--) {
		uint32_t j, t;
		r = r * 1103515245u + 12345u;
		j = (r >> 8) % (i + 1);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	for (unsigned i = 0; i < n; i++) {
		uint32_t k = order[i] + 1;   /* 10.0.0.0 is reserved */
		fprintf(f, "10.%u.%u.%u\t2001:db8:1::%x:%x\t%u\n", k >> 16 & 0xff, k >> 8 & 0xff, k & 0xff,
			k >> 16, k & 0xffff, 1000000 + k);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(order);
}

static double timed_load(const char *path, unsigned n)
{
	double t;

	pool_free(pool);
	pool = pool_new(conf);
	ck_assert_ptr_nonnull(pool);
	t = cpu_seconds();
	ck_assert_int_eq(pool_load(pool, path, 1000000 + n + 1, NULL, NULL), n);
	return cpu_seconds() - t;
}

/* The load costs the same whatever the line order: shuffled lines once
 * took O(n) each (22 s for 80,000). Measured as a ratio of CPU times, not
 * against the clock; POOL_LOAD_LINES=1000000 gives the case. */
START_TEST(load_time_independent_of_order)
{
	const char *env = getenv("POOL_LOAD_LINES");
	unsigned n = env && *env ? (unsigned)strtoul(env, NULL, 10) : 30000;
	char path[] = "/tmp/test_pool_big.XXXXXX";
	double sorted, shuffled;

	ck_assert_uint_ge(n, 1000);
	ck_assert_uint_le(n, 1000000);
	close(mkstemp(path));
	setup_text(BASE "dynamic-pool 10.0.0.0/12\n");
	write_dynmap(path, n, false);
	sorted = timed_load(path, n);
	write_dynmap(path, n, true);
	shuffled = timed_load(path, n);
	unlink(path);
	printf("dynamic.map load, %u lines, /12 pool: in order %.3f s, shuffled %.3f s (ratio %.2f)\n",
	       n, sorted, shuffled, shuffled / sorted);
	/* quadratic insertion made this ratio ~70 at 30,000 lines */
	ck_assert_msg(shuffled < 4 * sorted + 0.01, "shuffled %.3f s vs in order %.3f s", shuffled, sorted);
	teardown();
}
END_TEST

START_TEST(migrate_keeps_valid)
{
	struct in_addr x, y;
	struct in6_addr a = host(1), b = host(2);
	struct pool *old;
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	ck_assert_int_eq(pool_lookup6(pool, &a, &x, 1000, true, NULL), POOL_OK);
	ck_assert_int_eq(pool_lookup6(pool, &b, &y, 1000, true, NULL), POOL_OK);
	old = pool;
	struct config *oldc = conf;
	struct map *oldm = map;
	/* new config maps b's address statically: that mapping must not survive */
	char text[256];
	snprintf(text, sizeof(text), BASE "dynamic-pool 192.0.2.0/24\nmap %s 2001:db8:9::9\n", inet_ntoa(y));
	setup_text(text);
	pool_migrate(pool, old);
	struct in_addr z;
	ck_assert_int_eq(pool_lookup6(pool, &a, &z, 1001, false, NULL), POOL_OK);
	ck_assert_uint_eq(z.s_addr, x.s_addr);
	ck_assert_int_eq(pool_lookup6(pool, &b, &z, 1001, false, NULL), POOL_NONE);
	pool_free(old);
	map_free(oldm);
	conf_free(oldc);
	teardown();
}
END_TEST

/* issue 22 G: a file of bad lines gives 20 warnings and one count, not one
 * line each; a file over the size bound, or a link, is not read at all;
 * a stop request abandons the load. */
static char last_report[256];
static int nall;
static void report_all(void *arg, const char *msg)
{
	(void)arg;
	snprintf(last_report, sizeof(last_report), "%s", msg);
	nall++;
}

static int stops_after;
static bool stop_soon(void *arg)
{
	(void)arg;
	return --stops_after <= 0;
}

/* A load into a fresh pool that must fail with err. */
static void load_fails(const char *path, const struct pool_load_cb *cb, int err)
{
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	nall = 0;
	errno = 0;
	ck_assert_int_eq(pool_load_cb(pool, path, 1000001, cb), -1);
	ck_assert_int_eq(errno, err);
	teardown();
}

START_TEST(load_bounded)
{
	char *text = malloc(30 * 16 + 64), want[128], link[80];
	struct pool_load_cb cb = { .report = report_all };
	char *path;
	FILE *f;

	text[0] = '\0';
	for (int i = 0; i < 30; i++)
		sprintf(text + strlen(text), "bad line %d\n", i);
	strcat(text, "192.0.2.5\t2001:db8:1::5\t1000000\n");
	path = write_file(text);
	free(text);
	setup_text(BASE "dynamic-pool 192.0.2.0/24\n");
	nall = 0;
	ck_assert_int_eq(pool_load_cb(pool, path, 1000001, &cb), 1);
	ck_assert_int_eq(nall, POOL_LOAD_WARN_MAX + 1);
	snprintf(want, sizeof(want), "%s: 10 more lines skipped (not shown)", path);
	ck_assert_str_eq(last_report, want);
	teardown();

	/* over the bound (sparse): refused by its size, nothing reported */
	ck_assert_int_eq(truncate(path, (off_t)POOL_LOAD_MAX_BYTES + 1), 0);
	load_fails(path, &cb, EFBIG);
	ck_assert_int_eq(nall, 0);

	/* a stop request: -1, EINTR, after POOL_LOAD_STOP_EVERY lines */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (int i = 0; i < 3 * POOL_LOAD_STOP_EVERY; i++)
		fputs("# comment\n", f);
	ck_assert_int_eq(fclose(f), 0);
	cb.stop = stop_soon;
	stops_after = 2;
	load_fails(path, &cb, EINTR);
	ck_assert_int_eq(stops_after, 0);

	/* a link is not followed */
	snprintf(link, sizeof(link), "%s.link", path);
	ck_assert_int_eq(symlink(path, link), 0);
	cb.stop = NULL;
	load_fails(link, &cb, ELOOP);
	unlink(link);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stable_and_reverse);
	tcase_add_test(tc, exclusions_and_full);
	tcase_add_test(tc, dormant_lru_reuse);
	tcase_add_test(tc, dormant_host_keeps_address);
	tcase_add_test(tc, expiry_frees);
	tcase_add_test(tc, dynamic_limit);
	tcase_add_test(tc, full_slash16);
	tcase_add_test(tc, tayga_address_choice);
	tcase_add_test(tc, size_and_dormant);
	tcase_add_test(tc, load_tayga_format_and_damage);
	tcase_add_test(tc, save_load_roundtrip);
	tcase_add_test(tc, migrate_keeps_valid);
	tcase_add_test(tc, load_unsorted_orders_by_last_use);
	tcase_add_test(tc, load_time_independent_of_order);
	tcase_add_test(tc, load_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
