/* coalesce.c - merge a burst of same-flow UDP datagrams into one USO write. */
#include "io/coalesce.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"

void coalesce_init(struct coalesce *c, uint8_t *buf, uint64_t *merged,
		   void (*out)(void *arg, const struct pkt *p), void *arg)
{
	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->merged = merged;
	c->out = out;
	c->arg = arg;
}

/* Pseudo-header sum (RFC 768 / RFC 8200 8.1) of the UDP datagram at d + l4
 * with UDP length ulen. */
static uint32_t pseudo(const uint8_t *d, size_t l4, size_t ulen)
{
	if (l4 == 20) {
		struct in_addr s, t;
		memcpy(&s, d + 12, 4);
		memcpy(&t, d + 16, 4);
		return csum_pseudo4(s, t, IPPROTO_UDP, (uint32_t)ulen);
	}
	struct in6_addr s, t;
	memcpy(&s, d + 8, 16);
	memcpy(&t, d + 24, 16);
	return csum_pseudo6(&s, &t, IPPROTO_UDP, (uint32_t)ulen);
}

/* The UDP header offset if p may be merged, else 0: a plain (non-GSO) UDP
 * datagram with at least one payload byte, no IPv4 options, not a fragment,
 * no IPv6 extension headers, consistent lengths, and a checksum that is
 * known to be good (the kernel fills it in: NEEDS_CSUM; it verified it:
 * DATA_VALID; or we verify it here). IPv4 UDP without checksum (zero) is
 * left alone: the kernel would add one. */
static size_t candidate(const struct pkt *p)
{
	const uint8_t *d = p->data;
	size_t l4, ulen;

	if (p->off.gso_type != OFF_GSO_NONE || p->len < 1)
		return 0;
	if (d[0] == 0x45) {
		if (p->len < 29 || d[9] != IPPROTO_UDP || get16(d + 2) != p->len ||
		    (get16(d + 6) & 0x3fff) != 0)
			return 0;
		l4 = 20;
	} else if ((d[0] >> 4) == 6) {
		if (p->len < 49 || d[6] != IPPROTO_UDP || (size_t)get16(d + 4) + 40 != p->len)
			return 0;
		l4 = 40;
	} else {
		return 0;
	}
	ulen = get16(d + l4 + 4);
	if (ulen != p->len - l4)
		return 0;
	if (p->off.flags & OFF_F_NEEDS_CSUM)
		return p->off.csum_start == l4 && p->off.csum_offset == 6 ? l4 : 0;
	if (l4 == 20 && get16(d + l4 + 6) == 0)
		return 0;
	if (!(p->off.flags & OFF_F_DATA_VALID) &&
	    csum_fold(csum_add(pseudo(d, l4, ulen), d + l4, ulen)) != 0xffff)
		return 0;
	return l4;
}

/* May the datagram d (UDP at l4, pay payload bytes) join the pending run?
 * Same addresses, ports, protocol, TOS/traffic class, flow label, TTL/hop
 * limit and DF; the size fits the run; the result fits one packet. For
 * IPv4 without DF the ID must be the one the kernel will give this segment
 * (first ID + position, as we numbered them); with DF the ID carries no
 * meaning (RFC 6864 4.1) and is not compared. */
static bool joins(const struct coalesce *c, const uint8_t *d, size_t l4, size_t pay)
{
	const uint8_t *h = c->p.data;

	if (c->n == 0 || c->closed || l4 != c->l4 || pay > c->seg ||
	    c->n >= COALESCE_MAX_SEGS || c->p.len + pay > 65535 ||
	    PKT_HEADROOM + c->p.len + pay > PKT_BUF_SIZE)
		return false;
	if (l4 == 20) {
		if (memcmp(h, d, 2) != 0 || memcmp(h + 6, d + 6, 4) != 0 ||
		    memcmp(h + 12, d + 12, 8) != 0)
			return false;
		if (!(get16(h + 6) & 0x4000) && get16(d + 4) != (uint16_t)(get16(h + 4) + c->n))
			return false;
	} else if (memcmp(h, d, 4) != 0 || memcmp(h + 6, d + 6, 34) != 0) {
		return false;
	}
	return memcmp(h + l4, d + l4, 4) == 0;
}

void coalesce_put(struct coalesce *c, const struct pkt *p)
{
	size_t l4 = candidate(p);
	size_t pay = l4 ? p->len - l4 - 8 : 0;

	if (l4 && joins(c, p->data, l4, pay)) {
		memcpy(c->p.data + c->p.len, p->data + l4 + 8, pay);
		c->p.len += pay;
		c->p.tailroom -= pay;
		c->n++;
		c->closed = pay < c->seg;
		return;
	}
	coalesce_flush(c);
	if (!l4 || p->len > PKT_BUF_SIZE - PKT_HEADROOM) {
		c->out(c->arg, p);
		return;
	}
	/* start a run: keep the datagram exactly as it is, in case it stays
	 * alone */
	c->p = *p;
	c->p.data = c->buf + PKT_HEADROOM;
	c->p.headroom = PKT_HEADROOM;
	c->p.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - p->len;
	memcpy(c->p.data, p->data, p->len);
	c->l4 = l4;
	c->seg = pay;
	c->n = 1;
	c->closed = false;
}

void coalesce_flush(struct coalesce *c)
{
	uint8_t *d = c->p.data;
	size_t l4 = c->l4, ulen;

	if (c->n == 0)
		return;
	if (c->n > 1) {
		ulen = c->p.len - l4;
		if (l4 == 20) {
			put16(d + 2, (uint16_t)c->p.len);
			put16(d + 10, 0);
			uint16_t hc = csum_finish(csum_add(0, d, 20));
			memcpy(d + 10, &hc, 2);
		} else {
			put16(d + 4, (uint16_t)(c->p.len - 40));
		}
		put16(d + l4 + 4, (uint16_t)ulen);
		/* NEEDS_CSUM seed: the folded, uncomplemented pseudo-header sum
		 * over the whole length; the kernel adjusts the length word per
		 * segment */
		uint16_t seed = csum_fold(pseudo(d, l4, ulen));
		memcpy(d + l4 + 6, &seed, 2);
		memset(&c->p.off, 0, sizeof(c->p.off));
		c->p.off.flags = OFF_F_NEEDS_CSUM;
		c->p.off.gso_type = OFF_GSO_UDP_L4;
		c->p.off.gso_size = (uint16_t)c->seg;
		c->p.off.hdr_len = (uint16_t)(l4 + 8);
		c->p.off.csum_start = (uint16_t)l4;
		c->p.off.csum_offset = 6;
		if (c->merged)
			*c->merged += c->n;
	}
	c->n = 0;
	c->out(c->arg, &c->p);
}
