/* uring.h - many non-blocking reads in one system call through io_uring
 * (Linux 5.6+), with raw system calls: no liburing, libc only.
 *
 * Why: under a flood of small packets the daemon's cost is one read(2) per
 * packet, and on virtual machines the system call entry/exit dominates the
 * copy. Queueing N reads of the tun fd and submitting them with one
 * io_uring_enter(2) reads up to N packets per system call. The reads carry
 * RWF_NOWAIT, so each one either returns a packet at once or -EAGAIN: no
 * read stays pending in the kernel between calls. */
#ifndef TAYGA_URING_H
#define TAYGA_URING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct io_uring_sqe;
struct io_uring_cqe;

struct uring {
	int fd;                  /* -1 when closed */
	unsigned entries;        /* SQ size: the most reads per call */
	unsigned rw_flags;       /* RWF_NOWAIT, or 0 when the file refuses it */
	int fixed_fd;            /* the fd registered as file 0, or -1 */
	bool disabled;           /* opened disabled: uring_enable() before use */
	bool deferred;           /* task work waits until we enter the ring */
	/* the mapped rings (struct io_uring_sqe / io_uring_cqe arrays) */
	void *sq_map, *cq_map, *sqes;
	size_t sq_map_len, cq_map_len, sqes_len;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned *cq_head, *cq_tail, *cq_mask;
	void *cqes;
};

/* Set up a ring for up to `entries` reads per call (a power of two, <= 4096).
 * Returns 0, or -1 with errno (ENOSYS: no io_uring; EPERM: forbidden by
 * kernel.io_uring_disabled or a seccomp filter). */
int uring_open(struct uring *u, unsigned entries);
/* The same where the kernel can defer task work (Linux 6.1): it then runs
 * only when the process enters the ring for completions, so a multishot
 * read does not wake the process for every packet that arrives while it
 * sleeps elsewhere (rx-hold-usecs). Such a ring starts disabled: files and
 * buffers can be registered, and the one process that will use it calls
 * uring_enable() first. */
int uring_open_deferred(struct uring *u, unsigned entries);
/* Make the calling process the ring's one user (no-op for other rings):
 * 0, or -1 with errno. */
int uring_enable(struct uring *u);
void uring_close(struct uring *u);

/* Read from fd into iov[0..n-1] (n <= entries), one read per iovec, in
 * order, in one system call. res[i] is the byte count or -errno (-EAGAIN
 * when nothing was waiting). fd should be O_NONBLOCK (files that refuse
 * RWF_NOWAIT then still fail fast). Returns 0, or -1 with errno when the ring
 * itself failed (the caller should fall back to read(2)). */
int uring_read_nowait(struct uring *u, int fd, const struct iovec *iov, int *res, unsigned n);

/* For uring_reader.c: io_uring_register(2), 0 or -1 with errno. */
int uring_register(struct uring *u, unsigned op, void *arg, unsigned n);
/* Register fd as file 0: reads of it then skip the per-call file lookup.
 * 0, or -1 with errno (the reads then name fd itself). */
int uring_register_fd(struct uring *u, int fd);
/* Whether the kernel supports opcode op (IORING_REGISTER_PROBE). */
bool uring_supports(struct uring *u, unsigned op);
/* Queue one zeroed SQE (NULL when the queue is full); uring_submit()
 * submits what is queued without waiting: 0 or -1 with errno. */
struct io_uring_sqe *uring_sqe(struct uring *u);
int uring_submit(struct uring *u);
/* Completion queue entries per submission queue entry. */
#define URING_CQ_PER_SQ 8
/* When the kernel holds completions back (the queue overflowed) or has
 * task work for us (a multishot read waiting to run), enter it to get
 * them: 1 when it did, 0 when nothing was waiting, -1 with errno. */
int uring_get_events(struct uring *u);
/* Run the task work the kernel deferred for this ring now (no-op for
 * other rings). */
void uring_flush(struct uring *u);
/* Whether completions, or task work that will post some, are waiting. */
bool uring_pending(const struct uring *u);
/* The next completion, or NULL; uring_cqe_seen() consumes it. */
const struct io_uring_cqe *uring_cqe(struct uring *u);
void uring_cqe_seen(struct uring *u);

#endif
