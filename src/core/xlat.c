/* xlat.c - one packet through the translator: parse, hand it to its
 * direction, and carry out the verdict (emit, drop with one reason, the ICMP
 * error or echo reply that goes with it, hairpinning). */
#include "core/xlat_pkt.h"

#include <arpa/inet.h>
#include <string.h>

#include "lib/proto.h"
#include "core/xlat_parse.h"

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
 * it from our own address. A quoted single packet gets its partial
 * checksum completed first (only once the error will go out); a
 * super-packet (Packet Too Big per segment) is quoted as it came. */
static bool send_error(struct xlat_ctx *x, struct xlat_pkt *xp, bool v6)
{
	const struct config *c = x->cfg->conf;
	uint8_t *out = x->scratch + PKT_HEADROOM;
	size_t n;

	if ((v6 ? icmp6_suppressed(c, xp, &xp->err) : icmp4_suppressed(xp)) || !take_token(x))
		return false;
	if (!xp->gso && !xlat_csum_complete(xp))
		return false;
	if (v6)
		n = icmp6_build_error(c, xp, &xp->err, out);
	else
		n = icmp4_build_error(c, xp, &xp->err, (uint16_t)(x->stats->icmp4_sent + 1), out);
	/* counted and logged as sent only when the output took it */
	if (xlat_emit_scratch(x, n).verdict != XLAT_OK)
		return false;
	if (v6) {
		x->stats->icmp6_sent++;
		log_reject(x, AF_INET6, &xp->s6, &xp->err);
	} else {
		x->stats->icmp4_sent++;
		log_reject(x, AF_INET, &xp->s4, &xp->err);
	}
	return true;
}

static struct xlat_result echo_reply(struct xlat_ctx *x, const struct xlat_pkt *xp, bool v6)
{
	uint8_t *out = x->scratch + PKT_HEADROOM;
	enum drop_reason why = DROP_SELF;
	char s[INET6_ADDRSTRLEN];
	struct xlat_result r;
	size_t n;

	n = v6 ? icmp6_build_echo_reply(xp, out, &why) : icmp4_build_echo_reply(xp, out, &why);
	if (n == 0)
		return xlat_count_drop(x, why);
	r = xlat_emit_scratch(x, n);
	if (r.verdict != XLAT_OK)
		return r;
	x->stats->echo_replies++;
	if (x->log && (x->cfg->conf->log_events & LOG_EV_SELF)) {
		inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)&xp->s6 : (const void *)&xp->s4,
			  s, sizeof(s));
		xlat_log(x, LOG_EV_SELF, "self: echo reply to %s", s);
	}
	return r;
}

/* Carry out a direction's decision about xp. v6: the packet as received is
 * IPv6. */
static inline struct xlat_result finish(struct xlat_ctx *x, struct xlat_pkt *xp, enum xlat_step s,
				       bool v6)
{
	switch (s) {
	case XS_EMIT: {
		/* counted as translated only when the output took it (a rate
		 * limit may refuse it: then it is a drop, not both) */
		struct xlat_result r = xlat_output(x, xp->p);
		if (r.verdict == XLAT_OK)
			xlat_count_out(x, v6 ? DIR_6TO4 : DIR_4TO6, xp->p->len, xp->segs);
		return r;
	}
	case XS_DONE:
		return XLAT_TAKEN;
	case XS_ECHO:
		return echo_reply(x, xp, v6);
	case XS_DROP:
	default:
		/* a hairpinned packet is no longer what its sender sent: no
		 * ICMPv4 error about its intermediate form */
		if (xp->err.set && !xp->hairpin)
			send_error(x, xp, v6);
		return xlat_count_drop(x, xp->why);
	}
}

/* RFC 7757 4.2: the 6->4 result, an IPv4 packet for one of our EAM hosts,
 * is translated back to IPv6 at once instead of looping through the kernel. */
static struct xlat_result hairpin(struct xlat_ctx *x, struct pkt *p)
{
	struct xlat_pkt xp;

	if (!xlat_parse4(&xp, p, p->data, p->len))
		return xlat_count_drop(x, xp.why);
	xp.hairpin = true;
	return finish(x, &xp, xlat_4to6(x, &xp), false);
}

struct xlat_result xlat_packet(struct xlat_ctx *x, struct pkt *p)
{
	struct xlat_pkt xp;
	enum xlat_step s;

	if (p->len < 1)
		return xlat_count_drop(x, DROP_TRUNCATED);
	switch (p->data[0] >> 4) {
	case 4:
		if (!xlat_parse4(&xp, p, p->data, p->len))
			return xlat_count_drop(x, xp.why);
		return finish(x, &xp, xlat_4to6(x, &xp), false);
	case 6:
		if (!xlat_parse6(&xp, p, p->data, p->len))
			return xlat_count_drop(x, xp.why);
		s = xlat_6to4(x, &xp);
		if (s == XS_HAIRPIN)
			return hairpin(x, p);
		return finish(x, &xp, s, true);
	default:
		return xlat_count_drop(x, DROP_BAD_VERSION);
	}
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
		return xlat_count_drop(x, xp.why).verdict == XLAT_OK;
	if (xp.truncated)
		return xlat_count_drop(x, DROP_TRUNCATED).verdict == XLAT_OK;
	return echo_reply(x, &xp, v6).verdict == XLAT_OK;
}

bool icmp4_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	return echo_bytes(x, req, len, false);
}

bool icmp6_echo_reply(struct xlat_ctx *x, const uint8_t *req, size_t len)
{
	return echo_bytes(x, req, len, true);
}
