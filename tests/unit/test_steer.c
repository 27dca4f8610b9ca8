/* test_steer.c - `workers N` steering (lib/steer.h) and the tun's BPF
 * steering program (io/steer_bpf.h): pool slices partition the pool, a
 * client network goes to one worker, pool addresses go to their slice's
 * owner, and the BPF program makes the reference's decision on every
 * packet (run through BPF_PROG_TEST_RUN: needs root). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/steer.h"
#include "io/steer_bpf.h"
#include "lib/testpkt.h"

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8 ^ rnd_state << 13;
}

static struct steer_params params(unsigned workers, unsigned plen6, const char *net, unsigned bits)
{
	struct steer_params s = { .workers = workers, .plen6 = plen6 };
	uint8_t a[4];

	if (net) {
		tp_a4(net, a);
		s.pool_net = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		s.pool_n = 1u << bits;
		s.pool_bits = bits;
	}
	return s;
}

START_TEST(slices_partition_the_pool)
{
	static const unsigned ws[] = { 1, 2, 3, 5, 8, 1024 };
	static const unsigned bits[] = { 1, 2, 8, 12, 20 };

	for (unsigned a = 0; a < sizeof(ws) / sizeof(ws[0]); a++)
		for (unsigned b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
			struct steer_params s = params(ws[a], 48, "192.168.0.0", bits[b]);
			uint32_t prev_hi = 0, lo, hi;
			for (unsigned w = 0; w < s.workers; w++) {
				steer_slice(&s, w, &lo, &hi);
				ck_assert_uint_eq(lo, prev_hi);           /* contiguous */
				ck_assert_uint_le(hi - lo, s.pool_n / s.workers + 1);
				for (uint32_t i = lo; i < hi; i++)
					ck_assert_uint_eq(steer_slot_owner(&s, i), w);
				prev_hi = hi;
			}
			ck_assert_uint_eq(prev_hi, s.pool_n);             /* complete */
		}
}
END_TEST

START_TEST(one_worker_takes_everything)
{
	struct steer_params s = params(1, 48, "192.168.0.0", 8);
	uint8_t pkt[64];
	char a6[64];

	for (int k = 0; k < 200; k++) {
		snprintf(a6, sizeof(a6), "2001:db8:%x:%x::%x", rnd() & 0xffff, rnd() & 0xffff, k);
		tp_ipv6(pkt, a6, "64:ff9b::c000:201", 17, 64, 0, 0, NULL, 0);
		ck_assert_uint_eq(steer_packet(&s, pkt, 40), 0);
	}
	tp_ipv4(pkt, "198.51.100.1", "192.168.0.77", 17, 64, 0, 0, 0, NULL, 0);
	ck_assert_uint_eq(steer_packet(&s, pkt, 20), 0);
}
END_TEST

/* usage-prefix-len / rate-limit stay exact: everything of one /48 on one
 * worker, whatever the rest of the address */
START_TEST(v6_hashes_the_prefix_only)
{
	struct steer_params s = params(8, 48, NULL, 0);
	uint8_t a[16], b[16];

	for (int k = 0; k < 500; k++) {
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)rnd();
		memcpy(b, a, 6);
		for (int i = 6; i < 16; i++)
			b[i] = (uint8_t)rnd();
		ck_assert_uint_eq(steer_v6(&s, a), steer_v6(&s, b));
	}
	/* a /44 boundary inside a word: bits past 44 do not count */
	s.plen6 = 44;
	tp_a6("2001:db8:1230::1", a);
	tp_a6("2001:db8:123f:ffff::2", b);
	ck_assert_uint_eq(steer_v6(&s, a), steer_v6(&s, b));
}
END_TEST

/* many client networks spread over the workers */
START_TEST(v6_prefixes_spread)
{
	static const unsigned ws[] = { 2, 3, 8 };
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	for (unsigned x = 0; x < 3; x++) {
		struct steer_params s = params(ws[x], 64, NULL, 0);
		unsigned count[8] = { 0 }, n = 4000;
		for (unsigned k = 0; k < n; k++) {
			a[4] = (uint8_t)(k >> 8);   /* consecutive /64s: the common case */
			a[5] = (uint8_t)k;
			a[7] = (uint8_t)(k >> 3);
			unsigned w = steer_v6(&s, a);
			ck_assert_uint_lt(w, s.workers);
			count[w]++;
		}
		for (unsigned w = 0; w < s.workers; w++) {
			ck_assert_uint_gt(count[w], n / s.workers * 8 / 10);
			ck_assert_uint_lt(count[w], n / s.workers * 12 / 10);
		}
	}
}
END_TEST

/* An ICMPv6 error about a packet to a client (a router's Packet Too Big)
 * goes where that client's own packets go: its worker holds the mapping
 * the quoted packet needs */
