/* test_atomic_file.c - lib/atomic_file: the one writer of dynamic.map and the
 * stats-file (issue 22 F). A link planted at any temporary name is never
 * followed, and a write that fails leaves the old file whole and no
 * temporary file behind. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomic_file.h"
#include "lib/checkrun.h"

static char dir[64], path[128], victim[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_atomic.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dynamic.map", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
}

static void put(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static const char *get(const char *p)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The names in dir, sorted into one string "a b c". */
static const char *names(void)
{
	static char out[1024];
	struct dirent **e;
	int n = scandir(dir, &e, NULL, alphasort);

	ck_assert_int_ge(n, 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, "..")) {
			strcat(out, out[0] ? " " : "");
			strcat(out, e[i]->d_name);
		}
		free(e[i]);
	}
	free(e);
	return out;
}

static void cleanup(void)
{
	struct dirent **e;
	int n = scandir(dir, &e, NULL, alphasort);
	char p[sizeof(dir) + 260];

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, e[i]->d_name);
		if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, ".."))
			unlink(p);
		free(e[i]);
	}
	free(e);
	rmdir(dir);
}

static int fill_text(void *arg, FILE *f)
{
	fputs(arg, f);
	return 0;
}

/* 1, 2, 3, ...: the names the writer tries are known in advance */
static uint32_t counter(void *arg)
{
	return ++*(uint32_t *)arg;
}

START_TEST(writes_and_replaces)
{
	setup();
	ck_assert_int_eq(atomic_file_write(path, 0644, fill_text, "one\n"), 0);
	ck_assert_str_eq(get(path), "one\n");
	ck_assert_int_eq(atomic_file_write(path, 0644, fill_text, "two\n"), 0);
	ck_assert_str_eq(get(path), "two\n");
	ck_assert_str_eq(names(), "dynamic.map");   /* no temporary file left */
	cleanup();
}
END_TEST

START_TEST(planted_links_never_followed)
{
	char l[256];
	uint32_t seq = 0;
	struct stat st;

	setup();
	put(path, "old\n");
	put(victim, "VICTIM\n");
	/* the old fixed name, and the writer's first three fresh names: links
	 * to the victim and to a file that does not exist yet */
	snprintf(l, sizeof(l), "%s.tmp", path);
	ck_assert_int_eq(symlink(victim, l), 0);
	for (int i = 1; i <= 3; i++) {
		snprintf(l, sizeof(l), "%s.tmp.%08x", path, i);
		ck_assert_int_eq(symlink(i == 2 ? "/tmp/test_atomic_created" : victim, l), 0);
	}
	unlink("/tmp/test_atomic_created");
	ck_assert_int_eq(atomic_file_write_rnd(path, 0644, fill_text, "new\n", counter, &seq), 0);
	ck_assert_str_eq(get(path), "new\n");
	ck_assert_str_eq(get(victim), "VICTIM\n");
	ck_assert_int_ne(access("/tmp/test_atomic_created", F_OK), 0);
	snprintf(l, sizeof(l), "%s.tmp.%08x", path, 2);
	ck_assert_int_eq(lstat(l, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_uint_eq(seq, 4);   /* the fourth name was fresh */
	ck_assert_str_eq(names(), "dynamic.map dynamic.map.tmp dynamic.map.tmp.00000001 "
				  "dynamic.map.tmp.00000002 dynamic.map.tmp.00000003 victim");
	cleanup();
}
END_TEST

START_TEST(every_name_taken_fails_cleanly)
{
	char l[256];
	uint32_t seq = 0;

	setup();
	put(path, "old\n");
	put(victim, "VICTIM\n");
	for (int i = 1; i <= ATOMIC_FILE_TRIES; i++) {
		snprintf(l, sizeof(l), "%s.tmp.%08x", path, i);
		ck_assert_int_eq(symlink(victim, l), 0);
	}
	errno = 0;
	ck_assert_int_eq(atomic_file_write_rnd(path, 0644, fill_text, "new\n", counter, &seq), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(get(path), "old\n");
	ck_assert_str_eq(get(victim), "VICTIM\n");
	cleanup();
}
END_TEST

static int fill_fail(void *arg, FILE *f)
{
	(void)arg;
	fputs("half a fi", f);
	errno = ENOSPC;
	return -1;
}

START_TEST(failed_fill_keeps_old_file)
{
	setup();
	put(path, "old\n");
	errno = 0;
	ck_assert_int_eq(atomic_file_write(path, 0644, fill_fail, NULL), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_str_eq(get(path), "old\n");
	ck_assert_str_eq(names(), "dynamic.map");
	cleanup();
}
END_TEST

static int fill_big(void *arg, FILE *f)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		fputs("192.0.2.1\t2001:db8::1\t1000000\n", f);
	return 0;
}

/* A write the kernel refuses (here: over RLIMIT_FSIZE, as a full disk
 * would): the old file stays, the temporary file goes. */
START_TEST(failed_write_keeps_old_file)
{
	struct rlimit rl = { 4096, 4096 };

	setup();
	put(path, "old\n");
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	errno = 0;
	ck_assert_int_eq(atomic_file_write(path, 0644, fill_big, NULL), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_str_eq(get(path), "old\n");
	ck_assert_str_eq(names(), "dynamic.map");
	cleanup();
}
END_TEST

/* What a writer killed mid-write left is removed once it is old; a live
 * writer's file, links and other names stay. */
START_TEST(sweep_removes_stale_temporaries)
{
	char l[256];
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

	setup();
	put(path, "data\n");
	snprintf(l, sizeof(l), "%s.tmp.0000abcd", path);
	put(l, "stale");
	ck_assert_int_eq(utimensat(AT_FDCWD, l, old, 0), 0);
	snprintf(l, sizeof(l), "%s.tmp.0000beef", path);
	put(l, "live");
	snprintf(l, sizeof(l), "%s.tmp.0000dead", path);
	ck_assert_int_eq(symlink(victim, l), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, l, old, AT_SYMLINK_NOFOLLOW), 0);
	snprintf(l, sizeof(l), "%s/other.tmp.00000001", dir);
	put(l, "x");
	ck_assert_int_eq(utimensat(AT_FDCWD, l, old, 0), 0);
	ck_assert_int_eq(atomic_file_sweep(path, 300, time(NULL)), 1);
	ck_assert_str_eq(names(), "dynamic.map dynamic.map.tmp.0000beef dynamic.map.tmp.0000dead "
				  "other.tmp.00000001");
	ck_assert_str_eq(get(path), "data\n");
	cleanup();
}
END_TEST

START_TEST(missing_directory)
{
	errno = 0;
	ck_assert_int_eq(atomic_file_write("/nonexistent-dir/x", 0644, fill_text, "x"), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

CHECK_MAIN("atomic_file",
	   writes_and_replaces,
	   planted_links_never_followed,
	   every_name_taken_fails_cleanly,
	   failed_fill_keeps_old_file,
	   failed_write_keeps_old_file,
	   sweep_removes_stale_temporaries,
	   missing_directory)
