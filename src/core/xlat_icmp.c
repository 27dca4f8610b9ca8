/* xlat_icmp.c - translation of ICMP error messages and the packets they
 * quote (RFC 7915 4.2-4.3 and 5.2-5.3), both directions. The outer message
 * is built in x->scratch: its quoted packet changes size. */
#include "core/xlat_pkt.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/proto.h"
#include "core/xlat_parse.h"

/* RFC 1191 section 7 plateau table */
static const uint16_t plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };

/* ---- ICMPv4 -> ICMPv6 ---- */

/* RFC 7915 4.2 Parameter Problem pointer map; -1: drop */
static int pp_pointer_4to6(uint8_t p)
{
	switch (p) {
	case 0: return 0;
	case 1: return 1;
	case 2: case 3: return 4;
	case 8: return 7;
	case 9: return 6;
	case 12: case 13: case 14: case 15: return 8;
	case 16: case 17: case 18: case 19: return 24;
	default: return -1;
	}
}

/* RFC 7915 4.2 Fragmentation Needed: min(MTU+20, v6 next-hop MTU, v4
 * next-hop MTU+20); MTU 0 -> the RFC 1191 plateau below the quoted
 * packet's total length. */
static uint32_t ptb_mtu_4to6(const struct xlat_ctx *x, const uint8_t *icmp, size_t ilen)
{
	uint32_t mtu = get16(icmp + 6);

	if (mtu == 0) {
		uint16_t tot = ilen >= ICMP_HDR + 4 ? get16(icmp + ICMP_HDR + 2) : 0;
		for (size_t i = 0; i < sizeof(plateaus) / sizeof(plateaus[0]); i++)
			if (plateaus[i] < tot) {
				mtu = plateaus[i];
				break;
			}
		if (mtu == 0)
			mtu = 68;
	}
	mtu += 20;
	if (mtu > x->cfg->mtu)
		mtu = x->cfg->mtu;
	return mtu < 1280 ? 1280 : mtu;
}

/* Map an ICMPv4 error type/code to ICMPv6 (RFC 7915 4.2); false: drop. */
static bool err_map_4to6(const struct xlat_ctx *x, const uint8_t *icmp, size_t ilen,
			 struct xlat_err *e)
{
	uint8_t code = icmp[1];
	int p;

	e->info = 0;
	switch (icmp[0]) {
	case ICMP_UNREACH:
		switch (code) {
		case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
			e->type = ICMP6_DST_UNREACH; e->code = ICMP6_DST_UNREACH_NOROUTE; return true;
		case ICMP_UNREACH_PROTOCOL: /* Parameter Problem at Next Header */
			e->type = ICMP6_PARAM_PROB; e->code = ICMP6_PARAMPROB_NEXTHEADER; e->info = 6;
			return true;
		case ICMP_UNREACH_PORT:
			e->type = ICMP6_DST_UNREACH; e->code = ICMP6_DST_UNREACH_NOPORT; return true;
		case ICMP_UNREACH_NEEDFRAG:
			e->type = ICMP6_PACKET_TOO_BIG; e->code = 0; e->info = ptb_mtu_4to6(x, icmp, ilen);
			return true;
		case 9: case 10: case 13: case 15:
			e->type = ICMP6_DST_UNREACH; e->code = ICMP6_DST_UNREACH_ADMIN; return true;
		default:
			return false;
		}
	case ICMP_TIMXCEED:
		e->type = ICMP6_TIME_EXCEEDED; e->code = code; return true;
	case ICMP_PARAMPROB:
		if (code != 0 && code != 2)
			return false;
		if ((p = pp_pointer_4to6(icmp[4])) < 0)
			return false;
		e->type = ICMP6_PARAM_PROB; e->code = ICMP6_PARAMPROB_HEADER; e->info = (uint32_t)p;
		return true;
	default:
		return false;
	}
}

