/* counters.c - the names of the drop reasons (counters.h). */
#include "core/counters.h"

static const char *const drop_names[] = {
#define DROP_NAME_(id, name) [DROP_##id] = name,
	DROP_REASONS(DROP_NAME_)
#undef DROP_NAME_
};

const char *drop_reason_name(enum drop_reason r)
{
	if ((unsigned)r >= DROP_MAX)
		return "unknown";
	return drop_names[r];
}

uint64_t drops_total(const struct xlat_counters *c)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < DROP_MAX; i++)
		t += c->drops[i];
	return t;
}
