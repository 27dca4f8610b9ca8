/* vec.h - what the RFC test vectors (tests/rfc/test_*.c) share: one
 * translator environment E (tests/lib/testpkt.h) with scratch buffers, the
 * ways a vector checks a verdict, and the expected packets every direction
 * builds the same way (a UDP datagram, an ICMP error from the translator's
 * own address). Expected packets come from the RFC rules, never from src/. */
#ifndef TAYGA_TEST_RFC_VEC_H
#define TAYGA_TEST_RFC_VEC_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counters.h"
#include "lib/testpkt.h"

/* the translator's own addresses in every vector configuration */
#define OWN4 "192.0.2.1"
#define OWN6 "2001:db8:ffff::1"

/* The configurations the vectors start from. IPv4 -> IPv6: prefix
 * 2001:db8:64::/96 alone. IPv6 -> IPv4: the same prefix, H 2001:db8:1::5
 * mapped to 192.0.2.5 (and ::6 to .6), 198.51.100.0/24 <-> 2001:db8:aaaa::/120,
 * 198.51.100.1 <-> 2001:db8:bbbb::1 (RFC 7757). C40: prefix
 * 2001:db8:100::/40 (the RFC 6052 2.4 table), where 192.0.2.33 is A6 and
 * 198.51.100.2 is B6. */
extern const char CONF46[], CONF64[];
#define C40 "tun-device nat64\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8:ffff::1\n" \
	    "prefix 2001:db8:100::/40\n"
#define A6 "2001:db8:1c0:2:21::"
#define A4 "192.0.2.33"
#define B6 "2001:db8:1c6:3364:2::"
#define B4 "198.51.100.2"

#define VEC_BUF 70000
extern struct tp_env E;
/* in: the packet offered; want: the expected one; l4: scratch for the
 * builders; data: payload bytes i * 7 + 3 */
extern uint8_t in[VEC_BUF], want[VEC_BUF], l4[VEC_BUF], data[VEC_BUF];
/* every message logged since env() (one per line) and the last event class */
extern char logged[4096];
extern unsigned logged_ev;

/* q: a quoted packet; ext_data: RFC 4884 extension bytes 0xa0 ^ i */
extern uint8_t q[4000], ext_data[1000];

/* fixtures: the environment from conf (tun MTU 1500) and data[] filled */
void vec_setup(const char *conf);
void setup46(void);     /* CONF46 */
void setup64(void);     /* CONF64 */
void setup_c40(void);   /* C40, and ext_data[] filled */
void vec_teardown(void);
/* replace the environment (no log capture) ... */
void reinit(const char *conf, unsigned mtu);
/* ... or replace it and capture what it logs into logged[] */
void env(const char *conf);
void capture_log(void *arg, unsigned ev, const char *msg);

/* exactly one packet emitted, equal to w */
void expect_one(const uint8_t *pkt, size_t len, const uint8_t *w, size_t wl);
/* dropped under reason r (the verdict carries it), nothing emitted */
void expect_drop(const uint8_t *pkt, size_t len, enum drop_reason r);
/* dropped under r and answered with exactly the one packet w */
void expect_reject(const uint8_t *pkt, size_t len, enum drop_reason r, const uint8_t *w,
		   size_t wl);
/* dropped under r, nothing emitted (the verdict's reason not checked) */
void silent(const uint8_t *pkt, size_t len, enum drop_reason r);
/* output i equals w */
void expect_out(size_t i, const uint8_t *w, size_t wl);

/* UDP 40000 -> 53 carrying dlen bytes of data[], valid checksums */
size_t udp4(uint8_t *b, const char *src, const char *dst, uint8_t ttl, uint8_t tos, uint16_t id,
	    uint16_t frag, size_t dlen);
size_t udp6(uint8_t *b, const char *src, const char *dst, uint8_t hlim, uint8_t tc, size_t dlen);
/* Fill the checksum of the L4 message at p (n bytes, protocol proto) for
 * the IPv6 pseudo-header s -> d (RFC 8200 8.1; ICMPv6 too, RFC 4443 2.3)
 * or the IPv4 one (RFC 768/793; ICMPv4 has none). */
void ck6(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d);
void ck4(uint8_t *p, size_t n, uint8_t proto, const char *s, const char *d);
/* the UDP datagram alone (40000 -> 53, dlen bytes of data[]) at p,
 * checksummed for s -> d */
size_t udp_6(uint8_t *p, const char *s, const char *d, size_t dlen);
size_t udp_4(uint8_t *p, const char *s, const char *d, size_t dlen);
/* an ICMPv4 error from ipv4-addr: RFC 1812 4.3.2.3 quote up to 576 bytes,
 * TOS 0xc0 (4.3.2.5), TTL 64, DF clear, ID = errors sent so far */
size_t want_icmp4(uint8_t *b, const char *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *orig, size_t olen, uint16_t id);
/* an ICMPv6 error from ipv6-addr: RFC 4443 2.4(c) quote up to 1280 bytes,
 * hop limit 64, traffic class 0 */
size_t want_icmp6(uint8_t *b, const char *dst, uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *orig, size_t olen);

/* RFC 7915 5.1 / RFC 6864: the IPv4 ID of the k-th (from 0) translated
 * packet that needs one (DF=0, no Fragment header) in a fresh environment:
 * the translator counts from its seed (0 in tests) and skips 0. */
#define NID(k) ((uint16_t)((k) + 1))

/* run the suite; the exit status of a test program */
int vec_run(Suite *s);

#define RUN_OK(buf, len) ck_assert_int_eq(tp_run(&E, (buf), (len)), XLAT_OK)
#define RUN_DROP(buf, len) ck_assert_int_eq(tp_run(&E, (buf), (len)), XLAT_DROP)

#endif
