/* netlink.c - see netlink.h. One request, one ACK, on a throwaway socket:
 * this runs only at start-up and reload. */
#include "io/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct nlreq {
	struct nlmsghdr n;
	union {
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	} u;
	char attrs[256];
};

static void add_attr(struct nlreq *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int nl_talk(struct nlreq *r, const char *what, char *err, size_t errlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	ssize_t n;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0) {
		snprintf(err, errlen, "%s: netlink socket: %s", what, strerror(errno));
		return -1;
	}
	r->n.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->n.nlmsg_seq = 1;
	if (sendto(fd, r, r->n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "%s: netlink send: %s", what, strerror(errno));
		close(fd);
		return -1;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		snprintf(err, errlen, "%s: no netlink answer", what);
		return -1;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type == NLMSG_ERROR) {
		int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (e == 0 || e == EEXIST)
			return 0;
		snprintf(err, errlen, "%s: %s", what, strerror(e));
		return -1;
	}
	return 0;
}

int nl_link_up(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (rc != 0)
		snprintf(err, errlen, "tun-up: %s: %s", ifname, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static size_t alen(const struct tun_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

int nl_addr_add(unsigned ifindex, const struct tun_addr *a, char *err, size_t errlen)
{
	struct nlreq r;

	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.n.nlmsg_type = RTM_NEWADDR;
	r.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.u.ifa.ifa_family = (unsigned char)a->family;
	r.u.ifa.ifa_prefixlen = a->len;
	r.u.ifa.ifa_index = ifindex;
	r.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	add_attr(&r, IFA_LOCAL, &a->a, alen(a));
	add_attr(&r, IFA_ADDRESS, &a->a, alen(a));
	return nl_talk(&r, "tun-ip", err, errlen);
}

int nl_route_add(unsigned ifindex, const struct tun_addr *a, char *err, size_t errlen)
{
	struct nlreq r;
	uint32_t oif = ifindex;

	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.n.nlmsg_type = RTM_NEWROUTE;
	r.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.u.rt.rtm_family = (unsigned char)a->family;
	r.u.rt.rtm_dst_len = a->len;
	r.u.rt.rtm_table = RT_TABLE_MAIN;
	r.u.rt.rtm_protocol = RTPROT_BOOT;
	r.u.rt.rtm_scope = RT_SCOPE_LINK;
	r.u.rt.rtm_type = RTN_UNICAST;
	add_attr(&r, RTA_DST, &a->a, alen(a));
	add_attr(&r, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(&r, "tun-route", err, errlen);
}

/* The attribute of type `type` among the len bytes of attributes at a. */
static const struct rtattr *find_attr(const void *a, int len, unsigned short type)
{
	for (const struct rtattr *r = a; RTA_OK(r, len); r = RTA_NEXT(r, len))
		if (r->rta_type == type)
			return r;
	return NULL;
}

int nl_tun_queues(const char *ifname)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg ifi;
	} req = { .n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		  .n.nlmsg_type = RTM_GETLINK, .n.nlmsg_flags = NLM_F_REQUEST,
		  .ifi.ifi_family = AF_UNSPEC };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[8192];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct rtattr *li, *data, *q;
	ssize_t n;
	int fd;

	req.ifi.ifi_index = (int)if_nametoindex(ifname);
	if (req.ifi.ifi_index == 0)
		return 0;   /* no device, no queue */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	n = sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -1 :
	    recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)) || !NLMSG_OK(h, (unsigned)n) ||
	    h->nlmsg_type != RTM_NEWLINK)
		return -1;
	li = find_attr(IFLA_RTA(NLMSG_DATA(h)), (int)IFLA_PAYLOAD(h), IFLA_LINKINFO);
	data = li ? find_attr(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_DATA) : NULL;
	q = data ? find_attr(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_TUN_NUM_QUEUES) : NULL;
	if (!q || RTA_PAYLOAD(q) < sizeof(uint32_t))
		return -1;
	return (int)*(const uint32_t *)RTA_DATA(q);
}
