/* cli.c - the command line (TAYGA's options and ours). */
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

void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: tayga [options]\n"
		"  -c, --config FILE    configuration file (default " SYSCONFDIR "/tayga.conf)\n"
		"  -d, --debug          debug logging to the terminal (implies -n)\n"
		"  -n, --nodetach       stay in the foreground\n"
		"  -u, --user USER      run as USER after opening the tun device\n"
		"  -g, --group GROUP    run as GROUP after opening the tun device\n"
		"  -r, --chroot         chroot into data-dir after start-up\n"
		"  -p, --pidfile FILE   write the daemon's process ID to FILE\n"
		"      --mktun          create the persistent tun device and exit\n"
		"      --rmtun          remove the persistent tun device and exit\n"
		"      --check-config   check the configuration and exit (0 = valid)\n"
		"      --syslog         log to syslog\n"
		"      --stdout         log to standard output\n"
		"      --journal        log to standard error with journal priorities\n"
		"  -h, --help           this text\n"
		"      --version        print the version\n");
}

int parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_MKTUN = 256, O_RMTUN, O_SYSLOG, O_STDOUT, O_JOURNAL, O_VERSION, O_CHECK };
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "nodetach", no_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "chroot", no_argument, NULL, 'r' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "mktun", no_argument, NULL, O_MKTUN },
		{ "rmtun", no_argument, NULL, O_RMTUN },
		{ "syslog", no_argument, NULL, O_SYSLOG },
		{ "stdout", no_argument, NULL, O_STDOUT },
		{ "journal", no_argument, NULL, O_JOURNAL },
		{ "version", no_argument, NULL, O_VERSION },
		{ "check-config", no_argument, NULL, O_CHECK },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->config = SYSCONFDIR "/tayga.conf";
	while ((ch = getopt_long(argc, argv, "c:dnu:g:rp:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'd': o->debug = o->nodetach = true; break;
		case 'n': o->nodetach = true; break;
		case 'u': o->user = optarg; break;
		case 'g': o->group = optarg; break;
		case 'r': o->chroot = true; break;
		case 'p': o->pidfile = optarg; break;
		case 'h': print_usage(stdout); exit(0);
		case O_MKTUN: o->mktun = true; break;
		case O_RMTUN: o->rmtun = true; break;
		case O_SYSLOG: o->log = LOG_TO_SYSLOG; o->log_set = true; break;
		case O_STDOUT: o->log = LOG_TO_STDOUT; o->log_set = true; break;
		case O_JOURNAL: o->log = LOG_TO_JOURNAL; o->log_set = true; break;
		case O_VERSION: printf("tayga %s\n", PACKAGE_VERSION); exit(0);
		case O_CHECK: o->check = true; break;
		default: print_usage(stderr); return -1;
		}
	}
	/* TAYGA ignores surplus arguments and clatd passes one: "" or "-d"
	 * (as an option, handled above). Empty ones are silent. */
	for (int i = optind; i < argc; i++)
		if (argv[i][0])
			fprintf(stderr, "tayga: ignoring extra argument '%s'\n", argv[i]);
	if (o->mktun && o->rmtun) {
		fprintf(stderr, "tayga: --mktun and --rmtun exclude each other\n");
		return -1;
	}
	return 0;
}
