/* rxhold.c - the rx-hold-usecs policy (rxhold.h). */
#include "daemon/rxhold.h"

unsigned rxhold_delay(const struct rxhold *h, unsigned us, uint64_t now_us)
{
	if (us == 0 || h->last_end_us == 0 || now_us < h->last_end_us)
		return 0;
	if (now_us - h->last_end_us >= RXHOLD_ACTIVE_US)
		return 0;   /* after a quiet spell: at once */
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
