/* test_gso.c - software segmentation of GSO super-packets and checksum
 * completion (gso.c). Expected segments are built independently with the
 * tests/lib/testpkt.h builders, one complete packet per segment. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/csum.h"
#include "lib/testpkt.h"
#include "lib/gso.h"

#define MAXSEG 64

struct segs {
	size_t n;
	uint8_t *pkt[MAXSEG];
	size_t len[MAXSEG];
	const uint8_t *data[MAXSEG];
	struct pkt meta[MAXSEG];
};

static struct segs S;
static uint8_t *scratch, *super, *want, *tmp;
static uint8_t data[70000];

static void collect(void *arg, const struct pkt *p)
{
	struct segs *s = arg;
	ck_assert_uint_lt(s->n, MAXSEG);
	s->pkt[s->n] = malloc(p->len);
	memcpy(s->pkt[s->n], p->data, p->len);
	s->len[s->n] = p->len;
	s->data[s->n] = p->data;
	s->meta[s->n] = *p;
	s->n++;
}

static void setup(void)
{
	memset(&S, 0, sizeof(S));
	scratch = malloc(PKT_BUF_SIZE);
	super = malloc(PKT_BUF_SIZE);
	want = malloc(PKT_BUF_SIZE);
	tmp = malloc(PKT_BUF_SIZE);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 5);
}

static void teardown(void)
{
	for (size_t i = 0; i < S.n; i++)
		free(S.pkt[i]);
	free(scratch);
	free(super);
	free(want);
	free(tmp);
}


static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* what the kernel leaves in the L4 checksum field with NEEDS_CSUM: the
 * folded, uncomplemented pseudo-header sum over the whole L4 length */
static void seed4(uint8_t *pkt, size_t l4, size_t field)
{
	size_t tot = get16(pkt + 2);
	put16(pkt + l4 + field, fold(tp_pseudo4(pkt + 12, pkt + 16, pkt[9], (uint32_t)(tot - l4))));
}

static void seed6(uint8_t *pkt, size_t l4, uint8_t proto, size_t field)
{
	size_t tot = 40 + get16(pkt + 4);
	put16(pkt + l4 + field, fold(tp_pseudo6(pkt + 8, pkt + 24, proto, (uint32_t)(tot - l4))));
}

