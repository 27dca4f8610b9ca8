/* Stand-in for FreeBSD <sys/ioccom.h> (compile check only; README). An
 * ioctl request number is: bits 31-29 direction (0x20000000 no argument,
 * 0x40000000 copied out, 0x80000000 copied in, both for in and out), bits
 * 28-16 the argument size (13 bits), bits 15-8 the group letter, bits 7-0
 * the number within the group. */
#ifndef STANDIN_SYS_IOCCOM_H
#define STANDIN_SYS_IOCCOM_H

#define STANDIN_IOC_NONE  0x20000000UL
#define STANDIN_IOC_OUT   0x40000000UL
#define STANDIN_IOC_IN    0x80000000UL
#define STANDIN_IOC_SIZE_BITS 13
#define STANDIN_IOC_SIZE_MAX ((1UL << STANDIN_IOC_SIZE_BITS) - 1)

#define STANDIN_IOC(dir, group, num, size) \
	((unsigned long)((dir) | (((unsigned long)(size) & STANDIN_IOC_SIZE_MAX) << 16) | \
			 ((unsigned long)(group) << 8) | (unsigned long)(num)))
/* the argument size a request number carries */
#define STANDIN_IOC_ARGSIZE(req) (((req) >> 16) & STANDIN_IOC_SIZE_MAX)

/* the names FreeBSD code writes requests with */
#define _IO(g, n)     STANDIN_IOC(STANDIN_IOC_NONE, (g), (n), 0)
#define _IOR(g, n, t) STANDIN_IOC(STANDIN_IOC_OUT, (g), (n), sizeof(t))
#define _IOW(g, n, t) STANDIN_IOC(STANDIN_IOC_IN, (g), (n), sizeof(t))
#define _IOWR(g, n, t) STANDIN_IOC(STANDIN_IOC_IN | STANDIN_IOC_OUT, (g), (n), sizeof(t))

/* FreeBSD's prototype: the request is an unsigned long */
int ioctl(int fd, unsigned long request, ...);

#endif
