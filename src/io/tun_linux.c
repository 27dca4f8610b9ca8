/* tun_linux.c - Linux TUN backend: /dev/net/tun, optional virtio-net header
 * with checksum and segmentation offload (TSO4/TSO6, USO4/USO6). */
#include "io/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "io/coalesce.h"
#include "lib/log.h"
#include "io/netlink.h"
#include "io/uring_reader.h"

/* Debian 12's linux-libc-dev predates USO (Linux 6.2) */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

/* struct virtio_net_hdr_v1 (num_buffers unused on tun): 12 bytes, LE */
#define VNET_HDR_LEN 12
#define TXQ_DEFAULT 500
#define TXQ_WANTED 5000
#define BUSY_WAIT_MS 2000
/* read buffers: a multishot read returns up to half of them per call, and
 * the kernel reads into the other half meanwhile. Not more: the buffers are
 * used in turn, and each one a 64 KiB super-packet fills is cache the
 * copies into and out of the daemon compete for. */
#define RBUFS TUN_BATCH_MAX
_Static_assert(UREADER_BATCH <= TUN_BATCH_MAX, "a read returns at most TUN_BATCH_MAX packets");

struct tun_priv {
	bool vnet;            /* reads/writes carry a virtio-net header */
	bool uso;             /* kernel accepted USO4/USO6: coalesce UDP writes */
	bool gso_write_broken; /* kernel rejected a GSO write: segment in software */
	size_t hdr_len;       /* bytes in front of each packet (vnet header) */
	uint8_t *rbuf;        /* RBUFS read buffers of PKT_BUF_SIZE bytes */
	struct ureader *ring; /* reads through io_uring; NULL: read(2) */
	struct coalesce co;   /* UDP write batching (USO) */
	uint8_t *cobuf;       /* the coalescer's run buffer */
	uint8_t *segbuf;      /* software segmentation, allocated on first use */
};

