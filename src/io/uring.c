/* uring.c - batched non-blocking reads through io_uring, raw system calls.
 * Ring layout and semantics: io_uring_setup(2), io_uring_enter(2) and
 * include/uapi/linux/io_uring.h. */
#include "io/uring.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif
/* newer than some headers; both are hints the kernel may refuse (EINVAL) */
#ifndef IORING_SETUP_SUBMIT_ALL
#define IORING_SETUP_SUBMIT_ALL (1U << 7)
#endif
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN (1U << 8)
#endif
#ifndef IORING_SETUP_TASKRUN_FLAG
#define IORING_SETUP_TASKRUN_FLAG (1U << 9)
#endif
#ifndef IORING_SQ_TASKRUN
#define IORING_SQ_TASKRUN (1U << 2)
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif

static int sys_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned submit, unsigned min_complete, unsigned flags)
{
	return (int)syscall(__NR_io_uring_enter, fd, submit, min_complete, flags, NULL, 0);
}

static void *at(void *base, unsigned off) { return (char *)base + off; }

/* io_uring_setup with the flags we want, falling back to what the kernel
 * knows. deferred (Linux 6.1): task work (a multishot read taking a packet
 * off the file) waits until we enter the ring for completions, instead of
 * waking the process wherever it sleeps; that needs a single issuer, so
 * the ring starts disabled and the first process that enters it is that
 * one (uring_enable(): the reader, after a fork for privilege separation).
 * Otherwise: no interrupting task work (we reap right after submitting), a
 * flag that says task work is waiting, go on submitting after a failed
 * read, and room in the completion queue for every buffer a multishot read
 * can fill (uring_reader.c); older kernels refuse all but the last. */
static int setup(unsigned entries, struct io_uring_params *p, bool deferred)
{
	static const unsigned try_flags[] = {
		IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_R_DISABLED | IORING_SETUP_CQSIZE,
		IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
			IORING_SETUP_CQSIZE,
		IORING_SETUP_CQSIZE,
		0,
	};
	int fd = -1;

	for (size_t i = deferred ? 0 : 1; i < sizeof(try_flags) / sizeof(try_flags[0]); i++) {
		memset(p, 0, sizeof(*p));
		p->flags = try_flags[i];
		p->cq_entries = entries * URING_CQ_PER_SQ;
		fd = sys_setup(entries, p);
		if (fd >= 0 || errno != EINVAL)
			break;
	}
	return fd;
}

/* Map the SQ and CQ rings (one mapping with IORING_FEAT_SINGLE_MMAP) and
 * the SQE array. 0, or -1 with errno (the caller unmaps what was mapped). */
static int map_rings(struct uring *u, const struct io_uring_params *p)
{
	u->sq_map_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	u->cq_map_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (u->cq_map_len > u->sq_map_len)
			u->sq_map_len = u->cq_map_len;
		u->cq_map_len = 0;
	}
	u->sq_map = mmap(NULL, u->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 u->fd, IORING_OFF_SQ_RING);
	if (u->sq_map == MAP_FAILED)
		return -1;
	u->cq_map = u->sq_map;
	if (u->cq_map_len) {
		u->cq_map = mmap(NULL, u->cq_map_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
		if (u->cq_map == MAP_FAILED) {
			u->cq_map = NULL;
			return -1;
		}
	}
	u->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       u->fd, IORING_OFF_SQES);
	if (u->sqes == MAP_FAILED) {
		u->sqes = NULL;
		return -1;
	}
	return 0;
}

static int open_ring(struct uring *u, unsigned entries, bool deferred)
{
	struct io_uring_params p;
	int fd;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->fixed_fd = -1;
	if (entries == 0 || entries > 4096 || (entries & (entries - 1))) {
		errno = EINVAL;
		return -1;
	}
	fd = setup(entries, &p, deferred);
	if (fd < 0)
		return -1;
	u->fd = fd;
	u->disabled = (p.flags & IORING_SETUP_R_DISABLED) != 0;
	u->deferred = (p.flags & IORING_SETUP_DEFER_TASKRUN) != 0;
	u->entries = p.sq_entries;
	u->rw_flags = RWF_NOWAIT;
	if (map_rings(u, &p) != 0) {
		int e = errno;
		uring_close(u);
		errno = e;
		return -1;
	}
	u->sq_head = at(u->sq_map, p.sq_off.head);
	u->sq_tail = at(u->sq_map, p.sq_off.tail);
	u->sq_mask = at(u->sq_map, p.sq_off.ring_mask);
	u->sq_array = at(u->sq_map, p.sq_off.array);
	u->sq_flags = at(u->sq_map, p.sq_off.flags);
	u->cq_head = at(u->cq_map, p.cq_off.head);
	u->cq_tail = at(u->cq_map, p.cq_off.tail);
	u->cq_mask = at(u->cq_map, p.cq_off.ring_mask);
	u->cqes = at(u->cq_map, p.cq_off.cqes);
	/* slot i of the SQ ring always names SQE i */
	for (unsigned i = 0; i < p.sq_entries; i++)
		u->sq_array[i] = i;
	return 0;
}

int uring_open(struct uring *u, unsigned entries)
{
	return open_ring(u, entries, false);
}

int uring_open_deferred(struct uring *u, unsigned entries)
{
	return open_ring(u, entries, true);
}

int uring_enable(struct uring *u)
{
	if (!u->disabled)
		return 0;
	if (uring_register(u, IORING_REGISTER_ENABLE_RINGS, NULL, 0) != 0)
		return -1;
	u->disabled = false;
	return 0;
}

