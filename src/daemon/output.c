/* output.c - the translator's output in the daemon: every packet it emits
 * goes to the tun backend; a write the backend could not make is counted
 * and logged. */
#include <string.h>

#include "lib/log.h"
#include "io/tun.h"
#include "core/xlat.h"
#include "daemon/daemon.h"

/* A failed write loses the packet: count it (drops reason "write") and say
 * why, at once and then at most once a minute, so a lasting cause (the
 * interface set down, no memory) shows in the log without flooding it. */
static void write_failed(struct daemon *d, int err)
{
	d->stats.xlat.drops[DROP_WRITE]++;
	if (!log_every_due(&d->write_warn, d->ctx.now_ms, WRITE_WARN_MS))
		return;
	log_warn("%s: write failed: %s (%llu packets lost to failed writes so far)", d->tun.name,
		 strerror(err), (unsigned long long)d->stats.xlat.drops[DROP_WRITE]);
}

void on_write_error(void *arg, int err)
{
	write_failed(arg, err);
}

/* The translator's one output: every packet goes to the tun backend, which
 * decides how it is written. */
struct xlat_result daemon_emit(void *arg, const struct pkt *p)
{
	struct daemon *d = arg;
	tun_write(&d->tun, p);
	return XLAT_TAKEN;
}
