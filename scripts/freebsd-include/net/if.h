/* Stand-in for FreeBSD <net/if.h> (compile check only; README): the parts
 * tayga uses, with FreeBSD's layout of struct ifreq: a 16-byte name, then
 * a 16-byte union (a sockaddr, a {size_t, pointer} buffer, short flags[2],
 * int mtu, caddr_t data, ...). 32 bytes on LP64, the size the SIOC* and
 * TUNGIFNAME request numbers encode. */
#ifndef STANDIN_NET_IF_H
#define STANDIN_NET_IF_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_POINTOPOINT 0x10
#define IFF_RUNNING     0x40
#define IFF_MULTICAST   0x8000

struct standin_ifreq_buffer {
	size_t length;
	void *buffer;
};

struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct sockaddr ifru_addr;
		struct standin_ifreq_buffer ifru_buffer;
		short ifru_flags[2];
		short ifru_index;
		int ifru_metric;
		int ifru_mtu;
		caddr_t ifru_data;
		int ifru_cap[2];
		unsigned int ifru_fib;
	} ifr_ifru;
};
#define ifr_addr      ifr_ifru.ifru_addr
#define ifr_buffer    ifr_ifru.ifru_buffer
#define ifr_flags     ifr_ifru.ifru_flags[0]
#define ifr_flagshigh ifr_ifru.ifru_flags[1]
#define ifr_index     ifr_ifru.ifru_index
#define ifr_metric    ifr_ifru.ifru_metric
#define ifr_mtu       ifr_ifru.ifru_mtu
#define ifr_data      ifr_ifru.ifru_data

_Static_assert(sizeof(struct sockaddr) == 16, "struct sockaddr is 16 bytes on FreeBSD");
_Static_assert(offsetof(struct ifreq, ifr_ifru) == 16, "ifr_ifru follows the 16-byte name");
#if defined(__LP64__)
_Static_assert(sizeof(struct ifreq) == 32, "struct ifreq is 32 bytes on FreeBSD LP64");
#endif

unsigned int if_nametoindex(const char *name);
char *if_indextoname(unsigned int index, char *name);

#endif