/* Translate the IPv4 packet quoted in an ICMPv4 error (RFC 7915 4.3) from
 * in (ilen bytes, possibly truncated) to out; returns bytes written or 0.
 * Addresses keep their roles as seen by the IPv6 host; the inner TTL is not
 * decremented and inner checksums are updated incrementally. hairpin: the
 * error goes back to one of our IPv6 hosts about a packet it sent to a
 * hairpinned address, which it knows in the prefix form (RFC 7757 4.2). */
static size_t inner_4to6(struct xlat_ctx *x, const uint8_t *in, size_t ilen,
			 uint8_t *out, size_t room, bool hairpin)
{
	struct xlat_pkt q;
	enum drop_reason why;
	size_t hl, body;

	if (!xlat_parse4(&q, NULL, in, ilen) || xlat_proto_conflicts(q.proto, false) ||
	    !xlat_addr_4to6(x, q.s4, &q.s6, &why))
		return 0;
	if (hairpin ? map_4to6_prefix(x->cfg->map, q.d4, &q.d6) != MAP_OK
		    : !xlat_addr_4to6(x, q.d4, &q.d6, &why))
		return 0;
	hl = IP6_HDR + (q.frag ? FRAG_HDR : 0);
	body = q.l4len;
	if (hl + body > room)
		body = room - hl;
	uint8_t *l4 = out + hl;
	size_t l4claim = get16(in + 2) - q.l4off; /* the quoted packet's own length */
	memcpy(l4, q.l4, body);
	uint8_t nh = q.proto;
	if (q.proto == IPPROTO_ICMP && q.first) {
		/* an inner ICMP error would be an error about an error */
		if (body >= 1 && xlat_icmp4_is_error(l4[0]))
			return 0;
		if (body >= 4 && (l4[0] == ICMP_ECHO || l4[0] == ICMP_ECHOREPLY))
			xlat_echo_rewrite(l4, l4[0] == ICMP_ECHO ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY,
					  0, csum_pseudo6(&q.s6, &q.d6, IPPROTO_ICMPV6, (uint32_t)l4claim));
		nh = IPPROTO_ICMPV6;
	} else if (q.first && (q.proto == IPPROTO_TCP || q.proto == IPPROTO_UDP)) {
		size_t co = q.proto == IPPROTO_TCP ? 16 : 6;
		if (body >= co + 2 && !(q.proto == IPPROTO_UDP && get16(l4 + 6) == 0))
			xlat_l4_csum(l4 + co, csum_add(0, in + 12, 8),
				     csum_add(csum_add(0, &q.s6, 16), &q.d6, 16), false,
				     q.proto == IPPROTO_UDP);
	}
	xlat_put_ip6(out, &q, nh, q.ttl, l4claim, q.frag_off, q.more);
	return hl + body;
}

/* RFC 4884: the length attribute (orig_words units of unit bytes) splits
 * the quoted datagram from an extension; 0 when there is none. */
static size_t ext_split(size_t words, size_t unit, size_t *orig)
{
	size_t al = words * unit;

	if (!words || al > *orig)
		return 0;
	size_t ext = *orig - al;
	*orig = al;
	return ext;
}

/* RFC 4884 5.1 / RFC 7915 4.2, 5.2: room for the translated quote when an
 * extension of ext bytes goes with it. The extension is kept whole and the
 * quote trimmed to a multiple of unit bytes, but never below the 128 bytes
 * RFC 4884 gives the original datagram; an extension that can't fit beside
 * those, or on a message type without one, is left out (*ext = 0). */
static size_t ext_room(size_t room, size_t *ext, bool eligible, size_t unit)
{
	if (*ext && (!eligible || *ext + 128 > room))
		*ext = 0;
	return *ext ? (room - *ext) & ~(unit - 1) : room;
}

/* Put the extension after the n-byte quote at icmp + ICMP_HDR: the quote
 * zero-padded to a multiple of unit and at least 128 bytes, its length in
 * unit words at *lenfield. Returns the ICMP message length. */
