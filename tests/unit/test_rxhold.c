/* test_rxhold.c - when the loop holds the tun's packets back before a drain
 * (daemon/rxhold.c, rx-hold-usecs): only in a steady stream of small
 * batches (RXHOLD_STREAK drains in a row, each soon after the last); never
 * after a quiet spell, for the answer to a lone request, while bulk (full
 * drains, TCP super-packets) flows, nor with rx-hold-usecs 0. And when it
 * busy-polls before sleeping (rx-busy-poll-usecs): only while bulk flows
 * densely, backing off after polls that found nothing. */
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

/* One TCP super-packet drain of 64 KB that started gap us after the drain
 * before ended and took 20 us; returns the busy poll it is given after */
static unsigned bulk(struct rxhold *h, unsigned us, uint64_t *t, uint64_t gap)
{
	*t += gap;
	rxhold_delay(h, 100, *t);
	*t += 20;
	rxhold_drained(h, *t, 1, 65000);
	return rxhold_busy_poll(h, us);
}

/* A drain of two ACKs at t; returns the busy poll it is given after */
static unsigned acks(struct rxhold *h, uint64_t t)
{
	rxhold_delay(h, 100, t);
	rxhold_drained(h, t + 5, 2, 120);
	return rxhold_busy_poll(h, 200);
}

START_TEST(dense_bulk_is_busy_polled)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	/* the first super-packet after a quiet spell: no gap to go by */
	ck_assert_uint_eq(bulk(&h, 200, &t, 0), 0);
	/* the next came 30 us after: dense */
	ck_assert_uint_eq(bulk(&h, 200, &t, 30), 200);
	/* the ACKs in between (small, but bulk flows): polled too */
	ck_assert_uint_eq(acks(&h, t + 10), 200);
	/* 0 turns it off */
	ck_assert_uint_eq(rxhold_busy_poll(&h, 0), 0);
}
END_TEST

START_TEST(sparse_or_small_traffic_is_not_busy_polled)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	/* super-packets further apart than the poll would wait */
	bulk(&h, 200, &t, 0);
	ck_assert_uint_eq(bulk(&h, 200, &t, 200), 0);
	ck_assert_uint_eq(bulk(&h, 200, &t, 199), 200);
	/* a steady stream of small batches (39 kpps of UDP-64) never */
	h = (struct rxhold){ 0 };
	t = T0;
	stream(&h, 100, 3 * RXHOLD_STREAK, &t);
	ck_assert_uint_eq(rxhold_busy_poll(&h, 200), 0);
	/* nor small drains once bulk stopped a window ago */
	h = (struct rxhold){ 0 };
	t = T0;
	bulk(&h, 200, &t, 0);
	bulk(&h, 200, &t, 30);
	ck_assert_uint_eq(acks(&h, t + RXHOLD_ACTIVE_US), 0);
}
END_TEST

/* Bursts (a TCP flow paced at 1 Gbit/s: a few super-packets every ms):
 * the poll after a burst's last drain finds nothing; each such poll in a
 * row keeps polling off for twice as long, up to 64 ms; one that finds
 * something ends that */
START_TEST(vain_polls_back_off)
{
	struct rxhold h = { 0 };
	uint64_t t = T0;

	bulk(&h, 200, &t, 0);
	ck_assert_uint_eq(bulk(&h, 200, &t, 30), 200);
	t += 200;
	rxhold_polled(&h, t, false);
	for (unsigned k = 0; k <= RXPOLL_BACKOFF_MAX_SHIFT + 2; k++) {
		uint64_t quiet = (uint64_t)RXPOLL_BACKOFF_US
				 << (k < RXPOLL_BACKOFF_MAX_SHIFT ? k : RXPOLL_BACKOFF_MAX_SHIFT);
		uint64_t vain = t;
		/* a burst that ends just inside the quiet time: not polled */
		t = vain + quiet - 100;
		ck_assert_uint_eq(bulk(&h, 200, &t, 0), 0);
		ck_assert_uint_eq(bulk(&h, 200, &t, 30), 0);
		/* the next burst after it: its second drain polled, in vain */
		t = vain + quiet + 1000;
		ck_assert_uint_eq(bulk(&h, 200, &t, 0), 0);   /* long after the last */
		ck_assert_uint_eq(bulk(&h, 200, &t, 30), 200);
		t += 200;
		rxhold_polled(&h, t, false);
	}
	ck_assert_uint_eq(h.poll_quiet_until_us - t,
			  (uint64_t)RXPOLL_BACKOFF_US << RXPOLL_BACKOFF_MAX_SHIFT);
	/* dense again: one poll that finds something resets the back-off */
	t = h.poll_quiet_until_us;
	bulk(&h, 200, &t, 0);
	ck_assert_uint_eq(bulk(&h, 200, &t, 30), 200);
	t += 40;
	rxhold_polled(&h, t, true);
	ck_assert_uint_eq(bulk(&h, 200, &t, 0), 200);   /* found at once */
	t += 200;
	rxhold_polled(&h, t, false);
	ck_assert_uint_eq(h.poll_quiet_until_us - t, RXPOLL_BACKOFF_US);
}
END_TEST

/* auto: only with a CPU left over for the rest of the path */
START_TEST(busy_poll_pays_with_a_spare_cpu)
{
	ck_assert(!rxhold_poll_pays(1, 1));
	ck_assert(rxhold_poll_pays(1, 2));
	ck_assert(rxhold_poll_pays(0, 2));    /* (no workers directive: one) */
	ck_assert(!rxhold_poll_pays(2, 2));
	ck_assert(rxhold_poll_pays(3, 4));
	ck_assert(!rxhold_poll_pays(1, -1));  /* sysconf() did not say */
}
END_TEST

CHECK_MAIN("rxhold", first_packet_is_not_held, a_steady_stream_is_held,
	   after_a_quiet_spell_at_once, request_and_answer_are_not_held,
	   full_or_bulky_drains_are_not_held, small_drains_amid_bulk_are_not_held,
	   zero_turns_it_off, a_clock_before_the_last_drain_holds_nothing,
	   dense_bulk_is_busy_polled, sparse_or_small_traffic_is_not_busy_polled,
	   vain_polls_back_off, busy_poll_pays_with_a_spare_cpu)
