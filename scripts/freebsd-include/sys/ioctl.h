/* Stand-in for FreeBSD <sys/ioctl.h> (compile check only; README). The
 * real one declares ioctl() and pulls in the request definitions; this one
 * also turns every ioctl() call into a compile-time check: the request must
 * be one of the names defined here, the argument a pointer to that
 * request's argument type, and that type's size the size the request
 * number encodes. */
#ifndef STANDIN_SYS_IOCTL_H
#define STANDIN_SYS_IOCTL_H

#include <sys/ioccom.h>
#include <sys/sockio.h>

#define ioctl(fd, req, arg) \
	((void)sizeof(struct { \
		_Static_assert(_Generic((arg), standin_ioctl_arg_##req *: 1, default: 0), \
			       "ioctl " #req ": wrong argument type"); \
		_Static_assert(STANDIN_IOC_ARGSIZE(req) == sizeof(*(arg)), \
			       "ioctl " #req ": argument size differs from the request's"); \
		int standin_ok; }), \
	 ioctl((fd), (req), (arg)))

#endif