/* IPv6 L4 checksum at offset l4 (after extension headers) */
static void fix6_at(uint8_t *pkt, size_t l4, uint8_t proto, size_t field)
{
	size_t tot = 40 + get16(pkt + 4);
	put16(pkt + l4 + field, 0);
	uint16_t c = tp_cksum(pkt + l4, tot - l4, tp_pseudo6(pkt + 8, pkt + 24, proto, (uint32_t)(tot - l4)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(pkt + l4 + field, c);
}

static void assert_seg(size_t i, const uint8_t *w, size_t wl)
{
	ck_assert_uint_gt(S.n, i);
	if (S.len[i] != wl || memcmp(S.pkt[i], w, wl) != 0) {
		tp_hexdiff(S.pkt[i], S.len[i], w, wl);
		ck_abort_msg("segment %d differs from expected", (int)i);
	}
	/* built in scratch after the headroom, no offload metadata */
	ck_assert_ptr_eq(S.data[i], scratch + PKT_HEADROOM);
	ck_assert_uint_eq(S.meta[i].headroom, PKT_HEADROOM);
	ck_assert_uint_eq(S.meta[i].tailroom, PKT_BUF_SIZE - PKT_HEADROOM - wl);
	ck_assert_uint_eq(S.meta[i].off.flags, 0);
	ck_assert_uint_eq(S.meta[i].off.gso_type, 0);
	ck_assert_uint_eq(S.meta[i].off.gso_size, 0);
}

static struct pkt mkpkt(uint8_t *b, size_t len, uint8_t flags, uint8_t gso_type,
			uint16_t gso_size, uint16_t cstart, uint16_t coff)
{
	struct pkt p;
	memset(&p, 0, sizeof(p));
	p.data = b;
	p.len = len;
	p.off.flags = flags;
	p.off.gso_type = gso_type;
	p.off.gso_size = gso_size;
	p.off.csum_start = cstart;
	p.off.csum_offset = coff;
	p.off.hdr_len = 0;   /* deliberately wrong: must be computed */
	return p;
}

/* TCP header with 12 bytes of options (NOP NOP timestamp), RFC 7323 */
static size_t tcp_opts(uint8_t *b, uint32_t seq, uint8_t flags, const uint8_t *d, size_t dlen)
{
	static const uint8_t opt[12] = { 1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78 };
	tp_tcp(b, 443, 50000, seq, 0x01020304, flags, NULL, 0);
	b[12] = 8 << 4;
	memcpy(b + 20, opt, 12);
	memmove(b + 32, d, dlen);
	return 32 + dlen;
}

/* ---------- TCP ---------- */

START_TEST(tso_tcpv4_three_segments)
{
	/* 2500 bytes, MSS 1000: 1000 + 1000 + 500. FIN|PSH|ACK|CWR given;
	 * the ID 0xffff wraps to 0 and 1 on the later segments. */
	uint8_t l4[4096];
	size_t n = tp_tcp(l4, 50000, 80, 0xfffffc00u, 77, 0x80 | 0x10 | 0x08 | 0x01, data, 2500);
	size_t len = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 6, 63, 0x02, 0xffff, 0x4000, l4, n);
	seed4(super, 20, 16);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_TCPV4 | OFF_GSO_ECN, 1000, 20, 16);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 3);
	ck_assert_uint_eq(S.n, 3);
	static const uint8_t fl[3] = { 0x80 | 0x10, 0x10, 0x10 | 0x08 | 0x01 };
	static const uint16_t ids[3] = { 0xffff, 0x0000, 0x0001 };
	for (size_t i = 0; i < 3; i++) {
		size_t dl = i < 2 ? 1000 : 500;
		/* sequence numbers wrap mod 2^32 too (RFC 793 3.3) */
		n = tp_tcp(l4, 50000, 80, 0xfffffc00u + (uint32_t)(i * 1000), 77, fl[i], data + i * 1000, dl);
		size_t wl = tp_ipv4(want, "198.51.100.7", "203.0.113.9", 6, 63, 0x02, ids[i], 0x4000, l4, n);
		tp_fix_l4_4(want);
		assert_seg(i, want, wl);
	}
}
END_TEST

START_TEST(tso_tcpv6_three_segments_with_options)
{
	uint8_t l4[8192];
	size_t n = tcp_opts(l4, 1000, 0x10 | 0x08, data, 4000);
	size_t len = tp_ipv6(super, "2001:db8:1::5", "2001:db8:2::9", 6, 64, 0x28, 0xabcde, l4, n);
	seed6(super, 40, 6, 16);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_TCPV6, 1428, 40, 16);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 3);
	static const size_t dl[3] = { 1428, 1428, 1144 };
	size_t off = 0;
	for (size_t i = 0; i < 3; i++) {
		n = tcp_opts(l4, 1000 + (uint32_t)off, i == 2 ? 0x18 : 0x10, data + off, dl[i]);
		size_t wl = tp_ipv6(want, "2001:db8:1::5", "2001:db8:2::9", 6, 64, 0x28, 0xabcde, l4, n);
		tp_fix_l4_6(want);
		assert_seg(i, want, wl);
		off += dl[i];
	}
}
END_TEST

START_TEST(tso_tcpv6_after_extension_headers)
{
	/* Hop-by-Hop (PadN) + Destination Options: the TCP header is at
	 * csum_start 56, and the headers are repeated in every segment */
	uint8_t l4[8192];
	static const uint8_t ext[16] = { 60, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0 };
	memcpy(l4, ext, 16);
	size_t n = tp_tcp(l4 + 16, 1, 2, 5, 6, 0x11, data, 300);
	size_t len = tp_ipv6(super, "2001:db8:1::5", "2001:db8:2::9", 0, 64, 0, 0, l4, 16 + n);
	seed6(super, 56, 6, 16);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_TCPV6, 100, 56, 16);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 3);
	for (size_t i = 0; i < 3; i++) {
		memcpy(l4, ext, 16);
		n = tp_tcp(l4 + 16, 1, 2, 5 + (uint32_t)i * 100, 6, i == 2 ? 0x11 : 0x10,
			   data + i * 100, 100);
		size_t wl = tp_ipv6(want, "2001:db8:1::5", "2001:db8:2::9", 0, 64, 0, 0, l4, 16 + n);
		fix6_at(want, 56, 6, 16);
		assert_seg(i, want, wl);
	}
}
END_TEST

