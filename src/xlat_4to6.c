/* xlat_4to6.c - IPv4 -> IPv6 translation (RFC 7915 section 4).
 *
 * The fast path rewrites the packet in place: the IPv6 header is written
 * into the headroom in front of the (option-less) L4 header and the L4
 * checksum is updated incrementally (RFC 1624), so a wrong checksum stays
 * exactly as wrong. ICMP errors, whose quoted packet grows, and fragments
 * are built in x->scratch.
 */
#include "xlat.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"
#include "csum.h"
#include "xlat_util.h"

#define IP4_HDR 20
#define IP6_HDR 40
#define FRAG_HDR 8
#define ICMP6_ERR_MAX 1280 /* RFC 7915 4.2 / RFC 4443 2.4(c) */

/* RFC 1191 section 7 plateau table */
static const uint16_t plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };

bool xlat_addr_4to6(struct xlat_ctx *x, struct in_addr a, struct in6_addr *out,
		    enum drop_reason *why)
{
	const struct map *m = x->cfg->map;
	if (map_v4_in_pool(m, a) && map_4to6(m, a, out) != MAP_OK) {
		/* pool addresses not covered by an EAM: dynamic mappings */
		if (pool_lookup4(x->pool, a, out, x->now) == POOL_OK)
			return true;
		*why = DROP_NO_MAP_DST;
		return false;
	}
	switch (map_4to6(m, a, out)) {
	case MAP_OK:
		return true;
	case MAP_FORBIDDEN:
		*why = DROP_FORBIDDEN_ADDR;
		return false;
	default:
		*why = DROP_NO_MAP_DST;
		return false;
	}
}

/* Write an IPv6 header (and a Fragment header when frag) at out. */
static size_t put_ip6(uint8_t *out, const uint8_t *ip4, const struct in6_addr *src,
		      const struct in6_addr *dst, uint8_t nh, uint8_t hlim, size_t l4len,
		      bool frag, uint16_t frag_off_bytes, bool more)
{
	/* RFC 7915 4.1: traffic class = TOS, flow label 0 */
	put32(out, 0x60000000u | (uint32_t)ip4[1] << 20);
	put16(out + 4, (uint16_t)(l4len + (frag ? FRAG_HDR : 0)));
	out[6] = frag ? IPPROTO_FRAGMENT : nh;
	out[7] = hlim;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	if (!frag)
		return IP6_HDR;
	/* RFC 7915 4.1: Fragment header from the IPv4 ID, offset and MF */
	out[40] = nh;
	out[41] = 0;
	put16(out + 42, (uint16_t)(frag_off_bytes | (more ? 1 : 0)));
	put32(out + 44, get16(ip4 + 4));
	return IP6_HDR + FRAG_HDR;
}

/* Replace the IPv4 pseudo-header addresses by IPv6 ones in the TCP/UDP
 * checksum at c (or in a NEEDS_CSUM seed). Length and protocol words sum
 * the same in both pseudo-headers, so only the addresses change. */
static void l4_fix(uint8_t *c, const uint8_t *ip4, const struct in6_addr *s6,
		   const struct in6_addr *d6, bool seed, bool udp)
{
	uint32_t old = csum_add(0, ip4 + 12, 8);
	uint32_t nw = csum_add(csum_add(0, s6, 16), d6, 16);
	uint16_t f;
	memcpy(&f, c, 2);
	if (seed) {
		f = xlat_seed_replace(f, old, nw);
	} else {
		f = csum_replace(f, old, nw);
		if (udp && f == 0)
			f = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	}
	memcpy(c, &f, 2);
}

static void count_out(struct xlat_ctx *x, size_t len, unsigned segs)
{
	x->stats->pkts[DIR_4TO6]++;
	x->stats->bytes[DIR_4TO6] += len;
	x->stats->segs[DIR_4TO6] += segs;
}

