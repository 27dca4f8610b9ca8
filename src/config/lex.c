/* lex.c - reading a configuration: files (bounded, regular files only), lines,
 * words; each line dispatched to its directive. */
#include "config/parser.h"
#include "lib/safe_path.h"

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

/* ---- line splitting ---- */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Split one line (modified in place) into words; '#' starts a comment.
 * Returns the word count, or -1 when there are more than max. */
static int split_words(char *s, char **argv, int max)
{
	int n = 0;

	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = s;
		while (*s && !is_space(*s) && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return n;
		}
		if (*s)
			*s++ = '\0';
	}
}

static bool parse_line(struct parser *p, char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = split_words(line, argv, MAX_ARGS + 1);
	const struct directive *d = NULL;

	if (argc == 0)
		return true;
	if (argc < 0)
		return fail(p, "too many words on the line");
	d = directive_find(argv[0]);
	if (!d)
		return fail(p, "unknown directive \"%s\"", argv[0]);
	if (p->in_map_file && d->id != D_MAP)
		return fail(p, "%s: only map lines are allowed in a map-file", d->name);
	if (argc - 1 < d->min_args || argc - 1 > d->max_args)
		return fail(p, "%s: wrong number of arguments (usage: %s %s)", d->name, d->name, d->usage);
	if (!p->in_map_file) {
		if (p->seen[d->id] && !d->repeat)
			return fail(p, "%s: given twice (first on line %u); only map, tun-ip and tun-route may repeat",
				    d->name, p->seen[d->id]);
		if (!p->seen[d->id])
			p->seen[d->id] = p->line;
	}
	return d->fn(p, d->name, argv + 1, argc - 1);
}

/* CRLF line ends (a file edited on Windows) are fine: the CR before the LF
 * is white space. A CR with more text after it means CR-only line ends,
 * which would read as one long line. */
static bool cr_inside(const char *s)
{
	const char *r = strchr(s, '\r');

	return r && r[strspn(r, "\r \t")] != '\0';
}

/* Keep p->err ("file:line: message") as a warning about a map-file line
 * that is not used. False only when out of memory. */
bool warn_skip(struct parser *p, unsigned line)
{
	static const char tail[] = "; line skipped";
	struct warning *w;
	size_t n;

	if (p->nwarn >= MAX_WARNINGS) {
		p->warn_dropped++;
		return true;
	}
	n = strlen(p->err);
	if (!grow(p, (void **)&p->warn, &p->cap_warn, p->nwarn, sizeof(*p->warn)))
		return false;
	w = &p->warn[p->nwarn];
	if (!(w->msg = malloc(n + sizeof(tail))))
		return fail(p, "out of memory");
	memcpy(w->msg, p->err, n);
	memcpy(w->msg + n, tail, sizeof(tail));
	w->line = line;
	w->seq = p->nwarn++;
	return true;
}

/* Parse a whole buffer (NUL-terminated, len bytes before the NUL). */
bool parse_text(struct parser *p, char *text, size_t len)
{
	char *s = text, *end = text + len;

	p->line = 0;
	/* a UTF-8 byte order mark some editors put in front */
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s <= end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		bool ok;
		if (nl)
			*nl = '\0';
		p->line++;
		if (strlen(s) != (size_t)((nl ? nl : end) - s))
			ok = fail(p, "NUL byte in the file");
		else if (cr_inside(s))
			ok = fail(p, "carriage return (CR) inside the line: the file seems to have CR-only "
				  "line ends (classic Mac OS); save it with LF (or CRLF) line ends");
		else
			ok = parse_line(p, s);
		/* a bad map-file line is skipped (warn_skip); elsewhere it is fatal */
		if (!ok && (!p->in_map_file || !warn_skip(p, p->line)))
			return false;
		if (!nl)
			break;
		s = nl + 1;
	}
	return true;
}

/* Where a file failed to open or read: the config itself as "file: ...",
 * a map-file as "tayga.conf:LINE: map-file: PATH: ..." */
__attribute__((format(printf, 4, 5)))
static bool fail_file(struct parser *p, const char *path, const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what)
		return fail(p, "%s: %s: %s", what, path, msg);
	return fail_at(p, path, 0, "%s", msg);
}

/* Open a file to read, refusing anything but a regular file: opened
 * without O_NONBLOCK a FIFO would block start-up, or the whole daemon at a
 * reload, until some writer came along; a device might never end. */
static FILE *open_regular(struct parser *p, const char *path, const char *what)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char why[PATH_MAX];
	int fd = p->guard ? safe_path_open(path, flags, 0, p->guard->uid, p->guard->gid, why,
					   sizeof(why))
			  : open(path, flags);
	struct stat st;
	FILE *f = NULL;

	if (fd < 0 && p->guard && errno == EPERM) {
		/* nothing of it was read: its content can't leak into a message */
		fail_file(p, path, what, "refused: %.300s can be changed by the runtime user; keep "
			  "configuration out of its reach (only data-dir is its own)", why);
		return NULL;
	}
	if (fd < 0) {
		fail_file(p, path, what, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		fail_file(p, path, what, "cannot read: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		fail_file(p, path, what, "is %s, not a regular file", conf_file_kind(st.st_mode));
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "r")))
		fail_file(p, path, what, "cannot open: %s", strerror(errno));
	if (!f)
		close(fd);
	return f;
}

/* Read a whole file into a NUL-terminated buffer. what: the directive that
 * names it ("map-file"), NULL for the config itself. */
char *read_file(struct parser *p, const char *path, const char *what, size_t *len)
{
	FILE *f = open_regular(p, path, what);
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (cap - n < 4096 + 1) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			if (cap > CONF_MAX_FILE + 8192) {
				fail_file(p, path, what, "file is too big (more than %u bytes)", CONF_MAX_FILE);
				goto err;
			}
			if (!(nb = realloc(buf, cap))) {
				fail_file(p, path, what, "out of memory");
				goto err;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fail_file(p, path, what, "cannot read: %s", strerror(errno ? errno : EIO));
		goto err;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
err:
	free(buf);
	fclose(f);
	return NULL;
}
