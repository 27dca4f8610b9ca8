/* xlat_parse.h - the one parse of each packet into struct xlat_pkt.
 * Inline: every packet runs it, and the ICMP error path parses the packets
 * quoted in errors with the same code. Internal to the translator. */
#ifndef TAYGA_XLAT_PARSE_H
#define TAYGA_XLAT_PARSE_H

#include <stdint.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/ip6.h"
#include "lib/proto.h"
#include "core/xlat_pkt.h"

/* Fill xp from the IPv4 / IPv6 packet at ip (len bytes readable); p is
 * the buffer it lives in (offload state), NULL for a quoted packet, which is
 * only read. Lenient about a total length beyond len (xp->truncated).
 * Returns true, or false with xp->why when there is no usable header. */

static inline bool xlat_parse_fail(struct xlat_pkt *xp, enum drop_reason why)
{
	xp->why = why;
	return false;
}

/* Fields every parse sets the same way. Field by field, not a memset of
 * the whole struct: this runs for every packet; the rest is set by the
 * parse (or, for the mapped addresses, by the direction before use). */
static inline void xlat_parse_common(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	xp->p = p;
	/* a quoted packet (p == NULL) is only read; see xlat_pkt.h */
	xp->ip = (uint8_t *)(uintptr_t)ip;
	xp->caplen = len;
	xp->truncated = xp->jumbo = false;
	xp->segs = 1;
	xp->segleft_at = xp->nh_at = 0;
	xp->ext_after_frag = false;
	xp->df = xp->icmp_err = false;
	xp->dst_via_prefix = xp->hairpin = xp->udp_calc = false;
	xp->why = DROP_MAX;
	xp->err.set = false;
	xp->gso = p && p->off.gso_type != OFF_GSO_NONE;
	xp->seed = p && (p->off.flags & OFF_F_NEEDS_CSUM);
}

static inline bool xlat_parse4(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	size_t ihl, tot;
	uint16_t fr;

	xlat_parse_common(xp, p, ip, len);
	if (len < IP4_HDR)
		return xlat_parse_fail(xp, DROP_TRUNCATED);
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || ihl < IP4_HDR)
		return xlat_parse_fail(xp, DROP_BAD_HEADER);
	if (ihl > len)
		return xlat_parse_fail(xp, DROP_TRUNCATED);
	tot = get16(ip + 2);
	if (tot < ihl)
		return xlat_parse_fail(xp, DROP_BAD_HEADER);
	xp->truncated = tot > len;
	xp->len = xp->truncated ? len : tot;
	xp->l4off = ihl;
	xp->l4 = xp->ip + ihl;
	xp->l4len = xp->len - ihl;
	xp->proto = ip[9];
	xp->ttl = ip[8];
	fr = get16(ip + 6);
	xp->frag = (fr & (IP4_MF | IP4_OFFMASK)) != 0;
	xp->first = (fr & IP4_OFFMASK) == 0;
	xp->more = fr & IP4_MF;
	xp->df = fr & IP4_DF;
	xp->frag_off = (uint16_t)((fr & IP4_OFFMASK) * 8);
	xp->frag_id = get16(ip + 4);
	memcpy(&xp->s4, ip + 12, 4);
	memcpy(&xp->d4, ip + 16, 4);
	xp->icmp_err = xp->proto == IPPROTO_ICMP && xp->first && xp->l4len >= 1 &&
		       xlat_icmp4_is_error(xp->l4[0]);
	return true;
}

static inline bool xlat_parse6(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	struct ip6_info ii;
	size_t tot;

	xlat_parse_common(xp, p, ip, len);
	if (len < IP6_HDR)
		return xlat_parse_fail(xp, DROP_TRUNCATED);
	if (ip[0] >> 4 != 6)
		return xlat_parse_fail(xp, DROP_BAD_HEADER);
	tot = IP6_HDR + (size_t)get16(ip + 4);
	/* payload length 0 with Hop-by-Hop: a jumbogram (RFC 2675), which
	 * has no IPv4 form; a quote of one takes what is there */
	xp->jumbo = tot == IP6_HDR && len > IP6_HDR && ip[6] == IPPROTO_HOPOPTS;
	if (xp->jumbo)
		tot = len;
	xp->truncated = tot > len;
	xp->len = xp->truncated ? len : tot;
	memcpy(&xp->s6, ip + 8, 16);
	memcpy(&xp->d6, ip + 24, 16);
	xp->ttl = ip[7];
	if (!ip6_is_ext(ip[6])) {
		/* the common case: no extension headers, nothing to walk */
		memset(&ii, 0, sizeof(ii));
		ii.l4off = IP6_HDR;
		ii.proto = ip[6];
		ii.nh_at = 6;
	} else if (ip6_walk(ip, xp->len, &ii) != 0) {
		return xlat_parse_fail(xp, xp->truncated ? DROP_TRUNCATED : DROP_EXT_HDR);
	}
	xp->l4off = ii.l4off;
	xp->l4 = xp->ip + ii.l4off;
	xp->l4len = xp->len - ii.l4off;
	xp->proto = ii.proto;
	xp->frag = ii.frag;
	xp->first = ii.frag_off == 0;
	xp->more = ii.frag_more;
	xp->frag_off = ii.frag_off;
	xp->frag_id = ii.frag_id;
	xp->segleft_at = ii.segleft_at;
	xp->nh_at = ii.nh_at;
	xp->ext_after_frag = ii.ext_after_frag;
	xp->icmp_err = xp->proto == IPPROTO_ICMPV6 && xp->first && xp->l4len >= 1 &&
		       xp->l4[0] < ICMP6_ECHO_REQUEST;
	return true;
}

#endif
