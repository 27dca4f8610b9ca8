/* test_coalesce.c - UDP write batching (coalesce.c). The promise is that the
 * receiver sees exactly the datagrams that were put: every merged output is
 * split with the software segmenter (the kernel's rules: per-segment lengths,
 * IDs + 1, full checksums; gso.c is tested against independent builders in
 * test_gso.c) and compared byte for byte with the input datagrams, which
 * are built here with tests/lib/testpkt.h. The super-packet's own fields (seed,
 * lengths, metadata) are checked against values worked out here. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/coalesce.h"
#include "lib/gso.h"
#include "lib/bytes.h"
#include "lib/testpkt.h"

#define MAXOUT 256

struct outs {
	size_t n;
	uint8_t *pkt[MAXOUT];
	size_t len[MAXOUT];
	struct offload off[MAXOUT];
};

static struct outs O;
static struct coalesce C;
static uint64_t merged;
static uint8_t *cobuf, *scratch;
static uint8_t *in[MAXOUT];
static size_t inlen[MAXOUT];
static size_t nin;
static uint8_t data[70000];

static void collect(void *arg, const struct pkt *p)
{
	struct outs *o = arg;
	ck_assert_uint_lt(o->n, MAXOUT);
	/* the writer prepends a header: there must be room */
	ck_assert_uint_ge(p->headroom, 12);
	o->pkt[o->n] = malloc(p->len);
	memcpy(o->pkt[o->n], p->data, p->len);
	o->len[o->n] = p->len;
	o->off[o->n] = p->off;
	o->n++;
}

static void setup(void)
{
	memset(&O, 0, sizeof(O));
	nin = 0;
	merged = 0;
	cobuf = malloc(PKT_BUF_SIZE);
	scratch = malloc(PKT_BUF_SIZE);
	coalesce_init(&C, cobuf, &merged, collect, &O);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
}

static void teardown(void)
{
	for (size_t i = 0; i < O.n; i++)
		free(O.pkt[i]);
	for (size_t i = 0; i < nin; i++)
		free(in[i]);
	free(cobuf);
	free(scratch);
}


static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A complete UDP datagram (valid checksum) with dlen bytes of payload taken
 * from data + doff; kept in in[] for comparison. */
static size_t udp4(const char *src, const char *dst, uint16_t sport, uint16_t id,
		   uint16_t frag, size_t doff, size_t dlen)
{
	uint8_t *l4 = malloc(dlen + 8), *b = malloc(dlen + 28);
	size_t n = tp_udp(l4, sport, 53, data + doff, dlen);
	size_t len = tp_ipv4(b, src, dst, 17, 63, 0x10, id, frag, l4, n);
	tp_fix_l4_4(b);
	free(l4);
	in[nin] = b;
	inlen[nin] = len;
	return nin++;
}

static size_t udp6(const char *src, const char *dst, uint16_t sport, size_t doff, size_t dlen)
{
	uint8_t *l4 = malloc(dlen + 8), *b = malloc(dlen + 48);
	size_t n = tp_udp(l4, sport, 53, data + doff, dlen);
	size_t len = tp_ipv6(b, src, dst, 17, 63, 0x28, 0x12345, l4, n);
	tp_fix_l4_6(b);
	free(l4);
	in[nin] = b;
	inlen[nin] = len;
	return nin++;
}

/* put in[i] as the translator would emit it: in a buffer with headroom */
static void put(size_t i, uint8_t flags)
{
	static uint8_t buf[PKT_BUF_SIZE];
	struct pkt p;

	memset(&p, 0, sizeof(p));
	memcpy(buf + PKT_HEADROOM, in[i], inlen[i]);
	p.data = buf + PKT_HEADROOM;
	p.len = inlen[i];
	p.headroom = PKT_HEADROOM;
	p.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - inlen[i];
	p.off.flags = flags;
	if (flags & OFF_F_NEEDS_CSUM) {
		size_t l4 = (in[i][0] >> 4) == 4 ? 20 : 40;
		p.off.csum_start = (uint16_t)l4;
		p.off.csum_offset = 6;
	}
	coalesce_put(&C, &p);
	/* the caller's buffer is reused at once: nothing may point into it */
	memset(buf + PKT_HEADROOM, 0xee, inlen[i]);
}

