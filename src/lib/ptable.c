/* ptable.c - bounded open-addressing table of prefixes (linear probing
 * within a fixed window; slots are never emptied, only handed over). */
#include "lib/ptable.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pkey_mask(struct pkey *k)
{
	unsigned full = k->len / 8, rem = k->len % 8;

	if (full >= sizeof(k->a))
		return;
	if (rem)
		k->a[full++] &= (uint8_t)(0xff00u >> rem);
	memset(k->a + full, 0, sizeof(k->a) - full);
}

void pkey_v6(struct pkey *k, const struct in6_addr *a, unsigned len)
{
	memcpy(k->a, a, 16);
	k->len = (uint8_t)(len > 128 ? 128 : len);
	k->family = 6;
	pkey_mask(k);
}

void pkey_v4(struct pkey *k, const struct in_addr *a, unsigned len)
{
	memset(k->a, 0, sizeof(k->a));
	memcpy(k->a, a, 4);
	k->len = (uint8_t)(len > 32 ? 32 : len);
	k->family = 4;
	pkey_mask(k);
}

const char *pkey_str(const struct pkey *k, char *buf)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(k->family == 6 ? AF_INET6 : AF_INET, k->a, s, sizeof(s));
	snprintf(buf, PKEY_STRLEN, "%s/%u", s, k->len);
	return buf;
}

int ptable_init(struct ptable *t, size_t entries)
{
	size_t cap = 16;

	while (cap < entries && cap < ((size_t)1 << 30))
		cap <<= 1;
	t->cap = cap;
	t->used = 0;
	t->last = 0;
	t->keys = calloc(cap, sizeof(*t->keys));
	return t->keys ? 0 : -1;
}

void ptable_free(struct ptable *t)
{
	free(t->keys);
	t->keys = NULL;
	t->cap = t->used = 0;
}

static uint64_t hash(const struct pkey *k)
{
	uint64_t a, b;

	memcpy(&a, k->a, 8);
	memcpy(&b, k->a + 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ull) ^ k->len) * 0xff51afd7ed558ccdull;
	return a ^ (a >> 32);
}

static bool same(const struct pkey *x, const struct pkey *y)
{
	uint64_t x0, x1, y0, y1;

	memcpy(&x0, x->a, 8);
	memcpy(&x1, x->a + 8, 8);
	memcpy(&y0, y->a, 8);
	memcpy(&y1, y->a + 8, 8);
	return ((x0 ^ y0) | (x1 ^ y1)) == 0 && x->family == y->family && x->len == y->len;
}

long ptable_get(struct ptable *t, const struct pkey *k,
		bool (*reuse)(void *arg, size_t slot), void *arg, bool *fresh)
{
	size_t m, h;

	*fresh = false;
	/* back-to-back packets of one flow: the slot of the last lookup */
	if (same(&t->keys[t->last], k))
		return (long)t->last;
	m = t->cap - 1;
	h = (size_t)hash(k) & m;
	for (size_t i = 0; i < PTABLE_PROBE && i < t->cap; i++) {
		size_t s = (h + i) & m;
		if (t->keys[s].family == 0) {
			/* slots are never emptied: k is not further on */
			t->keys[s] = *k;
			t->used++;
			*fresh = true;
			return (long)(t->last = s);
		}
		if (same(&t->keys[s], k))
			return (long)(t->last = s);
	}
	for (size_t i = 0; reuse && i < PTABLE_PROBE && i < t->cap; i++) {
		size_t s = (h + i) & m;
		if (reuse(arg, s)) {
			t->keys[s] = *k;
			*fresh = true;
			return (long)(t->last = s);
		}
	}
	return -1;
}

long ptable_replace(struct ptable *t, const struct pkey *k,
		    uint64_t (*rank)(const void *arg, size_t slot), const void *arg)
{
	size_t m = t->cap - 1, h = (size_t)hash(k) & m, best = 0;
	uint64_t lo = UINT64_MAX;

	for (size_t i = 0; i < PTABLE_PROBE && i < t->cap; i++) {
		size_t s = (h + i) & m;
		uint64_t r = rank(arg, s);
		if (r < lo) {
			lo = r;
			best = s;
		}
	}
	if (lo == UINT64_MAX)
		return -1;
	/* the old key leaves; lookups of others are unaffected since slots
	 * are never emptied */
	t->keys[best] = *k;
	return (long)(t->last = best);
}
