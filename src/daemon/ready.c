/* ready.c - waiting for a forked child's start report. */
#include "daemon/ready.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"   /* mono_ms() */

/* The time left until deadline_ms in poll(2)'s terms. */
static int left_ms(int timeout_ms, uint64_t deadline_ms)
{
	uint64_t now = mono_ms();

	if (timeout_ms < 0)
		return -1;
	return now >= deadline_ms ? 0 : (int)(deadline_ms - now);
}

int ready_wait(int fd, int timeout_ms, char *msg, size_t len)
{
	uint64_t deadline = mono_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = -1;

	if (len == 0)
		return -1;
	msg[0] = '\0';
	for (;;) {
		/* a signal (another child's SIGCHLD) is not the child's answer:
		 * wait on for the rest of the time */
		int r = poll(&p, 1, left_ms(timeout_ms, deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, msg, len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n == 1 && msg[0] == '0')
		return 0;
	if (n <= 0) {
		msg[0] = '\0';
		return -1;
	}
	msg[n] = '\0';
	if (msg[0] == '1')
		memmove(msg, msg + 1, (size_t)n);   /* the message without its "1" (and its NUL) */
	return -1;
}
