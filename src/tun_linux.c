/* tun_linux.c - Linux TUN backend: /dev/net/tun, optional virtio-net header
 * with checksum and segmentation offload (TSO4/TSO6, USO4/USO6). */
#include "tun.h"

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
#include <unistd.h>

#include "gso.h"
#include "log.h"
#include "netlink.h"
#include "uring.h"

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
#define BATCH_MIN 4       /* reads queued per call when the load is light */

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
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tun-device %s: TUNSETIFF: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int tun_persist(const char *name, bool persist, char *err, size_t errlen)
{
	int fd = open_dev(name, IFF_TUN | IFF_NO_PI, err, errlen);
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

/* Read buffers (allocated once; pages are touched only when a batch that
 * deep is used) and, unless `io-uring off`, the io_uring for batched reads. */
static int open_reader(struct tun *t, const struct config *c, char *err, size_t errlen)
{
	const char *why;

	t->rbuf = mmap(NULL, (size_t)TUN_BATCH_MAX * PKT_BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->rbuf == MAP_FAILED) {
		t->rbuf = NULL;
		snprintf(err, errlen, "tun-device %s: read buffers: %s", t->name, strerror(errno));
		return -1;
	}
	t->batch = BATCH_MIN;
	if (c->io_uring == MODE_OFF) {
		log_info("tun reads: read(2), one packet per call (io-uring off)");
		return 0;
	}
	t->ring = malloc(sizeof(*t->ring));
	if (t->ring && uring_open(t->ring, TUN_BATCH_MAX) == 0) {
		log_info("tun reads: io_uring, up to %d packets per system call", TUN_BATCH_MAX);
		return 0;
	}
	why = t->ring ? strerror(errno) : "out of memory";
	free(t->ring);
	t->ring = NULL;
	if (c->io_uring == MODE_ON) {
		snprintf(err, errlen, "io-uring on: cannot set up io_uring: %s", why);
		return -1;
	}
	log_info("tun reads: read(2), one packet per call (io_uring unavailable: %s)", why);
	return 0;
}

/* Negotiate offload; returns a description for the start-up log line. */
static const char *negotiate(struct tun *t, int fd)
{
	int sz = VNET_HDR_LEN;
	unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return NULL;
	if (ioctl(fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6) == 0) {
		t->uso = true;
		return "vnet header, CSUM, TSO4, TSO6, USO4, USO6";
	}
	if (ioctl(fd, TUNSETOFFLOAD, base) == 0)
		return "vnet header, CSUM, TSO4, TSO6 (no USO in this kernel)";
	return NULL;
}

int tun_open(struct tun *t, const struct config *c, char *err, size_t errlen)
{
	struct ifreq ifr;
	const char *what = NULL;
	int fd = -1, s;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	snprintf(t->name, sizeof(t->name), "%s", c->tun_device);
	if (c->offload != MODE_OFF) {
		fd = open_dev(c->tun_device, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, err, errlen);
		if (fd >= 0) {
			what = negotiate(t, fd);
			if (!what) {
				close(fd);
				fd = -1;
				t->uso = false;
			}
		}
		if (fd < 0 && c->offload == MODE_ON) {
			snprintf(err, errlen, "offload on: the kernel refused the virtio-net header or "
				 "TUNSETOFFLOAD on %s", c->tun_device);
			return -1;
		}
	}
	if (fd < 0) {
		fd = open_dev(c->tun_device, IFF_TUN | IFF_NO_PI, err, errlen);
		if (fd < 0)
			return -1;
		log_info("offload: off%s", c->offload == MODE_OFF ? " (offload off)" :
			 " (kernel refused; packets are handled one by one)");
	} else {
		t->vnet = true;
		t->hdr_len = VNET_HDR_LEN;
		log_info("offload: %s", what);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "tun-device %s: O_NONBLOCK: %s", t->name, strerror(errno));
		close(fd);
		return -1;
	}
	t->fd = fd;
	if (open_reader(t, c, err, errlen) != 0) {
		tun_close(t);
		return -1;
	}
	t->mtu = 1500;
	s = ctl_sock();
	if (s >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
		if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
			t->mtu = (unsigned)ifr.ifr_mtu;
		/* a deep queue keeps bursts of GSO segments from being dropped */
		if (ioctl(s, SIOCGIFTXQLEN, &ifr) == 0 && ifr.ifr_qlen <= TXQ_DEFAULT) {
			ifr.ifr_qlen = TXQ_WANTED;
			if (ioctl(s, SIOCSIFTXQLEN, &ifr) == 0)
				log_debug("%s: txqueuelen raised to %d", t->name, TXQ_WANTED);
		}
		close(s);
	}
	return 0;
}

static void drop_ring(struct tun *t)
{
	if (t->ring) {
		uring_close(t->ring);
		free(t->ring);
		t->ring = NULL;
	}
}

