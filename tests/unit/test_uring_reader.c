/* test_uring_reader.c - uring_reader.c on a datagram socket pair, which like
 * a tun returns one packet per read: with a multishot read (where the kernel
 * has one) and in the fallbacks (batches of non-blocking reads when forced or
 * when the file refuses multishot reads), every datagram comes back whole,
 * once, in the order sent, also when the kernel runs out of buffers; the fd
 * to wait on becomes readable when a datagram arrives. Exits 77 (skipped)
 * where io_uring is refused. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/uring_reader.h"

#define NBUF 64
#define STRIDE 2048
#define OFF 16 /* headroom in front of each buffer */

static struct ureader R;
static int sv[2];
static uint8_t *mem;
static struct ureader_pkt out[UREADER_BATCH];
static bool mshot_kernel; /* the kernel has IORING_OP_READ_MULTISHOT */

static size_t dlen(unsigned k) { return 1 + (k * 37) % 1500; }
static uint8_t dbyte(unsigned k, size_t i) { return (uint8_t)(k * 7 + i * 13); }

static void send_dgram(unsigned k)
{
	uint8_t b[STRIDE];
	for (size_t i = 0; i < dlen(k); i++)
		b[i] = dbyte(k, i);
	ck_assert_int_eq(send(sv[1], b, dlen(k), 0), (ssize_t)dlen(k));
}

static void check_pkt(const struct ureader_pkt *p, unsigned k)
{
	const uint8_t *d = mem + (size_t)p->buf * STRIDE + OFF;
	ck_assert_uint_lt(p->buf, NBUF);
	ck_assert_uint_eq(p->len, dlen(k));
	for (size_t i = 0; i < dlen(k); i++)
		ck_assert_uint_eq(d[i], dbyte(k, i));
}

static void open_reader(int fd, bool no_multishot)
{
	struct ureader_bufs b = { mem, STRIDE, OFF, STRIDE - OFF, NBUF };
	ck_assert_int_eq(ureader_open(&R, fd, &b, no_multishot), 0);
}

static void setup(void)
{
	mem = calloc(NBUF, STRIDE);
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	alarm(60); /* a lost wake-up would hang the test: fail instead */
}

static void teardown(void)
{
	alarm(0);
	ureader_close(&R);
	close(sv[0]);
	close(sv[1]);
	free(mem);
}

/* Read until `want` datagrams, numbered from *got on, came back in order;
 * waits on ureader_wait_fd() whenever the reader says it is drained. */
static void read_in_order(unsigned *got, unsigned want)
{
	bool drained;
	for (unsigned calls = 0; *got < want; calls++) {
		int n = ureader_read(&R, out, &drained);
		ck_assert_int_ge(n, 0);
		for (int i = 0; i < n; i++)
			check_pkt(&out[i], (*got)++);
		if (drained && *got < want) {
			struct pollfd p = { .fd = ureader_wait_fd(&R), .events = POLLIN };
			ck_assert_int_eq(poll(&p, 1, 10000), 1);
		}
		ck_assert_uint_lt(calls, 5000);
	}
}

START_TEST(reads_in_order_then_drained)
{
	unsigned got = 0;
	bool drained;

	open_reader(sv[0], false);
	ck_assert_int_eq(R.mode, mshot_kernel ? UREADER_MULTISHOT : UREADER_NOWAIT_BATCHES);
	for (unsigned k = 0; k < 10; k++)
		send_dgram(k);
	read_in_order(&got, 10);
	ck_assert_int_eq(ureader_read(&R, out, &drained), 0);
	ck_assert(drained);
}
END_TEST

/* armed and idle: nothing to wait for on the wait fd; a datagram that
 * arrives later makes the wait fd (chosen right before the poll) readable,
 * also when the kernel took it off the socket already (without deferred
 * task work: in task work when send(2) returned) */
START_TEST(later_datagram_wakes_the_wait_fd)
{
	unsigned got = 0;
	bool drained;

	open_reader(sv[0], false);
	ck_assert_int_eq(ureader_read(&R, out, &drained), 0);
	ck_assert(drained);
	struct pollfd p = { .fd = ureader_wait_fd(&R), .events = POLLIN };
	ck_assert_int_eq(p.fd, sv[0]);
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	send_dgram(0);
	p.fd = ureader_wait_fd(&R);
	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	read_in_order(&got, 1);
	p.fd = ureader_wait_fd(&R);
	ck_assert_int_eq(poll(&p, 1, 0), 0);
}
END_TEST

static long voluntary_switches(void)
{
	struct rusage ru;
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_nvcsw;
}

/* rx-hold-usecs sleeps while packets arrive. With deferred task work
 * (Linux 6.1) the armed read takes them off the file only when the reader
 * asks: 20 datagrams, 2 ms apart, from another process while this one
 * sleeps 100 ms do not wake it 20 times (each wake-up is a voluntary
 * context switch), and all 20 come back afterwards, in order */
