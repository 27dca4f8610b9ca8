/* steering.c - `workers N` in the parent, before any worker runs: which
 * prefix length the steering program hashes clients by, opening the
 * queues and attaching the program, and which reloads that allows
 * (docs/scaling.md). The processes themselves are workers.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "io/steer_bpf.h"
#include "io/tun.h"
#include "daemon/daemon.h"
#include "daemon/tunconf.h"
#include "daemon/wstats.h"

void workers_steer_params(const struct config *c, unsigned n, struct steer_params *s)
{
	unsigned plen = 128;

	memset(s, 0, sizeof(*s));
	s->workers = n;
	/* the shortest prefix anything counts per: each such prefix stays
	 * whole on one worker, so usage, rate-limit and dynamic-limit are
	 * exact (without them, every host is hashed alone) */
	if (c->usage_stats && c->usage_plen6 < plen)
		plen = c->usage_plen6;
	if (c->rl_plen && c->rl_plen < plen)
		plen = c->rl_plen;
	if (c->dyn_limit_count && c->dyn_limit_plen < plen)
		plen = c->dyn_limit_plen;
	s->plen6 = plen;
	pool_steer_params(c, s);
}

/* The steering program and the pool's slices are set at start: a reload
 * that would change them (pool, or the prefix length steering hashes) is
 * refused; a changed N waits for a restart. */
bool workers_reload_ok(const struct daemon *d, const struct config *c, char *err, size_t errlen)
{
	struct steer_params s;

	if (workers_of(c) != (d->nworkers ? d->nworkers : 1))
		log_warn("reload: workers %u takes effect at the next restart", workers_of(c));
	if (d->nworkers <= 1)
		return true;
	workers_steer_params(c, d->nworkers, &s);
	if (memcmp(&s, &d->steer, sizeof(s)) == 0)
		return true;
	snprintf(err, errlen, "with workers %u, dynamic-pool and the prefix length clients are "
		 "steered by (/%u: usage-prefix-len, rate-limit, dynamic-limit) are fixed at start; "
		 "restart to change them", d->nworkers, d->steer.plen6);
	return false;
}

/* The parent at start: the queues, the steering program, the counters'
 * shared page. */
int workers_open_tun(struct daemon *d, const struct config *c, char *msg, size_t msglen)
{
	struct tun_opts to = tun_opts_of(c);
	char err[1024];
	int prog;

	d->qfds = calloc(d->nworkers, sizeof(*d->qfds));
	d->wsock = calloc(d->nworkers, sizeof(*d->wsock));
	d->wstats = wstats_new(d->nworkers);
	if (!d->qfds || !d->wsock || !d->wstats) {
		snprintf(msg, msglen, "tayga: out of memory");
		return -1;
	}
	for (unsigned w = 0; w < d->nworkers; w++)
		d->wsock[w] = -1;
	if (tun_open_queues(&to, d->qfds, err, sizeof(err)) != 0) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	workers_steer_params(c, d->nworkers, &d->steer);
	prog = steer_bpf_load(&d->steer, err, sizeof(err));
	if (prog < 0) {
		snprintf(msg, msglen, "tayga: workers %u: %s", d->nworkers, err);
		return -1;
	}
	if (steer_bpf_attach(d->qfds[0], prog) != 0) {
		snprintf(msg, msglen, "tayga: workers %u: %s: TUNSETSTEERINGEBPF: %s (Linux 4.19 "
			 "or later needed)", d->nworkers, c->tun_device, strerror(errno));
		close(prog);
		return -1;
	}
	close(prog);   /* the device holds it */
	log_info("workers: %u translators on %u queues of %s; IPv6 clients steered by their /%u, "
		 "the dynamic pool in %u slices", d->nworkers, d->nworkers, c->tun_device,
		 d->steer.plen6, d->nworkers);
	return 0;
}
