/* steer.c - the steering decisions in C (the reference for the BPF program). */
#include "lib/steer.h"

#define GOLDEN 0x9e3779b1u

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* One mixing round; the BPF program does the same 32-bit operations. */
static uint32_t mix(uint32_t h, uint32_t w)
{
	h = (h ^ w) * GOLDEN;
	return h ^ (h >> 15);
}

/* h (32 bits) to 0..workers-1 by multiply and shift (no division) */
static unsigned reduce(const struct steer_params *s, uint32_t h)
{
	return (unsigned)(((uint64_t)h * s->workers) >> 32);
}

unsigned steer_v6(const struct steer_params *s, const uint8_t *a)
{
	uint32_t h = 0;

	for (unsigned k = 0; k * 32 < s->plen6; k++) {
		unsigned bits = s->plen6 - k * 32;
		uint32_t mask = bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		h = mix(h, be32(a + 4 * k) & mask);
	}
	return reduce(s, h);
}

unsigned steer_slot_owner(const struct steer_params *s, uint32_t i)
{
	return (unsigned)(((uint64_t)i * s->workers) >> s->pool_bits);
}

void steer_slice(const struct steer_params *s, unsigned w, uint32_t *lo, uint32_t *hi)
{
	/* the smallest i with i * workers >= w * pool_n, i.e. the ceiling */
	*lo = (uint32_t)(((uint64_t)w * s->pool_n + s->workers - 1) / s->workers);
	*hi = (uint32_t)(((uint64_t)(w + 1) * s->pool_n + s->workers - 1) / s->workers);
}

unsigned steer_packet(const struct steer_params *s, const uint8_t *pkt, size_t len)
{
	if (len >= 40 && pkt[0] >> 4 == 6) {
		/* RFC 4443 2.1: types below 128 are errors; the quoted packet's
		 * destination is the client the error is about */
		if (pkt[6] == 58 && len >= 88 && pkt[40] < 128)
			return steer_v6(s, pkt + 72);
		return steer_v6(s, pkt + 8);
	}
	if (len >= 20 && pkt[0] >> 4 == 4) {
		uint32_t dst = be32(pkt + 16), i = dst - s->pool_net;
		if (i < s->pool_n)
			return steer_slot_owner(s, i);
		return reduce(s, mix(be32(pkt + 12) ^ dst, 0));
	}
	return 0;
}
