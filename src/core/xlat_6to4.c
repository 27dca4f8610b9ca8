/* xlat_6to4.c - IPv6 -> IPv4 translation (RFC 7915 section 5).
 *
 * parse (xlat_parse.h) -> classify and map -> limits -> rewrite. The fast
 * path rewrites in place: the IPv4 header is written directly in front of
 * the L4 header (over the end of the removed IPv6 headers) and the L4
 * checksum is updated incrementally (RFC 1624). Nothing is rewritten
 * before the last check, so an ICMPv6 error quotes the packet as received
 * (RFC 4443 2.4(c)). ICMPv6 errors, whose quoted packet shrinks, are
 * translated in x->scratch (xlat_icmp.c).
 */
#include "core/xlat_pkt.h"

#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/proto.h"

/* Before an error about the destination or hop limit: a source that
 * embeds a martian gets none either (RFC 1812 4.3.2.7). The map alone:
 * a martian never comes from the pool. */
static bool src_martian(struct xlat_ctx *x, const struct xlat_pkt *xp)
{
	struct in_addr a;

	return !xp->icmp_err && map_6to4(x->cfg->map, &xp->s6, &a, NULL) == MAP_MARTIAN;
}

/* Destination, then (after the hop limit: a packet that dies here must not
 * create a dynamic mapping) the source (RFC 7915 5.1, RFC 6791). */
static enum xlat_step map_addrs(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	const struct config *c = x->cfg->conf;
	enum drop_reason why;

	if (!xlat_addr_6to4(x, &xp->d6, &xp->d4, false, &xp->dst_via_prefix, &why)) {
		if (why == DROP_MARTIAN || src_martian(x, xp))
			return xlat_martian(x, xp, true);
		/* RFC 7915 5.4 SHOULD: no mapping, or a destination that may
		 * not be translated (WKP + non-global, reserved), is answered
		 * No Route (TAYGA's code) */
		if (why == DROP_NO_MAP_DST || why == DROP_NO_MAP_SRC || why == DROP_FORBIDDEN_ADDR)
			return xlat_reject(xp, why == DROP_FORBIDDEN_ADDR ? why : DROP_NO_MAP_DST,
					   ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOROUTE, 0);
		return xlat_drop(xp, why);
	}
	if (memcmp(&xp->d6, &c->ipv6_addr, 16) == 0 || xp->d4.s_addr == c->ipv4_addr.s_addr)
		return xlat_to_self(x, xp, true);
	if (xp->ttl <= 1) {
		if (src_martian(x, xp))
			return xlat_martian(x, xp, true);
		if (!xlat_ttl_error_allowed(xp, IPPROTO_ICMPV6, ICMP6_ECHO_REQUEST))
			return xlat_drop(xp, DROP_TTL_EXPIRED);
		return xlat_reject(xp, DROP_TTL_EXPIRED, ICMP6_TIME_EXCEEDED,
				   ICMP6_TIME_EXCEED_TRANSIT, 0);
	}
	if (!xlat_addr_6to4(x, &xp->s6, &xp->s4, !xp->icmp_err, NULL, &why)) {
		if (xp->icmp_err) {
			xp->s4 = c->rfc6791_v4; /* RFC 6791 */
		} else if (why == DROP_MARTIAN) {
			return xlat_martian(x, xp, true);
		} else {
			return xlat_reject(xp, why == DROP_NO_MAP_DST ? DROP_NO_MAP_SRC : why,
					   ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_POLICY, 0);
		}
	}
	return XS_EMIT;
}

/* RFC 7915 5.1.1: an extension header after the Fragment header "SHOULD
 * be dropped and logged": IPv4 has no place for it, and the fragments
 * would leave with different protocol numbers. Answered Administratively
 * Prohibited, as the strict test vectors expect. */
static enum xlat_step ext_after_frag(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	char what[64];

	snprintf(what, sizeof(what), "extension header %u after a Fragment header,", xp->proto);
	xlat_log_drop(x, xp, true, what, false);
	return xlat_reject(xp, DROP_EXT_HDR, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_ADMIN, 0);
}

/* RFC 7915 5.1 / RFC 8200 8.1: a zero UDP checksum is invalid in IPv6;
 * udp-cksum-mode says what to do with one: forward it as an IPv4 datagram
 * without checksum (fwd), compute it (calc; not possible for a fragment),
 * or drop it (drop, reject: silently, an ICMPv4 code has no meaning here),
 * logged with addresses and ports as in the other direction (4.5). */
