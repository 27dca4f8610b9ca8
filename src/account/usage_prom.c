/* usage_prom.c - the usage counters as Prometheus series for the
 * stats-file: the usage-top prefixes by bytes, and "other" with all the
 * rest, so the series add up to everything counted (issue 22 I).
 *
 * No series may go down (they are counters). A prefix that leaves the top
 * hands what its series showed to "other". One that enters it brings its
 * counts so far (all of them at the first write) unless "other" would then
 * be less than last time: then, direction by direction, newcomers leave
 * theirs in "other" (their `base`) and their series start at 0. */
#include "account/usage.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* The labels for this write (nl[0..n), slots idx): a prefix labelled last
 * time (same slot, same key: not handed over since) keeps its base, a new
 * one starts with base 0 (settle() may raise it). */
static void relabel(const struct usage *u, const size_t *idx, struct usage_label *nl, size_t n)
{
	struct usage_labels *lb = u->labels;

	for (size_t i = 0; i < n; i++) {
		size_t s = idx[i];
		const struct usage_tab *tb = tab_of(u, &s);
		uint32_t at = lb->at[idx[i]];
		nl[i].key = tb->t.keys[s];
		nl[i].g = idx[i];
		nl[i].added = !at || memcmp(&lb->l[at - 1].key, &nl[i].key, sizeof(nl[i].key));
		if (!nl[i].added)
			nl[i].base = lb->l[at - 1].base;
	}
	for (size_t i = 0; i < lb->n; i++)
		lb->at[lb->l[i].g] = 0;
	for (size_t i = 0; i < n; i++)
		lb->at[nl[i].g] = (uint32_t)(i + 1);
	free(lb->l);
	lb->l = nl;
	lb->n = n;
}

/* The series of label i: its counts since it was labelled. */
static void label_ctr(const struct usage *u, const struct usage_label *l, struct usage_ctr *c,
		      const struct usage_ctr **tot)
{
	size_t s = l->g;
	const struct usage_tab *tb = tab_of(u, &s);

	*tot = &tb->tot[s];
	for (int d = 0; d < USAGE_DIRS; d++) {
		c->pkts[d] = tb->tot[s].pkts[d] - l->base.pkts[d];
		c->bytes[d] = tb->tot[s].bytes[d] - l->base.bytes[d];
	}
}

/* "other": everything counted (overflow, reclaimed slots, every prefix)
 * less what the labelled series show. */
static void sum_other(const struct usage *u, struct usage_ctr *o)
{
	size_t all = u->six.t.cap + u->four.t.cap;
	const struct usage_labels *lb = u->labels;

	*o = u->other;
	for (size_t g = 0; g < all; g++) {
		size_t s = g;
		const struct usage_tab *tb = tab_of(u, &s);
		if (tb->t.keys[s].family)
			usage_ctr_add(o, &tb->tot[s]);
	}
	for (size_t i = 0; i < lb->n; i++) {
		struct usage_ctr c;
		const struct usage_ctr *tot;
		label_ctr(u, &lb->l[i], &c, &tot);
		for (int d = 0; d < USAGE_DIRS; d++) {
			o->pkts[d] -= c.pkts[d];
			o->bytes[d] -= c.bytes[d];
		}
	}
}

/* Where "other" would be less than last written, newcomers leave their
 * counts of that direction in it, until it is not. */
static void settle(const struct usage *u, struct usage_ctr *o)
{
	struct usage_labels *lb = u->labels;

	for (int d = 0; d < USAGE_DIRS; d++)
		for (size_t i = 0; i < lb->n; i++) {
			struct usage_label *l = &lb->l[i];
			size_t s = l->g;
			const struct usage_tab *tb = tab_of(u, &s);
			if (o->pkts[d] >= lb->other.pkts[d] && o->bytes[d] >= lb->other.bytes[d])
				break;
			if (!l->added)
				continue;
			l->base.pkts[d] = tb->tot[s].pkts[d];
			l->base.bytes[d] = tb->tot[s].bytes[d];
			o->pkts[d] += tb->tot[s].pkts[d];
			o->bytes[d] += tb->tot[s].bytes[d];
		}
	lb->other = *o;
}

/* One sample per direction the prefix has had traffic in (`shown`), also
 * when nothing came since it was labelled: a series starts at 0. */
static void prom_ctr(FILE *f, bool bytes, const char *prefix, const struct usage_ctr *c,
		     const struct usage_ctr *shown)
{
	for (int d = 0; d < USAGE_DIRS; d++)
		if (shown->pkts[d])
			fprintf(f, "tayga_usage_%s_total{prefix=\"%s\",dir=\"%s\"} %" PRIu64 "\n",
				bytes ? "bytes" : "packets", prefix,
				usage_dir_name((enum usage_dir)d),
				bytes ? c->bytes[d] : c->pkts[d]);
}

static void prom_gauges(const struct usage *u, FILE *f)
{
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
}

void usage_write_prom(const struct usage *u, FILE *f, unsigned top)
{
	char ps[PKEY_STRLEN];
	size_t *idx = top ? calloc(top, sizeof(*idx)) : NULL;
	size_t n = idx ? pick_top(u, idx, top) : 0;
	struct usage_label *nl = n ? calloc(n, sizeof(*nl)) : NULL;
	const struct usage_labels *lb = u->labels;
	struct usage_ctr other;

	if (!nl)
		n = 0;  /* out of memory: this time all of it under other */
	relabel(u, idx, nl, n);
	sum_other(u, &other);
	settle(u, &other);
	/* each metric's series together, as the exposition format asks */
	for (int b = 0; b < 2; b++) {
		const char *m = b ? "bytes" : "packets";
		fprintf(f, "# HELP tayga_usage_%s_total %s per client prefix (top %u by bytes, "
			   "each since it entered the top, then other: all the rest).\n"
			   "# TYPE tayga_usage_%s_total counter\n", m, b ? "Bytes" : "Packets", top, m);
		for (size_t i = 0; i < lb->n; i++) {
			struct usage_ctr c;
			const struct usage_ctr *tot;
			label_ctr(u, &lb->l[i], &c, &tot);
			prom_ctr(f, b, pkey_str(&lb->l[i].key, ps), &c, tot);
		}
		prom_ctr(f, b, "other", &other, &other);
	}
	prom_gauges(u, f);
	free(idx);
}
