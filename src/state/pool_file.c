/* pool_file.c - dynamic.map, TAYGA's format, apart from the pool's data
 * structures: read it into a pool, write a pool to it. With `workers N`
 * the file stays one: each worker reads its own lines and merges its slice
 * into the file under a lock. */
#include "state/pool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
	void (*report)(void *arg, const char *msg);
	void *arg;
	struct rehome *re;
	size_t nre, capre;
	long loaded;
};

static void say(const struct loader *l, unsigned lineno, const char *what)
{
	char msg[768];

	if (!l->report)
		return;
	snprintf(msg, sizeof(msg), "%s:%u: %s", l->path, lineno, what);
	l->report(l->arg, msg);
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
		say(l, lineno, why);
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

long pool_load(struct pool *p, const char *path, time_t now,
	       void (*report)(void *arg, const char *msg), void *arg)
{
	struct loader l = { .p = p, .path = path, .now = now, .report = report, .arg = arg };
	char line[512];
	unsigned lineno = 0;
	FILE *f;

	if (!p)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		long long last;
		struct in_addr v4;
		struct in6_addr v6;
		const char *why = NULL;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			why = "line too long";
		} else if (len == 0 || line[len - 1] != '\n') {
			why = "truncated line (no newline)";
		} else if (line[0] == '#' || strspn(line, " \t\r\n") == len) {
			continue;
		} else if (!(why = parse_line(line, &v4, &v6, &last))) {
			take(&l, lineno, v4, &v6, last);
			continue;
		}
		say(&l, lineno, why);
	}
	fclose(f);
	if (!pool_loaded(p) && report)
		report(arg, "out of memory sorting dynamic.map by last use: dormant mappings "
			    "are reused in file order");
	rehome_all(&l);
	free(l.re);
	return l.loaded;
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

/* The directory of path, open (to lock it and to make the rename durable). */
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

int pool_save(struct pool *p, const char *path)
{
	char tmp[4096];
	bool merge;
	FILE *f;
	int dfd, err = 0;

	if (!p)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dfd = open_dir(path);
	/* workers write in turn: each reads the others' lines as they are */
	merge = pool_workers(p) > 1;
	if (merge && (dfd < 0 || flock(dfd, LOCK_EX) != 0)) {
		err = errno;
		if (dfd >= 0)
			close(dfd);
		errno = err;
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		err = errno;
		goto out;
	}
	fputs(HEADER, f);
	if (merge)
		copy_others(p, path, f);
	pool_each(p, write_line, f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err)
		unlink(tmp);
	else if (dfd >= 0)
		fsync(dfd);     /* make the rename durable */
out:
	if (dfd >= 0)
		close(dfd);     /* and the lock with it */
	if (err) {
		errno = err;
		return -1;
	}
	pool_mark_clean(p);
	return 0;
}
