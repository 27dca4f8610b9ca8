/* gso.c - software checksum completion and segmentation of GSO
 * super-packets, for packets that can't keep their offload metadata and
 * for kernels that reject GSO writes. Every offset taken from the packet or
 * its metadata is checked against the packet length before use. The
 * super-packet must not itself live in the scratch buffer. */
#include "lib/gso.h"

#include <arpa/inet.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/ip6.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80


int gso_csum_complete(struct pkt *p)
{
	struct offload *o = &p->off;
	size_t start = o->csum_start, off = o->csum_offset;
	uint16_t c;

	if (!(o->flags & OFF_F_NEEDS_CSUM))
		return 0;
	if (start > p->len || off > p->len - start || p->len - start - off < 2)
		return -1;
	/* The field holds the pseudo-header seed, so summing the whole L4
	 * range including it yields pseudo-header + L4 sum. */
	c = csum_finish(csum_add(0, p->data + start, p->len - start));
	/* RFC 768 / RFC 8200 8.1: a computed UDP checksum of zero is sent as
	 * all ones (zero means "none"). UDP is the only user of offset 6. */
	if (c == 0 && off == 6)
		c = 0xffff;
	memcpy(p->data + start + off, &c, 2);
	o->flags &= (uint8_t)~OFF_F_NEEDS_CSUM;
	return 0;
}

/* Where a super-packet's headers end, worked out from the headers
 * themselves (hdr_len is not trusted). */
struct layout {
	bool v6;
	uint8_t proto;
	size_t len;   /* packet length per its header */
	size_t l4;    /* upper-layer header offset */
	size_t hl;    /* all headers: l4 + TCP/UDP header */
};

/* The upper-layer header of an IPv6 super-packet: its offset (protocol in
 * *proto), or 0 for a malformed chain, a Fragment header (a fragment is
 * never a super-packet) or a Routing header with segments left (the
 * pseudo-header would need its final destination). */
static size_t ip6_l4(const uint8_t *b, size_t len, uint8_t *proto)
{
	struct ip6_info in;

	if (ip6_walk(b, len, &in) != 0 || in.frag || in.segleft_at)
		return 0;
	*proto = in.proto;
	return in.l4off;
}

/* The IP part of the layout; -1 when malformed. */
static int layout_ip(const struct pkt *p, struct layout *lo)
{
	const uint8_t *d = p->data;
	size_t len = p->len;

	if (!d || len < 1)
		return -1;
	lo->v6 = (d[0] >> 4) == 6;
	if (lo->v6) {
		size_t pl;
		if (len < 40)
			return -1;
		pl = get16(d + 4);
		if (pl == 0 || 40 + pl > len)   /* no jumbograms */
			return -1;
		lo->len = 40 + pl;
		lo->l4 = ip6_l4(d, lo->len, &lo->proto);
		return lo->l4 ? 0 : -1;
	}
	size_t ihl, tot;
	if ((d[0] >> 4) != 4 || len < 20)
		return -1;
	ihl = (size_t)(d[0] & 0x0f) * 4;
	tot = get16(d + 2);
	/* a fragment is never a super-packet */
	if (ihl < 20 || tot < ihl || tot > len || (get16(d + 6) & 0x3fff))
		return -1;
	lo->len = tot;
	lo->l4 = ihl;
	lo->proto = d[9];
	return 0;
}

/* The whole layout, checked against the metadata; -1 when they disagree. */
static int layout(const struct pkt *p, struct layout *lo)
{
	const struct offload *o = &p->off;
	uint8_t type = o->gso_type & (uint8_t)~OFF_GSO_ECN;
	const uint8_t *d = p->data;

	if (o->gso_size == 0 || layout_ip(p, lo) != 0)
		return -1;
	if (type == OFF_GSO_TCPV4 || type == OFF_GSO_TCPV6) {
		size_t thl;
		if (lo->v6 != (type == OFF_GSO_TCPV6) || lo->proto != IPPROTO_TCP ||
		    lo->len - lo->l4 < 20)
			return -1;
		thl = (size_t)(d[lo->l4 + 12] >> 4) * 4;
		if (thl < 20 || thl > lo->len - lo->l4)
			return -1;
		lo->hl = lo->l4 + thl;
	} else if (type == OFF_GSO_UDP_L4) {
		if (lo->proto != IPPROTO_UDP || lo->len - lo->l4 < 8)
			return -1;
		lo->hl = lo->l4 + 8;
	} else {
		return -1;   /* none, or UFO: not ours to split */
	}
	/* the metadata must agree with the headers it describes */
	if ((o->flags & OFF_F_NEEDS_CSUM) && o->csum_start != lo->l4)
		return -1;
	return 0;
}

