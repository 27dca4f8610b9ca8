/* monitor.c - the privileged parent's loop (privsep.h): per child a socket,
 * a pid and the frame being sent; reloads coalesced and rate-limited;
 * signals handled at all times, since nothing here blocks on a child. */
#include "daemon/privsep.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/conf_paths.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "io/tun.h"
#include "daemon/tunconf.h"

int privsep_add_child(struct privsep *ps, pid_t pid, int sock)
{
	struct privsep_child *n = realloc(ps->child, (ps->nchild + 1) * sizeof(*n));

	if (!n)
		return -1;
	ps->child = n;
	memset(&n[ps->nchild], 0, sizeof(*n));
	n[ps->nchild].pid = pid;
	n[ps->nchild].sock = sock;
	ps->nchild++;
	return 0;
}

static void child_close(struct privsep_child *ch)
{
	if (ch->sock >= 0)
		close(ch->sock);
	ch->sock = -1;
	privsep_frame_put(ch->out);
	ch->out = NULL;
}

/* Queue the newest configuration to a child that is not busy sending one
 * (a busy child gets it when the current frame is through). */
static void queue_latest(struct privsep *ps, struct privsep_child *ch, uint64_t now)
{
	if (ch->out || ch->sock < 0 || ch->exited || !ps->latest || ch->gen == ps->gen)
		return;
	ch->out = ps->latest;
	ch->out->refs++;
	ch->off = 0;
	ch->gen = ps->gen;
	ch->deadline_ms = now + PRIVSEP_SEND_MS;
}

/* A refused reload: the children write the stats-file (tayga_reloads_total),
 * tell those not busy taking a configuration (whose result counts then). */
static void queue_failed(struct privsep *ps, uint64_t now)
{
	struct privsep_frame *f = privsep_frame_failed();

	for (size_t i = 0; f && i < ps->nchild; i++) {
		struct privsep_child *ch = &ps->child[i];
		if (ch->out || ch->sock < 0 || ch->exited)
			continue;
		ch->out = f;
		f->refs++;
		ch->off = 0;
		ch->deadline_ms = now + PRIVSEP_SEND_MS;
	}
	privsep_frame_put(f);
}

/* Read, validate, apply interface settings, queue the text to every child. */
static void pass_reload(struct privsep *ps, uint64_t now)
{
	char err[1024];
	struct conf_text t;
	struct config *c;
	struct privsep_frame *f;
	struct conf_guard guard = { ps->uid, ps->gid };

	ps->reload_wanted = false;
	ps->last_reload_ms = now;
	log_info("SIGHUP: reloading %s", ps->conf_path);
	/* opened out of the runtime user's reach before anything is read */
	c = conf_load_guarded(ps->conf_path, &guard, &t, err, sizeof(err));
	if (c && (privsep_check_paths(ps->conf_path, c, ps->uid, ps->gid, err, sizeof(err)) != 0 ||
		  !conf_check_paths(c, CONF_PATHS_RELOAD | (ps->chroot ? CONF_PATHS_CHROOT : 0), err,
				    sizeof(err)))) {
		conf_free(c);
		c = NULL;
	}
	if (c && ps->conf_ok && !ps->conf_ok(ps->respawn_arg, c, err, sizeof(err))) {
		conf_free(c);   /* (`workers N`: the steering stays as started) */
		c = NULL;
	}
	if (!c) {
		log_err("reload failed, keeping the running configuration: %s", err);
		conf_text_free(&t);
		queue_failed(ps, now);
		return;
	}
	/* the children refuse this too; don't touch the interface for it */
	if (strcmp(c->tun_device, ps->conf->tun_device) == 0 && conf_iface_changed(ps->conf, c)) {
		struct tun_ifcfg ic = tun_ifcfg_of(c);
		if (tun_configure(c->tun_device, &ic, err, sizeof(err)) != 0)
			log_warn("reload: %s", err);
	}
	if (!(f = privsep_frame_conf(&t))) {
		log_err("reload: cannot pass the configuration on: %s", strerror(errno));
	} else {
		privsep_frame_put(ps->latest);
		ps->latest = f;
		ps->gen++;
		for (size_t i = 0; i < ps->nchild; i++)
			queue_latest(ps, &ps->child[i], now);
	}
	conf_text_free(&t);
	if (strcmp(c->tun_device, ps->conf->tun_device) == 0) {
		conf_free(ps->conf);
		ps->conf = c;
	} else {
		conf_free(c);
	}
}

