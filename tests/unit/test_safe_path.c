/* test_safe_path.c - lib/safe_path: what root opens for the privileged
 * parent (issue 22 A, B). The guarded user here is this process's own uid
 * (it owns the test directory) or a uid that owns nothing, so the tests run
 * unprivileged too. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/safe_path.h"
#include "lib/checkrun.h"

static char dir[64], p[256], why[4096];
static uid_t me, other;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_safe_path.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* "me" owns the test directory (as root: a uid that is nobody's) */
	me = getuid() ? getuid() : 4242;
	if (!getuid())
		ck_assert_int_eq(chown(dir, me, (gid_t)-1), 0);
	other = me + 12345;
}

static const char *at(const char *rel)
{
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return p;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int try_open(const char *rel, unsigned opts, uid_t uid)
{
	int fd;

	why[0] = '\0';
	errno = 0;
	fd = safe_path_open(at(rel), O_RDONLY, opts, uid, (gid_t)-1, why, sizeof(why));
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : errno;
}

START_TEST(owner_and_writers_refused)
{
	setup();
	put("f", "x");
	ck_assert_int_eq(try_open("f", 0, other), 0);
	/* the directory is the guarded user's: it could swap f */
	ck_assert_int_eq(try_open("f", 0, me), EPERM);
	ck_assert_str_eq(why, dir);
	/* a file others may write */
	chmod(at("f"), 0666);
	ck_assert_int_eq(try_open("f", 0, other), EPERM);
	ck_assert_str_eq(why, at("f"));
	/* no guard: plain open */
	ck_assert_int_eq(try_open("f", 0, (uid_t)-1), 0);
	unlink(at("f"));
	rmdir(dir);
}
END_TEST

START_TEST(links_followed_only_where_safe)
{
	char target[256];

	setup();
	mkdir(at("d"), 0755);
	put("d/real", "x");
	snprintf(target, sizeof(target), "%s/d/real", dir);
	ck_assert_int_eq(symlink(target, at("d/link")), 0);
	ck_assert_int_eq(try_open("d/link", 0, other), 0);
	/* a link that leads into a directory the user can write */
	chmod(at("d"), 0777);
	ck_assert_int_eq(symlink("d/real", at("rel")), 0);
	ck_assert_int_eq(try_open("rel", 0, other), EPERM);
	ck_assert_str_eq(why, at("d"));
	chmod(at("d"), 0755);
	ck_assert_int_eq(try_open("rel", 0, other), 0);
	/* a loop */
	ck_assert_int_eq(symlink("loop", at("loop")), 0);
	ck_assert_int_eq(try_open("loop", 0, other), ELOOP);
	ck_assert_int_eq(try_open("missing", 0, other), ENOENT);
	unlink(at("loop"));
	unlink(at("rel"));
	unlink(at("d/link"));
	unlink(at("d/real"));
	rmdir(at("d"));
	rmdir(dir);
}
END_TEST

START_TEST(data_dir_created_and_theirs)
{
	struct stat st;

	setup();
	/* data-dir itself may be the user's, not its parent */
	ck_assert_int_eq(try_open("new", SAFE_PATH_CREATE_DIR | SAFE_PATH_LAST_THEIRS, other), 0);
	ck_assert_int_eq(stat(at("new"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(try_open("new", SAFE_PATH_LAST_THEIRS, me), EPERM);
	ck_assert_str_eq(why, dir);   /* its parent is the user's: "new" could be swapped */
	/* a link where data-dir should be, in a directory the user owns */
	ck_assert_int_eq(symlink("/", at("lnk")), 0);
	ck_assert_int_eq(try_open("lnk", SAFE_PATH_LAST_THEIRS, me), EPERM);
	unlink(at("lnk"));
	rmdir(at("new"));
	rmdir(dir);
}
END_TEST

CHECK_MAIN("safe_path",
	   owner_and_writers_refused,
	   links_followed_only_where_safe,
	   data_dir_created_and_theirs)
