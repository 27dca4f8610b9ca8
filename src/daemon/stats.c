/* stats.c - the Prometheus text exposition of the daemon's counters (the drop
 * reason names come from core/counters.h). */
#include "daemon/stats.h"
#include "lib/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a metric with one sample and no labels */
static void prom_one(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	prom_head(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void prom_dir(FILE *f, const char *name, const char *help, const uint64_t v[DIR_MAX])
{
	prom_head(f, name, "counter", help);
	fprintf(f, "%s{dir=\"4to6\"} %" PRIu64 "\n", name, v[DIR_4TO6]);
	fprintf(f, "%s{dir=\"6to4\"} %" PRIu64 "\n", name, v[DIR_6TO4]);
}

void stats_reload(struct stats *s, bool ok, int64_t now)
{
	if (ok)
		s->reloads_ok++;
	else
		s->reloads_failed++;
	s->last_reload = now;
	s->last_reload_failed = !ok;
}

/* Each translator's slice of the dynamic pool (`workers N`: a slice can
 * run full while the whole pool is not; one translator: the totals), so
 * the pool alerts look at the fullest slice. */
static void worker_pool(const struct stats *s, FILE *f)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} g[] = {
		{ "tayga_worker_dynamic_mappings", "Live dynamic mappings, per translator process.",
		  offsetof(struct worker_stats, dyn_active) },
		{ "tayga_worker_dynamic_mappings_dormant",
		  "Dormant dynamic mappings (reused when the slice is full), per translator process.",
		  offsetof(struct worker_stats, pool_dormant) },
		{ "tayga_worker_dynamic_pool_addresses",
		  "Addresses of the dynamic pool this translator process maps from (its slice).",
		  offsetof(struct worker_stats, pool_size) },
	};
	struct worker_stats one = {
		.dyn_active = s->xlat.dyn_active, .pool_size = s->pool_size,
		.pool_dormant = s->pool_dormant,
	};
	const struct worker_stats *ws = s->workers ? s->workers : &one;
	unsigned n = s->workers ? s->nworkers : 1;

	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		prom_head(f, g[k].name, "gauge", g[k].help);
		for (unsigned w = 0; w < n; w++) {
			uint64_t v;
			memcpy(&v, (const char *)&ws[w] + g[k].off, sizeof(v));
			fprintf(f, "%s{worker=\"%u\"} %" PRIu64 "\n", g[k].name, w, v);
		}
	}
}

/* What alert rules need beyond the counters (contrib/prometheus): how full
 * the pool is, whether the last reload worked, and how fresh this file is. */
static void stats_write_daemon(const struct stats *s, FILE *f)
{
	prom_one(f, "tayga_dynamic_pool_addresses", "gauge",
		 "Addresses of the dynamic pool that mappings can use (0 without dynamic-pool).",
		 s->pool_size);
	prom_one(f, "tayga_dynamic_mappings_dormant", "gauge",
		 "Live dynamic mappings idle for 2 h 4 min or more, reused when the pool is full.",
		 s->pool_dormant);
	/* one series per translator process (`workers N`) */
	prom_head(f, "tayga_worker_packets_total", "counter",
		  "Packets translated, per translator process.");
	for (unsigned w = 0; w < (s->workers ? s->nworkers : 1); w++) {
		const uint64_t *p = s->workers ? s->workers[w].pkts : s->xlat.pkts;
		fprintf(f, "tayga_worker_packets_total{worker=\"%u\",dir=\"4to6\"} %" PRIu64 "\n", w,
			p[DIR_4TO6]);
		fprintf(f, "tayga_worker_packets_total{worker=\"%u\",dir=\"6to4\"} %" PRIu64 "\n", w,
			p[DIR_6TO4]);
	}
	worker_pool(s, f);
	prom_head(f, "tayga_reloads_total", "counter", "SIGHUP reloads, applied or failed.");
	fprintf(f, "tayga_reloads_total{result=\"ok\"} %" PRIu64 "\n", s->reloads_ok);
	fprintf(f, "tayga_reloads_total{result=\"failed\"} %" PRIu64 "\n", s->reloads_failed);
	prom_one(f, "tayga_last_reload_success", "gauge",
		 "0 when the last reload failed (the old configuration stays in use), else 1.",
		 !s->last_reload_failed);
	prom_one(f, "tayga_last_reload_timestamp_seconds", "gauge",
		 "Unix time of the last reload, applied or failed (0: none since the start).",
		 (uint64_t)(s->last_reload > 0 ? s->last_reload : 0));
	prom_one(f, "tayga_stats_interval_seconds", "gauge",
		 "stats-interval: seconds between two writes of this file.", s->interval);
	prom_one(f, "tayga_stats_timestamp_seconds", "gauge",
		 "Unix time this file was written (stale after 3 x stats-interval: the daemon is gone).",
		 (uint64_t)(s->written > 0 ? s->written : 0));
}

