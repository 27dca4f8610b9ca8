/* xlat.c - dispatch and the drop/log helpers shared by both directions. */
#include "xlat.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csum.h"
#include "gso.h"
#include "meter.h"
#include "xlat_util.h"

static enum xlat_verdict dispatch(struct xlat_ctx *x, struct pkt *p)
{
	if (p->len < 1)
		return xlat_drop(x, DROP_TRUNCATED);
	switch (p->data[0] >> 4) {
	case 4:
		return xlat_4to6(x, p);
	case 6:
		return xlat_6to4(x, p);
	default:
		return xlat_drop(x, DROP_BAD_VERSION);
	}
}

enum xlat_verdict xlat_packet(struct xlat_ctx *x, struct pkt *p)
{
	/* usage-stats / rate-limit: meter.c charges what the translation emits */
	if (x->meter)
		return meter_packet(x, p, dispatch);
	return dispatch(x, p);
}

enum xlat_verdict xlat_drop(struct xlat_ctx *x, enum drop_reason r)
{
	if ((unsigned)r < DROP_MAX)
		x->stats->drops[r]++;
	xlat_log(x, LOG_EV_DROP, "drop: %s", stats_drop_name(r));
	return XLAT_DROP;
}

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

uint16_t xlat_seed_replace(uint16_t seed, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = seed;
	s += (uint16_t)~csum_fold(old_sum);
	s += csum_fold(new_sum);
	return csum_fold(s);
}

int xlat_csum_complete(struct pkt *p)
{
	return gso_csum_complete(p);
}

void xlat_emit_scratch(struct xlat_ctx *x, size_t len)
{
	struct pkt out;

	memset(&out, 0, sizeof(out));
	out.data = x->scratch + PKT_HEADROOM;
	out.len = len;
	out.headroom = PKT_HEADROOM;
	out.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - len;
	x->emit(x->emit_arg, &out);
}

bool xlat_icmp4_is_error(uint8_t type)
{
	/* destination unreachable, source quench, redirect, time exceeded,
	 * parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool xlat_addr_6to4(struct xlat_ctx *x, const struct in6_addr *a, struct in_addr *out,
		    bool create, enum drop_reason *why)
{
	bool created = false;

	switch (map_6to4(x->cfg->map, a, out)) {
	case MAP_OK:
		return true;
	case MAP_FORBIDDEN:
		*why = DROP_FORBIDDEN_ADDR;
		return false;
	default:
		break;
	}
	switch (pool_lookup6(x->pool, a, out, x->now, create, &created)) {
	case POOL_OK:
		if (created) {
			char s6[INET6_ADDRSTRLEN];
			x->stats->dyn_created++;
			inet_ntop(AF_INET6, a, s6, sizeof(s6));
			xlat_log(x, LOG_EV_DYN, "dynamic mapping %s -> %s", s6, inet_ntoa(*out));
		}
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