static enum xlat_step udp_zero(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	const struct config *c = x->cfg->conf;

	if (xp->seed || get16(xp->l4 + 6) != 0 || c->udp_cksum_mode == UDP_CKSUM_FWD)
		return XS_EMIT;
	if (c->udp_cksum_mode != UDP_CKSUM_CALC || xlat_real_frag(xp)) {
		xlat_log_drop(x, xp, true, "UDP with zero checksum", true);
		return xlat_drop(xp, DROP_UDP_ZERO_CKSUM);
	}
	xp->udp_calc = true;
	return XS_EMIT;
}

/* Offload metadata and per-protocol sanity, before anything is rewritten. */
static enum xlat_step limits(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	if (xlat_proto_conflicts(xp->proto, true))
		return xlat_drop(xp, DROP_BAD_PROTO);
	if (!xlat_offload_ok(xp))
		return xlat_drop(xp, DROP_OFFLOAD);
	if (xp->proto == IPPROTO_ICMPV6) {
		if (xlat_real_frag(xp))
			return xlat_drop(xp, DROP_FRAG); /* RFC 7915 5.2 */
		if (xp->l4len < ICMP_HDR)
			return xlat_drop(xp, DROP_TRUNCATED);
		/* ICMPv4 has no pseudo-header: the sum can't stay a seed */
		if (!xp->gso && !xlat_csum_complete(xp))
			return xlat_drop(xp, DROP_OFFLOAD);
		if (!xp->icmp_err && xp->l4[0] != ICMP6_ECHO_REQUEST && xp->l4[0] != ICMP6_ECHO_REPLY)
			return xlat_drop(xp, DROP_ICMP_TYPE); /* MLD, ND, unknown */
	} else if (xlat_l4_short(xp)) {
		return xlat_drop(xp, DROP_TRUNCATED);
	} else if (xp->first && xp->proto == IPPROTO_UDP) {
		return udp_zero(x, xp);
	}
	return XS_EMIT;
}

/* GSO: per-segment MTU check and the metadata for the IPv4 super-packet. */
static enum xlat_step gso_meta(struct xlat_ctx *x, struct xlat_pkt *xp, size_t tot)
{
	struct offload *o = &xp->p->off;
	size_t l4h = (o->gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV6 ?
		     (xp->l4len >= 13 ? (size_t)(xp->l4[12] >> 4) * 4 : 0) : 8;

	if (l4h < 8 || l4h > xp->l4len || o->gso_size == 0 || tot > 65535)
		return xlat_drop(xp, DROP_OFFLOAD);
	if (IP4_HDR + l4h + o->gso_size > x->cfg->mtu)
		return xlat_reject(xp, DROP_TOO_BIG, ICMP6_PACKET_TOO_BIG, 0, x->cfg->mtu + 20);
	xp->segs = (unsigned)((xp->l4len - l4h + o->gso_size - 1) / o->gso_size);
	o->hdr_len = (uint16_t)(IP4_HDR + l4h);
	o->csum_start = IP4_HDR;
	if ((o->gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV6)
		o->gso_type = (uint8_t)(OFF_GSO_TCPV4 | (o->gso_type & OFF_GSO_ECN));
	return XS_EMIT;
}

/* Rewrite the L4 header for IPv4: echo types (RFC 7915 5.2) and the
 * pseudo-header part of TCP/UDP checksums (5.5), incrementally. */
static void l4_translate(struct xlat_pkt *xp)
{
	uint8_t *l4 = xp->l4;

	if (xp->proto == IPPROTO_ICMPV6) {
		/* ICMPv4 has no pseudo-header */
		xlat_echo_rewrite(l4, l4[0] == ICMP6_ECHO_REQUEST ? ICMP_ECHO : ICMP_ECHOREPLY,
				  csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_ICMPV6, (uint32_t)xp->l4len), 0);
		return;
	}
	if (!xp->first || (xp->proto != IPPROTO_TCP && xp->proto != IPPROTO_UDP))
		return;
	if (xp->proto == IPPROTO_UDP && get16(l4 + 6) == 0 && !xp->seed) {
		/* udp_zero() let it through: fwd keeps 0, calc computes it */
		if (xp->udp_calc) {
			uint16_t v = csum_finish(csum_add(csum_pseudo4(xp->s4, xp->d4, IPPROTO_UDP,
								       (uint32_t)xp->l4len),
							  l4, xp->l4len));
			put16(l4 + 6, v ? ntohs(v) : 0xffff);
		}
		return;
	}
	/* length and protocol words sum the same: only addresses change */
	uint32_t old = csum_add(0, xp->ip + 8, 32);
	uint32_t nw = csum_add(csum_add(0, &xp->s4, 4), &xp->d4, 4);
	xlat_l4_csum(l4 + (xp->proto == IPPROTO_TCP ? 16 : 6), old, nw, xp->seed,
		     xp->proto == IPPROTO_UDP);
}

static enum xlat_step rewrite(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	struct pkt *p = xp->p;
	size_t tot = IP4_HDR + xp->l4len;
	bool df = !xp->frag && tot > IP4_DF_MIN; /* RFC 7915 5.1 */
	uint8_t hdr[IP4_HDR], proto = xp->proto;
	enum xlat_step s;

	if (xp->gso) {
		if ((s = gso_meta(x, xp, tot)) != XS_EMIT)
			return s;
		df = true;
	} else if (tot > x->cfg->mtu) {
		/* RFC 7915 5.1: IPv6 senders adjust; tell them the MTU that fits */
		uint32_t mtu = x->cfg->mtu + 20 + (xp->frag ? FRAG_HDR : 0);
		return xlat_reject(xp, DROP_TOO_BIG, ICMP6_PACKET_TOO_BIG, 0, mtu < 1280 ? 1280 : mtu);
	} else if (xp->seed) {
		p->off.csum_start = IP4_HDR;
	}
	l4_translate(xp);
	if (proto == IPPROTO_ICMPV6)
		proto = IPPROTO_ICMP;
	xlat_put_ip4(hdr, xp, proto, (uint8_t)(xp->ttl - 1), tot,
		     df || xp->frag ? 0 : xlat_next_id(x), df);
	uint8_t *ip4 = xp->l4 - IP4_HDR;
	memcpy(ip4, hdr, IP4_HDR);
	p->headroom += (size_t)(ip4 - p->data);
	p->data = ip4;
	p->len = tot;
	return XS_EMIT;
}

/* RFC 7757 4.2: a destination taken through the RFC 6052 prefix whose IPv4
 * address an EAM covers belongs to one of our own IPv6 hosts: the packet
 * goes round through 4->6, where its source is mapped through the prefix.
 * Checked before the rewrite so a refusal quotes the packet as received. */
static enum xlat_step hairpin_check(struct xlat_ctx *x, struct xlat_pkt *xp, bool *hairpin)
{
	const struct map *m = x->cfg->map;
	struct in6_addr s6;

