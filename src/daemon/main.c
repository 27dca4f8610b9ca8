/* main.c - command line, daemon lifecycle and the event loop.
 *
 * Everything below the loop (translation, maps, pool) is pure; this file
 * owns the I/O: the tun fd, signals (self-pipe), the clock, dynamic.map and
 * stats-file writes, and SIGHUP reloads that swap in a new configuration.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"   /* PACKAGE_VERSION */
#endif
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

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define DRAIN_MAX 1024        /* packets per wakeup before polling again */
#define WRITE_WARN_MS 60000   /* at most one line per minute about a failing write */
#define SAVE_BATCH_MS 1000      /* new mappings are written at most this often */
#define SAVE_PERIOD_MS 300000   /* and last-use times every 5 minutes */

struct opts {
	const char *config;
	const char *user, *group, *pidfile;
	bool debug, nodetach, chroot, mktun, rmtun, check;
	enum log_target log;
	bool log_set;
};

/* Everything a running configuration consists of; swapped on SIGHUP. */
struct state {
	struct config *conf;
	struct map *map;
	struct pool *pool;
	struct meter *meter;       /* usage-stats / rate-limit; NULL when off */
	char dynmap[PATH_MAX];     /* "" without data-dir */
};

struct daemon {
	struct opts o;
	char conf_path[PATH_MAX];
	struct state st;
	struct tun tun;
	struct stats stats;
	struct ratelimit rl;
	struct xlat_cfg xcfg;
	struct xlat_ctx ctx;
	uint8_t *scratch;
	bool chrooted;
	int ps_sock;                 /* privilege separation: to the parent; -1 without */
	uid_t run_uid;               /* -u / -g: the runtime user and group, else -1 */
	gid_t run_gid;
	time_t last_stats;
	time_t last_usage;           /* last usage-interval report */
	uint64_t last_save_ms;
	struct log_every write_warn, save_warn, stats_warn; /* failing tun, dynamic.map, stats-file writes */
};

static int sig_pipe[2] = { -1, -1 };

/* A random start for the IPv4 Identification counter (RFC 6864 4.2: IDs
 * of a restarted translator should not start where the last one did). */
static uint16_t random_id(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	return (uint16_t)(time(NULL) ^ getpid());
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: a signal is pending anyway */
	}
	errno = saved;
}

static void usage(FILE *f)
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

static int parse_args(int argc, char **argv, struct opts *o)
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
		case 'h': usage(stdout); exit(0);
		case O_MKTUN: o->mktun = true; break;
		case O_RMTUN: o->rmtun = true; break;
		case O_SYSLOG: o->log = LOG_TO_SYSLOG; o->log_set = true; break;
		case O_STDOUT: o->log = LOG_TO_STDOUT; o->log_set = true; break;
		case O_JOURNAL: o->log = LOG_TO_JOURNAL; o->log_set = true; break;
		case O_VERSION: printf("tayga %s\n", PACKAGE_VERSION); exit(0);
		case O_CHECK: o->check = true; break;
		default: usage(stderr); return -1;
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

static void report_dynmap(void *arg, const char *msg)
{
	(void)arg;
	log_warn("%s", msg);
}

static void log_event(void *arg, unsigned ev, const char *msg)
{
	(void)arg;
	(void)ev;
	log_info("%s", msg);
}

static void log_line(void *arg, const char *msg)
{
	(void)arg;
	log_info("%s", msg);
}

static void state_free(struct state *s)
{
	meter_free(s->meter);
	pool_free(s->pool);
	map_free(s->map);
	conf_free(s->conf);
	memset(s, 0, sizeof(*s));
}

