/* gso.h - software fallbacks for offload metadata: checksum completion and
 * segmentation of GSO super-packets. Used when a packet can't stay GSO
 * (e.g. it needs software handling) and when the kernel rejects GSO writes. */
#ifndef TAYGA_GSO_H
#define TAYGA_GSO_H

#include "lib/pkt.h"

/* Resolve OFF_F_NEEDS_CSUM: compute the L4 checksum over
 * [csum_start, len) seeded by the value stored at csum_start+csum_offset
 * (the uncomplemented pseudo-header sum), store it, clear the flag.
 * Returns 0, or -1 when csum_start/csum_offset lie outside the packet. */
int gso_csum_complete(struct pkt *p);

/* Split a GSO super-packet (IPv4 or IPv6; TCP, or UDP for OFF_GSO_UDP_L4)
 * into segments of at most gso_size payload bytes, each a complete packet
 * with correct lengths, IPv4 IDs (incremented), TCP sequence numbers and
 * flags (FIN/PSH last segment only, CWR first only) and full checksums.
 * Each segment is built in scratch (PKT_BUF_SIZE bytes) and passed to
 * emit. Returns the number of segments, or -1 for malformed metadata. */
int gso_segment(const struct pkt *p, uint8_t *scratch,
		void (*emit)(void *arg, const struct pkt *seg), void *arg);

#endif
