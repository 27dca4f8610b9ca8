/* tunconf.c - struct config -> the tun backend's options (tunconf.h). */
#include "daemon/tunconf.h"

#include <unistd.h>

#include "lib/steer.h"

unsigned workers_of(const struct config *c)
{
	long n;

	if (c->workers)
		return c->workers;
	/* workers 0: one per CPU, as TAYGA's threads */
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > STEER_MAX_WORKERS ? STEER_MAX_WORKERS : (unsigned)n;
}

struct tun_opts tun_opts_of(const struct config *c)
{
	struct tun_opts o = {
		.name = c->tun_device,
		.offload = c->offload,
		.io_uring = c->io_uring,
		.queues = workers_of(c),
		.queue_fd = -1,
	};
	return o;
}

struct tun_ifcfg tun_ifcfg_of(const struct config *c)
{
	struct tun_ifcfg ic = {
		.up = c->tun_up,
		.ips = c->tun_ips,
		.nips = c->ntun_ips,
		.routes = c->tun_routes,
		.nroutes = c->ntun_routes,
	};
	return ic;
}
