/* testpkt.c - see testpkt.h */
#include "lib/bytes.h"
#include "lib/testpkt.h"
#include "account/meter.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint16_t tp_cksum(const uint8_t *data, size_t len, uint32_t init)
{
	uint64_t s = init;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(data[i] << 8 | data[i + 1]);
	if (len & 1)
		s += (uint32_t)data[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t sum_bytes(const uint8_t *d, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(d[i] << 8 | d[i + 1]);
	return s;
}

uint32_t tp_pseudo4(const uint8_t *src4, const uint8_t *dst4, uint8_t proto, uint32_t len)
{
	return sum_bytes(src4, 4) + sum_bytes(dst4, 4) + proto + len;
}

uint32_t tp_pseudo6(const uint8_t *src16, const uint8_t *dst16, uint8_t nh, uint32_t len)
{
	return sum_bytes(src16, 16) + sum_bytes(dst16, 16) + (len >> 16) + (len & 0xffff) + nh;
}

void tp_a4(const char *s, uint8_t out[4])
{
	if (inet_pton(AF_INET, s, out) != 1) {
		fprintf(stderr, "bad IPv4 literal %s\n", s);
		abort();
	}
}

void tp_a6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1) {
		fprintf(stderr, "bad IPv6 literal %s\n", s);
		abort();
	}
}

struct in_addr tp_in4(const char *s)
{
	struct in_addr a;

	tp_a4(s, (uint8_t *)&a);
	return a;
}

struct in6_addr tp_in6(const char *s)
{
	struct in6_addr a;

	tp_a6(s, a.s6_addr);
	return a;
}


size_t tp_ipv4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
	       uint8_t ttl, uint8_t tos, uint16_t id, uint16_t frag,
	       const uint8_t *payload, size_t plen)
{
	b[0] = 0x45;
	b[1] = tos;
	put16(b + 2, (uint16_t)(20 + plen));
	put16(b + 4, id);
	put16(b + 6, frag);
	b[8] = ttl;
	b[9] = proto;
	put16(b + 10, 0);
	tp_a4(src, b + 12);
	tp_a4(dst, b + 16);
	put16(b + 10, tp_cksum(b, 20, 0));
	if (plen)
		memmove(b + 20, payload, plen);
	return 20 + plen;
}

size_t tp_ipv6(uint8_t *b, const char *src, const char *dst, uint8_t nh,
	       uint8_t hlim, uint8_t tclass, uint32_t flow,
	       const uint8_t *payload, size_t plen)
{
	put32(b, 0x60000000u | (uint32_t)tclass << 20 | (flow & 0xfffff));
	put16(b + 4, (uint16_t)plen);
	b[6] = nh;
	b[7] = hlim;
	tp_a6(src, b + 8);
	tp_a6(dst, b + 24);
	if (plen)
		memmove(b + 40, payload, plen);
	return 40 + plen;
}

static size_t cksum_off(uint8_t proto)
{
	switch (proto) {
	case 6: return 16;
	case 17: return 6;
	default: return 2; /* ICMP, ICMPv6 */
	}
}

void tp_fix_l4_4(uint8_t *pkt)
{
	size_t ihl = (size_t)(pkt[0] & 0xf) * 4;
	size_t tot = (size_t)(pkt[2] << 8 | pkt[3]);
	uint8_t proto = pkt[9];
	uint8_t *l4 = pkt + ihl;
	size_t l4len = tot - ihl;
	size_t off = cksum_off(proto);
	put16(l4 + off, 0);
	uint32_t ph = proto == 1 ? 0 : tp_pseudo4(pkt + 12, pkt + 16, proto, (uint32_t)l4len);
	uint16_t c = tp_cksum(l4, l4len, ph);
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(l4 + off, c);
}

void tp_fix_l4_6(uint8_t *pkt)
{
	size_t plen = (size_t)(pkt[4] << 8 | pkt[5]);
	uint8_t nh = pkt[6];
	uint8_t *l4 = pkt + 40;
	size_t off = cksum_off(nh);
	put16(l4 + off, 0);
	uint16_t c = tp_cksum(l4, plen, tp_pseudo6(pkt + 8, pkt + 24, nh, (uint32_t)plen));
	if (nh == 17 && c == 0)
		c = 0xffff;
	put16(l4 + off, c);
}

size_t tp_udp(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *data, size_t dlen)
{
	put16(b, sport);
	put16(b + 2, dport);
	put16(b + 4, (uint16_t)(8 + dlen));
	put16(b + 6, 0);
	if (dlen)
		memmove(b + 8, data, dlen);
	return 8 + dlen;
}

