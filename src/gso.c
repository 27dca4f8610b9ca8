/* gso.c - software checksum completion and segmentation of GSO
 * super-packets, for packets that can't keep their offload metadata and
 * for kernels that reject GSO writes. Every offset taken from the packet or
 * its metadata is checked against the packet length before use. The
 * super-packet must not itself live in the scratch buffer. */
#include "gso.h"

#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"
#include "csum.h"
#include "ip6.h"

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

/* Pseudo-header sum for the segment in out (RFC 793 3.1 / RFC 768 with the
 * IPv4 addresses, RFC 8200 8.1 with the IPv6 ones). Addresses are summed by
 * seeding csum_add() so no carry is lost. */
static uint32_t seg_pseudo(const uint8_t *out, bool v6, uint8_t proto, uint32_t l4len)
{
	uint32_t s;

	if (v6) {
		uint32_t w[2] = { htonl(l4len), htonl(proto) };
		s = csum_add(0, out + 8, 32);
		return csum_add(s, w, sizeof(w));
	}
	uint16_t w[2] = { htons(proto), htons((uint16_t)l4len) };
	s = csum_add(0, out + 12, 8);
	return csum_add(s, w, sizeof(w));
}

int gso_segment(const struct pkt *p, uint8_t *scratch,
		void (*emit)(void *arg, const struct pkt *seg), void *arg)
{
	const struct offload *o = &p->off;
	const uint8_t *d = p->data;
	uint8_t type = o->gso_type & (uint8_t)~OFF_GSO_ECN;
	size_t len = p->len, mss = o->gso_size, l4, hl, payload, nseg;
	uint8_t proto = 0, want;
	bool v6;

	if (!d || len < 1 || mss == 0)
		return -1;
	v6 = (d[0] >> 4) == 6;
	switch (type) {
	case OFF_GSO_TCPV4:
		if (v6)
			return -1;
		want = IPPROTO_TCP;
		break;
	case OFF_GSO_TCPV6:
		if (!v6)
			return -1;
		want = IPPROTO_TCP;
		break;
	case OFF_GSO_UDP_L4:
		want = IPPROTO_UDP;
		break;
	default:   /* none, or UFO: not ours to split */
		return -1;
	}

	if (v6) {
		size_t pl;

		if (len < 40)
			return -1;
		pl = get16(d + 4);
		if (pl == 0 || 40 + pl > len)   /* no jumbograms */
			return -1;
		len = 40 + pl;
		l4 = ip6_l4(d, len, &proto);
		if (!l4)
			return -1;
	} else {
		size_t ihl, tot;

		if ((d[0] >> 4) != 4 || len < 20)
			return -1;
		ihl = (size_t)(d[0] & 0x0f) * 4;
		tot = get16(d + 2);
		if (ihl < 20 || tot < ihl || tot > len)
			return -1;
		/* a fragment is never a super-packet */
		if (get16(d + 6) & 0x3fff)
			return -1;
		len = tot;
		l4 = ihl;
		proto = d[9];
	}
	if (proto != want)
		return -1;
	/* the metadata must agree with the headers it describes */
	if ((o->flags & OFF_F_NEEDS_CSUM) && o->csum_start != l4)
		return -1;

	if (proto == IPPROTO_TCP) {
		size_t thl;

		if (len - l4 < 20)
			return -1;
		thl = (size_t)(d[l4 + 12] >> 4) * 4;
		if (thl < 20 || thl > len - l4)
			return -1;
		hl = l4 + thl;     /* computed: hdr_len is not trusted */
	} else {
		if (len - l4 < 8)
			return -1;
		hl = l4 + 8;
	}
	payload = len - hl;
	nseg = payload ? (payload + mss - 1) / mss : 1;

	uint8_t *out = scratch + PKT_HEADROOM;
	uint16_t id = v6 ? 0 : get16(d + 4);
	uint32_t seq = proto == IPPROTO_TCP ? get32(d + l4 + 4) : 0;
	uint8_t flags = proto == IPPROTO_TCP ? d[l4 + 13] : 0;

	for (size_t i = 0; i < nseg; i++) {
		size_t off = i * mss;
		size_t seg = payload - off < mss ? payload - off : mss;
		size_t n = hl + seg;
		uint16_t c;
		struct pkt sp;

		memcpy(out, d, hl);
		memcpy(out + hl, d + hl + off, seg);
		if (v6) {
			put16(out + 4, (uint16_t)(n - 40));
		} else {
			put16(out + 2, (uint16_t)n);
			put16(out + 4, (uint16_t)(id + i));   /* RFC 791: fresh ID per datagram */
			put16(out + 10, 0);
			c = csum_finish(csum_add(0, out, l4));
			memcpy(out + 10, &c, 2);
		}
		if (proto == IPPROTO_TCP) {
			uint8_t f = flags;

			/* RFC 793: seq numbers the first data byte. FIN and
			 * PSH belong to the end of the data, CWR (RFC 3168
			 * 6.1.2) is sent once, on the first segment. */
			put32(out + l4 + 4, seq + (uint32_t)off);
			if (i + 1 < nseg)
				f &= (uint8_t)~(TCP_FIN | TCP_PSH);
			if (i > 0)
				f &= (uint8_t)~TCP_CWR;
			out[l4 + 13] = f;
			put16(out + l4 + 16, 0);
			c = csum_finish(csum_add(seg_pseudo(out, v6, proto, (uint32_t)(n - l4)),
						 out + l4, n - l4));
			memcpy(out + l4 + 16, &c, 2);
		} else {
			put16(out + l4 + 4, (uint16_t)(n - l4));
			put16(out + l4 + 6, 0);
			c = csum_finish(csum_add(seg_pseudo(out, v6, proto, (uint32_t)(n - l4)),
						 out + l4, n - l4));
			if (c == 0)   /* RFC 768: zero is sent as all ones */
				c = 0xffff;
			memcpy(out + l4 + 6, &c, 2);
		}

		memset(&sp, 0, sizeof(sp));
		sp.data = out;
		sp.len = n;
		sp.headroom = PKT_HEADROOM;
		sp.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - n;
		emit(arg, &sp);
	}
	return (int)nseg;
}
