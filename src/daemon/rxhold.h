/* rxhold.h - when to hold the tun's packets back for a moment before
 * reading them (rx-hold-usecs), as a NIC moderates its interrupts, and
 * when to poll for the next ones instead of sleeping (rx-busy-poll-usecs).
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
 * it.
 *
 * The other way round, rx-busy-poll-usecs: while bulk flows densely (TCP
 * super-packets and their ACKs, a tun the daemon is behind on), the loop
 * polls the tun that long before it goes to sleep, as the kernel's
 * net.core.busy_poll does for sockets. The next super-packet usually
 * comes within that time, and not sleeping saves the two context switches
 * and the wake-up latency each one cost (docs/performance.md). It polls
 * only right after a drain that came within that time of the one before,
 * less than RXHOLD_ACTIVE_US after a bulk one; a poll that finds nothing
 * stops polling for RXPOLL_BACKOFF_US, doubled with each such poll in a
 * row, so traffic that comes in bursts (a paced TCP flow at 1 Gbit/s) pays
 * one vain poll now and then, not one per burst. Pure: the loop passes
 * the clock. */
#ifndef TAYGA_RXHOLD_H
#define TAYGA_RXHOLD_H

#include <stdbool.h>
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
/* after a busy poll that found nothing, none for this long, doubled for
 * each such poll in a row up to RXPOLL_BACKOFF_MAX_SHIFT times (64 ms) */
#define RXPOLL_BACKOFF_US 2000
#define RXPOLL_BACKOFF_MAX_SHIFT 5

struct rxhold {
	uint64_t last_end_us;   /* when the last drain ended; 0: none yet */
	uint64_t last_bulk_us;  /* when the last bulk drain ended; 0: none yet */
	unsigned streak;        /* drains in a row that continued a stream */
	uint64_t last_gap_us;   /* from the drain before the last to the last; UINT64_MAX: none */
	uint64_t poll_quiet_until_us; /* no busy poll before (after vain ones) */
	unsigned poll_misses;   /* busy polls in a row that found nothing */
};

/* A drain begins at now_us (the tun just became readable): the microseconds
 * to wait first, with rx-hold-usecs `us` (0: never). */
unsigned rxhold_delay(struct rxhold *h, unsigned us, uint64_t now_us);

/* A drain that read pkts packets of bytes bytes in all ended at now_us. */
void rxhold_drained(struct rxhold *h, uint64_t now_us, unsigned pkts, size_t bytes);

/* After a drain, before the loop sleeps: the microseconds to busy-poll
 * first, with rx-busy-poll-usecs `us` (0: never). */
unsigned rxhold_busy_poll(const struct rxhold *h, unsigned us);

/* rx-busy-poll-usecs auto: polling pays only while another CPU runs the
 * rest of the path (the kernel's forwarding, senders, receivers): with
 * more CPUs online (ncpus) than translator processes (workers). */
bool rxhold_poll_pays(unsigned workers, long ncpus);

/* A busy poll ended at now_us; found: the tun had something. */
void rxhold_polled(struct rxhold *h, uint64_t now_us, bool found);

#endif
