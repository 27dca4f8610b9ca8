/* xlat_6to4.c - IPv6 -> IPv4 translation (RFC 7915 section 5).
 *
 * The fast path rewrites in place: the IPv4 header is written directly in
 * front of the L4 header (over the end of the removed IPv6 headers) and the
 * L4 checksum is updated incrementally (RFC 1624). ICMPv6 errors, whose
 * quoted packet shrinks, are built in x->scratch.
 */
#include "xlat.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"
#include "csum.h"
#include "ip6.h"
#include "xlat_util.h"

#define IP4_HDR 20
#define IP6_HDR 40
#define ICMP4_ERR_MAX 576 /* RFC 7915 5.2 / RFC 1812 4.3.2.3 */

static void count_out(struct xlat_ctx *x, size_t len, unsigned segs)
{
	x->stats->pkts[DIR_6TO4]++;
	x->stats->bytes[DIR_6TO4] += len;
	x->stats->segs[DIR_6TO4] += segs;
}

/* Write a 20-byte IPv4 header at out (RFC 7915 5.1). */
static void put_ip4(uint8_t *out, const uint8_t *ip6, const struct ip6_info *in,
		    struct in_addr s4, struct in_addr d4, uint8_t proto, uint8_t ttl,
		    size_t tot, uint16_t id, bool df)
{
	uint16_t fr = 0;

	out[0] = 0x45;
	out[1] = (uint8_t)(get32(ip6) >> 20); /* TOS = traffic class */
	put16(out + 2, (uint16_t)tot);
	if (in->frag) {
		/* RFC 7915 5.1.1: ID from the Fragment header, DF=0 */
		id = (uint16_t)in->frag_id;
		fr = (uint16_t)((in->frag_off >> 3) | (in->frag_more ? 0x2000 : 0));
	} else if (df) {
		fr = 0x4000;
	}
	put16(out + 4, id);
	put16(out + 6, fr);
	out[8] = ttl;
	out[9] = proto;
	out[10] = out[11] = 0;
	memcpy(out + 12, &s4, 4);
	memcpy(out + 16, &d4, 4);
	uint16_t c = csum_finish(csum_add(0, out, IP4_HDR));
	memcpy(out + 10, &c, 2);
}

/* Replace IPv6 pseudo-header addresses by IPv4 ones in a TCP/UDP checksum
 * (or a NEEDS_CSUM seed); length and protocol words sum the same. */
static void l4_fix(uint8_t *c, const uint8_t *ip6, struct in_addr s4, struct in_addr d4,
		   bool seed, bool udp)
{
	uint32_t old = csum_add(0, ip6 + 8, 32);
	uint32_t nw = csum_add(csum_add(0, &s4, 4), &d4, 4);
	uint16_t f;
	memcpy(&f, c, 2);
	if (seed) {
		f = xlat_seed_replace(f, old, nw);
	} else {
		f = csum_replace(f, old, nw);
		if (udp && f == 0)
			f = 0xffff;
	}
	memcpy(c, &f, 2);
}

/* ---- ICMPv6 -> ICMPv4 (RFC 7915 5.2) ---- */

/* RFC 7915 5.2 Parameter Problem pointer map; -1: drop */
static int pp_pointer(uint32_t p)
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

