/* addr.c - RFC 6052 address embedding and address classes. */
#include "lib/addr.h"

#include <arpa/inet.h>
#include <string.h>

const struct in6_addr addr_wkp = { { { 0, 0x64, 0xff, 0x9b } } };
const struct in6_addr addr_lwkp = { { { 0, 0x64, 0xff, 0x9b, 0, 1 } } };

bool addr_prefix_len_valid(unsigned len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

/* RFC 6052 2.2 figure 1: the IPv4 address bytes sit after the prefix,
 * skipping byte 8 (bits 64-71, the u-octet). Returns the byte positions. */
static void v4_positions(unsigned len, unsigned pos[4])
{
	unsigned b = len / 8;
	for (unsigned i = 0; i < 4; i++, b++) {
		if (b == 8)
			b++;
		pos[i] = b;
	}
}

void addr_embed(const struct in6_addr *prefix, unsigned len, struct in_addr v4,
		struct in6_addr *out)
{
	const uint8_t *a = (const uint8_t *)&v4.s_addr;
	unsigned pos[4];

	memset(out, 0, sizeof(*out));
	memcpy(out->s6_addr, prefix->s6_addr, len / 8);
	v4_positions(len, pos);
	for (unsigned i = 0; i < 4; i++)
		out->s6_addr[pos[i]] = a[i];
}

void addr_extract(const struct in6_addr *a, unsigned len, struct in_addr *out)
{
	uint8_t *o = (uint8_t *)&out->s_addr;
	unsigned pos[4];

	/* RFC 6052 2.2 only says how to form the u-octet (bits 64-71) and the
	 * suffix; on receipt both are ignored, as TAYGA and Jool do */
	v4_positions(len, pos);
	for (unsigned i = 0; i < 4; i++)
		o[i] = a->s6_addr[pos[i]];
}

static bool v4_in(uint32_t h, uint32_t net, unsigned len)
{
	return (h & addr_v4_mask(len)) == net;
}

bool addr_v4_is_nonglobal(struct in_addr a)
{
	/* RFC 6890 / IANA special-purpose ranges that are not globally
	 * reachable, as RFC 6052 3.1 asks for the WKP. 192.0.0.0/24 minus
	 * 192.0.0.0/29: the IPv4 Service Continuity Prefix (RFC 7335) is what
	 * a CLAT or DS-Lite B4 uses, and TAYGA accepts it with the WKP.
	 * 192.88.99.0/24 (former 6to4 relay anycast) is global in the registry. */
	static const struct { uint32_t net; unsigned len; } r[] = {
		{ 0x00000000, 8 },  { 0x0a000000, 8 },  { 0x64400000, 10 },
		{ 0x7f000000, 8 },  { 0xa9fe0000, 16 }, { 0xac100000, 12 },
		{ 0xc0000008, 29 }, { 0xc0000010, 28 }, { 0xc0000020, 27 },
		{ 0xc0000040, 26 }, { 0xc0000080, 25 }, { 0xc0000200, 24 },
		{ 0xc0a80000, 16 }, { 0xc6120000, 15 }, { 0xc6336400, 24 },
		{ 0xcb007100, 24 }, { 0xe0000000, 4 },  { 0xf0000000, 4 },
	};
	uint32_t h = ntohl(a.s_addr);
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (v4_in(h, r[i].net, r[i].len))
			return true;
	return false;
}

bool addr_v4_is_linklocal(struct in_addr a)
{
	return v4_in(ntohl(a.s_addr), 0xa9fe0000, 16);
}

bool addr_v4_is_forbidden(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	return v4_in(h, 0x00000000, 8) || v4_in(h, 0x7f000000, 8) ||
	       v4_in(h, 0xe0000000, 4) || v4_in(h, 0xf0000000, 4);
}

bool addr_v6_is_forbidden(const struct in6_addr *a)
{
	const uint8_t *b = a->s6_addr;
	/* ::/8 holds unspecified, loopback, v4-compatible; but the NAT64
	 * prefixes 64:ff9b::/96 and 64:ff9b:1::/48 live inside it */
	if (b[0] == 0x00)
		return !(addr_v6_in_prefix(a, &addr_wkp, 96) || addr_v6_in_prefix(a, &addr_lwkp, 48));
	return b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

bool addr_v6_range_forbidden(const struct in6_addr *a, unsigned len)
{
	static const struct in6_addr zero, fe80 = { { { 0xfe, 0x80 } } }, ff00 = { { { 0xff } } };

	/* a range wider than the /10 and /8 ones touches them if it holds
	 * their first address */
	if (len < 10)
		return addr_v6_in_prefix(&zero, a, len) || addr_v6_in_prefix(&fe80, a, len) ||
		       addr_v6_in_prefix(&ff00, a, len);
	if (a->s6_addr[0] != 0x00)
		return addr_v6_is_forbidden(a);
	/* inside ::/8 only what lies wholly in one of the NAT64 prefixes is
	 * translated: 64:ff9b::/64 holds 64:ff9b::/96, but an address with
	 * the IPv4 bits embedded after /64 is outside it */
	return !((len >= 96 && addr_v6_in_prefix(a, &addr_wkp, 96)) ||
		 (len >= 48 && addr_v6_in_prefix(a, &addr_lwkp, 48)));
}

bool addr_v6_in_prefix(const struct in6_addr *a, const struct in6_addr *p, unsigned len)
{
	unsigned full = len / 8, rem = len % 8;
	if (memcmp(a->s6_addr, p->s6_addr, full) != 0)
		return false;
	if (rem) {
		uint8_t m = (uint8_t)(0xff << (8 - rem));
		return (a->s6_addr[full] & m) == (p->s6_addr[full] & m);
	}
	return true;
}

void addr_v6_mask(struct in6_addr *a, unsigned len)
{
	unsigned i = len / 8;

	if (len >= 128)
		return;
	/* keep whole bytes, cut the partial one, clear the rest (EAM
	 * lookups mask every packet's addresses: no per-byte loop) */
	if (len % 8)
		a->s6_addr[i++] &= (uint8_t)(0xff << (8 - len % 8));
	memset(a->s6_addr + i, 0, 16 - i);
}
