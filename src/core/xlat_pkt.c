/* xlat_pkt.c - the helpers xlat_pkt.h declares, what both translation
 * directions share: address mapping, checksum rewrites, the IP header
 * writers, output, drop counting and logging (the parse itself is
 * xlat_parse.h). */
#include "core/xlat_pkt.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/gso.h"
#include "lib/proto.h"

void xlat_log(struct xlat_ctx *x, unsigned ev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!x->log || !(x->cfg->conf->log_events & ev))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->log(x->log_arg, ev, msg);
}

/* addr (and :port) of one end as text, IPv6 in brackets when with a port */
static void end_str(char *buf, size_t n, int af, const void *a, const uint8_t *port)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(af, a, s, sizeof(s));
	if (!port)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, af == AF_INET6 ? "[%s]:%u" : "%s:%u", s, get16(port));
}

void xlat_log_drop(struct xlat_ctx *x, const struct xlat_pkt *xp, bool v6, const char *what,
		   bool ports)
{
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8];
	int af = v6 ? AF_INET6 : AF_INET;

	if (!x->log || !(x->cfg->conf->log_events & LOG_EV_DROP))
		return;
	ports = ports && xp->first && xp->l4len >= 4;
	end_str(s, sizeof(s), af, v6 ? (const void *)&xp->s6 : (const void *)&xp->s4,
		ports ? xp->l4 : NULL);
	end_str(d, sizeof(d), af, v6 ? (const void *)&xp->d6 : (const void *)&xp->d4,
		ports ? xp->l4 + 2 : NULL);
	xlat_log(x, LOG_EV_DROP, "drop: %s %s -> %s", what, s, d);
}

struct xlat_result xlat_count_drop(struct xlat_ctx *x, enum drop_reason r)
{
	if ((unsigned)r < DROP_MAX)
		x->stats->drops[r]++;
	xlat_log(x, LOG_EV_DROP, "drop: %s", drop_reason_name(r));
	return (struct xlat_result){ .verdict = XLAT_DROP, .why = r };
}


/* A static map's refusal as a drop reason (both directions): true when r
 * refuses the address; MAP_OK and MAP_NONE leave the rest to the caller. */
static bool map_refused(enum map_result r, enum drop_reason *why)
{
	if (r == MAP_FORBIDDEN)
		*why = DROP_FORBIDDEN_ADDR;
	else if (r == MAP_MARTIAN)
		*why = DROP_MARTIAN;
	else
		return false;
	return true;
}

bool xlat_addr_4to6(struct xlat_ctx *x, struct in_addr a, struct in6_addr *out,
		    enum drop_reason *why)
{
	const struct map *m = x->cfg->map;
	enum map_result r = map_4to6(m, a, out);

	if (r == MAP_OK)
		return true;
	if (map_refused(r, why))
		return false;
	/* pool addresses not covered by an EAM: dynamic mappings */
	if (map_v4_in_pool(m, a) && pool_lookup4(x->pool, a, out, x->now) == POOL_OK)
		return true;
	*why = DROP_NO_MAP_DST;
	return false;
}

static void log_created(struct xlat_ctx *x, const struct in6_addr *a, struct in_addr v4)
{
	char s6[INET6_ADDRSTRLEN], s4[INET_ADDRSTRLEN];

	x->stats->dyn_created++;
	if (!x->log || !(x->cfg->conf->log_events & LOG_EV_DYN))
		return;
	inet_ntop(AF_INET6, a, s6, sizeof(s6));
	inet_ntop(AF_INET, &v4, s4, sizeof(s4));
	xlat_log(x, LOG_EV_DYN, "dynamic mapping %s -> %s", s6, s4);
}

bool xlat_addr_6to4(struct xlat_ctx *x, const struct in6_addr *a, struct in_addr *out,
		    bool create, bool *via_prefix, enum drop_reason *why)
{
	bool created = false;
	enum map_result r = map_6to4(x->cfg->map, a, out, via_prefix);

	if (r == MAP_OK)
		return true;
	if (map_refused(r, why))
		return false;
	switch (pool_lookup6(x->pool, a, out, x->now, create, &created)) {
	case POOL_OK:
		if (created)
			log_created(x, a, *out);
		x->stats->dyn_active = pool_count(x->pool);
		return true;
	case POOL_FULL:
		*why = DROP_POOL_FULL;
		return false;
	case POOL_LIMITED:
		*why = DROP_POOL_LIMIT;
		return false;
	default:
		*why = DROP_NO_MAP_SRC;
		return false;
	}
}

void xlat_echo_rewrite(uint8_t *icmp, uint8_t type, uint32_t old_pseudo, uint32_t new_pseudo)
{
	uint32_t old = csum_add(old_pseudo, icmp, 2);

	icmp[0] = type;
	xlat_l4_csum(icmp + 2, old, csum_add(new_pseudo, icmp, 2), false, false);
}