static bool icmp_err_map(struct xlat_ctx *x, const uint8_t *icmp, bool inner_frag,
			 uint8_t *t4, uint8_t *c4, uint32_t *info)
{
	uint8_t type = icmp[0], code = icmp[1];
	*info = 0;
	switch (type) {
	case 1:
		switch (code) {
		case 0: case 2: case 3: *t4 = 3; *c4 = 1; return true;
		case 1: *t4 = 3; *c4 = 10; return true;
		case 4: *t4 = 3; *c4 = 3; return true;
		default: return false;
		}
	case 2: {
		/* RFC 7915 5.2: min(MTU - 20, v4 next-hop MTU, v6 next-hop MTU - 20),
		 * 8 more when the packet in error carried a Fragment header */
		uint32_t mtu = get32(icmp + 4), hdr = 20u + (inner_frag ? 8u : 0u);
		mtu = mtu > hdr ? mtu - hdr : 0;
		if (mtu > x->cfg->mtu - 20)
			mtu = x->cfg->mtu - 20;
		if (mtu < 68)
			mtu = 68;
		*t4 = 3; *c4 = 4; *info = mtu;
		return true;
	}
	case 3:
		*t4 = 11; *c4 = code; return true;
	case 4:
		if (code == 1) {
			*t4 = 3; *c4 = 2; return true;
		}
		if (code == 0) {
			int p = pp_pointer(get32(icmp + 4));
			if (p < 0)
				return false;
			*t4 = 12; *c4 = 0; *info = (uint32_t)p << 24;
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* Translate the IPv6 packet quoted in an ICMPv6 error (RFC 7915 5.3);
 * returns bytes written to out, or 0. Inner hop limit kept, extension
 * headers removed, checksums updated incrementally. */
static size_t inner_6to4(struct xlat_ctx *x, const uint8_t *in, size_t ilen,
			 uint8_t *out, size_t room, bool *frag)
{
	struct ip6_info ii;
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	enum drop_reason why;
	size_t body, paylen, tot;
	uint8_t proto;

	if (ilen < IP6_HDR || in[0] >> 4 != 6 || ip6_walk(in, ilen, &ii) != 0)
		return 0;
	memcpy(&s6, in + 8, 16);
	memcpy(&d6, in + 24, 16);
	/* lookups only: an error never creates a dynamic mapping */
	if (!xlat_addr_6to4(x, &s6, &s4, false, &why) || !xlat_addr_6to4(x, &d6, &d4, false, &why))
		return 0;
	*frag = ii.frag;
	paylen = get16(in + 4);
	tot = IP4_HDR + (paylen + IP6_HDR > ii.l4off ? paylen + IP6_HDR - ii.l4off : 0);
	body = ilen - ii.l4off;
	if (IP4_HDR + body > room)
		body = room - IP4_HDR;
	proto = ii.proto;
	uint8_t *l4 = out + IP4_HDR;
	memcpy(l4, in + ii.l4off, body);
	if (!ii.frag_off && proto == IPPROTO_ICMPV6) {
		if (body >= 1 && l4[0] < 128)
			return 0; /* error about an error */
		if (body >= 4 && (l4[0] == 128 || l4[0] == 129)) {
			uint32_t old = csum_add(csum_pseudo6(&s6, &d6, IPPROTO_ICMPV6,
							     (uint32_t)(tot - IP4_HDR)), l4, 2);
			l4[0] = l4[0] == 128 ? 8 : 0;
			uint16_t f;
			memcpy(&f, l4 + 2, 2);
			f = csum_replace(f, old, csum_add(0, l4, 2));
			memcpy(l4 + 2, &f, 2);
		}
		proto = IPPROTO_ICMP;
	} else if (!ii.frag_off && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		size_t co = proto == IPPROTO_TCP ? 16 : 6;
		if (body >= co + 2)
			l4_fix(l4 + co, in, s4, d4, false, proto == IPPROTO_UDP);
	}
	put_ip4(out, in, &ii, s4, d4, proto, in[7], tot, 0, tot > 1260);
	return IP4_HDR + body;
}

static enum xlat_verdict icmp_error_6to4(struct xlat_ctx *x, const uint8_t *ip6,
					 const struct ip6_info *oi, size_t len,
					 struct in_addr s4, struct in_addr d4)
{
	const uint8_t *icmp = ip6 + oi->l4off;
	size_t ilen = len - oi->l4off, orig, ext = 0, n, olen;
	uint8_t *out = x->scratch + PKT_HEADROOM, *o4 = out + IP4_HDR;
	struct ip6_info inner_info;
	struct in6_addr s6, d6;
	uint8_t t4, c4;
	uint32_t info;
	bool inner_frag = false;

	if (ilen < 8 + IP6_HDR)
		return xlat_drop(x, DROP_ICMP_INNER);
	memcpy(&s6, ip6 + 8, 16);
	memcpy(&d6, ip6 + 24, 16);
	if (csum_fold(csum_add(csum_pseudo6(&s6, &d6, IPPROTO_ICMPV6, (uint32_t)ilen), icmp, ilen)) != 0xffff)
		return xlat_drop(x, DROP_BAD_HEADER);
	if (ip6_walk(icmp + 8, ilen - 8, &inner_info) == 0)
		inner_frag = inner_info.frag;
	if (!icmp_err_map(x, icmp, inner_frag, &t4, &c4, &info))
		return xlat_drop(x, DROP_ICMP_TYPE);
	orig = ilen - 8;
	/* RFC 4884: length attribute (64-bit words) for types 1 and 3 */
	if (icmp[4] && (icmp[0] == 1 || icmp[0] == 3)) {
		size_t al = (size_t)icmp[4] * 8;
		if (al <= orig) {
			ext = orig - al;
			orig = al;
		}
	}
	n = inner_6to4(x, icmp + 8, orig, o4 + 8, ICMP4_ERR_MAX - IP4_HDR - 8, &inner_frag);
	if (n == 0)
		return xlat_drop(x, DROP_ICMP_INNER);
	o4[0] = t4;
	o4[1] = c4;
	put32(o4 + 4, info);
	olen = 8 + n;
	if (ext) {
		/* RFC 4884 4: pad to 32-bit words, at least 128 bytes */
		size_t padded = (n + 3) & ~(size_t)3;
		if (padded < 128)
			padded = 128;
		if (IP4_HDR + 8 + padded + ext <= ICMP4_ERR_MAX && (t4 == 3 || t4 == 11)) {
			memset(o4 + 8 + n, 0, padded - n);
			memcpy(o4 + 8 + padded, icmp + 8 + orig, ext);
			o4[5] = (uint8_t)(padded / 4);
			olen = 8 + padded + ext;
		}
	}
	o4[2] = o4[3] = 0;
	uint16_t c = csum_finish(csum_add(0, o4, olen));
	memcpy(o4 + 2, &c, 2);
	put_ip4(out, ip6, oi, s4, d4, IPPROTO_ICMP, (uint8_t)(ip6[7] - 1), IP4_HDR + olen,
		(uint16_t)x->stats->pkts[DIR_6TO4], false);
	xlat_log(x, LOG_EV_ICMP, "icmp6 %u/%u translated to icmp4 %u/%u", icmp[0], icmp[1], t4, c4);
	xlat_emit_scratch(x, IP4_HDR + olen);
	count_out(x, IP4_HDR + olen, 1);
	return XLAT_OK;
}

enum xlat_verdict xlat_6to4(struct xlat_ctx *x, struct pkt *p)
{
	const struct config *c = x->cfg->conf;
	uint8_t *ip = p->data;
	struct ip6_info ii;
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	enum drop_reason why;
	size_t len, l4len, tot, l4h = 0;
	unsigned segs = 1;
	bool icmp_err = false, gso, seed, df;
	uint8_t proto;

	if (p->len < IP6_HDR)
		return xlat_drop(x, DROP_TRUNCATED);
	if (ip[0] >> 4 != 6)
		return xlat_drop(x, DROP_BAD_HEADER);
	len = IP6_HDR + (size_t)get16(ip + 4);
	if (len == IP6_HDR && p->len > IP6_HDR && ip[6] == IPPROTO_HOPOPTS)
		return xlat_drop(x, DROP_BAD_HEADER); /* jumbogram: no IPv4 form */
	if (len > p->len)
		return xlat_drop(x, DROP_TRUNCATED);
	p->len = len;
	if (ip6_walk(ip, len, &ii) != 0)
		return xlat_drop(x, DROP_EXT_HDR);
	memcpy(&s6, ip + 8, 16);
	memcpy(&d6, ip + 24, 16);
	proto = ii.proto;
	l4len = len - ii.l4off;
	uint8_t *l4 = ip + ii.l4off;
	gso = p->off.gso_type != OFF_GSO_NONE;
	seed = p->off.flags & OFF_F_NEEDS_CSUM;

	if (proto == IPPROTO_ICMPV6 && !ii.frag_off && l4len >= 1 && l4[0] < 128)
		icmp_err = true;
	if (ii.segleft_at) {
		/* RFC 7915 5.1: Parameter Problem pointing at Segments Left */
		icmp6_send_error(x, ip, len, 4, 0, (uint32_t)ii.segleft_at);
		return xlat_drop(x, DROP_EXT_HDR);
	}
	if (!xlat_addr_6to4(x, &d6, &d4, false, &why)) {
		if (why == DROP_NO_MAP_DST || why == DROP_NO_MAP_SRC) {
			why = DROP_NO_MAP_DST;
			icmp6_send_error(x, ip, len, 1, 0, 0); /* no route */
		}
		return xlat_drop(x, why);
	}
	if (memcmp(&d6, &c->ipv6_addr, 16) == 0 || d4.s_addr == c->ipv4_addr.s_addr) {
		xlat_log(x, LOG_EV_SELF, "packet for the translator, protocol %u", proto);
		if (proto == IPPROTO_ICMPV6 && !ii.frag && !gso) {
			if (seed && xlat_csum_complete(p) != 0)
				return xlat_drop(x, DROP_OFFLOAD);
			return icmp6_echo_reply(x, ip, len) ? XLAT_OK : XLAT_DROP;
		}
		return xlat_drop(x, DROP_SELF);
	}
	if (!xlat_addr_6to4(x, &s6, &s4, !icmp_err, &why)) {
		if (icmp_err) {
			s4 = c->rfc6791_v4; /* RFC 6791 */
		} else {
			if (why != DROP_FORBIDDEN_ADDR)
				icmp6_send_error(x, ip, len, 1, 5, 0); /* source failed policy */
			return xlat_drop(x, why == DROP_NO_MAP_DST ? DROP_NO_MAP_SRC : why);
		}
	}
	if (ip[7] <= 1) {
		icmp6_send_error(x, ip, len, 3, 0, 0);
		return xlat_drop(x, DROP_TTL_EXPIRED);
	}
	if (gso && (ii.frag || (p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_UDP ||
		    !seed || p->off.csum_start != ii.l4off))
		return xlat_drop(x, DROP_OFFLOAD);
	if (!gso && seed && (p->off.csum_start != ii.l4off || xlat_csum_complete(p) != 0))
		return xlat_drop(x, DROP_OFFLOAD);
	seed = p->off.flags & OFF_F_NEEDS_CSUM;

	/* validate first: nothing is rewritten until the packet will be sent,
	 * so an ICMPv6 error below quotes it as received (RFC 4443 2.4(c)) */
	if (proto == IPPROTO_ICMPV6) {
		if (ii.frag)
			return xlat_drop(x, DROP_FRAG); /* RFC 7915 5.2 */
		if (l4len < 8)
			return xlat_drop(x, DROP_TRUNCATED);
		if (icmp_err)
			return icmp_error_6to4(x, ip, &ii, len, s4, d4);
		if (l4[0] != 128 && l4[0] != 129)
			return xlat_drop(x, DROP_ICMP_TYPE); /* MLD, ND, unknown */
	} else if (!ii.frag_off && proto == IPPROTO_TCP) {
		if (l4len < 20)
			return xlat_drop(x, DROP_TRUNCATED);
	} else if (!ii.frag_off && proto == IPPROTO_UDP) {
		if (l4len < 8)
			return xlat_drop(x, DROP_TRUNCATED);
	}

	tot = IP4_HDR + l4len;
	df = !ii.frag && tot > 1260; /* RFC 7915 5.1 */
	if (gso) {
		l4h = (p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV6 ?
		      (l4len >= 13 ? (size_t)(l4[12] >> 4) * 4 : 0) : 8;
		if (l4h < 8 || l4h > l4len || p->off.gso_size == 0 || tot > 65535)
			return xlat_drop(x, DROP_OFFLOAD);
		if (IP4_HDR + l4h + p->off.gso_size > x->cfg->mtu) {
			icmp6_send_error(x, ip, len, 2, 0, x->cfg->mtu + 20);
			return xlat_drop(x, DROP_TOO_BIG);
		}
		segs = (unsigned)((l4len - l4h + p->off.gso_size - 1) / p->off.gso_size);
		p->off.hdr_len = (uint16_t)(IP4_HDR + l4h);
		p->off.csum_start = IP4_HDR;
		if ((p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV6)
			p->off.gso_type = (uint8_t)(OFF_GSO_TCPV4 | (p->off.gso_type & OFF_GSO_ECN));
		df = true;
	} else if (tot > x->cfg->mtu) {
		/* RFC 7915 5.1: IPv6 senders adjust; tell them the MTU that fits */
		uint32_t mtu = x->cfg->mtu + 20 + (ii.frag ? 8 : 0);
		icmp6_send_error(x, ip, len, 2, 0, mtu < 1280 ? 1280 : mtu);
		return xlat_drop(x, DROP_TOO_BIG);
	} else if (seed) {
		p->off.csum_start = IP4_HDR;
	}
	if (proto == IPPROTO_ICMPV6) {
		/* echo: type change, and ICMPv4 has no pseudo-header */
		uint32_t old = csum_add(csum_pseudo6(&s6, &d6, IPPROTO_ICMPV6, (uint32_t)l4len), l4, 2);
		l4[0] = l4[0] == 128 ? 8 : 0;
		uint16_t f;
		memcpy(&f, l4 + 2, 2);
		f = csum_replace(f, old, csum_add(0, l4, 2));
		memcpy(l4 + 2, &f, 2);
		proto = IPPROTO_ICMP;
	} else if (!ii.frag_off && proto == IPPROTO_TCP) {
		l4_fix(l4 + 16, ip, s4, d4, seed, false);
	} else if (!ii.frag_off && proto == IPPROTO_UDP) {
		l4_fix(l4 + 6, ip, s4, d4, seed, true);
	}
	uint8_t *ip4 = l4 - IP4_HDR;
	uint8_t hdr[IP4_HDR];
	put_ip4(hdr, ip, &ii, s4, d4, proto, (uint8_t)(ip[7] - 1), tot,
		df ? 0 : (uint16_t)x->stats->pkts[DIR_6TO4], df);
	memcpy(ip4, hdr, IP4_HDR);
	p->headroom += (size_t)(ip4 - p->data);
	p->data = ip4;
	p->len = tot;
	count_out(x, tot, segs);
	/* Hairpinning (RFC 7757 4 / RFC 6146 3.8): an IPv4 destination that is
	 * one of our own IPv6 hosts goes straight back through 4->6. */
	if (map_v4_is_ours(x->cfg->map, d4))
		return xlat_4to6(x, p);
	x->emit(x->emit_arg, p);
	return XLAT_OK;
}
