/* pool.c - dynamic IPv4 pool: one slot per pool address, a hash from IPv6
 * address to slot, a free stack and an LRU list, so create, lookup both
 * ways, refresh and reuse are all O(1). Nothing is allocated after
 * pool_new(). */
#include "state/pool.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/steer.h"
#include "config/model.h"
#include "state/map.h"

/* A /12 at most: larger pools use their first 2^20 addresses. Bounds
 * memory (about 64 bytes per address) while covering any sane deployment. */
#define POOL_MAX_SLOTS (1u << 20)
#define NIL UINT32_MAX

/* FOREIGN: in another worker's slice (`workers N`) */
enum slot_state { SLOT_FREE = 0, SLOT_EXCLUDED, SLOT_USED, SLOT_FOREIGN };

struct slot {
	struct in6_addr v6;
	time_t last;
	uint32_t hnext;          /* hash chain */
	uint32_t prev, next;     /* LRU list (used) */
	uint32_t freepos;        /* index in free stack (free) */
	uint8_t state;
};

struct lim {                 /* dynamic-limit counter per IPv6 prefix */
	struct in6_addr pfx;
	uint32_t count;
	uint8_t used;
};

struct pool {
	uint32_t net;            /* host order */
	uint32_t n;              /* slots, a power of two */
	unsigned wbits;          /* log2(n): host bits the address choice folds to */
	struct slot *s;
	uint32_t *buckets;       /* nb heads */
	uint32_t nb;             /* power of two */
	uint32_t *freestack;
	uint32_t nfree;
	uint32_t lru_head, lru_tail; /* oldest .. newest */
	size_t count;
	bool dirty;
	unsigned lim_plen, lim_count;
	struct lim *lim;         /* open addressing, nlim power of two */
	uint32_t nlim, lim_fill;
	struct steer_params st;  /* `workers N`: this pool is worker w's, */
	unsigned w;
	uint32_t lo, hi;         /* which allocates only in slots [lo, hi) */
};

