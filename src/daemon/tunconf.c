/* tunconf.c - struct config -> the tun backend's options (tunconf.h). */
#include "daemon/tunconf.h"

struct tun_opts tun_opts_of(const struct config *c)
{
	struct tun_opts o = {
		.name = c->tun_device,
		.offload = c->offload,
		.io_uring = c->io_uring,
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
