/* safe_path.c - resolve and open a path without trusting what a user could
 * have placed on the way (safe_path.h). */
#include "lib/safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40   /* as the kernel's path walk (MAXSYMLINKS) */

struct walk {
	uid_t uid;
	gid_t gid;
	char done[PATH_MAX];   /* the path resolved so far, for messages */
	char *why;
	size_t whylen;
};

static bool guarded(const struct walk *w)
{
	return w->uid != (uid_t)-1 || w->gid != (gid_t)-1;
}

static bool writable_by(const struct stat *st, const struct walk *w)
{
	return (st->st_mode & S_IWOTH) || (st->st_gid == w->gid && (st->st_mode & S_IWGRP)) ||
	       (st->st_uid == w->uid && (st->st_mode & S_IWUSR));
}

enum { SAFE = 0, BY_DIR, BY_ENTRY };

/* Could the user replace the entry st of directory dir (BY_DIR), or
 * (unless it may be theirs) change the entry itself (BY_ENTRY)? */
static int changeable(const struct stat *st, const struct stat *dir, bool theirs_ok,
		      const struct walk *w)
{
	if (!guarded(w))
		return SAFE;
	if (writable_by(dir, w) || dir->st_uid == w->uid) {
		/* a sticky directory protects the entries others own */
		if (!(dir->st_mode & S_ISVTX))
			return BY_DIR;
		if (st->st_uid == w->uid)
			return BY_ENTRY;
	}
	if (theirs_ok)
		return SAFE;
	if (st->st_uid == w->uid)
		return BY_ENTRY;
	/* a writable directory matters for its entries (next step); a
	 * writable file can be rewritten */
	return !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode) && writable_by(st, w) ? BY_ENTRY : SAFE;
}

static int refuse(struct walk *w)
{
	snprintf(w->why, w->whylen, "%s", w->done[0] ? w->done : "/");
	errno = EPERM;
	return -1;
}

/* Append name to the resolved path (messages only). */
static void track(struct walk *w, const char *name)
{
	size_t n = strlen(w->done);

	if (strcmp(name, "..") == 0) {
		char *s = strrchr(w->done, '/');
		if (s)
			*s = '\0';
		return;
	}
	snprintf(w->done + n, sizeof(w->done) - n, "/%s", name);
}

/* Open the directory name in dfd that fstatat reported as *st, and make
 * sure it is the same one. */
static int open_same(int dfd, const char *name, int flags, const struct stat *st)
{
	struct stat o;
	int fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &o) != 0 || o.st_dev != st->st_dev || o.st_ino != st->st_ino) {
		close(fd);
		errno = EAGAIN;   /* changed between the check and the open */
		return -1;
	}
	return fd;
}

/* Take the next component of rest (advanced past it) into name. */
static bool next_name(char **rest, char *name, size_t len)
{
	char *r = *rest;
	size_t n;

	while (*r == '/' || (r[0] == '.' && (r[1] == '/' || !r[1])))
		r++;
	n = strcspn(r, "/");
	if (!n || n >= len)
		return false;
	memcpy(name, r, n);
	name[n] = '\0';
	*rest = r + n;
	return true;
}

static bool only_slashes(const char *s)
{
	while (*s == '/' || (s[0] == '.' && (s[1] == '/' || !s[1])))
		s++;
	return !*s;
}

/* Start (again) at "/". */
static int at_root(struct walk *w, struct stat *dst)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	w->done[0] = '\0';
	if (fd < 0 || fstat(fd, dst) != 0 || (guarded(w) && (dst->st_uid == w->uid ||
	    writable_by(dst, w)))) {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? -1 : refuse(w);
	}
	return fd;
}

/* A link's target followed by what was left of the path. */
static int follow(int dfd, const char *name, char **rest, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n <= 0)
		return -1;
	target[n] = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", target, *rest) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*rest = buf;
	return target[0] == '/';
}

int safe_path_open(const char *path, int flags, unsigned opts, uid_t uid, gid_t gid, char *why,
		   size_t whylen)
{
	struct walk w = { .uid = uid, .gid = gid, .why = why, .whylen = whylen };
	char bufs[2][2 * PATH_MAX], name[NAME_MAX + 1], *rest;
	struct stat dst, st;
	int dfd, links = 0, b = 0;

	if (path[0] != '/' || strlen(path) >= PATH_MAX) {
		errno = path[0] != '/' ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	snprintf(bufs[0], sizeof(bufs[0]), "%s", path);
	rest = bufs[0];
	if ((dfd = at_root(&w, &dst)) < 0)
		return -1;
	errno = ENOENT;   /* a path that names no file ("/") */
	while (next_name(&rest, name, sizeof(name))) {
		bool last = only_slashes(rest);
		int fd, abs, why_at;

		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
		    (errno != ENOENT || !last || !(opts & SAFE_PATH_CREATE_DIR) ||
		     (mkdirat(dfd, name, 0755) != 0 && errno != EEXIST) ||
		     fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0))
			break;
		why_at = changeable(&st, &dst, last && (opts & SAFE_PATH_LAST_THEIRS) &&
				    !S_ISLNK(st.st_mode), &w);
		if (why_at != BY_DIR)
			track(&w, name);
		if (why_at != SAFE) {
			close(dfd);
			return refuse(&w);
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				errno = ELOOP;
				break;
			}
			b ^= 1;
			if ((abs = follow(dfd, name, &rest, bufs[b], sizeof(bufs[b]))) < 0)
				break;
			/* the link's own path is not where the walk goes on */
			track(&w, "..");
			if (abs && (close(dfd), (dfd = at_root(&w, &dst)) < 0))
				return -1;
			continue;
		}
		fd = open_same(dfd, name, last ? flags : O_RDONLY | O_DIRECTORY, &st);
		if (fd < 0)
			break;
		close(dfd);
		if (last)
			return fd;
		dfd = fd;
		dst = st;
	}
	{
		int err = errno;
		close(dfd);
		errno = err;
	}
	return -1;
}

bool safe_path_writable_by(const char *path, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	int fd;

	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return false;
	fd = safe_path_open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, uid, gid, why, whylen);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EPERM;
}
