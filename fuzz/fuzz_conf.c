/* fuzz_conf.c - libFuzzer harness for the tayga.conf parser. map-file
 * directives are neutralised so the harness never reads arbitrary paths. */
#define _GNU_SOURCE /* strcasestr */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/conf.h"
#include "state/map.h"
#include "state/pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	char *text = malloc(size + 1);
	struct config *c;

	memcpy(text, data, size);
	text[size] = '\0';
	for (char *p = text; (p = strcasestr(p, "map-file")) != NULL; p += 8)
		p[0] = '#';
	c = conf_parse_string(text, "fuzz.conf", err, sizeof(err));
	if (c) {
		struct map *m = map_build(c);
		struct pool *p = pool_new(c);
		pool_free(p);
		map_free(m);
		conf_free(c);
	} else if (strchr(err, ':') == NULL) {
		abort(); /* every error names file:line */
	}
	free(text);
	return 0;
}
