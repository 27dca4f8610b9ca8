/* usage.c - per-prefix usage counters: the two tables, slot reclaim, the
 * state of the stats-file's labels (a labelled slot is not reclaimed) and
 * the carry-over on reload (the log lines are usage_report.c, the
 * Prometheus series usage_prom.c). */
#include "account/usage.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int tab_init(struct usage_tab *tb, size_t entries, unsigned plen)
{
	tb->plen = plen;
	if (ptable_init(&tb->t, entries) != 0 ||
	    !(tb->tot = calloc(tb->t.cap, sizeof(*tb->tot))) ||
	    !(tb->logged = calloc(tb->t.cap, sizeof(*tb->logged))) ||
	    !(tb->seen = calloc(tb->t.cap, sizeof(*tb->seen))))
		return -1;
	return 0;
}

static void tab_free(struct usage_tab *tb)
{
	ptable_free(&tb->t);
	free(tb->tot);
	free(tb->logged);
	free(tb->seen);
}

/* The stats-file's labels (usage_prom.c writes them): kept here because the
 * reclaim of a slot skips the labelled ones. */
static int labels_init(struct usage *u)
{
	if (!(u->labels = calloc(1, sizeof(*u->labels))) ||
	    !(u->labels->at = calloc(u->six.t.cap + u->four.t.cap, sizeof(*u->labels->at))))
		return -1;
	return 0;
}

static void labels_free(struct usage *u)
{
	if (!u->labels)
		return;
	free(u->labels->l);
	free(u->labels->at);
	free(u->labels);
	u->labels = NULL;
}

struct usage *usage_new(size_t entries, unsigned plen6, unsigned plen4)
{
	struct usage *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	if (tab_init(&u->six, entries, plen6) != 0 || tab_init(&u->four, entries, plen4) != 0 ||
	    labels_init(u) != 0) {
		usage_free(u);
		return NULL;
	}
	return u;
}

void usage_free(struct usage *u)
{
	if (!u)
		return;
	labels_free(u);
	tab_free(&u->six);
	tab_free(&u->four);
	free(u);
}

void usage_ctr_add(struct usage_ctr *to, const struct usage_ctr *from)
{
	for (int d = 0; d < USAGE_DIRS; d++) {
		to->pkts[d] += from->pkts[d];
		to->bytes[d] += from->bytes[d];
	}
}

struct rank_arg {
	const struct usage_tab *tb;
	const uint32_t *labelled;    /* the stats-file's labels, per slot of tb */
};

/* A slot may be handed over once everything it counted has been reported
 * (so no usage line loses a count), and not while the stats-file shows it
 * as one of the usage-top prefixes (a customer keeps its series however
 * many newcomers there are); among those the least recently used. */
static uint64_t idle_rank(const void *arg, size_t s)
{
	const struct rank_arg *r = arg;
	const struct usage_tab *tb = r->tb;

	if (r->labelled[s] || memcmp(&tb->tot[s], &tb->logged[s], sizeof(tb->tot[s])) != 0)
		return UINT64_MAX;
	return tb->seen[s];
}

/* k found no slot in tb: take an idle one (its counts move to other;
 * reported ones to other_logged too, so "other" shows no new traffic for
 * them). -1: none. Off the per-packet path. */
__attribute__((noinline))
static long take_idle(struct usage *u, struct usage_tab *tb, const struct pkey *k)
{
	struct rank_arg r = {
		.tb = tb, .labelled = u->labels->at + (tb == &u->four ? u->six.t.cap : 0),
	};
	long s = ptable_replace(&tb->t, k, idle_rank, &r);

	if (s < 0)
		return -1;
	usage_ctr_add(&u->other, &tb->tot[s]);
	usage_ctr_add(&u->other_logged, &tb->logged[s]);
	memset(&tb->tot[s], 0, sizeof(tb->tot[s]));
	memset(&tb->logged[s], 0, sizeof(tb->logged[s]));
	u->reclaimed++;
	return s;
}

