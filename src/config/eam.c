/* eam.c - conflicts between `map` entries (see eam.h).
 *
 * IPv4: sort by (prefix, length); equal runs conflict. IPv6: prefixes nest
 * or are disjoint, so sorted by (address, length) they are a preorder walk
 * of a forest. One pass with a stack of open ancestors gives each entry the
 * maximum over its ancestors (carried down) and over its descendants
 * (folded into the parent when an entry is closed): exactly the entries
 * that overlap it.
 */
#include "config/eam.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "config/conf.h"

struct item {
	const struct eam *e;
	size_t i;            /* index in the caller's arrays */
};

static int cmp4(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	uint32_t xa = ntohl(x->e->v4.s_addr), ya = ntohl(y->e->v4.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->e->len4 != y->e->len4)
		return x->e->len4 < y->e->len4 ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp6(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int r = memcmp(&x->e->v6, &y->e->v6, sizeof(x->e->v6));

	if (r)
		return r;
	if (x->e->len6 != y->e->len6)
		return x->e->len6 < y->e->len6 ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static long maxl(long a, long b)
{
	return a > b ? a : b;
}

/* equal IPv4 prefixes: out = max over the run */
static void runs4(struct item *it, size_t n, const long *val, long *out)
{
	for (size_t s = 0, e; s < n; s = e) {
		long m = LONG_MIN;
		for (e = s; e < n && it[e].e->v4.s_addr == it[s].e->v4.s_addr &&
			    it[e].e->len4 == it[s].e->len4; e++)
			m = maxl(m, val[it[e].i]);
		for (size_t k = s; k < e; k++)
			out[it[k].i] = maxl(out[it[k].i], m);
	}
}

/* nested IPv6 prefixes; anc/sub are scratch arrays of n longs, stk of n
 * positions in it[] */
static void nest6(struct item *it, size_t n, const long *val, long *out,
		  long *anc, long *sub, size_t *stk)
{
	size_t top = 0;

	for (size_t k = 0; k <= n; k++) {
		/* close the open entries that do not contain it[k] (all at the end) */
		while (top > 0) {
			const struct eam *o = it[stk[top - 1]].e;
			if (k < n && addr_v6_in_prefix(&it[k].e->v6, &o->v6, o->len6))
				break;
			top--;
			size_t c = stk[top];
			out[it[c].i] = maxl(out[it[c].i], maxl(anc[c], sub[c]));
			if (top > 0)
				sub[stk[top - 1]] = maxl(sub[stk[top - 1]], sub[c]);
		}
		if (k == n)
			break;
		anc[k] = top ? maxl(anc[stk[top - 1]], val[it[stk[top - 1]].i]) : LONG_MIN;
		sub[k] = val[it[k].i];
		stk[top++] = k;
	}
}

int eam_conflict_max(const struct eam *const *v, const long *val, size_t n, long *out)
{
	struct item *it = malloc((n ? n : 1) * sizeof(*it));
	long *anc = malloc((n ? n : 1) * sizeof(*anc) * 2);
	size_t *stk = malloc((n ? n : 1) * sizeof(*stk));

	if (!it || !anc || !stk) {
		free(it);
		free(anc);
		free(stk);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		it[i].e = v[i];
		it[i].i = i;
		out[i] = val[i];
	}
	qsort(it, n, sizeof(*it), cmp4);
	runs4(it, n, val, out);
	qsort(it, n, sizeof(*it), cmp6);
	nest6(it, n, val, out, anc, anc + n, stk);
	free(it);
	free(anc);
	free(stk);
	return 0;
}