START_TEST(tso_single_short_segment_keeps_all_flags)
{
	uint8_t l4[2048];
	size_t n = tp_tcp(l4, 1, 2, 9, 10, 0x80 | 0x19, data, 300);
	size_t len = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 6, 64, 0, 5, 0, l4, n);
	seed4(super, 20, 16);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_TCPV4, 1000, 20, 16);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 1);
	memcpy(want, super, len);
	tp_fix_l4_4(want);
	assert_seg(0, want, len);
}
END_TEST

START_TEST(tso_exact_multiple_of_mss)
{
	uint8_t l4[4096];
	size_t n = tp_tcp(l4, 1, 2, 9, 10, 0x19, data, 3000);
	size_t len = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 6, 64, 0, 5, 0x4000, l4, n);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_TCPV4, 1500, 20, 16);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 2);
	n = tp_tcp(l4, 1, 2, 9 + 1500, 10, 0x19, data + 1500, 1500);
	size_t wl = tp_ipv4(want, "198.51.100.7", "203.0.113.9", 6, 64, 0, 6, 0x4000, l4, n);
	tp_fix_l4_4(want);
	assert_seg(1, want, wl);
}
END_TEST

/* ---------- UDP (USO) ---------- */

START_TEST(uso_udpv6_three_segments)
{
	uint8_t l4[4096];
	size_t n = tp_udp(l4, 4500, 4501, data, 2500);
	size_t len = tp_ipv6(super, "2001:db8:1::5", "64:ff9b::cb00:7109", 17, 64, 0, 0, l4, n);
	seed6(super, 40, 17, 6);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_UDP_L4, 1200, 40, 6);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 3);
	for (size_t i = 0; i < 3; i++) {
		size_t dl = i < 2 ? 1200 : 100;
		n = tp_udp(l4, 4500, 4501, data + i * 1200, dl);
		size_t wl = tp_ipv6(want, "2001:db8:1::5", "64:ff9b::cb00:7109", 17, 64, 0, 0, l4, n);
		tp_fix_l4_6(want);
		assert_seg(i, want, wl);
	}
}
END_TEST

START_TEST(uso_udpv4_two_segments)
{
	uint8_t l4[4096];
	size_t n = tp_udp(l4, 4500, 4501, data, 1800);
	size_t len = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 17, 64, 0, 100, 0, l4, n);
	seed4(super, 20, 6);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, OFF_GSO_UDP_L4, 1400, 20, 6);

	ck_assert_int_eq(gso_segment(&p, scratch, collect, &S), 2);
	for (size_t i = 0; i < 2; i++) {
		size_t dl = i == 0 ? 1400 : 400;
		n = tp_udp(l4, 4500, 4501, data + i * 1400, dl);
		size_t wl = tp_ipv4(want, "198.51.100.7", "203.0.113.9", 17, 64, 0, (uint16_t)(100 + i), 0, l4, n);
		tp_fix_l4_4(want);
		assert_seg(i, want, wl);
	}
}
END_TEST

/* ---------- checksum completion ---------- */

/* csum_add against RFC 1071 done by hand: big-endian 16-bit words, an odd
 * last byte padded with zero, end-around carry; every length 0..90 at every
 * alignment 0..7, so the 8-byte, 2-byte and odd-byte paths all run. The
 * result is in memory order (as it would be stored in a packet). */
START_TEST(csum_add_matches_rfc1071)
{
	uint8_t buf[128];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 151 + 7);
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 90; len++) {
			uint32_t ref = 0;
			for (size_t i = 0; i < len; i += 2)
				ref += (uint32_t)buf[off + i] << 8 | (i + 1 < len ? buf[off + i + 1] : 0);
			while (ref >> 16)
				ref = (ref & 0xffff) + (ref >> 16);
			uint16_t got = csum_fold(csum_add(0, buf + off, len));
			uint8_t gb[2];
			memcpy(gb, &got, 2);
			ck_assert_msg(((unsigned)gb[0] << 8 | gb[1]) == ref,
				      "off %zu len %zu: %02x%02x != %04x", off, len, gb[0], gb[1], ref);
		}
	}
}
END_TEST

