/* workers.c - `workers N` (docs/scaling.md): N single-threaded translator
 * processes under the one privileged parent, one queue of the multi-queue
 * tun each, sharing nothing on the packet path.
 *
 * The parent opens every queue (steering.c) and keeps them open for the
 * daemon's life: a queue's index is what the steering program
 * (io/steer_bpf.h) returns, and the kernel renumbers the queues when one is
 * closed, which would send the other workers' clients to the wrong worker. A worker that dies is
 * forked again on the same queue; its slice of dynamic.map is read again.
 * Loading the steering program needs CAP_BPF: the parent does it before it
 * limits its capabilities, the workers never have it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/ready.h"
#include "daemon/tunconf.h"
#include "daemon/wstats.h"

#define READY_MS 30000   /* a worker must report its start within this */
#define RESPAWN_MAX 5            /* restarts of dead workers allowed ... */
#define RESPAWN_WINDOW_MS 60000  /* ... within this */

/* Worker w, in the forked child: its queue, its state and slice, the
 * privilege drop, dynamic.map, then the event loop. Never returns. */
static __attribute__((noreturn)) void worker_main(struct daemon *d, struct config *c, unsigned w,
						   int sock, int ready)
{
	struct tun_opts to = tun_opts_of(c);
	char err[1024];
	int status;

	signal(SIGCHLD, SIG_DFL);
	signals_own_pipe();
	/* the other workers' queues and the parent's ends of their channels
	 * (one the monitor closed already may have been reused for ours) */
	for (unsigned k = 0; k < d->nworkers; k++) {
		if (k != w)
			close(d->qfds[k]);
		if (d->wsock[k] >= 0 && d->wsock[k] != sock && d->wsock[k] != ready)
			close(d->wsock[k]);
	}
	d->worker = w;
	d->ps_sock = sock;
	d->ps_parent = getppid();
	to.queue_fd = d->qfds[w];
	if (state_build(&d->st, c, false, err, sizeof(err)) != 0)
		startup_failed(ready, err);
	pool_set_slice(d->st.pool, &d->steer, w);
	if (tun_open(&d->tun, &to, err, sizeof(err)) != 0)
		startup_failed(ready, err);
	tun_refresh_mtu(&d->tun);
	d->tun.write_err = on_write_error;
	d->tun.err_arg = d;
	if (d->pw || d->gr || d->o.chroot) {
		drop_privileges(d, d->pw, d->gr, ready);
	} else {
		/* root, but with nothing to do as root: the parent configures
		 * the interface and reads the configuration */
		int lim = sandbox_limit(0);   /* needs CAP_SETPCAP, which a unit may not give */
		if (d->data_fd >= 0)
			close(d->data_fd);   /* (only the jail needs it) */
		d->data_fd = -1;
		if (sandbox_keep_caps(0) != 0)
			log_warn("worker %u: cannot drop capabilities: %s", w, strerror(errno));
		else if (lim != 0)
			log_debug("worker %u: bounding set kept: %s", w, strerror(errno));
		sandbox_parent_death_signal(SIGKILL);
	}
	/* a restarted worker counts on from where it left off */
	wstats_read(d->wstats, w, &d->stats, &d->tun.ctr);
	load_dynmap(d);
	init_translator(d, ready);
	log_info("worker %u started on queue %u of %s (mtu %u, process %ld)", w, w, d->tun.name,
		 d->tun.mtu, (long)getpid());
	if (write(ready, "0", 1) < 0) {
		/* the parent is gone: the loop notices */
	}
	close(ready);
	status = run(d);
	shutdown_daemon(d);
	exit(status);
}

/* The worker's start report on its pipe (ready.h): signals meanwhile, such
 * as SIGCHLD of a second worker killed at the same time, do not cut the
 * wait short. */
static int wait_ready(int fd, unsigned w, char *err, size_t errlen)
{
	char msg[1024];

	if (ready_wait(fd, READY_MS, msg, sizeof(msg)) == 0)
		return 0;
	if (msg[0])
		snprintf(err, errlen, "worker %u: %s", w, msg);
	else
		snprintf(err, errlen, "tayga: worker %u exited or hung during start-up", w);
	return -1;
}

