/* icmp.c - ICMP messages the translator originates itself: errors about
 * packets it can't forward (Time Exceeded, Packet Too Big / Fragmentation
 * Needed, Parameter Problem, Unreachable) and echo replies for pings to its
 * own addresses. Pure builders: they read the parsed packet (struct
 * xlat_pkt) within its stated length and write the message at out; sending,
 * counting and rate limiting are the caller's (xlat.c). */
#include "core/xlat_pkt.h"

#include <arpa/inet.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/proto.h"

/* RFC 1812 4.3.2.5: error messages SHOULD carry precedence 6 (internetwork
 * control), i.e. TOS 0xc0 (DSCP CS6). */
#define ICMP4_ERR_TOS 0xc0

/* ---- IPv4 ---- */

/* RFC 1812 4.3.2.7: when must no ICMPv4 error be sent about this packet. */
bool icmp4_suppressed(const struct xlat_pkt *xp)
{
	/* fragments other than the first */
	if (!xp->first)
		return true;
	/* a source that doesn't identify a single host: 0/8, 127/8, class D
	 * and E, limited broadcast */
	if (addr_v4_is_forbidden(xp->s4))
		return true;
	/* addressed to multicast or the limited broadcast address */
	if ((ntohl(xp->d4.s_addr) & 0xf0000000u) == 0xe0000000u ||
	    xp->d4.s_addr == INADDR_BROADCAST)
		return true;
	/* an ICMP error message; if its type isn't there we can't tell, so
	 * stay silent rather than risk an error about an error */
	if (xp->proto == IPPROTO_ICMP)
		return xp->l4len == 0 || xlat_icmp4_is_error(xp->l4[0]);
	return false;
}

size_t icmp4_build_error(const struct config *c, const struct xlat_pkt *xp,
			 const struct xlat_err *e, uint16_t id, uint8_t *out)
{
	size_t quote, tot;
	uint16_t cs;

	quote = xp->len < ICMP4_ERR_MAX - IP4_HDR - ICMP_HDR ? xp->len
							      : ICMP4_ERR_MAX - IP4_HDR - ICMP_HDR;
	tot = IP4_HDR + ICMP_HDR + quote;
	/* quote first: the original may live in the same buffer */
	memmove(out + IP4_HDR + ICMP_HDR, xp->ip, quote);

	out[0] = 0x45;
	out[1] = ICMP4_ERR_TOS;
	put16(out + 2, (uint16_t)tot);
	/* DF clear so a short-MTU link can still carry it; then RFC 6864 4.2
	 * wants a changing ID: the caller's error counter serves. */
	put16(out + 4, id);
	put16(out + 6, 0);
	out[8] = OWN_TTL;
	out[9] = IPPROTO_ICMP;
	put16(out + 10, 0);
	memcpy(out + 12, &c->ipv4_addr, 4);
	memcpy(out + 16, &xp->s4, 4);
	cs = csum_finish(csum_add(0, out, IP4_HDR));
	memcpy(out + 10, &cs, 2);

	uint8_t *ic = out + IP4_HDR;
	ic[0] = e->type;
	ic[1] = e->code;
	put16(ic + 2, 0);
	put32(ic + 4, e->info);
	cs = csum_finish(csum_add(0, ic, ICMP_HDR + quote));
	memcpy(ic + 2, &cs, 2);
	return tot;
}

/* Why an echo request to ipv4-addr is not answered; DROP_MAX: it is. */
static enum drop_reason echo4_refusal(const struct xlat_pkt *xp)
{
	if (xp->l4len < ICMP_HDR)
		return DROP_TRUNCATED;
	if (xp->proto != IPPROTO_ICMP || xp->l4[0] != ICMP_ECHO || xp->l4[1] != 0)
		return DROP_SELF;
	if (xp->frag) /* we don't reassemble: a fragment can't be answered */
		return DROP_FRAG;
	if (addr_v4_is_forbidden(xp->s4)) /* RFC 1122 3.2.2.6 */
		return DROP_FORBIDDEN_ADDR;
	if (csum_fold(csum_add(0, xp->l4, xp->l4len)) != 0xffff)
		return DROP_BAD_HEADER;
	return DROP_MAX;
}

size_t icmp4_build_echo_reply(const struct xlat_pkt *xp, uint8_t *out, enum drop_reason *why)
{
	const uint8_t *req = xp->ip;
	size_t ilen = xp->l4len;

	if ((*why = echo4_refusal(xp)) != DROP_MAX)
		return 0;
	/* RFC 792: swap addresses, type 0, identifier/sequence/data as sent.
	 * IP options are not reflected (we never forward options either). */
	memmove(out + IP4_HDR, xp->l4, ilen);
	out[0] = 0x45;
	out[1] = req[1];                      /* keep the TOS of the request */
	put16(out + 2, (uint16_t)(IP4_HDR + ilen));
	memcpy(out + 4, req + 4, 2);          /* ID of the request ... */
	put16(out + 6, get16(req + 6) & IP4_DF); /* ... and its DF: same size, same path */
	out[8] = OWN_TTL;
	out[9] = IPPROTO_ICMP;
	put16(out + 10, 0);
	memcpy(out + 12, &xp->d4, 4);
	memcpy(out + 16, &xp->s4, 4);
	uint16_t cs = csum_finish(csum_add(0, out, IP4_HDR));
	memcpy(out + 10, &cs, 2);
	xlat_echo_rewrite(out + IP4_HDR, ICMP_ECHOREPLY, 0, 0);
	return IP4_HDR + ilen;
}

