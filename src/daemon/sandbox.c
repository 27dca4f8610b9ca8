/* sandbox.c - closing inherited descriptors, NoNewPrivs, the capability
 * bounding set, and the test that configuration paths are out of the
 * runtime user's reach (tayga(8) "Privileges"). */
#include "daemon/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

void sandbox_close_fds(void)
{
#if defined(__linux__) && defined(SYS_close_range)
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

int sandbox_limit(uint64_t keep)
{
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	/* capabilities this kernel knows: PR_CAPBSET_READ fails past the last */
	for (int cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			break;
		if (in == 0 || (keep & SB_CAP_BIT(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return -1;
	}
#else
	(void)keep;
#endif
	return 0;
}

int sandbox_keep_caps(uint64_t keep)
{
#ifdef __linux__
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &h, data) != 0)
		return -1;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		data[i].effective &= k;
		data[i].permitted &= k;
		data[i].inheritable &= k;
	}
	return (int)syscall(SYS_capset, &h, data);
#else
	(void)keep;
	return 0;
#endif
}

void sandbox_parent_death_signal(int sig)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
#else
	(void)sig;
#endif
}

/* May uid/gid replace or modify the entry st (inside a directory whose
 * stat is dir; NULL for "/")? */
static bool can_change(const struct stat *st, const struct stat *dir, uid_t uid, gid_t gid)
{
	if (st->st_uid == uid)
		return true;
	if (S_ISLNK(st->st_mode))
		return false; /* the target is checked on its own */
	/* a writable file can be rewritten; a writable directory matters
	 * for its entries (checked at the next component, sticky bit too) */
	if (!S_ISDIR(st->st_mode) &&
	    ((st->st_mode & S_IWOTH) || (st->st_gid == gid && (st->st_mode & S_IWGRP))))
		return true;
	if (!dir)
		return false;
	/* a directory it can write lets it rename this entry away, unless
	 * the directory is sticky (then only its owner's entries) */
	if (dir->st_uid == uid ||
	    (dir->st_mode & S_IWOTH) || (dir->st_gid == gid && (dir->st_mode & S_IWGRP)))
		return !(dir->st_mode & S_ISVTX);
	return false;
}

/* Check the prefix real[0..len) as an entry of the directory dir. */
static int check_part(const char *real, size_t len, struct stat *dir, bool have_dir, uid_t uid,
		      gid_t gid, char *why, size_t whylen)
{
	char part[PATH_MAX];
	struct stat st;

	memcpy(part, real, len);
	part[len] = '\0';
	if (lstat(part, &st) != 0)
		return -1; /* missing: the open fails later with its own reason */
	if (can_change(&st, have_dir ? dir : NULL, uid, gid)) {
		snprintf(why, whylen, "%s", part);
		return 1;
	}
	*dir = st;
	return 0;
}

bool sandbox_path_writable_by(const char *path, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	char real[PATH_MAX];
	struct stat dir;
	size_t len = 1;
	int r;

	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return false;
	/* the file as the daemon will open it: symlinks resolved */
	if (!realpath(path, real) || real[0] != '/')
		return false;
	if ((r = check_part(real, 1, &dir, false, uid, gid, why, whylen)) != 0)
		return r > 0;
	while (real[len]) {
		const char *e = strchr(real + len + 1, '/');
		len = e ? (size_t)(e - real) : strlen(real);
		if ((r = check_part(real, len, &dir, true, uid, gid, why, whylen)) != 0)
			return r > 0;
	}
	return false;
}
