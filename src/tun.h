/* tun.h - the one small TUN backend interface (tun_linux.c, tun_bsd.c). */
#ifndef TAYGA_TUN_H
#define TAYGA_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "xlat.h"

/* Most packets one tun_read_batch() returns. */
#define TUN_BATCH_MAX 64

struct uring;

struct tun {
	int fd;
	char name[IFNAMSIZ];
	unsigned mtu;
	bool vnet;      /* reads/writes carry a virtio-net header */
	bool uso;       /* kernel accepted USO4/USO6 */
	size_t hdr_len; /* bytes in front of each packet (vnet hdr / BSD AF hdr) */
	bool gso_write_broken; /* kernel rejected a GSO write: segment in software */
	uint8_t *rbuf;   /* TUN_BATCH_MAX read buffers of PKT_BUF_SIZE bytes */
	struct uring *ring; /* batched reads (Linux io_uring); NULL: read(2) */
	unsigned batch;  /* reads to queue next time: adapts to the load */
};

/* Open (creating if needed) the tun named in c->tun_device, non-blocking,
 * negotiating offload per c->offload. Returns 0 or -1 with err filled. */
int tun_open(struct tun *t, const struct config *c, char *err, size_t errlen);
void tun_close(struct tun *t);

/* --mktun / --rmtun: make the device persistent / delete it. */
int tun_persist(const char *name, bool persist, char *err, size_t errlen);

/* Apply tun-up / tun-ip / tun-route (Linux: rtnetlink). 0 or -1. */
int tun_configure(struct tun *t, const struct config *c, char *err, size_t errlen);

/* Read the packets waiting on the tun, up to TUN_BATCH_MAX, into the tun's
 * own buffers: pkts[0..n-1] (data at PKT_HEADROOM, offload metadata parsed)
 * stay valid until the next call. Returns n (0: nothing waiting) or -1 on
 * error. *drained is set when the queue was found empty. */
int tun_read_batch(struct tun *t, struct pkt *pkts, bool *drained);

/* Write one packet (prepending the header into p's headroom). 0 or -1. */
int tun_write(struct tun *t, const struct pkt *p);

#endif