void tun_close(struct tun *t)
{
	drop_ring(t);
	if (t->rbuf)
		munmap(t->rbuf, (size_t)TUN_BATCH_MAX * PKT_BUF_SIZE);
	t->rbuf = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* Re-read the MTU (an operator may change it while we run). */
static void refresh_mtu(struct tun *t)
{
	struct ifreq ifr;
	int s = ctl_sock();
	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		t->mtu = (unsigned)ifr.ifr_mtu;
	close(s);
}

int tun_configure(struct tun *t, const struct config *c, char *err, size_t errlen)
{
	unsigned idx;

	if (c->tun_up && nl_link_up(t->name, err, errlen) != 0)
		return -1;
	idx = if_nametoindex(t->name);
	if (!idx) {
		snprintf(err, errlen, "tun-device %s: %s", t->name, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < c->ntun_ips; i++)
		if (nl_addr_add(idx, &c->tun_ips[i], err, errlen) != 0)
			return -1;
	for (size_t i = 0; i < c->ntun_routes; i++)
		if (nl_route_add(idx, &c->tun_routes[i], err, errlen) != 0)
			return -1;
	refresh_mtu(t);
	return 0;
}

static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static void ple16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }

static uint8_t *rbuf(const struct tun *t, unsigned i)
{
	return t->rbuf + (size_t)i * PKT_BUF_SIZE;
}

/* n bytes (header included) were read into buffer buf: describe them */
static void parse_read(const struct tun *t, uint8_t *buf, size_t n, struct pkt *p)
{
	const uint8_t *start = buf + PKT_HEADROOM - t->hdr_len;

	memset(&p->off, 0, sizeof(p->off));
	if (t->vnet && n >= t->hdr_len) {
		p->off.flags = start[0];
		p->off.gso_type = start[1];
		p->off.hdr_len = le16(start + 2);
		p->off.gso_size = le16(start + 4);
		p->off.csum_start = le16(start + 6);
		p->off.csum_offset = le16(start + 8);
	}
	p->data = buf + PKT_HEADROOM;
	p->len = n >= t->hdr_len ? n - t->hdr_len : 0;
	p->headroom = PKT_HEADROOM;
	p->tailroom = PKT_BUF_SIZE - PKT_HEADROOM - p->len;
}

/* One batch through the ring. Returns the packet count, -1 with errno on a
 * read error, -2 when the ring itself failed (fall back to read(2)). */
static int read_ring(struct tun *t, struct pkt *pkts, bool *drained)
{
	struct iovec iov[TUN_BATCH_MAX] = { { 0 } }; /* all set below; quiets gcc */
	int res[TUN_BATCH_MAX];
	unsigned want = t->batch, got = 0;

	for (unsigned i = 0; i < want; i++) {
		iov[i].iov_base = rbuf(t, i) + PKT_HEADROOM - t->hdr_len;
		iov[i].iov_len = PKT_MAX_LEN + t->hdr_len;
	}
	if (uring_read_nowait(t->ring, t->fd, iov, res, want) != 0)
		return -2;
	for (unsigned i = 0; i < want; i++) {
		if (res[i] >= 0) {
			parse_read(t, rbuf(t, i), (size_t)res[i], &pkts[got++]);
		} else if (res[i] == -EAGAIN || res[i] == -EINTR) {
			*drained = true;
		} else if (got == 0) {
			errno = -res[i];
			/* io_uring cannot read this file after all */
			return (errno == EINVAL || errno == EOPNOTSUPP) ? -2 : -1;
		} else {
			break; /* hand over what we have; the error repeats next call */
		}
	}
	/* queue as many reads as the last call could fill, and some more */
	if (got == want && want < TUN_BATCH_MAX)
		t->batch = want * 2;
	else if (got < want / 2 && want > BATCH_MIN)
		t->batch = want / 2;
	return (int)got;
}

int tun_read_batch(struct tun *t, struct pkt *pkts, bool *drained)
{
	uint8_t *start = rbuf(t, 0) + PKT_HEADROOM - t->hdr_len;
	ssize_t n;

	*drained = false;
	if (t->ring) {
		int r = read_ring(t, pkts, drained);
		if (r != -2)
			return r;
		log_warn("%s: io_uring read failed (%s); reading with read(2) from now on", t->name,
			 strerror(errno));
		drop_ring(t);
	}
	n = read(t->fd, start, PKT_MAX_LEN + t->hdr_len);
	if (n < 0) {
		*drained = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		return *drained ? 0 : -1;
	}
	parse_read(t, rbuf(t, 0), (size_t)n, &pkts[0]);
	return 1;
}

static int write_one(struct tun *t, const struct pkt *p)
{
	uint8_t hdr[VNET_HDR_LEN];
	struct iovec iov[2];
	int n = 0;

	if (t->vnet) {
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

struct seg_ctx {
	struct tun *t;
	int rc;
};

static void write_seg(void *arg, const struct pkt *seg)
{
	struct seg_ctx *s = arg;
	if (write_one(s->t, seg) != 0)
		s->rc = -1;
}

/* Segment in software (kernel refused GSO writes). The scratch buffer is
 * static: the event loop is single-threaded and this path is rare. */
static int write_segmented(struct tun *t, const struct pkt *p)
{
	static uint8_t scratch[PKT_BUF_SIZE];
	struct seg_ctx s = { t, 0 };
	if (gso_segment(p, scratch, write_seg, &s) < 0)
		return -1;
	return s.rc;
}

int tun_write(struct tun *t, const struct pkt *p)
{
	bool gso = p->off.gso_type != 0;

	if (gso && t->gso_write_broken)
		return write_segmented(t, p);
	if (write_one(t, p) == 0)
		return 0;
	if (gso && errno == EINVAL) {
		t->gso_write_broken = true;
		log_warn("%s: kernel rejected a GSO write (EINVAL); segmenting in software from now on",
			 t->name);
		return write_segmented(t, p);
	}
	return -1;
}
