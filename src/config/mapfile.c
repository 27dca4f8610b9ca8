/* mapfile.c - the map-file: a soft source merged under the configuration
 * file's maps (bad or conflicting lines are skipped with file:line warnings). */
#include "config/parser.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/addr.h"
#include "config/conf_paths.h"
#include "config/eam.h"
#include "lib/ratelimit.h"

/* ---- map-file ---- */

static const char *fmt_eam(const struct eam *e, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u %s/%u", fmt4(e->v4, a), e->len4, fmt6(&e->v6, b), e->len6);
	return buf;
}

/* Collect c->maps[from..] that skip[] keeps (skip indexes from nconf) into
 * v/pos; val is the entry's line for config maps (i < nconf), else 0 when
 * order is false or its rank when true. Returns the count. */
static size_t collect(const struct config *c, size_t from, size_t nconf, const bool *skip, bool order,
		      const struct eam **v, long *val, size_t *pos)
{
	size_t k = 0;

	for (size_t i = from; i < c->nmaps; i++) {
		if (i >= nconf && skip[i - nconf])
			continue;
		v[k] = &c->maps[i];
		val[k] = i < nconf ? (long)c->maps[i].line : order ? (long)k : 0;
		pos[k++] = i;
	}
	return k;
}

/* Map-file entries c->maps[nconf..] that conflict (same IPv4 prefix or
 * overlapping IPv6 prefixes, eam.h) with a config-file map are skipped: the
 * config file wins. Among the rest a later line replaces every earlier one
 * it conflicts with. skip[] marks what goes; warnings say why. */
static bool file_conflicts(struct parser *p, size_t nconf, bool *skip)
{
	struct config *c = p->c;
	size_t n = c->nmaps, k;
	/* calloc: gcc cannot see that collect() fills what pass 1 reads */
	const struct eam **v = calloc(n ? n : 1, sizeof(*v));
	long *val = calloc(n ? n : 1, sizeof(*val)), *out = calloc(n ? n : 1, sizeof(*out));
	size_t *pos = calloc(n ? n : 1, sizeof(*pos));
	char w[PATH_MAX + 32], b[128];
	bool ok = v && val && out && pos;

	/* pass 1: config maps carry their line (>= 1), file lines 0 */
	k = ok ? collect(c, 0, nconf, skip, false, v, val, pos) : 0;
	ok = ok && eam_conflict_max(v, val, k, out) == 0;
	for (size_t j = 0; ok && j < k; j++) {
		const struct eam *e = v[j];
		if (pos[j] < nconf || out[j] == 0)
			continue;
		skip[pos[j] - nconf] = true;
		fail_at(p, e->file, e->line, "map: %s conflicts with the map on %s (the configuration file wins)",
			fmt_eam(e, b, sizeof(b)), where(w, sizeof(w), e->file, c->path, (unsigned)out[j]));
		ok = warn_skip(p, e->line);
	}
	/* pass 2: file lines carry their rank; a higher one conflicting wins */
	k = ok ? collect(c, nconf, nconf, skip, true, v, val, pos) : 0;
	ok = ok && eam_conflict_max(v, val, k, out) == 0;
	for (size_t j = 0; ok && j < k; j++) {
		const struct eam *e = v[j];
		if (out[j] == (long)j)
			continue;
		skip[pos[j] - nconf] = true;
		fail_at(p, e->file, e->line, "map: %s is replaced by line %u, which overlaps it",
			fmt_eam(e, b, sizeof(b)), v[out[j]]->line);
		ok = warn_skip(p, e->line);
	}
	if (!v || !val || !out || !pos)
		fail_at(p, c->map_file, 0, "out of memory");
	free(v);
	free(val);
	free(out);
	free(pos);
	return ok;
}

