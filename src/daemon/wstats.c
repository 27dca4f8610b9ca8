/* wstats.c - the workers' counter slots (wstats.h). */
#include "daemon/wstats.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

struct slot {
	atomic_uint seq;             /* odd while the worker copies */
	struct xlat_counters x;
	struct tun_counters t;
	uint64_t pool_size, pool_dormant;
	struct rx_counters rx;
};

struct wstats {
	unsigned n;
	struct slot s[];
};

struct wstats *wstats_new(unsigned n)
{
	size_t len = sizeof(struct wstats) + (size_t)n * sizeof(struct slot);
	struct wstats *ws = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);

	if (ws == MAP_FAILED)
		return NULL;
	memset(ws, 0, len);
	ws->n = n;
	return ws;
}

unsigned wstats_count(const struct wstats *ws)
{
	return ws ? ws->n : 0;
}

void wstats_publish(struct wstats *ws, unsigned w, const struct stats *st)
{
	struct slot *s = &ws->s[w];
	unsigned q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	s->x = st->xlat;
	if (st->tun)
		s->t = *st->tun;
	s->pool_size = st->pool_size;
	s->pool_dormant = st->pool_dormant;
	s->rx = st->rx;
	atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

/* A consistent copy of slot w (a writer copies a few hundred bytes: a
 * handful of retries at most; a worker killed mid-copy leaves an odd
 * count, so give up after many) */
static void read_slot(const struct wstats *ws, unsigned w, struct slot *out)
{
	const struct slot *s = &ws->s[w];

	for (int tries = 0; tries < 1000; tries++) {
		unsigned q = atomic_load_explicit((atomic_uint *)&s->seq, memory_order_acquire);
		out->x = s->x;
		out->t = s->t;
		out->pool_size = s->pool_size;
		out->pool_dormant = s->pool_dormant;
		out->rx = s->rx;
		atomic_thread_fence(memory_order_acquire);
		if (!(q & 1) && q == atomic_load_explicit((atomic_uint *)&s->seq, memory_order_relaxed))
			return;
	}
}

void wstats_read(const struct wstats *ws, unsigned w, struct stats *st, struct tun_counters *t)
{
	struct slot s;

	read_slot(ws, w, &s);
	st->xlat = s.x;
	st->rx = s.rx;
	*t = s.t;
}

/* The counter structs are uint64_t through and through (a counter added
 * later is summed too): add them word by word. */
_Static_assert(sizeof(struct xlat_counters) % sizeof(uint64_t) == 0, "xlat_counters: u64 only");
_Static_assert(sizeof(struct tun_counters) % sizeof(uint64_t) == 0, "tun_counters: u64 only");
_Static_assert(sizeof(struct rx_counters) % sizeof(uint64_t) == 0, "rx_counters: u64 only");

static void add_words(void *to, const void *from, size_t len)
{
	uint64_t a, b;

	for (size_t i = 0; i < len; i += sizeof(a)) {
		memcpy(&a, (char *)to + i, sizeof(a));
		memcpy(&b, (const char *)from + i, sizeof(b));
		a += b;
		memcpy((char *)to + i, &a, sizeof(a));
	}
}

void wstats_sum(const struct wstats *ws, struct stats *out, struct tun_counters *tun,
		struct worker_stats *per)
{
	memset(&out->xlat, 0, sizeof(out->xlat));
	memset(tun, 0, sizeof(*tun));
	out->pool_size = out->pool_dormant = 0;
	memset(&out->rx, 0, sizeof(out->rx));
	for (unsigned w = 0; w < ws->n; w++) {
		struct slot s;
		read_slot(ws, w, &s);
		add_words(&out->xlat, &s.x, sizeof(s.x));
		add_words(tun, &s.t, sizeof(s.t));
		out->pool_size += s.pool_size;
		out->pool_dormant += s.pool_dormant;
		add_words(&out->rx, &s.rx, sizeof(s.rx));
		if (per) {
			memcpy(per[w].pkts, s.x.pkts, sizeof(s.x.pkts));
			per[w].dyn_active = s.x.dyn_active;
			per[w].pool_size = s.pool_size;
			per[w].pool_dormant = s.pool_dormant;
		}
	}
	out->tun = tun;
}
