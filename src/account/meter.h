/* meter.h - usage accounting and byte rate limits around the translator.
 *
 * The meter wraps the translator from outside: the caller hands each packet
 * to meter_packet(), which calls xlat_packet(); the translator's output
 * goes through the meter (meter_attach), which charges every packet where
 * it belongs: an IPv6 packet to its destination's prefix (4->6
 * translations, hairpins, errors and echo replies we send to IPv6 hosts),
 * an IPv4 packet to the IPv6 source of the packet being translated (6->4).
 * Over budget it is refused with reason rate_limit (the translator counts
 * the drop) instead of written; otherwise it is counted in the usage table.
 * An IPv4 packet the verdict drops because its destination maps to no IPv6
 * address is counted under its IPv4 source prefix.
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
	xlat_emit_fn out;           /* where admitted packets go (meter_attach) */
	void *out_arg;
	struct {                    /* the packet meter_packet is translating */
		bool from6;         /* IPv6 with a whole header */
		struct in6_addr src6;
		uint64_t now_ms;
	} in;
};

/* From a config: *out is NULL when both features are off. -1 when out of
 * memory. */
int meter_new(const struct config *c, uint64_t now_ms, struct meter **out);
void meter_free(struct meter *m);
/* SIGHUP: counts and bucket levels carry over into the new meter. */
void meter_migrate(struct meter *to, const struct meter *from);

/* Send x's output through m to out(out_arg); m NULL: straight to out.
 * Once per meter installed (start, reload), not per packet. */
void meter_attach(struct meter *m, struct xlat_ctx *x, xlat_emit_fn out, void *out_arg);
/* Translate p (xlat_packet) and account for it; m NULL: xlat_packet alone.
 * x's output must have been attached to m. */
struct xlat_result meter_packet(struct meter *m, struct xlat_ctx *x, struct pkt *p);

/* Usage lines since the last report (none without usage-stats). */
void meter_report(struct meter *m, void (*line)(void *arg, const char *msg), void *arg);
/* Usage series for the stats-file (a stats_write_file_ext() extra). */
void meter_write_prom(const void *m, FILE *f);

#endif
