/* conf.c - tayga.conf parser.
 *
 * Two passes: every line is parsed and checked on its own (syntax, ranges,
 * masks, reserved addresses), then cross_check() validates the combination
 * (mandatory directives, ipv6-addr derivation, WKP rules, map overlaps,
 * pool). Every error is "file:line: directive: message"; errors that concern
 * the whole file (a missing directive) are "file: message".
 *
 * Library code: no stderr, no globals; the caller gets the message in err.
 */
#include "config/conf.h"
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
/* ---- entry points ---- */

static struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->wkpf_strict = true;
	c->udp_cksum_mode = UDP_CKSUM_DROP;
	c->offlink_mtu = 1280;
	c->offload = MODE_AUTO;
	c->io_uring = MODE_AUTO;
	c->icmp_rate = 100;
	c->icmp_burst = 50;
	c->stats_interval = 60;
	c->rx_hold_us = RX_HOLD_DEFAULT_US;
	c->rx_busy_poll_us = NUM_AUTO;
	c->workers = 1;
	c->usage_plen6 = 32;
	c->usage_plen4 = 24;
	c->usage_interval = 300;
	c->usage_top = 20;
	c->prefix_table_size = 4096;
	return c;
}

static void free_warn(struct parser *p)
{
	for (size_t i = 0; i < p->nwarn; i++)
		free(p->warn[i].msg);
	free(p->warn);
	p->warn = NULL;
	p->nwarn = 0;
}

/* maps: the map-file's contents when the caller supplies them (conf_text),
 * else NULL (read from disk); keep: when set, receives the map-file read. */
static struct config *parse_all(const char *name, const char *dir, char *text, size_t len,
				const struct conf_text *maps, struct conf_text *keep,
				const struct conf_guard *guard, char *err, size_t errlen)
{
	struct parser p;
	struct config *c = config_new();

	if (err && errlen)
		err[0] = '\0';
	memset(&p, 0, sizeof(p));
	p.guard = guard;
	p.maps = maps;
	p.keep = keep;
	p.err = err;
	p.errlen = errlen;
	p.dir = dir;
	p.file = name;
	if (!c || !(c->path = xstrdup(name))) {
		fail_at(&p, name, 0, "out of memory");
		goto err;
	}
	p.c = c;
	if (!parse_text(&p, text, len) || !cross_check(&p))
		goto err;
	if (c->map_file && (!resolve_map_file(&p) || !load_map_file(&p)))
		goto err;
	free_warn(&p);
	return c;
err:
	free_warn(&p);
	conf_free(c);
	return NULL;
}

/* The directory part of path (NULL without a slash). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dl;
	char *dir;

	if (!slash)
		return NULL;
	dl = slash == path ? 1 : (size_t)(slash - path);
	if ((dir = malloc(dl + 1))) {
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	return dir;
}

struct config *conf_load(const char *path, char *err, size_t errlen)
{
	struct conf_text t;
	struct config *c = conf_load_text(path, &t, err, errlen);

	conf_text_free(&t);
	return c;
}

struct config *conf_load_text(const char *path, struct conf_text *t, char *err, size_t errlen)
{
	return conf_load_guarded(path, NULL, t, err, errlen);
}

struct config *conf_load_guarded(const char *path, const struct conf_guard *g,
				 struct conf_text *t, char *err, size_t errlen)
{
	struct parser p;
	struct config *c = NULL;
	char *dir, *copy;

	memset(t, 0, sizeof(*t));
	memset(&p, 0, sizeof(p));
	p.guard = g;
	p.err = err;
	p.errlen = errlen;
	if (!(t->text = read_file(&p, path, NULL, &t->len)))
		return NULL;
	dir = dir_of(path);
	/* parse_text cuts the text up in place: parse a copy */
	if (!(copy = malloc(t->len + 1)))
		fail_at(&p, path, 0, "out of memory");
	else
		c = parse_all(path, dir, memcpy(copy, t->text, t->len + 1), t->len, NULL, t, g, err,
			      errlen);
	free(copy);
	free(dir);
	if (!c)
		conf_text_free(t);
	return c;
}

struct config *conf_parse_text(const struct conf_text *t, const char *path, char *err,
			       size_t errlen)
{
	char *dir = dir_of(path), *copy = malloc(t->len + 1);
	struct config *c = NULL;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", path);
	} else {
		memcpy(copy, t->text ? t->text : "", t->len);
		copy[t->len] = '\0';
		c = parse_all(path, dir, copy, t->len, t, NULL, NULL, err, errlen);
	}
	free(copy);
	free(dir);
	return c;
}

void conf_text_free(struct conf_text *t)
{
	free(t->text);
	free(t->map);
	memset(t, 0, sizeof(*t));
}

struct config *conf_parse_string(const char *text, const char *name, char *err, size_t errlen)
{
	char *copy = xstrdup(text);
	struct config *c;

	if (!copy) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	c = parse_all(name, NULL, copy, strlen(copy), NULL, NULL, NULL, err, errlen);
	free(copy);
	return c;
}

void conf_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->maps);
	free(c->data_dir);
	free(c->map_file);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->tun_ips);
	free(c->tun_routes);
	free(c->stats_file);
	free(c);
}
