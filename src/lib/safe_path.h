/* safe_path.h - open a path as root without following anything a given
 * user could have placed (tayga(8) "Privileges").
 *
 * The path is resolved component by component from "/", each entry looked
 * up with fstatat(AT_SYMLINK_NOFOLLOW) and opened with O_NOFOLLOW, and the
 * opened directory compared with what was checked, so the check and the
 * open are about the same object. An entry is refused when the user owns
 * it, or can write it (a file; a directory's write bit matters for its
 * entries), or can write the directory it lies in (unless that directory
 * is sticky and the entry is not the user's). A symbolic link is followed
 * only after passing that test itself: it cannot be the user's. */
#ifndef TAYGA_SAFE_PATH_H
#define TAYGA_SAFE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum {
	SAFE_PATH_CREATE_DIR = 1,  /* create the last component as a directory (0755) if missing */
	SAFE_PATH_LAST_THEIRS = 2, /* the last component may be the user's own (data-dir) */
};

/* Open path (absolute) with flags (O_NOFOLLOW and O_CLOEXEC are added) as
 * described above, guarding against uid/gid (-1 for either: not checked).
 * Returns the fd, or -1 with errno: EPERM when something on the way could be
 * changed by the user (then why holds that path: "/var/spool/tayga"), ELOOP
 * for too many links, else the error of the lookup or open. Nothing is read. */
int safe_path_open(const char *path, int flags, unsigned opts, uid_t uid, gid_t gid, char *why,
		   size_t whylen);

/* Whether uid/gid can change path or a directory on the way to it (the same
 * test; a missing path is not, its open fails later). The first such
 * component goes into why. */
bool safe_path_writable_by(const char *path, uid_t uid, gid_t gid, char *why, size_t whylen);

#endif
