/* pool_file.c - dynamic.map, TAYGA's format, apart from the pool's data
 * structures: read it into a pool, write a pool to it. With `workers N`
 * the file stays one: each worker reads its own lines and merges its slice
 * into the file under a lock. */
#include "state/pool.h"
#include "lib/atomic_file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER "# tayga dynamic pool mappings: IPv4<TAB>IPv6<TAB>last use (unix seconds)\n"

struct rehome {                 /* a line whose host this worker took over */
	struct in6_addr v6;
	struct in_addr v4;
	time_t last;
	unsigned lineno;
};

struct loader {
	struct pool *p;
	const char *path;
	time_t now;
	const struct pool_load_cb *cb;
	struct rehome *re;
	size_t nre, capre;
	long loaded;
	unsigned long said, unsaid;     /* messages given, and held back */
};

static void say(const struct loader *l, unsigned lineno, const char *what)
{
	char msg[768];

	if (!l->cb->report)
		return;
	snprintf(msg, sizeof(msg), "%s:%u: %s", l->path, lineno, what);
	l->cb->report(l->cb->arg, msg);
}

/* A line that cannot be used: at most POOL_LOAD_WARN_MAX are reported, the
 * rest counted (a damaged or hostile file of millions of bad lines must not
 * flood the log). */
static void say_bad(struct loader *l, unsigned lineno, const char *why)
{
	if (l->said >= POOL_LOAD_WARN_MAX) {
		l->unsaid++;
		return;
	}
	l->said++;
	say(l, lineno, why);
}

/* The reason a line cannot be used, or NULL when it parsed into v4/v6/last. */
static const char *parse_line(const char *line, struct in_addr *v4, struct in6_addr *v6,
			      long long *last)
{
	char s4[64], s6[128], extra[2];

	if (sscanf(line, "%63s %127s %lld %1s", s4, s6, last, extra) != 3)
		return "expected: IPv4 IPv6 last-use-seconds";
	if (inet_pton(AF_INET, s4, v4) != 1)
		return "bad IPv4 address";
	if (inet_pton(AF_INET6, s6, v6) != 1)
		return "bad IPv6 address";
	if (*last < 0)
		return "bad last-use time";
	return NULL;
}

/* One parsed line into the pool. */
static void take(struct loader *l, unsigned lineno, struct in_addr v4, const struct in6_addr *v6,
		 long long last)
{
	const char *why = NULL;

	switch (pool_place(l->p, v4, v6, (time_t)last, l->now, &why)) {
	case PLACE_OK:
		l->loaded++;
		return;
	case PLACE_OTHER:
		return;
	case PLACE_MOVED:
		say(l, lineno, "left to the worker its host is steered to now (workers changed): "
			       "that worker gives it an address of its own slice");
		return;
	case PLACE_REHOME:
		/* after every line is in: a new address must not take one a
		 * later line holds */
		if (l->nre == l->capre) {
			size_t cap = l->capre ? l->capre * 2 : 64;
			struct rehome *n = realloc(l->re, cap * sizeof(*n));
			if (!n) {
				say(l, lineno, "out of memory: mapping dropped");
				return;
			}
			l->re = n;
			l->capre = cap;
		}
		l->re[l->nre++] = (struct rehome){ *v6, v4, (time_t)last, lineno };
		return;
	case PLACE_BAD:
		say_bad(l, lineno, why);
		return;
	}
}

static void rehome_all(struct loader *l)
{
	for (size_t k = 0; k < l->nre; k++) {
		char s4[INET_ADDRSTRLEN], n4[INET_ADDRSTRLEN], msg[256];
		struct in_addr v4;
		bool ok = pool_rehome(l->p, &l->re[k].v6, l->re[k].last, l->now, &v4);

		inet_ntop(AF_INET, &l->re[k].v4, s4, sizeof(s4));
		if (ok)
			inet_ntop(AF_INET, &v4, n4, sizeof(n4));
		snprintf(msg, sizeof(msg), "%s re-homed to %s (workers changed: its host is this "
			 "worker's now)", s4, ok ? n4 : "nothing (expired, or no free address)");
		say(l, l->re[k].lineno, msg);
		l->loaded += ok;
	}
}

/* Open dynamic.map to read: never through a link (the directory may be
 * the runtime user's while root reads it), only a regular file, and not
 * one bigger than POOL_LOAD_MAX_BYTES (EFBIG). NULL with errno. */
static FILE *open_map(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;
	int err = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (st.st_size > (off_t)POOL_LOAD_MAX_BYTES)
		err = EFBIG;
	else if (!(f = fdopen(fd, "r")))
		err = errno;
	if (!f) {
		close(fd);
		errno = err;
	}
	return f;
}

