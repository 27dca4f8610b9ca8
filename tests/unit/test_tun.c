/* test_tun.c - tun_write_plain (tun_common.c): what leaves a tun without
 * offload. A packet carrying a partial checksum (NEEDS_CSUM: the field holds
 * the pseudo-header sum, RFC 1071 arithmetic) must go out with the complete
 * checksum, byte for byte the packet built with the full checksum here; a
 * GSO super-packet must go out as segments with complete checksums; bad
 * metadata writes nothing. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/testpkt.h"
#include "io/tun.h"

#define MAXW 8

static uint8_t *wr[MAXW];
static size_t wrlen[MAXW];
static struct offload wroff[MAXW];
static size_t nwr;
static int fail_writes;

static int fake_write(const struct tun *t, const struct pkt *p)
{
	(void)t;
	if (fail_writes) {
		errno = EIO;
		return -1;
	}
	ck_assert_uint_lt(nwr, MAXW);
	wr[nwr] = malloc(p->len);
	memcpy(wr[nwr], p->data, p->len);
	wrlen[nwr] = p->len;
	wroff[nwr++] = p->off;
	return 0;
}

static uint8_t buf[PKT_BUF_SIZE], want[2048];
static struct tun T;
static uint8_t *segbuf;

static void setup(void)
{
	nwr = 0;
	fail_writes = 0;
	segbuf = NULL;
	memset(&T, 0, sizeof(T));
}

static void teardown(void)
{
	for (size_t i = 0; i < nwr; i++)
		free(wr[i]);
	free(segbuf);
}

/* p: the packet want[0..len) with its L4 checksum replaced by the folded
 * pseudo-header sum over the L4 length and NEEDS_CSUM set */
static struct pkt partial(size_t len, size_t l4, size_t csum_off, uint32_t pseudo)
{
	struct pkt p = { buf + PKT_HEADROOM, len, PKT_HEADROOM, 0, { 0 } };
	uint16_t seed = (uint16_t)~tp_cksum(NULL, 0, pseudo);

	memcpy(p.data, want, len);
	put16(p.data + l4 + csum_off, seed);
	p.off.flags = OFF_F_NEEDS_CSUM;
	p.off.csum_start = (uint16_t)l4;
	p.off.csum_offset = (uint16_t)csum_off;
	return p;
}

START_TEST(v4_udp_partial_checksum_completed)
{
	uint8_t l4[600], a[4], b[4], pay[500];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7 + 3);
	size_t n = tp_udp(l4, 4000, 53, pay, sizeof(pay));
	size_t len = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 17, 64, 0, 1, 0, l4, n);
	tp_fix_l4_4(want);
	tp_a4("192.0.2.1", a);
	tp_a4("198.51.100.7", b);
	struct pkt p = partial(len, 20, 6, tp_pseudo4(a, b, 17, (uint32_t)n));

	ck_assert_uint_ne(get16(p.data + 26), get16(want + 26));
	ck_assert_int_eq(tun_write_plain(&T, &p, &segbuf, fake_write), 0);
	ck_assert_uint_eq(nwr, 1);
	ck_assert_uint_eq(wrlen[0], len);
	ck_assert_mem_eq(wr[0], want, len);
	ck_assert_uint_eq(wroff[0].flags, 0);
}
END_TEST

START_TEST(v6_tcp_partial_checksum_completed)
{
	uint8_t l4[600], a[16], b[16], pay[333];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i ^ 0x5a);
	size_t n = tp_tcp(l4, 40000, 443, 1000, 2000, 0x18, pay, sizeof(pay));
	size_t len = tp_ipv6(want, "2001:db8::1", "64:ff9b::c633:6407", 6, 64, 0, 0, l4, n);
	tp_fix_l4_6(want);
	tp_a6("2001:db8::1", a);
	tp_a6("64:ff9b::c633:6407", b);
	struct pkt p = partial(len, 40, 16, tp_pseudo6(a, b, 6, (uint32_t)n));

	ck_assert_int_eq(tun_write_plain(&T, &p, &segbuf, fake_write), 0);
	ck_assert_uint_eq(nwr, 1);
	ck_assert_mem_eq(wr[0], want, len);
}
END_TEST

START_TEST(gso_written_as_checked_segments)
{
	uint8_t l4[3000], a[4], b[4], pay[2000];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 13);
	size_t n = tp_tcp(l4, 40000, 80, 1, 1, 0x10, pay, sizeof(pay));
	size_t len = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 6, 64, 0, 9, 0x4000, l4, n);
	tp_a4("192.0.2.1", a);
	tp_a4("198.51.100.7", b);
	struct pkt p = partial(len, 20, 16, tp_pseudo4(a, b, 6, (uint32_t)n));
	p.off.gso_type = OFF_GSO_TCPV4;
	p.off.gso_size = 1000;
	p.off.hdr_len = 40;

	ck_assert_int_eq(tun_write_plain(&T, &p, &segbuf, fake_write), 0);
	ck_assert_uint_eq(nwr, 2);
	for (size_t i = 0; i < nwr; i++) {
		ck_assert_uint_eq(wrlen[i], 1040);
		ck_assert_uint_eq(get16(wr[i] + 2), 1040);
		ck_assert_uint_eq(wroff[i].gso_type, OFF_GSO_NONE);
		/* a complete checksum sums to 0xffff with the pseudo-header */
		ck_assert_uint_eq(tp_cksum(wr[i] + 20, 1020, tp_pseudo4(a, b, 6, 1020)), 0);
		ck_assert_mem_eq(wr[i] + 40, pay + i * 1000, 1000);
	}
}
END_TEST

START_TEST(bad_metadata_writes_nothing)
{
	uint8_t l4[64], a[4], b[4];
	size_t n = tp_udp(l4, 1, 2, (const uint8_t *)"x", 1);
	size_t len = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 17, 64, 0, 1, 0, l4, n);
	tp_a4("192.0.2.1", a);
	tp_a4("198.51.100.7", b);
	struct pkt p = partial(len, 20, 6, tp_pseudo4(a, b, 17, (uint32_t)n));
	p.off.csum_start = (uint16_t)(len + 10);

	ck_assert_int_eq(tun_write_plain(&T, &p, &segbuf, fake_write), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(nwr, 0);
}
END_TEST

START_TEST(write_error_reported)
{
	uint8_t l4[64];
	size_t n = tp_udp(l4, 1, 2, (const uint8_t *)"x", 1);
	size_t len = tp_ipv4(want, "192.0.2.1", "198.51.100.7", 17, 64, 0, 1, 0, l4, n);
	struct pkt p = { buf + PKT_HEADROOM, len, PKT_HEADROOM, 0, { 0 } };

	memcpy(p.data, want, len);
	fail_writes = 1;
	ck_assert_int_eq(tun_write_plain(&T, &p, &segbuf, fake_write), -1);
	ck_assert_int_eq(errno, EIO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tun");
	TCase *tc = tcase_create("write_plain");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v4_udp_partial_checksum_completed);
	tcase_add_test(tc, v6_tcp_partial_checksum_completed);
	tcase_add_test(tc, gso_written_as_checked_segments);
	tcase_add_test(tc, bad_metadata_writes_nothing);
	tcase_add_test(tc, write_error_reported);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