pid_t worker_spawn(struct daemon *d, struct config *c, unsigned w, char *err, size_t errlen)
{
	int sv[2], rp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		goto fail;
	if (pipe2(rp, O_CLOEXEC) != 0) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if ((pid = fork()) == 0) {
		close(sv[0]);
		close(rp[0]);
		worker_main(d, c, w, sv[1], rp[1]);
	}
	close(sv[1]);
	close(rp[1]);
	if (pid < 0 || wait_ready(rp[0], w, err, errlen) != 0) {
		if (pid < 0)
			snprintf(err, errlen, "tayga: worker %u: fork: %s", w, strerror(errno));
		close(rp[0]);
		close(sv[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(rp[0]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0) {   /* the parent never blocks on it */
		snprintf(err, errlen, "tayga: worker %u: %s", w, strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(sv[0]);
		return -1;
	}
	d->wsock[w] = sv[0];
	return pid;
fail:
	snprintf(err, errlen, "tayga: worker %u: %s", w, strerror(errno));
	return -1;
}

/* The monitor's hook for a worker that died: fork it again on its queue
 * with the running configuration, unless it keeps dying (then the monitor
 * stops the daemon: no silent half-service). */
static pid_t respawn(void *arg, size_t i, struct config *c, int *sock)
{
	struct daemon *d = arg;
	uint64_t now = mono_ms();
	char err[1024];
	pid_t pid;

	if (now - d->respawn_window_ms > RESPAWN_WINDOW_MS) {
		d->respawn_window_ms = now;
		d->respawns = 0;
	}
	if (++d->respawns > RESPAWN_MAX) {
		log_err("worker %zu: %u restarts within %u s; stopping", i, RESPAWN_MAX,
			RESPAWN_WINDOW_MS / 1000);
		return -1;
	}
	d->wsock[i] = -1;   /* the monitor closed it */
	pid = worker_spawn(d, c, (unsigned)i, err, sizeof(err));
	if (pid < 0) {
		log_err("%s; stopping", err);
		return -1;
	}
	log_warn("worker %zu restarted (process %ld)", i, (long)pid);
	*sock = d->wsock[i];
	return pid;
}

static bool conf_ok(void *arg, const struct config *c, char *err, size_t errlen)
{
	return workers_reload_ok(arg, c, err, errlen);
}

/* The parent with N workers: fork them all, report the start, watch them
 * (privsep.h's monitor, which forks a dead one again). */
int workers_run(struct daemon *d, struct config *c, int ready_fd)
{
	struct privsep ps;
	char err[1024];
	int status;

	memset(&ps, 0, sizeof(ps));
	for (unsigned w = 0; w < d->nworkers; w++) {
		pid_t pid = worker_spawn(d, c, w, err, sizeof(err));
		if (pid < 0 || privsep_add_child(&ps, pid, d->wsock[w]) != 0) {
			for (size_t k = 0; k < ps.nchild; k++)
				kill(ps.child[k].pid, SIGTERM);
			while (wait(NULL) > 0)
				;
			startup_failed(ready_fd, pid < 0 ? err : "tayga: out of memory");
		}
	}
	/* what a reload still needs, as with -u (privdrop.c), and with
	 * -u/-g/-r what a replacement worker's drop into the jail needs;
	 * CAP_BPF goes */
	uint64_t keep = PARENT_CAPS;
	if (d->pw || d->gr || d->o.chroot)
		keep |= SB_CAP_BIT(SB_CAP_CHOWN) | SB_CAP_BIT(SB_CAP_SETGID) |
			SB_CAP_BIT(SB_CAP_SETUID) | SB_CAP_BIT(SB_CAP_SYS_CHROOT);
	int lim = sandbox_limit(keep);
	if (sandbox_keep_caps(keep) != 0 || lim != 0)
		log_warn("cannot limit capabilities: %s", strerror(errno));
	log_info("tayga %s started on %s with %u workers", PACKAGE_VERSION, c->tun_device,
		 d->nworkers);
	if (ready_fd >= 0) {
		if (write(ready_fd, "0", 1) < 0) {
			/* the caller is gone */
		}
		close(ready_fd);
		detach_stdio();
	}
	ps.conf_path = d->conf_path;
	ps.conf = c;
	ps.pidfile = NULL;   /* removed below, once the queues are closed */
	ps.uid = d->run_uid;
	ps.gid = d->run_gid;
	ps.sig_fd = signal_fd();
	ps.chroot = d->o.chroot;
	ps.respawn = respawn;
	ps.conf_ok = conf_ok;
	ps.respawn_arg = d;
	status = privsep_monitor(&ps);
	/* a script that waits for the pid file to go, then runs --rmtun,
	 * must find the device free */
	tun_close_queues(d->qfds, d->nworkers);
	if (d->o.pidfile)
		unlink(d->o.pidfile);
	return status;
}