/* One line: NULL when it was used or skipped silently, else the reason. */
static const char *load_line(struct loader *l, FILE *f, char *line, size_t size, unsigned lineno)
{
	long long last;
	struct in_addr v4;
	struct in6_addr v6;
	const char *why;
	size_t len = strlen(line);

	if (len == size - 1 && line[len - 1] != '\n') {
		int ch;
		while ((ch = fgetc(f)) != EOF && ch != '\n')
			;
		return "line too long";
	}
	if (len == 0 || line[len - 1] != '\n')
		return "truncated line (no newline)";
	if (line[0] == '#' || strspn(line, " \t\r\n") == len)
		return NULL;
	if ((why = parse_line(line, &v4, &v6, &last)))
		return why;
	take(l, lineno, v4, &v6, last);
	return NULL;
}

long pool_load_cb(struct pool *p, const char *path, time_t now, const struct pool_load_cb *cb)
{
	struct loader l = { .p = p, .path = path, .now = now, .cb = cb };
	char line[512], msg[PATH_MAX + 64];
	unsigned lineno = 0;
	bool stopped = false;
	FILE *f;

	if (!p)
		return 0;
	if (!(f = open_map(path)))
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		const char *why = load_line(&l, f, line, sizeof(line), ++lineno);
		if (why)
			say_bad(&l, lineno, why);
		/* a big file takes a while: a stop signal must not wait for it */
		if (lineno % POOL_LOAD_STOP_EVERY == 0 && cb->stop && cb->stop(cb->arg)) {
			stopped = true;
			break;
		}
	}
	fclose(f);
	if (!stopped && !pool_loaded(p) && cb->report)
		cb->report(cb->arg, "out of memory sorting dynamic.map by last use: dormant mappings "
				    "are reused in file order");
	if (!stopped)
		rehome_all(&l);
	free(l.re);
	if (l.unsaid && cb->report) {
		snprintf(msg, sizeof(msg), "%s: %lu more lines skipped (not shown)", path, l.unsaid);
		cb->report(cb->arg, msg);
	}
	if (stopped) {
		errno = EINTR;
		return -1;
	}
	return l.loaded;
}

long pool_load(struct pool *p, const char *path, time_t now,
	       void (*report)(void *arg, const char *msg), void *arg)
{
	struct pool_load_cb cb = { .report = report, .arg = arg };

	return pool_load_cb(p, path, now, &cb);
}

static void write_line(void *arg, struct in_addr v4, const struct in6_addr *v6, time_t last)
{
	char s4[INET_ADDRSTRLEN], s6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &v4, s4, sizeof(s4));
	inet_ntop(AF_INET6, v6, s6, sizeof(s6));
	fprintf(arg, "%s\t%s\t%lld\n", s4, s6, (long long)last);
}

/* The other workers' lines of the current file, as they are. */
static void copy_others(const struct pool *p, const char *path, FILE *out)
{
	char line[512];
	FILE *in = fopen(path, "r");

	if (!in)
		return;
	while (fgets(line, sizeof(line), in)) {
		long long last;
		struct in_addr v4;
		struct in6_addr v6;
		size_t len = strlen(line);
		int w;

		if (len == 0 || line[len - 1] != '\n' || line[0] == '#' ||
		    parse_line(line, &v4, &v6, &last))
			continue;
		w = pool_owner(p, v4);
		if (w >= 0 && (unsigned)w != pool_worker(p))
			fputs(line, out);
	}
	fclose(in);
}

/* The directory of path, open (to lock it while the workers merge). */
static int open_dir(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct saver {
	const struct pool *p;
	const char *path;
	bool merge;
};

static int fill(void *arg, FILE *f)
{
	const struct saver *s = arg;

	fputs(HEADER, f);
	if (s->merge)
		copy_others(s->p, s->path, f);
	pool_each(s->p, write_line, f);
	return ferror(f) ? -1 : 0;
}

int pool_save(struct pool *p, const char *path)
{
	struct saver s = { p, path, false };
	int dfd = -1, r, err;

	if (!p)
		return 0;
	/* workers write in turn: each reads the others' lines as they are */
	s.merge = pool_workers(p) > 1;
	if (s.merge && ((dfd = open_dir(path)) < 0 || flock(dfd, LOCK_EX) != 0)) {
		err = errno;
		if (dfd >= 0)
			close(dfd);
		errno = err;
		return -1;
	}
	r = atomic_file_write(path, 0644, fill, &s);
	err = errno;
	if (dfd >= 0)
		close(dfd);     /* and the lock with it */
	if (r != 0) {
		errno = err;
		return -1;
	}
	pool_mark_clean(p);
	return 0;
}