static void add(struct usage *u, struct usage_tab *tb, const struct pkey *k, enum usage_dir d,
		uint64_t bytes)
{
	bool fresh;
	long s = ptable_get(&tb->t, k, NULL, NULL, &fresh);
	struct usage_ctr *c;

	if (s < 0)
		s = take_idle(u, tb, k);
	if (s < 0) {
		c = &u->other;
		u->overflow++;
	} else {
		c = &tb->tot[s];
		tb->seen[s] = ++u->clock;
	}
	c->pkts[d]++;
	c->bytes[d] += bytes;
}

void usage_add6(struct usage *u, const struct in6_addr *a, enum usage_dir d, uint64_t bytes)
{
	struct pkey k;

	pkey_v6(&k, a, u->six.plen);
	add(u, &u->six, &k, d, bytes);
}

void usage_add4(struct usage *u, const struct in_addr *a, enum usage_dir d, uint64_t bytes)
{
	struct pkey k;

	pkey_v4(&k, a, u->four.plen);
	add(u, &u->four, &k, d, bytes);
}

uint64_t usage_bytes(const struct usage_ctr *c)
{
	uint64_t b = 0;

	for (int d = 0; d < USAGE_DIRS; d++)
		b += c->bytes[d];
	return b;
}

/* Every slot of `from` into `to`'s table of the same family, folded to the
 * new prefix length; what can't be folded or finds no slot goes to other.
 * No reclaim here: every count carried over is one not yet handed over. */
static void migrate_tab(struct usage *to, struct usage_tab *tt, const struct usage_tab *ft)
{
	for (size_t s = 0; s < ft->t.cap; s++) {
		const struct pkey *k = &ft->t.keys[s];
		struct usage_ctr *c = &to->other, *l = &to->other_logged;
		struct pkey nk;
		long ns = -1;
		bool fresh;
		if (!k->family)
			continue;
		if (tt->plen <= k->len) {
			nk = *k;
			nk.len = (uint8_t)tt->plen;
			pkey_mask(&nk);
			ns = ptable_get(&tt->t, &nk, NULL, NULL, &fresh);
		}
		if (ns >= 0) {
			c = &tt->tot[ns];
			l = &tt->logged[ns];
			if (ft->seen[s] > tt->seen[ns])
				tt->seen[ns] = ft->seen[s];
		}
		usage_ctr_add(c, &ft->tot[s]);
		usage_ctr_add(l, &ft->logged[s]);
	}
}

/* SIGHUP: labels whose prefix kept its length go on from their base, so
 * their series neither restart nor jump. */
static void labels_migrate(struct usage *to, const struct usage *from)
{
	const struct usage_labels *fl = from->labels;
	struct usage_labels *tl = to->labels;
	struct usage_label *nl = fl->n ? calloc(fl->n, sizeof(*nl)) : NULL;
	size_t n = 0;

	for (size_t i = 0; nl && i < fl->n; i++) {
		const struct pkey *k = &fl->l[i].key;
		struct usage_tab *tt = k->family == 6 ? &to->six : &to->four;
		bool fresh;
		long s;
		if (tt->plen != k->len || (s = ptable_get(&tt->t, k, NULL, NULL, &fresh)) < 0 || fresh)
			continue;
		nl[n] = fl->l[i];
		nl[n].g = (size_t)s + (tt == &to->four ? to->six.t.cap : 0);
		tl->at[nl[n].g] = (uint32_t)(n + 1);
		n++;
	}
	free(tl->l);
	tl->l = nl;
	tl->n = n;
	tl->other = fl->other;
}

void usage_migrate(struct usage *to, const struct usage *from)
{
	if (!to || !from)
		return;
	usage_ctr_add(&to->other, &from->other);
	usage_ctr_add(&to->other_logged, &from->other_logged);
	to->overflow += from->overflow;
	to->reclaimed += from->reclaimed;
	to->clock = from->clock;
	migrate_tab(to, &to->six, &from->six);
	migrate_tab(to, &to->four, &from->four);
	labels_migrate(to, from);
}
