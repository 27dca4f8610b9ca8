/* usage.h - per-prefix usage accounting (`usage-stats yes`).
 *
 * Packets and bytes per IPv6 client prefix (usage-prefix-len, default /32)
 * for each direction, and per IPv4 source prefix (default /24) for IPv4
 * packets that map to no IPv6 address. Two bounded tables (ptable.h) with a
 * budget each, so IPv4 scan sources never take an IPv6 client's slot. A
 * prefix that finds no slot takes the least recently used one of its table
 * whose counts have all been reported (usage_report()) and that the
 * stats-file does not show as a top prefix; the counts of that slot move to
 * "other", as do those of a prefix that still finds none. Pure:
 * no I/O except the FILE the caller hands to usage_write_prom().
 */
#ifndef TAYGA_USAGE_H
#define TAYGA_USAGE_H

#include <netinet/in.h>
#include <stdbool.h>
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

/* One family's prefixes and their counters, indexed by slot. */
struct usage_tab {
	struct ptable t;
	struct usage_ctr *tot;       /* since the prefix took the slot */
	struct usage_ctr *logged;    /* as of the last usage_report() */
	uint64_t *seen;              /* usage clock at the slot's last packet */
	unsigned plen;
};

/* The prefixes the stats-file labelled at its last write (usage_prom.c).
 * Each series counts from `base` on; a prefix that enters the top brings
 * its counts so far along unless "other" would then go down, so every
 * series stays a counter. */
struct usage_label {
	struct pkey key;
	size_t g;                    /* slot: the IPv6 table, then the IPv4 one */
	struct usage_ctr base;       /* counts left in "other" */
	bool added;                  /* entered the top at this write */
};

struct usage_labels {
	struct usage_label *l;
	size_t n;
	uint32_t *at;                /* per slot g: 1 + its index in l, 0: none */
	struct usage_ctr other;      /* "other" as last written */
};

struct usage {
	struct usage_tab six;        /* IPv6 client prefixes */
	struct usage_tab four;       /* IPv4 sources of unmapped packets */
	struct usage_ctr other, other_logged; /* no slot, and reclaimed slots */
	uint64_t overflow;           /* packets counted under other for want of a slot */
	uint64_t reclaimed;          /* slots handed from an idle prefix to another */
	uint64_t clock;              /* packets counted: the LRU order */
	struct usage_labels *labels; /* the stats-file's state (written through
				      * a const usage) */
};

const char *usage_dir_name(enum usage_dir d);

/* Each table has `entries` slots (rounded up to a power of two). NULL when
 * out of memory. */
struct usage *usage_new(size_t entries, unsigned plen6, unsigned plen4);
void usage_free(struct usage *u);

void usage_add6(struct usage *u, const struct in6_addr *a, enum usage_dir d, uint64_t bytes);
void usage_add4(struct usage *u, const struct in_addr *a, enum usage_dir d, uint64_t bytes);

/* One line per prefix with traffic since the last report (counts since
 * then), then "other" when it grew; line() gets each without a newline.
 * Reported slots may be reclaimed afterwards. */
void usage_report(struct usage *u, void (*line)(void *arg, const char *msg), void *arg);

/* Prometheus series for the `top` prefixes with the most bytes (all
 * directions together, both tables), each counted since it entered the
 * top, "other" with everything else (so the series sum to all that was
 * counted, and none goes down) and the table gauges. */
void usage_write_prom(const struct usage *u, FILE *f, unsigned top);

/* Carry the counts of an old table into a new one (SIGHUP). A prefix is
 * folded to the new length when that is not longer; otherwise it moves to
 * "other". */
void usage_migrate(struct usage *to, const struct usage *from);

/* For usage_report.c and usage_prom.c: total bytes of a counter; add one
 * to another. */
uint64_t usage_bytes(const struct usage_ctr *c);
void usage_ctr_add(struct usage_ctr *to, const struct usage_ctr *from);

#endif
