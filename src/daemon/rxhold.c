/* rxhold.c - the rx-hold-usecs and rx-busy-poll-usecs policies (rxhold.h). */
#include "daemon/rxhold.h"

unsigned rxhold_delay(struct rxhold *h, unsigned us, uint64_t now_us)
{
	bool flowing;

	h->last_gap_us = h->last_end_us && now_us >= h->last_end_us ? now_us - h->last_end_us :
			 UINT64_MAX;
	flowing = h->last_gap_us < RXHOLD_ACTIVE_US;

	/* after a quiet spell at once, and a request's answer too: only a
	 * steady stream is held */
	h->streak = !flowing ? 0 : h->streak < RXHOLD_STREAK ? h->streak + 1 : RXHOLD_STREAK;
	if (us == 0 || h->streak < RXHOLD_STREAK)
		return 0;
	if (h->last_bulk_us && now_us - h->last_bulk_us < RXHOLD_ACTIVE_US)
		return 0;   /* bulk flows: batches form anyway, and latency costs throughput */
	return us;
}

void rxhold_drained(struct rxhold *h, uint64_t now_us, unsigned pkts, size_t bytes)
{
	h->last_end_us = now_us ? now_us : 1;
	if (pkts >= RXHOLD_BULK_PKTS || bytes >= RXHOLD_BULK_BYTES)
		h->last_bulk_us = h->last_end_us;
}

unsigned rxhold_busy_poll(const struct rxhold *h, unsigned us)
{
	bool bulk_flows = h->last_bulk_us && h->last_end_us - h->last_bulk_us < RXHOLD_ACTIVE_US;

	if (us == 0 || !bulk_flows || h->last_gap_us >= us || h->last_end_us < h->poll_quiet_until_us)
		return 0;
	return us;
}

bool rxhold_poll_pays(unsigned workers, long ncpus)
{
	return ncpus > (long)(workers ? workers : 1);
}

void rxhold_polled(struct rxhold *h, uint64_t now_us, bool found)
{
	unsigned shift;

	if (found) {
		h->poll_misses = 0;
		return;
	}
	shift = h->poll_misses < RXPOLL_BACKOFF_MAX_SHIFT ? h->poll_misses : RXPOLL_BACKOFF_MAX_SHIFT;
	h->poll_misses++;
	h->poll_quiet_until_us = now_us + ((uint64_t)RXPOLL_BACKOFF_US << shift);
}
