/* xlat_pkt.h - the per-packet state of one translation and the helpers the
 * stages share. Internal to the translator (libxlat).
 *
 * Each direction is parse -> classify (self / ICMP error / data) -> map ->
 * limits -> rewrite. The parse fills struct xlat_pkt once; everything after
 * it (the ICMP error about the packet included) works from that view.
 */
#ifndef TAYGA_XLAT_PKT_H
#define TAYGA_XLAT_PKT_H

#include <string.h>

#include "lib/csum.h"
#include "core/xlat.h"

/* What a stage decided about the packet. */
enum xlat_step {
	XS_EMIT,     /* p holds the translated packet: emit it */
	XS_DONE,     /* output already emitted (fragments, translated ICMP error) */
	XS_DROP,     /* drop under xp->why; send xp->err when set */
	XS_ECHO,     /* an echo request to the translator: answer it */
	XS_HAIRPIN,  /* 6->4 result goes round through 4->6 (RFC 7757 4.2) */
};

/* An ICMP error to send about the packet (part of the verdict). */
struct xlat_err {
	bool set;
	uint8_t type, code;
	uint32_t info;         /* MTU or pointer, host order */
};

struct xlat_pkt {
	struct pkt *p;
	uint8_t *ip;           /* IP header, as received */
	size_t len;            /* packet length: the header's, or what was read
				* when that is less (xp->truncated) */
	size_t caplen;         /* bytes readable at ip */
	bool truncated;        /* the header claims more than was read */
	bool jumbo;            /* IPv6 payload length 0 (RFC 2675) */
	size_t l4off;          /* IPv4: IHL; IPv6: past the extension headers */
	uint8_t *l4;
	size_t l4len;
	uint8_t proto;         /* upper-layer protocol */
	uint8_t ttl;           /* TTL / hop limit as received */
	bool frag;             /* a fragment (IPv4 MF/offset, IPv6 Fragment header) */
	bool first;            /* offset 0: the L4 header is here */
	bool more;             /* MF / M */
	bool df;               /* IPv4 DF */
	uint16_t frag_off;     /* bytes */
	uint32_t frag_id;      /* IPv4 ID or IPv6 Fragment header ID */
	size_t segleft_at;     /* IPv6: offset of a non-zero Segments Left */
	size_t nh_at;          /* IPv6: offset of the Next Header naming proto */
	bool ext_after_frag;   /* IPv6: extension header after a Fragment header */
	bool icmp_err;         /* an ICMP error message (first fragment) */
	bool gso, seed;        /* GSO super-packet; L4 checksum is a NEEDS_CSUM seed */
	unsigned segs;         /* segments on the wire (GSO), else 1 */

	struct in_addr s4, d4; /* IPv4 addresses: parsed (4->6) or mapped (6->4) */
	struct in6_addr s6, d6;
	bool dst_via_prefix;   /* 6->4: destination taken through the RFC 6052 prefix */
	bool hairpin;          /* 4->6: second pass of a hairpinned packet */
	bool udp_calc;         /* 6->4: compute a zero UDP checksum (udp-cksum-mode calc) */

	enum drop_reason why;  /* XS_DROP */
	struct xlat_err err;   /* XS_DROP: ICMP error to send */
};

/* Headers of the translated packet, written at out (RFC 7915 4.1 / 5.1)
 * from the parsed packet xp and its mapped addresses: xlat_put_ip6 adds a
 * Fragment header when xp->frag and returns the header length;
 * xlat_put_ip4 takes the fragment fields from xp (DF=0 then). */
size_t xlat_put_ip6(uint8_t *out, const struct xlat_pkt *xp, uint8_t nh, uint8_t hlim,
		    size_t l4len, uint16_t frag_off, bool more);
void xlat_put_ip4(uint8_t *out, const struct xlat_pkt *xp, uint8_t proto, uint8_t ttl,
		  size_t tot, uint16_t id, bool df);

/* ---- verdict helpers ---- */
static inline enum xlat_step xlat_reject(struct xlat_pkt *xp, enum drop_reason why,
					 uint8_t type, uint8_t code, uint32_t info)
{
	xp->why = why;
	xp->err.set = true;
	xp->err.type = type;
	xp->err.code = code;
	xp->err.info = info;
	return XS_DROP;
}

static inline enum xlat_step xlat_drop(struct xlat_pkt *xp, enum drop_reason why)
{
	xp->why = why;
	return XS_DROP;
}