static int ctl_sock(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static int open_dev(const char *name, short flags, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open /dev/net/tun: %s%s", strerror(errno),
			 errno == ENOENT ? " (is the tun module loaded?)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* EBUSY: still attached to a previous instance that just exited; the
	 * kernel releases its io_uring (and so the tun) asynchronously, after
	 * a SIGKILL too. Wait for that, up to BUSY_WAIT_MS. */
	for (int ms = 0; ioctl(fd, TUNSETIFF, &ifr) < 0; ms += 20) {
		int e = errno;
		if (e == EBUSY && ms < BUSY_WAIT_MS) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		snprintf(err, errlen, "tun-device %s: TUNSETIFF: %s%s", name, strerror(e),
			 e == EINVAL ? (flags & IFF_MULTI_QUEUE ? " (a single-queue device of that name "
				"exists: workers N needs it multi-queue; delete it or --mktun again)" :
				" (a multi-queue device of that name exists: --mktun with this "
				"configuration's workers)") : "");
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A multi-queue device is opened as one (TUNSETIFF refuses the other
 * kind); --rmtun takes whichever the device is. */
int tun_persist(const struct tun_opts *o, bool persist, char *err, size_t errlen)
{
	const char *name = o->name;
	short mq = o->queues > 1 ? IFF_MULTI_QUEUE : 0;
	int fd = open_dev(name, IFF_TUN | IFF_NO_PI | mq, err, errlen);

	if (fd < 0 && !persist && errno == EINVAL)
		fd = open_dev(name, IFF_TUN | IFF_NO_PI | (mq ^ IFF_MULTI_QUEUE), err, errlen);
	if (fd < 0)
		return -1;
	if (ioctl(fd, TUNSETPERSIST, persist ? 1 : 0) < 0) {
		snprintf(err, errlen, "tun-device %s: TUNSETPERSIST: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int ring_wait_fd(const struct tun *t)
{
	return ureader_wait_fd(t->priv->ring);
}

/* Read buffers (allocated once; pages are touched only when a buffer is
 * used) and, unless `io-uring off`, the io_uring reader. */
static int open_reader(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
	struct tun_priv *v = t->priv;
	struct ureader_bufs b;
	const char *why;

	v->rbuf = mmap(NULL, (size_t)RBUFS * PKT_BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->rbuf == MAP_FAILED) {
		v->rbuf = NULL;
		snprintf(err, errlen, "tun-device %s: read buffers: %s", t->name, strerror(errno));
		return -1;
	}
	if (c->io_uring == MODE_OFF) {
		log_info("tun reads: read(2), one packet per call (io-uring off)");
		return 0;
	}
	/* the kernel reads the vnet header in front of the packet's headroom */
	b = (struct ureader_bufs){ v->rbuf, PKT_BUF_SIZE, PKT_HEADROOM - v->hdr_len,
				   (uint32_t)(PKT_MAX_LEN + v->hdr_len), RBUFS };
	v->ring = malloc(sizeof(*v->ring));
	if (v->ring && ureader_open(v->ring, t->fd, &b, false) == 0) {
		if (v->ring->mode == UREADER_MULTISHOT)
			log_info("tun reads: io_uring multishot read into %d provided buffers%s%s", RBUFS,
				 v->ring->fixed ? " (registered file)" : "",
				 v->ring->ring.deferred ? ", deferred task work" : "");
		else
			log_info("tun reads: io_uring, up to %d packets per system call%s",
				 RBUFS / 2, v->ring->fixed ? " (registered file)" : "");
		t->batched = true;
		t->wait_fd = ring_wait_fd;
		return 0;
	}
	why = v->ring ? strerror(errno) : "out of memory";
	free(v->ring);
	v->ring = NULL;
	if (c->io_uring == MODE_ON) {
		snprintf(err, errlen, "io-uring on: cannot set up io_uring: %s", why);
		return -1;
	}
	log_info("tun reads: read(2), one packet per call (io_uring unavailable: %s)", why);
	return 0;
}

/* Negotiate offload; returns a description for the start-up log line. */
static const char *negotiate(struct tun_priv *v, int fd)
{
	int sz = VNET_HDR_LEN;
	unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return NULL;
	if (ioctl(fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6) == 0) {
		v->uso = true;
		return "vnet header, CSUM, TSO4, TSO6, USO4, USO6";
	}
	if (ioctl(fd, TUNSETOFFLOAD, base) == 0)
		return "vnet header, CSUM, TSO4, TSO6 (no USO in this kernel)";
	return NULL;
}

/* Open the device with the offload c asks for; returns the fd or -1. */
static int open_offload(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
	struct tun_priv *v = t->priv;
	const char *what = NULL;
	short mq = c->queues > 1 ? IFF_MULTI_QUEUE : 0;
	int fd = -1;

	if (c->offload != MODE_OFF) {
		fd = open_dev(c->name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR | mq, err, errlen);
		if (fd >= 0 && !(what = negotiate(v, fd))) {
			close(fd);
			fd = -1;
			v->uso = false;
		}
		if (fd < 0 && c->offload == MODE_ON) {
			snprintf(err, errlen, "offload on: the kernel refused the virtio-net header or "
				 "TUNSETOFFLOAD on %s", c->name);
			return -1;
		}
	}
	if (fd >= 0) {
		v->vnet = t->offload = true;
		v->hdr_len = VNET_HDR_LEN;
		log_info("offload: %s", what);
		return fd;
	}
	fd = open_dev(c->name, IFF_TUN | IFF_NO_PI | mq, err, errlen);
	if (fd >= 0)
		log_info("offload: off%s", c->offload == MODE_OFF ? " (offload off)" :
			 " (kernel refused; packets are handled one by one)");
	return fd;
}

/* Read the MTU and make the transmit queue deep enough for bursts of GSO
 * segments (the default 500 drops them). */
static void tune_link(struct tun *t)
{
	struct ifreq ifr;
	int s;

	t->mtu = 1500;
	tun_refresh_mtu(t);
	if ((s = ctl_sock()) < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ioctl(s, SIOCGIFTXQLEN, &ifr) == 0 && ifr.ifr_qlen <= TXQ_DEFAULT) {
		ifr.ifr_qlen = TXQ_WANTED;
		if (ioctl(s, SIOCSIFTXQLEN, &ifr) == 0)
			log_debug("%s: txqueuelen raised to %d", t->name, TXQ_WANTED);
	}
	close(s);
}

/* Wait (up to BUSY_WAIT_MS) until at most `most` queues are attached to
 * the device. A previous instance's may linger: the kernel releases an
 * io_uring's registered file after the process is gone. Ours must be the
 * only ones: when a queue leaves, the kernel moves the last one into its
 * index, which would turn the steering's queue numbers around. */
static int wait_queues(const char *name, int most, char *err, size_t errlen)
{
	int q = -1;

	for (int ms = 0; ms <= BUSY_WAIT_MS; ms += 20) {
		struct timespec ts = { 0, 20 * 1000000L };
		if ((q = nl_tun_queues(name)) <= most)
			return 0;   /* (-1: the kernel does not say) */
		nanosleep(&ts, NULL);
	}
	snprintf(err, errlen, "tun-device %s: %d queues attached, %d expected: another process "
		 "uses the device (a second tayga?)", name, q, most);
	return -1;
}

int tun_open_queues(const struct tun_opts *o, int *fds, char *err, size_t errlen)
{
	struct tun_priv v;
	struct tun t = { .priv = &v };
	unsigned q;

	memset(&v, 0, sizeof(v));
	if (wait_queues(o->name, 0, err, errlen) != 0)
		return -1;
	/* the first queue settles the offload; the others open alike */
	fds[0] = open_offload(&t, o, err, errlen);
	for (q = 1; fds[0] >= 0 && q < o->queues; q++) {
		fds[q] = open_dev(o->name, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE |
				  (v.vnet ? IFF_VNET_HDR : 0), err, errlen);
		if (fds[q] < 0)
			break;
	}
	if (fds[0] >= 0 && q == o->queues && wait_queues(o->name, (int)q, err, errlen) == 0)
		return 0;
	while (fds[0] >= 0 && q-- > 0)
		close(fds[q]);
	return -1;
}

void tun_close_queues(int *fds, unsigned n)
{
	struct ifreq ifr;

	/* detach at once: a worker's io_uring may hold the file a while */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_DETACH_QUEUE;
	for (unsigned q = 0; q < n; q++) {
		if (fds[q] < 0)
			continue;
		ioctl(fds[q], TUNSETQUEUE, &ifr);
		close(fds[q]);
		fds[q] = -1;
	}
}

/* Take over a queue tun_open_queues() opened: the device's flags say
 * whether it carries the vnet header; asking for the offloads again (the
 * same, per device) says whether USO is among them. */
static int adopt_queue(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
	struct tun_priv *v = t->priv;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(c->queue_fd, TUNGETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tun-device %s: TUNGETIFF: %s", c->name, strerror(errno));
		return -1;
	}
	if (ifr.ifr_flags & IFF_VNET_HDR) {
		if (!negotiate(v, c->queue_fd)) {
			snprintf(err, errlen, "tun-device %s: TUNSETOFFLOAD refused on a queue",
				 c->name);
			return -1;
		}
		v->vnet = t->offload = true;
		v->hdr_len = VNET_HDR_LEN;
	}
	return c->queue_fd;
}

static void write_pkt(void *arg, const struct pkt *p);

int tun_open(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
	struct tun_priv *v;
	int fd;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	snprintf(t->name, sizeof(t->name), "%s", c->name);
	v = t->priv = calloc(1, sizeof(*v));
	if (v)
		v->cobuf = malloc(PKT_BUF_SIZE);
	if (!v || !v->cobuf) {
		snprintf(err, errlen, "tun-device %s: out of memory", t->name);
		tun_close(t);
		return -1;
	}
	coalesce_init(&v->co, v->cobuf, &t->ctr.udp_coalesced, write_pkt, t);
	fd = c->queues > 1 ? adopt_queue(t, c, err, errlen) : open_offload(t, c, err, errlen);
	if (fd < 0) {
		tun_close(t);
		return -1;
	}
	t->fd = fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "tun-device %s: O_NONBLOCK: %s", t->name, strerror(errno));
		tun_close(t);
		return -1;
	}
	if (open_reader(t, c, err, errlen) != 0) {
		tun_close(t);
		return -1;
	}
	tune_link(t);
	return 0;
}

static void drop_ring(struct tun *t)
{
	struct tun_priv *v = t->priv;
	if (v->ring) {
		ureader_close(v->ring);
		free(v->ring);
		v->ring = NULL;
	}
	t->batched = false;
	t->wait_fd = NULL;
}

void tun_close(struct tun *t)
{
	struct tun_priv *v = t->priv;

	if (v) {
		drop_ring(t);
		if (v->rbuf)
			munmap(v->rbuf, (size_t)RBUFS * PKT_BUF_SIZE);
		free(v->cobuf);
		free(v->segbuf);
		free(v);
		t->priv = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int tun_configure(const char *name, const struct tun_ifcfg *c, char *err, size_t errlen)
{
	unsigned idx;

	if (c->up && nl_link_up(name, err, errlen) != 0)
		return -1;
	idx = if_nametoindex(name);
	if (!idx) {
		snprintf(err, errlen, "tun-device %s: %s", name, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < c->nips; i++)
		if (nl_addr_add(idx, &c->ips[i], err, errlen) != 0)
			return -1;
	for (size_t i = 0; i < c->nroutes; i++)
		if (nl_route_add(idx, &c->routes[i], err, errlen) != 0)
			return -1;
	return 0;
}

static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static void ple16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }

static uint8_t *rbuf(const struct tun_priv *v, unsigned i)
{
	return v->rbuf + (size_t)i * PKT_BUF_SIZE;
}

/* n bytes (header included) were read into buffer buf: describe them */
static void parse_read(const struct tun_priv *v, uint8_t *buf, size_t n, struct pkt *p)
{
	const uint8_t *start = buf + PKT_HEADROOM - v->hdr_len;

	memset(&p->off, 0, sizeof(p->off));
	if (v->vnet && n >= v->hdr_len) {
		p->off.flags = start[0];
		p->off.gso_type = start[1];
		p->off.hdr_len = le16(start + 2);
		p->off.gso_size = le16(start + 4);
		p->off.csum_start = le16(start + 6);
		p->off.csum_offset = le16(start + 8);
	}
	p->data = buf + PKT_HEADROOM;
	p->len = n >= v->hdr_len ? n - v->hdr_len : 0;
	p->headroom = PKT_HEADROOM;
	p->tailroom = PKT_BUF_SIZE - PKT_HEADROOM - p->len;
}

/* One batch through the ring. Returns the packet count, -1 with errno on a
 * read error, -2 when the ring itself failed (fall back to read(2)). */
static int read_ring(struct tun *t, struct pkt *pkts, bool *drained)
{
	struct tun_priv *v = t->priv;
	struct ureader_pkt got[UREADER_BATCH];
	int n = ureader_read(v->ring, got, drained);

	for (int i = 0; i < n; i++)
		parse_read(v, rbuf(v, got[i].buf), got[i].len, &pkts[i]);
	return n;
}


int tun_backend_read(struct tun *t, struct pkt *pkts, bool *drained)
{
	struct tun_priv *v = t->priv;
	uint8_t *start = rbuf(v, 0) + PKT_HEADROOM - v->hdr_len;
	ssize_t n;

	*drained = false;
	if (v->ring) {
		int r = read_ring(t, pkts, drained);
		if (r != -2)
			return r;
		log_warn("%s: io_uring read failed (%s); reading with read(2) from now on", t->name,
			 strerror(errno));
		drop_ring(t);
	}
	n = read(t->fd, start, PKT_MAX_LEN + v->hdr_len);
	if (n < 0) {
		*drained = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		return *drained ? 0 : -1;
	}
	parse_read(v, rbuf(v, 0), (size_t)n, &pkts[0]);
	return 1;
}

/* One write(2): the virtio-net header (when in use) in its own iovec, then
 * the packet. 0 or -1 with errno. */
static int write_one(const struct tun *t, const struct pkt *p)
{
	uint8_t hdr[VNET_HDR_LEN];
	struct iovec iov[2];
	int n = 0;

	if (t->priv->vnet) {
		memset(hdr, 0, sizeof(hdr));
		hdr[0] = p->off.flags;
		hdr[1] = p->off.gso_type;
		ple16(hdr + 2, p->off.hdr_len);
		ple16(hdr + 4, p->off.gso_size);
		ple16(hdr + 6, p->off.csum_start);
		ple16(hdr + 8, p->off.csum_offset);
		iov[n].iov_base = hdr;
		iov[n++].iov_len = sizeof(hdr);
	}
	iov[n].iov_base = p->data;
	iov[n++].iov_len = p->len;
	return writev(t->fd, iov, n) < 0 ? -1 : 0;
}

/* The write policy for one packet: GSO packets the kernel can't take are
 * segmented here; a partial checksum (NEEDS_CSUM) is left to the kernel
 * when the packet carries a vnet header, else completed here. */
static int send_pkt(struct tun *t, const struct pkt *p)
{
	struct tun_priv *v = t->priv;
	bool gso = p->off.gso_type != OFF_GSO_NONE;

	if (!v->vnet || (gso && v->gso_write_broken))
		return tun_write_plain(t, p, &v->segbuf, write_one);
	if (write_one(t, p) == 0)
		return 0;
	if (gso && errno == EINVAL) {
		v->gso_write_broken = true;
		log_warn("%s: kernel rejected a GSO write (EINVAL); segmenting in software from now on",
			 t->name);
		return tun_write_plain(t, p, &v->segbuf, write_one);
	}
	return -1;
}

/* The coalescer's output, and tun_write's when it does not coalesce. */
static void write_pkt(void *arg, const struct pkt *p)
{
	struct tun *t = arg;

	t->ctr.write_calls++;
	if (send_pkt(t, p) != 0 && t->write_err)
		t->write_err(t->err_arg, errno);
}

/* UDP datagrams go through the coalescer when the kernel takes USO writes
 * (one write per same-flow burst); everything else is written at once,
 * after whatever the coalescer held (packet order is kept). */
void tun_write(struct tun *t, const struct pkt *p)
{
	struct tun_priv *v = t->priv;

	if (v->uso && !v->gso_write_broken) {
		coalesce_put(&v->co, p);
		return;
	}
	coalesce_flush(&v->co);
	write_pkt(t, p);
}

void tun_flush(struct tun *t)
{
	coalesce_flush(&t->priv->co);
}
