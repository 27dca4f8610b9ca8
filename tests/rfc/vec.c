/* vec.c - the helpers the RFC test vectors share (vec.h). */
#include "rfc/vec.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"

struct tp_env E;
uint8_t in[VEC_BUF], want[VEC_BUF], l4[VEC_BUF], data[VEC_BUF];
char logged[4096];
unsigned logged_ev;
uint8_t q[4000], ext_data[1000];
static uint8_t scratch[VEC_BUF];   /* the expected errors' ICMP part */

const char CONF46[] =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 2001:db8:64::/96\n";

const char CONF64[] =
	"tun-device nat64\n"
	"ipv4-addr 192.0.2.1\n"
	"ipv6-addr 2001:db8:ffff::1\n"
	"prefix 2001:db8:64::/96\n"
	"map 192.0.2.5 2001:db8:1::5\n"
	"map 192.0.2.6 2001:db8:1::6\n"
	"map 198.51.100.0/24 2001:db8:aaaa::/120\n"
	"map 198.51.100.1 2001:db8:bbbb::1\n";

void vec_setup(const char *conf)
{
	tp_env_init(&E, conf, 1500);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
}

void setup46(void)
{
	vec_setup(CONF46);
}

void setup64(void)
{
	vec_setup(CONF64);
}

void setup_c40(void)
{
	vec_setup(C40);
	for (size_t i = 0; i < sizeof(ext_data); i++)
		ext_data[i] = (uint8_t)(0xa0 ^ i);
}

void vec_teardown(void)
{
	tp_env_free(&E);
}

void reinit(const char *conf, unsigned mtu)
{
	tp_env_free(&E);
	tp_env_init(&E, conf, mtu);
}

void capture_log(void *arg, unsigned ev, const char *msg)
{
	size_t n = strlen(logged);
	(void)arg;
	logged_ev = ev;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

void env(const char *conf)
{
	reinit(conf, 1500);
	E.ctx.log = capture_log;
	logged[0] = 0;
}

void expect_one(const uint8_t *pkt, size_t len, const uint8_t *w, size_t wl)
{
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_OK);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, w, wl);
}

void expect_drop(const uint8_t *pkt, size_t len, enum drop_reason r)
{
	uint64_t before = E.stats.drops[r];
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_int_eq(E.last.why, r);   /* the verdict carries the reason */
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[r], before + 1);
}

void expect_reject(const uint8_t *pkt, size_t len, enum drop_reason r, const uint8_t *w,
		   size_t wl)
{
	uint64_t before = E.stats.drops[r];
	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_int_eq(E.last.why, r);
	ck_assert_uint_eq(E.stats.drops[r], before + 1);
	ck_assert_uint_eq(E.nout, 1);
	TP_ASSERT_OUT(&E, 0, w, wl);
}

void silent(const uint8_t *pkt, size_t len, enum drop_reason r)
{
	uint64_t before = E.stats.drops[r];

	ck_assert_int_eq(tp_run(&E, pkt, len), XLAT_DROP);
	ck_assert_uint_eq(E.nout, 0);
	ck_assert_uint_eq(E.stats.drops[r], before + 1);
}

void expect_out(size_t i, const uint8_t *w, size_t wl)
{
	TP_ASSERT_OUT(&E, i, w, wl);
}

size_t udp4(uint8_t *b, const char *src, const char *dst, uint8_t ttl, uint8_t tos, uint16_t id,
	    uint16_t frag, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv4(b, src, dst, 17, ttl, tos, id, frag, l4, n);
	tp_fix_l4_4(b);
	return len;
}

size_t udp6(uint8_t *b, const char *src, const char *dst, uint8_t hlim, uint8_t tc, size_t dlen)
{
	size_t n = tp_udp(l4, 40000, 53, data, dlen);
	size_t len = tp_ipv6(b, src, dst, 17, hlim, tc, 0, l4, n);
	tp_fix_l4_6(b);
	return len;
}

static size_t ck_off(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 2;
}

void ck6(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d)
{
	uint8_t a[16], b[16];
	tp_a6(s, a);
	tp_a6(d, b);
	put16(p + ck_off(proto), 0);
	uint16_t c = tp_cksum(p, n, tp_pseudo6(a, b, proto, (uint32_t)n));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(p + ck_off(proto), c);
}

void ck4(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d)
{
	uint8_t a[4], b[4];
	tp_a4(s, a);
	tp_a4(d, b);
	put16(p + ck_off(proto), 0);
	uint16_t c = tp_cksum(p, n, proto == 1 ? 0 : tp_pseudo4(a, b, proto, (uint32_t)n));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(p + ck_off(proto), c);
}

size_t udp_6(uint8_t *p, const char *s, const char *d, size_t dlen)
{
	size_t n = tp_udp(p, 40000, 53, data, dlen);
	ck6(p, n, 17, s, d);
	return n;
}

size_t udp_4(uint8_t *p, const char *s, const char *d, size_t dlen)
{
	size_t n = tp_udp(p, 40000, 53, data, dlen);
	ck4(p, n, 17, s, d);
	return n;
}

size_t want_icmp4(uint8_t *b, const char *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *orig, size_t olen, uint16_t id)
{
	size_t qn = olen > 548 ? 548 : olen;
	size_t n = tp_icmp(scratch, type, code, rest, orig, qn);
	size_t len = tp_ipv4(b, OWN4, dst, 1, 64, 0xc0, id, 0, scratch, n);
	tp_fix_l4_4(b);
	return len;
}

size_t want_icmp6(uint8_t *b, const char *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *orig, size_t olen)
{
	size_t qn = olen > 1232 ? 1232 : olen;
	size_t n = tp_icmp(scratch, type, code, rest, orig, qn);
	size_t len = tp_ipv6(b, OWN6, dst, 58, 64, 0, 0, scratch, n);
	tp_fix_l4_6(b);
	return len;
}

int vec_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
