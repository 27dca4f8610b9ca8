/* tun_bsd.c - FreeBSD / OpenBSD / NetBSD / DragonFly / macOS-utun-less BSD
 * TUN backend. Each packet carries a 4-byte address-family header in
 * network byte order (the AF numbers are the host's own AF_INET/AF_INET6,
 * which differ between the BSDs); there is no segmentation offload. */
#include "io/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/log.h"

#define AF_HDR_LEN 4

struct tun_priv {
	uint8_t *rbuf;    /* one read buffer of PKT_BUF_SIZE bytes */
	uint8_t *segbuf;  /* software segmentation, allocated on first use */
};

static int ctl_sock(void)
{
	return socket(AF_INET, SOCK_DGRAM, 0);
}

/* Create the interface (SIOCIFCREATE2 names it directly on FreeBSD;
 * elsewhere only tunN names can be created). EEXIST is fine. */
static int if_create(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = ctl_sock(), rc = 0;

	if (s < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
#ifdef SIOCIFCREATE2
	if (ioctl(s, SIOCIFCREATE2, &ifr) < 0 && errno != EEXIST)
#else
	if (ioctl(s, SIOCIFCREATE, &ifr) < 0 && errno != EEXIST)
#endif
	{
		snprintf(err, errlen, "tun-device %s: cannot create: %s", name, strerror(errno));
		rc = -1;
	}
	close(s);
	return rc;
}

int tun_persist(const char *name, bool persist, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s, rc = 0;

	/* BSD tun interfaces live until destroyed: --mktun creates, --rmtun
	 * destroys. */
	if (persist)
		return if_create(name, err, errlen);
	s = ctl_sock();
	if (s < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCIFDESTROY, &ifr) < 0) {
		snprintf(err, errlen, "tun-device %s: cannot destroy: %s", name, strerror(errno));
		rc = -1;
	}
	close(s);
	return rc;
}

int tun_open(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
	char path[sizeof("/dev/") + IFNAMSIZ];
	int fd;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	snprintf(t->name, sizeof(t->name), "%s", c->name);
	if (c->offload == MODE_ON) {
		snprintf(err, errlen, "offload on: the BSD tun driver has no segmentation offload");
		return -1;
	}
	if (c->io_uring == MODE_ON) {
		snprintf(err, errlen, "io-uring on: io_uring is Linux only");
		return -1;
	}
	t->priv = calloc(1, sizeof(*t->priv));
	if (t->priv)
		t->priv->rbuf = malloc(PKT_BUF_SIZE);
	if (!t->priv || !t->priv->rbuf) {
		snprintf(err, errlen, "tun-device %s: out of memory", t->name);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/%s", t->name);
	fd = open(path, O_RDWR);
	if (fd < 0 && errno == ENOENT) {
		if (if_create(t->name, err, errlen) != 0) {
			tun_close(t);
			return -1;
		}
		fd = open(path, O_RDWR);
	}
	if (fd < 0) {
		snprintf(err, errlen, "tun-device %s: cannot open %s: %s", t->name, path,
			 strerror(errno));
		tun_close(t);
		return -1;
	}
#ifdef TUNSIFHEAD
	{
		/* FreeBSD/NetBSD/DragonFly: ask for the address-family header
		 * (OpenBSD always sends it) */
		int on = 1;
		if (ioctl(fd, TUNSIFHEAD, &on) < 0) {
			snprintf(err, errlen, "tun-device %s: TUNSIFHEAD: %s", t->name, strerror(errno));
			close(fd);
			tun_close(t);
			return -1;
		}
	}
#endif
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "tun-device %s: O_NONBLOCK: %s", t->name, strerror(errno));
		close(fd);
		tun_close(t);
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	t->fd = fd;
	t->mtu = 1500;
	tun_refresh_mtu(t);
	log_info("offload: off (not available on this platform)");
	return 0;
}

void tun_close(struct tun *t)
{
	if (t->priv) {
		free(t->priv->rbuf);
		free(t->priv->segbuf);
		free(t->priv);
		t->priv = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int tun_configure(const char *name, const struct tun_ifcfg *c, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s;

	if (c->nips || c->nroutes) {
		snprintf(err, errlen, "tun-ip and tun-route are Linux-only; configure %s with "
			 "ifconfig and route", name);
		return -1;
	}
	if (!c->up)
		return 0;
	s = ctl_sock();
	if (s < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(err, errlen, "tun-device %s: SIOCGIFFLAGS: %s", name, strerror(errno));
		close(s);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		snprintf(err, errlen, "tun-device %s: SIOCSIFFLAGS: %s", name, strerror(errno));
		close(s);
		return -1;
	}
	close(s);
	return 0;
}

int tun_backend_read(struct tun *t, struct pkt *pkts, bool *drained)
{
	uint8_t *buf = t->priv->rbuf;
	uint8_t *start = buf + PKT_HEADROOM - AF_HDR_LEN;
	ssize_t n = read(t->fd, start, PKT_MAX_LEN + AF_HDR_LEN);
	struct pkt *p = &pkts[0];

	*drained = false;
	if (n < 0) {
		*drained = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		return *drained ? 0 : -1;
	}
	memset(&p->off, 0, sizeof(p->off));
	/* the translator dispatches on the IP version nibble; the AF header
	 * carries nothing more */
	p->data = buf + PKT_HEADROOM;
	p->len = (size_t)n > AF_HDR_LEN ? (size_t)n - AF_HDR_LEN : 0;
	p->headroom = PKT_HEADROOM;
	p->tailroom = PKT_BUF_SIZE - PKT_HEADROOM - p->len;
	return 1;
}

static int write_one(const struct tun *t, const struct pkt *p)
{
	uint8_t hdr[AF_HDR_LEN];
	struct iovec iov[2];

	if (p->len == 0)
		return 0;
	put32(hdr, (p->data[0] >> 4) == 6 ? AF_INET6 : AF_INET);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = p->data;
	iov[1].iov_len = p->len;
	return writev(t->fd, iov, 2) < 0 ? -1 : 0;
}

void tun_write(struct tun *t, const struct pkt *p)
{
	t->ctr.write_calls++;
	/* no offload here: a packet that still carries offload metadata
	 * leaves segmented and with complete checksums */
	if (tun_write_plain(t, p, &t->priv->segbuf, write_one) != 0 && t->write_err)
		t->write_err(t->err_arg, errno);
}

/* Nothing is held back: every packet is written by tun_write. */
void tun_flush(struct tun *t)
{
	(void)t;
}
