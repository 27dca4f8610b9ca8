/* test_tun_bsd.c - how the BSD backend gets from `tun-device NAME` to an
 * open tun (tun_bsd_plan.c), run against a fake system-call layer that
 * models the FreeBSD tun cloner and records every call. Each case asserts
 * the exact call sequence and what is left in the fake kernel afterwards.
 *
 * The fake follows FreeBSD's tun(4) / if_tuntap.c / ifconfig(8): the cloner
 * creates only names that start with a cloner name (SIOCIFCREATE2 "nat64"
 * is EINVAL); opening /dev/tun creates the lowest free unit tunN; a renamed
 * tun keeps its unit and is opened as /dev/<newname>; SIOCSIFNAME to a name
 * in use is EEXIST; destroying a tun whose device is open waits until it is
 * closed (here: the fake fails the test, it would hang the daemon). */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io/tun_bsd_plan.h"

#define MAXIF 8
#define FD0 3

struct fake_if {
	char name[16];
	int unit;      /* tun unit, kept across a rename; -1: not a tun */
	int open_fd;   /* -1: device closed */
};

struct fake {
	struct fake_if ifs[MAXIF];
	int nifs;
	int next_fd;
	int rename_errno;      /* inject: SIOCSIFNAME fails with this */
	const char *open_fail; /* inject: opening this path fails with EACCES */
	bool no_clone_dev;     /* /dev/tun missing (devfs cloning off) */
	char log[2048];
};

static struct fake F;
static char err[512];

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
	size_t n = strlen(F.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(F.log + n, sizeof(F.log) - n, fmt, ap);
	va_end(ap);
	n = strlen(F.log);
	snprintf(F.log + n, sizeof(F.log) - n, "\n");
}

static struct fake_if *find(const char *name)
{
	for (int i = 0; i < F.nifs; i++)
		if (strcmp(F.ifs[i].name, name) == 0)
			return &F.ifs[i];
	return NULL;
}

static struct fake_if *by_fd(int fd)
{
	for (int i = 0; i < F.nifs; i++)
		if (F.ifs[i].open_fd == fd)
			return &F.ifs[i];
	return NULL;
}

static struct fake_if *add_if(const char *name, int unit)
{
	struct fake_if *f;

