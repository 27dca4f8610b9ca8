/* xlat_4to6.c - IPv4 -> IPv6 translation (RFC 7915 section 4).
 *
 * parse (xlat_parse.h) -> classify and map -> limits -> rewrite. The fast
 * path rewrites the packet in place: the IPv6 header is written into the
 * headroom in front of the (option-less) L4 header and the L4 checksum is
 * updated incrementally (RFC 1624), so a wrong checksum stays exactly as
 * wrong. ICMP errors, whose quoted packet grows, and fragments are built in
 * x->scratch. Nothing is rewritten before the last check, so an ICMPv4
 * error about the packet quotes it as received.
 */
#include "core/xlat_pkt.h"

#include <string.h>

#include "lib/addr.h"
#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/proto.h"

/* Unexpired LSRR/SSRR option (RFC 7915 4.1): true when present. */
static bool src_route_pending(const uint8_t *opt, size_t olen)
{
	size_t i = 0;
	while (i < olen) {
		uint8_t t = opt[i];
		if (t == 0)
			break;          /* end of option list */
		if (t == 1) {
			i++;            /* no-op */
			continue;
		}
		if (i + 1 >= olen || opt[i + 1] < 2 || opt[i + 1] > olen - i)
			return false;   /* malformed: options are dropped anyway */
		if ((t == 131 || t == 137) && opt[i + 1] >= 3 && opt[i + 2] <= opt[i + 1])
			return true;
		i += opt[i + 1];
	}
	return false;
}

/* Before an error about the destination: a source that would embed a
 * martian (169.254/16 through the prefix) gets none either (RFC 1812
 * 4.3.2.7). An ICMP error's source is handled apart (RFC 7915 4.1). */
static bool src_martian(struct xlat_ctx *x, const struct xlat_pkt *xp)
{
	struct in6_addr a;

	return !xp->icmp_err && map_4to6(x->cfg->map, xp->s4, &a) == MAP_MARTIAN;
}

