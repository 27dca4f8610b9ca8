/* testpkt.h - independent packet builders and a translator harness for the
 * unit tests. The checksum here is a plain RFC 1071 byte loop, deliberately
 * not src/lib/csum.c, so expected packets don't share code with the code under
 * test. Append-only: several test files use it. */
#ifndef TAYGA_TESTPKT_H
#define TAYGA_TESTPKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf.h"
#include "core/xlat.h"

#define TP_MAX_OUT 16

/* RFC 1071 over bytes, returns the complemented 16-bit value in host order */
uint16_t tp_cksum(const uint8_t *data, size_t len, uint32_t init);
/* pseudo-header sums (host order, unfolded) */
uint32_t tp_pseudo4(const uint8_t *src4, const uint8_t *dst4, uint8_t proto, uint32_t len);
uint32_t tp_pseudo6(const uint8_t *src16, const uint8_t *dst16, uint8_t nh, uint32_t len);

/* Parse "192.0.2.1" / "2001:db8::1" into bytes (aborts on error). */
void tp_a4(const char *s, uint8_t out[4]);
void tp_a6(const char *s, uint8_t out[16]);
/* The same as struct in_addr / in6_addr values. */
struct in_addr tp_in4(const char *s);
struct in6_addr tp_in6(const char *s);

/* Build an IPv4 header (20 bytes, no options) + payload at b; returns total
 * length. frag is the 16-bit flags+offset field in host order (0x4000 = DF).
 * The header checksum is computed. */
size_t tp_ipv4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
	       uint8_t ttl, uint8_t tos, uint16_t id, uint16_t frag,
	       const uint8_t *payload, size_t plen);
/* Build an IPv6 header + payload; returns total length. */
size_t tp_ipv6(uint8_t *b, const char *src, const char *dst, uint8_t nh,
	       uint8_t hlim, uint8_t tclass, uint32_t flow,
	       const uint8_t *payload, size_t plen);

/* Fill the L4 checksum (TCP 6, UDP 17, ICMP 1, ICMPv6 58) of a complete
 * IPv4 / IPv6 packet with no extension headers. */
void tp_fix_l4_4(uint8_t *pkt);
void tp_fix_l4_6(uint8_t *pkt);

/* Payload builders: return length written */
size_t tp_udp(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *data, size_t dlen);
size_t tp_tcp(uint8_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	      uint8_t flags, const uint8_t *data, size_t dlen);
size_t tp_icmp(uint8_t *b, uint8_t type, uint8_t code, uint32_t rest,
	       const uint8_t *data, size_t dlen);

struct meter;

/* A translator environment built from config text. */
struct tp_env {
	struct config *conf;
	struct map *map;
	struct pool *pool;
	struct xlat_cfg xcfg;
	struct xlat_ctx ctx;
	struct xlat_counters stats;
	struct meter *meter;          /* NULL, or attached to ctx: tp_run goes through it */
	struct xlat_result last;      /* what the last tp_run returned */
	struct ratelimit rl;
	uint8_t *scratch;
	uint8_t *inbuf;               /* PKT_BUF_SIZE */
	size_t nout;
	uint8_t *out[TP_MAX_OUT];     /* copies of emitted packets */
	size_t outlen[TP_MAX_OUT];
	struct offload outoff[TP_MAX_OUT];
};

/* conf_text is a full tayga.conf; aborts with the parser error on failure.
 * mtu is the tun MTU (1500 typical). */
void tp_env_init(struct tp_env *e, const char *conf_text, unsigned mtu);
void tp_env_free(struct tp_env *e);
/* Copy pkt into e->inbuf with PKT_HEADROOM, run xlat_packet (through
 * meter_packet when e->meter is set), return the verdict (e->last has its
 * reason). Emitted packets are in e->out[0..nout). */
enum xlat_verdict tp_run(struct tp_env *e, const uint8_t *pkt, size_t len);
/* Same, with offload metadata. */
enum xlat_verdict tp_run_off(struct tp_env *e, const uint8_t *pkt, size_t len,
			     const struct offload *off);
/* Print a hex diff of two buffers to stderr (for failing assertions). */
void tp_hexdiff(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen);
/* ck_assert helper: asserts e->out[i] equals want, with a hex diff on failure */
#define TP_ASSERT_OUT(e, i, want, wlen) do { \
		ck_assert_uint_gt((e)->nout, (i)); \
		if ((e)->outlen[i] != (wlen) || memcmp((e)->out[i], (want), (wlen)) != 0) { \
			tp_hexdiff((e)->out[i], (e)->outlen[i], (want), (wlen)); \
			ck_abort_msg("emitted packet %d differs from expected", (int)(i)); \
		} \
	} while (0)

#endif
