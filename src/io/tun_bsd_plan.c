/* tun_bsd_plan.c - tun naming rules per system and the BSD create / open /
 * rename sequence (tun_bsd_plan.h), over the struct tun_sys layer.
 *
 * Facts it relies on (FreeBSD tun(4), if_tuntap.c, ifconfig(8)): the tun
 * cloner accepts only names that start with "tun" (SIOCIFCREATE2 "nat64"
 * fails with EINVAL); opening /dev/tun creates the next free tunN; a tun
 * renamed with SIOCSIFNAME gets a /dev/<newname> alias; a tun whose device
 * is open cannot be destroyed until it is closed (SIOCIFDESTROY waits), so
 * the device is always closed before a destroy. OpenBSD and NetBSD tun
 * interfaces are named tunN and cannot be renamed. */
#include "io/tun_bsd_plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const os_names[] = {
	[TUN_OS_LINUX] = "Linux",
	[TUN_OS_FREEBSD] = "FreeBSD",
	[TUN_OS_OPENBSD] = "OpenBSD",
	[TUN_OS_NETBSD] = "NetBSD",
	[TUN_OS_OTHER] = "this system",
};

bool tun_is_unit_name(const char *name)
{
	const char *d = name + 3;

	if (strncmp(name, "tun", 3) != 0 || *d < '0' || *d > '9')
		return false;
	if (*d == '0' && d[1] != '\0')
		return false;  /* tun01 is not a unit the cloner makes */
	while (*d >= '0' && *d <= '9')
		d++;
	return *d == '\0';
}

int tun_name_check(enum tun_os os, const char *name, char *err, size_t errlen)
{
	if (os == TUN_OS_LINUX || os == TUN_OS_FREEBSD || tun_is_unit_name(name))
		return 0;
	snprintf(err, errlen,
		 "tun-device %s: %s names tun interfaces tunN (tun0, tun1, ...) and cannot rename "
		 "them; use a tunN name (only FreeBSD creates a tun under another name)",
		 name, os_names[os]);
	return -1;
}

/* Open /dev/<name>. `created`: this call created the interface, so a
 * failed open destroys it again. */
static int open_named(const struct tun_sys *sys, const char *name, bool created, char *err,
		      size_t errlen)
{
	char path[64];
	int fd, e;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = sys->open_dev(sys->ctx, path);
	if (fd >= 0)
		return fd;
	e = errno;
	if (created)
		sys->if_destroy(sys->ctx, name);
	snprintf(err, errlen, "tun-device %s: cannot open %s: %s%s", name, path, strerror(e),
		 e == ENOENT && !created ? " (an interface of that name exists: is it a tun?)" : "");
	return -1;
}

/* tunN that does not exist yet: the cloner creates exactly that unit. */
static int create_unit(const struct tun_sys *sys, const char *name, bool keep_open, char *err,
		       size_t errlen)
{
	bool created = sys->if_create(sys->ctx, name) == 0;

	if (!created && errno != EEXIST) {  /* EEXIST: created meanwhile */
		snprintf(err, errlen, "tun-device %s: cannot create: %s", name, strerror(errno));
		return -1;
	}
	if (!keep_open)
		return 0;
	return open_named(sys, name, created, err, errlen);
}

/* Any other name (FreeBSD): a new tunN from /dev/tun, renamed. */
static int clone_rename(const struct tun_sys *sys, const char *name, bool keep_open, char *err,
			size_t errlen)
{
	char unit[64];
	int fd = sys->open_dev(sys->ctx, "/dev/tun"), e;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "tun-device %s: cannot create a tun to rename: /dev/tun: %s%s",
			 name, strerror(e),
			 e == ENOENT ? " (is if_tuntap loaded, net.link.tun.devfs_cloning 1?)" : "");
		return -1;
	}
	if (sys->tun_name(sys->ctx, fd, unit, sizeof(unit)) != 0) {
		e = errno;
		sys->close_fd(sys->ctx, fd);
		snprintf(err, errlen, "tun-device %s: the tun opened on /dev/tun has no name "
			 "(TUNGIFNAME): %s", name, strerror(e));
		return -1;
	}
	if (sys->if_rename(sys->ctx, unit, name) != 0) {
		e = errno;
		sys->close_fd(sys->ctx, fd);
		sys->if_destroy(sys->ctx, unit);
		snprintf(err, errlen, "tun-device %s: cannot rename the new %s to %s: %s", name, unit,
			 name, strerror(e));
		return -1;
	}
	if (keep_open)
		return fd;
	sys->close_fd(sys->ctx, fd);
	return 0;
}

int tun_plan_open(const struct tun_sys *sys, enum tun_os os, const char *name, bool keep_open,
		  char *err, size_t errlen)
{
	if (tun_name_check(os, name, err, errlen) != 0)
		return -1;
	if (sys->if_exists(sys->ctx, name)) {
		if (!keep_open)
			return 0;  /* --mktun: already there */
		return open_named(sys, name, false, err, errlen);
	}
	if (tun_is_unit_name(name))
		return create_unit(sys, name, keep_open, err, errlen);
	return clone_rename(sys, name, keep_open, err, errlen);
}

int tun_plan_remove(const struct tun_sys *sys, const char *name, char *err, size_t errlen)
{
	if (sys->if_destroy(sys->ctx, name) == 0)
		return 0;
	snprintf(err, errlen, "tun-device %s: cannot destroy: %s", name, strerror(errno));
	return -1;
}
