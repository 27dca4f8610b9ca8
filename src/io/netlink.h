/* netlink.h - minimal rtnetlink client (libc only) for tun-up, tun-ip and
 * tun-route. */
#ifndef TAYGA_NETLINK_H
#define TAYGA_NETLINK_H

#include <stddef.h>

#include "lib/netcfg.h"

/* Each returns 0 (an existing address/route counts as success) or -1 with
 * a message in err. */
int nl_link_up(const char *ifname, char *err, size_t errlen);
int nl_addr_add(unsigned ifindex, const struct tun_addr *a, char *err, size_t errlen);
int nl_route_add(unsigned ifindex, const struct tun_addr *a, char *err, size_t errlen);
/* Queues attached to the tun device ifname (IFLA_TUN_NUM_QUEUES; Linux
 * 4.15+): 0 when there is no such device, -1 when unknown. */
int nl_tun_queues(const char *ifname);

#endif
