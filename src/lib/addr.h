/* addr.h - RFC 6052 address embedding and address classes. Pure functions. */
#ifndef TAYGA_ADDR_H
#define TAYGA_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* 64:ff9b::/96 (RFC 6052 2.1) and 64:ff9b:1::/48 (RFC 8215) */
extern const struct in6_addr addr_wkp;
extern const struct in6_addr addr_lwkp;

/* true for 32, 40, 48, 56, 64, 96 (RFC 6052 2.2) */
bool addr_prefix_len_valid(unsigned len);

/* RFC 6052 2.2: embed v4 into prefix/len (u-octet bits 64..71 zero, suffix
 * zero). prefix must be masked. */
void addr_embed(const struct in6_addr *prefix, unsigned len, struct in_addr v4,
		struct in6_addr *out);

/* Inverse of addr_embed; the caller has checked that a is inside prefix/len.
 * The u-octet and the suffix are ignored (RFC 6052 2.2 only says how to
 * form them). */
void addr_extract(const struct in6_addr *a, unsigned len, struct in_addr *out);

/* RFC 6052 3.1 / RFC 6890: addresses that must not be used with the WKP */
bool addr_v4_is_nonglobal(struct in_addr a);

/* RFC 3927 2.7: 169.254.0.0/16 is never translated through the RFC 6052
 * prefix (it may still be mapped by `map` lines or the dynamic pool) */
bool addr_v4_is_linklocal(struct in_addr a);

/* Never translated: 0/8, 127/8, 224/4 (incl. 240/4 class E), 255.255.255.255 */
bool addr_v4_is_forbidden(struct in_addr a);
/* Martian (RFC 1812 5.3.7, 4.2.2.11): 0/8, 127/8, 224/4 (class D) and
 * 255.255.255.255; packets from or to them are discarded silently. Class E
 * (240/4) is forbidden but not in this set. Inline, on the first octet: it
 * runs for both addresses of every IPv4->IPv6 packet. */
static inline bool addr_v4_is_martian(struct in_addr a)
{
	const uint8_t *b = (const uint8_t *)&a.s_addr;  /* network order */

	return b[0] == 0 || b[0] == 127 || (b[0] & 0xf0) == 0xe0 || a.s_addr == 0xffffffffu;
}
/* Never translated: ::/8 (unspecified, loopback, v4-compat), ff00::/8, fe80::/10 */
bool addr_v6_is_forbidden(const struct in6_addr *a);

/* Does a/len (masked) hold any address addr_v6_is_forbidden() refuses? A
 * prefix or map range that does is (partly) untranslatable. */
bool addr_v6_range_forbidden(const struct in6_addr *a, unsigned len);

/* prefix helpers */
bool addr_v6_in_prefix(const struct in6_addr *a, const struct in6_addr *p, unsigned len);
void addr_v6_mask(struct in6_addr *a, unsigned len);
static inline uint32_t addr_v4_mask(unsigned len)
{
	return len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
}

#endif