/* Log an event of class ev when enabled in the config. */
void xlat_log(struct xlat_ctx *x, unsigned ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Under `log drop`: "drop: <what> <src> -> <dst>" with the packet's
 * addresses as received (v6: it is IPv6), ports when ports is set. */
void xlat_log_drop(struct xlat_ctx *x, const struct xlat_pkt *xp, bool v6, const char *what,
		   bool ports);
/* RFC 1812 5.3.7: a martian source or destination is discarded silently
 * (no ICMP error: 4.3.2.7 forbids one to an invalid source, and a martian
 * destination is not worth one) and logged with both addresses. */
static inline enum xlat_step xlat_martian(struct xlat_ctx *x, struct xlat_pkt *xp, bool v6)
{
	xlat_log_drop(x, xp, v6, "martian address", false);
	return xlat_drop(xp, DROP_MARTIAN);
}

/* ---- address mapping (xlat_pkt.c) ---- */
/* EAM / own address / prefix, then the dynamic pool for pool addresses.
 * 4->6 never creates pool entries. On failure returns the drop reason. */
bool xlat_addr_4to6(struct xlat_ctx *x, struct in_addr a, struct in6_addr *out,
		    enum drop_reason *why);
/* 6->4; creates a pool entry only when create is set (the IPv6 source of
 * IPv6-side traffic). *via_prefix (may be NULL): taken through the prefix. */
bool xlat_addr_6to4(struct xlat_ctx *x, const struct in6_addr *a, struct in_addr *out,
		    bool create, bool *via_prefix, enum drop_reason *why);

/* ---- checksums (xlat_pkt.c) ---- */
/* Update the TCP/UDP checksum field at c for a pseudo-header whose address
 * words summed old_sum and now sum new_sum (RFC 1624: a bad checksum stays
 * exactly as bad). seed: c holds a NEEDS_CSUM pseudo-header seed instead.
 * udp: a computed zero is stored as all ones (RFC 768). */
static inline void xlat_l4_csum(uint8_t *c, uint32_t old_sum, uint32_t new_sum, bool seed,
				bool udp)
{
	uint16_t f;

	memcpy(&f, c, 2);
	if (seed) {
		/* a seed is the uncomplemented sum: seed - old + new */
		uint32_t s = f;
		s += (uint16_t)~csum_fold(old_sum);
		s += csum_fold(new_sum);
		f = csum_fold(s);
	} else {
		f = csum_replace(f, old_sum, new_sum);
		if (udp && f == 0)
			f = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	}
	memcpy(c, &f, 2);
}
/* Echo request/reply between ICMPv4 and ICMPv6: set the type and fix the
 * checksum for it and for the pseudo-header only ICMPv6 has (old_pseudo /
 * new_pseudo: its sum before / after, 0 on the ICMPv4 side). */
void xlat_echo_rewrite(uint8_t *icmp, uint8_t type, uint32_t old_pseudo, uint32_t new_pseudo);
/* Resolve NEEDS_CSUM in software; false when the metadata is unusable. */
bool xlat_csum_complete(struct xlat_pkt *xp);

/* ---- output and drops (xlat_pkt.c) ---- */
/* Count a drop under reason r (and log it when `log drop` is on); the
 * verdict that says so. */
struct xlat_result xlat_count_drop(struct xlat_ctx *x, enum drop_reason r);
/* Hand p to ctx->emit; what it refused is counted as a drop under the
 * reason it gave. Its verdict. */
static inline struct xlat_result xlat_output(struct xlat_ctx *x, const struct pkt *p)
{
	struct xlat_result r = x->emit(x->emit_arg, p);

	if (r.verdict != XLAT_OK)
		return xlat_count_drop(x, r.why);
	return XLAT_TAKEN;
}
/* The same for len bytes built at x->scratch + PKT_HEADROOM. */
struct xlat_result xlat_emit_scratch(struct xlat_ctx *x, size_t len);
/* Count a translated packet of len bytes and segs segments. */
static inline void xlat_count_out(struct xlat_ctx *x, int dir, size_t len, unsigned segs)
{
	x->stats->pkts[dir]++;
	x->stats->bytes[dir] += len;
	x->stats->segs[dir] += segs;
}

/* RFC 7915 5.1 / RFC 6864 4.2: the Identification of a translated IPv4
 * packet with DF=0 and no Fragment header. Non-zero, and it does not repeat
 * for 65535 such packets: a counter from a random start (main.c seeds it).
 * Consecutive packets of one flow get consecutive IDs, which is what the
 * kernel gives the datagrams of a USO super-packet, so write coalescing
 * keeps the bytes on the wire the same. */
static inline uint16_t xlat_next_id(struct xlat_ctx *x)
{
	uint16_t id = x->ip4_id++;

	return id ? id : x->ip4_id++;
}

/* Hop limit of a 4->6 translated packet: TTL - 1, except in the second
 * pass of a hairpinned packet, which lost its hop in the 6->4 pass. */
static inline uint8_t xlat_hlim_4to6(const struct xlat_pkt *xp)
{
	return (uint8_t)(xp->hairpin ? xp->ttl : xp->ttl - 1);
}

/* ICMPv4 types that are error messages (RFC 792 / RFC 1812 4.3.2.7) */
bool xlat_icmp4_is_error(uint8_t type);

/* A packet for ipv4-addr / ipv6-addr: pings are answered, other ICMP
 * dropped, other protocols refused with the host's ICMP error. */
enum xlat_step xlat_to_self(struct xlat_ctx *x, struct xlat_pkt *xp, bool v6);
/* The packet's offload metadata is something we can honour. */
static inline bool xlat_offload_ok(const struct xlat_pkt *xp)
{
	const struct offload *o = xp->p ? &xp->p->off : NULL;

	/* a super-packet: never a fragment, never UFO, always a seed at the
	 * L4 header; a partial checksum must start at the L4 header */
	if (xp->gso && (xp->frag || (o->gso_type & ~OFF_GSO_ECN) == OFF_GSO_UDP || !xp->seed))
		return false;
	return !xp->seed || o->csum_start == xp->l4off;
}
/* A real fragment: part of a bigger packet. An IPv6 atomic fragment
 * (Fragment header, offset 0, M=0) is a whole packet (RFC 6946 4, RFC
 * 8021): it is translated like one, ICMP included. */
static inline bool xlat_real_frag(const struct xlat_pkt *xp)
{
	return xp->frag && (xp->frag_off != 0 || xp->more);
}
/* A first fragment (or whole packet) too short for its TCP / UDP header. */
static inline bool xlat_l4_short(const struct xlat_pkt *xp)
{
	return xp->first && ((xp->proto == IPPROTO_TCP && xp->l4len < 20) ||
			     (xp->proto == IPPROTO_UDP && xp->l4len < 8));
}

/* true for a protocol number that means something else on the other side
 * (v6: the packet is IPv6). */
static inline bool xlat_proto_conflicts(uint8_t proto, bool v6)
{
	/* RFC 7915 4.1 / 5.1 copy the protocol number; these mean something
	 * else on the other side: IPv6 extension headers and ICMPv6 carried
	 * in IPv4 (0 Hop-by-Hop, 43 Routing, 44 Fragment, 58 ICMPv6, 60
	 * Destination Options), ICMPv4 carried in IPv6 (1). */
	if (v6)
		return proto == IPPROTO_ICMP;
	return proto == 0 || proto == IPPROTO_ROUTING || proto == IPPROTO_FRAGMENT ||
	       proto == IPPROTO_ICMPV6 || proto == IPPROTO_DSTOPTS;
}
/* Whether a packet whose TTL / hop limit runs out gets Time Exceeded. */
bool xlat_ttl_error_allowed(const struct xlat_pkt *xp, uint8_t icmp_proto, uint8_t echo_request);

/* ---- the two directions ---- */
enum xlat_step xlat_4to6(struct xlat_ctx *x, struct xlat_pkt *xp);
enum xlat_step xlat_6to4(struct xlat_ctx *x, struct xlat_pkt *xp);
/* Quoted packets of ICMP errors (RFC 7915 4.2-4.3 / 5.2-5.3). hairpin: the
 * IPv4 error replaces the packet in its buffer for the 4->6 pass
 * (XS_HAIRPIN) instead of being emitted. */
enum xlat_step xlat_icmp_err_4to6(struct xlat_ctx *x, struct xlat_pkt *xp);
enum xlat_step xlat_icmp_err_6to4(struct xlat_ctx *x, struct xlat_pkt *xp, bool hairpin);

/* ---- messages we originate (icmp.c) ----
 * RFC 1812 4.3.2.7 / RFC 4443 2.4(e): true when no error may be sent about
 * the packet xp (checked before the rate limiter, so a suppressed error
 * uses no token). */
bool icmp4_suppressed(const struct xlat_pkt *xp);
bool icmp6_suppressed(const struct config *c, const struct xlat_pkt *xp, const struct xlat_err *e);
/* The error e about xp, built at out from the parsed view; its length. */
size_t icmp4_build_error(const struct config *c, const struct xlat_pkt *xp,
			 const struct xlat_err *e, uint16_t id, uint8_t *out);
size_t icmp6_build_error(const struct config *c, const struct xlat_pkt *xp,
			 const struct xlat_err *e, uint8_t *out);
/* Echo replies (RFC 792 / RFC 4443 4.2); 0 with *why when not answered. */
size_t icmp4_build_echo_reply(const struct xlat_pkt *xp, uint8_t *out, enum drop_reason *why);
size_t icmp6_build_echo_reply(const struct xlat_pkt *xp, uint8_t *out, enum drop_reason *why);

#endif
