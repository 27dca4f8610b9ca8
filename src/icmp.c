/* icmp.c - ICMP messages the translator originates itself: errors about
 * packets it can't forward (Time Exceeded, Packet Too Big / Fragmentation
 * Needed, Parameter Problem, Unreachable) and echo replies for pings to its
 * own addresses. Everything is built in x->scratch; the original is only
 * read, within its stated length. */
#include "xlat.h"

#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "bytes.h"
#include "csum.h"
#include "ip6.h"

#define IP4_HDR   20
#define IP6_HDR   40
#define ICMP_HDR  8

/* RFC 1812 4.3.2.3: an ICMPv4 error holds as much of the original as fits
 * in 576 bytes. RFC 4443 2.4(c): an ICMPv6 error must not exceed the IPv6
 * minimum MTU, 1280 bytes. */
#define ICMP4_ERR_MAX 576
#define ICMP6_ERR_MAX 1280

/* TTL / hop limit of messages we originate (RFC 1700 default TTL). */
#define OWN_TTL 64
/* RFC 1812 4.3.2.5: error messages SHOULD carry precedence 6 (internetwork
 * control), i.e. TOS 0xc0 (DSCP CS6). */
#define ICMP4_ERR_TOS 0xc0


static bool log_on(const struct xlat_ctx *x, unsigned ev)
{
	return x->log && (x->cfg->conf->log_events & ev);
}

/* Count a dropped echo request; always false. */
static bool drop(struct xlat_ctx *x, enum drop_reason r)
{
	xlat_drop(x, r);
	return false;
}

static void emit_scratch(struct xlat_ctx *x, size_t len)
{
	struct pkt out;

	memset(&out, 0, sizeof(out));
	out.data = x->scratch + PKT_HEADROOM;
	out.len = len;
	out.headroom = PKT_HEADROOM;
	out.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - len;
	x->emit(x->emit_arg, &out);
}

/* ---- IPv4 ---- */

/* RFC 1812 4.3.2.7 / RFC 792: the ICMPv4 types that are error messages. */
static bool icmp4_is_error(uint8_t type)
{
	switch (type) {
	case 3:  /* destination unreachable */
	case 4:  /* source quench */
	case 5:  /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		return true;
	default:
		return false;
	}
}

/* Length of the IPv4 packet at b as far as it is present: total length when
 * it is sane, else what we have. 0 when not even a header is there. */
static size_t ip4_len(const uint8_t *b, size_t len, size_t *ihl)
{
	size_t tot;

	if (len < IP4_HDR || (b[0] >> 4) != 4)
		return 0;
	*ihl = (size_t)(b[0] & 0x0f) * 4;
	if (*ihl < IP4_HDR || *ihl > len)
		return 0;
	tot = get16(b + 2);
	return (tot >= *ihl && tot < len) ? tot : len;
}

/* RFC 1812 4.3.2.7: when must no ICMPv4 error be sent about this packet. */
static bool icmp4_suppressed(const uint8_t *o, size_t len, size_t ihl)
{
	struct in_addr src, dst;
	uint16_t frag = get16(o + 6);

	/* fragments other than the first */
	if (frag & 0x1fff)
		return true;
	memcpy(&src, o + 12, 4);
	memcpy(&dst, o + 16, 4);
	/* a source that doesn't identify a single host: 0/8, 127/8, class D
	 * and E, limited broadcast */
	if (addr_v4_is_forbidden(src))
		return true;
	/* addressed to multicast or the limited broadcast address */
	if ((ntohl(dst.s_addr) & 0xf0000000u) == 0xe0000000u || dst.s_addr == INADDR_BROADCAST)
		return true;
	/* an ICMP error message; if its type isn't there we can't tell, so
	 * stay silent rather than risk an error about an error */
	if (o[9] == IPPROTO_ICMP)
		return len <= ihl || icmp4_is_error(o[ihl]);
	return false;
}

