/* pkt.h - the packet buffer every layer passes around: a packet in a
 * buffer with room in front (header growth, link-layer headers) and its
 * offload metadata. A leaf: the translator, GSO, UDP coalescing and the tun
 * backends all use it without knowing each other. */
#ifndef TAYGA_PKT_H
#define TAYGA_PKT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes kept free in front of a packet read from the tun: IPv4->IPv6 grows
 * the header by 20 (28 with a Fragment header), and a virtio-net header
 * (12) or a BSD address-family header (4) must fit in front of that. */
#define PKT_HEADROOM 128
/* Largest packet we handle: 64 KiB IP + room for header growth. */
#define PKT_MAX_LEN  (65535 + 64)
/* Size of a buffer that holds any packet plus headroom. */
#define PKT_BUF_SIZE (PKT_HEADROOM + PKT_MAX_LEN)

/* Offload metadata: a host-order copy of struct virtio_net_hdr (linux
 * include/uapi/linux/virtio_net.h), also usable without Linux headers. */
#define OFF_F_NEEDS_CSUM 1   /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
#define OFF_F_DATA_VALID 2   /* VIRTIO_NET_HDR_F_DATA_VALID */
#define OFF_GSO_NONE   0
#define OFF_GSO_TCPV4  1
#define OFF_GSO_UDP    3     /* UFO, not produced by us */
#define OFF_GSO_TCPV6  4
#define OFF_GSO_UDP_L4 5     /* USO, IPv4 or IPv6 */
#define OFF_GSO_ECN    0x80

struct offload {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;   /* offset of the L4 header from data */
	uint16_t csum_offset;  /* offset of the checksum field from csum_start */
};

struct pkt {
	uint8_t *data;         /* first byte of the IP header */
	size_t len;            /* bytes of packet at data */
	size_t headroom;       /* writable bytes before data */
	size_t tailroom;       /* writable bytes after data + len */
	struct offload off;    /* all zero when offload is not in use */
};

#endif
