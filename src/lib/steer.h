/* steer.h - which worker a packet belongs to (`workers N`, docs/scaling.md).
 *
 * The reference for the tun's steering program (io/steer_bpf.c builds the
 * same decisions as BPF instructions; its unit test runs both on the same
 * packets) and for the pool's slices (state/pool.c): a worker allocates
 * pool addresses only in its own slice, so the owner of an IPv4 pool
 * address is computed from the address alone, and the IPv6 side is hashed
 * on the client prefix only, so a client network stays on one worker.
 * Pure functions, no state. */
#ifndef TAYGA_STEER_H
#define TAYGA_STEER_H

#include <stddef.h>
#include <stdint.h>

#define STEER_MAX_WORKERS 1024

struct steer_params {
	unsigned workers;       /* 1..STEER_MAX_WORKERS */
	unsigned plen6;         /* leading bits of the IPv6 client address hashed, 0..128 */
	uint32_t pool_net;      /* first pool address, host order */
	uint32_t pool_n;        /* pool slots, a power of two (0: no pool) */
	unsigned pool_bits;     /* log2(pool_n) */
};

/* The worker of the IPv6 client address a (16 bytes): a hash of its first
 * plen6 bits, reduced to 0..workers-1. */
unsigned steer_v6(const struct steer_params *s, const uint8_t *a);
/* The worker that owns pool slot i (0..pool_n-1): contiguous slices, slot
 * i belongs to floor(i * workers / pool_n). */
unsigned steer_slot_owner(const struct steer_params *s, uint32_t i);
/* Slots [*lo, *hi) of worker w. */
void steer_slice(const struct steer_params *s, unsigned w, uint32_t *lo, uint32_t *hi);
/* The worker a packet (IP header first, len bytes) is steered to: IPv6 by
 * the client address (the source; for an ICMPv6 error right after the
 * fixed header, the quoted packet's destination, which is the client),
 * IPv4 to a pool address by the slot's owner, other IPv4 by a hash of the
 * two addresses (stateless: any worker). Too short or not IP: 0. */
unsigned steer_packet(const struct steer_params *s, const uint8_t *pkt, size_t len);

#endif
