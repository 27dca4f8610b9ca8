/* tunconf.h - what the tun backend needs from the configuration: the
 * daemon translates struct config into the backend's own small structs,
 * so io/ never sees the configuration model. */
#ifndef TAYGA_TUNCONF_H
#define TAYGA_TUNCONF_H

#include "config/conf.h"
#include "io/tun.h"

/* `workers`: the number of translator processes (0: one per CPU) */
unsigned workers_of(const struct config *c);
/* tun-device, offload, io-uring, workers (o->name points into c) */
struct tun_opts tun_opts_of(const struct config *c);
/* tun-up, tun-ip, tun-route (the arrays point into c) */
struct tun_ifcfg tun_ifcfg_of(const struct config *c);

#endif