/* ---- IPv6 ---- */

/* RFC 4443 2.4(e.6): sources that don't identify a single node. Link-local
 * sources are fine: they do identify one node on the tun link. */
static bool ip6_src_unusable(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_MULTICAST(a);
}

/* RFC 4443 2.4(e): when must no ICMPv6 error be sent about this packet. */
bool icmp6_suppressed(const struct config *c, const struct xlat_pkt *xp, const struct xlat_err *e)
{
	if (!c->ipv6_addr_set)
		return true; /* no source for it */
	if (ip6_src_unusable(&xp->s6))
		return true;
	/* (e.3): multicast destination, except Packet Too Big and Parameter
	 * Problem code 2 (unrecognized option demanding a report) */
	if (IN6_IS_ADDR_MULTICAST(&xp->d6) &&
	    !(e->type == ICMP6_PACKET_TOO_BIG || (e->type == ICMP6_PARAM_PROB && e->code == 2)))
		return true;
	/* non-first fragments: nothing in them identifies the flow */
	if (!xp->first)
		return true;
	/* (e.1)/(e.2): about an ICMPv6 error message or a redirect */
	if (xp->proto == IPPROTO_ICMPV6)
		return xp->l4len == 0 || xp->l4[0] < ICMP6_ECHO_REQUEST || xp->l4[0] == ND_REDIRECT;
	return false;
}

size_t icmp6_build_error(const struct config *c, const struct xlat_pkt *xp,
			 const struct xlat_err *e, uint8_t *out)
{
	/* payload length 0 (a jumbogram): quote what there is */
	size_t olen = get16(xp->ip + 4) == 0 ? xp->caplen : xp->len;
	size_t quote, plen;
	uint16_t cs;

	quote = olen < ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR ? olen : ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR;
	plen = ICMP_HDR + quote;
	memmove(out + IP6_HDR + ICMP_HDR, xp->ip, quote);

	put32(out, 0x60000000u);
	put16(out + 4, (uint16_t)plen);
	out[6] = IPPROTO_ICMPV6;
	out[7] = OWN_TTL;
	memcpy(out + 8, &c->ipv6_addr, 16);
	memcpy(out + 24, &xp->s6, 16);

	uint8_t *ic = out + IP6_HDR;
	ic[0] = e->type;
	ic[1] = e->code;
	put16(ic + 2, 0);
	put32(ic + 4, e->info);
	/* RFC 4443 2.3: checksum includes the RFC 8200 8.1 pseudo-header */
	cs = csum_finish(csum_add(csum_pseudo6(&c->ipv6_addr, &xp->s6, IPPROTO_ICMPV6,
					       (uint32_t)plen), ic, plen));
	memcpy(ic + 2, &cs, 2);
	return IP6_HDR + plen;
}

/* Why an echo request to ipv6-addr is not answered; DROP_MAX: it is. */
static enum drop_reason echo6_refusal(const struct xlat_pkt *xp)
{
	size_t ilen = xp->l4len;

	if (get16(xp->ip + 4) == 0) /* jumbogram: not for a 64 KiB translator */
		return DROP_BAD_HEADER;
	if (xlat_real_frag(xp))
		return DROP_FRAG;
	if (xp->proto != IPPROTO_ICMPV6)
		return DROP_SELF;
	if (ilen < ICMP_HDR)
		return DROP_TRUNCATED;
	if (xp->l4[0] != ICMP6_ECHO_REQUEST || xp->l4[1] != 0)
		return DROP_SELF;
	if (ip6_src_unusable(&xp->s6))
		return DROP_FORBIDDEN_ADDR;
	if (csum_fold(csum_add(csum_pseudo6(&xp->s6, &xp->d6, IPPROTO_ICMPV6, (uint32_t)ilen),
			       xp->l4, ilen)) != 0xffff)
		return DROP_BAD_HEADER;
	return DROP_MAX;
}

size_t icmp6_build_echo_reply(const struct xlat_pkt *xp, uint8_t *out, enum drop_reason *why)
{
	size_t ilen = xp->l4len;

	if ((*why = echo6_refusal(xp)) != DROP_MAX)
		return 0;
	/* RFC 4443 4.2: swap addresses, type 129, identifier/sequence/data as
	 * received. Extension headers of the request are not reflected. The
	 * pseudo-header sum is symmetric in the addresses and the ICMPv6
	 * length is unchanged, so only the type word needs an update. */
	memmove(out + IP6_HDR, xp->l4, ilen);
	put32(out, 0x60000000u | (uint32_t)(get16(xp->ip) & 0x0ff0) << 16); /* keep traffic class */
	put16(out + 4, (uint16_t)ilen);
	out[6] = IPPROTO_ICMPV6;
	out[7] = OWN_TTL;
	memcpy(out + 8, &xp->d6, 16);
	memcpy(out + 24, &xp->s6, 16);
	xlat_echo_rewrite(out + IP6_HDR, ICMP6_ECHO_REPLY, 0, 0);
	return IP6_HDR + ilen;
}
