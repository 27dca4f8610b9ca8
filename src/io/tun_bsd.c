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
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/tun_bsd_plan.h"
#include "lib/bytes.h"
#include "lib/log.h"

#define AF_HDR_LEN 4

struct tun_priv {
	uint8_t *rbuf;    /* one read buffer of PKT_BUF_SIZE bytes */
	uint8_t *segbuf;  /* software segmentation, allocated on first use */
};

static int ctl_sock(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* ---- the real system-call layer under tun_bsd_plan.c ---- */

static bool sys_if_exists(void *ctx, const char *name)
{
	(void)ctx;
	return if_nametoindex(name) != 0;
}

/* No O_NOFOLLOW: FreeBSD's /dev/<newname> for a renamed tun is a devfs
 * alias, i.e. a symlink (devfs is not writable by the runtime user). */
static int sys_open_dev(void *ctx, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	(void)ctx;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

static void sys_close_fd(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

static int sys_tun_name(void *ctx, int fd, char *name, size_t len)
{
	(void)ctx;
#ifdef TUNGIFNAME
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGIFNAME, &ifr) < 0)
		return -1;
	snprintf(name, len, "%.*s", (int)sizeof(ifr.ifr_name), ifr.ifr_name);
	return 0;
#else
	/* only FreeBSD renames (tun_name_check); it has TUNGIFNAME */
	(void)fd;
	(void)name;
	(void)len;
	errno = ENOTTY;
	return -1;
#endif
}

static void ifr_named(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
}

/* close the control socket s, keeping the errno of rc */
static int sock_done(int s, int rc)
{
	int e = errno;

	close(s);
	errno = e;
	return rc;
}

static int sys_if_create(void *ctx, const char *name)
{
	struct ifreq ifr;
	int s = ctl_sock();

	(void)ctx;
	if (s < 0)
		return -1;
	ifr_named(&ifr, name);
#ifdef SIOCIFCREATE2
	return sock_done(s, ioctl(s, SIOCIFCREATE2, &ifr));
#else
	return sock_done(s, ioctl(s, SIOCIFCREATE, &ifr));
#endif
}

static int sys_if_destroy(void *ctx, const char *name)
{
	struct ifreq ifr;
	int s = ctl_sock();

	(void)ctx;
	if (s < 0)
		return -1;
	ifr_named(&ifr, name);
	return sock_done(s, ioctl(s, SIOCIFDESTROY, &ifr));
}

/* FreeBSD SIOCSIFNAME: ifr_name the old name, ifr_data the new one */
static int sys_if_rename(void *ctx, const char *from, const char *to)
{
	(void)ctx;
#ifdef SIOCSIFNAME
	struct ifreq ifr;
	char newname[IFNAMSIZ];
	int s = ctl_sock();

	if (s < 0)
		return -1;
	ifr_named(&ifr, from);
	snprintf(newname, sizeof(newname), "%s", to);
	ifr.ifr_data = newname;
	return sock_done(s, ioctl(s, SIOCSIFNAME, &ifr));
#else
	/* only FreeBSD renames (tun_name_check) */
	(void)from;
	(void)to;
	errno = ENOTTY;
	return -1;
#endif
}

static const struct tun_sys real_sys = {
	.ctx = NULL,
	.if_exists = sys_if_exists,
	.open_dev = sys_open_dev,
	.close_fd = sys_close_fd,
	.tun_name = sys_tun_name,
	.if_create = sys_if_create,
	.if_rename = sys_if_rename,
	.if_destroy = sys_if_destroy,
};

int tun_persist(const struct tun_opts *o, bool persist, char *err, size_t errlen)
{
	const char *name = o->name;

	/* BSD tun interfaces live until destroyed: --mktun creates (and on
	 * FreeBSD renames), --rmtun destroys */
	if (persist)
		return tun_plan_open(&real_sys, TUN_HOST_OS, name, false, err, errlen);
	return tun_plan_remove(&real_sys, name, err, errlen);
}

int tun_open_queues(const struct tun_opts *o, int *fds, char *err, size_t errlen)
{
	(void)fds;
	snprintf(err, errlen, "tun-device %s: the BSD tun has one queue (no `workers`)", o->name);
	return -1;
}

void tun_close_queues(int *fds, unsigned n)
{
	(void)fds;
	(void)n;
}

int tun_open(struct tun *t, const struct tun_opts *c, char *err, size_t errlen)
{
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
	fd = tun_plan_open(&real_sys, TUN_HOST_OS, t->name, true, err, errlen);
	if (fd < 0) {
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
