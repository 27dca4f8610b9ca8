/* bench-xlat.c - translate a fixed packet N times, for scripts/bench to count
 * instructions per packet under valgrind --tool=callgrind.
 *
 *   bench-xlat KIND N
 *
 * KIND: udp64-6to4 udp64-4to6 tcp1440-6to4 tcp1440-4to6 (plain packets), or
 * tso64k-6to4 tso64k-4to6 (a 64 KiB TCP super-packet with virtio-net GSO
 * metadata, as read from the tun with offload on: gso_size 1440, 44 segments).
 * A "+meter" suffix (udp64-6to4+meter) turns on usage-stats and rate limits
 * high enough never to drop, to count what they cost per packet.
 * The packets use the scripts/lib-netns.sh lab addresses (client 2001:db8:1::2
 * statically mapped to 192.168.254.2, server 192.0.2.2 behind prefix
 * 2001:db8:64::/96), so they take the common translation path. Each round
 * copies the packet into the input buffer (the translation is in place) and
 * calls meter_packet(), which is xlat_packet() without a meter and wraps it
 * with one; the emit callback only counts. Exits non-zero when a
 * packet is not translated exactly once. Built from tests/lib/testpkt.c and
 * the layer libraries by scripts/bench; not part of `make`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/meter.h"
#include "lib/testpkt.h"

static const char *CONF =
	"tun-device nat64\n"
	"ipv4-addr 192.168.255.1\n"
	"ipv6-addr 2001:db8:ff::1\n"
	"prefix 2001:db8:64::/96\n"
	"dynamic-pool 192.168.255.0/24\n"
	"map 192.168.254.2 2001:db8:1::2\n";
static const char *METER_CONF =
	"usage-stats yes\n"
	"rate-limit 48 1000G 100G\n"
	"rate-limit-total 1000G 100G\n";

#define C6 "2001:db8:1::2"
#define C4 "192.168.254.2"
#define S6 "2001:db8:64::c000:202"
#define S4 "192.0.2.2"

static uint8_t pkt[70000], l4[70000], data[70000];
static unsigned long emitted;

static struct xlat_result count_emit(void *arg, const struct pkt *p)
{
	(void)arg;
	(void)p;
	emitted++;
	return XLAT_TAKEN;
}

/* partial (pseudo-header only, not complemented) checksum for NEEDS_CSUM */
static void seed_csum(uint8_t *ck, uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck[0] = (uint8_t)(sum >> 8);
	ck[1] = (uint8_t)sum;
}

/* Build the packet for kind; fills *off; returns its length (0: bad kind). */
static size_t build(const char *kind, struct offload *off, int *six)
{
	size_t dlen, n, len;
	int tcp, tso = 0;
	uint8_t a[16], b[16];

	memset(off, 0, sizeof(*off));
	if (strncmp(kind, "udp64-", 6) == 0) {
		tcp = 0, dlen = 64;
	} else if (strncmp(kind, "tcp1440-", 8) == 0) {
		tcp = 1, dlen = 1440;
	} else if (strncmp(kind, "tso64k-", 7) == 0) {
		tcp = 1, dlen = 44 * 1440, tso = 1;
	} else {
		return 0;
	}
	const char *dir = strchr(kind, '-') + 1;
	if (strcmp(dir, "6to4") == 0)
		*six = 1;
	else if (strcmp(dir, "4to6") == 0)
		*six = 0;
	else
		return 0;

	n = tcp ? tp_tcp(l4, 40000, 5201, 1, 1, 0x18, data, dlen)
		: tp_udp(l4, 40000, 5201, data, dlen);
	if (*six) {
		len = tp_ipv6(pkt, C6, S6, tcp ? 6 : 17, 64, 0, 0, l4, n);
		tp_fix_l4_6(pkt);
		if (tso) {
			tp_a6(C6, a);
			tp_a6(S6, b);
			seed_csum(pkt + 40 + 16, tp_pseudo6(a, b, 6, (uint32_t)n));
			off->gso_type = OFF_GSO_TCPV6;
			off->csum_start = 40;
		}
	} else {
		/* server -> client: S4 -> C4, DF set as Linux does */
		len = tp_ipv4(pkt, S4, C4, tcp ? 6 : 17, 64, 0, 1, 0x4000, l4, n);
		tp_fix_l4_4(pkt);
		if (tso) {
			tp_a4(S4, a);
			tp_a4(C4, b);
			seed_csum(pkt + 20 + 16, tp_pseudo4(a, b, 6, (uint32_t)n));
			off->gso_type = OFF_GSO_TCPV4;
			off->csum_start = 20;
		}
	}
	if (tso) {
		off->flags = OFF_F_NEEDS_CSUM;
		off->hdr_len = (uint16_t)(off->csum_start + 20);
		off->gso_size = 1440;
		off->csum_offset = 16;
	}
	return len;
}

int main(int argc, char **argv)
{
	struct tp_env e;
	struct offload off;
	struct pkt p;
	struct meter *m = NULL;
	char kind[64], conf[1024], *plus;
	size_t len;
	long n;
	int six = 1;

	if (argc != 3 || (n = atol(argv[2])) < 0 || strlen(argv[1]) >= sizeof(kind)) {
		fprintf(stderr, "usage: bench-xlat KIND[+meter] N\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	strcpy(kind, argv[1]);
	if ((plus = strchr(kind, '+')) != NULL && strcmp(plus, "+meter") == 0)
		*plus = '\0';
	len = build(kind, &off, &six);
	if (len == 0) {
		fprintf(stderr, "bench-xlat: unknown kind %s\n", argv[1]);
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s%s", CONF, plus ? METER_CONF : "");
	tp_env_init(&e, conf, 1500);
	if (plus && (meter_new(e.conf, 0, &m) != 0 || !m)) {
		fprintf(stderr, "bench-xlat: meter_new failed\n");
		return 1;
	}
	meter_attach(m, &e.ctx, count_emit, NULL);
	for (long i = 0; i < n; i++) {
		memcpy(e.inbuf + PKT_HEADROOM, pkt, len);
		p.data = e.inbuf + PKT_HEADROOM;
		p.len = len;
		p.headroom = PKT_HEADROOM;
		p.tailroom = PKT_BUF_SIZE - PKT_HEADROOM - len;
		p.off = off;
		if (meter_packet(m, &e.ctx, &p).verdict != XLAT_OK)
			break;
	}
	meter_free(m);
	tp_env_free(&e);
	if (emitted != (unsigned long)n) {
		fprintf(stderr, "bench-xlat: %s: %lu of %ld packets translated\n",
			argv[1], emitted, n);
		return 1;
	}
	printf("%s: %ld packets of %zu bytes translated\n", argv[1], n, len);
	return 0;
}
