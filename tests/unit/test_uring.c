/* test_uring.c - batched non-blocking reads (uring.c) on a datagram socket
 * pair, which like a tun returns one packet per read: every datagram comes
 * back whole, in the order sent, each read that finds nothing says -EAGAIN
 * at once (no read is left waiting), and errors are per read. Exits 77
 * (automake: skipped) where the kernel or a seccomp filter refuses
 * io_uring; the daemon then falls back to read(2). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/uring.h"

#define N 16
#define BUFSZ 2048

static struct uring U;
static int sv[2];
static uint8_t buf[N][BUFSZ];
static struct iovec iov[N];
static int res[N];

/* datagram k: its length and its bytes follow from k alone */
static size_t dlen(unsigned k) { return 1 + (k * 37) % 1500; }
static uint8_t dbyte(unsigned k, size_t i) { return (uint8_t)(k * 7 + i * 13); }

static void send_dgram(unsigned k)
{
	uint8_t b[BUFSZ];
	for (size_t i = 0; i < dlen(k); i++)
		b[i] = dbyte(k, i);
	ck_assert_int_eq(send(sv[1], b, dlen(k), 0), (ssize_t)dlen(k));
}

static void check_dgram(unsigned slot, unsigned k)
{
	ck_assert_int_eq(res[slot], (int)dlen(k));
	for (size_t i = 0; i < dlen(k); i++)
		ck_assert_uint_eq(buf[slot][i], dbyte(k, i));
}

static void setup(void)
{
	ck_assert_int_eq(uring_open(&U, N), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	/* like the tun fd: non-blocking */
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	for (unsigned i = 0; i < N; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = BUFSZ;
	}
	memset(buf, 0xee, sizeof(buf));
	/* a read that never completes would hang the test: fail instead */
	alarm(60);
}

static void teardown(void)
{
	alarm(0);
	uring_close(&U);
	close(sv[0]);
	close(sv[1]);
}

START_TEST(three_waiting_of_eight)
{
	for (unsigned k = 0; k < 3; k++)
		send_dgram(k);
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, 8), 0);
	for (unsigned k = 0; k < 3; k++)
		check_dgram(k, k);
	for (unsigned i = 3; i < 8; i++)
		ck_assert_int_eq(res[i], -EAGAIN);
}
END_TEST

START_TEST(nothing_waiting)
{
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, N), 0);
	for (unsigned i = 0; i < N; i++)
		ck_assert_int_eq(res[i], -EAGAIN);
}
END_TEST

/* RWF_NOWAIT: even on a blocking fd an empty read returns, it does not wait */
START_TEST(blocking_fd_does_not_wait)
{
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, 0), 0);
	send_dgram(5);
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, 4), 0);
	check_dgram(0, 5);
	for (unsigned i = 1; i < 4; i++)
		ck_assert_int_eq(res[i], -EAGAIN);
}
END_TEST

/* 1000 datagrams through full and partial batches: none lost, none
 * reordered, none duplicated, and the ring is reused 100+ times */
START_TEST(many_batches_keep_order)
{
	unsigned sent = 0, got = 0, calls = 0;

	while (got < 1000) {
		while (sent < 1000 && sent - got < 40)
			send_dgram(sent++);
		unsigned n = 1 + calls % N; /* batch sizes 1..16 */
		ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, n), 0);
		for (unsigned i = 0; i < n; i++) {
			if (res[i] == -EAGAIN)
				continue;
			check_dgram(i, got++);
		}
		ck_assert_uint_lt(++calls, 5000);
	}
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, N), 0);
	ck_assert_int_eq(res[0], -EAGAIN);
}
END_TEST

/* a datagram larger than the buffer is cut to it (as read(2) does) */
START_TEST(short_buffer_truncates)
{
	send_dgram(40); /* 1 + 1480 bytes */
	iov[0].iov_len = 100;
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], iov, res, 1), 0);
	ck_assert_int_eq(res[0], 100);
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(buf[0][i], dbyte(40, i));
	ck_assert_uint_eq(buf[0][100], 0xee);
}
END_TEST

START_TEST(errors_are_per_read)
{
	ck_assert_int_eq(uring_read_nowait(&U, 1000, iov, res, 2), 0);
	ck_assert_int_eq(res[0], -EBADF);
	ck_assert_int_eq(res[1], -EBADF);
}
END_TEST

START_TEST(more_reads_than_entries)
{
	struct iovec big[2 * N];
	int r[2 * N];
	for (unsigned i = 0; i < 2 * N; i++)
		big[i] = iov[i % N];
	errno = 0;
	ck_assert_int_eq(uring_read_nowait(&U, sv[0], big, r, 2 * N), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(entries_must_be_a_power_of_two)
{
	struct uring u;
	ck_assert_int_eq(uring_open(&u, 12), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(u.fd, -1);
	ck_assert_int_eq(uring_open(&u, 0), -1);
}
END_TEST

static Suite *uring_suite(void)
{
	Suite *s = suite_create("uring");
	TCase *t = tcase_create("reads");
	/* a loaded CI machine can take seconds for the batch tests (the 4 s
	 * default timed out at load 10 on 2 CPUs) */
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, three_waiting_of_eight);
	tcase_add_test(t, nothing_waiting);
	tcase_add_test(t, blocking_fd_does_not_wait);
	tcase_add_test(t, many_batches_keep_order);
	tcase_add_test(t, short_buffer_truncates);
	tcase_add_test(t, errors_are_per_read);
	tcase_add_test(t, more_reads_than_entries);
	tcase_add_test(t, entries_must_be_a_power_of_two);
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
	uring_close(&u);
	SRunner *sr = srunner_create(uring_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
