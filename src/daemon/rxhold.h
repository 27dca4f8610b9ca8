/* rxhold.h - when to hold the tun's packets back for a moment before
 * reading them (rx-hold-usecs), as a NIC moderates its interrupts.
 *
 * At a steady moderate rate every wake-up of the daemon found only a few
 * packets, and the cost per packet was the cost of the wake-up (two
 * context switches, poll(), one write that wakes the receiver) divided by
 * those few (docs/performance.md, issue 24). Waiting `us` microseconds
 * before draining lets the packets of that time share one wake-up. The
 * policy holds only while traffic flows in small batches: a packet after a
 * quiet spell (a ping, a DNS query now and then) is read at once, and so is
 * its answer (a hold needs RXHOLD_STREAK drains in a row, each less than
 * RXHOLD_ACTIVE_US after the one before: a steady stream), and so is
 * everything while bulk flows (a drain of TCP super-packets or of a full
 * tun in the last RXHOLD_ACTIVE_US: the ACKs in between must not delay the
 * next super-packet), so neither idle latency nor bulk throughput pays for
 * it. Pure: the loop passes the clock. */
#ifndef TAYGA_RXHOLD_H
#define TAYGA_RXHOLD_H

#include <stddef.h>
#include <stdint.h>

/* a drain that starts less than this after the last one ended continues a
 * stream; a stream of RXHOLD_STREAK such drains is steady */
#define RXHOLD_ACTIVE_US 2000
#define RXHOLD_STREAK 8
/* a drain of this many packets or bytes is bulk: no hold for a while. 64
 * is a full read batch (UREADER_BATCH): the queue held more than one read
 * takes, the daemon is behind, and holding would let the tun's queue
 * overflow under a flood (256 did: tx_dropped 30000-150000 per 5 s flood) */
#define RXHOLD_BULK_PKTS 64
#define RXHOLD_BULK_BYTES 32768

struct rxhold {
	uint64_t last_end_us;   /* when the last drain ended; 0: none yet */
	uint64_t last_bulk_us;  /* when the last bulk drain ended; 0: none yet */
	unsigned streak;        /* drains in a row that continued a stream */
};

/* A drain begins at now_us (the tun just became readable): the microseconds
 * to wait first, with rx-hold-usecs `us` (0: never). */
unsigned rxhold_delay(struct rxhold *h, unsigned us, uint64_t now_us);

/* A drain that read pkts packets of bytes bytes in all ended at now_us. */
void rxhold_drained(struct rxhold *h, uint64_t now_us, unsigned pkts, size_t bytes);

#endif