bool xlat_csum_complete(struct xlat_pkt *xp)
{
	if (!xp->p || !(xp->p->off.flags & OFF_F_NEEDS_CSUM))
		return true;
	if (gso_csum_complete(xp->p) != 0)
		return false;
	xp->seed = false;
	return true;
}

size_t xlat_put_ip6(uint8_t *out, const struct xlat_pkt *xp, uint8_t nh, uint8_t hlim,
		    size_t l4len, uint16_t frag_off, bool more)
{
	/* RFC 7915 4.1: traffic class = TOS, flow label 0 */
	put32(out, 0x60000000u | (uint32_t)xp->ip[1] << 20);
	put16(out + 4, (uint16_t)(l4len + (xp->frag ? FRAG_HDR : 0)));
	out[6] = xp->frag ? IPPROTO_FRAGMENT : nh;
	out[7] = hlim;
	memcpy(out + 8, &xp->s6, 16);
	memcpy(out + 24, &xp->d6, 16);
	if (!xp->frag)
		return IP6_HDR;
	/* RFC 7915 4.1: Fragment header from the IPv4 ID, offset and MF */
	out[40] = nh;
	out[41] = 0;
	put16(out + 42, (uint16_t)(frag_off | (more ? 1 : 0)));
	put32(out + 44, xp->frag_id);
	return IP6_HDR + FRAG_HDR;
}

void xlat_put_ip4(uint8_t *out, const struct xlat_pkt *xp, uint8_t proto, uint8_t ttl,
		  size_t tot, uint16_t id, bool df)
{
	uint16_t fr = 0;

	out[0] = 0x45;
	out[1] = (uint8_t)(get32(xp->ip) >> 20); /* TOS = traffic class */
	put16(out + 2, (uint16_t)tot);
	if (xp->frag) {
		/* RFC 7915 5.1.1: ID from the Fragment header, DF=0 */
		id = (uint16_t)xp->frag_id;
		fr = (uint16_t)((xp->frag_off >> 3) | (xp->more ? IP4_MF : 0));
	} else if (df) {
		fr = IP4_DF;
	}
	put16(out + 4, id);
	put16(out + 6, fr);
	out[8] = ttl;
	out[9] = proto;
	out[10] = out[11] = 0;
	memcpy(out + 12, &xp->s4, 4);
	memcpy(out + 16, &xp->d4, 4);
	uint16_t c = csum_finish(csum_add(0, out, IP4_HDR));
	memcpy(out + 10, &c, 2);
}

struct xlat_result xlat_emit_scratch(struct xlat_ctx *x, size_t len)
{
	struct pkt out;

	memset(&out, 0, sizeof(out));
	out.data = x->scratch + PKT_HEADROOM;
	out.len = len;
	out.headroom = PKT_HEADROOM;
	out.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - len;
	return xlat_output(x, &out);
}

bool xlat_icmp4_is_error(uint8_t type)
{
	switch (type) {
	case ICMP_UNREACH:
	case ICMP_SOURCEQUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIMXCEED:
	case ICMP_PARAMPROB:
		return true;
	default:
		return false;
	}
}

enum xlat_step xlat_to_self(struct xlat_ctx *x, struct xlat_pkt *xp, bool v6)
{
	uint8_t icmp_proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

	xlat_log(x, LOG_EV_SELF, "packet for the translator, protocol %u", xp->proto);
	if (xp->proto == icmp_proto) {
		if (xlat_real_frag(xp) || xp->gso)
			return xlat_drop(xp, DROP_SELF);
		if (!xlat_csum_complete(xp))
			return xlat_drop(xp, DROP_OFFLOAD);
		return XS_ECHO;
	}
	/* We serve nothing but ping: a protocol we don't run is answered as a
	 * host answers it (RFC 1122 3.2.2.1 Protocol Unreachable; RFC 4443
	 * 3.4 Parameter Problem code 1 at the Next Header field), as TAYGA
	 * does. */
	if (v6)
		return xlat_reject(xp, DROP_SELF, ICMP6_PARAM_PROB, ICMP6_PARAMPROB_NEXTHEADER,
				   (uint32_t)xp->nh_at);
	return xlat_reject(xp, DROP_SELF, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0);
}

bool xlat_ttl_error_allowed(const struct xlat_pkt *xp, uint8_t icmp_proto, uint8_t echo_request)
{
	/* TAYGA's rule, allowed by RFC 4443 2.4(e) and RFC 1812 4.3.2.7: of
	 * the ICMP messages only an Echo Request gets a Time Exceeded */
	return xp->proto != icmp_proto ||
	       (xp->first && xp->l4len >= 1 && xp->l4[0] == echo_request);
}