START_TEST(csum_complete_tcpv4)
{
	uint8_t l4[2048];
	size_t n = tp_tcp(l4, 1, 2, 3, 4, 0x18, data, 999);
	size_t len = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 6, 64, 0, 1, 0, l4, n);
	memcpy(want, super, len);
	tp_fix_l4_4(want);
	seed4(super, 20, 16);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 20, 16);

	ck_assert_int_eq(gso_csum_complete(&p), 0);
	ck_assert_uint_eq(p.off.flags & OFF_F_NEEDS_CSUM, 0);
	ck_assert_mem_eq(super, want, len);
	/* without NEEDS_CSUM nothing is touched */
	ck_assert_int_eq(gso_csum_complete(&p), 0);
	ck_assert_mem_eq(super, want, len);
}
END_TEST

START_TEST(csum_complete_udpv6_zero_is_all_ones)
{
	/* data whose UDP checksum comes out as zero: put the complement of the
	 * sum of everything else into the last data word. RFC 768 / RFC 8200
	 * 8.1: transmitted as 0xffff. */
	uint8_t l4[256], d[64];
	memcpy(d, data, 64);
	put16(d + 62, 0);
	size_t n = tp_udp(l4, 7, 9, d, 64);
	size_t len = tp_ipv6(super, "2001:db8:1::5", "2001:db8:2::9", 17, 64, 0, 0, l4, n);
	uint16_t c = tp_cksum(super + 40, n, tp_pseudo6(super + 8, super + 24, 17, (uint32_t)n));
	put16(super + 40 + 8 + 62, c);
	ck_assert_uint_eq(tp_cksum(super + 40, n, tp_pseudo6(super + 8, super + 24, 17, (uint32_t)n)), 0);
	seed6(super, 40, 17, 6);
	struct pkt p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 40, 6);

	ck_assert_int_eq(gso_csum_complete(&p), 0);
	ck_assert_uint_eq(get16(super + 46), 0xffff);
}
END_TEST

START_TEST(csum_complete_bad_offsets)
{
	uint8_t l4[64];
	size_t n = tp_udp(l4, 7, 9, data, 10);
	size_t len = tp_ipv6(super, "2001:db8:1::5", "2001:db8:2::9", 17, 64, 0, 0, l4, n);
	memcpy(want, super, len);
	struct pkt p;

	p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, (uint16_t)(len + 1), 0);
	ck_assert_int_eq(gso_csum_complete(&p), -1);
	p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 40, (uint16_t)(len - 40 - 1));
	ck_assert_int_eq(gso_csum_complete(&p), -1);
	p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 40, 0xffff);
	ck_assert_int_eq(gso_csum_complete(&p), -1);
	p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 0xffff, 0xffff);
	ck_assert_int_eq(gso_csum_complete(&p), -1);
	ck_assert_uint_eq(p.off.flags, OFF_F_NEEDS_CSUM);
	ck_assert_mem_eq(super, want, len);
	/* the last two bytes are a valid place */
	p = mkpkt(super, len, OFF_F_NEEDS_CSUM, 0, 0, 40, (uint16_t)(len - 40 - 2));
	ck_assert_int_eq(gso_csum_complete(&p), 0);
}
END_TEST

/* ---------- malformed metadata ---------- */

static int seg_try(const uint8_t *b, size_t len, uint8_t type, uint16_t mss, uint16_t cstart)
{
	struct pkt p = mkpkt((uint8_t *)b, len, OFF_F_NEEDS_CSUM, type, mss, cstart, 16);
	return gso_segment(&p, scratch, collect, &S);
}

