/* uring_reader.c - a multishot read into provided buffers, or batches of
 * non-blocking reads. Kernel interface: io_uring_register(2) (PBUF_RING,
 * FILES, PROBE) and include/uapi/linux/io_uring.h. */
#include "io/uring_reader.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* newer than Debian 12's headers (Linux 6.7) */
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49
#endif
#define BGID 0
#define TAG_MSHOT 0x6d73686f74ULL /* user_data of the multishot read */
#define BATCH_MIN 4               /* batch mode: reads queued when light */

static uint8_t *buf_at(const struct ureader *r, unsigned i)
{
	return r->b.base + (size_t)i * r->b.stride + r->b.off;
}

/* Make buffer i available to the kernel again (published by give_done). */
static void give(struct ureader *r, unsigned i)
{
	struct io_uring_buf_ring *br = r->br;
	struct io_uring_buf *b = &br->bufs[r->br_tail & (r->b.n - 1)];

	b->addr = (uint64_t)(uintptr_t)buf_at(r, i);
	b->len = r->b.len;
	b->bid = (uint16_t)i;
	r->br_tail++;
}

static void give_done(struct ureader *r)
{
	struct io_uring_buf_ring *br = r->br;
	__atomic_store_n(&br->tail, r->br_tail, __ATOMIC_RELEASE);
}

/* Unmap the buffer ring; unregister it first when the kernel knows it and
 * the ring stays open. (Closing never unregisters: after a fork another
 * process may go on using the same ring.) */
static void drop_bufring(struct ureader *r, bool unregister)
{
	struct io_uring_buf_reg reg;

	if (unregister && r->br && r->mode == UREADER_MULTISHOT && r->ring.fd >= 0) {
		memset(&reg, 0, sizeof(reg));
		reg.bgid = BGID;
		uring_register(&r->ring, IORING_UNREGISTER_PBUF_RING, &reg, 1);
	}
	if (r->br)
		munmap(r->br, r->br_len);
	r->br = NULL;
	r->mode = UREADER_NOWAIT_BATCHES;
}

/* Probe for multishot reads and register the buffer ring. 0 or -1. */
static int setup_multishot(struct ureader *r)
{
	struct io_uring_buf_reg reg;

	if (!uring_supports(&r->ring, IORING_OP_READ_MULTISHOT))
		return -1;
	r->br_len = (r->b.n * sizeof(struct io_uring_buf) + 4095) & ~(size_t)4095;
	/* shared: the kernel keeps the pages it was given, and a process that
	 * forks after this (privilege separation) must write the tail into
	 * those, not into a copy */
	r->br = mmap(NULL, r->br_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->br == MAP_FAILED) {
		r->br = NULL;
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)r->br;
	reg.ring_entries = r->b.n;
	reg.bgid = BGID;
	if (uring_register(&r->ring, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) {
		drop_bufring(r, false);
		return -1;
	}
	for (unsigned i = 0; i < r->b.n; i++)
		give(r, i);
	give_done(r);
	r->mode = UREADER_MULTISHOT;
	return 0;
}

int ureader_open(struct ureader *r, int fd, const struct ureader_bufs *b, bool no_multishot)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->b = *b;
	r->batch = BATCH_MIN;
	r->per_call = b->n / 2 < UREADER_BATCH ? b->n / 2 : UREADER_BATCH;
	if (r->batch > r->per_call)
		r->batch = r->per_call;
	if (b->n < 2 || b->n > UREADER_BUFS_MAX || (b->n & (b->n - 1))) {
		errno = EINVAL;
		r->ring.fd = -1;
		return -1;
	}
	if (uring_open_deferred(&r->ring, UREADER_BATCH) != 0)
		return -1;
	/* both are optimisations: without them the reads name the fd and
	 * are queued in batches */
	r->fixed = uring_register_fd(&r->ring, fd) == 0;
	if (!no_multishot)
		setup_multishot(r);
	return 0;
}

/* Cancel the multishot read (waiting for it, at most a second) and drop
 * the registered file: the file is released now, not when the kernel gets
 * round to tearing the ring down after close (a restarted daemon would find
 * the tun still attached: EBUSY). */
static void release_file(struct ureader *r)
{
	struct io_uring_sync_cancel_reg c;

	if (r->armed) {
		memset(&c, 0, sizeof(c));
		c.addr = TAG_MSHOT;
		c.timeout.tv_sec = 1;
		uring_register(&r->ring, IORING_REGISTER_SYNC_CANCEL, &c, 1);
	}
	if (r->fixed)
		uring_register(&r->ring, IORING_UNREGISTER_FILES, NULL, 0);
	/* with deferred task work the cancelled read is freed (and lets go
	 * of the file) only when we enter the ring: do it now, not in the
	 * kernel's teardown after exit, which a restart would race */
	uring_flush(&r->ring);
}

void ureader_close(struct ureader *r)
{
	/* only in the process that read: after a fork, the other one must not
	 * take the file away from it */
	if (r->ring.fd >= 0 && r->reader == getpid())
		release_file(r);
	uring_close(&r->ring);
	drop_bufring(r, false);
}

int ureader_wait_fd(const struct ureader *r)
{
	return r->mode == UREADER_MULTISHOT && uring_pending(&r->ring) ? r->ring.fd : r->fd;
}

