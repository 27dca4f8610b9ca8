/* lifecycle.c - start and stop: daemonising, the pid file, opening the
 * tun and the running state, the one-shot modes (--check-config, --mktun, --rmtun). */
#include "config.h"   /* PACKAGE_VERSION */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "config/conf.h"
#include "config/conf_paths.h"
#include "lib/atomic_file.h"
#include "lib/log.h"
#include "lib/safe_path.h"
#include "state/map.h"
#include "account/meter.h"
#include "state/pool.h"
#include "daemon/privsep.h"
#include "daemon/sandbox.h"
#include "daemon/stats.h"
#include "io/tun.h"
#include "core/xlat.h"
#include "daemon/daemon.h"
#include "daemon/ready.h"
#include "daemon/tunconf.h"

/* A random start for the IPv4 Identification counter (RFC 6864 4.2: IDs
 * of a restarted translator should not start where the last one did). */
static uint16_t random_id(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	return (uint16_t)(time(NULL) ^ getpid());
}

static int fill_pid(void *arg, FILE *f)
{
	(void)arg;
	fprintf(f, "%ld\n", (long)getpid());
	return 0;
}

/* Written as root: by the one atomic writer, so a link planted at the name
 * (or at a temporary name) is replaced, never followed, and an init script
 * never reads half a pid. Its directory is checked in check_identity. */
static int write_pidfile(const char *path)
{
	return atomic_file_write(path, 0644, fill_pid, NULL);
}

/* Fork; the parent waits until the child reports start-up success (a byte
 * '0' on the pipe) or failure (the message). Returns 0 in the child, 1 in
 * the parent with its exit status in *status, -1 when fork fails. */
static int daemonize(int *ready_fd, int *status)
{
	int p[2];
	pid_t pid = -1;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		char msg[1024];
		int r;
		close(p[1]);
		r = ready_wait(p[0], -1, msg, sizeof(msg));
		close(p[0]);
		*status = r == 0 ? 0 : 1;
		if (r != 0)
			fprintf(stderr, "%s\n", msg[0] ? msg : "tayga: daemon exited during start-up");
		return 1;
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return 0;
}

__attribute__((noreturn)) void startup_failed(int ready_fd, const char *msg)
{
	if (ready_fd >= 0) {
		char b[1100];
		int n = snprintf(b, sizeof(b), "1%s", msg);
		if (write(ready_fd, b, (size_t)(n < (int)sizeof(b) ? n : (int)sizeof(b) - 1)) < 0) {
			/* parent gone */
		}
	}
	log_err("%s", msg);
	exit(1);
}

void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Work that needs no daemon: --check-config, --mktun, --rmtun. Returns the
 * exit status, or -1 when the daemon is to start. */
int oneshot(const struct daemon *d, const struct config *c)
{
	char err[1024];
	struct tun_opts to = tun_opts_of(c);

	if (d->o.check) {
		printf("%s: configuration OK\n", d->conf_path);
		return 0;
	}
	if (!d->o.mktun && !d->o.rmtun)
		return -1;
	if (tun_persist(&to, d->o.mktun, err, sizeof(err)) != 0) {
		fprintf(stderr, "tayga: %s\n", err);
		return 1;
	}
	/* stdout, as TAYGA: Debian's init script pipes it to logger */
	if (d->o.log_set)
		log_info("%s persistent tun device %s", d->o.mktun ? "Created" : "Removed",
			 c->tun_device);
	else
		printf("%s persistent tun device %s\n", d->o.mktun ? "Created" : "Removed",
		       c->tun_device);
	return 0;
}

/* Without -n: fork; the parent returns (>= 0, its exit status) once the
 * daemon reports start-up; the daemon gets -1 and *ready_fd. */
int background(struct daemon *d, int *ready_fd)
{
	int r, status;

	if (d->o.nodetach)
		return -1;
	r = daemonize(ready_fd, &status);
	if (r < 0) {
		fprintf(stderr, "tayga: fork: %s\n", strerror(errno));
		return 1;
	}
	if (r > 0)
		return status;
	if (!d->o.log_set)
		log_init(LOG_TO_SYSLOG, d->o.debug);
	return -1;
}

/* Create data-dir if missing. With -u/-g/-r root hands it to the runtime
 * user (chown, chroot) later: then it is created and opened here without
 * following a link, every directory above it checked out of that user's
 * reach (check_identity refused the rest), and the descriptor is what gets
 * chowned and chrooted into. */
static int open_data_dir(struct daemon *d, const struct config *c, char *err, size_t errlen)
{
	char why[PATH_MAX];

	if (!c->data_dir)
		return 0;
	if (!d->o.user && !d->o.group && !d->o.chroot) {
		if (mkdir(c->data_dir, 0755) == 0 || errno == EEXIST)
			return 0;
	} else {
		d->data_fd = safe_path_open(c->data_dir, O_RDONLY | O_DIRECTORY,
					    SAFE_PATH_CREATE_DIR | SAFE_PATH_LAST_THEIRS, d->run_uid,
					    d->run_gid, why, sizeof(why));
		if (d->data_fd >= 0)
			return 0;
		if (errno == EPERM) {
			snprintf(err, errlen, "tayga: data-dir %.400s: refused: %.400s can be changed by "
				 "the runtime user", c->data_dir, why);
			return -1;
		}
	}
	snprintf(err, errlen, "tayga: data-dir %s: %s", c->data_dir, strerror(errno));
	return -1;
}