/* Stop: forward the signal to every child, SIGKILL what is left after the
 * grace period. */
static void begin_stop(struct privsep *ps, int sig, uint64_t now)
{
	if (!ps->stopping) {
		ps->stopping = true;
		ps->kill_at_ms = now + PRIVSEP_STOP_MS;
	}
	for (size_t i = 0; i < ps->nchild; i++)
		if (!ps->child[i].exited)
			kill(ps->child[i].pid, sig);
}

static void kill_all(struct privsep *ps)
{
	for (size_t i = 0; i < ps->nchild; i++)
		if (!ps->child[i].exited)
			kill(ps->child[i].pid, SIGKILL);
}

/* `workers N`: a worker that died is forked again (privsep.h). */
static bool respawn(struct privsep *ps, struct privsep_child *ch)
{
	int sock;
	pid_t pid = ps->respawn(ps->respawn_arg, (size_t)(ch - ps->child), ps->conf, &sock);

	if (pid <= 0)
		return false;
	memset(ch, 0, sizeof(*ch));
	ch->pid = pid;
	ch->sock = sock;
	ch->gen = ps->gen;   /* it was built from the running configuration */
	return true;
}

/* Collect exited children. The first exit decides the parent's status and
 * stops the others. */
static void reap(struct privsep *ps, uint64_t now)
{
	for (size_t i = 0; i < ps->nchild; i++) {
		struct privsep_child *ch = &ps->child[i];
		int ws;

		if (ch->exited || waitpid(ch->pid, &ws, WNOHANG) != ch->pid)
			continue;
		ch->exited = true;
		ch->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
		child_close(ch);
		if (WIFSIGNALED(ws) && !(ps->stopping && WTERMSIG(ws) == SIGKILL))
			log_err("the translator process %ld died of signal %d", (long)ch->pid,
				WTERMSIG(ws));
		if (!ps->stopping && ps->respawn && respawn(ps, ch))
			continue;
		if (!ps->have_status) {
			ps->have_status = true;
			ps->status = ch->status;
		}
		if (!ps->stopping)
			begin_stop(ps, SIGTERM, now);
	}
}

static void on_signals(struct privsep *ps, uint64_t now)
{
	unsigned char sigs[64];
	ssize_t k = read(ps->sig_fd, sigs, sizeof(sigs));

	for (ssize_t i = 0; i < k; i++) {
		switch (sigs[i]) {
		case SIGHUP: ps->reload_wanted = true; break;
		case SIGCHLD: break; /* reaped below, every round */
		case SIGINT: case SIGTERM: case SIGQUIT: begin_stop(ps, sigs[i], now); break;
		default:
			for (size_t c = 0; c < ps->nchild; c++)
				if (!ps->child[c].exited)
					kill(ps->child[c].pid, sigs[i]);
		}
	}
}

/* A child's socket: requests in, the pending frame out. */
static void on_child_io(struct privsep *ps, struct privsep_child *ch, short rev, uint64_t now)
{
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		unsigned char req[256];
		ssize_t r = read(ch->sock, req, sizeof(req));
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			child_close(ch); /* gone or going: reaped on SIGCHLD */
			return;
		}
		for (ssize_t i = 0; i < r; i++)
			if (req[i] == PRIVSEP_REQ_RELOAD)
				ps->reload_wanted = true;
	}
	if (ch->out && (rev & POLLOUT)) {
		int s = privsep_frame_send(ch->sock, ch->out, &ch->off);
		if (s < 0) {
			child_close(ch);
		} else if (s > 0) {
			privsep_frame_put(ch->out);
			ch->out = NULL;
			queue_latest(ps, ch, now);
		}
	}
}