static int arm(struct ureader *r)
{
	struct io_uring_sqe *s = uring_sqe(&r->ring);

	if (!s) {
		errno = EBUSY;
		return -1;
	}
	s->opcode = IORING_OP_READ_MULTISHOT;
	s->fd = r->fixed ? 0 : r->fd;
	s->flags = IOSQE_BUFFER_SELECT | (r->fixed ? IOSQE_FIXED_FILE : 0);
	s->buf_group = BGID;
	s->off = (uint64_t)-1;
	s->user_data = TAG_MSHOT;
	if (uring_submit(&r->ring) != 0)
		return -1;
	r->armed = true;
	return 0;
}

/* One completion of the multishot read. Returns 1 when it is a packet
 * (in *out), 0 when there is nothing to hand over, -1 on a read error
 * (r->err set), -2 when the kernel refused the multishot read itself. */
static int one_cqe(struct ureader *r, const struct io_uring_cqe *c, struct ureader_pkt *out)
{
	int res = c->res;
	unsigned bid = c->flags >> IORING_CQE_BUFFER_SHIFT;
	bool has_buf = c->flags & IORING_CQE_F_BUFFER;

	if (!(c->flags & IORING_CQE_F_MORE))
		r->armed = false;
	if (res > 0 && has_buf && bid < r->b.n) {
		out->buf = bid;
		out->len = (size_t)res;
		r->held[r->nheld++] = (uint16_t)bid;
		r->ever_read = true;
		return 1;
	}
	if (has_buf && bid < r->b.n)
		give(r, bid);
	/* out of buffers (re-armed on the next call; the packets wait in the
	 * file's queue), nothing to read, or end of file */
	if (res >= 0 || res == -ENOBUFS || res == -EAGAIN || res == -EINTR)
		return 0;
	if (!r->ever_read && (res == -EINVAL || res == -EOPNOTSUPP || res == -EBADFD))
		return -2;
	r->err = -res;
	return -1;
}

static int read_multishot(struct ureader *r, struct ureader_pkt *out, bool *drained)
{
	const struct io_uring_cqe *c;
	int got = 0;

	if (!r->armed && arm(r) != 0)
		return -2;
	for (;;) {
		if (got >= (int)r->per_call || r->err)
			break;
		c = uring_cqe(&r->ring);
		/* none visible: collect what the kernel has not posted yet */
		if (!c && uring_get_events(&r->ring) > 0)
			c = uring_cqe(&r->ring);
		if (!c)
			break;
		int k = c->user_data == TAG_MSHOT ? one_cqe(r, c, &out[got]) : 0;
		uring_cqe_seen(&r->ring);
		if (k == -2) {
			give_done(r);
			return -2;
		}
		got += k > 0;
	}
	give_done(r);
	/* an empty queue while armed: the kernel reads the next packet as
	 * soon as it arrives and the ring's fd wakes the caller */
	*drained = r->armed && got < (int)r->per_call;
	return got;
}

/* Batch mode: RWF_NOWAIT reads of buffers 0..batch-1, as many as the last
 * call could fill, and some more. */
static int read_batch(struct ureader *r, struct ureader_pkt *out, bool *drained)
{
	struct iovec iov[UREADER_BATCH] = { { 0 } }; /* all used ones set below; quiets gcc */
	int res[UREADER_BATCH];
	unsigned want = r->batch, got = 0;

	for (unsigned i = 0; i < want; i++) {
		iov[i].iov_base = buf_at(r, i);
		iov[i].iov_len = r->b.len;
	}
	if (uring_read_nowait(&r->ring, r->fd, iov, res, want) != 0)
		return -2;
	for (unsigned i = 0; i < want; i++) {
		if (res[i] >= 0) {
			out[got].buf = i;
			out[got++].len = (size_t)res[i];
		} else if (res[i] == -EAGAIN || res[i] == -EINTR) {
			*drained = true;
		} else if (got == 0) {
			errno = -res[i];
			/* io_uring cannot read this file after all */
			return (errno == EINVAL || errno == EOPNOTSUPP) ? -2 : -1;
		} else {
			break; /* hand over what we have; the error repeats next call */
		}
	}
	if (got == want && want * 2 <= r->per_call)
		r->batch = want * 2;
	else if (got < want / 2 && want > BATCH_MIN)
		r->batch = want / 2;
	return (int)got;
}

int ureader_read(struct ureader *r, struct ureader_pkt *out, bool *drained)
{
	*drained = false;
	if (!r->reader) {
		r->reader = getpid();
		if (uring_enable(&r->ring) != 0)
			return -2;   /* read(2) then */
	}
	if (r->err) {
		errno = r->err;
		r->err = 0;
		return -1;
	}
	if (r->mode == UREADER_NOWAIT_BATCHES)
		return read_batch(r, out, drained);
	for (unsigned i = 0; i < r->nheld; i++)
		give(r, r->held[i]);
	r->nheld = 0;
	int got = read_multishot(r, out, drained);
	if (got == -2) {
		/* the kernel refused the multishot read: batches from now on
		 * (the probe said yes, so this is the file's doing) */
		r->armed = false;
		drop_bufring(r, true);
		return read_batch(r, out, drained);
	}
	if (got == 0 && r->err) {
		errno = r->err;
		r->err = 0;
		return -1;
	}
	return got;
}