	/* A pool address in the prefix reaches its host through the kernel's
	 * route back into the tun. One that nobody holds would only come back
	 * as an ICMPv4 error about the intermediate IPv4 packet, which cannot
	 * be translated for the IPv6 sender: answer it here instead. */
	if (xp->dst_via_prefix && map_v4_in_pool(m, xp->d4) &&
	    pool_lookup4(x->pool, xp->d4, &s6, x->now) != POOL_OK)
		return xlat_reject(xp, DROP_NO_MAP_DST, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOROUTE, 0);
	*hairpin = xp->dst_via_prefix && map_v4_has_eam(m, xp->d4);
	if (*hairpin && map_4to6_prefix(m, xp->s4, &s6) != MAP_OK)
		return xlat_reject(xp, DROP_FORBIDDEN_ADDR, ICMP6_DST_UNREACH,
				   ICMP6_DST_UNREACH_POLICY, 0);
	return XS_EMIT;
}

enum xlat_step xlat_6to4(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	enum xlat_step s;
	bool hairpin;

	if (xp->jumbo)
		return xlat_drop(xp, DROP_BAD_HEADER); /* no IPv4 form */
	if (xp->truncated)
		return xlat_drop(xp, DROP_TRUNCATED);
	xp->p->len = xp->len;
	if (xp->segleft_at) /* RFC 7915 5.1: Parameter Problem at Segments Left */
		return xlat_reject(xp, DROP_EXT_HDR, ICMP6_PARAM_PROB, ICMP6_PARAMPROB_HEADER,
				   (uint32_t)xp->segleft_at);
	if (xp->ext_after_frag)
		return ext_after_frag(x, xp);
	if ((s = map_addrs(x, xp)) != XS_EMIT || (s = limits(x, xp)) != XS_EMIT)
		return s;
	if (xp->icmp_err) /* hairpinned as well (RFC 7757 4.2) */
		return xlat_icmp_err_6to4(x, xp, xp->dst_via_prefix &&
					  map_v4_has_eam(x->cfg->map, xp->d4));
	if ((s = hairpin_check(x, xp, &hairpin)) != XS_EMIT || (s = rewrite(x, xp)) != XS_EMIT)
		return s;
	return hairpin ? XS_HAIRPIN : XS_EMIT;
}
