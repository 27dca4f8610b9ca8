/* test_ready.c - the start report a forked child sends its parent
 * (daemon/ready.c): the parent waits for "0" or "1"+message, and a signal
 * that arrives meanwhile (a second worker's SIGCHLD when two die at once)
 * is not taken for a failed start. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/ready.h"
#include "lib/checkrun.h"

static volatile sig_atomic_t got_signal;
static void on_signal(int s)
{
	(void)s;
	got_signal++;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Fork a child that writes `report` (len bytes; none when NULL) after
 * delay_ms and then exits; returns the read end and the child's pid. */
static int child_reports(const char *report, size_t len, long delay_ms, pid_t *pid)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		close(p[0]);
		sleep_ms(delay_ms);
		if (report && write(p[1], report, len) != (ssize_t)len)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/* A signal with a handler and no SA_RESTART, as the daemon installs them,
 * sent to this process by a second child while the wait is on. */
static pid_t signal_me_after(int sig, long delay_ms)
{
	struct sigaction sa;
	pid_t me = getpid(), pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	ck_assert_int_eq(sigaction(sig, &sa, NULL), 0);
	got_signal = 0;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sleep_ms(delay_ms);
		kill(me, sig);
		_exit(0);
	}
	return pid;
}

START_TEST(success_after_a_signal_is_success)
{
	char msg[64];
	pid_t c, s;
	int fd = child_reports("0", 1, 300, &c);

	s = signal_me_after(SIGUSR2, 50);
	ck_assert_int_eq(ready_wait(fd, 5000, msg, sizeof(msg)), 0);
	ck_assert_int_eq(got_signal, 1);   /* the signal did arrive during the wait */
	close(fd);
	waitpid(c, NULL, 0);
	waitpid(s, NULL, 0);
}
END_TEST

START_TEST(success_and_failure_reports)
{
	char msg[64];
	pid_t c;
	int fd = child_reports("0", 1, 0, &c);

	ck_assert_int_eq(ready_wait(fd, -1, msg, sizeof(msg)), 0);
	close(fd);
	waitpid(c, NULL, 0);

	fd = child_reports("1tayga: no tun", 14, 0, &c);
	ck_assert_int_eq(ready_wait(fd, 5000, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, "tayga: no tun");
	close(fd);
	waitpid(c, NULL, 0);
}
END_TEST

START_TEST(exit_without_report_and_timeout)
{
	char msg[64];
	pid_t c;
	uint64_t t0;
	int fd = child_reports(NULL, 0, 0, &c);   /* exits: the pipe closes */

	ck_assert_int_eq(ready_wait(fd, 5000, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, "");
	close(fd);
	waitpid(c, NULL, 0);

	/* hangs past the time given, with a signal inside it */
	fd = child_reports("0", 1, 1500, &c);
	pid_t s = signal_me_after(SIGUSR2, 50);
	t0 = mono_ms();
	ck_assert_int_eq(ready_wait(fd, 300, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_ge(mono_ms() - t0, 290);   /* the whole time, not cut short */
	ck_assert_uint_lt(mono_ms() - t0, 1400);
	close(fd);
	waitpid(c, NULL, 0);
	waitpid(s, NULL, 0);
}
END_TEST

CHECK_MAIN("ready", success_after_a_signal_is_success, success_and_failure_reports,
	   exit_without_report_and_timeout)
