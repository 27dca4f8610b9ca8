/* privsep.c - the privileged parent and its channel to the jailed child. */
#include "daemon/privsep.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/conf_paths.h"
#include "lib/log.h"
#include "daemon/sandbox.h"
#include "io/tun.h"
#include "daemon/tunconf.h"

#define MSG_CONF 'C'
#define MSG_MAX (256u * 1024 * 1024)

static int write_all(int fd, const void *buf, size_t n)
{
	const char *b = buf;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	char *b = buf;
	while (n) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EPIPE;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Message: 'C', has-map byte, two 32-bit lengths (host order: both ends
 * are the same binary), the config text, the map-file text. */
int privsep_send_conf(int fd, const struct conf_text *t)
{
	unsigned char hdr[2] = { MSG_CONF, t->map != NULL };
	uint32_t len[2] = { (uint32_t)t->len, (uint32_t)t->map_len };

	if (t->len > MSG_MAX || t->map_len > MSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (write_all(fd, hdr, sizeof(hdr)) != 0 || write_all(fd, len, sizeof(len)) != 0 ||
	    write_all(fd, t->text, t->len) != 0 || write_all(fd, t->map ? t->map : "", t->map_len) != 0)
		return -1;
	return 0;
}

int privsep_recv_conf(int fd, struct conf_text *t)
{
	unsigned char hdr[2];
	uint32_t len[2];

	memset(t, 0, sizeof(*t));
	if (read_all(fd, hdr, sizeof(hdr)) != 0 || read_all(fd, len, sizeof(len)) != 0)
		return -1;
	if (hdr[0] != MSG_CONF || hdr[1] > 1 || len[0] > MSG_MAX || len[1] > MSG_MAX) {
		errno = EPROTO;
		return -1;
	}
	t->len = len[0];
	t->map_len = len[1];
	t->text = malloc(t->len + 1);
	t->map = malloc(t->map_len + 1);
	if (!t->text || !t->map) {
		conf_text_free(t);
		errno = ENOMEM;
		return -1;
	}
	if (read_all(fd, t->text, t->len) != 0 || read_all(fd, t->map, t->map_len) != 0) {
		conf_text_free(t);
		return -1;
	}
	t->text[t->len] = '\0';
	t->map[t->map_len] = '\0';
	if (!hdr[1]) {
		free(t->map);
		t->map = NULL;
	}
	return 0;
}

static bool addrs_equal(const struct tun_addr *a, size_t na, const struct tun_addr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].family != b[i].family || a[i].len != b[i].len ||
		    memcmp(&a[i].a, &b[i].a, a[i].family == AF_INET ? 4 : 16) != 0)
			return false;
	return true;
}

bool conf_iface_changed(const struct config *a, const struct config *b)
{
	return a->tun_up != b->tun_up ||
	       !addrs_equal(a->tun_ips, a->ntun_ips, b->tun_ips, b->ntun_ips) ||
	       !addrs_equal(a->tun_routes, a->ntun_routes, b->tun_routes, b->ntun_routes);
}

/* Is path inside directory dir (both resolved)? */
static bool inside(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!dir || !realpath(path, rp) || !realpath(dir, rd))
		return false;
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || (n == 1 && rd[0] == '/'));
}

int privsep_check_paths(const char *conf_path, const struct config *c, uid_t uid, gid_t gid,
			char *err, size_t errlen)
{
	const char *paths[2] = { conf_path, c->map_file };
	char why[PATH_MAX];

	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		if (inside(paths[i], c->data_dir)) {
			snprintf(err, errlen, "%s: refused: it is inside data-dir %s, which belongs to "
				 "the runtime user; keep configuration out of its reach", paths[i],
				 c->data_dir);
			return -1;
		}
		if (sandbox_path_writable_by(paths[i], uid, gid, why, sizeof(why))) {
			snprintf(err, errlen, "%s: refused: %s can be changed by the runtime user; "
				 "keep configuration out of its reach (only data-dir is its own)",
				 paths[i], why);
			return -1;
		}
	}
	return 0;
}

/* SIGHUP: read, validate, apply interface settings, hand over. */
static void reload(struct privsep *ps)
{
	char err[1024];
	struct conf_text t;
	struct config *c;

	log_info("SIGHUP: reloading %s", ps->conf_path);
	c = conf_load_text(ps->conf_path, &t, err, sizeof(err));
	if (c && (privsep_check_paths(ps->conf_path, c, ps->uid, ps->gid, err, sizeof(err)) != 0 ||
		  !conf_check_paths(c, CONF_PATHS_RELOAD | (ps->chroot ? CONF_PATHS_CHROOT : 0), err,
				    sizeof(err)))) {
		conf_free(c);
		c = NULL;
	}
	if (!c) {
		log_err("reload failed, keeping the running configuration: %s", err);
		conf_text_free(&t);
		return;
	}
	/* the child refuses this too; don't touch the interface for it */
	struct tun_ifcfg ic = tun_ifcfg_of(c);
	if (strcmp(c->tun_device, ps->conf->tun_device) == 0 && conf_iface_changed(ps->conf, c) &&
	    tun_configure(c->tun_device, &ic, err, sizeof(err)) != 0)
		log_warn("reload: %s", err);
	if (privsep_send_conf(ps->sock, &t) != 0)
		log_err("reload: cannot pass the configuration on: %s", strerror(errno));
	conf_text_free(&t);
	if (strcmp(c->tun_device, ps->conf->tun_device) == 0) {
		conf_free(ps->conf);
		ps->conf = c;
	} else {
		conf_free(c);
	}
}

/* Signals the handler queued: returns true once the child has exited. */
static bool on_signals(struct privsep *ps, int *status)
{
	unsigned char sigs[16];
	ssize_t k = read(ps->sig_fd, sigs, sizeof(sigs));
	int ws;

	for (ssize_t i = 0; i < k; i++) {
		if (sigs[i] == SIGHUP)
			reload(ps);
		else if (sigs[i] != SIGCHLD)
			kill(ps->child, sigs[i]);
	}
	if (waitpid(ps->child, &ws, WNOHANG) != ps->child)
		return false;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
	if (WIFSIGNALED(ws))
		log_err("the translator process died of signal %d", WTERMSIG(ws));
	return true;
}

int privsep_monitor(struct privsep *ps)
{
	struct pollfd pfd[2] = {
		{ .fd = ps->sig_fd, .events = POLLIN },
		{ .fd = ps->sock, .events = POLLIN },
	};
	int status = 1;

	for (;;) {
		int n = poll(pfd, 2, -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (pfd[0].revents & POLLIN) && on_signals(ps, &status))
			break;
		if (n > 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			char req;
			if (read(ps->sock, &req, 1) == 1) {
				if (req == PRIVSEP_REQ_RELOAD)
					reload(ps);
				continue;
			}
			/* the child is gone: collect its status */
			pfd[1].fd = -1;
		}
	}
	if (ps->pidfile)
		unlink(ps->pidfile);
	conf_free(ps->conf);
	close(ps->sock);
	return status;
}
