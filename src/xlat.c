/* xlat.c - one packet through the translator: parse, hand it to its
 * direction, and carry out the verdict (emit, drop with one reason, the ICMP
 * error or echo reply that goes with it, hairpinning). */
#include "xlat_pkt.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"
#include "ip6.h"
#include "meter.h"
#include "proto.h"

/* ---- the one parse of each packet (inline here: every packet runs it) ---- */

static bool parse_fail(struct xlat_pkt *xp, enum drop_reason why)
{
	xp->why = why;
	return false;
}

/* Fields every parse sets the same way. Field by field, not a memset of
 * the whole struct: this runs for every packet; the rest is set by the
 * parse (or, for the mapped addresses, by the direction before use). */
static inline void parse_common(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
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

static inline bool parse4(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	size_t ihl, tot;
	uint16_t fr;

	parse_common(xp, p, ip, len);
	if (len < IP4_HDR)
		return parse_fail(xp, DROP_TRUNCATED);
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || ihl < IP4_HDR)
		return parse_fail(xp, DROP_BAD_HEADER);
	if (ihl > len)
		return parse_fail(xp, DROP_TRUNCATED);
	tot = get16(ip + 2);
	if (tot < ihl)
		return parse_fail(xp, DROP_BAD_HEADER);
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

static inline bool parse6(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	struct ip6_info ii;
	size_t tot;

	parse_common(xp, p, ip, len);
	if (len < IP6_HDR)
		return parse_fail(xp, DROP_TRUNCATED);
	if (ip[0] >> 4 != 6)
		return parse_fail(xp, DROP_BAD_HEADER);
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
	if (ip6_walk(ip, xp->len, &ii) != 0)
		return parse_fail(xp, xp->truncated ? DROP_TRUNCATED : DROP_EXT_HDR);
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

bool xlat_parse4(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	return parse4(xp, p, ip, len);
}

bool xlat_parse6(struct xlat_pkt *xp, struct pkt *p, const uint8_t *ip, size_t len)
{
	return parse6(xp, p, ip, len);
}


static enum xlat_verdict count_drop(struct xlat_ctx *x, enum drop_reason r)
{
	if ((unsigned)r < DROP_MAX)
		x->stats->drops[r]++;
	xlat_log(x, LOG_EV_DROP, "drop: %s", stats_drop_name(r));
	return XLAT_DROP;
}

/* The rate limiter (RFC 4443 2.4(f), RFC 1812 4.3.2.8): true when a token
 * was there; a suppressed error is counted as such, the packet keeps its
 * own drop reason. */
static bool take_token(struct xlat_ctx *x)
{
	if (ratelimit_take(x->icmp_rl, x->now_ms))
		return true;
	x->stats->icmp_ratelimited++;
	return false;
}

static void log_reject(struct xlat_ctx *x, int af, const void *dst, const struct xlat_err *e)
{
	char s[INET6_ADDRSTRLEN];

	if (!x->log || !(x->cfg->conf->log_events & LOG_EV_REJECT))
		return;
	inet_ntop(af, dst, s, sizeof(s));
	xlat_log(x, LOG_EV_REJECT, "reject: ICMPv%c %u/%u to %s", af == AF_INET ? '4' : '6',
		 e->type, e->code, s);
}

/* Build the ICMP error xp->err about the packet xp (as received) and send
 * it from our own address. */
static bool send_error(struct xlat_ctx *x, const struct xlat_pkt *xp, bool v6)
{
	const struct config *c = x->cfg->conf;
	uint8_t *out = x->scratch + PKT_HEADROOM;
	size_t n;

	if (v6)
		n = icmp6_build_error(c, xp, &xp->err, out);
	else
		n = icmp4_build_error(c, xp, &xp->err, (uint16_t)(x->stats->icmp4_sent + 1), out);
	if (n == 0 || !take_token(x))
		return false;
	if (v6) {
		x->stats->icmp6_sent++;
		log_reject(x, AF_INET6, &xp->s6, &xp->err);
	} else {
		x->stats->icmp4_sent++;
		log_reject(x, AF_INET, &xp->s4, &xp->err);
	}
	xlat_emit_scratch(x, n);
	return true;
}

static enum xlat_verdict echo_reply(struct xlat_ctx *x, const struct xlat_pkt *xp, bool v6)
{
	uint8_t *out = x->scratch + PKT_HEADROOM;
	enum drop_reason why = DROP_SELF;
	char s[INET6_ADDRSTRLEN];
	size_t n;

	n = v6 ? icmp6_build_echo_reply(xp, out, &why) : icmp4_build_echo_reply(xp, out, &why);
	if (n == 0)
		return count_drop(x, why);
	x->stats->echo_replies++;
	if (x->log && (x->cfg->conf->log_events & LOG_EV_SELF)) {
		inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)&xp->s6 : (const void *)&xp->s4,
			  s, sizeof(s));
		xlat_log(x, LOG_EV_SELF, "self: echo reply to %s", s);
	}
	xlat_emit_scratch(x, n);
	return XLAT_OK;
}