bool icmp4_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info)
{
	const struct config *c = x->cfg->conf;
	uint8_t *b = x->scratch + PKT_HEADROOM;
	uint8_t dst[4];
	size_t ihl = 0, olen, quote, tot;
	uint64_t n;

	olen = ip4_len(orig, len, &ihl);
	if (!olen || icmp4_suppressed(orig, olen, ihl))
		return false;
	if (!ratelimit_take(x->icmp_rl, x->now_ms)) {
		xlat_drop(x, DROP_RATELIMIT);
		return false;
	}
	memcpy(dst, orig + 12, 4);
	quote = olen < ICMP4_ERR_MAX - IP4_HDR - ICMP_HDR ? olen : ICMP4_ERR_MAX - IP4_HDR - ICMP_HDR;
	tot = IP4_HDR + ICMP_HDR + quote;
	/* quote first: orig may live in scratch too (memmove copes) */
	memmove(b + IP4_HDR + ICMP_HDR, orig, quote);

	n = ++x->stats->icmp4_sent;
	b[0] = 0x45;
	b[1] = ICMP4_ERR_TOS;
	put16(b + 2, (uint16_t)tot);
	/* DF clear so a short-MTU link can still carry it; then RFC 6864 4.2
	 * wants a changing ID: our own error counter serves. */
	put16(b + 4, (uint16_t)n);
	put16(b + 6, 0);
	b[8] = OWN_TTL;
	b[9] = IPPROTO_ICMP;
	put16(b + 10, 0);
	memcpy(b + 12, &c->ipv4_addr, 4);
	memcpy(b + 16, dst, 4);
	{
		uint16_t hc = csum_finish(csum_add(0, b, IP4_HDR));
		memcpy(b + 10, &hc, 2);
	}

	uint8_t *ic = b + IP4_HDR;
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put32(ic + 4, info);
	{
		uint16_t cs = csum_finish(csum_add(0, ic, ICMP_HDR + quote));
		memcpy(ic + 2, &cs, 2);
	}

	if (log_on(x, LOG_EV_REJECT)) {
		char s[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, dst, s, sizeof(s));
		xlat_log(x, LOG_EV_REJECT, "reject: ICMPv4 %u/%u to %s", type, code, s);
	}
	emit_scratch(x, tot);
	return true;
}

bool icmp4_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	uint8_t *b = x->scratch + PKT_HEADROOM;
	size_t ihl, tot, ilen;
	struct in_addr src;
	uint16_t cs, oldw, neww;

	/* Drops here are counted here: the caller hands over the request. */
	if (len < IP4_HDR)
		return drop(x, DROP_TRUNCATED);
	if ((req[0] >> 4) != 4)
		return drop(x, DROP_BAD_VERSION);
	ihl = (size_t)(req[0] & 0x0f) * 4;
	tot = get16(req + 2);
	if (ihl < IP4_HDR || tot < ihl)
		return drop(x, DROP_BAD_HEADER);
	if (tot > len || tot < ihl + ICMP_HDR)
		return drop(x, DROP_TRUNCATED);
	if (req[9] != IPPROTO_ICMP || req[ihl] != 8 || req[ihl + 1] != 0)
		return drop(x, DROP_SELF);
	/* we don't reassemble: a fragmented ping can't be answered whole */
	if (get16(req + 6) & 0x3fff)
		return drop(x, DROP_FRAG);
	memcpy(&src, req + 12, 4);
	/* RFC 1122 3.2.2.6: no reply to a broadcast/multicast-sourced request */
	if (addr_v4_is_forbidden(src))
		return drop(x, DROP_FORBIDDEN_ADDR);
	ilen = tot - ihl;
	if (csum_fold(csum_add(0, req + ihl, ilen)) != 0xffff)
		return drop(x, DROP_BAD_HEADER);

	/* RFC 792: swap addresses, type 0, identifier/sequence/data as sent.
	 * IP options are not reflected (we never forward options either). */
	memmove(b + IP4_HDR, req + ihl, ilen);
	b[0] = 0x45;
	b[1] = req[1];                      /* keep the TOS of the request */
	put16(b + 2, (uint16_t)(IP4_HDR + ilen));
	memcpy(b + 4, req + 4, 2);          /* ID of the request ... */
	put16(b + 6, get16(req + 6) & 0x4000); /* ... and its DF: same size, same path */
	b[8] = OWN_TTL;
	b[9] = IPPROTO_ICMP;
	put16(b + 10, 0);
	memcpy(b + 12, req + 16, 4);
	memcpy(b + 16, req + 12, 4);
	cs = csum_finish(csum_add(0, b, IP4_HDR));
	memcpy(b + 10, &cs, 2);

	/* RFC 1624 update of the ICMP checksum for the type change 8 -> 0 */
	memcpy(&oldw, b + IP4_HDR, 2);
	b[IP4_HDR] = 0;
	memcpy(&neww, b + IP4_HDR, 2);
	memcpy(&cs, b + IP4_HDR + 2, 2);
	cs = csum_replace(cs, oldw, neww);
	memcpy(b + IP4_HDR + 2, &cs, 2);

	x->stats->echo_replies++;
	if (log_on(x, LOG_EV_SELF)) {
		char s[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, req + 12, s, sizeof(s));
		xlat_log(x, LOG_EV_SELF, "self: echo reply to %s", s);
	}
	emit_scratch(x, IP4_HDR + ilen);
	return true;
}