START_TEST(gso_malformed_rejected)
{
	uint8_t l4[4096];
	size_t n = tp_tcp(l4, 1, 2, 3, 4, 0x10, data, 3000);
	size_t len4 = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 6, 64, 0, 1, 0x4000, l4, n);
	size_t len6 = tp_ipv6(tmp, "2001:db8:1::5", "2001:db8:2::9", 6, 64, 0, 0, l4, n);

	/* sanity: the unmodified packets are accepted */
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 20), 3);
	ck_assert_int_eq(seg_try(tmp, len6, OFF_GSO_TCPV6, 1000, 40), 3);
	for (size_t i = 0; i < S.n; i++)
		free(S.pkt[i]);
	S.n = 0;

	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_NONE, 1000, 20), -1);
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_UDP, 1000, 20), -1);   /* UFO */
	ck_assert_int_eq(seg_try(super, len4, 0x7f, 1000, 20), -1);
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 0, 20), -1);     /* gso_size 0 */
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV6, 1000, 20), -1);  /* family mismatch */
	ck_assert_int_eq(seg_try(tmp, len6, OFF_GSO_TCPV4, 1000, 40), -1);
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_UDP_L4, 1000, 20), -1); /* TCP, not UDP */
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 24), -1);  /* csum_start off */
	ck_assert_int_eq(seg_try(tmp, len6, OFF_GSO_TCPV6, 1000, 60), -1);
	ck_assert_int_eq(seg_try(super, 0, OFF_GSO_TCPV4, 1000, 20), -1);
	ck_assert_int_eq(seg_try(super, 19, OFF_GSO_TCPV4, 1000, 20), -1);
	ck_assert_int_eq(seg_try(super, 30, OFF_GSO_TCPV4, 1000, 20), -1);    /* tot_len > len */
	ck_assert_int_eq(seg_try(tmp, 39, OFF_GSO_TCPV6, 1000, 40), -1);
	ck_assert_int_eq(seg_try(tmp, len6 - 1, OFF_GSO_TCPV6, 1000, 40), -1); /* payload length > len */

	/* TCP data offset below 5 and past the end */
	super[20 + 12] = 4 << 4;
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 20), -1);
	size_t short4 = tp_ipv4(want, "198.51.100.7", "203.0.113.9", 6, 64, 0, 1, 0x4000, l4, 24);
	want[20 + 12] = 15 << 4;
	ck_assert_int_eq(seg_try(want, short4, OFF_GSO_TCPV4, 1000, 20), -1);
	super[20 + 12] = 5 << 4;
	/* IHL below 5; MF / fragment offset set */
	super[0] = 0x44;
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 20), -1);
	super[0] = 0x45;
	super[6] = 0x20;
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 20), -1);
	super[6] = 0x40;
	super[7] = 0x01;
	ck_assert_int_eq(seg_try(super, len4, OFF_GSO_TCPV4, 1000, 20), -1);

	/* IPv6: jumbogram length, Fragment header, truncated extension header,
	 * Routing header with segments left */
	put16(tmp + 4, 0);
	ck_assert_int_eq(seg_try(tmp, len6, OFF_GSO_TCPV6, 1000, 40), -1);
	uint8_t frag[8] = { 6, 0, 0, 0, 0, 0, 0, 1 };
	memcpy(want, frag, 8);
	memcpy(want + 8, l4, n);
	size_t lf = tp_ipv6(tmp, "2001:db8:1::5", "2001:db8:2::9", 44, 64, 0, 0, want, 8 + n);
	ck_assert_int_eq(seg_try(tmp, lf, OFF_GSO_TCPV6, 1000, 48), -1);
	uint8_t hbh[8] = { 6, 200, 0, 0, 0, 0, 0, 0 };   /* claims 1608 bytes */
	memcpy(want, hbh, 8);
	memcpy(want + 8, l4, 40);
	size_t lh = tp_ipv6(tmp, "2001:db8:1::5", "2001:db8:2::9", 0, 64, 0, 0, want, 48);
	ck_assert_int_eq(seg_try(tmp, lh, OFF_GSO_TCPV6, 1000, 48), -1);
	uint8_t rh[8] = { 6, 0, 0, 1, 0, 0, 0, 0 };      /* segments left 1 */
	memcpy(want, rh, 8);
	lh = tp_ipv6(tmp, "2001:db8:1::5", "2001:db8:2::9", 43, 64, 0, 0, want, 48);
	ck_assert_int_eq(seg_try(tmp, lh, OFF_GSO_TCPV6, 1000, 48), -1);

	/* UDP header cut short */
	n = tp_udp(l4, 1, 2, data, 0);
	size_t lu = tp_ipv4(super, "198.51.100.7", "203.0.113.9", 17, 64, 0, 1, 0, l4, n);
	ck_assert_int_eq(seg_try(super, lu - 1, OFF_GSO_UDP_L4, 1000, 20), -1);
	put16(super + 2, (uint16_t)(lu - 1));
	ck_assert_int_eq(seg_try(super, lu - 1, OFF_GSO_UDP_L4, 1000, 20), -1);

	ck_assert_uint_eq(S.n, 0);
}
END_TEST

