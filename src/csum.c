/* csum.c - RFC 1071 checksum and RFC 1624 incremental update. */
#include "csum.h"

#include <string.h>

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
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
	/* reduce to 32 bits without losing carries */
	/* fold to 16 bits so callers may add a few results without overflow */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t csum_addr4(struct in_addr a)
{
	return csum_add(0, &a, 4);
}

uint32_t csum_addr6(const struct in6_addr *a)
{
	return csum_add(0, a, 16);
}

/* Words are summed in memory (network) order throughout, so constants that
 * are host values must be stored via htons/htonl before being added. */
uint32_t csum_pseudo4(struct in_addr src, struct in_addr dst, uint8_t proto, uint32_t len)
{
	uint32_t s = csum_add(csum_add(0, &src, 4), &dst, 4);
	uint16_t w[2] = { htons(proto), htons((uint16_t)len) };
	return csum_add(s, w, sizeof(w));
}

uint32_t csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t nexthdr, uint32_t len)
{
	uint32_t s = csum_add(csum_add(0, src, 16), dst, 16);
	uint32_t w[2] = { htonl(len), htonl(nexthdr) };
	return csum_add(s, w, sizeof(w));
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Sums of several words work the
 * same way because one's complement addition is associative. */
uint16_t csum_replace(uint16_t field, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = (uint16_t)~field;
	s += (uint16_t)~csum_fold(old_sum);
	s += csum_fold(new_sum);
	return (uint16_t)~csum_fold(s);
}
