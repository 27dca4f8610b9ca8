/* log.h - daemon logging to stderr/stdout, syslog or the journal. */
#ifndef TAYGA_LOG_H
#define TAYGA_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

enum log_target { LOG_TO_STDERR = 0, LOG_TO_STDOUT, LOG_TO_SYSLOG, LOG_TO_JOURNAL };

void log_init(enum log_target t, int debug);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* A failure that repeats (a write retried every few seconds): the first is
 * logged at once, then at most one line per interval, each with the count
 * so far, so a lasting cause shows without flooding the log. */
struct log_every {
	uint64_t next_ms;           /* no line before this */
	unsigned long long count;   /* failures so far */
};

/* Count one failure at now_ms; true when it is to be logged. */
bool log_every_due(struct log_every *e, uint64_t now_ms, uint64_t interval_ms);

#endif