/* ---- IPv6 ---- */

/* RFC 8200 8.1 pseudo-header sum. Not csum_pseudo6(): it adds two unfolded
 * 32-bit address sums in uint32_t and can lose a carry. Seeding csum_add()
 * (64-bit accumulator) keeps every carry. */
static uint32_t pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
			uint8_t nh, uint32_t len)
{
	uint32_t w[2] = { htonl(len), htonl(nh) };
	uint32_t s = csum_add(0, src, 16);

	s = csum_add(s, dst, 16);
	return csum_add(s, w, sizeof(w));
}

/* RFC 4443 2.4(e.6): sources that don't identify a single node. Link-local
 * sources are fine: they do identify one node on the tun link. */
static bool ip6_src_unusable(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_MULTICAST(a);
}

/* The upper-layer header of the IPv6 packet at b (len bytes, >= 40): its
 * offset and protocol in *proto, or 0 when the chain is truncated or
 * malformed. *frag_off gets the fragment offset (0 without a Fragment
 * header). */
static size_t ip6_upper(const uint8_t *b, size_t len, uint8_t *proto, uint16_t *frag_off,
			bool *fragmented)
{
	struct ip6_info in;

	if (ip6_walk(b, len, &in) != 0)
		return 0;
	*proto = in.proto;
	*frag_off = in.frag_off;
	*fragmented = in.frag;
	return in.l4off;
}

static size_t ip6_len(const uint8_t *b, size_t len)
{
	size_t pl;

	if (len < IP6_HDR || (b[0] >> 4) != 6)
		return 0;
	pl = get16(b + 4);
	/* payload length 0 is a jumbogram (RFC 2675): take what we have */
	return (pl && IP6_HDR + pl < len) ? IP6_HDR + pl : len;
}

/* RFC 4443 2.4(e): when must no ICMPv6 error be sent about this packet. */
static bool icmp6_suppressed(const uint8_t *o, size_t len, uint8_t type, uint8_t code)
{
	struct in6_addr src, dst;
	uint8_t proto = 0;
	uint16_t frag_off;
	bool fragmented;
	size_t l4;

	memcpy(&src, o + 8, 16);
	memcpy(&dst, o + 24, 16);
	if (ip6_src_unusable(&src))
		return true;
	/* (e.3): multicast destination, except Packet Too Big and Parameter
	 * Problem code 2 (unrecognized option demanding a report) */
	if (IN6_IS_ADDR_MULTICAST(&dst) && !(type == 2 || (type == 4 && code == 2)))
		return true;
	l4 = ip6_upper(o, len, &proto, &frag_off, &fragmented);
	/* a chain we can't walk could hide an ICMPv6 error: stay silent */
	if (!l4)
		return true;
	/* non-first fragments: nothing in them identifies the flow */
	if (frag_off)
		return true;
	/* (e.1)/(e.2): about an ICMPv6 error message or a redirect */
	if (proto == IPPROTO_ICMPV6)
		return l4 >= len || o[l4] < 128 || o[l4] == 137;
	return false;
}