static void assert_same(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen,
			const char *what, size_t i)
{
	if (glen != wlen || memcmp(got, want, wlen) != 0) {
		tp_hexdiff(got, glen, want, wlen);
		ck_abort_msg("%s %zu differs", what, i);
	}
}

/* output o is in[i] unchanged, written as a plain packet */
static void assert_plain(size_t o, size_t i, uint8_t flags)
{
	ck_assert_uint_gt(O.n, o);
	assert_same(O.pkt[o], O.len[o], in[i], inlen[i], "plain output", o);
	ck_assert_uint_eq(O.off[o].gso_type, OFF_GSO_NONE);
	ck_assert_uint_eq(O.off[o].flags, flags);
}

/* every input went out alone and unchanged, in order */
static void assert_none_merged(void)
{
	ck_assert_uint_eq(O.n, nin);
	for (size_t i = 0; i < nin; i++)
		assert_plain(i, i, 0);
	ck_assert_uint_eq(merged, 0);
}

static struct segs { size_t n; uint8_t *p[MAXOUT]; size_t len[MAXOUT]; } SG;

static void seg_collect(void *arg, const struct pkt *p)
{
	struct segs *s = arg;
	ck_assert_uint_lt(s->n, MAXOUT);
	s->p[s->n] = malloc(p->len);
	memcpy(s->p[s->n], p->data, p->len);
	s->len[s->n++] = p->len;
}

/* output o is a USO super-packet of in[first .. first+count), each gso
 * bytes of payload: check its fields, then split it and compare */
static void assert_merged(size_t o, size_t first, size_t count, size_t gso)
{
	const uint8_t *d;
	size_t l4, len = 0, ulen;
	bool v4;
	struct pkt p;

	ck_assert_uint_gt(O.n, o);
	d = O.pkt[o];
	v4 = (d[0] >> 4) == 4;
	l4 = v4 ? 20 : 40;
	for (size_t i = first; i < first + count; i++)
		len += inlen[i] - l4 - 8;
	len += l4 + 8;
	ulen = len - l4;
	ck_assert_uint_eq(O.len[o], len);
	ck_assert_uint_eq(O.off[o].gso_type, OFF_GSO_UDP_L4);
	ck_assert_uint_eq(O.off[o].gso_size, gso);
	ck_assert_uint_eq(O.off[o].flags, OFF_F_NEEDS_CSUM);
	ck_assert_uint_eq(O.off[o].csum_start, l4);
	ck_assert_uint_eq(O.off[o].csum_offset, 6);
	ck_assert_uint_eq(O.off[o].hdr_len, l4 + 8);
	ck_assert_uint_eq(get16(d + l4 + 4), ulen);
	if (v4) {
		ck_assert_uint_eq(get16(d + 2), len);
		ck_assert_uint_eq(tp_cksum(d, 20, 0), 0);   /* header checksum valid */
		ck_assert_uint_eq(get16(d + l4 + 6),
				  fold(tp_pseudo4(d + 12, d + 16, 17, (uint32_t)ulen)));
	} else {
		ck_assert_uint_eq(get16(d + 4), len - 40);
		ck_assert_uint_eq(get16(d + l4 + 6),
				  fold(tp_pseudo6(d + 8, d + 24, 17, (uint32_t)ulen)));
	}

	memset(&SG, 0, sizeof(SG));
	memset(&p, 0, sizeof(p));
	p.data = O.pkt[o];
	p.len = O.len[o];
	p.off = O.off[o];
	ck_assert_int_eq(gso_segment(&p, scratch, seg_collect, &SG), (int)count);
	for (size_t i = 0; i < count; i++) {
		assert_same(SG.p[i], SG.len[i], in[first + i], inlen[first + i], "segment", i);
		free(SG.p[i]);
	}
}

#define A4 "192.0.2.2"
#define B4 "198.51.100.7"
#define A6 "2001:db8:1::2"
#define B6 "64:ff9b::c633:6407"