static size_t ext_attach(uint8_t *icmp, size_t n, const uint8_t *ext, size_t elen, size_t unit,
			 uint8_t *lenfield)
{
	size_t padded = (n + unit - 1) & ~(unit - 1);

	if (!elen)
		return ICMP_HDR + n;
	if (padded < 128)
		padded = 128;
	memset(icmp + ICMP_HDR + n, 0, padded - n);
	memcpy(icmp + ICMP_HDR + padded, ext, elen);
	*lenfield = (uint8_t)(padded / unit);
	return ICMP_HDR + padded + elen;
}

enum xlat_step xlat_icmp_err_4to6(struct xlat_ctx *x, struct xlat_pkt *xp)
{
	const uint8_t *icmp = xp->l4;
	size_t ilen = xp->l4len, orig = ilen - ICMP_HDR, ext = 0, n, olen, room;
	uint8_t *out = x->scratch + PKT_HEADROOM, *o6 = out + IP6_HDR;
	struct xlat_err e;

	if (ilen < ICMP_HDR + IP4_HDR)
		return xlat_drop(xp, DROP_ICMP_INNER);
	if (csum_fold(csum_add(0, icmp, ilen)) != 0xffff)
		return xlat_drop(xp, DROP_BAD_HEADER);
	if (!err_map_4to6(x, icmp, ilen, &e))
		return xlat_drop(xp, DROP_ICMP_TYPE);
	/* RFC 4884: length attribute (32-bit words) for 3, 11 and 12 */
	if (icmp[0] == ICMP_UNREACH || icmp[0] == ICMP_TIMXCEED || icmp[0] == ICMP_PARAMPROB)
		ext = ext_split(icmp[5], 4, &orig);
	/* RFC 4884 5: ICMPv6 1 and 3 carry extensions, length in 64-bit words */
	room = ext_room(ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR, &ext,
			e.type == ICMP6_DST_UNREACH || e.type == ICMP6_TIME_EXCEEDED, 8);
	n = inner_4to6(x, icmp + ICMP_HDR, orig, o6 + ICMP_HDR, room, xp->hairpin);
	if (n == 0)
		return xlat_drop(xp, DROP_ICMP_INNER);
	o6[0] = e.type;
	o6[1] = e.code;
	o6[2] = o6[3] = 0;
	put32(o6 + 4, e.info);
	olen = ext_attach(o6, n, icmp + ICMP_HDR + orig, ext, 8, &o6[4]);
	xp->frag = false; /* an ICMP error is never a fragment here */
	xlat_put_ip6(out, xp, IPPROTO_ICMPV6, xlat_hlim_4to6(xp), olen, 0, false);
	uint16_t c = csum_finish(csum_add(csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_ICMPV6,
						       (uint32_t)olen), o6, olen));
	memcpy(o6 + 2, &c, 2);
	xlat_log(x, LOG_EV_ICMP, "icmp4 %u/%u translated to icmp6 %u/%u", icmp[0], icmp[1],
		 e.type, e.code);
	if (xlat_emit_scratch(x, IP6_HDR + olen).verdict == XLAT_OK)
		xlat_count_out(x, DIR_4TO6, IP6_HDR + olen, 1);
	return XS_DONE;
}

/* ---- ICMPv6 -> ICMPv4 ---- */

/* RFC 7915 5.2 Parameter Problem pointer map; -1: drop */
static int pp_pointer_6to4(uint32_t p)
{
	if (p <= 1)
		return (int)p;
	if (p == 4 || p == 5)
		return 2;
	if (p == 6)
		return 9;
	if (p == 7)
		return 8;
	if (p >= 8 && p <= 23)
		return 12;
	if (p >= 24 && p <= 39)
		return 16;
	return -1;
}

/* Map an ICMPv6 error to ICMPv4 (RFC 7915 5.2); false: drop. */
static bool err_map_6to4(const struct xlat_ctx *x, const uint8_t *icmp, bool inner_frag,
			 struct xlat_err *e)
{
	uint8_t code = icmp[1];
	int p;

