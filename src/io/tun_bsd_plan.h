/* tun_bsd_plan.h - which tun names each system accepts, and how the BSD
 * backend gets from a configured name to an open tun: the decisions only,
 * over a thin system-call layer (struct tun_sys), so that they build and
 * are unit-tested on Linux with a fake layer (tests/unit/test_tun_bsd.c).
 * tun_bsd.c supplies the real layer. No BSD headers here. */
#ifndef TAYGA_TUN_BSD_PLAN_H
#define TAYGA_TUN_BSD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

enum tun_os {
	TUN_OS_LINUX,    /* any name the config parser accepts */
	TUN_OS_FREEBSD,  /* tunN, or any name: a tun created and renamed */
	TUN_OS_OPENBSD,  /* tunN only: tun(4) cannot be renamed */
	TUN_OS_NETBSD,   /* tunN only */
	TUN_OS_OTHER,    /* other BSDs, macOS: tunN only, to be safe */
};

#if defined(__linux__)
#define TUN_HOST_OS TUN_OS_LINUX
#elif defined(__FreeBSD__)
#define TUN_HOST_OS TUN_OS_FREEBSD
#elif defined(__OpenBSD__)
#define TUN_HOST_OS TUN_OS_OPENBSD
#elif defined(__NetBSD__)
#define TUN_HOST_OS TUN_OS_NETBSD
#else
#define TUN_HOST_OS TUN_OS_OTHER
#endif

/* One call per system call. Each returns -1 with errno set on failure. */
struct tun_sys {
	void *ctx;
	bool (*if_exists)(void *ctx, const char *name);          /* if_nametoindex */
	int (*open_dev)(void *ctx, const char *path);            /* open O_RDWR: fd */
	void (*close_fd)(void *ctx, int fd);
	/* the interface name of an open tun device (FreeBSD TUNGIFNAME) */
	int (*tun_name)(void *ctx, int fd, char *name, size_t len);
	int (*if_create)(void *ctx, const char *name);           /* SIOCIFCREATE2 */
	int (*if_rename)(void *ctx, const char *from, const char *to); /* SIOCSIFNAME */
	int (*if_destroy)(void *ctx, const char *name);          /* SIOCIFDESTROY */
};

/* "tun" and a unit number without leading zeros (tun0, tun12): the names
 * the tun cloner itself creates on every BSD. */
bool tun_is_unit_name(const char *name);

/* Can a tun named `name` exist on os? 0, or -1 with err naming the rule. */
int tun_name_check(enum tun_os os, const char *name, char *err, size_t errlen);

/* Open the tun `name`, creating it if needed:
 *  - an interface of that name exists: open /dev/<name>;
 *  - tunN: create it (SIOCIFCREATE2), open /dev/tunN;
 *  - any other name (FreeBSD only): open the cloning device /dev/tun (the
 *    kernel creates the next free tunN), ask its name, rename it to `name`
 *    (FreeBSD then also answers on /dev/<name>). If the rename fails the
 *    created tunN is destroyed again.
 * Returns the open fd; with keep_open false (--mktun) the interface is
 * left in place, its device closed, and 0 returned. -1 with err filled. */
int tun_plan_open(const struct tun_sys *sys, enum tun_os os, const char *name, bool keep_open,
		  char *err, size_t errlen);

/* --rmtun: destroy the interface by its name. 0 or -1 with err. */
int tun_plan_remove(const struct tun_sys *sys, const char *name, char *err, size_t errlen);

#endif
