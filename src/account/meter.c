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

/* The translator's output, charged before it goes on (see meter.h). */
static struct xlat_result meter_emit(void *arg, const struct pkt *p)
{
	struct meter *m = arg;
	struct in6_addr dst6;
	const struct in6_addr *a = NULL;
	enum usage_dir d = USAGE_6TO4;

	if (p->len >= IP6_HDR && p->data[0] >> 4 == 6) {
		memcpy(&dst6, p->data + 24, sizeof(dst6));
		a = &dst6;
		d = USAGE_4TO6;
	} else if (m->in.from6) {
		a = &m->in.src6;
	}
	/* a TSO/USO super-packet is charged all of its bytes */
	if (m->buckets && !buckets_admit(m->buckets, a, p->len, m->in.now_ms)) {
		if (a && m->usage)
			usage_add6(m->usage, a, USAGE_LIMITED, p->len);
		return (struct xlat_result){ .verdict = XLAT_DROP, .why = DROP_RATE_LIMIT };
	}
	if (a && m->usage)
		usage_add6(m->usage, a, d, p->len);
	return m->out(m->out_arg, p);
}

void meter_attach(struct meter *m, struct xlat_ctx *x, xlat_emit_fn out, void *out_arg)
{
	if (!m) {
		x->emit = out;
		x->emit_arg = out_arg;
		return;
	}
	m->out = out;
	m->out_arg = out_arg;
	x->emit = meter_emit;
	x->emit_arg = m;
}

/* Dropped for want of an IPv6 address: an unassigned pool address (scans),
 * the translator's own address, a reserved or martian address. */
static bool unmapped(enum drop_reason r)
{
	return r == DROP_NO_MAP_DST || r == DROP_SELF || r == DROP_FORBIDDEN_ADDR ||
	       r == DROP_MARTIAN;
}

/* Not inlined: without a meter, meter_packet() is a jump to xlat_packet(). */
__attribute__((noinline))
static struct xlat_result metered(struct meter *m, struct xlat_ctx *x, struct pkt *p)
{
	bool from4 = p->len >= 20 && p->data[0] >> 4 == 4;
	uint64_t len = p->len;
	struct in_addr src4;
	struct xlat_result r;

	if (from4)
		memcpy(&src4, p->data + 12, sizeof(src4));
	m->in.from6 = p->len >= IP6_HDR && p->data[0] >> 4 == 6;
	if (m->in.from6)
		memcpy(&m->in.src6, p->data + 8, sizeof(m->in.src6));
	m->in.now_ms = x->now_ms;
	r = xlat_packet(x, p);
	m->in.from6 = false;
	if (from4 && m->usage && r.verdict == XLAT_DROP && unmapped(r.why))
		usage_add4(m->usage, &src4, USAGE_UNMAPPED, len);
	return r;
}

struct xlat_result meter_packet(struct meter *m, struct xlat_ctx *x, struct pkt *p)
{
	if (!m)
		return xlat_packet(x, p);
	return metered(m, x, p);
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
