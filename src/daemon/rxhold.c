/* rxhold.c - the rx-hold-usecs policy (rxhold.h). */
#include "daemon/rxhold.h"

#include <stdbool.h>

unsigned rxhold_delay(struct rxhold *h, unsigned us, uint64_t now_us)
{
	bool flowing = h->last_end_us && now_us >= h->last_end_us &&
		       now_us - h->last_end_us < RXHOLD_ACTIVE_US;

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
