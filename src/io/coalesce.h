/* coalesce.h - write batching for UDP (the reverse of the kernel's USO).
 *
 * Consecutive translated UDP datagrams of one flow with the same payload
 * size (the last one may be shorter) are written to the tun as one UDP GSO
 * super-packet (OFF_GSO_UDP_L4). The kernel splits it back into the same
 * datagrams: payloads, lengths, checksums (computed, so only datagrams whose
 * checksum is known to be good are merged: a bad one stays bad) and, for
 * IPv4 without DF, the same consecutive IDs. One write and one pass through
 * the host's routing/netfilter path then serve up to COALESCE_MAX_SEGS
 * datagrams. A run never outlives one drain of the tun (the caller flushes
 * before it waits), so no datagram is delayed. */
#ifndef TAYGA_COALESCE_H
#define TAYGA_COALESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pkt.h"

/* the kernel's UDP_MAX_SEGMENTS was 64 before Linux 6.x raised it */
#define COALESCE_MAX_SEGS 64

struct coalesce {
	uint8_t *buf;        /* PKT_BUF_SIZE bytes: the pending run */
	struct pkt p;        /* the pending run (valid while n > 0) */
	size_t l4;           /* offset of its UDP header (20 or 40) */
	size_t seg;          /* payload bytes per datagram (the first one's) */
	unsigned n;          /* datagrams in the run */
	bool closed;         /* a shorter datagram ended the run */
	uint64_t *merged;    /* counter: datagrams sent inside a super-packet */
	void (*out)(void *arg, const struct pkt *p);
	void *arg;
};

void coalesce_init(struct coalesce *c, uint8_t *buf, uint64_t *merged,
		   void (*out)(void *arg, const struct pkt *p), void *arg);
/* Hand over a packet to be written: it joins the pending run, starts a new
 * one (the old one is flushed), or is passed to out after a flush. p is not
 * referenced after the call. */
void coalesce_put(struct coalesce *c, const struct pkt *p);
/* Write the pending run, if any: a lone datagram exactly as it was put,
 * several as one super-packet. */
void coalesce_flush(struct coalesce *c);

#endif
