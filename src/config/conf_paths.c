/* conf_paths.c - check the paths a config names (see conf_paths.h). */
#include "config/conf_paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"

struct pcheck {
	const struct config *c;
	char *err;
	size_t errlen;
};

#define WORD_MAX 100   /* longer words are cut in messages */

/* Copy msg into err (errlen bytes, always terminated): control characters
 * as \xNN, so a config line cannot drive the terminal the message is shown
 * on; a word longer than WORD_MAX (an overlong token) cut to its start and
 * "...", so the explanation after it still fits. */
static void put_clean(char *err, size_t errlen, const char *msg)
{
	size_t o = 0, word = 0;

	for (const unsigned char *s = (const unsigned char *)msg; *s && o + 1 < errlen; s++) {
		word = *s == ' ' ? 0 : word + 1;
		if (word > WORD_MAX) {
			if (word == WORD_MAX + 1 && o + 4 < errlen)
				o += (size_t)snprintf(err + o, errlen - o, "...");
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			if (o + 5 > errlen)
				break;
			o += (size_t)snprintf(err + o, errlen - o, "\\x%02x", *s);
		} else {
			err[o++] = (char)*s;
		}
	}
	err[o] = '\0';
}

void conf_verr(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, va_list ap)
{
	char head[64], *full = NULL;
	size_t hl, fl = strlen(file);
	va_list aq;
	int n;

	if (!err || !errlen)
		return;
	if (line)
		hl = (size_t)snprintf(head, sizeof(head), ":%u: ", line);
	else
		hl = (size_t)snprintf(head, sizeof(head), ": ");
	/* the message may hold a token of any length: format it whole */
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n >= 0 && (full = malloc(fl + hl + (size_t)n + 1))) {
		memcpy(full, file, fl);
		memcpy(full + fl, head, hl);
		vsnprintf(full + fl + hl, (size_t)n + 1, fmt, ap);
		put_clean(err, errlen, full);
	} else {
		snprintf(err, errlen, "%s: out of memory", file);
	}
	free(full);
}

__attribute__((format(printf, 3, 4)))
static bool pfail(struct pcheck *k, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(k->err, k->errlen, k->c->path, line, fmt, ap);
	va_end(ap);
	return false;
}

const char *conf_file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "of an unknown kind";
}

/* "a/b/c" -> "a/b", "/c" -> "/", "c" -> "." */
static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

static bool same_file(const char *a, const struct stat *sa, const char *b)
{
	struct stat sb;

	if (!b)
		return false;
	if (strcmp(a, b) == 0)
		return true;
	return sa && stat(b, &sb) == 0 && sa->st_dev == sb.st_dev && sa->st_ino == sb.st_ino;
}

/* A directory the daemon writes into (temporary file + rename). */
static bool writable_dir(struct pcheck *k, unsigned line, const char *what, const char *dir,
			 const char *hint)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return pfail(k, line, "%s: directory %s: %s%s", what, dir, strerror(errno), hint);
	if (!S_ISDIR(st.st_mode))
		return pfail(k, line, "%s: %s is %s, not a directory%s", what, dir,
			     conf_file_kind(st.st_mode), hint);
	if (access(dir, W_OK | X_OK) != 0)
		return pfail(k, line, "%s: directory %s is not writable: %s", what, dir, strerror(errno));
	return true;
}

static bool check_data_dir(struct pcheck *k, const char *dir, unsigned flags)
{
	const struct config *c = k->c;
	unsigned line = c->data_dir_line;
	char parent[4096], map[4096];
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || (flags & CONF_PATHS_RELOAD))
			return pfail(k, line, "data-dir: %s: %s%s", dir, strerror(errno),
				     errno == ENOENT ? " (it is created at start-up only)" : "");
		/* start-up creates it: its parent must be a directory */
		dir_of(dir, parent, sizeof(parent));
		return writable_dir(k, line, "data-dir", parent, " (data-dir would be created there)");
	}
	if (!S_ISDIR(st.st_mode))
		return pfail(k, line, "data-dir: %s is %s, not a directory (dynamic.map is written into it)",
			     dir, conf_file_kind(st.st_mode));
	if (!writable_dir(k, line, "data-dir", dir, ""))
		return false;
	snprintf(map, sizeof(map), "%s%sdynamic.map", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
	if (lstat(map, &st) == 0 && !S_ISREG(st.st_mode))
		return pfail(k, line, "data-dir: %s is %s, not a regular file", map, conf_file_kind(st.st_mode));
	return true;
}

static bool check_stats_file(struct pcheck *k, const char *path, const char *dynmap, bool chroot)
{
	const struct config *c = k->c;
	unsigned line = c->stats_file_line;
	const char *hint = chroot ? " (with -r the stats-file is written inside data-dir)" : "";
	char dir[4096];
	struct stat st;
	bool exists = stat(path, &st) == 0;

	if (same_file(path, exists ? &st : NULL, c->path))
		return pfail(k, line, "stats-file: %s is the configuration file (it would be overwritten)", path);
	if (same_file(path, exists ? &st : NULL, c->map_file))
		return pfail(k, line, "stats-file: %s is the map-file (it would be overwritten)", path);
	if (same_file(path, exists ? &st : NULL, dynmap))
		return pfail(k, line, "stats-file: %s is dynamic.map (it would be overwritten)", path);
	if (exists && !S_ISREG(st.st_mode))
		return pfail(k, line, "stats-file: %s is %s, not a regular file", path, conf_file_kind(st.st_mode));
	dir_of(path, dir, sizeof(dir));
	return writable_dir(k, line, "stats-file", dir, hint);
}

bool conf_check_paths(const struct config *c, unsigned flags, char *err, size_t errlen)
{
	struct pcheck k = { c, err, errlen };
	bool chroot = flags & (CONF_PATHS_CHROOT | CONF_PATHS_IN_JAIL);
	const char *dd = (flags & CONF_PATHS_IN_JAIL) ? "/" : c->data_dir;
	char dynmap[4096] = "", stats[8192];

	if (err && errlen)
		err[0] = '\0';
	if (c->data_dir) {
		if (!check_data_dir(&k, dd, flags))
			return false;
		snprintf(dynmap, sizeof(dynmap), "%s%sdynamic.map", dd, dd[strlen(dd) - 1] == '/' ? "" : "/");
	}
	if (!c->stats_file)
		return true;
	/* with -r the stats-file path is taken inside the jail (data-dir) */
	if ((flags & CONF_PATHS_CHROOT) && !(flags & CONF_PATHS_IN_JAIL) && c->data_dir)
		snprintf(stats, sizeof(stats), "%s%s%s", c->data_dir,
			 c->stats_file[0] == '/' ? "" : "/", c->stats_file);
	else
		snprintf(stats, sizeof(stats), "%s", c->stats_file);
	return check_stats_file(&k, stats, dynmap[0] ? dynmap : NULL, chroot);
}