/* Destination and source addresses (RFC 7915 4.1, RFC 6791 for errors). */
static enum xlat_step map_addrs(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	enum drop_reason why;
	const struct map *m = x->cfg->map;

	if (!xlat_addr_4to6(x, xp->d4, &xp->d6, &why)) {
		if (why == DROP_MARTIAN || src_martian(x, xp))
			return xlat_martian(x, xp, false);
		/* RFC 7915 4.4 SHOULD: no mapping or a refused destination is
		 * answered Host Unreachable (TAYGA's code) */
		if (why == DROP_NO_MAP_DST || why == DROP_FORBIDDEN_ADDR)
			return xlat_reject(xp, why, ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
		return xlat_drop(xp, why);
	}
	if (xp->hairpin) {
		/* RFC 7757 4.2: the second pass maps the source through the
		 * prefix, so the reply returns to the address the sender used */
		switch (map_4to6_prefix(m, xp->s4, &xp->s6)) {
		case MAP_OK:
			return XS_EMIT;
		case MAP_MARTIAN:
			return xlat_martian(x, xp, false);
		default:
			return xlat_drop(xp, DROP_FORBIDDEN_ADDR);
		}
	}
	if (xlat_addr_4to6(x, xp->s4, &xp->s6, &why))
		return XS_EMIT;
	if (xp->icmp_err) {
		/* RFC 7915 4.1: an "illegal" source of an ICMP error (127/8,
		 * 0/8, ...) is translated through the prefix for trouble
		 * shooting; any other unmappable one becomes the RFC 6791
		 * address */
		const struct config *c = x->cfg->conf;
		if (c->have_prefix && addr_v4_is_forbidden(xp->s4))
			addr_embed(&c->prefix, c->prefix_len, xp->s4, &xp->s6);
		else
			xp->s6 = c->rfc6791_v6;
		return XS_EMIT;
	}
	if (why == DROP_MARTIAN)
		return xlat_martian(x, xp, false);
	if (why == DROP_FORBIDDEN_ADDR) /* may not be embedded: RFC 7915 4.4, TAYGA's code */
		return xlat_reject(xp, why, ICMP_UNREACH, ICMP_UNREACH_HOST_PROHIB, 0);
	return xlat_drop(xp, why == DROP_NO_MAP_DST ? DROP_NO_MAP_SRC : why);
}

/* RFC 7915 4.5: a zero-checksum UDP datagram that is not translated is
 * logged with "at least the IP addresses and port numbers". 4.4 only asks
 * that the translator be able to answer it Communication Administratively
 * Prohibited: udp-cksum-mode reject does (rate-limited like every error we
 * send); drop, and calc for a fragment it cannot sum, stay silent as TAYGA. */
static enum xlat_step udp_zero_refused(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	xlat_log_drop(x, xp, false, "UDP with zero checksum", true);
	if (x->cfg->conf->udp_cksum_mode != UDP_CKSUM_REJECT)
		return xlat_drop(xp, DROP_UDP_ZERO_CKSUM);
	return xlat_reject(xp, DROP_UDP_ZERO_CKSUM, ICMP_UNREACH, ICMP_UNREACH_FILTER_PROHIB, 0);
}

/* TTL, options, offload metadata and per-protocol sanity, before anything
 * is rewritten. */
static enum xlat_step limits(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	const struct config *c = x->cfg->conf;

	if (!xp->hairpin && xp->ttl <= 1) {
		if (!xlat_ttl_error_allowed(xp, IPPROTO_ICMP, ICMP_ECHO))
			return xlat_drop(xp, DROP_TTL_EXPIRED);
		return xlat_reject(xp, DROP_TTL_EXPIRED, ICMP_TIMXCEED, ICMP_TIMXCEED_INTRANS, 0);
	}
	if (xlat_proto_conflicts(xp->proto, false))
		return xlat_drop(xp, DROP_BAD_PROTO);
	if (xp->l4off > IP4_HDR && src_route_pending(xp->ip + IP4_HDR, xp->l4off - IP4_HDR))
		return xlat_reject(xp, DROP_SRC_ROUTE, ICMP_UNREACH, ICMP_UNREACH_SRCFAIL, 0);
	if (!xlat_offload_ok(xp))
		return xlat_drop(xp, DROP_OFFLOAD);
	if (xp->proto == IPPROTO_ICMP) {
		if (xp->frag)
			return xlat_drop(xp, DROP_FRAG); /* RFC 7915 4.2: not translated */
		if (xp->l4len < ICMP_HDR)
			return xlat_drop(xp, DROP_TRUNCATED);
		/* ICMP has no pseudo-header in IPv4: sum it here, not later */
		if (!xp->gso && !xlat_csum_complete(xp))
			return xlat_drop(xp, DROP_OFFLOAD);
		if (!xp->icmp_err && xp->l4[0] != ICMP_ECHO && xp->l4[0] != ICMP_ECHOREPLY)
			return xlat_drop(xp, DROP_ICMP_TYPE);
	} else if (xlat_l4_short(xp)) {
		return xlat_drop(xp, DROP_TRUNCATED);
	} else if (xp->first && xp->proto == IPPROTO_UDP) {
		/* RFC 7915 4.5: IPv6 requires a UDP checksum */
		if (get16(xp->l4 + 6) == 0 && !xp->seed && c->udp_cksum_mode != UDP_CKSUM_FWD &&
		    (c->udp_cksum_mode != UDP_CKSUM_CALC || xp->frag))
			return udp_zero_refused(x, xp);
	}
	return XS_EMIT;
}

/* Rewrite the L4 header for IPv6 (RFC 7915 4.2 echo type, 4.5 checksums),
 * incrementally so a wrong checksum stays wrong. An ICMP packet here is an
 * unfragmented echo request/reply. */
static void l4_translate(const struct config *c, struct xlat_pkt *xp)
{
	uint8_t *l4 = xp->l4;

	if (xp->proto == IPPROTO_ICMP) {
		xlat_echo_rewrite(l4, l4[0] == ICMP_ECHO ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY, 0,
				  csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_ICMPV6, (uint32_t)xp->l4len));
		return;
	}
	if (!xp->first)
		return;
	/* only the addresses differ between the two pseudo-headers */
	uint32_t old = csum_add(0, xp->ip + 12, 8);
	uint32_t nw = csum_add(csum_add(0, &xp->s6, 16), &xp->d6, 16);
	if (xp->proto == IPPROTO_TCP) {
		xlat_l4_csum(l4 + 16, old, nw, xp->seed, false);
	} else if (xp->proto == IPPROTO_UDP) {
		if (get16(l4 + 6) != 0 || xp->seed) {
			xlat_l4_csum(l4 + 6, old, nw, xp->seed, true);
		} else if (c->udp_cksum_mode == UDP_CKSUM_CALC) {
			/* zero checksum: calc computes one, fwd leaves it */
			uint16_t v = csum_finish(csum_add(csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_UDP,
								       (uint32_t)xp->l4len),
							  l4, xp->l4len));
			if (v == 0)
				v = 0xffff;
			memcpy(l4 + 6, &v, 2);
		}
	}
}

/* DF=0 and bigger than the IPv6 side can take: IPv6 fragments (RFC 7915
 * 4.1), each at most fsize bytes, built in scratch from the translated
 * payload. */
