/* usage.h - per-prefix usage accounting (`usage-stats yes`).
 *
 * Packets and bytes per IPv6 prefix (usage-prefix-len, default /32) for
 * each direction, and per IPv4 source prefix (default /24) for IPv4
 * packets that map to no IPv6 address. A bounded table (ptable.h):
 * prefixes that find no slot are summed under "other", and the number of
 * such packets is counted. Pure: no I/O except the FILE the caller hands to
 * usage_write_prom().
 */
#ifndef TAYGA_USAGE_H
#define TAYGA_USAGE_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/ptable.h"

enum usage_dir {
	USAGE_6TO4 = 0,    /* written to IPv4, charged to the IPv6 source */
	USAGE_4TO6,        /* written to IPv6, charged to the IPv6 destination */
	USAGE_LIMITED,     /* dropped by rate-limit, charged like the above */
	USAGE_UNMAPPED,    /* IPv4 packets that map to no IPv6 address */
	USAGE_DIRS
};

struct usage_ctr {
	uint64_t pkts[USAGE_DIRS];
	uint64_t bytes[USAGE_DIRS];
};

struct usage {
	struct ptable t;
	struct usage_ctr *tot;       /* per slot, since start */
	struct usage_ctr *logged;    /* per slot, as of the last usage_report() */
	struct usage_ctr other, other_logged;
	uint64_t overflow;           /* packets counted under other */
	unsigned plen6, plen4;
};

const char *usage_dir_name(enum usage_dir d);

/* NULL when out of memory. */
struct usage *usage_new(size_t entries, unsigned plen6, unsigned plen4);
void usage_free(struct usage *u);

void usage_add6(struct usage *u, const struct in6_addr *a, enum usage_dir d, uint64_t bytes);
void usage_add4(struct usage *u, const struct in_addr *a, enum usage_dir d, uint64_t bytes);

/* One line per prefix with traffic since the last report (counts since
 * then), then "other" when it grew; line() gets each without a newline. */
void usage_report(struct usage *u, void (*line)(void *arg, const char *msg), void *arg);

/* Prometheus series for the `top` prefixes with the most bytes (all
 * directions together), "other" and the table gauges. */
void usage_write_prom(const struct usage *u, FILE *f, unsigned top);

/* Carry the counts of an old table into a new one (SIGHUP). A prefix is
 * folded to the new length when that is not longer; otherwise it moves to
 * "other". */
void usage_migrate(struct usage *to, const struct usage *from);

#endif