START_TEST(icmp6_error_follows_the_quoted_client)
{
	struct steer_params s = params(8, 56, NULL, 0);
	uint8_t inner[64], pkt[160], c[16], udp[8] = { 0 };
	size_t il, l;
	unsigned same = 0;

	for (int k = 0; k < 64; k++) {
		char client[64], router[64];
		snprintf(client, sizeof(client), "2001:db8:%x:%x::1", k, k * 7);
		snprintf(router, sizeof(router), "2001:db8:ffff:%x::1", k * 13);
		tp_a6(client, c);
		il = tp_ipv6(inner, "64:ff9b::c000:201", client, 17, 64, 0, 0, udp, 8);
		uint8_t body[8 + 64] = { 2, 0, 0, 0, 0, 0, 0x05, 0x00 };
		memcpy(body + 8, inner, il);
		l = tp_ipv6(pkt, router, "64:ff9b::c000:201", 58, 64, 0, 0, body, 8 + il);
		ck_assert_uint_eq(steer_packet(&s, pkt, l), steer_v6(&s, c));
		/* an echo request is no error: by its source */
		body[0] = 128;
		l = tp_ipv6(pkt, router, "64:ff9b::c000:201", 58, 64, 0, 0, body, 8 + il);
		ck_assert_uint_eq(steer_packet(&s, pkt, l), steer_v6(&s, pkt + 8));
		same += steer_v6(&s, pkt + 8) == steer_v6(&s, c);
	}
	ck_assert_uint_lt(same, 64);  /* the router's own hash differs at times */
}
END_TEST

START_TEST(v4_to_pool_goes_to_the_owner)
{
	struct steer_params s = params(3, 48, "10.64.0.0", 10);
	uint8_t pkt[64];
	char dst[32];
	uint32_t lo, hi;

	for (unsigned w = 0; w < 3; w++) {
		steer_slice(&s, w, &lo, &hi);
		for (uint32_t i = lo; i < hi; i += 7) {
			snprintf(dst, sizeof(dst), "10.64.%u.%u", i >> 8, i & 255);
			tp_ipv4(pkt, "198.51.100.9", dst, 6, 64, 0, 0, 0, NULL, 0);
			ck_assert_uint_eq(steer_packet(&s, pkt, 20), w);
		}
	}
	/* outside the pool: any worker, the same one for the same pair */
	tp_ipv4(pkt, "198.51.100.9", "10.65.0.1", 6, 64, 0, 0, 0, NULL, 0);
	ck_assert_uint_lt(steer_packet(&s, pkt, 20), 3);
	ck_assert_uint_eq(steer_packet(&s, pkt, 20), steer_packet(&s, pkt, 20));
}
END_TEST

/* A random packet of one of the kinds steering tells apart. */
static size_t random_packet(uint8_t *pkt, const struct steer_params *s)
{
	size_t len = 20 + rnd() % 120;

	for (size_t i = 0; i < len; i++)
		pkt[i] = (uint8_t)rnd();
	switch (rnd() % 6) {
	case 0: case 1: {          /* IPv4 to the pool */
		uint32_t d = s->pool_net + (s->pool_n ? rnd() % s->pool_n : 0);
		pkt[0] = 0x45;
		pkt[16] = (uint8_t)(d >> 24); pkt[17] = (uint8_t)(d >> 16);
		pkt[18] = (uint8_t)(d >> 8); pkt[19] = (uint8_t)d;
		break;
	}
	case 2: pkt[0] = 0x45; break;            /* IPv4 anywhere */
	case 3: pkt[0] = 0x60; break;            /* IPv6, any next header */
	case 4:                                  /* ICMPv6, error or not */
		pkt[0] = 0x60;
		pkt[6] = 58;
		if (len > 40)
			pkt[40] = (uint8_t)(rnd() % 2 ? rnd() % 5 : 128 + rnd() % 4);
		break;
	default: break;                          /* anything, even no IP */
	}
	return len;
}

START_TEST(bpf_program_matches_the_reference)
{
	static const struct { unsigned w, plen; const char *net; unsigned bits; } cases[] = {
		{ 2, 48, "192.168.0.0", 8 }, { 3, 56, "10.64.0.0", 12 }, { 8, 128, "100.64.0.0", 20 },
		{ 5, 1, "192.0.2.0", 1 }, { 1024, 64, "172.16.0.0", 16 }, { 4, 33, NULL, 0 },
	};
	char err[512];
	uint8_t pkt[160];

	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct steer_params s = params(cases[c].w, cases[c].plen, cases[c].net, cases[c].bits);
		int fd = steer_bpf_load(&s, err, sizeof(err));
		if (fd < 0 && errno == EPERM && geteuid() != 0) {
			fprintf(stderr, "test_steer: not root, BPF program not checked: %s\n", err);
			return;
		}
		ck_assert_msg(fd >= 0, "%s", err);
		for (int k = 0; k < 300; k++) {
			size_t len = random_packet(pkt, &s);
			uint32_t got;
			ck_assert_msg(steer_bpf_run(fd, pkt, len, &got) == 0, "BPF_PROG_TEST_RUN: %s",
				      strerror(errno));
			ck_assert_msg(got == steer_packet(&s, pkt, len),
				      "case %u packet %d (len %zu, first byte %02x): bpf %u, reference %u",
				      c, k, len, pkt[0], got, steer_packet(&s, pkt, len));
			ck_assert_uint_lt(got, s.workers);
		}
		close(fd);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("steer");
	TCase *t = tcase_create("steer");

	tcase_add_test(t, slices_partition_the_pool);
	tcase_add_test(t, one_worker_takes_everything);
	tcase_add_test(t, v6_hashes_the_prefix_only);
	tcase_add_test(t, v6_prefixes_spread);
	tcase_add_test(t, icmp6_error_follows_the_quoted_client);
	tcase_add_test(t, v4_to_pool_goes_to_the_owner);
	tcase_add_test(t, bpf_program_matches_the_reference);
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