bool icmp6_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info)
{
	const struct config *c = x->cfg->conf;
	uint8_t *b = x->scratch + PKT_HEADROOM;
	struct in6_addr dst;
	size_t olen, quote, plen;
	uint16_t cs;

	olen = ip6_len(orig, len);
	if (!olen || !c->ipv6_addr_set || icmp6_suppressed(orig, olen, type, code))
		return false;
	if (!ratelimit_take(x->icmp_rl, x->now_ms)) {
		xlat_drop(x, DROP_RATELIMIT);
		return false;
	}
	memcpy(&dst, orig + 8, 16);
	quote = olen < ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR ? olen : ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR;
	plen = ICMP_HDR + quote;
	memmove(b + IP6_HDR + ICMP_HDR, orig, quote);

	put32(b, 0x60000000u);
	put16(b + 4, (uint16_t)plen);
	b[6] = IPPROTO_ICMPV6;
	b[7] = OWN_TTL;
	memcpy(b + 8, &c->ipv6_addr, 16);
	memcpy(b + 24, &dst, 16);

	uint8_t *ic = b + IP6_HDR;
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put32(ic + 4, info);
	/* RFC 4443 2.3: checksum includes the RFC 8200 8.1 pseudo-header */
	cs = csum_finish(csum_add(pseudo6(&c->ipv6_addr, &dst, IPPROTO_ICMPV6, (uint32_t)plen),
				  ic, plen));
	memcpy(ic + 2, &cs, 2);

	x->stats->icmp6_sent++;
	if (log_on(x, LOG_EV_REJECT)) {
		char s[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &dst, s, sizeof(s));
		xlat_log(x, LOG_EV_REJECT, "reject: ICMPv6 %u/%u to %s", type, code, s);
	}
	emit_scratch(x, IP6_HDR + plen);
	return true;
}

bool icmp6_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	uint8_t *b = x->scratch + PKT_HEADROOM;
	struct in6_addr src, dst;
	uint8_t proto = 0;
	uint16_t frag_off, cs, oldw, neww;
	bool fragmented;
	size_t pl, tot, l4, ilen;

	/* Drops here are counted here: the caller hands over the request. */
	if (len < IP6_HDR)
		return drop(x, DROP_TRUNCATED);
	if ((req[0] >> 4) != 6)
		return drop(x, DROP_BAD_VERSION);
	pl = get16(req + 4);
	if (pl == 0)   /* jumbogram: not for a 64 KiB translator */
		return drop(x, DROP_BAD_HEADER);
	tot = IP6_HDR + pl;
	if (tot > len)
		return drop(x, DROP_TRUNCATED);
	l4 = ip6_upper(req, tot, &proto, &frag_off, &fragmented);
	if (!l4)
		return drop(x, DROP_EXT_HDR);
	if (fragmented)
		return drop(x, DROP_FRAG);
	if (proto != IPPROTO_ICMPV6)
		return drop(x, DROP_SELF);
	if (tot - l4 < ICMP_HDR)
		return drop(x, DROP_TRUNCATED);
	if (req[l4] != 128 || req[l4 + 1] != 0)
		return drop(x, DROP_SELF);
	memcpy(&src, req + 8, 16);
	memcpy(&dst, req + 24, 16);
	if (ip6_src_unusable(&src))
		return drop(x, DROP_FORBIDDEN_ADDR);
	ilen = tot - l4;
	if (csum_fold(csum_add(pseudo6(&src, &dst, IPPROTO_ICMPV6, (uint32_t)ilen),
			       req + l4, ilen)) != 0xffff)
		return drop(x, DROP_BAD_HEADER);

	/* RFC 4443 4.2: swap addresses, type 129, identifier/sequence/data as
	 * received. Extension headers of the request are not reflected. The
	 * pseudo-header sum is symmetric in the addresses and the ICMPv6
	 * length is unchanged, so only the type word needs an update. */
	memmove(b + IP6_HDR, req + l4, ilen);
	put32(b, 0x60000000u | (uint32_t)(get16(req) & 0x0ff0) << 16); /* keep traffic class */
	put16(b + 4, (uint16_t)ilen);
	b[6] = IPPROTO_ICMPV6;
	b[7] = OWN_TTL;
	memcpy(b + 8, &dst, 16);
	memcpy(b + 24, &src, 16);

	memcpy(&oldw, b + IP6_HDR, 2);
	b[IP6_HDR] = 129;
	memcpy(&neww, b + IP6_HDR, 2);
	memcpy(&cs, b + IP6_HDR + 2, 2);
	cs = csum_replace(cs, oldw, neww);
	memcpy(b + IP6_HDR + 2, &cs, 2);

	x->stats->echo_replies++;
	if (log_on(x, LOG_EV_SELF)) {
		char s[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &src, s, sizeof(s));
		xlat_log(x, LOG_EV_SELF, "self: echo reply to %s", s);
	}
	emit_scratch(x, IP6_HDR + ilen);
	return true;
}
