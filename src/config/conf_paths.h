/* conf_paths.h - are the files and directories a config names what they
 * should be? Checked at start-up and at every reload, before the config is
 * used, so a FIFO, a directory where a file belongs or a stats-file that
 * would overwrite the config stops start-up (or keeps the running config)
 * with "file:line: directive: message" instead of failing later, forever.
 *
 * Library code: no logging, no globals; reads the file system only.
 */
#ifndef TAYGA_CONF_PATHS_H
#define TAYGA_CONF_PATHS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct config;

/* Where the daemon will use the paths. */
enum {
	CONF_PATHS_CHROOT = 1,  /* -r: stats-file is written inside data-dir */
	CONF_PATHS_IN_JAIL = 2, /* reload inside the jail: data-dir is "/" */
	CONF_PATHS_RELOAD = 4,  /* data-dir is created at start-up only: must exist */
};

/* data-dir: a writable directory (or creatable at start-up), its dynamic.map
 * a regular file if present; stats-file: a regular file if present, in a
 * writable directory, not the config, map-file or dynamic.map. false with
 * the message in err. */
bool conf_check_paths(const struct config *c, unsigned flags, char *err, size_t errlen);

/* "file:line: " (or "file: " for line 0) and the message into err; shared
 * by the parser and the path checks */
void conf_verr(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* "a directory", "a FIFO", ... for a file that is not a regular one */
const char *conf_file_kind(mode_t mode);

#endif
