/* log.h - daemon logging to stderr/stdout, syslog or the journal. */
#ifndef TAYGA_LOG_H
#define TAYGA_LOG_H

#include <syslog.h>

enum log_target { LOG_TO_STDERR = 0, LOG_TO_STDOUT, LOG_TO_SYSLOG, LOG_TO_JOURNAL };

void log_init(enum log_target t, int debug);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