	e->info = 0;
	switch (icmp[0]) {
	case ICMP6_DST_UNREACH:
		e->type = ICMP_UNREACH;
		switch (code) {
		case 0: case 2: case 3: e->code = ICMP_UNREACH_HOST; return true;
		case ICMP6_DST_UNREACH_ADMIN: e->code = ICMP_UNREACH_HOST_PROHIB; return true;
		case ICMP6_DST_UNREACH_NOPORT: e->code = ICMP_UNREACH_PORT; return true;
		default: return false;
		}
	case ICMP6_PACKET_TOO_BIG: {
		/* min(MTU - 20, v4 next-hop MTU, v6 next-hop MTU - 20), 8 more
		 * when the packet in error carried a Fragment header */
		uint32_t mtu = get32(icmp + 4), hdr = 20u + (inner_frag ? FRAG_HDR : 0u);
		mtu = mtu > hdr ? mtu - hdr : 0;
		if (mtu > x->cfg->mtu - 20)
			mtu = x->cfg->mtu - 20;
		e->type = ICMP_UNREACH; e->code = ICMP_UNREACH_NEEDFRAG; e->info = mtu < 68 ? 68 : mtu;
		return true;
	}
	case ICMP6_TIME_EXCEEDED:
		e->type = ICMP_TIMXCEED; e->code = code; return true;
	case ICMP6_PARAM_PROB:
		if (code == ICMP6_PARAMPROB_NEXTHEADER) {
			e->type = ICMP_UNREACH; e->code = ICMP_UNREACH_PROTOCOL; return true;
		}
		if (code != ICMP6_PARAMPROB_HEADER || (p = pp_pointer_6to4(get32(icmp + 4))) < 0)
			return false;
		e->type = ICMP_PARAMPROB; e->code = 0; e->info = (uint32_t)p << 24;
		return true;
	default:
		return false;
	}
}

/* Translate the parsed IPv6 packet q quoted in an ICMPv6 error (RFC 7915
 * 5.3) to out; returns bytes written or 0. Inner hop limit kept, extension
 * headers removed, checksums updated incrementally. */
static size_t inner_6to4(struct xlat_ctx *x, struct xlat_pkt *q, uint8_t *out, size_t room)
{
	enum drop_reason why;
	size_t paylen = get16(q->ip + 4), tot, body;

	if (xlat_proto_conflicts(q->proto, true))
		return 0;
	/* lookups only: an error never creates a dynamic mapping */
	if (!xlat_addr_6to4(x, &q->s6, &q->s4, false, NULL, &why) ||
	    !xlat_addr_6to4(x, &q->d6, &q->d4, false, NULL, &why))
		return 0;
	tot = IP4_HDR + (paylen + IP6_HDR > q->l4off ? paylen + IP6_HDR - q->l4off : 0);
	body = q->l4len;
	if (IP4_HDR + body > room)
		body = room - IP4_HDR;
	uint8_t *l4 = out + IP4_HDR, proto = q->proto;
	memcpy(l4, q->l4, body);
	if (q->first && proto == IPPROTO_ICMPV6) {
		if (body >= 1 && l4[0] < ICMP6_ECHO_REQUEST)
			return 0; /* error about an error */
		if (body >= 4 && (l4[0] == ICMP6_ECHO_REQUEST || l4[0] == ICMP6_ECHO_REPLY))
			xlat_echo_rewrite(l4, l4[0] == ICMP6_ECHO_REQUEST ? ICMP_ECHO : ICMP_ECHOREPLY,
					  csum_pseudo6(&q->s6, &q->d6, IPPROTO_ICMPV6,
						       (uint32_t)(tot - IP4_HDR)), 0);
		proto = IPPROTO_ICMP;
	} else if (q->first && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		size_t co = proto == IPPROTO_TCP ? 16 : 6;
		if (body >= co + 2)
			xlat_l4_csum(l4 + co, csum_add(0, q->ip + 8, 32),
				     csum_add(csum_add(0, &q->s4, 4), &q->d4, 4), false,
				     proto == IPPROTO_UDP);
	}
	xlat_put_ip4(out, q, proto, q->ttl, tot, 0, tot > IP4_DF_MIN);
	return IP4_HDR + body;
}

