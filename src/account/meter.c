/* meter.c - charge and count what the translator emits (see meter.h). */
#include "account/meter.h"

#include <stdlib.h>
#include <string.h>

#include "lib/proto.h"

int meter_new(const struct config *c, uint64_t now_ms, struct meter **out)
{
	struct meter *m;

	*out = NULL;
	if (!c->usage_stats && !c->rl_plen && !c->rl_total_rate)
		return 0;
	if (!(m = calloc(1, sizeof(*m))))
		return -1;
	m->top = c->usage_top;
	if (c->usage_stats &&
	    !(m->usage = usage_new(c->prefix_table_size, c->usage_plen6, c->usage_plen4)))
		goto oom;
	if (c->rl_plen || c->rl_total_rate) {
		struct bucket_cfg bc = {
			.plen = c->rl_plen, .rate = c->rl_rate, .burst = c->rl_burst,
			.total_rate = c->rl_total_rate, .total_burst = c->rl_total_burst,
			.entries = c->prefix_table_size,
		};
		if (!(m->buckets = buckets_new(&bc, now_ms)))
			goto oom;
	}
	*out = m;
	return 0;
oom:
	meter_free(m);
	return -1;
}

void meter_free(struct meter *m)
{
	if (!m)
		return;
	usage_free(m->usage);
	buckets_free(m->buckets);
	free(m);
}

void meter_migrate(struct meter *to, const struct meter *from)
{
	if (!to || !from)
		return;
	usage_migrate(to->usage, from->usage);
	buckets_migrate(to->buckets, from->buckets);
}

/* One xlat_packet() call: the real output and what is being translated. */
struct call {
	struct xlat_ctx *x;
	struct meter *m;
	void (*emit)(void *arg, const struct pkt *p);
	void *emit_arg;
	bool from6;                 /* input is IPv6 with a whole header */
	struct in6_addr src6;       /* its source */
};

static void meter_emit(void *arg, const struct pkt *p)
{
	struct call *c = arg;
	struct in6_addr dst6;
	const struct in6_addr *a = NULL;
	enum usage_dir d = USAGE_6TO4;

	if (p->len >= IP6_HDR && p->data[0] >> 4 == 6) {
		memcpy(&dst6, p->data + 24, sizeof(dst6));
		a = &dst6;
		d = USAGE_4TO6;
	} else if (c->from6) {
		a = &c->src6;
	}
	/* a TSO/USO super-packet is charged all of its bytes */
	if (c->m->buckets && !buckets_admit(c->m->buckets, a, p->len, c->x->now_ms)) {
		if (a && c->m->usage)
			usage_add6(c->m->usage, a, USAGE_LIMITED, p->len);
		xlat_count_drop(c->x, DROP_RATE_LIMIT);
		return;
	}
	if (a && c->m->usage)
		usage_add6(c->m->usage, a, d, p->len);
	c->emit(c->emit_arg, p);
}

static uint64_t unmapped_drops(const struct xlat_counters *s)
{
	return s->drops[DROP_NO_MAP_DST] + s->drops[DROP_SELF] + s->drops[DROP_FORBIDDEN_ADDR] +
	       s->drops[DROP_MARTIAN];
}

enum xlat_verdict meter_packet(struct xlat_ctx *x, struct pkt *p,
			       enum xlat_verdict (*xlat)(struct xlat_ctx *, struct pkt *))
{
	struct call c = { .x = x, .m = x->meter, .emit = x->emit, .emit_arg = x->emit_arg };
	bool from4 = p->len >= 20 && p->data[0] >> 4 == 4;
	uint64_t unmapped = unmapped_drops(x->stats), len = p->len;
	struct in_addr src4;
	enum xlat_verdict v;

	if (from4)
		memcpy(&src4, p->data + 12, sizeof(src4));
	if (p->len >= IP6_HDR && p->data[0] >> 4 == 6) {
		c.from6 = true;
		memcpy(&c.src6, p->data + 8, sizeof(c.src6));
	}
	x->emit = meter_emit;
	x->emit_arg = &c;
	v = xlat(x, p);
	x->emit = c.emit;
	x->emit_arg = c.emit_arg;
	/* dropped for want of an IPv6 address: an unassigned pool address
	 * (scans), the translator's own address, a reserved or martian address */
	if (from4 && c.m->usage && unmapped_drops(x->stats) != unmapped)
		usage_add4(c.m->usage, &src4, USAGE_UNMAPPED, len);
	return v;
}

void meter_report(struct meter *m, void (*line)(void *arg, const char *msg), void *arg)
{
	if (m && m->usage)
		usage_report(m->usage, line, arg);
}

void meter_write_prom(const void *arg, FILE *f)
{
	const struct meter *m = arg;

	if (m && m->usage)
		usage_write_prom(m->usage, f, m->top);
	if (m && m->buckets)
		fprintf(f, "# TYPE tayga_rate_limit_overflow_packets_total counter\n"
			   "tayga_rate_limit_overflow_packets_total %llu\n",
			(unsigned long long)m->buckets->overflow);
}
