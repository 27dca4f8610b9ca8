/* test_rxhold.c - when the loop holds the tun's packets back before a drain
 * (daemon/rxhold.c, rx-hold-usecs): only while traffic flows in batches
 * that did not fill a drain; never after a quiet spell, while bulk (full
 * drains, TCP super-packets) flows, nor with rx-hold-usecs 0. */
#include <check.h>

#include "daemon/rxhold.h"
#include "lib/checkrun.h"

#define T0 1000000000ULL   /* some monotonic time, in microseconds */

START_TEST(first_packet_is_not_held)
{
	struct rxhold h = { 0 };

	ck_assert_uint_eq(rxhold_delay(&h, 100, T0), 0);
}
END_TEST

START_TEST(steady_small_batches_are_held)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, 5, 5 * 112);
	/* the next packet 25 us later (39 kpps): held for rx-hold-usecs */
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 25), 100);
	ck_assert_uint_eq(rxhold_delay(&h, 250, T0 + 25), 250);
	/* still within the active window */
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + RXHOLD_ACTIVE_US - 1), 100);
}
END_TEST

START_TEST(after_a_quiet_spell_at_once)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, 1, 104);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + RXHOLD_ACTIVE_US), 0);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 1000000), 0);   /* a ping a second */
}
END_TEST

START_TEST(full_or_bulky_drains_are_not_held)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, RXHOLD_BULK_PKTS, RXHOLD_BULK_PKTS * 104);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 10), 0);   /* a flood */
	h = (struct rxhold){ 0 };
	rxhold_drained(&h, T0, 1, 65000);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 10), 0);   /* a TSO super-packet */
	h = (struct rxhold){ 0 };
	rxhold_drained(&h, T0, RXHOLD_BULK_PKTS - 1, RXHOLD_BULK_BYTES - 1);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 10), 100); /* just below both */
}
END_TEST

/* TCP bulk: ACK-only drains between the super-packets are not held either
 * (that would delay the next super-packet), until bulk has stopped for the
 * active window */
START_TEST(small_drains_amid_bulk_are_not_held)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, 2, 2 * 65000);                 /* super-packets */
	rxhold_drained(&h, T0 + 30, 3, 3 * 60);               /* ACKs */
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + 60), 0);
	rxhold_drained(&h, T0 + RXHOLD_ACTIVE_US - 100, 3, 180);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + RXHOLD_ACTIVE_US - 50), 0);
	/* the bulk ended a window ago, small batches still flow: held */
	rxhold_drained(&h, T0 + RXHOLD_ACTIVE_US + 10, 3, 180);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 + RXHOLD_ACTIVE_US + 40), 100);
}
END_TEST

START_TEST(zero_turns_it_off)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, 5, 560);
	ck_assert_uint_eq(rxhold_delay(&h, 0, T0 + 25), 0);
}
END_TEST

START_TEST(a_clock_before_the_last_drain_holds_nothing)
{
	struct rxhold h = { 0 };

	rxhold_drained(&h, T0, 5, 560);
	ck_assert_uint_eq(rxhold_delay(&h, 100, T0 - 5), 0);
}
END_TEST

CHECK_MAIN("rxhold", first_packet_is_not_held, steady_small_batches_are_held,
	   after_a_quiet_spell_at_once, full_or_bulky_drains_are_not_held,
	   small_drains_amid_bulk_are_not_held, zero_turns_it_off,
	   a_clock_before_the_last_drain_holds_nothing)
