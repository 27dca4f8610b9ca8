/* csum.c - RFC 1071 checksum and RFC 1624 incremental update. */
#include "lib/csum.h"

#include <string.h>

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
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