/* ---- the translator carries offload metadata through (tp_run_off) ---- */

static const char *XCONF =
	"tun-device nat64\nipv4-addr 192.168.255.1\nipv6-addr 2001:db8:ff::1\n"
	"prefix 2001:db8:64::/96\nmap 192.168.254.2 2001:db8:1::2\n";
#define C6 "2001:db8:1::2"
#define C4 "192.168.254.2"
#define S6 "2001:db8:64::c000:202"
#define S4 "192.0.2.2"

static void assert_off(const struct offload *o, uint8_t flags, uint8_t type, uint16_t start,
		       uint16_t coff)
{
	ck_assert_uint_eq(o->flags, flags);
	ck_assert_uint_eq(o->gso_type, type);
	ck_assert_uint_eq(o->csum_start, start);
	ck_assert_uint_eq(o->csum_offset, coff);
}

START_TEST(partial_csum_single_udp_6to4_kept)
{
	/* a single datagram with NEEDS_CSUM: the seed is carried to the IPv4
	 * pseudo-header (nothing sums the payload); the kernel completes it */
	struct tp_env e;
	tp_env_init(&e, XCONF, 1500);
	size_t n = tp_udp(tmp, 4000, 53, data, 100);
	size_t len = tp_ipv6(super, C6, S6, 17, 64, 0, 0, tmp, n);
	seed6(super, 40, 17, 6);
	struct offload off = { .flags = OFF_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 6 };
	ck_assert_int_eq(tp_run_off(&e, super, len, &off), XLAT_OK);
	n = tp_udp(tmp, 4000, 53, data, 100);
	size_t wl = tp_ipv4(want, C4, S4, 17, 63, 0, 1, 0, tmp, n);
	seed4(want, 20, 6);
	ck_assert_uint_eq(e.nout, 1);
	TP_ASSERT_OUT(&e, 0, want, wl);
	assert_off(&e.outoff[0], OFF_F_NEEDS_CSUM, OFF_GSO_NONE, 20, 6);
	tp_env_free(&e);
}
END_TEST

START_TEST(partial_csum_single_udp_4to6_kept)
{
	struct tp_env e;
	tp_env_init(&e, XCONF, 1500);
	size_t n = tp_udp(tmp, 53, 4000, data, 101);
	size_t len = tp_ipv4(super, S4, C4, 17, 64, 0, 77, 0, tmp, n);
	seed4(super, 20, 6);
	struct offload off = { .flags = OFF_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6 };
	ck_assert_int_eq(tp_run_off(&e, super, len, &off), XLAT_OK);
	n = tp_udp(tmp, 53, 4000, data, 101);
	size_t wl = tp_ipv6(want, S6, C6, 17, 63, 0, 0, tmp, n);
	seed6(want, 40, 17, 6);
	ck_assert_uint_eq(e.nout, 1);
	TP_ASSERT_OUT(&e, 0, want, wl);
	assert_off(&e.outoff[0], OFF_F_NEEDS_CSUM, OFF_GSO_NONE, 40, 6);
	tp_env_free(&e);
}
END_TEST

