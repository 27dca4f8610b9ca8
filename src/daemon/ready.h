/* ready.h - the start report between a process and the child it forked:
 * the child writes "0" when it is up, or "1" and a message when it cannot
 * start (startup_failed() in lifecycle.c); the parent waits for it. Used by
 * daemonize() and by the workers' monitor, which waits with signals
 * arriving (SIGCHLD of other workers, SIGHUP) and must not take one of them
 * for a failed start. */
#ifndef TAYGA_READY_H
#define TAYGA_READY_H

#include <stddef.h>

/* Wait up to timeout_ms (< 0: no limit) for the report on fd. Returns 0
 * when the child reported success; -1 otherwise, with msg holding the
 * child's message (without the "1"), or "" when it closed the pipe (it
 * exited) or the time ran out. Signals do not end the wait. */
int ready_wait(int fd, int timeout_ms, char *msg, size_t len);

#endif