size_t tp_tcp(uint8_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	      uint8_t flags, const uint8_t *data, size_t dlen)
{
	put16(b, sport);
	put16(b + 2, dport);
	put32(b + 4, seq);
	put32(b + 8, ack);
	b[12] = 5 << 4;
	b[13] = flags;
	put16(b + 14, 65535);
	put16(b + 16, 0);
	put16(b + 18, 0);
	if (dlen)
		memmove(b + 20, data, dlen);
	return 20 + dlen;
}

size_t tp_icmp(uint8_t *b, uint8_t type, uint8_t code, uint32_t rest,
	       const uint8_t *data, size_t dlen)
{
	b[0] = type;
	b[1] = code;
	put16(b + 2, 0);
	put32(b + 4, rest);
	if (dlen)
		memmove(b + 8, data, dlen);
	return 8 + dlen;
}

static struct xlat_result tp_emit(void *arg, const struct pkt *p)
{
	struct tp_env *e = arg;
	if (e->nout >= TP_MAX_OUT) {
		fprintf(stderr, "testpkt: too many emitted packets\n");
		abort();
	}
	e->out[e->nout] = malloc(p->len ? p->len : 1);
	memcpy(e->out[e->nout], p->data, p->len);
	e->outlen[e->nout] = p->len;
	e->outoff[e->nout] = p->off;
	e->nout++;
	return XLAT_TAKEN;
}

void tp_env_init(struct tp_env *e, const char *conf_text, unsigned mtu)
{
	char err[512];
	memset(e, 0, sizeof(*e));
	e->conf = conf_parse_string(conf_text, "test.conf", err, sizeof(err));
	if (!e->conf) {
		fprintf(stderr, "tp_env_init: %s\n", err);
		abort();
	}
	e->map = map_build(e->conf);
	if (!e->map)
		abort();
	e->pool = pool_new(e->conf);
	e->scratch = malloc(PKT_BUF_SIZE);
	e->inbuf = malloc(PKT_BUF_SIZE);
	ratelimit_init(&e->rl, 0, 0, 0); /* unlimited unless a test sets it */
	e->xcfg.conf = e->conf;
	e->xcfg.map = e->map;
	e->xcfg.mtu = mtu;
	e->ctx.cfg = &e->xcfg;
	e->ctx.pool = e->pool;
	e->ctx.stats = &e->stats;
	e->ctx.icmp_rl = &e->rl;
	e->ctx.now = 1000000;
	e->ctx.now_ms = 1000;
	e->ctx.emit = tp_emit;
	e->ctx.emit_arg = e;
	e->ctx.scratch = e->scratch;
}

static void clear_out(struct tp_env *e)
{
	for (size_t i = 0; i < e->nout; i++)
		free(e->out[i]);
	e->nout = 0;
}

void tp_env_free(struct tp_env *e)
{
	clear_out(e);
	pool_free(e->pool);
	map_free(e->map);
	conf_free(e->conf);
	free(e->scratch);
	free(e->inbuf);
}

enum xlat_verdict tp_run_off(struct tp_env *e, const uint8_t *pkt, size_t len,
			     const struct offload *off)
{
	struct pkt p;
	clear_out(e);
	if (len > PKT_MAX_LEN)
		abort();
	memcpy(e->inbuf + PKT_HEADROOM, pkt, len);
	p.data = e->inbuf + PKT_HEADROOM;
	p.len = len;
	p.headroom = PKT_HEADROOM;
	p.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - len;
	if (off)
		p.off = *off;
	else
		memset(&p.off, 0, sizeof(p.off));
	e->last = meter_packet(e->meter, &e->ctx, &p);
	return e->last.verdict;
}

enum xlat_verdict tp_run(struct tp_env *e, const uint8_t *pkt, size_t len)
{
	return tp_run_off(e, pkt, len, NULL);
}

void tp_hexdiff(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen)
{
	size_t n = glen > wlen ? glen : wlen;
	fprintf(stderr, "got %zu bytes, want %zu bytes\n", glen, wlen);
	for (size_t i = 0; i < n; i += 16) {
		fprintf(stderr, "%04zx ", i);
		for (size_t j = i; j < i + 16 && j < n; j++) {
			int d = j >= glen || j >= wlen || got[j] != want[j];
			if (j < glen && d)
				fprintf(stderr, "[%02x]", got[j]);
			else if (j < glen)
				fprintf(stderr, " %02x ", got[j]);
			else
				fprintf(stderr, "[--]");
		}
		fprintf(stderr, "\n     ");
		for (size_t j = i; j < i + 16 && j < n; j++)
			if (j < wlen)
				fprintf(stderr, " %02x ", want[j]);
			else
				fprintf(stderr, " -- ");
		fprintf(stderr, "\n");
	}
}