/* Drop the map-file lines that can't be used (see load_map_file). */
bool check_file_maps(struct parser *p, size_t nconf)
{
	struct config *c = p->c;
	size_t m = c->nmaps - nconf, k = nconf;
	bool *skip = calloc(m ? m : 1, sizeof(*skip));
	bool ok = skip != NULL;

	for (size_t i = 0; ok && i < m; i++)
		if (!map_vs_config(p, &c->maps[nconf + i])) {
			skip[i] = true;
			ok = warn_skip(p, c->maps[nconf + i].line);
		}
	ok = ok && file_conflicts(p, nconf, skip);
	for (size_t i = 0; ok && i < m; i++)
		if (!skip[i])
			c->maps[k++] = c->maps[nconf + i];
	if (ok)
		c->nmaps = k;
	if (!skip)
		fail_at(p, c->map_file, 0, "out of memory");
	free(skip);
	return ok;
}

static int cmp_warning(const void *a, const void *b)
{
	const struct warning *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the warnings to the config, in line order. */
static bool finish_warnings(struct parser *p)
{
	struct config *c = p->c;
	size_t n = p->nwarn + (p->warn_dropped ? 1 : 0);

	if (n == 0)
		return true;
	if (!(c->warnings = calloc(n, sizeof(*c->warnings))))
		return fail_at(p, c->path, 0, "out of memory");
	qsort(p->warn, p->nwarn, sizeof(*p->warn), cmp_warning);
	for (size_t i = 0; i < p->nwarn; i++) {
		c->warnings[i] = p->warn[i].msg;
		p->warn[i].msg = NULL;
	}
	c->nwarnings = p->nwarn;
	if (p->warn_dropped) {
		char m[PATH_MAX + 64];
		snprintf(m, sizeof(m), "%s: %zu more lines skipped", c->map_file, p->warn_dropped);
		if (!(c->warnings[c->nwarnings] = xstrdup(m)))
			return fail_at(p, c->path, 0, "out of memory");
		c->nwarnings++;
	}
	return true;
}

/* The map-file is a soft source (other tools write it): a bad line, or one
 * that conflicts with the configuration file (its map lines, ipv4-addr,
 * ipv6-addr, the prefix, the pool), is skipped with a warning, and a line
 * replaces the earlier lines it conflicts with. Only a file that can't be
 * read is an error. */
bool load_map_file(struct parser *p)
{
	struct config *c = p->c;
	size_t nconf = c->nmaps, len;
	char wbuf[PATH_MAX + 512], *text, *err = p->err;
	size_t errlen = p->errlen;
	bool ok;

	/* errors opening it name the map-file line of the config */
	p->line = p->seen[D_MAP_FILE];
	if (p->maps) {
		len = p->maps->map_len;
		if (!(text = malloc(len + 1)))
			return fail_at(p, c->map_file, 0, "out of memory");
		memcpy(text, p->maps->map ? p->maps->map : "", len);
		text[len] = '\0';
	} else if (!(text = read_file(p, c->map_file, "map-file", &len))) {
		return false;
	}
	/* parse_text cuts the text up in place: keep an intact copy */
	if (p->keep && !(p->keep->map = malloc(len + 1))) {
		free(text);
		return fail_at(p, c->map_file, 0, "out of memory");
	}
	if (p->keep) {
		memcpy(p->keep->map, text, len + 1);
		p->keep->map_len = len;
	}
	p->file = c->map_file;
	p->in_map_file = true;
	p->err = wbuf;
	p->errlen = sizeof(wbuf);
	wbuf[0] = '\0';
	ok = parse_text(p, text, len) && check_file_maps(p, nconf) && finish_warnings(p);
	free(text);
	p->err = err;
	p->errlen = errlen;
	p->file = c->path;
	p->in_map_file = false;
	if (!ok && err && errlen)
		snprintf(err, errlen, "%s", wbuf);
	return ok;
}

/* TAYGA chdir()s to data-dir, so a relative map-file is relative to it;
 * without data-dir, to the configuration file's directory. */
bool resolve_map_file(struct parser *p)
{
	struct config *c = p->c;
	char *r;

	if (c->map_file[0] == '/')
		return true;
	if (!(r = c->data_dir ? join_path(c->data_dir, c->map_file) : resolve_path(p, c->map_file)))
		return fail_at(p, c->path, 0, "out of memory");
	free(c->map_file);
	c->map_file = r;
	return true;
}
