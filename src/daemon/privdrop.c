/* privdrop.c - -u / -g / -r: check the accounts, split into the privileged parent
 * and the jailed translator, drop privileges; without them, limit what root keeps. */
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

/* Root writes and removes the pidfile: its directory must be out of the
 * runtime user's reach, or the user could make root write (or remove)
 * whatever it likes through a link. */
static bool pidfile_dir_unsafe(const char *pidfile, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char dir[PATH_MAX], why[PATH_MAX], cwd[PATH_MAX] = "";
	const char *slash = strrchr(pidfile, '/');

	if (pidfile[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return false;
	if (!slash)
		snprintf(dir, sizeof(dir), "%s", cwd);
	else
		snprintf(dir, sizeof(dir), "%s%s%.*s", cwd, cwd[0] ? "/" : "",
			 slash == pidfile ? 1 : (int)(slash - pidfile), pidfile);
	if (!safe_path_writable_by(dir, uid, gid, why, sizeof(why)))
		return false;
	snprintf(err, errlen, "pidfile %.400s: refused: %.400s can be changed by the runtime user; "
		 "put it in a directory only root can write (/run)", pidfile, why);
	return true;
}

/* Root creates data-dir and chowns it to the runtime user: a directory
 * above it that user could change would let it swap data-dir for a link
 * (to /etc, say) between two starts. data-dir itself is the user's. */
static bool data_dir_unsafe(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char why[PATH_MAX];
	int fd = safe_path_open(dir, O_RDONLY | O_DIRECTORY, SAFE_PATH_LAST_THEIRS, uid, gid, why,
				sizeof(why));

	if (fd >= 0)
		close(fd);
	if (fd >= 0 || errno != EPERM)
		return false;   /* missing: created at start-up, where it is checked again */
	snprintf(err, errlen, "data-dir %.400s: refused: %.400s can be changed by the runtime user, "
		 "who could swap data-dir for a link before root chowns it; give data-dir a "
		 "parent only root can write", dir, why);
	return true;
}

/* -u / -g name known accounts: the runtime user and group, or -1. */
int lookup_accounts(struct daemon *d, struct passwd **pw, struct group **gr)
{
	if (d->o.user && !(*pw = getpwnam(d->o.user))) {
		fprintf(stderr, "tayga: unknown user %s\n", d->o.user);
		return -1;
	}
	if (d->o.group && !(*gr = getgrnam(d->o.group))) {
		fprintf(stderr, "tayga: unknown group %s\n", d->o.group);
		return -1;
	}
	d->run_uid = *pw ? (*pw)->pw_uid : (uid_t)-1;
	d->run_gid = *gr ? (*gr)->gr_gid : *pw ? (*pw)->pw_gid : (gid_t)-1;
	return 0;
}

/* The configuration at start: with -u / -g opened out of the runtime
 * user's reach (the path as given, links and all, then the file), so
 * nothing that user placed is ever read. */
struct config *load_config(struct daemon *d, char *err, size_t errlen)
{
	struct conf_guard g = { d->run_uid, d->run_gid };
	char given[PATH_MAX], cwd[PATH_MAX] = "", why[PATH_MAX];
	struct conf_text t;
	struct config *c;

	if (d->run_uid == (uid_t)-1 && d->run_gid == (gid_t)-1)
		return conf_load(d->conf_path, err, errlen);
	if (d->o.config[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	snprintf(given, sizeof(given), "%s%s%s", cwd, cwd[0] ? "/" : "", d->o.config);
	if (safe_path_writable_by(given, g.uid, g.gid, why, sizeof(why))) {
		snprintf(err, errlen, "%.400s: refused: %.400s can be changed by the runtime user; keep "
			 "configuration out of its reach (only data-dir is its own)", d->o.config, why);
		return NULL;
	}
	c = conf_load_guarded(d->conf_path, &g, &t, err, errlen);
	conf_text_free(&t);
	return c;
}

/* -u / -g / -r make sense with this config. */
int check_identity(struct daemon *d, const struct config *c)
{
	char err[1024];

	if (d->o.chroot && !c->data_dir) {
		fprintf(stderr, "tayga: --chroot needs data-dir in %s\n", d->conf_path);
		return -1;
	}
	if (privsep_check_paths(d->conf_path, c, d->run_uid, d->run_gid, err, sizeof(err)) != 0 ||
	    (c->data_dir && data_dir_unsafe(c->data_dir, d->run_uid, d->run_gid, err, sizeof(err))) ||
	    (d->o.pidfile &&
	     pidfile_dir_unsafe(d->o.pidfile, d->run_uid, d->run_gid, err, sizeof(err)))) {
		fprintf(stderr, "tayga: %s\n", err);
		return -1;
	}
	if (c->have_pool && !c->data_dir)
		log_warn("dynamic-pool without data-dir: dynamic mappings are not kept across restarts");
	return 0;
}

/* -u / -g / -r: split in two (privsep.h). The parent stays here, runs the
 * privileged monitor and exits with the translator's status; the child
 * returns with d->ps_sock. */
void separate(struct daemon *d, int ready_fd)
{
	struct privsep ps;
	int sv[2];
	pid_t pid = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || (pid = fork()) < 0)
		startup_failed(ready_fd, "tayga: privilege separation: cannot fork");
	if (pid == 0) {
		close(sv[0]);
		signal(SIGCHLD, SIG_DFL);
		signals_own_pipe();
		d->ps_sock = sv[1];
		d->ps_parent = getppid();
		return;
	}
	close(sv[1]);
	if (d->data_fd >= 0)
		close(d->data_fd);
	/* the translator owns the tun, dynamic.map and the start-up report */
	tun_close(&d->tun);
	memset(&ps, 0, sizeof(ps));
	ps.conf = d->st.conf;
	d->st.conf = NULL;
	state_free(&d->st);
	if (ready_fd >= 0) {
		close(ready_fd);
		detach_stdio();
	}
	/* what a reload still needs: netlink (tun-ip, tun-route), reading
	 * root's files and checking the user's data-dir, signalling the child */
	if (sandbox_limit(PARENT_CAPS) != 0 || sandbox_keep_caps(PARENT_CAPS) != 0)
		log_warn("cannot limit capabilities: %s", strerror(errno));
	ps.conf_path = d->conf_path;
	ps.pidfile = d->o.pidfile;
	ps.uid = d->run_uid;
	ps.gid = d->run_gid;
	ps.sig_fd = signal_fd();
	ps.chroot = d->o.chroot;
	/* the parent never blocks on the child (privsep.h) */
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0 || privsep_add_child(&ps, pid, sv[0]) != 0) {
		log_err("privilege separation: %s", strerror(errno));
		kill(pid, SIGKILL);
	}
	exit(privsep_monitor(&ps));
}

/* -u / -g / -r: hand data-dir to the runtime user (it writes dynamic.map
 * there: a temp file and a rename), chroot into it, drop to the user. */
void drop_privileges(struct daemon *d, const struct passwd *pw, const struct group *gr,
			    int ready_fd)
{
	const struct config *c = d->st.conf;
	char err[1024];

	/* by the descriptor open_data_dir() checked: never through a link */
	if ((pw || gr) && d->data_fd >= 0 &&
	    fchown(d->data_fd, pw ? pw->pw_uid : (uid_t)-1, gr ? gr->gr_gid : pw->pw_gid) != 0)
		log_warn("data-dir %s: chown: %s (dynamic.map may not be writable)", c->data_dir,
			 strerror(errno));
	if (d->o.chroot) {
		if (d->data_fd < 0 || fchdir(d->data_fd) != 0 || chroot(".") != 0 || chdir("/") != 0) {
			snprintf(err, sizeof(err), "tayga: chroot %s: %s", c->data_dir, strerror(errno));
			startup_failed(ready_fd, err);
		}
		d->chrooted = true;
		snprintf(d->st.dynmap, sizeof(d->st.dynmap), "/dynamic.map");
	}
	if (d->data_fd >= 0)
		close(d->data_fd);
	d->data_fd = -1;
	/* nothing this process could ever run may regain a capability */
	if (sandbox_limit(0) != 0)
		log_warn("cannot clear the capability bounding set: %s", strerror(errno));
	if ((gr && setgid(gr->gr_gid) != 0) || (pw && !gr && setgid(pw->pw_gid) != 0) ||
	    ((pw || gr) && setgroups(0, NULL) != 0 && errno != EPERM) ||
	    (pw && setuid(pw->pw_uid) != 0) || sandbox_keep_caps(0) != 0) {
		snprintf(err, sizeof(err), "tayga: dropping privileges: %s", strerror(errno));
		startup_failed(ready_fd, err);
	}
	/* the parent's end closing is noticed in the loop; a parent killed
	 * outright takes us along at once, so no translator outlives it holding
	 * the tun, stopped or not (set after setuid, which clears it) */
	sandbox_parent_death_signal(SIGKILL);
	if (d->ps_sock >= 0 && getppid() != d->ps_parent)
		startup_failed(ready_fd, "tayga: the privileged process is gone");
}

/* Can root without CAP_DAC_OVERRIDE create files in dir? (A missing dir:
 * whatever fails later is logged then.) */
static bool root_can_write(const char *dir)
{
	struct stat st;

	if (!dir || stat(dir, &st) != 0)
		return true;
	return (st.st_uid == 0 && (st.st_mode & S_IWUSR)) ||
	       (st.st_gid == 0 && (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH);
}

/* Without -u / -g / -r the daemon stays one root process that parses
 * packets: it keeps CAP_NET_ADMIN (tun-ip / tun-route at a reload) and
 * nothing else, in every set. Only a data-dir that belongs to another user
 * (Debian's /var/spool/tayga under its init script) needs CAP_DAC_OVERRIDE
 * as well, to write dynamic.map: -u is the better answer there. */
void limit_root(const struct config *c)
{
	uint64_t keep = SB_CAP_BIT(SB_CAP_NET_ADMIN);

	if (!root_can_write(c->data_dir)) {
		keep |= SB_CAP_BIT(SB_CAP_DAC_OVERRIDE);
		log_info("data-dir %s belongs to another user: keeping CAP_DAC_OVERRIDE to write "
			 "dynamic.map there (-u USER runs the translator without it)", c->data_dir);
	}
	if (sandbox_limit(keep) != 0 || sandbox_keep_caps(keep) != 0)
		log_warn("cannot limit capabilities: %s", strerror(errno));
}
