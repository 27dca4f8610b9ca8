/* wstats.h - `workers N`: each worker's counters, copied now and then into
 * a page the parent mapped shared before forking, so that one worker can
 * write the sum (stats-file, SIGUSR1) and the per-worker series. A copy
 * per housekeeping pass, never on the packet path: the workers share no
 * memory while translating. A restarted worker starts from its slot, so
 * the sums never go backwards. */
#ifndef TAYGA_WSTATS_H
#define TAYGA_WSTATS_H

#include <stdint.h>

#include "core/counters.h"
#include "daemon/stats.h"
#include "io/tun.h"

struct wstats;

/* The parent, before forking: n slots. NULL when out of memory. */
struct wstats *wstats_new(unsigned n);
/* Worker w: copy its counters and pool gauges in (a sequence count makes
 * readers retry a torn copy). */
void wstats_publish(struct wstats *ws, unsigned w, const struct stats *s);
/* Worker w's last copy (what a restarted worker continues from): its
 * translator and rx counters into st, its tun counters into t. */
void wstats_read(const struct wstats *ws, unsigned w, struct stats *st, struct tun_counters *t);
/* out = the sum over all workers (counters, pool gauges; out->tun = tun,
 * filled), the rest of out as it was; per[w] = worker w's packets and pool
 * slice (per may be NULL). */
void wstats_sum(const struct wstats *ws, struct stats *out, struct tun_counters *tun,
		struct worker_stats *per);
unsigned wstats_count(const struct wstats *ws);

#endif
