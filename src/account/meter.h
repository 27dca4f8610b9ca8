/* meter.h - usage accounting and byte rate limits around the translator.
 *
 * xlat_packet() hands each packet to meter_packet() when the context has a
 * meter. Every packet the translation emits is charged where it belongs:
 * an IPv6 packet to its destination's prefix (4->6 translations, hairpins,
 * errors and echo replies we send to IPv6 hosts), an IPv4 packet to the
 * IPv6 source of the packet being translated (6->4). Over budget it is
 * dropped (reason rate_limit) instead of written; otherwise it is counted
 * in the usage table. An IPv4 packet dropped because its destination maps
 * to no IPv6 address is counted under its IPv4 source prefix.
 */
#ifndef TAYGA_METER_H
#define TAYGA_METER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "account/bucket.h"
#include "config/model.h"
#include "account/usage.h"
#include "core/xlat.h"

struct meter {
	struct usage *usage;        /* NULL with usage-stats no */
	struct buckets *buckets;    /* NULL without rate-limit(-total) */
	unsigned top;               /* usage-top: prefixes in the stats-file */
};

/* From a config: *out is NULL when both features are off. -1 when out of
 * memory. */
int meter_new(const struct config *c, uint64_t now_ms, struct meter **out);
void meter_free(struct meter *m);
/* SIGHUP: counts and bucket levels carry over into the new meter. */
void meter_migrate(struct meter *to, const struct meter *from);

enum xlat_verdict meter_packet(struct xlat_ctx *x, struct pkt *p,
			       enum xlat_verdict (*xlat)(struct xlat_ctx *, struct pkt *));

/* Usage lines since the last report (none without usage-stats). */
void meter_report(struct meter *m, void (*line)(void *arg, const char *msg), void *arg);
/* Usage series for the stats-file (a stats_write_file_ext() extra). */
void meter_write_prom(const void *m, FILE *f);

#endif
