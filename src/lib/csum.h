/* csum.h - Internet checksum (RFC 1071) and incremental update (RFC 1624). */
#ifndef TAYGA_CSUM_H
#define TAYGA_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One's complement sum of len bytes (network order words) added to sum.
 * The result is folded to 16 bits (not complemented), so a few results can
 * be added in a uint32_t safely. Odd lengths pad a zero (last piece only).
 * Inline: most calls sum addresses of a fixed size (the pseudo-header
 * update on every packet), which the compiler then unrolls to a few adds. */
static inline uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	while (len >= 8) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		/* 32-bit words in memory order; folding later gives the same
		 * one's complement sum as 16-bit words (RFC 1071 2.(B)) */
		s += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		s += w;
	}
	/* fold to 16 bits so callers may add a few results without overflow */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Fold to 16 bits (not complemented). */
uint16_t csum_fold(uint32_t sum);
/* Final checksum value to store: ~fold(sum), in network byte order. */
static inline uint16_t csum_finish(uint32_t sum) { return (uint16_t)~csum_fold(sum); }

/* Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 8.1 for IPv6),
 * unfolded, host arithmetic on network-order words. */
uint32_t csum_pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto, uint32_t len);
uint32_t csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t nexthdr, uint32_t len);

/* RFC 1624 eqn. 3: given a stored checksum field value (network order, as in
 * the packet) and the unfolded sums of the removed and added 16-bit words,
 * return the new field value. A bad checksum stays exactly as bad. */
uint16_t csum_replace(uint16_t field, uint32_t old_sum, uint32_t new_sum);

#endif
