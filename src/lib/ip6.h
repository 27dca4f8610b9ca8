/* ip6.h - IPv6 extension header chain walk (RFC 8200 4), shared by the
 * translator, the ICMP error generator and the segmentation fallback. */
#ifndef TAYGA_IP6_H
#define TAYGA_IP6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many extension headers are walked; a longer chain is
 * treated as malformed (bounds work per packet). */
#define IP6_MAX_EXT 8

struct ip6_info {
	size_t l4off;        /* upper-layer header (for a non-first fragment:
			      * the data after the Fragment header) */
	uint8_t proto;       /* upper-layer protocol number */
	bool frag;           /* a Fragment header is present */
	uint16_t frag_off;   /* fragment offset in bytes */
	bool frag_more;      /* M flag */
	uint32_t frag_id;
	size_t segleft_at;   /* offset of a non-zero Segments Left field, or 0 */
	size_t nh_at;        /* offset of the Next Header field naming proto */
	bool ext_after_frag; /* the Fragment header's Next Header is an extension
			      * header (RFC 7915 5.1.1), ESP excepted */
};

/* An IPv6 extension header type other than ESP. */
static inline bool ip6_is_ext(uint8_t nh)
{
	/* RFC 8200 4 / IANA IPv6 Extension Header Types, ESP (50) left out:
	 * what follows it is encrypted, RFC 7915 5.1.1 translates it */
	switch (nh) {
	case IPPROTO_HOPOPTS: case IPPROTO_ROUTING: case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS: case IPPROTO_AH:
	case 135: case 139: case 140: case 253: case 254: /* MH, HIP, Shim6, experiments */
		return true;
	default:
		return false;
	}
}

/* Walk the chain of the IPv6 packet at b (len bytes of it are readable,
 * len >= 40). Returns 0, or -1 when a header runs past len or the chain is
 * longer than IP6_MAX_EXT. The walk stops after a Fragment header with a
 * non-zero offset: what follows is not a header. */
int ip6_walk(const uint8_t *b, size_t len, struct ip6_info *info);

#endif
