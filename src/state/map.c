/* map.c - static address map: RFC 7757 EAM table + RFC 6052 prefix.
 *
 * The EAM entries are kept twice, sorted by (prefix length desc, prefix)
 * for each direction. A lookup binary-searches each distinct length from
 * the longest down, so longest-prefix match costs O(L log n) with L the
 * number of distinct lengths (at most 33 / 129).
 */
#include "state/map.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "config/model.h"

struct grp {
	unsigned len;
	size_t start, n;
};

struct map {
	const struct config *c;
	const struct eam **by4;   /* sorted by len4 desc, v4 asc */
	const struct eam **by6;   /* sorted by len6 desc, v6 asc */
	size_t n;
	struct grp g4[33], g6[129];
	size_t ng4, ng6;
	uint32_t pool_net, pool_mask; /* host order; mask 0 when no pool */
};

static int cmp4(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	uint32_t hx = ntohl(x->v4.s_addr), hy = ntohl(y->v4.s_addr);
	if (x->len4 != y->len4)
		return x->len4 > y->len4 ? -1 : 1;
	return hx < hy ? -1 : hx > hy;
}

static int cmp6(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	if (x->len6 != y->len6)
		return x->len6 > y->len6 ? -1 : 1;
	return memcmp(&x->v6, &y->v6, 16);
}

/* Split a sorted array into runs of equal prefix length. */
static size_t group(const struct eam **v, size_t n, int six, struct grp *g)
{
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned len = six ? v[i]->len6 : v[i]->len4;
		if (ng == 0 || g[ng - 1].len != len) {
			g[ng].len = len;
			g[ng].start = i;
			g[ng].n = 0;
			ng++;
		}
		g[ng - 1].n++;
	}
	return ng;
}

struct map *map_build(const struct config *c)
{
	struct map *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->c = c;
	m->n = c->nmaps;
	if (m->n) {
		m->by4 = malloc(m->n * sizeof(*m->by4));
		m->by6 = malloc(m->n * sizeof(*m->by6));
		if (!m->by4 || !m->by6) {
			map_free(m);
			return NULL;
		}
		for (size_t i = 0; i < m->n; i++)
			m->by4[i] = m->by6[i] = &c->maps[i];
		qsort(m->by4, m->n, sizeof(*m->by4), cmp4);
		qsort(m->by6, m->n, sizeof(*m->by6), cmp6);
		m->ng4 = group(m->by4, m->n, 0, m->g4);
		m->ng6 = group(m->by6, m->n, 1, m->g6);
	}
	if (c->have_pool) {
		m->pool_mask = addr_v4_mask(c->pool_len);
		m->pool_net = ntohl(c->pool_addr.s_addr) & m->pool_mask;
	}
	return m;
}

void map_free(struct map *m)
{
	if (!m)
		return;
	free(m->by4);
	free(m->by6);
	free(m);
}