static uint32_t hash6(const struct in6_addr *a)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 16; i += 4) {
		uint32_t w;
		memcpy(&w, a->s6_addr + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- free stack ---- */
static void free_push(struct pool *p, uint32_t i)
{
	p->s[i].state = SLOT_FREE;
	p->s[i].freepos = p->nfree;
	p->freestack[p->nfree++] = i;
}

static void free_remove(struct pool *p, uint32_t i)
{
	uint32_t pos = p->s[i].freepos, last = p->freestack[--p->nfree];
	p->freestack[pos] = last;
	p->s[last].freepos = pos;
}

/* ---- LRU list ---- */
static void lru_unlink(struct pool *p, uint32_t i)
{
	struct slot *s = &p->s[i];
	if (s->prev != NIL) p->s[s->prev].next = s->next; else p->lru_head = s->next;
	if (s->next != NIL) p->s[s->next].prev = s->prev; else p->lru_tail = s->prev;
}

/* Insert keeping the list ordered by last use (loads may be out of order;
 * at run time `last` only grows, so this is an append). */
static void lru_insert(struct pool *p, uint32_t i)
{
	struct slot *s = &p->s[i];
	uint32_t after = p->lru_tail;
	while (after != NIL && p->s[after].last > s->last)
		after = p->s[after].prev;
	s->prev = after;
	s->next = after == NIL ? p->lru_head : p->s[after].next;
	if (s->next != NIL) p->s[s->next].prev = i; else p->lru_tail = i;
	if (after != NIL) p->s[after].next = i; else p->lru_head = i;
}

static void lru_append(struct pool *p, uint32_t i)
{
	p->s[i].prev = p->lru_tail;
	p->s[i].next = NIL;
	if (p->lru_tail != NIL) p->s[p->lru_tail].next = i; else p->lru_head = i;
	p->lru_tail = i;
}

struct lru_key {
	int64_t last;
	uint32_t i;          /* slot: equal times sort by address */
};

static int lru_key_cmp(const void *a, const void *b)
{
	const struct lru_key *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Order the LRU list by last use once, after a load appended the file's
 * lines as they came (inserting each line in place was O(n) per line: 22 s
 * for 80,000 lines in random order). The keys are read from the slots in
 * address order and sorted in an array of their own: following or merge
 * sorting the list jumps through memory (4 s for a million lines). False
 * when the array cannot be allocated (the list stays in file order). */
static bool lru_sort(struct pool *p)
{
	struct lru_key *k;
	uint32_t n = 0;

	if (p->count < 2)
		return true;
	k = malloc(p->count * sizeof(*k));
	if (!k)
		return false;
	for (uint32_t i = 0; i < p->n && n < p->count; i++)
		if (p->s[i].state == SLOT_USED)
			k[n++] = (struct lru_key){ (int64_t)p->s[i].last, i };
	qsort(k, n, sizeof(*k), lru_key_cmp);
	p->lru_head = p->lru_tail = NIL;
	for (uint32_t j = 0; j < n; j++)
		lru_append(p, k[j].i);
	free(k);
	return true;
}

/* ---- hash ---- */
static uint32_t find6(const struct pool *p, const struct in6_addr *a)
{
	for (uint32_t i = p->buckets[hash6(a) & (p->nb - 1)]; i != NIL; i = p->s[i].hnext)
		if (memcmp(&p->s[i].v6, a, 16) == 0)
			return i;
	return NIL;
}

static void hash_remove(struct pool *p, uint32_t i)
{
	uint32_t *pp = &p->buckets[hash6(&p->s[i].v6) & (p->nb - 1)];
	while (*pp != NIL && *pp != i)
		pp = &p->s[*pp].hnext;
	if (*pp == i)
		*pp = p->s[i].hnext;
}

/* ---- dynamic-limit counters ---- */
static struct lim *lim_slot(struct pool *p, const struct in6_addr *a, bool add)
{
	struct in6_addr k = *a;
	addr_v6_mask(&k, p->lim_plen);
	for (uint32_t h = hash6(&k), n = 0; n < p->nlim; n++, h++) {
		struct lim *l = &p->lim[h & (p->nlim - 1)];
		if (!l->used) {
			if (!add || p->lim_fill * 2 >= p->nlim)
				return NULL;
			l->used = 1;
			l->pfx = k;
			l->count = 0;
			p->lim_fill++;
			return l;
		}
		if (memcmp(&l->pfx, &k, 16) == 0)
			return l;
	}
	return NULL;
}

/* Counters are never deleted (open addressing); when the table is half full
 * of prefixes, rebuild it from the live slots. */
static void lim_rebuild(struct pool *p)
{
	memset(p->lim, 0, (size_t)p->nlim * sizeof(*p->lim));
	p->lim_fill = 0;
	for (uint32_t i = p->lru_head; i != NIL; i = p->s[i].next) {
		struct lim *l = lim_slot(p, &p->s[i].v6, true);
		if (l)
			l->count++;
	}
}

static void lim_adjust(struct pool *p, const struct in6_addr *a, int d)
{
	struct lim *l;
	if (!p->lim)
		return;
	l = lim_slot(p, a, d > 0);
	if (!l && d > 0) {
		lim_rebuild(p);
		l = lim_slot(p, a, true);
	}
	if (l)
		l->count = (uint32_t)((int64_t)l->count + d);
}

static bool lim_reached(struct pool *p, const struct in6_addr *a)
{
	struct lim *l;
	if (!p->lim)
		return false;
	l = lim_slot(p, a, false);
	return l && l->count >= p->lim_count;
}

/* ---- slots ---- */
static void release(struct pool *p, uint32_t i)
{
	hash_remove(p, i);
	lru_unlink(p, i);
	lim_adjust(p, &p->s[i].v6, -1);
	free_push(p, i);
	p->count--;
	p->dirty = true;
}

/* append: add at the newest end whatever last is (a load sorts after) */
static void assign(struct pool *p, uint32_t i, const struct in6_addr *v6, time_t last, bool append)
{
	struct slot *s = &p->s[i];
	uint32_t b = hash6(v6) & (p->nb - 1);
	s->v6 = *v6;
	s->last = last;
	s->state = SLOT_USED;
	s->hnext = p->buckets[b];
	p->buckets[b] = i;
	lim_adjust(p, v6, +1); /* before the LRU link: a rebuild must not count it */
	if (append)
		lru_append(p, i);
	else
		lru_insert(p, i);
	p->count++;
	p->dirty = true;
}

static void exclude(struct pool *p, uint32_t h)
{
	uint32_t i = h - p->net;
	if (h >= p->net && i < p->n && p->s[i].state == SLOT_FREE) {
		free_remove(p, i);
		p->s[i].state = SLOT_EXCLUDED;
	}
}

void pool_steer_params(const struct config *c, struct steer_params *s)
{
	uint64_t size = 1ull << (32 - c->pool_len);

	s->pool_net = s->pool_n = s->pool_bits = 0;
	if (!c->have_pool)
		return;
	s->pool_n = size > POOL_MAX_SLOTS ? POOL_MAX_SLOTS : (uint32_t)size;
	while ((1ull << s->pool_bits) < s->pool_n)
		s->pool_bits++;
	s->pool_net = ntohl(c->pool_addr.s_addr) & addr_v4_mask(c->pool_len);
}

struct pool *pool_new(const struct config *c)
{
	struct pool *p;

	if (!c->have_pool)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pool_steer_params(c, &p->st);
	p->st.workers = 1;
	p->n = p->st.pool_n;
	p->wbits = p->st.pool_bits;
	p->net = p->st.pool_net;
	p->hi = p->n;
	for (p->nb = 16; p->nb < p->n; p->nb <<= 1)
		;
	p->s = calloc(p->n, sizeof(*p->s));
	p->buckets = malloc((size_t)p->nb * sizeof(*p->buckets));
	p->freestack = malloc((size_t)p->n * sizeof(*p->freestack));
	if (c->dyn_limit_count) {
		p->lim_plen = c->dyn_limit_plen;
		p->lim_count = c->dyn_limit_count;
		p->nlim = p->nb * 2;
		p->lim = calloc(p->nlim, sizeof(*p->lim));
	}
	if (!p->s || !p->buckets || !p->freestack || (c->dyn_limit_count && !p->lim)) {
		pool_free(p);
		return NULL;
	}
	memset(p->buckets, 0xff, (size_t)p->nb * sizeof(*p->buckets));
	p->lru_head = p->lru_tail = NIL;
	/* push in reverse so low addresses come off the stack first */
	for (uint32_t i = p->n; i-- > 0;)
		free_push(p, i);
	exclude(p, p->net); /* lowest address is reserved (TAYGA) */
	exclude(p, ntohl(c->ipv4_addr.s_addr));
	for (size_t k = 0; k < c->nmaps; k++) {
		uint32_t lo = ntohl(c->maps[k].v4.s_addr);
		uint64_t hi = (uint64_t)lo + (1ull << (32 - c->maps[k].len4));
		uint64_t a = lo > p->net ? lo : p->net;
		uint64_t b = hi < (uint64_t)p->net + p->n ? hi : (uint64_t)p->net + p->n;
		for (; a < b; a++)
			exclude(p, (uint32_t)a);
	}
	p->dirty = false;
	return p;
}

void pool_set_slice(struct pool *p, const struct steer_params *s, unsigned w)
{
	if (!p || s->workers <= 1)
		return;
	p->st.workers = s->workers;
	p->st.plen6 = s->plen6;
	p->w = w;
	steer_slice(&p->st, w, &p->lo, &p->hi);
	for (uint32_t i = 0; i < p->n; i++)
		if ((i < p->lo || i >= p->hi) && p->s[i].state == SLOT_FREE) {
			free_remove(p, i);
			p->s[i].state = SLOT_FOREIGN;
		}
}

unsigned pool_workers(const struct pool *p)
{
	return p ? p->st.workers : 1;
}

unsigned pool_worker(const struct pool *p)
{
	return p ? p->w : 0;
}

int pool_owner(const struct pool *p, struct in_addr v4)
{
	uint32_t i = ntohl(v4.s_addr) - p->net;

	return i < p->n ? (int)steer_slot_owner(&p->st, i) : -1;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	free(p->s);
	free(p->buckets);
	free(p->freestack);
	free(p->lim);
	free(p);
}

static struct in_addr slot_v4(const struct pool *p, uint32_t i)
{
	struct in_addr a = { htonl(p->net + i) };
	return a;
}

static void touch(struct pool *p, uint32_t i, time_t now)
{
	if (p->s[i].last >= now)
		return;
	p->s[i].last = now;
	if (p->lru_tail != i) {
		lru_unlink(p, i);
		lru_insert(p, i);
	}
}

/* The address TAYGA gives a new host, so a host gets the same IPv4
 * address after a restart even without dynamic.map, and the same one TAYGA
 * gave it: fold the sum of the four 32-bit words of the IPv6 address (read
 * little-endian, as TAYGA computes on x86; on every host) into the pool's
 * host bits, then take the first free slot from there on. The sum is
 * 32-bit and wraps, as TAYGA's does. The caller has checked nfree > 0. */
static uint32_t choose(const struct pool *p, const struct in6_addr *a)
{
	uint32_t mask = p->n - 1, v = 0, size = p->hi - p->lo;

	for (int k = 0; k < 16; k += 4) {
		const uint8_t *b = a->s6_addr + k;
		v += (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		while (v > mask)
			v = (v & mask) + (v >> p->wbits);
	}
	/* `workers N`: a fold outside this worker's slice lands in it at the
	 * same offset modulo its size (one worker: the slice is the pool) */
	if (v < p->lo || v >= p->hi)
		v = p->lo + v % size;
	for (uint32_t i = 0; i < size; i++) {
		uint32_t k = p->lo + (v - p->lo + i) % size;
		if (p->s[k].state == SLOT_FREE)
			return k;
	}
	return p->freestack[p->nfree - 1]; /* not reached while nfree > 0 */
}

enum pool_result pool_lookup6(struct pool *p, const struct in6_addr *v6,
			      struct in_addr *v4, time_t now, bool create,
			      bool *created)
{
	uint32_t i;

	if (created)
		*created = false;
	if (!p)
		return POOL_NONE;
	i = find6(p, v6);
	if (i != NIL) {
		touch(p, i, now);
		*v4 = slot_v4(p, i);
		return POOL_OK;
	}
	if (!create)
		return POOL_NONE;
	/* free mappings idle for POOL_EXPIRE_SECS (oldest first) */
	while (p->lru_head != NIL && now - p->s[p->lru_head].last >= POOL_EXPIRE_SECS)
		release(p, p->lru_head);
	if (lim_reached(p, v6))
		return POOL_LIMITED;
	if (p->nfree) {
		i = choose(p, v6);
		free_remove(p, i);
	} else if (p->lru_head != NIL && now - p->s[p->lru_head].last >= POOL_DORMANT_SECS) {
		i = p->lru_head; /* least recently used dormant mapping */
		release(p, i);
		free_remove(p, i);
	} else {
		return POOL_FULL;
	}
	assign(p, i, v6, now, false);
	*v4 = slot_v4(p, i);
	if (created)
		*created = true;
	return POOL_OK;
}

enum pool_result pool_lookup4(struct pool *p, struct in_addr v4,
			      struct in6_addr *v6, time_t now)
{
	uint32_t i;
	if (!p)
		return POOL_NONE;
	i = ntohl(v4.s_addr) - p->net;
	if (ntohl(v4.s_addr) < p->net || i >= p->n || p->s[i].state != SLOT_USED)
		return POOL_NONE;
	touch(p, i, now);
	*v6 = p->s[i].v6;
	return POOL_OK;
}

size_t pool_count(const struct pool *p)
{
	return p ? p->count : 0;
}

/* The dormant mappings are the LRU list's head: O(dormant), once per
 * stats-file write. *size: the addresses mappings can use. */
size_t pool_dormant(const struct pool *p, time_t now, size_t *size)
{
	size_t d = 0;

	*size = p ? p->count + p->nfree : 0;
	for (uint32_t i = p ? p->lru_head : NIL; i != NIL && now - p->s[i].last >= POOL_DORMANT_SECS;
	     i = p->s[i].next)
		d++;
	return d;
}

bool pool_dirty(const struct pool *p)
{
	return p && p->dirty;
}

/* `workers N`: whose a mapping is. Another worker's (by its address and
 * its host) is not ours to load; after a change of N the host and the
 * address may belong to different workers: the host's worker gives it a
 * new address (REHOME), the address's worker lets it go (MOVED). */
static enum pool_place whose(const struct pool *p, uint32_t i, const struct in6_addr *v6)
{
	bool addr_ours = i >= p->lo && i < p->hi;
	bool host_ours = p->st.workers <= 1 || steer_v6(&p->st, v6->s6_addr) == p->w;

	if (addr_ours)
		return host_ours ? PLACE_OK : PLACE_MOVED;
	return host_ours ? PLACE_REHOME : PLACE_OTHER;
}

/* Place a mapping read from a file or an old pool (PLACE_BAD with why). */
static enum pool_place place(struct pool *p, struct in_addr v4, const struct in6_addr *v6,
			     time_t last, time_t now, bool append, const char **why)
{
	uint32_t h = ntohl(v4.s_addr), i = h - p->net;
	enum pool_place k;

	*why = NULL;
	if (h < p->net || i >= p->n) {
		*why = "address outside dynamic-pool";
		return p->w == 0 ? PLACE_BAD : PLACE_OTHER;  /* said once, by worker 0 */
	}
	if (p->s[i].state == SLOT_EXCLUDED) {
		*why = "address reserved or statically mapped";
		return p->w == 0 ? PLACE_BAD : PLACE_OTHER;
	}
	if ((k = whose(p, i, v6)) != PLACE_OK)
		return k;
	if (p->s[i].state == SLOT_USED || find6(p, v6) != NIL) {
		*why = "duplicate mapping";
		return PLACE_BAD;
	}
	if (now - last >= POOL_EXPIRE_SECS) {
		*why = "mapping expired";
		return PLACE_BAD;
	}
	if (addr_v6_is_forbidden(v6)) {
		*why = "IPv6 address may not be mapped";
		return PLACE_BAD;
	}
	free_remove(p, i);
	assign(p, i, v6, last > now ? now : last, append);
	return PLACE_OK;
}

enum pool_place pool_place(struct pool *p, struct in_addr v4, const struct in6_addr *v6,
			   time_t last, time_t now, const char **why)
{
	return place(p, v4, v6, last, now, true, why);
}

bool pool_rehome(struct pool *p, const struct in6_addr *v6, time_t last, time_t now,
		 struct in_addr *v4)
{
	uint32_t i;

	if (now - last >= POOL_EXPIRE_SECS || addr_v6_is_forbidden(v6) || find6(p, v6) != NIL ||
	    !p->nfree || lim_reached(p, v6))
		return false;
	i = choose(p, v6);
	free_remove(p, i);
	assign(p, i, v6, last > now ? now : last, false);
	*v4 = slot_v4(p, i);
	return true;
}

bool pool_loaded(struct pool *p)
{
	bool sorted = lru_sort(p);

	p->dirty = false;
	return sorted;
}

void pool_each(const struct pool *p, pool_each_fn *fn, void *arg)
{
	for (uint32_t i = p->lru_head; i != NIL; i = p->s[i].next)
		fn(arg, slot_v4(p, i), &p->s[i].v6, p->s[i].last);
}

void pool_migrate(struct pool *to, const struct pool *from)
{
	if (!to || !from)
		return;
	for (uint32_t i = from->lru_head; i != NIL; i = from->s[i].next) {
		const char *why;
		/* from's list is in order: each insert is at the tail */
		place(to, slot_v4(from, i), &from->s[i].v6, from->s[i].last,
		      from->s[i].last, false, &why);
	}
	to->dirty = from->dirty || to->count != from->count;
}

void pool_mark_clean(struct pool *p)
{
	p->dirty = false;
}