	ck_assert_int_lt(F.nifs, MAXIF);
	f = &F.ifs[F.nifs++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->unit = unit;
	f->open_fd = -1;
	return f;
}

static int free_unit(void)
{
	for (int u = 0;; u++) {
		bool used = false;
		for (int i = 0; i < F.nifs; i++)
			used |= F.ifs[i].unit == u;
		if (!used)
			return u;
	}
}

static const char *ename(int e)
{
	return e == EEXIST ? "EEXIST" : e == EPERM ? "EPERM" : e == ENXIO ? "ENXIO" : "?";
}

static int fail_with(int e)
{
	errno = e;
	return -1;
}

static bool f_exists(void *ctx, const char *name)
{
	bool yes = find(name) != NULL;

	(void)ctx;
	note("exists %s = %s", name, yes ? "yes" : "no");
	return yes;
}

static int f_open(void *ctx, const char *path)
{
	struct fake_if *f = NULL;
	char unit[16];

	(void)ctx;
	if (F.open_fail && strcmp(path, F.open_fail) == 0) {
		note("open %s = EACCES", path);
		return fail_with(EACCES);
	}
	if (strcmp(path, "/dev/tun") == 0 && !F.no_clone_dev) {
		int u = free_unit();
		snprintf(unit, sizeof(unit), "tun%d", u);
		f = add_if(unit, u);
	} else if (strncmp(path, "/dev/", 5) == 0) {
		f = find(path + 5);
	}
	if (!f || f->unit < 0) {
		note("open %s = ENOENT", path);
		return fail_with(ENOENT);
	}
	if (f->open_fd >= 0) {
		note("open %s = EBUSY", path);
		return fail_with(EBUSY);
	}
	f->open_fd = F.next_fd++;
	note("open %s = %d", path, f->open_fd);
	return f->open_fd;
}

static void f_close(void *ctx, int fd)
{
	struct fake_if *f = by_fd(fd);

	(void)ctx;
	note("close %d", fd);
	ck_assert_ptr_nonnull(f);
	f->open_fd = -1;
}

static int f_tun_name(void *ctx, int fd, char *name, size_t len)
{
	struct fake_if *f = by_fd(fd);

	(void)ctx;
	ck_assert_ptr_nonnull(f);
	snprintf(name, len, "%s", f->name);
	note("tun_name %d = %s", fd, name);
	return 0;
}

static int f_create(void *ctx, const char *name)
{
	int u;

	(void)ctx;
	if (strncmp(name, "tun", 3) != 0 || sscanf(name + 3, "%d", &u) != 1) {
		note("create %s = EINVAL", name);
		return fail_with(EINVAL);
	}
	if (find(name)) {
		note("create %s = EEXIST", name);
		return fail_with(EEXIST);
	}
	add_if(name, u);
	note("create %s = 0", name);
	return 0;
}

static int f_rename(void *ctx, const char *from, const char *to)
{
	struct fake_if *f = find(from);

	(void)ctx;
	if (F.rename_errno || find(to) || !f) {
		int e = F.rename_errno ? F.rename_errno : f ? EEXIST : ENXIO;
		note("rename %s %s = %s", from, to, ename(e));
		return fail_with(e);
	}
	snprintf(f->name, sizeof(f->name), "%s", to);
	note("rename %s %s = 0", from, to);
	return 0;
}

static int f_destroy(void *ctx, const char *name)
{
	struct fake_if *f = find(name);

	(void)ctx;
	if (!f) {
		note("destroy %s = ENXIO", name);
		return fail_with(ENXIO);
	}
	/* the real kernel blocks here until the device is closed */
	ck_assert_msg(f->open_fd < 0, "destroy %s while its device is open: hangs", name);
	note("destroy %s = 0", name);
	*f = F.ifs[--F.nifs];
	return 0;
}

static const struct tun_sys SYS = {
	.ctx = NULL,
	.if_exists = f_exists,
	.open_dev = f_open,
	.close_fd = f_close,
	.tun_name = f_tun_name,
	.if_create = f_create,
	.if_rename = f_rename,
	.if_destroy = f_destroy,
};

static void setup(void)
{
	memset(&F, 0, sizeof(F));
	F.next_fd = FD0;
	err[0] = '\0';
}

/* the fake kernel's interfaces, "name(unit)" in creation order, and the
 * ones whose device is open marked with * */
static const char *state(void)
{
	static char s[256];

	s[0] = '\0';
	for (int i = 0; i < F.nifs; i++) {
		size_t n = strlen(s);
		snprintf(s + n, sizeof(s) - n, "%s%s(%d)%s", i ? " " : "", F.ifs[i].name,
			 F.ifs[i].unit, F.ifs[i].open_fd >= 0 ? "*" : "");
	}
	return s;
}

static int plan_open(enum tun_os os, const char *name, bool keep_open)
{
	return tun_plan_open(&SYS, os, name, keep_open, err, sizeof(err));
}

/* OPNsense's `tun-device nat64`: a tun from /dev/tun, renamed, kept open */
START_TEST(freebsd_nat64_created_and_renamed)
{
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", true), FD0);
	ck_assert_str_eq(F.log,
			 "exists nat64 = no\n"
			 "open /dev/tun = 3\n"
			 "tun_name 3 = tun0\n"
			 "rename tun0 nat64 = 0\n");
	ck_assert_str_eq(state(), "nat64(0)*");
}
END_TEST

/* `clat0` while another tun (a VPN's tun0) exists: the next free unit */
START_TEST(freebsd_clat0_next_free_unit)
{
	add_if("tun0", 0);
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "clat0", true), FD0);
	ck_assert_str_eq(F.log,
			 "exists clat0 = no\n"
			 "open /dev/tun = 3\n"
			 "tun_name 3 = tun1\n"
			 "rename tun1 clat0 = 0\n");
	ck_assert_str_eq(state(), "tun0(0) clat0(1)*");
}
END_TEST

/* --mktun with nat64 leaves the renamed interface, device closed; the
 * daemon's start then opens it by its new name */
START_TEST(freebsd_mktun_then_start)
{
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", false), 0);
	ck_assert_str_eq(F.log,
			 "exists nat64 = no\n"
			 "open /dev/tun = 3\n"
			 "tun_name 3 = tun0\n"
			 "rename tun0 nat64 = 0\n"
			 "close 3\n");
	ck_assert_str_eq(state(), "nat64(0)");
	F.log[0] = '\0';
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", true), 4);
	ck_assert_str_eq(F.log,
			 "exists nat64 = yes\n"
			 "open /dev/nat64 = 4\n");
	ck_assert_str_eq(state(), "nat64(0)*");
}
END_TEST

