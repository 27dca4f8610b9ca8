/* atomic_file.c - write a file by temporary name and rename (atomic_file.h). */
#include "lib/atomic_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint32_t sys_rnd(void *arg)
{
	uint32_t v;

	(void)arg;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* no entropy yet (early boot): unpredictable enough for a name
	 * that is created O_EXCL anyway */
	return (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)clock();
}

/* Split path into its directory (opened) and its last component. */
static int open_dir_of(const char *path, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dl;

	if (!slash) {
		*base = path;
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	*base = slash + 1;
	dl = slash == path ? 1 : (size_t)(slash - path);
	if (dl >= sizeof(dir) || !**base) {
		errno = !**base ? EISDIR : ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Create a fresh temporary file next to base; its name in tmp. */
static int create_tmp(int dfd, const char *base, mode_t mode, char *tmp, size_t tmplen,
		      uint32_t (*rnd)(void *), void *rnd_arg)
{
	for (int i = 0; i < ATOMIC_FILE_TRIES; i++) {
		int fd;

		if ((size_t)snprintf(tmp, tmplen, "%s.tmp.%08x", base, (unsigned)rnd(rnd_arg)) >= tmplen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* Fill, flush and sync the open temporary file; closes it. 0 or errno. */
static int fill_tmp(int fd, atomic_fill_fn *fill, void *arg)
{
	FILE *f = fdopen(fd, "w");
	int err = 0;

	if (!f) {
		err = errno;
		close(fd);
		return err;
	}
	errno = 0;
	if (fill(arg, f) != 0)
		err = errno ? errno : EIO;
	if (!err && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0))
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && !err)
		err = errno;
	return err;
}

int atomic_file_write_rnd(const char *path, mode_t mode, atomic_fill_fn *fill, void *arg,
			  uint32_t (*rnd)(void *rnd_arg), void *rnd_arg)
{
	char tmp[NAME_MAX + 1];
	const char *base;
	int dfd = open_dir_of(path, &base), fd, err;

	if (dfd < 0)
		return -1;
	fd = create_tmp(dfd, base, mode, tmp, sizeof(tmp), rnd, rnd_arg);
	if (fd < 0) {
		err = errno;
		close(dfd);
		errno = err;
		return -1;
	}
	err = fill_tmp(fd, fill, arg);
	if (!err && renameat(dfd, tmp, dfd, base) != 0)
		err = errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);     /* make the rename durable */
	close(dfd);
	errno = err;
	return err ? -1 : 0;
}

int atomic_file_write(const char *path, mode_t mode, atomic_fill_fn *fill, void *arg)
{
	return atomic_file_write_rnd(path, mode, fill, arg, sys_rnd, NULL);
}

/* name is base + ".tmp." + 8 hex digits */
static bool is_tmp_of(const char *name, const char *base)
{
	size_t bl = strlen(base);

	if (strncmp(name, base, bl) != 0 || strncmp(name + bl, ".tmp.", 5) != 0 ||
	    strlen(name + bl + 5) != 8)
		return false;
	for (const char *h = name + bl + 5; *h; h++)
		if (!isxdigit((unsigned char)*h))
			return false;
	return true;
}

int atomic_file_sweep(const char *path, time_t max_age, time_t now)
{
	const char *base;
	int dfd = open_dir_of(path, &base), n = 0, fd;
	struct dirent *e;
	DIR *dir;

	if (dfd < 0)
		return 0;
	if ((fd = dup(dfd)) < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		close(dfd);
		return 0;
	}
	while ((e = readdir(dir))) {
		struct stat st;

		if (!is_tmp_of(e->d_name, base) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
		    now - st.st_mtime <= max_age)
			continue;
		n += unlinkat(dfd, e->d_name, 0) == 0;
	}
	closedir(dir);
	close(dfd);
	return n;
}
