/* atomic_file.h - the one way the daemon writes a file (dynamic.map, the
 * stats-file): readers see the old file or the new one, never a part, and
 * nothing planted in the directory is ever followed.
 *
 * The content goes to a fresh temporary name in the same directory
 * (PATH.tmp.XXXXXXXX, created O_CREAT|O_EXCL|O_NOFOLLOW: a symlink or any
 * file already at the name is never opened, another name is drawn), is
 * fsync()ed, renamed over PATH, and the directory is fsync()ed so the
 * rename survives a crash. On any failure the temporary file is removed
 * and PATH is left as it was. */
#ifndef TAYGA_ATOMIC_FILE_H
#define TAYGA_ATOMIC_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* Writes the content to f; 0, or -1 with errno to abandon the write. */
typedef int atomic_fill_fn(void *arg, FILE *f);

/* 0, or -1 with errno (EEXIST when no fresh name could be had). */
int atomic_file_write(const char *path, mode_t mode, atomic_fill_fn *fill, void *arg);

/* The same with the temporary names' random part drawn from rnd(rnd_arg)
 * (tests use it to plant files at the names the writer will try). */
int atomic_file_write_rnd(const char *path, mode_t mode, atomic_fill_fn *fill, void *arg,
			  uint32_t (*rnd)(void *rnd_arg), void *rnd_arg);

#define ATOMIC_FILE_TRIES 16   /* fresh names tried before giving up */

/* Remove the temporary files of path (PATH.tmp.XXXXXXXX) a writer that was
 * killed left behind, those last modified more than max_age seconds before
 * now (a live writer's is seconds old). Links and other names are left
 * alone; nothing is followed. Returns how many were removed. */
int atomic_file_sweep(const char *path, time_t max_age, time_t now);

#endif