/* Pseudo-header sum for the segment in out (RFC 793 3.1 / RFC 768 with the
 * IPv4 addresses, RFC 8200 8.1 with the IPv6 ones). */
static uint32_t seg_pseudo(const uint8_t *out, const struct layout *lo, uint32_t l4len)
{
	if (lo->v6) {
		struct in6_addr s, t;
		memcpy(&s, out + 8, 16);
		memcpy(&t, out + 24, 16);
		return csum_pseudo6(&s, &t, lo->proto, l4len);
	}
	struct in_addr s, t;
	memcpy(&s, out + 12, 4);
	memcpy(&t, out + 16, 4);
	return csum_pseudo4(s, t, lo->proto, l4len);
}

/* Headers of segment i of nseg (n bytes, payload from byte off of the
 * super-packet's payload): lengths, IPv4 ID, TCP sequence and flags, and
 * full checksums. */
static void seg_headers(uint8_t *out, const uint8_t *d, const struct layout *lo,
			size_t i, size_t nseg, size_t off, size_t n)
{
	size_t l4 = lo->l4;
	uint16_t c;

	if (lo->v6) {
		put16(out + 4, (uint16_t)(n - 40));
	} else {
		put16(out + 2, (uint16_t)n);
		put16(out + 4, (uint16_t)(get16(d + 4) + i));   /* RFC 791: fresh ID per datagram */
		put16(out + 10, 0);
		c = csum_finish(csum_add(0, out, l4));
		memcpy(out + 10, &c, 2);
	}
	if (lo->proto == IPPROTO_TCP) {
		uint8_t f = d[l4 + 13];
		/* RFC 793: seq numbers the first data byte. FIN and PSH belong
		 * to the end of the data, CWR (RFC 3168 6.1.2) is sent once, on
		 * the first segment. */
		put32(out + l4 + 4, get32(d + l4 + 4) + (uint32_t)off);
		if (i + 1 < nseg)
			f &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i > 0)
			f &= (uint8_t)~TCP_CWR;
		out[l4 + 13] = f;
		put16(out + l4 + 16, 0);
		c = csum_finish(csum_add(seg_pseudo(out, lo, (uint32_t)(n - l4)), out + l4, n - l4));
		memcpy(out + l4 + 16, &c, 2);
	} else {
		put16(out + l4 + 4, (uint16_t)(n - l4));
		put16(out + l4 + 6, 0);
		c = csum_finish(csum_add(seg_pseudo(out, lo, (uint32_t)(n - l4)), out + l4, n - l4));
		if (c == 0)   /* RFC 768: zero is sent as all ones */
			c = 0xffff;
		memcpy(out + l4 + 6, &c, 2);
	}
}

int gso_segment(const struct pkt *p, uint8_t *scratch,
		void (*emit)(void *arg, const struct pkt *seg), void *arg)
{
	size_t mss = p->off.gso_size, payload, nseg;
	uint8_t *out = scratch + PKT_HEADROOM;
	struct layout lo;

	if (layout(p, &lo) != 0)
		return -1;
	payload = lo.len - lo.hl;
	nseg = payload ? (payload + mss - 1) / mss : 1;
	for (size_t i = 0; i < nseg; i++) {
		size_t off = i * mss;
		size_t seg = payload - off < mss ? payload - off : mss;
		size_t n = lo.hl + seg;
		struct pkt sp;

		memcpy(out, p->data, lo.hl);
		memcpy(out + lo.hl, p->data + lo.hl + off, seg);
		seg_headers(out, p->data, &lo, i, nseg, off, n);
		memset(&sp, 0, sizeof(sp));
		sp.data = out;
		sp.len = n;
		sp.headroom = PKT_HEADROOM;
		sp.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - n;
		emit(arg, &sp);
	}
	return (int)nseg;
}
