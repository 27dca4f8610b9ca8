/* fuzz_xlat.c - libFuzzer harness for the translator, both directions.
 *
 * Byte 0 picks a configuration variant (prefix length, WKP, EAM, pool,
 * dynamic-limit, udp-cksum-mode, MTU); byte 1 selects offload metadata
 * and clock steps; the rest is the packet. Two variants have usage-stats and
 * rate limits (meter.c wraps the translator and its output; a 16-entry table overflows). Built twice: FUZZ_DIR 4 forces
 * an IPv4 version nibble, 6 an IPv6 one, so each harness spends its time on
 * one direction. Every emitted packet is checked for basic invariants.
 * Emitted packets go through the UDP write coalescer as in the daemon (its
 * run is kept across inputs and flushed when byte 1 has bit 0x40), and
 * every super-packet it writes is split again with the software segmenter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/coalesce.h"
#include "config/conf.h"
#include "lib/gso.h"
#include "state/map.h"
#include "account/meter.h"
#include "state/pool.h"
#include "core/xlat.h"

#ifndef FUZZ_DIR
#define FUZZ_DIR 0
#endif

static const char *const variants[] = {
	"tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\ndynamic-pool 192.0.2.128/25\n"
	"map 192.0.2.10 2001:db8:1::10\nmap 198.51.100.0/24 2001:db8:100::/120\n"
	"map 198.51.100.16/28 2001:db8:200::/124\n"
	"usage-stats yes\nusage-prefix-len 64 28\nprefix-table-size 16\nrate-limit 56 20k 3k\n",
	"tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\nwkpf-strict no\n"
	"dynamic-pool 192.168.255.0/24\nudp-cksum-mode calc\noffload on\n",
	"tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b::/96\nipv6-addr 2001:db8::1\n"
	"dynamic-pool 192.168.0.0/30\ndynamic-limit 64 1\nudp-cksum-mode fwd\n",
	"tun-device t\nipv4-addr 10.0.0.1\nprefix 2001:db8::/32\ndynamic-pool 10.1.0.0/16\nofflink-mtu 1400\n"
	"usage-stats yes\nrate-limit-total 100k 64k\n",
	"tun-device t\nipv4-addr 10.0.0.1\nprefix 2001:db8:100::/40\nmap 10.9.0.0/16 2001:db8:9::/112\n"
	"udp-cksum-mode reject\n",
	"tun-device t\nipv4-addr 10.0.0.1\nprefix 2001:db8:122::/48\nicmp-ratelimit 5 2\n",
	"tun-device t\nipv4-addr 10.0.0.1\nprefix 2001:db8:122:300::/56\n",
	"tun-device t\nipv4-addr 10.0.0.1\nprefix 2001:db8:122:344::/64\ndynamic-pool 10.2.0.0/24\n",
	"tun-device t\nipv4-addr 192.168.255.1\nprefix 64:ff9b:1::/48\ndynamic-pool 192.168.255.0/28\n",
};
#define NVAR (sizeof(variants) / sizeof(variants[0]))
static const unsigned mtus[4] = { 1500, 1280, 9000, 65535 };

struct env {
	struct config *conf;
	struct map *map;
	struct pool *pool;
	struct xlat_cfg cfg;
	bool offload;                /* feed offload metadata (offload on) */
	struct xlat_counters stats;
	struct ratelimit rl;
	struct meter *meter;
	uint8_t *scratch;
};

static struct env envs[NVAR][4];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint16_t v4_hdr_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void check_emit(void *arg, const struct pkt *p)
{
	(void)arg;
	if (p->len < 20 || p->len > PKT_MAX_LEN)
		abort();
	/* touch every byte so ASan sees any out-of-bounds packet */
	volatile uint8_t x = 0;
	for (size_t i = 0; i < p->len; i++)
		x ^= p->data[i];
	(void)x;
	if (p->data[0] >> 4 == 4) {
		size_t ihl = (size_t)(p->data[0] & 15) * 4;
		if (ihl < 20 || ihl > p->len || rd16(p->data + 2) != p->len)
			abort();
		if (v4_hdr_sum(p->data, ihl) != 0xffff)
			abort();
	} else if (p->data[0] >> 4 == 6) {
		if (p->len < 40 || (size_t)rd16(p->data + 4) + 40 != p->len)
			abort();
	} else {
		abort();
	}
}

static uint8_t *cobuf;   /* the coalescer's run buffer */

