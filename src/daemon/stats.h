/* stats.h - the daemon's counters and their Prometheus text exposition.
 * One struct owned by the event loop, passed by pointer. */
#ifndef TAYGA_STATS_H
#define TAYGA_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/counters.h"
#include "io/tun.h"

/* One translator process's share (`workers N`): its packets and how full
 * its slice of the dynamic pool is. */
struct worker_stats {
	uint64_t pkts[DIR_MAX];
	uint64_t dyn_active, pool_size, pool_dormant;
};

/* What the event loop's read policies did (daemon/rxhold.h) */
struct rx_counters {
	uint64_t holds;                /* drains that waited rx-hold-usecs first */
	uint64_t busy_polls;           /* busy polls before sleeping (rx-busy-poll-usecs) */
	uint64_t busy_poll_us;         /* microseconds spent in them */
};

/* The translator's counters plus the tun's; the exporter reads both. */
struct stats {
	struct xlat_counters xlat;     /* incremented by the translator */
	const struct tun_counters *tun; /* the tun's own (io/tun.h) */
	/* gauges the loop sets before each stats-file write */
	uint64_t pool_size;            /* addresses the dynamic pool can map */
	uint64_t pool_dormant;         /* live mappings idle long enough to be reused */
	unsigned interval;             /* stats-interval, seconds */
	int64_t written;               /* unix time of this write */
	struct rx_counters rx;
	/* SIGHUP reloads (stats_reload()) */
	uint64_t reloads_ok, reloads_failed;
	int64_t last_reload;           /* unix time of the last one, 0 = none yet */
	bool last_reload_failed;
	/* `workers N`: each worker's share (NULL: one translator, the totals) */
	const struct worker_stats *workers;
	unsigned nworkers;
};

/* A reload was applied (ok) or refused, at unix time now. */
void stats_reload(struct stats *s, bool ok, int64_t now);

/* Prometheus text exposition format */
void stats_write_prom(const struct stats *s, FILE *f);
/* Write to path atomically (temp + rename). 0 or -1. */
int stats_write_file(const struct stats *s, const char *path);
/* Same, with more series appended by extra(arg, f) (may be NULL). */
int stats_write_file_ext(const struct stats *s, const char *path,
			 void (*extra)(const void *arg, FILE *f), const void *arg);

#endif