START_TEST(arrivals_do_not_wake_a_sleep)
{
	unsigned got = 0;
	bool drained;
	long before;
	pid_t pid;

	open_reader(sv[0], false);
	if (R.mode != UREADER_MULTISHOT || !R.ring.deferred)
		return;   /* (older kernels: nothing to test) */
	ck_assert_int_eq(ureader_read(&R, out, &drained), 0);   /* arms it */
	ck_assert(R.armed);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (unsigned k = 0; k < 20; k++) {
			struct timespec ts = { 0, 2 * 1000000L };
			nanosleep(&ts, NULL);
			send_dgram(k);
		}
		_exit(0);
	}
	before = voluntary_switches();
	struct timespec ts = { 0, 100 * 1000000L };
	ck_assert_int_eq(nanosleep(&ts, NULL), 0);
	ck_assert_int_le(voluntary_switches() - before, 3);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	read_in_order(&got, 20);
}
END_TEST

/* Privilege separation opens the tun (and the ring) and then forks; the
 * child reads. A ring that allows one user only becomes the child's when
 * it first reads, and the parent's close leaves the child's reads alone */
START_TEST(opened_before_a_fork_read_by_the_child)
{
	pid_t pid;
	int status;

	open_reader(sv[0], false);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsigned got = 0;
		alarm(20);
		send_dgram(0);
		send_dgram(1);
		read_in_order(&got, 2);
		send_dgram(2);
		read_in_order(&got, 3);
		_exit(got == 3 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* 2000 datagrams, up to 60 in flight while the caller holds up to half the
 * buffers: the kernel runs out of buffers again and again (the multishot
 * read stops and is re-armed); none lost, reordered or duplicated */
START_TEST(buffers_run_out_nothing_lost)
{
	unsigned sent = 0, got = 0;
	bool drained;

	open_reader(sv[0], false);
	for (unsigned calls = 0; got < 2000; calls++) {
		while (sent < 2000 && sent - got < 60)
			send_dgram(sent++);
		int n = ureader_read(&R, out, &drained);
		ck_assert_int_ge(n, 0);
		ck_assert_int_le(n, NBUF / 2); /* the kernel keeps the other half */
		for (int i = 0; i < n; i++)
			check_pkt(&out[i], got++);
		ck_assert_uint_lt(calls, 20000);
	}
}
END_TEST

START_TEST(forced_batches)
{
	unsigned got = 0;

	open_reader(sv[0], true);
	ck_assert_int_eq(R.mode, UREADER_NOWAIT_BATCHES);
	ck_assert_int_eq(ureader_wait_fd(&R), sv[0]);
	for (unsigned k = 0; k < 10; k++)
		send_dgram(k);
	read_in_order(&got, 10);
}
END_TEST

/* a regular file cannot be polled, so the kernel refuses the multishot read
 * when it is armed: the reader goes on with batches and reads the file */
START_TEST(file_refusing_multishot_falls_back)
{
	char path[] = "/tmp/test_uring_reader.XXXXXX";
	int fd = mkstemp(path);
	bool drained;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, "hello", 5), 5);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	open_reader(fd, false);
	int n = ureader_read(&R, out, &drained);
	ck_assert_int_ge(n, 1);
	ck_assert_int_eq(R.mode, UREADER_NOWAIT_BATCHES);
	ck_assert_uint_eq(out[0].len, 5);
	ck_assert_mem_eq(mem + (size_t)out[0].buf * STRIDE + OFF, "hello", 5);
	ck_assert_int_eq(ureader_wait_fd(&R), fd);
	ureader_close(&R);
	close(fd);
	open_reader(sv[0], true); /* for teardown */
}
END_TEST

START_TEST(buffer_count_checked)
{
	struct ureader_bufs b = { mem, STRIDE, OFF, STRIDE - OFF, 48 };
	ck_assert_int_eq(ureader_open(&R, sv[0], &b, false), -1);
	ck_assert_int_eq(errno, EINVAL);
	open_reader(sv[0], true); /* for teardown */
}
END_TEST

static Suite *reader_suite(void)
{
	Suite *s = suite_create("uring_reader");
	TCase *t = tcase_create("reads");
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, reads_in_order_then_drained);
	tcase_add_test(t, later_datagram_wakes_the_wait_fd);
	tcase_add_test(t, buffers_run_out_nothing_lost);
	tcase_add_test(t, forced_batches);
	tcase_add_test(t, file_refusing_multishot_falls_back);
	tcase_add_test(t, buffer_count_checked);
	tcase_add_test(t, arrivals_do_not_wake_a_sleep);
	tcase_add_test(t, opened_before_a_fork_read_by_the_child);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	struct uring u;
	if (uring_open(&u, 4) != 0) {
		printf("io_uring unavailable here (%s): skipped\n", strerror(errno));
		return 77;
	}
	mshot_kernel = uring_supports(&u, 49 /* IORING_OP_READ_MULTISHOT, Linux 6.7 */);
	printf("multishot reads: %s\n", mshot_kernel ? "yes" : "no (testing the fallback only)");
	uring_close(&u);
	SRunner *sr = srunner_create(reader_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