/* RFC 7757 4.2: the IPv4 error built at b (n bytes) replaces the packet
 * in its own buffer and goes round through 4->6 like any hairpinned
 * packet (checksums complete: no offload metadata). */
static enum xlat_step hairpin_error(struct xlat_pkt *xp, const uint8_t *b, size_t n)
{
	struct pkt *p = xp->p;

	if (n > p->len + p->tailroom)
		return xlat_drop(xp, DROP_OFFLOAD); /* caller gave too little room */
	memcpy(p->data, b, n);
	p->len = n;
	memset(&p->off, 0, sizeof(p->off));
	return XS_HAIRPIN;
}

enum xlat_step xlat_icmp_err_6to4(struct xlat_ctx *x, struct xlat_pkt *xp, bool hairpin)
{
	const uint8_t *icmp = xp->l4;
	size_t ilen = xp->l4len, orig = ilen - ICMP_HDR, ext = 0, n, olen, room;
	uint8_t *out = x->scratch + PKT_HEADROOM, *o4 = out + IP4_HDR;
	struct xlat_pkt q;
	struct xlat_err e;

	if (ilen < ICMP_HDR + IP6_HDR)
		return xlat_drop(xp, DROP_ICMP_INNER);
	if (csum_fold(csum_add(csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_ICMPV6, (uint32_t)ilen),
			       icmp, ilen)) != 0xffff)
		return xlat_drop(xp, DROP_BAD_HEADER);
	/* RFC 4884: length attribute (64-bit words) for types 1 and 3 */
	if (icmp[0] == ICMP6_DST_UNREACH || icmp[0] == ICMP6_TIME_EXCEEDED)
		ext = ext_split(icmp[4], 8, &orig);
	bool inner_ok = xlat_parse6(&q, NULL, icmp + ICMP_HDR, orig);
	if (!err_map_6to4(x, icmp, inner_ok && q.frag, &e))
		return xlat_drop(xp, DROP_ICMP_TYPE);
	/* RFC 4884 4: ICMPv4 3 and 11 (12 has no IPv6 source) carry
	 * extensions, length in 32-bit words */
	room = ext_room(ICMP4_ERR_MAX - IP4_HDR - ICMP_HDR, &ext,
			e.type == ICMP_UNREACH || e.type == ICMP_TIMXCEED, 4);
	if (!inner_ok || (n = inner_6to4(x, &q, o4 + ICMP_HDR, room)) == 0)
		return xlat_drop(xp, DROP_ICMP_INNER);
	o4[0] = e.type;
	o4[1] = e.code;
	put32(o4 + 4, e.info);
	olen = ext_attach(o4, n, icmp + ICMP_HDR + orig, ext, 4, &o4[5]);
	o4[2] = o4[3] = 0;
	uint16_t c = csum_finish(csum_add(0, o4, olen));
	memcpy(o4 + 2, &c, 2);
	xlat_put_ip4(out, xp, IPPROTO_ICMP, (uint8_t)(xp->ttl - 1), IP4_HDR + olen,
		     xlat_next_id(x), false);
	xlat_log(x, LOG_EV_ICMP, "icmp6 %u/%u translated to icmp4 %u/%u", icmp[0], icmp[1],
		 e.type, e.code);
	if (hairpin)
		return hairpin_error(xp, out, IP4_HDR + olen);
	if (xlat_emit_scratch(x, IP4_HDR + olen).verdict == XLAT_OK)
		xlat_count_out(x, DIR_6TO4, IP4_HDR + olen, 1);
	return XS_DONE;
}
