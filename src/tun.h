/* tun.h - the one small TUN backend interface (tun_linux.c, tun_bsd.c). */
#ifndef TAYGA_TUN_H
#define TAYGA_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "xlat.h"

struct tun {
	int fd;
	char name[IFNAMSIZ];
	unsigned mtu;
	bool vnet;      /* reads/writes carry a virtio-net header */
	bool uso;       /* kernel accepted USO4/USO6 */
	size_t hdr_len; /* bytes in front of each packet (vnet hdr / BSD AF hdr) */
	bool gso_write_broken; /* kernel rejected a GSO write: segment in software */
};

/* Open (creating if needed) the tun named in c->tun_device, non-blocking,
 * negotiating offload per c->offload. Returns 0 or -1 with err filled. */
int tun_open(struct tun *t, const struct config *c, char *err, size_t errlen);
void tun_close(struct tun *t);

/* --mktun / --rmtun: make the device persistent / delete it. */
int tun_persist(const char *name, bool persist, char *err, size_t errlen);

/* Apply tun-up / tun-ip / tun-route (Linux: rtnetlink). 0 or -1. */
int tun_configure(struct tun *t, const struct config *c, char *err, size_t errlen);

/* Read one packet into buf (PKT_BUF_SIZE bytes). On success fills p (data
 * at buf + PKT_HEADROOM, offload metadata parsed) and returns 1; returns 0
 * on EAGAIN, -1 on error. */
int tun_read(struct tun *t, uint8_t *buf, struct pkt *p);

/* Write one packet (prepending the header into p's headroom). 0 or -1. */
int tun_write(struct tun *t, const struct pkt *p);

#endif
