/* test_rxhold.c - when the loop holds the tun's packets back before a drain
 * (daemon/rxhold.c, rx-hold-usecs): only in a steady stream of small
 * batches (RXHOLD_STREAK drains in a row, each soon after the last); never
 * after a quiet spell, for the answer to a lone request, while bulk (full
 * drains, TCP super-packets) flows, nor with rx-hold-usecs 0. */
#include <check.h>

#include "daemon/rxhold.h"
#include "lib/checkrun.h"

#define T0 1000000000ULL   /* some monotonic time, in microseconds */

/* n drains of 5 small packets, 25 us apart (39 kpps): returns the hold the
 * last one was given; *t is the time after them */
static unsigned stream(struct rxhold *h, unsigned us, int n, uint64_t *t)
{
	unsigned d = 0;

	for (int i = 0; i < n; i++) {
		d = rxhold_delay(h, us, *t);
		*t += d + 10;
		rxhold_drained(h, *t, 5, 5 * 112);
		*t += 25;
	}
	return d;
}

START_TEST(first_packet_is_not_held)
{
	struct rxhold h = { 0 };

	ck_assert_uint_eq(rxhold_delay(&h, 100, T0), 0);
}
END_TEST

START_TEST(a_steady_stream_is_held)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	/* the first RXHOLD_STREAK drains (the first after quiet included)
	 * only build the streak */
	ck_assert_uint_eq(stream(&h, 100, RXHOLD_STREAK, &t), 0);
	ck_assert_uint_eq(stream(&h, 100, 1, &t), 100);
	ck_assert_uint_eq(stream(&h, 250, 5, &t), 250);
	/* a drain just inside the active window continues it */
	ck_assert_uint_eq(rxhold_delay(&h, 100, h.last_end_us + RXHOLD_ACTIVE_US - 1), 100);
}
END_TEST

START_TEST(after_a_quiet_spell_at_once)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	stream(&h, 100, RXHOLD_STREAK + 2, &t);
	ck_assert_uint_eq(rxhold_delay(&h, 100, h.last_end_us + RXHOLD_ACTIVE_US), 0);
	/* and the stream must build up again */
	t = h.last_end_us + RXHOLD_ACTIVE_US + 1000000;
	ck_assert_uint_eq(stream(&h, 100, RXHOLD_STREAK, &t), 0);
}
END_TEST

/* ping -i 0.01 (or DNS now and then): the request comes after a quiet
 * spell, its answer 100 us after the request was written; neither waits */
START_TEST(request_and_answer_are_not_held)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	for (int i = 0; i < 50; i++) {
		ck_assert_uint_eq(rxhold_delay(&h, 100, t), 0);        /* request */
		rxhold_drained(&h, t + 5, 1, 104);
		ck_assert_uint_eq(rxhold_delay(&h, 100, t + 105), 0);  /* answer */
		rxhold_drained(&h, t + 110, 1, 84);
		t += 10000;
	}
}
END_TEST

START_TEST(full_or_bulky_drains_are_not_held)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	stream(&h, 100, RXHOLD_STREAK, &t);
	rxhold_drained(&h, t, RXHOLD_BULK_PKTS, RXHOLD_BULK_PKTS * 104);
	ck_assert_uint_eq(rxhold_delay(&h, 100, t + 10), 0);   /* a flood */
	t += 100;
	rxhold_drained(&h, t, 1, 65000);
	ck_assert_uint_eq(rxhold_delay(&h, 100, t + 10), 0);   /* a TSO super-packet */
	h = (struct rxhold){ 0 };
	t = T0;
	stream(&h, 100, RXHOLD_STREAK, &t);
	rxhold_drained(&h, t, RXHOLD_BULK_PKTS - 1, RXHOLD_BULK_BYTES - 1);
	ck_assert_uint_eq(rxhold_delay(&h, 100, t + 10), 100); /* just below both */
}
END_TEST

/* TCP bulk: ACK-only drains between the super-packets are not held either
 * (that would delay the next super-packet), until bulk has stopped for the
 * active window */
START_TEST(small_drains_amid_bulk_are_not_held)
{
	struct rxhold h = { 0 };
	uint64_t t = T0, b;

	stream(&h, 100, RXHOLD_STREAK, &t);
	rxhold_drained(&h, t, 2, 2 * 65000);                 /* super-packets */
	b = t;
	ck_assert_uint_eq(rxhold_delay(&h, 100, t + 30), 0);
	rxhold_drained(&h, t + 35, 3, 3 * 60);               /* ACKs */
	ck_assert_uint_eq(rxhold_delay(&h, 100, b + RXHOLD_ACTIVE_US - 50), 0);
	rxhold_drained(&h, b + RXHOLD_ACTIVE_US - 40, 3, 180);
	/* the bulk ended a window ago, small batches still flow: held */
	ck_assert_uint_eq(rxhold_delay(&h, 100, b + RXHOLD_ACTIVE_US + 40), 100);
}
END_TEST

START_TEST(zero_turns_it_off)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	ck_assert_uint_eq(stream(&h, 0, 3 * RXHOLD_STREAK, &t), 0);
}
END_TEST

START_TEST(a_clock_before_the_last_drain_holds_nothing)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	stream(&h, 100, 2 * RXHOLD_STREAK, &t);
	ck_assert_uint_eq(rxhold_delay(&h, 100, h.last_end_us - 5), 0);
}
END_TEST

CHECK_MAIN("rxhold", first_packet_is_not_held, a_steady_stream_is_held,
	   after_a_quiet_spell_at_once, request_and_answer_are_not_held,
	   full_or_bulky_drains_are_not_held, small_drains_amid_bulk_are_not_held,
	   zero_turns_it_off, a_clock_before_the_last_drain_holds_nothing)
