/* tun.h - the one small TUN backend interface (tun_linux.c, tun_bsd.c).
 *
 * The backend owns the device and its write policy: how a packet reaches
 * the kernel (virtio-net or address-family header, UDP write coalescing,
 * software segmentation when the kernel refuses a GSO write, checksum
 * completion when the packet leaves without offload) is its business. The
 * caller hands packets to tun_write() and calls tun_flush() before it
 * waits. Everything backend-specific lives behind `priv`. */
#ifndef TAYGA_TUN_H
#define TAYGA_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <net/if.h>
#include <stdint.h>

#include "lib/netcfg.h"
#include "lib/pkt.h"

/* Most packets one tun_read_batch() returns. */
#define TUN_BATCH_MAX 64

struct tun_priv;

/* What the backend counts; the daemon's metrics read it. */
struct tun_counters {
	uint64_t read_calls;     /* system calls that read the tun (a batch is one) */
	uint64_t read_pkts;      /* packets they returned */
	uint64_t write_calls;    /* writes to the tun */
	uint64_t udp_coalesced;  /* UDP datagrams written inside a USO super-packet */
};

/* How to open the tun (from tun-device, offload, io-uring). */
struct tun_opts {
	const char *name;
	enum tristate offload;
	enum tristate io_uring;
	/* `workers N`: N > 1 makes a multi-queue device (Linux IFF_MULTI_QUEUE);
	 * tun_open() then takes over queue_fd, one of tun_open_queues()'s */
	unsigned queues;
	int queue_fd;
};

/* How to configure the interface (tun-up, tun-ip, tun-route). */
struct tun_ifcfg {
	bool up;
	const struct tun_addr *ips;
	size_t nips;
	const struct tun_addr *routes;
	size_t nroutes;
};

struct tun {
	int fd;
	char name[IFNAMSIZ];
	unsigned mtu;
	bool offload;     /* packets carry offload metadata (Linux vnet header) */
	bool batched;     /* reads are batched (Linux io_uring) */
	/* Linux io_uring: the fd to poll instead of fd, chosen right before
	 * the poll; NULL elsewhere. See tun_wait_fd(). */
	int (*wait_fd)(const struct tun *t);
	struct tun_counters ctr;
	/* Set by the caller before the first write: a failed write calls
	 * write_err with the errno (the packet is lost; the caller counts it). */
	void (*write_err)(void *arg, int err);
	void *err_arg;
	struct tun_priv *priv;
};

/* Open (creating if needed) the tun named o->name, non-blocking,
 * negotiating offload per o->offload; the tun counts its I/O in t->ctr.
 * Returns 0 or -1 with err filled. */
int tun_open(struct tun *t, const struct tun_opts *o, char *err, size_t errlen);
void tun_close(struct tun *t);
/* Open o->queues queues of the multi-queue device o->name into fds[], all
 * with the offload o asks for (Linux; elsewhere -1). The caller keeps them
 * open for the daemon's life, so a queue's index (what the steering
 * program returns) does not change when a worker dies. 0, or -1 with err. */
int tun_open_queues(const struct tun_opts *o, int *fds, char *err, size_t errlen);
/* Detach and close them (at exit, after the workers). */
void tun_close_queues(int *fds, unsigned n);

/* What this platform's tun driver cannot do with these options (OpenBSD,
 * NetBSD: tun names other than tunN); --check-config and start-up call it.
 * 0, or -1 with err naming the rule. Linux and FreeBSD accept every name. */
int tun_check_opts(const struct tun_opts *o, char *err, size_t errlen);

/* --mktun / --rmtun: make the device persistent / delete it. */
int tun_persist(const struct tun_opts *o, bool persist, char *err, size_t errlen);

/* Apply tun-up / tun-ip / tun-route to the interface `name` (Linux:
 * rtnetlink; needs CAP_NET_ADMIN). 0 or -1. */
int tun_configure(const char *name, const struct tun_ifcfg *ic, char *err, size_t errlen);
/* Re-read the interface MTU into t->mtu (an operator may change it). */
void tun_refresh_mtu(struct tun *t);

/* Read the packets waiting on the tun, up to TUN_BATCH_MAX, into the tun's
 * own buffers: pkts[0..n-1] (data at PKT_HEADROOM, offload metadata parsed)
 * stay valid until the next call. Returns n (0: nothing waiting) or -1 on
 * error. *drained is set when the queue was found empty. */
int tun_backend_read(struct tun *t, struct pkt *pkts, bool *drained);
static inline int tun_read_batch(struct tun *t, struct pkt *pkts, bool *drained)
{
	int r = tun_backend_read(t, pkts, drained);

	t->ctr.read_calls++;
	if (r > 0)
		t->ctr.read_pkts += (uint64_t)r;
	return r;
}

/* The fd to poll for input (POLLIN): call it right before poll(), with no
 * system call in between (io_uring task work runs when a process leaves the
 * kernel and may take waiting packets off the device). */
static inline int tun_wait_fd(const struct tun *t)
{
	return t->wait_fd ? t->wait_fd(t) : t->fd;
}

/* Hand over one packet to be written. It may be held back (to be merged
 * with the next ones) until tun_flush(); p is not referenced after the
 * call, but its data may be rewritten in place (checksum completion). The
 * link-layer header goes out in its own iovec: p's headroom is not used. */
void tun_write(struct tun *t, const struct pkt *p);
/* Write whatever tun_write() held back. Call before waiting for input. */
void tun_flush(struct tun *t);

/* For the backends (tun_common.c). Write p with no offload: a GSO packet
 * is segmented in software (in *segbuf, PKT_BUF_SIZE bytes allocated on
 * first use), a partial checksum (NEEDS_CSUM) is completed in place; each
 * resulting packet goes to write_one. 0, or -1 with errno. */
typedef int tun_write_fn(const struct tun *t, const struct pkt *p);
int tun_write_plain(const struct tun *t, const struct pkt *p, uint8_t **segbuf,
		    tun_write_fn *write_one);

#endif