void uring_close(struct uring *u)
{
	if (u->sqes)
		munmap(u->sqes, u->sqes_len);
	if (u->cq_map && u->cq_map != u->sq_map)
		munmap(u->cq_map, u->cq_map_len);
	if (u->sq_map && u->sq_map != MAP_FAILED)
		munmap(u->sq_map, u->sq_map_len);
	if (u->fd >= 0)
		close(u->fd);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->fixed_fd = -1;
}

int uring_register(struct uring *u, unsigned op, void *arg, unsigned n)
{
	return syscall(__NR_io_uring_register, u->fd, op, arg, n) < 0 ? -1 : 0;
}

int uring_register_fd(struct uring *u, int fd)
{
	if (uring_register(u, IORING_REGISTER_FILES, &fd, 1) != 0)
		return -1;
	u->fixed_fd = fd;
	return 0;
}

bool uring_supports(struct uring *u, unsigned op)
{
	/* struct io_uring_probe and its 256 ops, without a flexible array
	 * member inside a struct (not ISO C) */
	uint64_t mem[(sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op)) / 8 + 1];
	struct io_uring_probe *pr = (struct io_uring_probe *)mem;

	memset(mem, 0, sizeof(mem));
	if (op > 255 || uring_register(u, IORING_REGISTER_PROBE, pr, 256) != 0)
		return false;
	return op <= pr->last_op && op < pr->ops_len && (pr->ops[op].flags & IO_URING_OP_SUPPORTED);
}

struct io_uring_sqe *uring_sqe(struct uring *u)
{
	unsigned tail = *u->sq_tail;
	struct io_uring_sqe *s;

	if (tail - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE) >= u->entries)
		return NULL;
	s = &((struct io_uring_sqe *)u->sqes)[tail & *u->sq_mask];
	memset(s, 0, sizeof(*s));
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	return s;
}

int uring_submit(struct uring *u)
{
	for (;;) {
		unsigned pending = *u->sq_tail - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
		if (pending == 0)
			return 0;
		if (sys_enter(u->fd, pending, 0, 0) < 0 && errno != EINTR)
			return -1;
	}
}

int uring_get_events(struct uring *u)
{
	unsigned f = __atomic_load_n(u->sq_flags, __ATOMIC_ACQUIRE);

	if (!(f & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)))
		return 0;
	if (sys_enter(u->fd, 0, 0, IORING_ENTER_GETEVENTS) < 0 && errno != EINTR)
		return -1;
	return 1;
}

void uring_flush(struct uring *u)
{
	if (u->deferred && !u->disabled)
		sys_enter(u->fd, 0, 0, IORING_ENTER_GETEVENTS);
}

bool uring_pending(const struct uring *u)
{
	return *u->cq_head != __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE) ||
	       (__atomic_load_n(u->sq_flags, __ATOMIC_ACQUIRE) &
		(IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN));
}

const struct io_uring_cqe *uring_cqe(struct uring *u)
{
	unsigned head = *u->cq_head;

	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return NULL;
	return &((const struct io_uring_cqe *)u->cqes)[head & *u->cq_mask];
}

void uring_cqe_seen(struct uring *u)
{
	__atomic_store_n(u->cq_head, *u->cq_head + 1, __ATOMIC_RELEASE);
}

/* Move every completion into res[]; returns how many there were. */
static unsigned reap(struct uring *u, int *res, unsigned n)
{
	unsigned head = *u->cq_head, got = 0;
	unsigned tail = __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE);
	const struct io_uring_cqe *cqes = u->cqes;

	for (; head != tail; head++, got++) {
		const struct io_uring_cqe *c = &cqes[head & *u->cq_mask];
		if (c->user_data < n)
			res[c->user_data] = c->res;
	}
	__atomic_store_n(u->cq_head, head, __ATOMIC_RELEASE);
	return got;
}

static int read_batch(struct uring *u, int fd, const struct iovec *iov, int *res, unsigned n)
{
	struct io_uring_sqe *sqes = u->sqes;
	unsigned tail = *u->sq_tail, got = 0;

	for (unsigned i = 0; i < n; i++, tail++) {
		struct io_uring_sqe *s = &sqes[tail & *u->sq_mask];
		memset(s, 0, sizeof(*s));
		s->opcode = IORING_OP_READ;
		s->fd = fd;
		if (fd == u->fixed_fd) {
			s->fd = 0;
			s->flags = IOSQE_FIXED_FILE;
		}
		s->addr = (uint64_t)(uintptr_t)iov[i].iov_base;
		s->len = (uint32_t)iov[i].iov_len;
		s->off = (uint64_t)-1; /* the file position: a tun has none */
		s->rw_flags = (int)u->rw_flags;
		s->user_data = i;
		res[i] = -EAGAIN;
	}
	__atomic_store_n(u->sq_tail, tail, __ATOMIC_RELEASE);
	/* Submit and wait for all n completions in one call: the reads run
	 * inline during the submission and never wait for data, so the wait
	 * ends at once. The loop only repeats after EINTR. */
	for (;;) {
		unsigned pending = tail - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
		got += reap(u, res, n);
		if (pending == 0 && got >= n)
			break;
		if (sys_enter(u->fd, pending, got < n ? n - got : 0,
			      got < n ? IORING_ENTER_GETEVENTS : 0) < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

int uring_read_nowait(struct uring *u, int fd, const struct iovec *iov, int *res, unsigned n)
{
	if (n > u->entries) {
		errno = EINVAL;
		return -1;
	}
	if (read_batch(u, fd, iov, res, n) != 0)
		return -1;
	/* a file without FMODE_NOWAIT refuses RWF_NOWAIT; its O_NONBLOCK
	 * already makes io_uring complete an empty read with -EAGAIN */
	if (n > 0 && res[0] == -EOPNOTSUPP && u->rw_flags) {
		u->rw_flags = 0;
		return read_batch(u, fd, iov, res, n);
	}
	return 0;
}