static const struct eam *eam_find4(const struct map *m, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	for (size_t g = 0; g < m->ng4; g++) {
		uint32_t key = h & addr_v4_mask(m->g4[g].len);
		size_t lo = m->g4[g].start, hi = lo + m->g4[g].n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			uint32_t k = ntohl(m->by4[mid]->v4.s_addr);
			if (k == key)
				return m->by4[mid];
			if (k < key)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

static const struct eam *eam_find6(const struct map *m, const struct in6_addr *a)
{
	for (size_t g = 0; g < m->ng6; g++) {
		struct in6_addr key = *a;
		addr_v6_mask(&key, m->g6[g].len);
		size_t lo = m->g6[g].start, hi = lo + m->g6[g].n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int r = memcmp(&m->by6[mid]->v6, &key, 16);
			if (r == 0)
				return m->by6[mid];
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

bool map_v4_in_pool(const struct map *m, struct in_addr a)
{
	return m->pool_mask && (ntohl(a.s_addr) & m->pool_mask) == m->pool_net;
}

bool map_v4_has_eam(const struct map *m, struct in_addr a)
{
	return eam_find4(m, a) != NULL;
}

/* RFC 6052 3.1: the WKP must not carry non-global IPv4 (unless wkpf-strict
 * is off); RFC 8215's 64:ff9b:1::/48 is exempt because it is a different
 * prefix. */
static bool wkp_refuses(const struct config *c, struct in_addr a)
{
	return c->wkpf_strict && c->prefix_len == 96 &&
	       memcmp(&c->prefix, &addr_wkp, 16) == 0 && addr_v4_is_nonglobal(a);
}

/* The never-translated classes: martians (silent), class E. */
static enum map_result v4_class(struct in_addr a)
{
	if (addr_v4_is_martian(a))
		return MAP_MARTIAN;
	return addr_v4_is_forbidden(a) ? MAP_FORBIDDEN : MAP_OK;
}

/* The RFC 6052 prefix rule for an address already checked against the
 * never-translated classes. */
static enum map_result prefix_embed(const struct config *c, struct in_addr a, struct in6_addr *out)
{
	if (!c->have_prefix)
		return MAP_NONE;
	if (addr_v4_is_linklocal(a))
		return MAP_MARTIAN;
	if (wkp_refuses(c, a))
		return MAP_FORBIDDEN;
	addr_embed(&c->prefix, c->prefix_len, a, out);
	return MAP_OK;
}

enum map_result map_4to6(const struct map *m, struct in_addr a, struct in6_addr *out)
{
	const struct config *c = m->c;
	const struct eam *e = eam_find4(m, a);
	enum map_result r = v4_class(a);

	if (r != MAP_OK)
		return r;
	if (e) {
		/* RFC 7757 3.2: the IPv6 prefix followed by the IPv4 suffix
		 * bits; a longer IPv6 suffix is zero after them */
		unsigned sbits = 32u - e->len4;
		uint32_t v = ntohl(a.s_addr);
		*out = e->v6;
		for (unsigned i = 0; i < sbits; i++)
			if (v >> (sbits - 1 - i) & 1)
				out->s6_addr[(e->len6 + i) / 8] |= (uint8_t)(0x80 >> ((e->len6 + i) % 8));
		return MAP_OK;
	}
	if (c->ipv6_addr_set && a.s_addr == c->ipv4_addr.s_addr) {
		*out = c->ipv6_addr;
		return MAP_OK;
	}
	if (map_v4_in_pool(m, a))
		return MAP_NONE;
	return prefix_embed(c, a, out);
}

enum map_result map_4to6_prefix(const struct map *m, struct in_addr a, struct in6_addr *out)
{
	enum map_result r = v4_class(a);

	return r != MAP_OK ? r : prefix_embed(m->c, a, out);
}

enum map_result map_6to4(const struct map *m, const struct in6_addr *a, struct in_addr *out,
			 bool *via_prefix)
{
	const struct config *c = m->c;
	const struct eam *e;

	if (via_prefix)
		*via_prefix = false;
	if (addr_v6_is_forbidden(a))
		return MAP_FORBIDDEN;
	e = eam_find6(m, a);
	if (e) {
		/* RFC 7757 3.2: the IPv4 suffix is the first 32 - len4 bits
		 * after the IPv6 prefix (an IPv6 suffix may be longer: the
		 * bits after those are not part of the mapping) */
		unsigned sbits = 32u - e->len4;
		uint32_t suffix = 0;
		for (unsigned i = 0; i < sbits; i++)
			suffix = suffix << 1 |
				 (uint32_t)(a->s6_addr[(e->len6 + i) / 8] >> (7 - (e->len6 + i) % 8) & 1);
		out->s_addr = htonl(ntohl(e->v4.s_addr) | suffix);
		return MAP_OK;
	}
	if (c->ipv6_addr_set && memcmp(a, &c->ipv6_addr, 16) == 0) {
		*out = c->ipv4_addr;
		return MAP_OK;
	}
	if (!c->have_prefix || !addr_v6_in_prefix(a, &c->prefix, c->prefix_len))
		return MAP_NONE;
	addr_extract(a, c->prefix_len, out);
	if (addr_v4_is_martian(*out) || addr_v4_is_linklocal(*out))
		return MAP_MARTIAN;
	if (addr_v4_is_forbidden(*out) || wkp_refuses(c, *out))
		return MAP_FORBIDDEN;
	if (via_prefix)
		*via_prefix = true;
	return MAP_OK;
}