static void check_coalesced(void *arg, const struct pkt *p)
{
	static uint8_t *segbuf;
	check_emit(arg, p);
	/* only the coalescer's own super-packets (translated GSO input passes
	 * through with whatever the fuzzer gave it) */
	if (p->off.gso_type != OFF_GSO_UDP_L4 || p->data != cobuf + PKT_HEADROOM)
		return;
	if (!segbuf && !(segbuf = malloc(PKT_BUF_SIZE)))
		abort();
	/* a merged run always splits into two or more datagrams */
	if (gso_segment(p, segbuf, check_emit, NULL) < 2)
		abort();
}

static struct coalesce *coalescer(void)
{
	static struct coalesce c;
	if (!cobuf) {
		if (!(cobuf = malloc(PKT_BUF_SIZE)))
			abort();
		coalesce_init(&c, cobuf, NULL, check_coalesced, NULL);
	}
	return &c;
}

static struct xlat_result emit_coalesced(void *arg, const struct pkt *p)
{
	(void)arg;
	coalesce_put(coalescer(), p);
	return XLAT_TAKEN;
}

static struct env *get_env(unsigned v, unsigned m)
{
	struct env *e = &envs[v][m];
	char err[512];
	if (e->conf)
		return e;
	e->conf = conf_parse_string(variants[v], "fuzz.conf", err, sizeof(err));
	if (!e->conf) {
		fprintf(stderr, "fuzz variant %u: %s\n", v, err);
		abort();
	}
	e->map = map_build(e->conf);
	e->pool = pool_new(e->conf);
	e->scratch = malloc(PKT_BUF_SIZE);
	e->cfg.conf = e->conf;
	e->cfg.map = e->map;
	e->cfg.mtu = mtus[m];
	e->offload = e->conf->offload == MODE_ON;
	ratelimit_init(&e->rl, e->conf->icmp_rate, e->conf->icmp_burst, 0);
	if (meter_new(e->conf, 0, &e->meter) != 0)
		abort();
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static time_t now = 1000000;
	static uint64_t now_ms = 1000;
	struct xlat_ctx x;
	struct pkt p;
	struct env *e;
	uint8_t *buf;
	size_t len;

	if (size < 2 + 10)
		return 0;
	e = get_env(data[0] % NVAR, (data[0] / NVAR) % 4);
	/* clock: mostly small steps, sometimes past dormancy/expiry */
	switch (data[1] & 3) {
	case 1: now += 1; now_ms += 10; break;
	case 2: now += POOL_DORMANT_SECS; now_ms += 1000; break;
	case 3: now += (data[1] & 4) ? POOL_EXPIRE_SECS : 60; now_ms += 100; break;
	default: break;
	}
	memset(&p, 0, sizeof(p));
	size_t hdr = 2;
	if (e->offload && (data[1] & 0x80)) {
		if (size < hdr + 10 + 1)
			return 0;
		const uint8_t *o = data + hdr;
		p.off.flags = o[0] & 3;
		p.off.gso_type = o[1];
		p.off.hdr_len = rd16(o + 2);
		p.off.gso_size = rd16(o + 4);
		p.off.csum_start = rd16(o + 6);
		p.off.csum_offset = rd16(o + 8);
		hdr += 10;
	}
	len = size - hdr;
	if (len > PKT_MAX_LEN)
		return 0;
	/* packet at the very end of an exact allocation: overreads trap */
	buf = malloc(PKT_HEADROOM + len + 1);
	memcpy(buf + PKT_HEADROOM, data + hdr, len);
	if (FUZZ_DIR && len)
		buf[PKT_HEADROOM] = (uint8_t)((FUZZ_DIR << 4) | (buf[PKT_HEADROOM] & 15));
	p.data = buf + PKT_HEADROOM;
	p.len = len;
	p.headroom = PKT_HEADROOM;
	p.tailroom = 0;

	memset(&x, 0, sizeof(x));
	x.cfg = &e->cfg;
	x.pool = e->pool;
	x.stats = &e->stats;
	x.icmp_rl = &e->rl;
	x.now = now;
	x.now_ms = now_ms;
	x.scratch = e->scratch;
	meter_attach(e->meter, &x, emit_coalesced, NULL);
	meter_packet(e->meter, &x, &p);
	if (data[1] & 0x40)
		coalesce_flush(coalescer());
	free(buf);
	return 0;
}
