/* uring_reader.h - packets from one file through io_uring, the cheapest way
 * the kernel offers, for the tun backend (and one per worker: all state is
 * in the struct, nothing global).
 *
 * Best: one multishot read (IORING_OP_READ_MULTISHOT, Linux 6.7) into a
 * ring of provided buffers (IORING_REGISTER_PBUF_RING, 5.19) on a
 * registered file (IORING_REGISTER_FILES): armed once, the kernel reads
 * every packet as it arrives and posts it to the completion queue; taking
 * packets costs no system call and no submission per packet. The process
 * waits by polling the file or the ring (ureader_wait_fd()). Where the
 * kernel can defer task work (Linux 6.1), the read takes packets off the
 * file only when the reader asks for completions, not whenever one
 * arrives: a process that sleeps on purpose (rx-hold-usecs) is not woken
 * per packet. The ring then belongs to the process that reads first.
 * Otherwise: batches of RWF_NOWAIT reads (uring_read_nowait(), one
 * io_uring_enter(2) per batch), on the registered file when the kernel
 * lets us register it. Which one runs is probed at set-up, and a multishot
 * read the kernel refuses when first armed falls back to batches. */
#ifndef TAYGA_URING_READER_H
#define TAYGA_URING_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "io/uring.h"

/* Most packets per call, and most buffers. The kernel keeps reading into
 * the buffers the caller does not hold, so give it more than one call's
 * worth (a multishot read that finds no buffer stops until re-armed). */
#define UREADER_BATCH 64
#define UREADER_BUFS_MAX 256

/* The caller's buffers: buffer i starts at base + i * stride + off and
 * holds len bytes. */
struct ureader_bufs {
	uint8_t *base;
	size_t stride, off;
	uint32_t len;
	unsigned n;           /* a power of two, 2..UREADER_BUFS_MAX */
};

enum ureader_mode { UREADER_NOWAIT_BATCHES, UREADER_MULTISHOT };

struct ureader {
	struct uring ring;
	int fd;               /* the file read */
	bool fixed;           /* fd is registered: index 0 */
	enum ureader_mode mode;
	struct ureader_bufs b;
	bool armed;           /* multishot read in flight */
	bool ever_read;       /* the multishot read has delivered data */
	void *br;             /* struct io_uring_buf_ring (multishot) */
	size_t br_len;
	uint16_t br_tail;
	uint16_t held[UREADER_BATCH]; /* buffers handed out by the last call */
	unsigned nheld;
	unsigned per_call;    /* most packets per call: half the buffers */
	unsigned batch;       /* batch mode: reads to queue next (adapts) */
	int err;              /* a read error to report on the next call */
	pid_t reader;         /* the process that reads (0: none yet) */
};

/* What one read gave: buffer `buf` holds `len` bytes. */
struct ureader_pkt {
	unsigned buf;
	size_t len;
};

/* Set up for reading fd (O_NONBLOCK) into b. no_multishot forces batch
 * mode (the tests of the fallback use it). Returns 0, or -1 with errno when
 * io_uring itself is unavailable. */
int ureader_open(struct ureader *r, int fd, const struct ureader_bufs *b, bool no_multishot);
void ureader_close(struct ureader *r);

/* The packets waiting, up to half the buffers (at most UREADER_BATCH):
 * out[0..k-1]. The buffers the previous
 * call returned are reused: their data is gone. *drained: nothing more is
 * waiting now. Returns k, -1 with errno on a read error (the error is
 * reported once; the next call tries again), -2 with errno when io_uring
 * cannot read this file at all (the caller falls back to read(2)). */
int ureader_read(struct ureader *r, struct ureader_pkt *out, bool *drained);

/* The fd to poll for input, chosen right before the poll (no system call
 * in between): the ring's when completions are waiting already (it is
 * readable: the poll returns at once), else the file's own. A packet that
 * arrives later is in the file's queue when the poll looks: the armed read
 * takes it only in task work, which runs when the reader asks for
 * completions (deferred) or leaves the kernel. Polling the file rather than
 * the ring avoids the restarted poll that task work for a sleeping process
 * costs, and reports POLLERR. */
int ureader_wait_fd(const struct ureader *r);

#endif
