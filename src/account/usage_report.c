/* usage_report.c - the usage counters as log lines (usage-interval,
 * SIGUSR1) and as Prometheus series (stats-file, usage-top). */
#include "account/usage.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const dir_names[USAGE_DIRS] = {
	[USAGE_6TO4] = "6to4",
	[USAGE_4TO6] = "4to6",
	[USAGE_LIMITED] = "ratelimited",
	[USAGE_UNMAPPED] = "unmapped",
};

const char *usage_dir_name(enum usage_dir d)
{
	return (unsigned)d < USAGE_DIRS ? dir_names[d] : "?";
}

/* "6to4 3 packets 240 bytes, 4to6 ..." for the directions that changed;
 * false when none did. */
static bool delta_text(const struct usage_ctr *now, const struct usage_ctr *then,
		       char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int d = 0; d < USAGE_DIRS; d++) {
		uint64_t p = now->pkts[d] - then->pkts[d], b = now->bytes[d] - then->bytes[d];
		int w;
		if (!p)
			continue;
		w = snprintf(buf + n, len - n, "%s%s %" PRIu64 " packets %" PRIu64 " bytes",
			     n ? ", " : "", dir_names[d], p, b);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return n > 0;
}

static void report_tab(struct usage_tab *tb, void (*line)(void *arg, const char *msg), void *arg)
{
	char txt[256], msg[320], ps[PKEY_STRLEN];

	for (size_t s = 0; s < tb->t.cap; s++) {
		if (!tb->t.keys[s].family || !delta_text(&tb->tot[s], &tb->logged[s], txt, sizeof(txt)))
			continue;
		snprintf(msg, sizeof(msg), "usage: %s %s", pkey_str(&tb->t.keys[s], ps), txt);
		line(arg, msg);
		tb->logged[s] = tb->tot[s];
	}
}

void usage_report(struct usage *u, void (*line)(void *arg, const char *msg), void *arg)
{
	char txt[256], msg[320];

	report_tab(&u->six, line, arg);
	report_tab(&u->four, line, arg);
	if (delta_text(&u->other, &u->other_logged, txt, sizeof(txt))) {
		snprintf(msg, sizeof(msg), "usage: other (table of %zu full) %s", u->six.t.cap, txt);
		line(arg, msg);
		u->other_logged = u->other;
	}
}

/* Slot g of both tables in a row: IPv6 first, then IPv4. */
static const struct usage_tab *tab_of(const struct usage *u, size_t *g)
{
	if (*g < u->six.t.cap)
		return &u->six;
	*g -= u->six.t.cap;
	return &u->four;
}

static uint64_t slot_bytes(const struct usage *u, size_t g)
{
	const struct usage_tab *tb = tab_of(u, &g);

	return tb->t.keys[g].family ? usage_bytes(&tb->tot[g]) : 0;
}

static void prom_ctr(FILE *f, bool bytes, const char *prefix, const struct usage_ctr *c)
{
	for (int d = 0; d < USAGE_DIRS; d++)
		if (c->pkts[d])
			fprintf(f, "tayga_usage_%s_total{prefix=\"%s\",dir=\"%s\"} %" PRIu64 "\n",
				bytes ? "bytes" : "packets", prefix, dir_names[d],
				bytes ? c->bytes[d] : c->pkts[d]);
}

/* Indices (of both tables in a row) of the `top` used slots with the most
 * bytes, best first (a bounded insertion sort: top is small, the tables
 * are walked once). */
static size_t pick_top(const struct usage *u, size_t *idx, size_t top)
{
	size_t n = 0, all = u->six.t.cap + u->four.t.cap;

	for (size_t g = 0; g < all; g++) {
		size_t s = g, i;
		const struct usage_tab *tb = tab_of(u, &s);
		uint64_t b;
		if (!tb->t.keys[s].family)
			continue;
		b = usage_bytes(&tb->tot[s]);
		if (n == top && (top == 0 || b <= slot_bytes(u, idx[n - 1])))
			continue;
		i = n < top ? n++ : n - 1;
		for (; i > 0 && slot_bytes(u, idx[i - 1]) < b; i--)
			idx[i] = idx[i - 1];
		idx[i] = g;
	}
	return n;
}

/* "other": everything counted that is not in the top n (overflow, reclaimed
 * slots, and every prefix outside the top), so the series add up. */
static void sum_other(const struct usage *u, const size_t *idx, size_t n, struct usage_ctr *o)
{
	size_t all = u->six.t.cap + u->four.t.cap;

	*o = u->other;
	for (size_t g = 0; g < all; g++) {
		size_t s = g;
		const struct usage_tab *tb = tab_of(u, &s);
		if (tb->t.keys[s].family)
			usage_ctr_add(o, &tb->tot[s]);
	}
	for (size_t i = 0; i < n; i++) {
		size_t s = idx[i];
		const struct usage_tab *tb = tab_of(u, &s);
		for (int d = 0; d < USAGE_DIRS; d++) {
			o->pkts[d] -= tb->tot[s].pkts[d];
			o->bytes[d] -= tb->tot[s].bytes[d];
		}
	}
}

void usage_write_prom(const struct usage *u, FILE *f, unsigned top)
{
	char ps[PKEY_STRLEN];
	size_t *idx = top ? calloc(top, sizeof(*idx)) : NULL;
	size_t n = idx ? pick_top(u, idx, top) : 0;
	struct usage_ctr other;

	sum_other(u, idx, n, &other);
	/* each metric's series together, as the exposition format asks */
	for (int b = 0; b < 2; b++) {
		const char *m = b ? "bytes" : "packets";
		fprintf(f, "# HELP tayga_usage_%s_total %s per client prefix (top %u by bytes, "
			   "then other: all the rest).\n"
			   "# TYPE tayga_usage_%s_total counter\n", m, b ? "Bytes" : "Packets", top, m);
		for (size_t i = 0; i < n; i++) {
			size_t s = idx[i];
			const struct usage_tab *tb = tab_of(u, &s);
			prom_ctr(f, b, pkey_str(&tb->t.keys[s], ps), &tb->tot[s]);
		}
		prom_ctr(f, b, "other", &other);
	}
	fprintf(f, "# TYPE tayga_usage_prefixes gauge\ntayga_usage_prefixes %zu\n"
		   "# TYPE tayga_usage_table_size gauge\ntayga_usage_table_size %zu\n"
		   "# TYPE tayga_usage_overflow_packets_total counter\n"
		   "tayga_usage_overflow_packets_total %" PRIu64 "\n"
		   "# HELP tayga_usage_reclaimed_total Usage table slots handed from an idle, "
		   "reported prefix to a new one.\n"
		   "# TYPE tayga_usage_reclaimed_total counter\n"
		   "tayga_usage_reclaimed_total %" PRIu64 "\n",
		u->six.t.used + u->four.t.used, u->six.t.cap + u->four.t.cap, u->overflow,
		u->reclaimed);
	free(idx);
}