/* Build the running state, load dynamic.map, open and configure the tun,
 * write the pidfile: everything that needs root. */
void open_everything(struct daemon *d, struct config *c, int ready_fd)
{
	char err[1024];

	if (open_data_dir(d, c, err, sizeof(err)) != 0)
		startup_failed(ready_fd, err);
	struct tun_opts to = tun_opts_of(c);
	struct tun_ifcfg ic = tun_ifcfg_of(c);
	if (d->nworkers > 1) {
		/* the parent opens the queues; each worker builds its state */
		if (workers_open_tun(d, c, err, sizeof(err)) != 0)
			startup_failed(ready_fd, err);
	} else if (state_build(&d->st, c, false, err, sizeof(err)) != 0 ||
		   tun_open(&d->tun, &to, err, sizeof(err)) != 0) {
		startup_failed(ready_fd, err);
	}
	if (tun_configure(c->tun_device, &ic, err, sizeof(err)) != 0)
		startup_failed(ready_fd, err);
	if (d->nworkers <= 1) {
		tun_refresh_mtu(&d->tun);
		d->tun.write_err = on_write_error;
		d->tun.err_arg = d;
	}
	if (d->o.pidfile && write_pidfile(d->o.pidfile) != 0) {
		snprintf(err, sizeof(err), "tayga: pidfile %s: %s", d->o.pidfile, strerror(errno));
		startup_failed(ready_fd, err);
	}
}

static bool stop_asked(void *arg)
{
	(void)arg;
	return stop_signalled();
}

/* dynamic.map: read only after the privilege drop, as the runtime user
 * (it lives in the one directory that user may write). */
void load_dynmap(struct daemon *d)
{
	struct pool_load_cb cb = { .report = report_dynmap, .stop = stop_asked };
	long n;

	if (!d->st.pool || !d->st.dynmap[0])
		return;
	n = pool_load_cb(d->st.pool, d->st.dynmap, time(NULL), &cb);
	if (n < 0 && errno == EINTR) {
		/* part of it is loaded: never save that over the whole */
		d->dynmap_partial = true;
		log_info("loading %s stopped by a signal; the file is left as it is", d->st.dynmap);
	} else if (n < 0 && errno == EFBIG) {
		log_err("%s: bigger than %u MB, not loaded (a full pool's file is about 80 MB); "
			"it is replaced at the next save", d->st.dynmap, POOL_LOAD_MAX_BYTES >> 20);
	} else if (n < 0) {
		log_warn("cannot read %s: %s", d->st.dynmap,
			 errno == ELOOP ? "it is a symbolic link, not a regular file" : strerror(errno));
	} else if (n > 0) {
		log_info("loaded %ld dynamic mappings from %s", n, d->st.dynmap);
	}
}

/* Wire the translator to the running state and the tun. */
void init_translator(struct daemon *d, int ready_fd)
{
	d->scratch = malloc(PKT_BUF_SIZE);
	if (!d->scratch)
		startup_failed(ready_fd, "tayga: out of memory");
	d->ctx.cfg = &d->xcfg;
	d->ctx.stats = &d->stats.xlat;
	d->stats.tun = &d->tun.ctr;
	d->ctx.icmp_rl = &d->rl;
	d->ctx.log = log_event;
	d->ctx.scratch = d->scratch;
	d->ctx.ip4_id = random_id();
	d->ctx.now = time(NULL);
	d->ctx.now_ms = mono_ms();
	apply_state(d);
	d->last_stats = d->last_usage = time(NULL);
	/* temporary files a writer killed mid-write left (atomic_file.h) */
	if (d->st.dynmap[0])
		atomic_file_sweep(d->st.dynmap, TMP_SWEEP_AGE, d->last_stats);
	if (d->st.conf->stats_file)
		atomic_file_sweep(d->st.conf->stats_file, TMP_SWEEP_AGE, d->last_stats);
	/* the first new mapping is written at once; later ones are batched */
	d->last_save_ms = mono_ms() - SAVE_BATCH_MS;
}

/* Tell the waiting parent (without -n) that start-up succeeded. */
void report_started(struct daemon *d, int ready_fd)
{
	log_info("tayga %s started on %s (mtu %u)", PACKAGE_VERSION, d->tun.name, d->tun.mtu);
	if (ready_fd < 0)
		return;
	if (write(ready_fd, "0", 1) < 0) {
		/* parent gone */
	}
	close(ready_fd);
	detach_stdio();
}

void shutdown_daemon(struct daemon *d)
{
	save_pool(d);
	/* the tun first: a script that waits for the pid file to go (OpenWrt's
	 * teardown, then --rmtun) must find the device released */
	tun_close(&d->tun);
	/* with privilege separation the parent removes it */
	if (d->o.pidfile && d->ps_sock < 0)
		unlink(d->o.pidfile);
	if (d->ps_sock >= 0)
		close(d->ps_sock);
	state_free(&d->st);
	free(d->scratch);
	log_info("exiting");
}