/* Timers: a child that does not take its configuration in time is killed
 * (it is stopped or wedged, and the parent must not wait on it); the stop's
 * grace period; the next rate-limited reload. Returns poll's timeout. */
static int timers(struct privsep *ps, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < ps->nchild; i++) {
		struct privsep_child *ch = &ps->child[i];
		if (!ch->out || ch->exited)
			continue;
		if (now >= ch->deadline_ms) {
			log_err("the translator process %ld did not take the configuration within %u s; "
				"killing it", (long)ch->pid, PRIVSEP_SEND_MS / 1000);
			kill(ch->pid, SIGKILL);
			child_close(ch);
			continue;
		}
		if (ch->deadline_ms < next)
			next = ch->deadline_ms;
	}
	if (ps->stopping && now >= ps->kill_at_ms) {
		kill_all(ps);
		ps->kill_at_ms = now + PRIVSEP_STOP_MS;
	}
	if (ps->stopping && ps->kill_at_ms < next)
		next = ps->kill_at_ms;
	if (ps->reload_wanted && !ps->stopping) {
		if (now >= ps->last_reload_ms + PRIVSEP_RELOAD_MIN_MS)
			pass_reload(ps, now);
		else if (ps->last_reload_ms + PRIVSEP_RELOAD_MIN_MS < next)
			next = ps->last_reload_ms + PRIVSEP_RELOAD_MIN_MS;
	}
	return next == UINT64_MAX ? -1 : (int)(next > now ? next - now : 0);
}

static bool all_exited(const struct privsep *ps)
{
	for (size_t i = 0; i < ps->nchild; i++)
		if (!ps->child[i].exited)
			return false;
	return true;
}

int privsep_monitor(struct privsep *ps)
{
	struct pollfd *pfd = calloc(ps->nchild + 1, sizeof(*pfd));

	if (!pfd) {
		log_err("privileged process: out of memory");
		kill_all(ps);
	}
	ps->last_reload_ms = mono_ms() - PRIVSEP_RELOAD_MIN_MS;
	while (pfd && !all_exited(ps)) {
		uint64_t now = mono_ms();
		int timeout = timers(ps, now);

		pfd[0] = (struct pollfd){ .fd = ps->sig_fd, .events = POLLIN };
		for (size_t i = 0; i < ps->nchild; i++) {
			const struct privsep_child *ch = &ps->child[i];
			pfd[i + 1] = (struct pollfd){ .fd = ch->sock,
				.events = (short)(POLLIN | (ch->out ? POLLOUT : 0)) };
		}
		if (poll(pfd, ps->nchild + 1, timeout) < 0 && errno != EINTR)
			break;
		now = mono_ms();
		if (pfd[0].revents & POLLIN)
			on_signals(ps, now);
		for (size_t i = 0; i < ps->nchild; i++)
			if (ps->child[i].sock >= 0 && pfd[i + 1].revents)
				on_child_io(ps, &ps->child[i], pfd[i + 1].revents, now);
		reap(ps, now);
	}
	/* never leave a translator behind holding the tun */
	kill_all(ps);
	for (size_t i = 0; i < ps->nchild; i++) {
		if (!ps->child[i].exited)
			waitpid(ps->child[i].pid, NULL, 0);
		child_close(&ps->child[i]);
	}
	if (ps->pidfile)
		unlink(ps->pidfile);
	conf_free(ps->conf);
	privsep_frame_put(ps->latest);
	free(ps->child);
	free(pfd);
	return ps->have_status ? ps->status : 1;
}