/* an interface that already exists is opened, nothing created or renamed;
 * --mktun on it does nothing at all */
START_TEST(existing_interface_opened)
{
	add_if("nat64", 2);
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", true), FD0);
	ck_assert_str_eq(F.log,
			 "exists nat64 = yes\n"
			 "open /dev/nat64 = 3\n");
	F.log[0] = '\0';
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", false), 0);
	ck_assert_str_eq(F.log, "exists nat64 = yes\n");
	ck_assert_str_eq(state(), "nat64(2)*");
}
END_TEST

/* an existing interface of that name that is not a tun (no /dev node) */
START_TEST(existing_non_tun_refused)
{
	add_if("nat64", -1);
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", true), -1);
	ck_assert_str_eq(F.log,
			 "exists nat64 = yes\n"
			 "open /dev/nat64 = ENOENT\n");
	ck_assert_ptr_nonnull(strstr(err, "tun-device nat64: cannot open /dev/nat64"));
	ck_assert_ptr_nonnull(strstr(err, "is it a tun?"));
	ck_assert_str_eq(state(), "nat64(-1)");
}
END_TEST

/* tun3 that does not exist: created as exactly that unit, then opened */
START_TEST(tun3_created)
{
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "tun3", true), FD0);
	ck_assert_str_eq(F.log,
			 "exists tun3 = no\n"
			 "create tun3 = 0\n"
			 "open /dev/tun3 = 3\n");
	ck_assert_str_eq(state(), "tun3(3)*");
}
END_TEST

START_TEST(tun3_existing)
{
	add_if("tun3", 3);
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "tun3", true), FD0);
	ck_assert_str_eq(F.log,
			 "exists tun3 = yes\n"
			 "open /dev/tun3 = 3\n");
	ck_assert_str_eq(state(), "tun3(3)*");
}
END_TEST

START_TEST(tun3_mktun)
{
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "tun3", false), 0);
	ck_assert_str_eq(F.log,
			 "exists tun3 = no\n"
			 "create tun3 = 0\n");
	ck_assert_str_eq(state(), "tun3(3)");
}
END_TEST

/* the tun3 this call created but cannot open is destroyed again */
START_TEST(tun3_open_fails_destroyed)
{
	F.open_fail = "/dev/tun3";
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "tun3", true), -1);
	ck_assert_str_eq(F.log,
			 "exists tun3 = no\n"
			 "create tun3 = 0\n"
			 "open /dev/tun3 = EACCES\n"
			 "destroy tun3 = 0\n");
	ck_assert_str_eq(state(), "");
	ck_assert_ptr_nonnull(strstr(err, "tun-device tun3: cannot open /dev/tun3"));
}
END_TEST

/* rename refused: the created tun0 is closed, then destroyed (destroying
 * it while open would hang), and the error names both names */
START_TEST(rename_fails_created_tun_destroyed)
{
	F.rename_errno = EPERM;
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "nat64", true), -1);
	ck_assert_str_eq(F.log,
			 "exists nat64 = no\n"
			 "open /dev/tun = 3\n"
			 "tun_name 3 = tun0\n"
			 "rename tun0 nat64 = EPERM\n"
			 "close 3\n"
			 "destroy tun0 = 0\n");
	ck_assert_str_eq(state(), "");
	ck_assert_str_eq(err, "tun-device nat64: cannot rename the new tun0 to nat64: "
			 "Operation not permitted");
}
END_TEST

/* /dev/tun missing (sysctl net.link.tun.devfs_cloning=0): a clear error,
 * nothing created */
START_TEST(no_clone_device)
{
	F.no_clone_dev = true;
	ck_assert_int_eq(plan_open(TUN_OS_FREEBSD, "clat0", true), -1);
	ck_assert_str_eq(F.log,
			 "exists clat0 = no\n"
			 "open /dev/tun = ENOENT\n");
	ck_assert_ptr_nonnull(strstr(err, "tun-device clat0:"));
	ck_assert_ptr_nonnull(strstr(err, "devfs_cloning"));
	ck_assert_str_eq(state(), "");
}
END_TEST