START_TEST(v4_burst_becomes_one_write)
{
	/* 4 x 64 bytes, then a shorter last one: DF=0, IDs 100.. in a row */
	for (int i = 0; i < 4; i++)
		put(udp4(A4, B4, 4000, (uint16_t)(100 + i), 0, (size_t)i * 64, 64), 0);
	put(udp4(A4, B4, 4000, 104, 0, 256, 20), 0);
	ck_assert_uint_eq(O.n, 0);   /* held until the drain ends */
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 1);
	assert_merged(0, 0, 5, 64);
	ck_assert_uint_eq(merged, 5);
	coalesce_flush(&C);          /* nothing pending: nothing written */
	ck_assert_uint_eq(O.n, 1);
}
END_TEST

START_TEST(v6_burst_becomes_one_write)
{
	for (int i = 0; i < 6; i++)
		put(udp6(A6, B6, 4000, (size_t)i * 100, 100), 0);
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 1);
	assert_merged(0, 0, 6, 100);
}
END_TEST

START_TEST(lone_datagram_written_unchanged)
{
	put(udp6(A6, B6, 4000, 0, 100), OFF_F_DATA_VALID);
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 1);
	assert_plain(0, 0, OFF_F_DATA_VALID);
	ck_assert_uint_eq(merged, 0);
}
END_TEST

START_TEST(needs_csum_datagrams_merge)
{
	/* checksum left to the kernel: the field holds the seed */
	for (int i = 0; i < 3; i++) {
		size_t k = udp6(A6, B6, 4000, (size_t)i * 50, 50);
		put16(in[k] + 46, fold(tp_pseudo6(in[k] + 8, in[k] + 24, 17, 58)));
		put(k, OFF_F_NEEDS_CSUM);
		/* what the receiver gets: the real checksum */
		put16(in[k] + 46, 0);
		put16(in[k] + 46, tp_cksum(in[k] + 40, 58, tp_pseudo6(in[k] + 8, in[k] + 24, 17, 58)));
	}
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 1);
	assert_merged(0, 0, 3, 50);
}
END_TEST

START_TEST(bad_checksum_never_merged)
{
	/* RFC 1624 rule of the translator: a bad checksum stays bad, so the
	 * kernel must not compute a fresh one for it */
	put(udp4(A4, B4, 4000, 1, 0, 0, 64), 0);
	size_t bad = udp4(A4, B4, 4000, 2, 0, 64, 64);
	in[bad][27] ^= 0x01;
	put(bad, 0);
	put(udp4(A4, B4, 4000, 3, 0, 128, 64), 0);
	coalesce_flush(&C);
	assert_none_merged();
}
END_TEST

START_TEST(other_flow_or_packet_ends_run_in_order)
{
	uint8_t tcp[40];
	size_t n = tp_tcp(tcp, 80, 5000, 1, 2, 0x10, NULL, 0);

	put(udp4(A4, B4, 4000, 10, 0, 0, 64), 0);
	put(udp4(A4, B4, 4000, 11, 0, 64, 64), 0);
	put(udp4(A4, B4, 4001, 12, 0, 128, 64), 0);   /* other port */
	put(udp4(A4, B4, 4001, 13, 0, 192, 64), 0);
	in[nin] = malloc(60);
	inlen[nin] = tp_ipv4(in[nin], A4, B4, 6, 63, 0, 14, 0, tcp, n);
	tp_fix_l4_4(in[nin]);
	put(nin++, 0);                                 /* not UDP */
	put(udp4(A4, "198.51.100.8", 4001, 15, 0, 0, 64), 0); /* other address */
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 4);
	assert_merged(0, 0, 2, 64);
	assert_merged(1, 2, 2, 64);
	assert_plain(2, 4, 0);
	assert_plain(3, 5, 0);
}
END_TEST

START_TEST(v4_id_must_follow_without_df)
{
	/* DF=0: the kernel numbers segments first ID + i, so a gap would
	 * change the IDs: not merged */
	put(udp4(A4, B4, 4000, 7, 0, 0, 64), 0);
	put(udp4(A4, B4, 4000, 9, 0, 64, 64), 0);
	coalesce_flush(&C);
	assert_none_merged();
}
END_TEST

START_TEST(v4_df_ids_not_compared)
{
	/* DF=1: atomic datagrams, the ID has no meaning (RFC 6864 4.1); the
	 * segments get ID, ID+1, ... */
	put(udp4(A4, B4, 4000, 0, 0x4000, 0, 1300), 0);
	put(udp4(A4, B4, 4000, 0, 0x4000, 1300, 1300), 0);
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 1);
	put16(in[1] + 4, 1);   /* what the receiver sees */
	put16(in[1] + 10, 0);
	put16(in[1] + 10, tp_cksum(in[1], 20, 0));
	assert_merged(0, 0, 2, 1300);
}
END_TEST

