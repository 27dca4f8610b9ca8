/* loop.c - the event loop: drain the tun through the translator, act on
 * signals, periodic work (dynamic.map, statistics). */
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
#include "daemon/wstats.h"

/* The pool gauges (the stats-file's; with workers, each worker's slice) */
static void gauges(struct daemon *d, time_t now)
{
	size_t size;

	d->stats.xlat.dyn_active = pool_count(d->st.pool);
	d->stats.pool_dormant = pool_dormant(d->st.pool, now, &size);
	d->stats.pool_size = size;
}

/* The counters to show: this process's, or with workers the sum over all
 * of them (worker 0 shows it) and per[w] each one's share. */
static void shown_stats(struct daemon *d, struct stats *out, struct tun_counters *tun,
			struct worker_stats *per)
{
	gauges(d, time(NULL));
	*out = d->stats;
	if (!d->wstats)
		return;
	wstats_publish(d->wstats, d->worker, &d->stats);
	wstats_sum(d->wstats, out, tun, per);
	out->workers = per;
	out->nworkers = wstats_count(d->wstats);
}

static void log_stats(const struct stats *s)
{
	const struct xlat_counters *x = &s->xlat;
	log_info("stats: 4to6 %llu packets %llu bytes, 6to4 %llu packets %llu bytes, "
		 "icmp4 sent %llu, icmp6 sent %llu, rate-limited %llu, echo replies %llu, dynamic %zu (created %llu), "
		 "udp coalesced %llu, tun reads %llu (%llu packets), tun writes %llu, rx holds %llu, "
		 "rx busy polls %llu (%llu us), dropped %llu",
		 (unsigned long long)x->pkts[DIR_4TO6], (unsigned long long)x->bytes[DIR_4TO6],
		 (unsigned long long)x->pkts[DIR_6TO4], (unsigned long long)x->bytes[DIR_6TO4],
		 (unsigned long long)x->icmp4_sent, (unsigned long long)x->icmp6_sent,
		 (unsigned long long)x->icmp_ratelimited,
		 (unsigned long long)x->echo_replies, (size_t)x->dyn_active,
		 (unsigned long long)x->dyn_created, (unsigned long long)s->tun->udp_coalesced,
		 (unsigned long long)s->tun->read_calls, (unsigned long long)s->tun->read_pkts,
		 (unsigned long long)s->tun->write_calls, (unsigned long long)s->rx.holds,
		 (unsigned long long)s->rx.busy_polls, (unsigned long long)s->rx.busy_poll_us,
		 (unsigned long long)drops_total(x));
	for (int r = 0; r < DROP_MAX; r++)
		if (x->drops[r])
			log_info("stats: dropped %s: %llu", drop_reason_name((enum drop_reason)r),
				 (unsigned long long)x->drops[r]);
}

/* Translate everything waiting on the tun (at most DRAIN_MAX packets, so
 * signals and housekeeping are not starved), then flush what the backend
 * held back: nothing waits past a drain. Under a steady flow of small
 * batches it first waits rx-hold-usecs (rxhold.h), so the packets of that
 * time share this wake-up. */
static void drain(struct daemon *d)
{
	uint64_t now_us = mono_us();
	unsigned hold = rxhold_delay(&d->rxh, d->st.conf->rx_hold_us, now_us);
	size_t bytes = 0;
	int i = 0;   /* packets read */

	if (hold) {
		struct timespec ts = { 0, (long)hold * 1000 };
		nanosleep(&ts, NULL);   /* a signal ends it early: fine */
		d->stats.rx.holds++;
		now_us = mono_us();
	}
	d->ctx.now = time(NULL);
	d->ctx.now_ms = now_us / 1000;
	while (i < DRAIN_MAX) {
		struct pkt p[TUN_BATCH_MAX];
		bool drained;
		int r = tun_read_batch(&d->tun, p, &drained);
		if (r < 0) {
			log_err("tun read: %s", strerror(errno));
			break;
		}
		for (int k = 0; k < r; k++) {
			bytes += p[k].len;
			meter_packet(d->st.meter, &d->ctx, &p[k]);
		}
		i += r;
		if (drained || r == 0)
			break;
	}
	tun_flush(&d->tun);
	rxhold_drained(&d->rxh, mono_us(), (unsigned)i, bytes);
}