/* Build map + pool for a parsed config; dynamic.map path per data-dir. */
static int state_build(struct state *s, struct config *c, bool chrooted, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->conf = c;
	s->map = map_build(c);
	if (!s->map) {
		snprintf(err, errlen, "out of memory building the address map");
		return -1;
	}
	if (c->have_pool) {
		s->pool = pool_new(c);
		if (!s->pool) {
			snprintf(err, errlen, "out of memory building the dynamic pool");
			return -1;
		}
	}
	/* buckets start full, so their start time does not matter */
	if (meter_new(c, 0, &s->meter) != 0) {
		snprintf(err, errlen, "out of memory building the usage and rate-limit tables");
		return -1;
	}
	if (c->data_dir)
		snprintf(s->dynmap, sizeof(s->dynmap), "%s/dynamic.map", chrooted ? "" : c->data_dir);
	return 0;
}

static void apply_state(struct daemon *d)
{
	const struct config *c = d->st.conf;
	d->xcfg.conf = c;
	d->xcfg.map = d->st.map;
	d->xcfg.mtu = d->tun.mtu;
	d->ctx.pool = d->st.pool;
	d->ctx.meter = d->st.meter;
	ratelimit_init(&d->rl, c->icmp_rate, c->icmp_burst, d->ctx.now_ms);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void save_pool(struct daemon *d)
{
	if (!d->st.pool || !d->st.dynmap[0])
		return;
	if (pool_save(d->st.pool, d->st.dynmap) != 0 && log_every_due(&d->save_warn, mono_ms(), WRITE_WARN_MS))
		log_err("cannot write %s: %s (%llu failures so far, logged at most once a minute)",
			d->st.dynmap, strerror(errno), d->save_warn.count);
	d->last_save_ms = mono_ms();
}

static void log_stats(const struct daemon *d)
{
	const struct stats *s = &d->stats;
	const struct xlat_counters *x = &s->xlat;
	log_info("stats: 4to6 %llu packets %llu bytes, 6to4 %llu packets %llu bytes, "
		 "icmp4 sent %llu, icmp6 sent %llu, rate-limited %llu, echo replies %llu, dynamic %zu (created %llu), "
		 "udp coalesced %llu, tun reads %llu (%llu packets), tun writes %llu, dropped %llu",
		 (unsigned long long)x->pkts[DIR_4TO6], (unsigned long long)x->bytes[DIR_4TO6],
		 (unsigned long long)x->pkts[DIR_6TO4], (unsigned long long)x->bytes[DIR_6TO4],
		 (unsigned long long)x->icmp4_sent, (unsigned long long)x->icmp6_sent,
		 (unsigned long long)x->icmp_ratelimited,
		 (unsigned long long)x->echo_replies, pool_count(d->st.pool),
		 (unsigned long long)x->dyn_created, (unsigned long long)s->udp_coalesced,
		 (unsigned long long)s->tun_read_calls, (unsigned long long)s->tun_read_pkts,
		 (unsigned long long)s->tun_write_calls,
		 (unsigned long long)drops_total(x));
	for (int r = 0; r < DROP_MAX; r++)
		if (x->drops[r])
			log_info("stats: dropped %s: %llu", drop_reason_name((enum drop_reason)r),
				 (unsigned long long)x->drops[r]);
}

/* map-file lines that were not used (the map-file is a soft source) */
static void log_conf_warnings(const struct config *c)
{
	for (size_t i = 0; i < c->nwarnings; i++)
		log_warn("%s", c->warnings[i]);
}

/* Would the running offload / io-uring mode differ under c? Only then is
 * a changed setting worth a warning (auto keeps whatever the kernel gave). */
static bool mode_differs(enum tristate want, enum tristate was, bool running)
{
	if (want == MODE_ON)
		return !running;
	if (want == MODE_OFF)
		return running;
	return !running && was == MODE_OFF;
}

/* Swap in configuration c (validated, same parser as at start). With
 * privilege separation the parent applied the interface settings. */
static void reload_apply(struct daemon *d, struct config *c)
{
	char err[1024];
	struct state ns;

	if (!conf_check_paths(c, CONF_PATHS_RELOAD | (d->chrooted ? CONF_PATHS_IN_JAIL : 0), err,
			      sizeof(err))) {
		log_err("reload failed, keeping the running configuration: %s", err);
		conf_free(c);
		return;
	}
	log_conf_warnings(c);
	if (strcmp(c->tun_device, d->st.conf->tun_device) != 0) {
		log_err("reload refused: tun-device changed from %s to %s (restart to change it)",
			d->st.conf->tun_device, c->tun_device);
		conf_free(c);
		return;
	}
	if (mode_differs(c->offload, d->st.conf->offload, d->tun.offload) ||
	    mode_differs(c->io_uring, d->st.conf->io_uring, d->tun.batched))
		log_warn("reload: offload and io-uring changes take effect at the next restart");
	if (d->ps_sock < 0 && conf_iface_changed(d->st.conf, c) &&
	    tun_configure(d->tun.name, c, err, sizeof(err)) != 0)
		log_warn("reload: %s", err);
	if (state_build(&ns, c, d->chrooted, err, sizeof(err)) != 0) {
		log_err("reload failed, keeping the running configuration: %s", err);
		state_free(&ns);
		return;
	}
	/* keep live dynamic mappings that are still valid in the new pool */
	pool_migrate(ns.pool, d->st.pool);
	meter_migrate(ns.meter, d->st.meter);
	tun_refresh_mtu(&d->tun);
	state_free(&d->st);
	d->st = ns;
	apply_state(d);
	log_info("reloaded %s (%zu maps, %zu dynamic mappings kept)", d->conf_path,
		 c->nmaps, pool_count(d->st.pool));
}

/* SIGHUP. With privilege separation the parent reads the configuration:
 * ask it to. */
static void reload(struct daemon *d)
{
	char err[1024];
	struct config *c;
	char req = PRIVSEP_REQ_RELOAD;

	if (d->ps_sock >= 0) {
		if (write(d->ps_sock, &req, 1) != 1)
			log_err("reload: cannot reach the privileged process: %s", strerror(errno));
		return;
	}
	log_info("SIGHUP: reloading %s", d->conf_path);
	c = conf_load(d->conf_path, err, sizeof(err));
	if (!c) {
		log_err("reload failed, keeping the running configuration: %s", err);
		return;
	}
	reload_apply(d, c);
}

/* A configuration from the privileged parent. Returns false when the
 * parent is gone (time to exit). */
static bool reload_from_parent(struct daemon *d)
{
	char err[1024];
	struct conf_text t;
	struct config *c;

	if (privsep_recv_conf(d->ps_sock, &t) != 0) {
		log_err("the privileged process is gone (%s); exiting",
			errno == EPIPE ? "connection closed" : strerror(errno));
		return false;
	}
	c = conf_parse_text(&t, d->conf_path, err, sizeof(err));
	conf_text_free(&t);
	if (!c)
		log_err("reload failed, keeping the running configuration: %s", err);
	else
		reload_apply(d, c);
	return true;
}

/* A failed write loses the packet: count it (drops reason "write") and say
 * why, at once and then at most once a minute, so a lasting cause (the
 * interface set down, no memory) shows in the log without flooding it. */
static void write_failed(struct daemon *d, int err)
{
	d->stats.xlat.drops[DROP_WRITE]++;
	if (!log_every_due(&d->write_warn, d->ctx.now_ms, WRITE_WARN_MS))
		return;
	log_warn("%s: write failed: %s (%llu packets lost to failed writes so far)", d->tun.name,
		 strerror(err), (unsigned long long)d->stats.xlat.drops[DROP_WRITE]);
}

static void on_write_error(void *arg, int err)
{
	write_failed(arg, err);
}

/* The translator's one output: every packet goes to the tun backend, which
 * decides how it is written. */
static void emit(void *arg, const struct pkt *p)
{
	struct daemon *d = arg;
	tun_write(&d->tun, p);
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
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
		ssize_t n;
		close(p[1]);
		n = read(p[0], msg, sizeof(msg) - 1);
		close(p[0]);
		*status = 0;
		if (n == 1 && msg[0] == '0')
			return 1;
		if (n > 0) {
			msg[n] = '\0';
			fprintf(stderr, "%s\n", msg[0] == '1' ? msg + 1 : msg);
		} else {
			fprintf(stderr, "tayga: daemon exited during start-up\n");
		}
		*status = 1;
		return 1;
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return 0;
}

__attribute__((noreturn)) static void startup_failed(int ready_fd, const char *msg)
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

static void detach_stdio(void)
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

/* Translate everything waiting on the tun (at most DRAIN_MAX packets, so
 * signals and housekeeping are not starved), then flush what the backend
 * held back: nothing waits past a drain. */
static void drain(struct daemon *d)
{
	d->ctx.now = time(NULL);
	d->ctx.now_ms = mono_ms();
	for (int i = 0; i < DRAIN_MAX;) {
		struct pkt p[TUN_BATCH_MAX];
		bool drained;
		int r = tun_read_batch(&d->tun, p, &drained);
		if (r < 0) {
			log_err("tun read: %s", strerror(errno));
			break;
		}
		d->stats.tun_read_calls++;
		d->stats.tun_read_pkts += (uint64_t)r;
		for (int k = 0; k < r; k++)
			xlat_packet(&d->ctx, &p[k]);
		i += r;
		if (drained || r == 0)
			break;
	}
	tun_flush(&d->tun);
}

/* Act on the signals the handler queued. Returns true when one asks us to
 * exit. */
static bool handle_signals(struct daemon *d)
{
	unsigned char sigs[16];
	ssize_t k = read(sig_pipe[0], sigs, sizeof(sigs));
	bool stop = false;

	for (ssize_t i = 0; i < k; i++) {
		switch (sigs[i]) {
		case SIGHUP: reload(d); break;
		case SIGUSR1:
			log_stats(d);
			meter_report(d->st.meter, log_line, NULL);
			break;
		case SIGCHLD: break; /* handled for the privileged parent only */
		default:
			log_info("signal %d: exiting", sigs[i]);
			stop = true;
		}
	}
	return stop;
}

/* Periodic work: dynamic.map (new mappings soon, last-use times now and
 * then) and the stats file. */
static void housekeeping(struct daemon *d)
{
	time_t now = time(NULL);

	if (mono_ms() - d->last_save_ms >= (pool_dirty(d->st.pool) ? SAVE_BATCH_MS : SAVE_PERIOD_MS))
		save_pool(d);
	if (d->st.conf->stats_file && now - d->last_stats >= (time_t)d->st.conf->stats_interval) {
		d->stats.xlat.dyn_active = pool_count(d->st.pool);
		if (stats_write_file_ext(&d->stats, d->st.conf->stats_file, meter_write_prom,
					 d->st.meter) != 0 && log_every_due(&d->stats_warn, mono_ms(), WRITE_WARN_MS))
			log_warn("cannot write %s: %s (%llu failures so far, logged at most once a minute)",
				 d->st.conf->stats_file, strerror(errno), d->stats_warn.count);
		d->last_stats = now;
	}
	if (d->st.conf->usage_interval && now - d->last_usage >= (time_t)d->st.conf->usage_interval) {
		meter_report(d->st.meter, log_line, NULL);
		d->last_usage = now;
	}
}

/* The event loop. Returns the exit status: 0 after a signal to stop, 1
 * when the tun device went away under us. */
static int run(struct daemon *d)
{
	struct pollfd pfd[3] = {
		{ .fd = d->tun.fd, .events = POLLIN },
		{ .fd = sig_pipe[0], .events = POLLIN },
		{ .fd = d->ps_sock, .events = POLLIN },
	};

	for (;;) {
		int n = poll(pfd, 3, 1000);

		if (n < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		/* the interface was deleted (ip link del): the fd reports
		 * POLLERR forever and nothing can be read or written again;
		 * exit so a service manager can restart us */
		if (n > 0 && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))) {
			log_err("%s: the tun device was removed or failed; exiting", d->tun.name);
			return 1;
		}
		if (n > 0 && (pfd[0].revents & POLLIN))
			drain(d);
		if (n > 0 && (pfd[1].revents & POLLIN) && handle_signals(d))
			return 0;
		if (n > 0 && (pfd[2].revents & (POLLIN | POLLHUP)) && !reload_from_parent(d))
			return 0;
		housekeeping(d);
	}
}