START_TEST(tso_tcpv6_translated_to_tcpv4)
{
	/* a 3 x 1000-byte TCP super-packet: one IPv4 super-packet, DF=1, ID 0
	 * (RFC 6864 atomic), TCPV4, header length computed, seed moved */
	struct tp_env e;
	tp_env_init(&e, XCONF, 1500);
	size_t n = tp_tcp(tmp, 40000, 80, 1000, 2000, 0x18, data, 3000);
	size_t len = tp_ipv6(super, C6, S6, 6, 64, 0, 0, tmp, n);
	seed6(super, 40, 6, 16);
	struct offload off = { .flags = OFF_F_NEEDS_CSUM, .gso_type = OFF_GSO_TCPV6, .hdr_len = 60,
			       .gso_size = 1000, .csum_start = 40, .csum_offset = 16 };
	ck_assert_int_eq(tp_run_off(&e, super, len, &off), XLAT_OK);
	n = tp_tcp(tmp, 40000, 80, 1000, 2000, 0x18, data, 3000);
	size_t wl = tp_ipv4(want, C4, S4, 6, 63, 0, 0, 0x4000, tmp, n);
	seed4(want, 20, 16);
	ck_assert_uint_eq(e.nout, 1);
	TP_ASSERT_OUT(&e, 0, want, wl);
	assert_off(&e.outoff[0], OFF_F_NEEDS_CSUM, OFF_GSO_TCPV4, 20, 16);
	ck_assert_uint_eq(e.outoff[0].gso_size, 1000);
	ck_assert_uint_eq(e.outoff[0].hdr_len, 40);
	ck_assert_uint_eq(e.stats.segs[DIR_6TO4], 3);
	tp_env_free(&e);
}
END_TEST

START_TEST(tso_segments_too_big_get_packet_too_big)
{
	/* tun MTU 1280: 1400-byte segments don't fit as IPv4 (20 + 20 + 1400):
	 * the sender learns MTU 1300 (RFC 7915 5.1: the IPv4 MTU + 20) from
	 * ipv6-addr, quoting the super-packet's start as received */
	struct tp_env e;
	tp_env_init(&e, XCONF, 1280);
	size_t n = tp_tcp(tmp, 40000, 80, 1000, 2000, 0x18, data, 4200);
	size_t len = tp_ipv6(super, C6, S6, 6, 64, 0, 0, tmp, n);
	seed6(super, 40, 6, 16);
	struct offload off = { .flags = OFF_F_NEEDS_CSUM, .gso_type = OFF_GSO_TCPV6, .hdr_len = 60,
			       .gso_size = 1400, .csum_start = 40, .csum_offset = 16 };
	ck_assert_int_eq(tp_run_off(&e, super, len, &off), XLAT_DROP);
	ck_assert_uint_eq(e.stats.drops[DROP_TOO_BIG], 1);
	ck_assert_uint_eq(e.nout, 1);
	n = tp_icmp(tmp, 2, 0, 1300, super, 1232);
	size_t wl = tp_ipv6(want, "2001:db8:ff::1", C6, 58, 64, 0, 0, tmp, n);
	tp_fix_l4_6(want);
	TP_ASSERT_OUT(&e, 0, want, wl);
	tp_env_free(&e);
}
END_TEST

static Suite *gso_suite(void)
{
	Suite *s = suite_create("gso");
	TCase *t = tcase_create("segment");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, tso_tcpv4_three_segments);
	tcase_add_test(t, tso_tcpv6_three_segments_with_options);
	tcase_add_test(t, tso_tcpv6_after_extension_headers);
	tcase_add_test(t, tso_single_short_segment_keeps_all_flags);
	tcase_add_test(t, tso_exact_multiple_of_mss);
	tcase_add_test(t, uso_udpv6_three_segments);
	tcase_add_test(t, uso_udpv4_two_segments);
	tcase_add_test(t, gso_malformed_rejected);
	tcase_add_test(t, partial_csum_single_udp_6to4_kept);
	tcase_add_test(t, partial_csum_single_udp_4to6_kept);
	tcase_add_test(t, tso_tcpv6_translated_to_tcpv4);
	tcase_add_test(t, tso_segments_too_big_get_packet_too_big);
	suite_add_tcase(s, t);

	t = tcase_create("csum");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, csum_add_matches_rfc1071);
	tcase_add_test(t, csum_complete_tcpv4);
	tcase_add_test(t, csum_complete_udpv6_zero_is_all_ones);
	tcase_add_test(t, csum_complete_bad_offsets);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gso_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
