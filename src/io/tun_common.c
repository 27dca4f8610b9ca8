/* tun_common.c - backend pieces that are the same on every platform: the
 * platform's tun naming rule, the MTU query and writing a packet whose offload metadata the device cannot
 * take (software segmentation, checksum completion). */
#include "io/tun.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifndef __linux__
#include <sys/sockio.h>
#endif

#include "io/tun_bsd_plan.h"
#include "lib/gso.h"

/* `workers N` (N > 1) needs a multi-queue tun whose queue choice a
 * program can make (TUNSETSTEERINGEBPF, Linux 4.19): refused elsewhere
 * rather than run with fewer workers than configured (docs/scaling.md). */
static int check_queues(const struct tun_opts *o, char *err, size_t errlen)
{
#ifdef __linux__
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (o->queues <= 1 || uname(&u) != 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
	    major > 4 || (major == 4 && minor >= 19))
		return 0;
	snprintf(err, errlen, "workers %u: Linux %s cannot steer a multi-queue tun "
		 "(TUNSETSTEERINGEBPF needs 4.19 or later); use workers 1", o->queues, u.release);
	return -1;
#else
	if (o->queues <= 1)
		return 0;
	snprintf(err, errlen, "workers %u: this platform's tun has one queue; use workers 1 "
		 "(or several daemons, docs/scaling.md)", o->queues);
	return -1;
#endif
}

int tun_check_opts(const struct tun_opts *o, char *err, size_t errlen)
{
	if (check_queues(o, err, errlen) != 0)
		return -1;
	return tun_name_check(TUN_HOST_OS, o->name, err, errlen);
}

void tun_refresh_mtu(struct tun *t)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		t->mtu = (unsigned)ifr.ifr_mtu;
	close(s);
}

struct seg_ctx {
	const struct tun *t;
	tun_write_fn *write_one;
	int rc;
};

static void write_seg(void *arg, const struct pkt *seg)
{
	struct seg_ctx *s = arg;
	if (s->write_one(s->t, seg) != 0)
		s->rc = -1;
}

int tun_write_plain(const struct tun *t, const struct pkt *p, uint8_t **segbuf,
		    tun_write_fn *write_one)
{
	struct seg_ctx s = { t, write_one, 0 };
	struct pkt q = *p;

	if (p->off.gso_type != OFF_GSO_NONE) {
		if (!*segbuf && !(*segbuf = malloc(PKT_BUF_SIZE))) {
			errno = ENOMEM;
			return -1;
		}
		if (gso_segment(p, *segbuf, write_seg, &s) < 0) {
			errno = EINVAL;
			return -1;
		}
		return s.rc;
	}
	if ((q.off.flags & OFF_F_NEEDS_CSUM) && gso_csum_complete(&q) != 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&q.off, 0, sizeof(q.off));
	return write_one(t, &q);
}
