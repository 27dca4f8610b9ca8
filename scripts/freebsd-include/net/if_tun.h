/* Stand-in for FreeBSD <net/if_tun.h> (compile check only; README): the tun
 * device requests tayga uses, group 't'. Needs struct ifreq (<net/if.h>)
 * first, as FreeBSD's does. */
#ifndef STANDIN_NET_IF_TUN_H
#define STANDIN_NET_IF_TUN_H

#include <sys/ioccom.h>

/* non-zero int: every packet carries a 4-byte address family */
#define TUNSIFHEAD _IOW('t', 96, int)
typedef int standin_ioctl_arg_TUNSIFHEAD;
#ifndef STANDIN_NO_FREEBSD_ONLY
/* the interface name of this device, into ifr_name (FreeBSD 12.1 and later) */
#define TUNGIFNAME _IOR('t', 93, struct ifreq)
typedef struct ifreq standin_ioctl_arg_TUNGIFNAME;
#endif

_Static_assert(TUNSIFHEAD == 0x80047460UL, "TUNSIFHEAD");
#if defined(__LP64__) && !defined(STANDIN_NO_FREEBSD_ONLY)
_Static_assert(TUNGIFNAME == 0x4020745dUL, "TUNGIFNAME");
#endif

#endif