/* SIGUSR1: the counters (with workers: worker 0 the sum and each worker's
 * packets), and the usage of this process's clients (each client network
 * is one worker's, so the workers' lines together are complete). */
static void sigusr1(struct daemon *d)
{
	struct worker_stats per[STEER_MAX_WORKERS];
	struct tun_counters tun;
	struct stats s;

	shown_stats(d, &s, &tun, per);
	if (d->worker == 0)
		log_stats(&s);
	for (unsigned w = 0; d->worker == 0 && w < wstats_count(d->wstats); w++)
		log_info("stats: worker %u: 4to6 %llu packets, 6to4 %llu packets", w,
			 (unsigned long long)per[w].pkts[DIR_4TO6], (unsigned long long)per[w].pkts[DIR_6TO4]);
	meter_report(d->st.meter, log_line, NULL);
}

/* Act on the signals the handler queued. Returns true when one asks us to
 * exit. */
static bool handle_signals(struct daemon *d)
{
	unsigned char sigs[16];
	ssize_t k = read(signal_fd(), sigs, sizeof(sigs));
	bool stop = false;

	for (ssize_t i = 0; i < k; i++) {
		switch (sigs[i]) {
		case SIGHUP: reload(d); break;
		case SIGUSR1:
			sigusr1(d);
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
	if (d->wstats && mono_ms() - d->last_publish_ms >= PUBLISH_MS) {
		gauges(d, now);
		wstats_publish(d->wstats, d->worker, &d->stats);
		d->last_publish_ms = mono_ms();
	}
	/* with workers, worker 0 writes the sum */
	if (d->st.conf->stats_file && d->worker == 0 &&
	    now - d->last_stats >= (time_t)d->st.conf->stats_interval) {
		static struct worker_stats per[STEER_MAX_WORKERS];
		struct tun_counters tun;
		struct stats s;
		d->stats.interval = d->st.conf->stats_interval;
		d->stats.written = now;
		shown_stats(d, &s, &tun, per);
		if (stats_write_file_ext(&s, d->st.conf->stats_file, meter_write_prom,
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

/* One poll() of the tun (or its ring), the signals and the parent. */
static int poll_once(struct daemon *d, struct pollfd pfd[3], int timeout_ms)
{
	pfd[0].fd = tun_wait_fd(&d->tun); /* the ring while a multishot read is armed */
	return poll(pfd, 3, timeout_ms);
}

/* Wait for the tun, a signal or the parent (at most a second, for the
 * housekeeping). While bulk flows densely it first polls without
 * sleeping, up to rx-busy-poll-usecs (rxhold.h). poll()'s result. */
static int wait_events(struct daemon *d, struct pollfd pfd[3])
{
	unsigned spin = rxhold_busy_poll(&d->rxh, d->busy_poll_us);
	int n = 0;

	if (spin) {
		uint64_t start = mono_us(), now;
		do {
			n = poll_once(d, pfd, 0);
			now = mono_us();
		} while (n == 0 && now - start < spin);
		d->stats.rx.busy_polls++;
		d->stats.rx.busy_poll_us += now - start;
		rxhold_polled(&d->rxh, now, n > 0 && (pfd[0].revents & POLLIN));
	}
	return n != 0 ? n : poll_once(d, pfd, 1000);
}

/* The event loop. Returns the exit status: 0 after a signal to stop, 1
 * when the tun device went away under us. */
int run(struct daemon *d)
{
	struct pollfd pfd[3] = {
		{ .fd = d->tun.fd, .events = POLLIN },
		{ .fd = signal_fd(), .events = POLLIN },
		{ .fd = d->ps_sock, .events = POLLIN },
	};

	for (;;) {
		int n;

		n = wait_events(d, pfd);

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
