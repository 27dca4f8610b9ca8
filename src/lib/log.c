/* log.c - daemon logging: stderr (default), stdout, syslog, or stderr with
 * sd-daemon(3) "<N>" priority prefixes for the systemd journal. */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_target target = LOG_TO_STDERR;
static int debug_on;

void log_init(enum log_target t, int debug)
{
	target = t;
	debug_on = debug;
	if (t == LOG_TO_SYSLOG)
		openlog("tayga", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (prio == LOG_DEBUG && !debug_on)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (target) {
	case LOG_TO_SYSLOG:
		syslog(prio, "%s", msg);
		break;
	case LOG_TO_JOURNAL:
		fprintf(stderr, "<%d>%s\n", prio, msg);
		break;
	case LOG_TO_STDOUT:
		fprintf(stdout, "%s\n", msg);
		fflush(stdout);
		break;
	default:
		fprintf(stderr, "%s\n", msg);
		break;
	}
}

bool log_every_due(struct log_every *e, uint64_t now_ms, uint64_t interval_ms)
{
	e->count++;
	if (e->count > 1 && now_ms < e->next_ms)
		return false;
	e->next_ms = now_ms + interval_ms;
	return true;
}