/* Carry out a direction's decision about xp. v6: the packet as received is
 * IPv6. */
static inline enum xlat_verdict finish(struct xlat_ctx *x, struct xlat_pkt *xp, enum xlat_step s,
				       bool v6)
{
	switch (s) {
	case XS_EMIT:
		xlat_count_out(x, v6 ? DIR_6TO4 : DIR_4TO6, xp->p->len, xp->segs);
		x->emit(x->emit_arg, xp->p);
		return XLAT_OK;
	case XS_DONE:
		return XLAT_OK;
	case XS_ECHO:
		return echo_reply(x, xp, v6);
	case XS_DROP:
	default:
		/* a hairpinned packet is no longer what its sender sent: no
		 * ICMPv4 error about its intermediate form */
		if (xp->err.set && !xp->hairpin && !xp->gso && xlat_csum_complete(xp))
			send_error(x, xp, v6);
		return count_drop(x, xp->why);
	}
}

/* RFC 7757 4.2: the 6->4 result, an IPv4 packet for one of our EAM hosts,
 * is translated back to IPv6 at once instead of looping through the kernel. */
static enum xlat_verdict hairpin(struct xlat_ctx *x, struct pkt *p)
{
	struct xlat_pkt xp;

	if (!xlat_parse4(&xp, p, p->data, p->len))
		return count_drop(x, xp.why);
	xp.hairpin = true;
	return finish(x, &xp, xlat_4to6(x, &xp), false);
}

static enum xlat_verdict dispatch(struct xlat_ctx *x, struct pkt *p)
{
	struct xlat_pkt xp;
	enum xlat_step s;

	if (p->len < 1)
		return count_drop(x, DROP_TRUNCATED);
	switch (p->data[0] >> 4) {
	case 4:
		if (!parse4(&xp, p, p->data, p->len))
			return count_drop(x, xp.why);
		return finish(x, &xp, xlat_4to6(x, &xp), false);
	case 6:
		if (!parse6(&xp, p, p->data, p->len))
			return count_drop(x, xp.why);
		s = xlat_6to4(x, &xp);
		if (s == XS_HAIRPIN)
			return hairpin(x, p);
		return finish(x, &xp, s, true);
	default:
		return count_drop(x, DROP_BAD_VERSION);
	}
}

enum xlat_verdict xlat_packet(struct xlat_ctx *x, struct pkt *p)
{
	/* usage-stats / rate-limit: meter.c charges what the translation emits */
	if (x->meter)
		return meter_packet(x, p, dispatch);
	return dispatch(x, p);
}

enum xlat_verdict xlat_count_drop(struct xlat_ctx *x, enum drop_reason r)
{
	return count_drop(x, r);
}

/* The same error path for a packet given as bytes (tests, tools). */
static bool error_bytes(struct xlat_ctx *x, const uint8_t *orig, size_t len, bool v6,
			uint8_t type, uint8_t code, uint32_t info)
{
	struct xlat_pkt xp;

	if (!(v6 ? xlat_parse6(&xp, NULL, orig, len) : xlat_parse4(&xp, NULL, orig, len)))
		return false;
	xp.err = (struct xlat_err){ .set = true, .type = type, .code = code, .info = info };
	return send_error(x, &xp, v6);
}

bool icmp4_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info)
{
	return error_bytes(x, orig, len, false, type, code, info);
}

bool icmp6_send_error(struct xlat_ctx *x, const uint8_t *orig, size_t len,
		      uint8_t type, uint8_t code, uint32_t info)
{
	return error_bytes(x, orig, len, true, type, code, info);
}

/* Echo replies for a request given as bytes (tests, tools): the packet is
 * parsed as xlat_packet would and answered or dropped the same way. */
static bool echo_bytes(struct xlat_ctx *x, const uint8_t *req, size_t len, bool v6)
{
	struct xlat_pkt xp;

	if (!(v6 ? xlat_parse6(&xp, NULL, req, len) : xlat_parse4(&xp, NULL, req, len)))
		return count_drop(x, xp.why) == XLAT_OK;
	if (xp.truncated)
		return count_drop(x, DROP_TRUNCATED) == XLAT_OK;
	return echo_reply(x, &xp, v6) == XLAT_OK;
}

bool icmp4_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	return echo_bytes(x, req, len, false);
}

bool icmp6_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	return echo_bytes(x, req, len, true);
}
