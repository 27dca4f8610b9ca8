/* netcfg.h - small value types the configuration hands to the I/O
 * backends: an auto/on/off switch and an interface address or route. */
#ifndef TAYGA_NETCFG_H
#define TAYGA_NETCFG_H

#include <netinet/in.h>
#include <stdint.h>

enum tristate { MODE_AUTO = 0, MODE_ON, MODE_OFF };

/* `tun-ip` / `tun-route` entries */
struct tun_addr {
	int family;         /* AF_INET or AF_INET6 */
	union { struct in_addr v4; struct in6_addr v6; } a;
	uint8_t len;        /* prefix length; 32/128 when omitted */
};

#endif