/* Work that needs no daemon: --check-config, --mktun, --rmtun. Returns the
 * exit status, or -1 when the daemon is to start. */
static int oneshot(const struct daemon *d, const struct config *c)
{
	char err[1024];

	if (d->o.check) {
		printf("%s: configuration OK\n", d->conf_path);
		return 0;
	}
	if (!d->o.mktun && !d->o.rmtun)
		return -1;
	if (tun_persist(c->tun_device, d->o.mktun, err, sizeof(err)) != 0) {
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

/* -u / -g / -r make sense with this config and name known accounts. */
static int check_identity(struct daemon *d, const struct config *c, struct passwd **pw,
			  struct group **gr)
{
	char err[1024];

	if (d->o.user && !(*pw = getpwnam(d->o.user))) {
		fprintf(stderr, "tayga: unknown user %s\n", d->o.user);
		return -1;
	}
	if (d->o.group && !(*gr = getgrnam(d->o.group))) {
		fprintf(stderr, "tayga: unknown group %s\n", d->o.group);
		return -1;
	}
	if (d->o.chroot && !c->data_dir) {
		fprintf(stderr, "tayga: --chroot needs data-dir in %s\n", d->conf_path);
		return -1;
	}
	d->run_uid = *pw ? (*pw)->pw_uid : (uid_t)-1;
	d->run_gid = *gr ? (*gr)->gr_gid : *pw ? (*pw)->pw_gid : (gid_t)-1;
	if (privsep_check_paths(d->conf_path, c, d->run_uid, d->run_gid, err, sizeof(err)) != 0) {
		fprintf(stderr, "tayga: %s\n", err);
		return -1;
	}
	if (c->have_pool && !c->data_dir)
		log_warn("dynamic-pool without data-dir: dynamic mappings are not kept across restarts");
	return 0;
}

/* Without -n: fork; the parent returns (>= 0, its exit status) once the
 * daemon reports start-up; the daemon gets -1 and *ready_fd. */
static int background(struct daemon *d, int *ready_fd)
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

static void setup_signals(int ready_fd)
{
	struct sigaction sa;

	if (pipe(sig_pipe) < 0 || fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK) < 0)
		startup_failed(ready_fd, "tayga: self-pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);  /* only the privileged parent has a child */
	signal(SIGPIPE, SIG_IGN);
}

/* Build the running state, load dynamic.map, open and configure the tun,
 * write the pidfile: everything that needs root. */
static void open_everything(struct daemon *d, struct config *c, int ready_fd)
{
	char err[1024];

	if (c->data_dir && mkdir(c->data_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, sizeof(err), "tayga: data-dir %s: %s", c->data_dir, strerror(errno));
		startup_failed(ready_fd, err);
	}
	if (state_build(&d->st, c, false, err, sizeof(err)) != 0)
		startup_failed(ready_fd, err);
	if (tun_open(&d->tun, c, &d->stats, err, sizeof(err)) != 0 ||
	    tun_configure(d->tun.name, c, err, sizeof(err)) != 0)
		startup_failed(ready_fd, err);
	tun_refresh_mtu(&d->tun);
	d->tun.write_err = on_write_error;
	d->tun.err_arg = d;
	if (d->o.pidfile && write_pidfile(d->o.pidfile) != 0) {
		snprintf(err, sizeof(err), "tayga: pidfile %s: %s", d->o.pidfile, strerror(errno));
		startup_failed(ready_fd, err);
	}
}

/* dynamic.map: read only after the privilege drop, as the runtime user
 * (it lives in the one directory that user may write). */
static void load_dynmap(struct daemon *d)
{
	long n;

	if (!d->st.pool || !d->st.dynmap[0])
		return;
	n = pool_load(d->st.pool, d->st.dynmap, time(NULL), report_dynmap, NULL);
	if (n < 0)
		log_warn("cannot read %s: %s", d->st.dynmap, strerror(errno));
	else if (n > 0)
		log_info("loaded %ld dynamic mappings from %s", n, d->st.dynmap);
}

/* -u / -g / -r: split in two (privsep.h). The parent stays here, runs the
 * privileged monitor and exits with the translator's status; the child
 * returns with d->ps_sock. */
static void separate(struct daemon *d, int ready_fd)
{
	struct privsep ps;
	int sv[2];
	pid_t pid = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || (pid = fork()) < 0)
		startup_failed(ready_fd, "tayga: privilege separation: cannot fork");
	if (pid == 0) {
		close(sv[0]);
		signal(SIGCHLD, SIG_DFL);
		d->ps_sock = sv[1];
		return;
	}
	close(sv[1]);
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
	/* what a reload still needs: netlink, reading root's files, signals */
	if (sandbox_limit(SB_CAP_BIT(SB_CAP_NET_ADMIN) | SB_CAP_BIT(SB_CAP_DAC_OVERRIDE) |
			  SB_CAP_BIT(SB_CAP_DAC_READ_SEARCH) | SB_CAP_BIT(SB_CAP_KILL)) != 0)
		log_warn("cannot limit capabilities: %s", strerror(errno));
	ps.conf_path = d->conf_path;
	ps.pidfile = d->o.pidfile;
	ps.uid = d->run_uid;
	ps.gid = d->run_gid;
	ps.sig_fd = sig_pipe[0];
	ps.sock = sv[0];
	ps.child = pid;
	ps.chroot = d->o.chroot;
	exit(privsep_monitor(&ps));
}

/* -u / -g / -r: hand data-dir to the runtime user (it writes dynamic.map
 * there: a temp file and a rename), chroot into it, drop to the user. */
static void drop_privileges(struct daemon *d, const struct passwd *pw, const struct group *gr,
			    int ready_fd)
{
	const struct config *c = d->st.conf;
	char err[1024];

	if ((pw || gr) && c->data_dir &&
	    chown(c->data_dir, pw ? pw->pw_uid : (uid_t)-1, gr ? gr->gr_gid : pw->pw_gid) != 0)
		log_warn("data-dir %s: chown: %s (dynamic.map may not be writable)", c->data_dir,
			 strerror(errno));
	if (d->o.chroot) {
		if (chroot(c->data_dir) != 0 || chdir("/") != 0) {
			snprintf(err, sizeof(err), "tayga: chroot %s: %s", c->data_dir, strerror(errno));
			startup_failed(ready_fd, err);
		}
		d->chrooted = true;
		snprintf(d->st.dynmap, sizeof(d->st.dynmap), "/dynamic.map");
	}
	/* nothing this process could ever run may regain a capability */
	if (sandbox_limit(0) != 0)
		log_warn("cannot clear the capability bounding set: %s", strerror(errno));
	if ((gr && setgid(gr->gr_gid) != 0) || (pw && !gr && setgid(pw->pw_gid) != 0) ||
	    ((pw || gr) && setgroups(0, NULL) != 0 && errno != EPERM) ||
	    (pw && setuid(pw->pw_uid) != 0) || sandbox_drop_caps() != 0) {
		snprintf(err, sizeof(err), "tayga: dropping privileges: %s", strerror(errno));
		startup_failed(ready_fd, err);
	}
	/* the parent's end closing is noticed in the loop; a parent killed
	 * outright sends us SIGTERM (set after setuid, which clears it) */
	sandbox_parent_death_signal(SIGTERM);
}

/* Without -u / -g / -r the daemon stays root: keep only what a reload
 * needs (tun-ip / tun-route, reading the configuration). */
static void limit_root(void)
{
	if (sandbox_limit(SB_CAP_BIT(SB_CAP_NET_ADMIN) | SB_CAP_BIT(SB_CAP_DAC_OVERRIDE) |
			  SB_CAP_BIT(SB_CAP_DAC_READ_SEARCH)) != 0)
		log_warn("cannot limit capabilities: %s", strerror(errno));
}

/* Wire the translator to the running state and the tun. */
static void init_translator(struct daemon *d, int ready_fd)
{
	d->scratch = malloc(PKT_BUF_SIZE);
	if (!d->scratch)
		startup_failed(ready_fd, "tayga: out of memory");
	d->ctx.cfg = &d->xcfg;
	d->ctx.stats = &d->stats.xlat;
	d->ctx.icmp_rl = &d->rl;
	d->ctx.emit = emit;
	d->ctx.emit_arg = d;
	d->ctx.log = log_event;
	d->ctx.scratch = d->scratch;
	d->ctx.ip4_id = random_id();
	d->ctx.now = time(NULL);
	d->ctx.now_ms = mono_ms();
	apply_state(d);
	d->last_stats = d->last_usage = time(NULL);
	/* the first new mapping is written at once; later ones are batched */
	d->last_save_ms = mono_ms() - SAVE_BATCH_MS;
}

/* Tell the waiting parent (without -n) that start-up succeeded. */
static void report_started(struct daemon *d, int ready_fd)
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

static void shutdown_daemon(struct daemon *d)
{
	save_pool(d);
	/* with privilege separation the parent removes it */
	if (d->o.pidfile && d->ps_sock < 0)
		unlink(d->o.pidfile);
	if (d->ps_sock >= 0)
		close(d->ps_sock);
	tun_close(&d->tun);
	state_free(&d->st);
	free(d->scratch);
	log_info("exiting");
}

int main(int argc, char **argv)
{
	static struct daemon dm;
	struct daemon *d = &dm;
	char err[1024];
	struct config *c;
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	int ready_fd = -1, status;

	sandbox_close_fds();
	d->ps_sock = -1;
	if (parse_args(argc, argv, &d->o) != 0)
		return 1;
	log_init(d->o.log_set ? d->o.log : LOG_TO_STDERR, d->o.debug);
	if (!realpath(d->o.config, d->conf_path)) {
		fprintf(stderr, "%s: %s\n", d->o.config, strerror(errno));
		return 1;
	}
	c = conf_load(d->conf_path, err, sizeof(err));
	if (!c || !conf_check_paths(c, d->o.chroot ? CONF_PATHS_CHROOT : 0, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return 1;
	}
	log_conf_warnings(c);
	status = oneshot(d, c);
	if (status < 0 && check_identity(d, c, &pw, &gr) != 0)
		status = 1;
	if (status < 0)
		status = background(d, &ready_fd);
	if (status >= 0) {
		/* done, or the forking parent: the daemon owns everything */
		conf_free(c);
		return status;
	}
	setup_signals(ready_fd);
	open_everything(d, c, ready_fd);
	if (pw || gr || d->o.chroot) {
		separate(d, ready_fd);
		drop_privileges(d, pw, gr, ready_fd);
	} else {
		limit_root();
	}
	load_dynmap(d);
	init_translator(d, ready_fd);
	report_started(d, ready_fd);
	status = run(d);
	shutdown_daemon(d);
	return status;
}
