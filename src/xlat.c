/* xlat.c - dispatch and the drop/log helpers shared by both directions. */
#include "xlat.h"

#include <stdarg.h>
#include <stdio.h>

enum xlat_verdict xlat_packet(struct xlat_ctx *x, struct pkt *p)
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