/* ---- ICMPv4 -> ICMPv6 (RFC 7915 4.2) ---- */

/* RFC 7915 4.2 Parameter Problem pointer map; -1: drop */
static int pp_pointer(uint8_t p)
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

/* Map an ICMPv4 error type/code to ICMPv6; false: drop. */
static bool icmp_err_map(struct xlat_ctx *x, const uint8_t *icmp, size_t ilen,
			 uint8_t *t6, uint8_t *c6, uint32_t *info)
{
	uint8_t type = icmp[0], code = icmp[1];
	*info = 0;
	switch (type) {
	case 3:
		switch (code) {
		case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
			*t6 = 1; *c6 = 0; return true;
		case 2: /* protocol unreachable: Parameter Problem at Next Header */
			*t6 = 4; *c6 = 1; *info = 6; return true;
		case 3:
			*t6 = 1; *c6 = 4; return true;
		case 4: {
			/* RFC 7915 4.2: min(MTU+20, v6 next-hop MTU, v4 next-hop
			 * MTU+20); MTU 0 -> RFC 1191 plateau below the quoted
			 * packet's total length */
			uint32_t mtu = get16(icmp + 6);
			if (mtu == 0) {
				uint16_t tot = ilen >= 8 + 4 ? get16(icmp + 8 + 2) : 0;
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
			if (mtu < 1280)
				mtu = 1280;
			*t6 = 2; *c6 = 0; *info = mtu;
			return true;
		}
		case 9: case 10: case 13: case 15:
			*t6 = 1; *c6 = 1; return true;
		default:
			return false;
		}
	case 11:
		*t6 = 3; *c6 = code; return true;
	case 12: {
		int p;
		if (code != 0 && code != 2)
			return false;
		p = pp_pointer(icmp[4]);
		if (p < 0)
			return false;
		*t6 = 4; *c6 = 0; *info = (uint32_t)p;
		return true;
	}
	default:
		return false;
	}
}

/* Translate the IPv4 packet quoted in an ICMPv4 error (RFC 7915 4.3) from
 * in (ilen bytes, possibly truncated) to out; returns bytes written or 0.
 * Addresses keep their roles as seen by the IPv6 host; the inner TTL is not
 * decremented and inner checksums are updated incrementally. */
static size_t inner_4to6(struct xlat_ctx *x, const uint8_t *in, size_t ilen,
			 uint8_t *out, size_t room)
{
	struct in_addr s4, d4;
	struct in6_addr s6, d6;
	enum drop_reason why;
	size_t ihl, tot, hl, body;
	uint16_t fr;
	bool isfrag;
	uint8_t proto;

	if (ilen < IP4_HDR || in[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(in[0] & 15) * 4;
	tot = get16(in + 2);
	if (ihl < IP4_HDR || ihl > ilen || tot < ihl)
		return 0;
	memcpy(&s4, in + 12, 4);
	memcpy(&d4, in + 16, 4);
	if (!xlat_addr_4to6(x, s4, &s6, &why) || !xlat_addr_4to6(x, d4, &d6, &why))
		return 0;
	fr = get16(in + 6);
	isfrag = (fr & 0x3fff) != 0;
	proto = in[9];
	body = ilen - ihl;
	if (ilen > tot)
		body = tot - ihl;
	hl = IP6_HDR + (isfrag ? FRAG_HDR : 0);
	if (hl + body > room)
		body = room - hl;
	uint8_t *l4 = out + hl;
	memcpy(l4, in + ihl, body);
	if (proto == IPPROTO_ICMP && !(fr & 0x1fff)) {
		/* an inner ICMP error would be an error about an error */
		if (body >= 1 && xlat_icmp4_is_error(l4[0]))
			return 0;
		if (body >= 4 && (l4[0] == 8 || l4[0] == 0)) {
			uint32_t old = csum_add(0, l4, 2);
			l4[0] = l4[0] == 8 ? 128 : 129;
			uint32_t nw = csum_add(csum_pseudo6(&s6, &d6, IPPROTO_ICMPV6,
							    (uint32_t)(tot - ihl)), l4, 2);
			uint16_t f;
			memcpy(&f, l4 + 2, 2);
			f = csum_replace(f, old, nw);
			memcpy(l4 + 2, &f, 2);
		}
		proto = IPPROTO_ICMPV6;
	} else if (!(fr & 0x1fff) && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		size_t co = proto == IPPROTO_TCP ? 16 : 6;
		if (body >= co + 2 && !(proto == IPPROTO_UDP && get16(l4 + 6) == 0))
			l4_fix(l4 + co, in, &s6, &d6, false, proto == IPPROTO_UDP);
	}
	put_ip6(out, in, &s6, &d6, proto, in[8], tot - ihl, isfrag,
		(uint16_t)((fr & 0x1fff) * 8), fr & 0x2000);
	/* payload length from the inner total length, as RFC 7915 4.3 keeps the
	 * quoted packet's own length fields */
	return hl + body;
}

static enum xlat_verdict icmp_error_4to6(struct xlat_ctx *x, const uint8_t *ip4, size_t ihl,
					 size_t tot, const struct in6_addr *s6,
					 const struct in6_addr *d6)
{
	const uint8_t *icmp = ip4 + ihl;
	size_t ilen = tot - ihl, orig, ext = 0, inner_room;
	uint8_t *out = x->scratch + PKT_HEADROOM, *o6 = out + IP6_HDR;
	uint8_t t6, c6;
	uint32_t info;
	size_t n, olen;

	if (ilen < 8 + IP4_HDR)
		return xlat_drop(x, DROP_ICMP_INNER);
	if (csum_fold(csum_add(0, icmp, ilen)) != 0xffff)
		return xlat_drop(x, DROP_BAD_HEADER);
	if (!icmp_err_map(x, icmp, ilen, &t6, &c6, &info))
		return xlat_drop(x, DROP_ICMP_TYPE);
	/* RFC 4884: length attribute (32-bit words) for 3, 11 and 12 */
	orig = ilen - 8;
	if (icmp[5] && (icmp[0] == 3 || icmp[0] == 11 || icmp[0] == 12)) {
		size_t al = (size_t)icmp[5] * 4;
		if (al <= orig) {
			ext = orig - al;
			orig = al;
		}
	}
	inner_room = ICMP6_ERR_MAX - IP6_HDR - 8;
	n = inner_4to6(x, icmp + 8, orig, o6 + 8, inner_room);
	if (n == 0)
		return xlat_drop(x, DROP_ICMP_INNER);
	o6[0] = t6;
	o6[1] = c6;
	o6[2] = o6[3] = 0;
	put32(o6 + 4, info);
	olen = 8 + n;
	if (ext) {
		/* RFC 4884 5: pad the quoted packet to 64-bit words, at least
		 * 128 bytes, length in 64-bit words; keep the extension if it fits */
		size_t padded = (n + 7) & ~(size_t)7;
		if (padded < 128)
			padded = 128;
		if (8 + padded + ext <= ICMP6_ERR_MAX - IP6_HDR && (t6 == 1 || t6 == 3)) {
			memset(o6 + 8 + n, 0, padded - n);
			memcpy(o6 + 8 + padded, icmp + 8 + orig, ext);
			o6[4] = (uint8_t)(padded / 8);
			olen = 8 + padded + ext;
		}
	}
	put_ip6(out, ip4, s6, d6, IPPROTO_ICMPV6, (uint8_t)(ip4[8] - 1), olen, false, 0, false);
	{
		/* csum.c sums in memory order: store the result as it is */
		uint16_t c = csum_finish(csum_add(csum_pseudo6(s6, d6, IPPROTO_ICMPV6, (uint32_t)olen),
						  o6, olen));
		memcpy(o6 + 2, &c, 2);
	}
	xlat_log(x, LOG_EV_ICMP, "icmp4 %u/%u translated to icmp6 %u/%u", icmp[0], icmp[1], t6, c6);
	xlat_emit_scratch(x, IP6_HDR + olen);
	count_out(x, IP6_HDR + olen, 1);
	return XLAT_OK;
}

/* DF=0 and bigger than the IPv6 side can take: IPv6 fragments (RFC 7915
 * 4.1), each at most fsize bytes, built in scratch. l4 holds the already
 * translated payload. */
static enum xlat_verdict fragment_4to6(struct xlat_ctx *x, const uint8_t *ip4,
				       const struct in6_addr *s6, const struct in6_addr *d6,
				       uint8_t nh, const uint8_t *l4, size_t l4len, size_t fsize)
{
	uint16_t fr = get16(ip4 + 6);
	size_t base = (size_t)(fr & 0x1fff) * 8, chunk = (fsize - IP6_HDR - FRAG_HDR) & ~(size_t)7;
	uint8_t *out = x->scratch + PKT_HEADROOM;

	if (chunk == 0)
		return xlat_drop(x, DROP_TOO_BIG);
	for (size_t done = 0; done < l4len; done += chunk) {
		size_t n = l4len - done < chunk ? l4len - done : chunk;
		bool more = done + n < l4len || (fr & 0x2000);
		size_t hl = put_ip6(out, ip4, s6, d6, nh, (uint8_t)(ip4[8] - 1), n, true,
				    (uint16_t)(base + done), more);
		memcpy(out + hl, l4 + done, n);
		xlat_emit_scratch(x, hl + n);
		x->stats->bytes[DIR_4TO6] += hl + n;
		x->stats->segs[DIR_4TO6]++;
	}
	x->stats->pkts[DIR_4TO6]++;
	return XLAT_OK;
}

/* Rewrite the L4 header for IPv6 (RFC 7915 4.2 echo type, 4.5 checksums),
 * incrementally so a wrong checksum stays wrong. proto is the IPv4 protocol;
 * an ICMP packet here is an unfragmented echo request/reply. */
static void l4_translate(const struct config *c, const uint8_t *ip, uint8_t *l4, size_t l4len,
			 uint8_t proto, bool first, bool seed, const struct in6_addr *s6,
			 const struct in6_addr *d6)
{
	if (proto == IPPROTO_ICMP) {
		/* echo: type change plus the ICMPv6 pseudo-header */
		uint32_t old = csum_add(0, l4, 2);
		l4[0] = l4[0] == 8 ? 128 : 129;
		uint32_t nw = csum_add(csum_pseudo6(s6, d6, IPPROTO_ICMPV6, (uint32_t)l4len), l4, 2);
		uint16_t f;
		memcpy(&f, l4 + 2, 2);
		f = csum_replace(f, old, nw);
		memcpy(l4 + 2, &f, 2);
	} else if (first && proto == IPPROTO_TCP) {
		l4_fix(l4 + 16, ip, s6, d6, seed, false);
	} else if (first && proto == IPPROTO_UDP) {
		if (get16(l4 + 6) == 0 && !seed) {
			/* zero checksum: calc computes one, fwd leaves it */
			if (c->udp_cksum_mode == UDP_CKSUM_CALC) {
				uint16_t v = csum_finish(csum_add(csum_pseudo6(s6, d6, IPPROTO_UDP,
									     (uint32_t)l4len), l4, l4len));
				if (v == 0)
					v = 0xffff;
				memcpy(l4 + 6, &v, 2);
			}
		} else {
			l4_fix(l4 + 6, ip, s6, d6, seed, true);
		}
	}
}

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

enum xlat_verdict xlat_4to6(struct xlat_ctx *x, struct pkt *p)
{
	const struct config *c = x->cfg->conf;
	uint8_t *ip = p->data;
	size_t ihl, tot, l4len, hl, v6len, l4h = 0;
	unsigned segs = 1;
	struct in_addr s4, d4;
	struct in6_addr s6, d6;
	enum drop_reason why;
	uint16_t fr;
	bool isfrag, first, icmp_err = false, df, gso, seed;
	uint8_t proto, nh;

	if (p->len < IP4_HDR)
		return xlat_drop(x, DROP_TRUNCATED);
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || ihl < IP4_HDR)
		return xlat_drop(x, DROP_BAD_HEADER);
	if (ihl > p->len)
		return xlat_drop(x, DROP_TRUNCATED);
	tot = get16(ip + 2);
	if (tot < ihl)
		return xlat_drop(x, DROP_BAD_HEADER);
	if (tot > p->len)
		return xlat_drop(x, DROP_TRUNCATED);
	p->len = tot; /* link-layer padding is not part of the packet */
	if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
		return xlat_drop(x, DROP_BAD_V4_CKSUM);
	memcpy(&s4, ip + 12, 4);
	memcpy(&d4, ip + 16, 4);
	fr = get16(ip + 6);
	isfrag = (fr & 0x3fff) != 0;
	first = (fr & 0x1fff) == 0;
	df = fr & 0x4000;
	proto = ip[9];
	l4len = tot - ihl;
	uint8_t *l4 = ip + ihl;
	gso = p->off.gso_type != OFF_GSO_NONE;
	seed = p->off.flags & OFF_F_NEEDS_CSUM;

	if (d4.s_addr == c->ipv4_addr.s_addr) {
		xlat_log(x, LOG_EV_SELF, "packet for %s, protocol %u", inet_ntoa(d4), proto);
		if (proto == IPPROTO_ICMP && !isfrag && !gso) {
			if (seed && xlat_csum_complete(p) != 0)
				return xlat_drop(x, DROP_OFFLOAD);
			return icmp4_echo_reply(x, ip, tot) ? XLAT_OK : XLAT_DROP;
		}
		return xlat_drop(x, DROP_SELF);
	}
	if (proto == IPPROTO_ICMP && first && l4len >= 1 && xlat_icmp4_is_error(l4[0]))
		icmp_err = true;
	if (!xlat_addr_4to6(x, d4, &d6, &why)) {
		if (why == DROP_NO_MAP_DST)
			icmp4_send_error(x, ip, tot, 3, 1, 0); /* host unreachable */
		return xlat_drop(x, why);
	}
	if (!xlat_addr_4to6(x, s4, &s6, &why)) {
		if (!icmp_err)
			return xlat_drop(x, why == DROP_NO_MAP_DST ? DROP_NO_MAP_SRC : why);
		s6 = c->rfc6791_v6; /* RFC 6791 / RFC 7915 4.1 */
	}
	if (ip[8] <= 1) {
		icmp4_send_error(x, ip, tot, 11, 0, 0);
		return xlat_drop(x, DROP_TTL_EXPIRED);
	}
	if (ihl > IP4_HDR && src_route_pending(ip + IP4_HDR, ihl - IP4_HDR)) {
		icmp4_send_error(x, ip, tot, 3, 5, 0);
		return xlat_drop(x, DROP_SRC_ROUTE);
	}
	if (gso && (isfrag || (p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_UDP ||
		    !seed || p->off.csum_start != ihl))
		return xlat_drop(x, DROP_OFFLOAD);
	if (!gso && seed && (p->off.csum_start != ihl || xlat_csum_complete(p) != 0))
		return xlat_drop(x, DROP_OFFLOAD);
	seed = p->off.flags & OFF_F_NEEDS_CSUM;

	/* validate only: the packet stays untouched until we know it goes
	 * out, so an ICMPv4 error about it quotes what the sender sent */
	nh = proto;
	if (proto == IPPROTO_ICMP) {
		if (isfrag)
			return xlat_drop(x, DROP_FRAG); /* RFC 7915 4.2: not translated */
		if (l4len < 8)
			return xlat_drop(x, DROP_TRUNCATED);
		if (icmp_err)
			return icmp_error_4to6(x, ip, ihl, tot, &s6, &d6);
		if (l4[0] != 8 && l4[0] != 0)
			return xlat_drop(x, DROP_ICMP_TYPE);
		nh = IPPROTO_ICMPV6;
	} else if (first && proto == IPPROTO_TCP) {
		if (l4len < 20)
			return xlat_drop(x, DROP_TRUNCATED);
	} else if (first && proto == IPPROTO_UDP) {
		if (l4len < 8)
			return xlat_drop(x, DROP_TRUNCATED);
		/* RFC 7915 4.5: IPv6 requires a UDP checksum */
		if (get16(l4 + 6) == 0 && !seed &&
		    (c->udp_cksum_mode == UDP_CKSUM_DROP || (isfrag && c->udp_cksum_mode == UDP_CKSUM_CALC)))
			return xlat_drop(x, DROP_UDP_ZERO_CKSUM);
	}

	hl = IP6_HDR + (isfrag ? FRAG_HDR : 0);
	v6len = hl + l4len;
	if (gso) {
		/* per segment: headers + gso_size must fit the MTU */
		l4h = (p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV4 ?
		      (l4len >= 13 ? (size_t)(l4[12] >> 4) * 4 : 0) : 8;
		if (l4h < 8 || l4h > l4len || p->off.gso_size == 0)
			return xlat_drop(x, DROP_OFFLOAD);
		segs = (unsigned)((l4len - l4h + p->off.gso_size - 1) / p->off.gso_size);
		if (IP6_HDR + l4h + p->off.gso_size > x->cfg->mtu) {
			icmp4_send_error(x, ip, tot, 3, 4, x->cfg->mtu - 20);
			return xlat_drop(x, DROP_TOO_BIG);
		}
		p->off.hdr_len = (uint16_t)(IP6_HDR + l4h);
		if ((p->off.gso_type & ~OFF_GSO_ECN) == OFF_GSO_TCPV4)
			p->off.gso_type = (uint8_t)(OFF_GSO_TCPV6 | (p->off.gso_type & OFF_GSO_ECN));
	} else if (v6len > x->cfg->mtu || (!df && v6len > c->offlink_mtu)) {
		size_t fsize = c->offlink_mtu < x->cfg->mtu ? c->offlink_mtu : x->cfg->mtu;
		if (df) {
			/* RFC 7915 4.1: Fragmentation Needed with the MTU the
			 * IPv4 sender can use */
			icmp4_send_error(x, ip, tot, 3, 4, x->cfg->mtu - 20);
			return xlat_drop(x, DROP_TOO_BIG);
		}
		l4_translate(c, ip, l4, l4len, proto, first, seed, &s6, &d6);
		return fragment_4to6(x, ip, &s6, &d6, nh, l4, l4len, fsize);
	}
	l4_translate(c, ip, l4, l4len, proto, first, seed, &s6, &d6);
	if (seed)
		p->off.csum_start = (uint16_t)hl;
	if (p->headroom + ihl < hl)
		return xlat_drop(x, DROP_OFFLOAD); /* caller gave too little headroom */
	uint8_t hdr[IP6_HDR + FRAG_HDR];
	put_ip6(hdr, ip, &s6, &d6, nh, (uint8_t)(ip[8] - 1), l4len, isfrag,
		(uint16_t)((fr & 0x1fff) * 8), fr & 0x2000);
	p->data = l4 - hl;
	p->headroom = p->headroom + ihl - hl;
	memcpy(p->data, hdr, hl);
	p->len = v6len;
	count_out(x, v6len, segs);
	x->emit(x->emit_arg, p);
	return XLAT_OK;
}
