/* conf.h - the tayga.conf parser's API: text or file in, an immutable
 * struct config (model.h) out, or "file:line: message". */
#ifndef TAYGA_CONF_H
#define TAYGA_CONF_H

#include <stddef.h>
#include <sys/types.h>

#include "config/model.h"

/* Parse a file. On error returns NULL and writes "file:line: message" into
 * err (errlen bytes). All cross-checks (prefix/WKP/non-global, map overlaps,
 * pool vs maps vs ipv4-addr, map-file) are done here. The map-file is a
 * soft source: its unusable lines end up in warnings, not in err; only an
 * unreadable map-file is an error. */
struct config *conf_load(const char *path, char *err, size_t errlen);

/* Same, from a string; `name` is used as the file name in messages.
 * map-file paths are still read from disk. */
struct config *conf_parse_string(const char *text, const char *name,
				 char *err, size_t errlen);

/* A configuration as text: the file and its map-file (map NULL without
 * one). A privileged process reads and validates both; a jailed one parses
 * the same text without touching the disk (privilege separation, tayga(8)). */
struct conf_text {
	char *text;
	size_t len;
	char *map;
	size_t map_len;
};
/* conf_load() that also returns the text it parsed (free with
 * conf_text_free; zeroed on failure). */
struct config *conf_load_text(const char *path, struct conf_text *t, char *err, size_t errlen);
/* Whose reach the files must be out of (tayga(8) "Privileges"): with a
 * guard the configuration file and the map-file are opened by
 * lib/safe_path.h, never through anything that user could place or
 * change, and refused before a byte is read ("refused: DIR can be changed
 * by the runtime user"). Paths must be absolute then. */
struct conf_guard {
	uid_t uid;
	gid_t gid;
};
/* conf_load_text() with a guard (NULL: none). */
struct config *conf_load_guarded(const char *path, const struct conf_guard *g,
				 struct conf_text *t, char *err, size_t errlen);
/* Parse t as if read from path (relative paths resolve as for conf_load);
 * the map-file's contents are t->map, never read from disk. */
struct config *conf_parse_text(const struct conf_text *t, const char *path, char *err,
			       size_t errlen);
void conf_text_free(struct conf_text *t);

void conf_free(struct config *c);

#endif