/* Prometheus text exposition format 0.0.4: HELP/TYPE lines, then samples. */
void stats_write_prom(const struct stats *s, FILE *f)
{
	static const struct tun_counters no_tun;
	const struct tun_counters *tun = s->tun ? s->tun : &no_tun; /* before the tun is open */

	prom_dir(f, "tayga_packets_total", "Packets translated (a GSO super-packet counts once).",
		 s->xlat.pkts);
	prom_dir(f, "tayga_bytes_total", "Bytes of translated packets as written.", s->xlat.bytes);
	prom_dir(f, "tayga_segments_total", "Segments translated (GSO counted per segment).",
		 s->xlat.segs);

	prom_head(f, "tayga_drops_total", "counter", "Packets dropped, by reason.");
	for (unsigned i = 0; i < DROP_MAX; i++)
		fprintf(f, "tayga_drops_total{reason=\"%s\"} %" PRIu64 "\n",
			drop_reason_name((enum drop_reason)i), s->xlat.drops[i]);

	prom_head(f, "tayga_icmp_errors_sent_total", "counter",
		  "ICMP errors generated by the translator.");
	fprintf(f, "tayga_icmp_errors_sent_total{family=\"4\"} %" PRIu64 "\n", s->xlat.icmp4_sent);
	fprintf(f, "tayga_icmp_errors_sent_total{family=\"6\"} %" PRIu64 "\n", s->xlat.icmp6_sent);
	prom_one(f, "tayga_icmp_errors_ratelimited_total", "counter",
		 "ICMP errors not sent because of the rate limit (icmp-ratelimit).",
		 s->xlat.icmp_ratelimited);

	prom_one(f, "tayga_echo_replies_total", "counter",
		 "Echo requests to the translator's own addresses answered.", s->xlat.echo_replies);
	prom_one(f, "tayga_udp_coalesced_total", "counter",
		 "UDP datagrams written to the tun merged into USO super-packets.", tun->udp_coalesced);
	prom_one(f, "tayga_rx_holds_total", "counter",
		 "Reads of the tun that waited rx-hold-usecs first (a steady stream of small batches).",
		 s->rx.holds);
	prom_one(f, "tayga_rx_busy_polls_total", "counter",
		 "Times the loop polled the tun before sleeping (rx-busy-poll-usecs; dense bulk traffic).",
		 s->rx.busy_polls);
	prom_head(f, "tayga_rx_busy_poll_seconds_total", "counter",
		  "CPU time spent in those polls, seconds.");
	fprintf(f, "tayga_rx_busy_poll_seconds_total %" PRIu64 ".%06" PRIu64 "\n",
		s->rx.busy_poll_us / 1000000, s->rx.busy_poll_us % 1000000);
	prom_one(f, "tayga_tun_read_calls_total", "counter",
		 "System calls that read from the tun (one io_uring batch counts once).",
		 tun->read_calls);
	prom_one(f, "tayga_tun_read_packets_total", "counter", "Packets read from the tun.",
		 tun->read_pkts);
	prom_one(f, "tayga_tun_write_calls_total", "counter", "Writes to the tun.", tun->write_calls);
	prom_one(f, "tayga_dynamic_mappings_created_total", "counter",
		 "Dynamic pool mappings created.", s->xlat.dyn_created);
	prom_one(f, "tayga_dynamic_mappings", "gauge", "Live dynamic pool mappings.", s->xlat.dyn_active);
	stats_write_daemon(s, f);
}

/* Readers (node_exporter's textfile collector, scripts) must never see a
 * half-written file: write a temp file next to it, sync, then rename. */
int stats_write_file(const struct stats *s, const char *path)
{
	return stats_write_file_ext(s, path, NULL, NULL);
}

struct prom_job {
	const struct stats *s;
	void (*extra)(const void *arg, FILE *f);
	const void *arg;
};

static int prom_fill(void *arg, FILE *f)
{
	const struct prom_job *j = arg;

	stats_write_prom(j->s, f);
	if (j->extra)
		j->extra(j->arg, f);
	return ferror(f) ? -1 : 0;
}

int stats_write_file_ext(const struct stats *s, const char *path,
			 void (*extra)(const void *arg, FILE *f), const void *arg)
{
	struct prom_job j = { s, extra, arg };

	return atomic_file_write(path, 0644, prom_fill, &j);
}