START_TEST(ttl_tos_df_must_match)
{
	size_t k;
	put(udp4(A4, B4, 4000, 1, 0, 0, 64), 0);
	k = udp4(A4, B4, 4000, 2, 0, 64, 64);
	in[k][8] = 62;                       /* other TTL */
	put16(in[k] + 10, 0);
	put16(in[k] + 10, tp_cksum(in[k], 20, 0));
	put(k, 0);
	k = udp4(A4, B4, 4000, 3, 0x4000, 128, 64);   /* DF */
	put(k, 0);
	coalesce_flush(&C);
	assert_none_merged();
}
END_TEST

START_TEST(shorter_datagram_closes_run)
{
	put(udp6(A6, B6, 4000, 0, 64), 0);
	put(udp6(A6, B6, 4000, 64, 64), 0);
	put(udp6(A6, B6, 4000, 128, 10), 0);   /* last of the run */
	put(udp6(A6, B6, 4000, 138, 64), 0);   /* can't follow a short one */
	put(udp6(A6, B6, 4000, 202, 100), 0);  /* longer than gso_size */
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 3);
	assert_merged(0, 0, 3, 64);
	assert_plain(1, 3, 0);
	assert_plain(2, 4, 0);
}
END_TEST

START_TEST(at_most_max_segments)
{
	for (int i = 0; i < COALESCE_MAX_SEGS + 6; i++)
		put(udp6(A6, B6, 4000, (size_t)i * 8, 8), 0);
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 2);
	assert_merged(0, 0, COALESCE_MAX_SEGS, 8);
	assert_merged(1, COALESCE_MAX_SEGS, 6, 8);
}
END_TEST

START_TEST(at_most_64k)
{
	/* 28 + 46 * 1400 = 64428 fits an IPv4 total length; 47 would not */
	for (int i = 0; i < 47; i++)
		put(udp4(A4, B4, 4000, (uint16_t)(500 + i), 0x4000, (size_t)i * 1400, 1400), 0);
	coalesce_flush(&C);
	ck_assert_uint_eq(O.n, 2);
	assert_merged(0, 0, 46, 1400);
	assert_plain(1, 46, 0);
}
END_TEST

START_TEST(not_merged_shapes)
{
	size_t k;
	/* zero UDP checksum over IPv4: the kernel would add one */
	k = udp4(A4, B4, 4000, 1, 0, 0, 64);
	put16(in[k] + 26, 0);
	put(k, 0);
	k = udp4(A4, B4, 4000, 2, 0, 0, 64);
	put16(in[k] + 26, 0);
	put(k, 0);
	/* fragments */
	put(udp4(A4, B4, 4000, 3, 0x2000, 0, 64), 0);
	put(udp4(A4, B4, 4000, 3, 0x2000, 64, 64), 0);
	/* empty payload */
	put(udp6(A6, B6, 4000, 0, 0), 0);
	put(udp6(A6, B6, 4000, 0, 0), 0);
	coalesce_flush(&C);
	assert_none_merged();
}
END_TEST

static Suite *coalesce_suite(void)
{
	Suite *s = suite_create("coalesce");
	TCase *t = tcase_create("udp");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, v4_burst_becomes_one_write);
	tcase_add_test(t, v6_burst_becomes_one_write);
	tcase_add_test(t, lone_datagram_written_unchanged);
	tcase_add_test(t, needs_csum_datagrams_merge);
	tcase_add_test(t, bad_checksum_never_merged);
	tcase_add_test(t, other_flow_or_packet_ends_run_in_order);
	tcase_add_test(t, v4_id_must_follow_without_df);
	tcase_add_test(t, v4_df_ids_not_compared);
	tcase_add_test(t, ttl_tos_df_must_match);
	tcase_add_test(t, shorter_datagram_closes_run);
	tcase_add_test(t, at_most_max_segments);
	tcase_add_test(t, at_most_64k);
	tcase_add_test(t, not_merged_shapes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(coalesce_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
