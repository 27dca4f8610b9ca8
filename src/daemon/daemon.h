/* daemon.h - what the daemon's files share: the options, the running state
 * and the one struct daemon the lifecycle, the state swap and the event loop
 * work on. Nothing outside src/daemon/ includes this. */
#ifndef TAYGA_DAEMON_H
#define TAYGA_DAEMON_H

#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "daemon/rxhold.h"
#include "config/conf.h"
#include "config/conf_paths.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "state/map.h"
#include "account/meter.h"
#include "state/pool.h"
#include "daemon/privsep.h"
#include "daemon/sandbox.h"
#include "daemon/stats.h"
#include "io/tun.h"
#include "core/xlat.h"
#include "lib/steer.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* What the privileged parent keeps (-u/-g/-r, workers): netlink (tun-ip,
 * tun-route), reading root's files and checking the user's data-dir,
 * signalling its children */
#define PARENT_CAPS (SB_CAP_BIT(SB_CAP_NET_ADMIN) | SB_CAP_BIT(SB_CAP_DAC_OVERRIDE) | \
		     SB_CAP_BIT(SB_CAP_DAC_READ_SEARCH) | SB_CAP_BIT(SB_CAP_KILL))
#define DRAIN_MAX 1024        /* packets per wakeup before polling again */
#define WRITE_WARN_MS 60000   /* at most one line per minute about a failing write */
#define SAVE_BATCH_MS 1000      /* new mappings are written at most this often */
#define SAVE_PERIOD_MS 300000   /* and last-use times every 5 minutes */
#define PUBLISH_MS 200          /* workers: counters copied for the sum this often */
#define TMP_SWEEP_AGE 300       /* s: a temporary file this old is a dead writer's */

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
	struct rxhold rxh;          /* rx-hold-usecs, rx-busy-poll-usecs state (loop.c) */
	unsigned busy_poll_us;      /* rx-busy-poll-usecs, auto resolved (apply_state) */
	long ncpus;                 /* CPUs online at start (before a chroot hides them) */
	uint8_t *scratch;
	bool chrooted;
	bool dynmap_partial;         /* its load was cut short: never save over it */
	int ps_sock;                 /* privilege separation: to the parent; -1 without */
	pid_t ps_parent;             /* and the parent's pid */
	int data_fd;                 /* -u/-g/-r: data-dir, opened without following links; -1 */
	uid_t run_uid;               /* -u / -g: the runtime user and group, else -1 */
	gid_t run_gid;
	time_t last_stats;
	time_t last_usage;           /* last usage-interval report */
	uint64_t last_save_ms;
	struct log_every write_warn, save_warn, stats_warn; /* failing tun, dynamic.map, stats-file writes */
	/* `workers N` (workers.c): N, this translator's index, the steering
	 * fixed at start, and in the parent the queues and channels */
	unsigned nworkers, worker;
	struct steer_params steer;
	int *qfds, *wsock;
	struct wstats *wstats;       /* the workers' counters (shared page) */
	const struct passwd *pw;     /* -u / -g: for workers forked later */
	const struct group *gr;
	uint64_t respawn_window_ms, last_publish_ms;
	unsigned respawns;
};

/* signals.c */
int signal_fd(void);
/* 0, or -1 when the self-pipe cannot be made */
int setup_signals(void);
void signals_own_pipe(void);
bool stop_signalled(void);

/* lifecycle.c */
__attribute__((noreturn)) void startup_failed(int ready_fd, const char *msg);
void detach_stdio(void);
int oneshot(const struct daemon *d, const struct config *c);
int background(struct daemon *d, int *ready_fd);
void open_everything(struct daemon *d, struct config *c, int ready_fd);
void load_dynmap(struct daemon *d);
void init_translator(struct daemon *d, int ready_fd);
void report_started(struct daemon *d, int ready_fd);
void shutdown_daemon(struct daemon *d);
void print_usage(FILE *f);
int parse_args(int argc, char **argv, struct opts *o);
void report_dynmap(void *arg, const char *msg);
void log_event(void *arg, unsigned ev, const char *msg);
void log_line(void *arg, const char *msg);
void state_free(struct state *s);
int state_build(struct state *s, struct config *c, bool chrooted, char *err, size_t errlen);
void apply_state(struct daemon *d);
void save_pool(struct daemon *d);
void log_conf_warnings(const struct config *c);
void reload(struct daemon *d);
bool reload_from_parent(struct daemon *d);
int run(struct daemon *d);
int lookup_accounts(struct daemon *d, struct passwd **pw, struct group **gr);
struct config *load_config(struct daemon *d, char *err, size_t errlen);
int check_identity(struct daemon *d, const struct config *c);
void separate(struct daemon *d, int ready_fd);
void drop_privileges(struct daemon *d, const struct passwd *pw, const struct group *gr,
			    int ready_fd);
void limit_root(const struct config *c);

/* output.c */
void on_write_error(void *arg, int err);
struct xlat_result daemon_emit(void *arg, const struct pkt *p);

/* steering.c */
void workers_steer_params(const struct config *c, unsigned n, struct steer_params *s);
/* Returns 0, or -1 with msg filled. */
int workers_open_tun(struct daemon *d, const struct config *c, char *msg, size_t msglen);
bool workers_reload_ok(const struct daemon *d, const struct config *c, char *err, size_t errlen);

/* workers.c */
/* Fork worker w; returns its pid once it reported its start (its channel
 * in d->wsock[w]), or -1 with err. The child never returns. */
pid_t worker_spawn(struct daemon *d, struct config *c, unsigned w, char *err, size_t errlen);
int workers_run(struct daemon *d, struct config *c, int ready_fd);

#endif
