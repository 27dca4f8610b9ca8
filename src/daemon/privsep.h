/* privsep.h - privilege separation (tayga(8) "Privileges").
 *
 * With -u, -g or -r the daemon runs as two processes. The parent keeps
 * root, outside any jail, and does nothing but this: it answers SIGHUP by
 * reading and validating the configuration (and map-file) from paths the
 * runtime user cannot change, applies interface settings that need
 * CAP_NET_ADMIN, and hands the text to the child; it forwards the other
 * signals, and removes the pidfile when the child has exited. The child
 * translates, jailed and unprivileged; it never opens a configuration file,
 * and its only writable directory is data-dir (dynamic.map). */
#ifndef TAYGA_PRIVSEP_H
#define TAYGA_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/conf.h"

/* child -> parent: please reload (the child got a SIGHUP) */
#define PRIVSEP_REQ_RELOAD 'R'

struct privsep {
	const char *conf_path;
	struct config *conf;    /* the running configuration as the parent sees it */
	const char *pidfile;    /* removed when the child has exited; may be NULL */
	uid_t uid;              /* runtime user, or -1 */
	gid_t gid;              /* runtime group, or -1 */
	int sig_fd;             /* the self-pipe's read end */
	int sock;               /* stream socket to the child */
	pid_t child;
	bool chroot;            /* -r: the child is jailed in data-dir */
};

/* The parent's loop. Returns the exit status for the parent (the child's). */
int privsep_monitor(struct privsep *ps);

/* Refuse configuration the runtime user could have written: the config
 * file and the map-file, and every directory above them. 0, or -1 with a
 * message in err. */
int privsep_check_paths(const char *conf_path, const struct config *c, uid_t uid, gid_t gid,
			char *err, size_t errlen);

/* One configuration over the socket (blocking). 0 or -1 (errno; EPROTO for
 * a malformed message, 0-length read as EPIPE). */
int privsep_send_conf(int fd, const struct conf_text *t);
int privsep_recv_conf(int fd, struct conf_text *t);

/* Whether tun-up / tun-ip / tun-route differ between a and b. */
bool conf_iface_changed(const struct config *a, const struct config *b);

#endif
