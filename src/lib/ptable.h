/* ptable.h - bounded hash table of address prefixes (IPv4 or IPv6).
 *
 * The keys for usage accounting and per-prefix rate limits. Fixed size,
 * allocated once: a prefix that finds no free slot within PTABLE_PROBE
 * slots of its hash gets -1 and the caller counts it under "other"; memory
 * never grows with the number of prefixes seen. Values live in the
 * caller's arrays, indexed by slot.
 */
#ifndef TAYGA_PTABLE_H
#define TAYGA_PTABLE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTABLE_PROBE 16      /* slots tried per lookup */
#define PKEY_STRLEN (INET6_ADDRSTRLEN + 4)

/* A prefix: the address masked to len bits. family 0 = empty slot. */
struct pkey {
	uint8_t a[16];       /* IPv4 in the first 4 bytes */
	uint8_t family;      /* 4 or 6 */
	uint8_t len;
};

struct ptable {
	size_t cap;          /* power of two */
	size_t used;
	size_t last;         /* slot of the last lookup (a one-entry cache) */
	struct pkey *keys;
};

/* Fold an address to its prefix. */
void pkey_v6(struct pkey *k, const struct in6_addr *a, unsigned len);
void pkey_v4(struct pkey *k, const struct in_addr *a, unsigned len);
/* Clear the bits past k->len (after shortening it). */
void pkey_mask(struct pkey *k);
/* "2001:db8::/32", "192.0.2.0/24"; buf has PKEY_STRLEN bytes */
const char *pkey_str(const struct pkey *k, char *buf);

/* At least `entries` slots (rounded up to a power of two). 0 or -1. */
int ptable_init(struct ptable *t, size_t entries);
void ptable_free(struct ptable *t);

/* Slot of k, inserting it when absent (*fresh = true). When the probe
 * window is full, reuse(arg, slot) may hand over an occupied slot (the
 * caller then resets its value); -1 when no slot is found. */
long ptable_get(struct ptable *t, const struct pkey *k,
		bool (*reuse)(void *arg, size_t slot), void *arg, bool *fresh);
/* For a k that ptable_get() found no slot for: hand k the slot of its probe
 * window with the lowest rank(arg, slot) (UINT64_MAX: not to be taken), for
 * a caller that evicts the least recently used. The caller moves or resets
 * the slot's value. -1 when rank refuses every slot. */
long ptable_replace(struct ptable *t, const struct pkey *k,
		    uint64_t (*rank)(const void *arg, size_t slot), const void *arg);

#endif