/* --rmtun destroys by the configured name (the renamed tun) */
START_TEST(rmtun_destroys_by_name)
{
	add_if("tun0", 0);
	add_if("nat64", 1);
	ck_assert_int_eq(tun_plan_remove(&SYS, "nat64", err, sizeof(err)), 0);
	ck_assert_str_eq(F.log, "destroy nat64 = 0\n");
	ck_assert_str_eq(state(), "tun0(0)");
	F.log[0] = '\0';
	ck_assert_int_eq(tun_plan_remove(&SYS, "nat64", err, sizeof(err)), -1);
	ck_assert_str_eq(F.log, "destroy nat64 = ENXIO\n");
	ck_assert_ptr_nonnull(strstr(err, "tun-device nat64: cannot destroy"));
}
END_TEST

/* OpenBSD / NetBSD: tun interfaces are tunN; another name is refused before
 * any system call, with the rule in the message. tunN works as on FreeBSD. */
START_TEST(openbsd_netbsd_need_tunN)
{
	static const enum tun_os oses[] = { TUN_OS_OPENBSD, TUN_OS_NETBSD, TUN_OS_OTHER };
	static const char *names[] = { "OpenBSD", "NetBSD", "this system" };

	for (size_t i = 0; i < sizeof(oses) / sizeof(oses[0]); i++) {
		setup();
		ck_assert_int_eq(plan_open(oses[i], "clat0", true), -1);
		ck_assert_str_eq(F.log, "");
		ck_assert_ptr_nonnull(strstr(err, "tun-device clat0: "));
		ck_assert_ptr_nonnull(strstr(err, names[i]));
		ck_assert_ptr_nonnull(strstr(err, "tunN"));
		ck_assert_int_eq(tun_name_check(oses[i], "nat64", err, sizeof(err)), -1);
		ck_assert_int_eq(tun_name_check(oses[i], "tun01", err, sizeof(err)), -1);
		ck_assert_int_eq(tun_name_check(oses[i], "tun7", err, sizeof(err)), 0);
		ck_assert_int_eq(plan_open(oses[i], "tun0", true), FD0);
		ck_assert_str_eq(F.log,
				 "exists tun0 = no\n"
				 "create tun0 = 0\n"
				 "open /dev/tun0 = 3\n");
	}
}
END_TEST

/* Linux and FreeBSD accept any name (Linux: the config parser's rules) */
START_TEST(linux_freebsd_accept_names)
{
	ck_assert_int_eq(tun_name_check(TUN_OS_LINUX, "clat0", err, sizeof(err)), 0);
	ck_assert_int_eq(tun_name_check(TUN_OS_LINUX, "nat64", err, sizeof(err)), 0);
	ck_assert_int_eq(tun_name_check(TUN_OS_FREEBSD, "clat0", err, sizeof(err)), 0);
	ck_assert_int_eq(tun_name_check(TUN_OS_FREEBSD, "tun01", err, sizeof(err)), 0);
}
END_TEST

START_TEST(unit_names)
{
	ck_assert(tun_is_unit_name("tun0"));
	ck_assert(tun_is_unit_name("tun3"));
	ck_assert(tun_is_unit_name("tun32767"));
	ck_assert(!tun_is_unit_name("tun"));
	ck_assert(!tun_is_unit_name("tun01"));
	ck_assert(!tun_is_unit_name("tun1a"));
	ck_assert(!tun_is_unit_name("tunx"));
	ck_assert(!tun_is_unit_name("tap0"));
	ck_assert(!tun_is_unit_name("nat64"));
	ck_assert(!tun_is_unit_name("clat0"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tun_bsd");
	TCase *tc = tcase_create("plan");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, freebsd_nat64_created_and_renamed);
	tcase_add_test(tc, freebsd_clat0_next_free_unit);
	tcase_add_test(tc, freebsd_mktun_then_start);
	tcase_add_test(tc, existing_interface_opened);
	tcase_add_test(tc, existing_non_tun_refused);
	tcase_add_test(tc, tun3_created);
	tcase_add_test(tc, tun3_existing);
	tcase_add_test(tc, tun3_mktun);
	tcase_add_test(tc, tun3_open_fails_destroyed);
	tcase_add_test(tc, rename_fails_created_tun_destroyed);
	tcase_add_test(tc, no_clone_device);
	tcase_add_test(tc, rmtun_destroys_by_name);
	tcase_add_test(tc, openbsd_netbsd_need_tunN);
	tcase_add_test(tc, linux_freebsd_accept_names);
	tcase_add_test(tc, unit_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
