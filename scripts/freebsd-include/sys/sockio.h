/* Stand-in for FreeBSD <sys/sockio.h> (compile check only; README): the
 * interface requests tayga uses, group 'i', argument struct ifreq. Each
 * value is asserted against the number FreeBSD's headers produce. */
#ifndef STANDIN_SYS_SOCKIO_H
#define STANDIN_SYS_SOCKIO_H

#include <net/if.h>
#include <sys/ioccom.h>

#define SIOCSIFFLAGS  _IOW('i', 16, struct ifreq)
#define SIOCGIFFLAGS  _IOWR('i', 17, struct ifreq)
#define SIOCGIFMTU    _IOWR('i', 51, struct ifreq)
#define SIOCIFDESTROY _IOW('i', 121, struct ifreq)
#define SIOCIFCREATE  _IOWR('i', 122, struct ifreq)
#ifndef STANDIN_NO_FREEBSD_ONLY
/* ifr_name the old name, ifr_data points to the new one */
#define SIOCSIFNAME   _IOW('i', 40, struct ifreq)
/* create a clone; the name the kernel chose comes back in ifr_name */
#define SIOCIFCREATE2 _IOWR('i', 124, struct ifreq)
#endif

/* the argument type of each request, for <sys/ioctl.h>'s check */
typedef struct ifreq standin_ioctl_arg_SIOCSIFFLAGS;
typedef struct ifreq standin_ioctl_arg_SIOCGIFFLAGS;
typedef struct ifreq standin_ioctl_arg_SIOCGIFMTU;
typedef struct ifreq standin_ioctl_arg_SIOCIFDESTROY;
typedef struct ifreq standin_ioctl_arg_SIOCIFCREATE;
typedef struct ifreq standin_ioctl_arg_SIOCSIFNAME;
typedef struct ifreq standin_ioctl_arg_SIOCIFCREATE2;

#if defined(__LP64__)
_Static_assert(SIOCSIFFLAGS == 0x80206910UL, "SIOCSIFFLAGS");
_Static_assert(SIOCGIFFLAGS == 0xc0206911UL, "SIOCGIFFLAGS");
_Static_assert(SIOCGIFMTU == 0xc0206933UL, "SIOCGIFMTU");
_Static_assert(SIOCIFDESTROY == 0x80206979UL, "SIOCIFDESTROY");
_Static_assert(SIOCIFCREATE == 0xc020697aUL, "SIOCIFCREATE");
#ifndef STANDIN_NO_FREEBSD_ONLY
_Static_assert(SIOCSIFNAME == 0x80206928UL, "SIOCSIFNAME");
_Static_assert(SIOCIFCREATE2 == 0xc020697cUL, "SIOCIFCREATE2");
#endif
#endif

#endif
