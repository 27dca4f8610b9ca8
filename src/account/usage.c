/* usage.c - per-prefix usage counters, their log lines and Prometheus series. */
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

struct usage *usage_new(size_t entries, unsigned plen6, unsigned plen4)
{
	struct usage *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->plen6 = plen6;
	u->plen4 = plen4;
	if (ptable_init(&u->t, entries) != 0 ||
	    !(u->tot = calloc(u->t.cap, sizeof(*u->tot))) ||
	    !(u->logged = calloc(u->t.cap, sizeof(*u->logged)))) {
		usage_free(u);
		return NULL;
	}
	return u;
}

void usage_free(struct usage *u)
{
	if (!u)
		return;
	ptable_free(&u->t);
	free(u->tot);
	free(u->logged);
	free(u);
}

static struct usage_ctr *slot_for(struct usage *u, const struct pkey *k)
{
	bool fresh;
	long s = ptable_get(&u->t, k, NULL, NULL, &fresh);

	return s < 0 ? NULL : &u->tot[s];
}

static void add(struct usage *u, const struct pkey *k, enum usage_dir d, uint64_t bytes)
{
	struct usage_ctr *c = slot_for(u, k);

	if (!c) {
		c = &u->other;
		u->overflow++;
	}
	c->pkts[d]++;
	c->bytes[d] += bytes;
}

void usage_add6(struct usage *u, const struct in6_addr *a, enum usage_dir d, uint64_t bytes)
{
	struct pkey k;

	pkey_v6(&k, a, u->plen6);
	add(u, &k, d, bytes);
}

void usage_add4(struct usage *u, const struct in_addr *a, enum usage_dir d, uint64_t bytes)
{
	struct pkey k;

	pkey_v4(&k, a, u->plen4);
	add(u, &k, d, bytes);
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

void usage_report(struct usage *u, void (*line)(void *arg, const char *msg), void *arg)
{
	char txt[256], msg[320], ps[PKEY_STRLEN];

	for (size_t s = 0; s < u->t.cap; s++) {
		if (!u->t.keys[s].family || !delta_text(&u->tot[s], &u->logged[s], txt, sizeof(txt)))
			continue;
		snprintf(msg, sizeof(msg), "usage: %s %s", pkey_str(&u->t.keys[s], ps), txt);
		line(arg, msg);
		u->logged[s] = u->tot[s];
	}
	if (delta_text(&u->other, &u->other_logged, txt, sizeof(txt))) {
		snprintf(msg, sizeof(msg), "usage: other (table of %zu full) %s", u->t.cap, txt);
		line(arg, msg);
		u->other_logged = u->other;
	}
}

static uint64_t total_bytes(const struct usage_ctr *c)
{
	uint64_t b = 0;
	for (int d = 0; d < USAGE_DIRS; d++)
		b += c->bytes[d];
	return b;
}

static void prom_ctr(FILE *f, bool bytes, const char *prefix, const struct usage_ctr *c)
{
	for (int d = 0; d < USAGE_DIRS; d++)
		if (c->pkts[d])
			fprintf(f, "tayga_usage_%s_total{prefix=\"%s\",dir=\"%s\"} %" PRIu64 "\n",
				bytes ? "bytes" : "packets", prefix, dir_names[d],
				bytes ? c->bytes[d] : c->pkts[d]);
}

/* Indices of the `top` used slots with the most bytes, best first (a
 * bounded insertion sort: top is small, the table is walked once). */
static size_t pick_top(const struct usage *u, size_t *idx, size_t top)
{
	size_t n = 0;

	for (size_t s = 0; s < u->t.cap; s++) {
		uint64_t b;
		size_t i;
		if (!u->t.keys[s].family)
			continue;
		b = total_bytes(&u->tot[s]);
		if (n == top && (top == 0 || b <= total_bytes(&u->tot[idx[n - 1]])))
			continue;
		i = n < top ? n++ : n - 1;
		for (; i > 0 && total_bytes(&u->tot[idx[i - 1]]) < b; i--)
			idx[i] = idx[i - 1];
		idx[i] = s;
	}
	return n;
}

void usage_write_prom(const struct usage *u, FILE *f, unsigned top)
{
	char ps[PKEY_STRLEN];
	size_t *idx = top ? calloc(top, sizeof(*idx)) : NULL;
	size_t n = idx ? pick_top(u, idx, top) : 0;

	/* each metric's series together, as the exposition format asks */
	for (int b = 0; b < 2; b++) {
		const char *m = b ? "bytes" : "packets";
		fprintf(f, "# HELP tayga_usage_%s_total %s per client prefix (top %u by bytes, then other).\n"
			   "# TYPE tayga_usage_%s_total counter\n", m, b ? "Bytes" : "Packets", top, m);
		for (size_t i = 0; i < n; i++)
			prom_ctr(f, b, pkey_str(&u->t.keys[idx[i]], ps), &u->tot[idx[i]]);
		prom_ctr(f, b, "other", &u->other);
	}
	fprintf(f, "# TYPE tayga_usage_prefixes gauge\ntayga_usage_prefixes %zu\n"
		   "# TYPE tayga_usage_table_size gauge\ntayga_usage_table_size %zu\n"
		   "# TYPE tayga_usage_overflow_packets_total counter\n"
		   "tayga_usage_overflow_packets_total %" PRIu64 "\n",
		u->t.used, u->t.cap, u->overflow);
	free(idx);
}

static void ctr_add(struct usage_ctr *to, const struct usage_ctr *from)
{
	for (int d = 0; d < USAGE_DIRS; d++) {
		to->pkts[d] += from->pkts[d];
		to->bytes[d] += from->bytes[d];
	}
}

void usage_migrate(struct usage *to, const struct usage *from)
{
	if (!to || !from)
		return;
	ctr_add(&to->other, &from->other);
	ctr_add(&to->other_logged, &from->other_logged);
	to->overflow += from->overflow;
	for (size_t s = 0; s < from->t.cap; s++) {
		const struct pkey *k = &from->t.keys[s];
		unsigned plen = k->family == 6 ? to->plen6 : to->plen4;
		struct pkey nk;
		struct usage_ctr *c = NULL, *l = &to->other_logged;
		if (!k->family)
			continue;
		if (plen <= k->len) {
			nk = *k;
			nk.len = (uint8_t)plen;
			pkey_mask(&nk);
			c = slot_for(to, &nk);
		}
		if (c)
			l = &to->logged[c - to->tot];
		else
			c = &to->other;
		ctr_add(c, &from->tot[s]);
		ctr_add(l, &from->logged[s]);
	}
}
