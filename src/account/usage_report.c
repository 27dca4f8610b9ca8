/* usage_report.c - the usage counters as log lines (usage-interval,
 * SIGUSR1); the Prometheus series are usage_prom.c. */
#include "account/usage.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

static const char *const dir_names[USAGE_DIRS] = {
	[USAGE_6TO4] = "6to4",
	[USAGE_4TO6] = "4to6",
	[USAGE_LIMITED] = "ratelimited",
	[USAGE_UNMAPPED] = "unmapped",
};

const char *usage_dir_name(enum usage_dir d)
{
	return (unsigned)d < USAGE_DIRS ? dir_names[d] : "?";
}

/* "6to4 3 packets 240 bytes, 4to6 ..." for the directions that changed;
 * false when none did. */
static bool delta_text(const struct usage_ctr *now, const struct usage_ctr *then,
		       char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int d = 0; d < USAGE_DIRS; d++) {
		uint64_t p = now->pkts[d] - then->pkts[d], b = now->bytes[d] - then->bytes[d];
		int w;
		if (!p)
			continue;
		w = snprintf(buf + n, len - n, "%s%s %" PRIu64 " packets %" PRIu64 " bytes",
			     n ? ", " : "", dir_names[d], p, b);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return n > 0;
}

static void report_tab(struct usage_tab *tb, void (*line)(void *arg, const char *msg), void *arg)
{
	char txt[256], msg[320], ps[PKEY_STRLEN];

	for (size_t s = 0; s < tb->t.cap; s++) {
		if (!tb->t.keys[s].family || !delta_text(&tb->tot[s], &tb->logged[s], txt, sizeof(txt)))
			continue;
		snprintf(msg, sizeof(msg), "usage: %s %s", pkey_str(&tb->t.keys[s], ps), txt);
		line(arg, msg);
		tb->logged[s] = tb->tot[s];
	}
}

void usage_report(struct usage *u, void (*line)(void *arg, const char *msg), void *arg)
{
	char txt[256], msg[320];

	report_tab(&u->six, line, arg);
	report_tab(&u->four, line, arg);
	if (delta_text(&u->other, &u->other_logged, txt, sizeof(txt))) {
		snprintf(msg, sizeof(msg), "usage: other (table of %zu full) %s", u->six.t.cap, txt);
		line(arg, msg);
		u->other_logged = u->other;
	}
}
