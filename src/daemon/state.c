/* state.c - the running state: build it from a parsed configuration (map, pool,
 * meter), swap it in, reload it on SIGHUP (from the file, or from the privileged
 * parent), and save the dynamic pool. */
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

void report_dynmap(void *arg, const char *msg)
{
	(void)arg;
	log_warn("%s", msg);
}

void log_event(void *arg, unsigned ev, const char *msg)
{
	(void)arg;
	(void)ev;
	log_info("%s", msg);
}

void log_line(void *arg, const char *msg)
{
	(void)arg;
	log_info("%s", msg);
}

void state_free(struct state *s)
{
	meter_free(s->meter);
	pool_free(s->pool);
	map_free(s->map);
	conf_free(s->conf);
	memset(s, 0, sizeof(*s));
}

/* Build map + pool for a parsed config; dynamic.map path per data-dir. */
int state_build(struct state *s, struct config *c, bool chrooted, char *err, size_t errlen)
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

void apply_state(struct daemon *d)
{
	const struct config *c = d->st.conf;
	d->xcfg.conf = c;
	d->xcfg.map = d->st.map;
	d->xcfg.mtu = d->tun.mtu;
	d->ctx.pool = d->st.pool;
	/* the output goes through the meter when there is one */
	meter_attach(d->st.meter, &d->ctx, daemon_emit, d);
	ratelimit_init(&d->rl, c->icmp_rate, c->icmp_burst, d->ctx.now_ms);
	d->busy_poll_us = c->rx_busy_poll_us != NUM_AUTO ? c->rx_busy_poll_us :
			  rxhold_poll_pays(d->nworkers, d->ncpus) ? RX_BUSY_POLL_AUTO_US : 0;
}

void save_pool(struct daemon *d)
{
	if (!d->st.pool || !d->st.dynmap[0] || d->dynmap_partial)
		return;
	if (pool_save(d->st.pool, d->st.dynmap) != 0 && log_every_due(&d->save_warn, mono_ms(), WRITE_WARN_MS))
		log_err("cannot write %s: %s (%llu failures so far, logged at most once a minute)",
			d->st.dynmap, strerror(errno), d->save_warn.count);
	d->last_save_ms = mono_ms();
}

/* map-file lines that were not used (the map-file is a soft source) */
void log_conf_warnings(const struct config *c)
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

/* A reload that keeps the running configuration: say why, count it. */
static void reload_failed(struct daemon *d, const char *why)
{
	log_err("reload failed, keeping the running configuration: %s", why);
	stats_reload(&d->stats, false, time(NULL));
}

/* Swap in configuration c (validated, same parser as at start). With
 * privilege separation the parent applied the interface settings. */
static void reload_apply(struct daemon *d, struct config *c)
{
	char err[1024];
	struct state ns;

	if (!conf_check_paths(c, CONF_PATHS_RELOAD | (d->chrooted ? CONF_PATHS_IN_JAIL : 0), err,
			      sizeof(err))) {
		reload_failed(d, err);
		conf_free(c);
		return;
	}
	log_conf_warnings(c);
	if (strcmp(c->tun_device, d->st.conf->tun_device) != 0) {
		log_err("reload refused: tun-device changed from %s to %s (restart to change it)",
			d->st.conf->tun_device, c->tun_device);
		stats_reload(&d->stats, false, time(NULL));
		conf_free(c);
		return;
	}
	if (!workers_reload_ok(d, c, err, sizeof(err))) {
		log_err("reload refused: %s", err);
		conf_free(c);
		return;
	}
	if (mode_differs(c->offload, d->st.conf->offload, d->tun.offload) ||
	    mode_differs(c->io_uring, d->st.conf->io_uring, d->tun.batched))
		log_warn("reload: offload and io-uring changes take effect at the next restart");
	struct tun_ifcfg ic = tun_ifcfg_of(c);
	if (d->ps_sock < 0 && conf_iface_changed(d->st.conf, c) &&
	    tun_configure(d->tun.name, &ic, err, sizeof(err)) != 0)
		log_warn("reload: %s", err);
	if (state_build(&ns, c, d->chrooted, err, sizeof(err)) != 0) {
		reload_failed(d, err);
		state_free(&ns);
		return;
	}
	/* keep live dynamic mappings that are still valid in the new pool */
	pool_set_slice(ns.pool, &d->steer, d->worker);
	pool_migrate(ns.pool, d->st.pool);
	meter_migrate(ns.meter, d->st.meter);
	tun_refresh_mtu(&d->tun);
	state_free(&d->st);
	d->st = ns;
	apply_state(d);
	stats_reload(&d->stats, true, time(NULL));
	log_info("reloaded %s (%zu maps, %zu dynamic mappings kept)", d->conf_path,
		 c->nmaps, pool_count(d->st.pool));
}

/* SIGHUP. With privilege separation the parent reads the configuration:
 * ask it to. */
void reload(struct daemon *d)
{
	char err[1024];
	struct config *c;

	if (d->ps_sock >= 0) {
		if (privsep_request_reload(d->ps_sock) != 0)
			log_err("reload: cannot reach the privileged process: %s", strerror(errno));
		return;
	}
	log_info("SIGHUP: reloading %s", d->conf_path);
	c = conf_load(d->conf_path, err, sizeof(err));
	if (!c) {
		reload_failed(d, err);
		return;
	}
	reload_apply(d, c);
}

/* A configuration from the privileged parent. Returns false when the
 * parent is gone (time to exit). */
bool reload_from_parent(struct daemon *d)
{
	char err[1024];
	struct conf_text t;
	struct config *c;

	switch (privsep_recv_conf(d->ps_sock, &t)) {
	case 0:
		break;
	case 1:         /* the parent refused it (and logged why) */
		stats_reload(&d->stats, false, time(NULL));
		return true;
	default:
		log_err("the privileged process is gone (%s); exiting",
			errno == EPIPE ? "connection closed" : strerror(errno));
		return false;
	}
	c = conf_parse_text(&t, d->conf_path, err, sizeof(err));
	conf_text_free(&t);
	if (!c)
		reload_failed(d, err);
	else
		reload_apply(d, c);
	return true;
}
