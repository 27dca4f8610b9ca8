/* fuzz_dynmap.c - libFuzzer harness for the dynamic.map loader: whatever
 * it loads must save and load again with no bad line and the same count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf.h"
#include "state/map.h"
#include "state/pool.h"

static unsigned bad;

static void report(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
	bad++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *c;
	static char in[64], out[64];
	char err[256];
	struct pool *p, *q;
	FILE *f;
	long n1, n2;

	if (!c) {
		c = conf_parse_string("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n"
				      "dynamic-pool 192.0.2.0/24\nmap 192.0.2.10 2001:db8:1::10\n",
				      "fuzz.conf", err, sizeof(err));
		if (!c)
			abort();
		snprintf(in, sizeof(in), "/tmp/fuzz_dynmap.%d.in", (int)getpid());
		snprintf(out, sizeof(out), "/tmp/fuzz_dynmap.%d.out", (int)getpid());
	}
	f = fopen(in, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	p = pool_new(c);
	n1 = pool_load(p, in, 2000000000, report, NULL);
	if (n1 < 0 || (size_t)n1 != pool_count(p))
		abort();
	if (pool_save(p, out) != 0)
		abort();
	q = pool_new(c);
	bad = 0;
	n2 = pool_load(q, out, 2000000000, report, NULL);
	if (n2 != n1 || bad != 0)
		abort();
	pool_free(p);
	pool_free(q);
	return 0;
}