static enum xlat_step fragment(struct xlat_ctx *x, struct xlat_pkt *xp, uint8_t nh,
			       size_t fsize)
{
	size_t chunk = (fsize - IP6_HDR - FRAG_HDR) & ~(size_t)7;
	uint8_t *out = x->scratch + PKT_HEADROOM;
	bool was_frag = xp->frag, more_after = xp->more, written = false;

	if (chunk == 0)
		return xlat_drop(xp, DROP_TOO_BIG);
	if (!xlat_csum_complete(xp))
		return xlat_drop(xp, DROP_OFFLOAD);
	l4_translate(x->cfg->conf, xp);
	xp->frag = true;
	for (size_t done = 0; done < xp->l4len; done += chunk) {
		size_t n = xp->l4len - done < chunk ? xp->l4len - done : chunk;
		bool more = done + n < xp->l4len || more_after;
		size_t hl = xlat_put_ip6(out, xp, nh, xlat_hlim_4to6(xp), n,
					 (uint16_t)(xp->frag_off + done), more);
		memcpy(out + hl, xp->l4 + done, n);
		/* what the output refused is a drop, not translated bytes */
		if (xlat_emit_scratch(x, hl + n).verdict != XLAT_OK)
			continue;
		x->stats->bytes[DIR_4TO6] += hl + n;
		x->stats->segs[DIR_4TO6]++;
		written = true;
	}
	xp->frag = was_frag;
	if (written)
		x->stats->pkts[DIR_4TO6]++;
	return XS_DONE;
}

/* Sizes (MTU, GSO segments, fragmentation), then the in-place rewrite. */
static enum xlat_step rewrite(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	const struct config *c = x->cfg->conf;
	struct pkt *p = xp->p;
	size_t hl = IP6_HDR + (xp->frag ? FRAG_HDR : 0), v6len = hl + xp->l4len, l4h;
	uint8_t nh = xp->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : xp->proto;
	uint8_t hdr[IP6_HDR + FRAG_HDR];

	if (xp->gso) {
		/* per segment: headers + gso_size must fit the MTU */
		l4h = (p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV4 ?
		      (xp->l4len >= 13 ? (size_t)(xp->l4[12] >> 4) * 4 : 0) : 8;
		if (l4h < 8 || l4h > xp->l4len || p->off.gso_size == 0)
			return xlat_drop(xp, DROP_OFFLOAD);
		xp->segs = (unsigned)((xp->l4len - l4h + p->off.gso_size - 1) / p->off.gso_size);
		if (IP6_HDR + l4h + p->off.gso_size > x->cfg->mtu)
			return xlat_reject(xp, DROP_TOO_BIG, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
					   x->cfg->mtu - 20);
		p->off.hdr_len = (uint16_t)(IP6_HDR + l4h);
		if ((p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV4)
			p->off.gso_type = (uint8_t)(OFF_GSO_TCPV6 | (p->off.gso_type & OFF_GSO_ECN));
	} else if (v6len > x->cfg->mtu || (!xp->df && v6len > c->offlink_mtu)) {
		/* RFC 7915 4.1: DF set -> Fragmentation Needed with the MTU the
		 * IPv4 sender can use; DF clear -> IPv6 fragments */
		if (xp->df)
			return xlat_reject(xp, DROP_TOO_BIG, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
					   x->cfg->mtu - 20);
		return fragment(x, xp, nh, c->offlink_mtu < x->cfg->mtu ? c->offlink_mtu : x->cfg->mtu);
	}
	if (p->headroom + xp->l4off < hl)
		return xlat_drop(xp, DROP_OFFLOAD); /* caller gave too little headroom */
	l4_translate(c, xp);
	if (xp->seed)
		p->off.csum_start = (uint16_t)hl;
	xlat_put_ip6(hdr, xp, nh, xlat_hlim_4to6(xp), xp->l4len,
		     xp->frag_off, xp->more);
	p->data = xp->l4 - hl;
	p->headroom = p->headroom + xp->l4off - hl;
	memcpy(p->data, hdr, hl);
	p->len = v6len;
	return XS_EMIT;
}

enum xlat_step xlat_4to6(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	enum xlat_step s;

	if (xp->truncated)
		return xlat_drop(xp, DROP_TRUNCATED);
	xp->p->len = xp->len; /* link-layer padding is not part of the packet */
	if (csum_fold(csum_add(0, xp->ip, xp->l4off)) != 0xffff)
		return xlat_drop(xp, DROP_BAD_V4_CKSUM);
	if (xp->d4.s_addr == x->cfg->conf->ipv4_addr.s_addr)
		return xlat_to_self(x, xp, false);
	if ((s = map_addrs(x, xp)) != XS_EMIT || (s = limits(x, xp)) != XS_EMIT)
		return s;
	if (xp->icmp_err)
		return xlat_icmp_err_4to6(x, xp);
	return rewrite(x, xp);
}
