/* main.c - the daemon's entry point: parse, check, then start in the order
 * lifecycle.c and privdrop.c lay out. */
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
#include "state/map.h"
#include "account/meter.h"
#include "state/pool.h"
#include "daemon/privsep.h"
#include "daemon/sandbox.h"
#include "daemon/stats.h"
#include "io/tun.h"
#include "core/xlat.h"
#include "daemon/daemon.h"
#include "daemon/tunconf.h"

int main(int argc, char **argv)
{
	static struct daemon dm;
	struct daemon *d = &dm;
	char err[1024];
	struct config *c;
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	struct tun_opts topts;
	int ready_fd = -1, status;

	sandbox_close_fds();
	d->ps_sock = -1;
	d->data_fd = -1;
	if (parse_args(argc, argv, &d->o) != 0)
		return 1;
	log_init(d->o.log_set ? d->o.log : LOG_TO_STDERR, d->o.debug);
	if (!realpath(d->o.config, d->conf_path)) {
		fprintf(stderr, "%s: %s\n", d->o.config, strerror(errno));
		return 1;
	}
	if (lookup_accounts(d, &pw, &gr) != 0)
		return 1;
	c = load_config(d, err, sizeof(err));
	if (!c || !conf_check_paths(c, d->o.chroot ? CONF_PATHS_CHROOT : 0, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return 1;
	}
	/* what this platform's tun cannot do (OpenBSD, NetBSD: tunN names
	 * only), refused at --check-config as at start */
	topts = tun_opts_of(c);
	if (tun_check_opts(&topts, err, sizeof(err)) != 0) {
		fprintf(stderr, "tayga: %s: %s\n", d->conf_path, err);
		conf_free(c);
		return 1;
	}
	log_conf_warnings(c);
	status = oneshot(d, c);
	if (status < 0 && check_identity(d, c) != 0)
		status = 1;
	if (status < 0)
		status = background(d, &ready_fd);
	if (status >= 0) {
		/* done, or the forking parent: the daemon owns everything */
		conf_free(c);
		return status;
	}
	if (setup_signals() != 0)
		startup_failed(ready_fd, "tayga: self-pipe");
	d->nworkers = workers_of(c);
	d->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	d->pw = pw;
	d->gr = gr;
	open_everything(d, c, ready_fd);
	if (d->nworkers > 1)
		return workers_run(d, c, ready_fd);  /* the parent; workers exit */
	if (pw || gr || d->o.chroot) {
		separate(d, ready_fd);
		drop_privileges(d, pw, gr, ready_fd);
	} else {
		limit_root(d->st.conf);
	}
	load_dynmap(d);
	init_translator(d, ready_fd);
	report_started(d, ready_fd);
	status = run(d);
	shutdown_daemon(d);
	return status;
}
