/* privsep.h - privilege separation (tayga(8) "Privileges").
 *
 * With -u, -g or -r the daemon runs as a privileged parent and one (or,
 * with workers, several) translator children. The parent keeps root,
 * outside any jail, and does nothing but this: it answers SIGHUP (and the
 * children's reload requests, coalesced and at most one a second) by
 * reading and validating the configuration (and map-file) from paths the
 * runtime user cannot change, applies interface settings that need
 * CAP_NET_ADMIN, and hands the text to every child; it forwards the other
 * signals, and on stop makes sure every child is gone (SIGKILL after a
 * grace period) before it removes the pidfile and exits. It never blocks
 * on a child: a child that does not take a configuration within
 * PRIVSEP_SEND_MS is killed. The children translate, jailed and
 * unprivileged; they never open a configuration file.
 *
 * The channel (privsep.c) is a stream socket per child carrying frames:
 * parent -> child one configuration frame ('C') or a refused reload ('F',
 * for the stats-file); child -> parent single request bytes ('R'). */
#ifndef TAYGA_PRIVSEP_H
#define TAYGA_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/conf.h"

/* child -> parent: please reload (the child got a SIGHUP) */
#define PRIVSEP_REQ_RELOAD 'R'

#define PRIVSEP_RELOAD_MIN_MS 1000  /* reloads at most this often */
#define PRIVSEP_SEND_MS 10000       /* a child must take a configuration within this */
#define PRIVSEP_STOP_MS 5000        /* grace after forwarding a stop signal; then SIGKILL */

/* One encoded configuration frame, shared by the children it is queued to. */
struct privsep_frame {
	unsigned refs;
	size_t len;
	unsigned char data[];
};

/* The parent's view of one translator child. */
struct privsep_child {
	pid_t pid;
	int sock;                       /* non-blocking; -1 once closed */
	bool exited;
	int status;                     /* exit status once exited */
	struct privsep_frame *out;      /* frame being sent, or NULL */
	size_t off;                     /* bytes of out already written */
	uint64_t deadline_ms;           /* out must be taken by then */
	unsigned gen;                   /* generation of the last frame queued to it */
};

struct privsep {
	const char *conf_path;
	struct config *conf;    /* the running configuration as the parent sees it */
	const char *pidfile;    /* removed when every child has exited; may be NULL */
	uid_t uid;              /* runtime user, or -1 */
	gid_t gid;              /* runtime group, or -1 */
	int sig_fd;             /* the self-pipe's read end */
	bool chroot;            /* -r: the children are jailed in data-dir */
	struct privsep_child *child;
	size_t nchild;
	/* `workers N`: fork child i again after it died, from configuration c;
	 * its pid (and *sock), or -1 to stop instead. NULL: any exit stops. */
	pid_t (*respawn)(void *arg, size_t i, struct config *c, int *sock);
	/* and a reload's check: false (with err) refuses c before any child
	 * sees it, so a worker forked later is built as the others run */
	bool (*conf_ok)(void *arg, const struct config *c, char *err, size_t errlen);
	void *respawn_arg;
	/* the monitor's own state (zero before privsep_monitor) */
	struct privsep_frame *latest;   /* the newest configuration, gen `gen` */
	unsigned gen;
	bool reload_wanted, stopping, have_status;
	uint64_t last_reload_ms, kill_at_ms;
	int status;
};

/* Add a child (its pid and the parent's end of its socket) before
 * privsep_monitor. 0, or -1 when out of memory. */
int privsep_add_child(struct privsep *ps, pid_t pid, int sock);

/* The parent's loop. Returns the exit status for the parent: that of the
 * first child to exit (1 when it died of a signal). */
int privsep_monitor(struct privsep *ps);

/* Refuse configuration the runtime user could have written: the config
 * file and the map-file, and every directory above them. 0, or -1 with a
 * message in err. */
int privsep_check_paths(const char *conf_path, const struct config *c, uid_t uid, gid_t gid,
			char *err, size_t errlen);

/* The channel. A configuration encoded as one frame (refs 1), NULL when out
 * of memory or too big (errno). */
struct privsep_frame *privsep_frame_conf(const struct conf_text *t);
void privsep_frame_put(struct privsep_frame *f);
/* Write what the non-blocking fd takes of f from *off on. 1 when the frame
 * is complete, 0 when more is to come, -1 on error (errno). */
int privsep_frame_send(int fd, const struct privsep_frame *f, size_t *off);
/* A reload the parent refused, for the children's stats-file (refs 1;
 * NULL when out of memory). */
struct privsep_frame *privsep_frame_failed(void);
/* The child's end: one configuration (blocking), 0 or -1 (errno; EPROTO
 * for a malformed message, EPIPE when the parent closed); 1, with *t
 * empty, for a privsep_frame_failed(). */
int privsep_recv_conf(int fd, struct conf_text *t);
/* The child's end: ask for a reload without ever blocking (a request
 * already queued is as good). 0 or -1 (errno). */
int privsep_request_reload(int fd);

/* Whether tun-up / tun-ip / tun-route differ between a and b. */
bool conf_iface_changed(const struct config *a, const struct config *b);

#endif
