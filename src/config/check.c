/* check.c - cross checks over the whole configuration (mandatory directives,
 * ipv6-addr derivation, WKP rules, map overlaps, the pool). */
#include "config/parser.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/addr.h"
#include "config/conf_paths.h"
#include "config/eam.h"
#include "lib/ratelimit.h"

/* ---- cross checks ---- */

static int cmp_eam_v4(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	uint32_t xa = ntohl(x->v4.s_addr), ya = ntohl(y->v4.s_addr);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (x->len4 != y->len4)
		return x->len4 < y->len4 ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_eam_v6(const void *a, const void *b)
{
	const struct eam *x = *(const struct eam *const *)a, *y = *(const struct eam *const *)b;
	int r = memcmp(&x->v6, &y->v6, sizeof(x->v6));

	if (r)
		return r;
	if (x->len6 != y->len6)
		return x->len6 < y->len6 ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Overlaps between map lines: exact duplicate IPv4 prefixes and any IPv6
 * overlap are refused; nested IPv4 prefixes of different lengths are fine
 * (RFC 7757 3.2 longest-prefix match). O(n log n). */
static bool check_map_overlaps(struct parser *p)
{
	struct config *c = p->c;
	const struct eam **v;
	char w[PATH_MAX + 32], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	bool ok = true;

	if (c->nmaps < 2)
		return true;
	if (!(v = malloc(c->nmaps * sizeof(*v))))
		return fail_at(p, c->path, 0, "out of memory");
	for (size_t i = 0; i < c->nmaps; i++)
		v[i] = &c->maps[i];

	qsort(v, c->nmaps, sizeof(*v), cmp_eam_v4);
	for (size_t i = 1; i < c->nmaps && ok; i++) {
		const struct eam *x = v[i - 1], *y = v[i];
		if (x->v4.s_addr == y->v4.s_addr && x->len4 == y->len4) {
			/* x < y in file order (the comparator's last key) */
			ok = fail_at(p, y->file, y->line,
				     "map: IPv4 %s/%u is already mapped on %s", fmt4(y->v4, b1), y->len4,
				     where(w, sizeof(w), y->file, x->file, x->line));
		}
	}

	if (ok) {
		const struct eam *cur;

		qsort(v, c->nmaps, sizeof(*v), cmp_eam_v6);
		/* Prefixes nest or are disjoint: after sorting by (address, length)
		 * an entry overlaps an earlier one iff it lies inside the widest
		 * still-open range. */
		cur = v[0];
		for (size_t i = 1; i < c->nmaps && ok; i++) {
			const struct eam *y = v[i], *x = cur, *later, *earlier;
			if (!v6_overlap(&x->v6, x->len6, &y->v6, y->len6)) {
				cur = y;
				continue;
			}
			later = x > y ? x : y;
			earlier = x > y ? y : x;
			ok = fail_at(p, later->file, later->line,
				     "map: IPv6 %s/%u overlaps %s/%u mapped on %s",
				     fmt6(&later->v6, b1), later->len6, fmt6(&earlier->v6, b2), earlier->len6,
				     where(w, sizeof(w), later->file, earlier->file, earlier->line));
		}
	}
	free(v);
	return ok;
}

/* A map entry against ipv4-addr, ipv6-addr, the prefix and the pool (the
 * other map entries are check_map_overlaps' and check_file_maps' job). */
bool map_vs_config(struct parser *p, const struct eam *e)
{
	const struct config *c = p->c;
	const char *f = e->file;
	char w[PATH_MAX + 32], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	if (c->have_prefix && v6_overlap(&e->v6, e->len6, &c->prefix, c->prefix_len))
		return fail_at(p, f, e->line, "map: IPv6 %s/%u overlaps prefix %s/%u (%s)",
			       fmt6(&e->v6, b1), e->len6, fmt6(&c->prefix, b2), c->prefix_len,
			       where(w, sizeof(w), f, c->path, p->seen[D_PREFIX]));
	if (addr_v6_in_prefix(&c->ipv6_addr, &e->v6, e->len6))
		return fail_at(p, f, e->line, "map: IPv6 %s/%u contains ipv6-addr %s (%s)",
			       fmt6(&e->v6, b1), e->len6, fmt6(&c->ipv6_addr, b2),
			       p->seen[D_IPV6_ADDR]
			       ? where(w, sizeof(w), f, c->path, p->seen[D_IPV6_ADDR])
			       : "derived from prefix and ipv4-addr");
	if (v4_overlap(e->v4, e->len4, c->ipv4_addr, 32))
		return fail_at(p, f, e->line, "map: IPv4 %s/%u contains ipv4-addr %s (%s)",
			       fmt4(e->v4, b1), e->len4, fmt4(c->ipv4_addr, b2),
			       where(w, sizeof(w), f, c->path, p->seen[D_IPV4_ADDR]));
	/* Maps inside the pool are fine (the pool skips them), but a map
	 * that covers the whole pool leaves nothing to hand out. */
	if (c->have_pool && e->len4 <= c->pool_len &&
	    v4_overlap(e->v4, e->len4, c->pool_addr, c->pool_len))
		return fail_at(p, f, e->line, "map: IPv4 %s/%u covers the whole dynamic-pool %s/%u (%s)",
			       fmt4(e->v4, b1), e->len4, fmt4(c->pool_addr, b2), c->pool_len,
			       where(w, sizeof(w), f, c->path, p->seen[D_DYNAMIC_POOL]));
	return true;
}

bool cross_check(struct parser *p)
{
	struct config *c = p->c;
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], b3[INET6_ADDRSTRLEN];
	struct in6_addr derived;
	bool wkp_nonglobal;

	p->file = c->path;
	p->in_map_file = false;

	if (!p->seen[D_TUN_DEVICE])
		return fail_at(p, c->path, 0, "missing mandatory directive tun-device");
	if (!p->seen[D_IPV4_ADDR])
		return fail_at(p, c->path, 0, "missing mandatory directive ipv4-addr");

	/* RFC 6052 3.1: the WKP must not represent non-global IPv4 addresses.
	 * Only addresses that get embedded in the prefix matter; pool and map
	 * IPv4 addresses stand for IPv6 hosts and are never embedded. */
	wkp_nonglobal = is_wkp(c) && c->wkpf_strict && addr_v4_is_nonglobal(c->ipv4_addr);

	if (c->have_prefix) {
		addr_embed(&c->prefix, c->prefix_len, c->ipv4_addr, &derived);
		/* RFC 3927 2.7: 169.254/16 never goes through the prefix */
		if (addr_v4_is_linklocal(c->ipv4_addr) &&
		    (!c->ipv6_addr_set || memcmp(&c->ipv6_addr, &derived, sizeof(derived)) == 0))
			return fail_at(p, c->path, p->seen[D_IPV6_ADDR] ? p->seen[D_IPV6_ADDR] : p->seen[D_IPV4_ADDR],
				       "ipv6-addr: ipv4-addr %s is link-local and never translated through "
				       "the prefix (RFC 3927 2.7); set ipv6-addr outside the prefix",
				       fmt4(c->ipv4_addr, b1));
		if (!c->ipv6_addr_set) {
			if (wkp_nonglobal)
				return fail_at(p, c->path, p->seen[D_IPV4_ADDR],
					       "ipv6-addr: must be given: ipv4-addr %s is non-global and the "
					       "well-known prefix 64:ff9b::/96 must not carry it (RFC 6052 3.1); "
					       "set ipv6-addr outside the prefix, use a network-specific prefix, "
					       "or add `wkpf-strict no`", fmt4(c->ipv4_addr, b1));
			c->ipv6_addr = derived;
			c->ipv6_addr_set = true;
		} else if (addr_v6_in_prefix(&c->ipv6_addr, &c->prefix, c->prefix_len)) {
			/* Inside the prefix it would stand for some IPv4 host, so it
			 * may only be the translator's own embedded address. */
			if (memcmp(&c->ipv6_addr, &derived, sizeof(derived)) != 0)
				return fail_at(p, c->path, p->seen[D_IPV6_ADDR],
					       "ipv6-addr: %s is inside prefix %s/%u but is not prefix+ipv4-addr (%s); "
					       "choose an address outside the prefix",
					       fmt6(&c->ipv6_addr, b1), fmt6(&c->prefix, b2), c->prefix_len,
					       fmt6(&derived, b3));
			if (wkp_nonglobal)
				return fail_at(p, c->path, p->seen[D_IPV6_ADDR],
					       "ipv6-addr: %s embeds non-global ipv4-addr %s in the well-known prefix "
					       "64:ff9b::/96 (RFC 6052 3.1); choose an address outside the prefix "
					       "or add `wkpf-strict no`", fmt6(&c->ipv6_addr, b1), fmt4(c->ipv4_addr, b2));
		}
	} else {
		if (!c->ipv6_addr_set)
			return fail_at(p, c->path, p->seen[D_IPV4_ADDR],
				       "ipv6-addr: must be given when there is no prefix directive");
		if (c->nmaps == 0 && !c->map_file)
			return fail_at(p, c->path, 0,
				       "nothing to translate: give a prefix directive or map lines");
	}

	for (size_t i = 0; i < c->nmaps; i++)
		if (!map_vs_config(p, &c->maps[i]))
			return false;
	if (!check_map_overlaps(p))
		return false;

	if (!p->seen[D_RFC6791_V4])
		c->rfc6791_v4 = c->ipv4_addr;
	if (!p->seen[D_RFC6791_V6])
		c->rfc6791_v6 = c->ipv6_addr;
	if (!c->tun_up_set)
		c->tun_up = c->ntun_ips > 0 || c->ntun_routes > 0;
	return true;
}
