/* steer_bpf.c - the steering program as BPF instructions (steer_bpf.h). The
 * decisions are steer_packet()'s in lib/steer.c; keep the two in step (the
 * unit test runs both on the same packets). */
#include "io/steer_bpf.h"

#include <errno.h>
#include <stdio.h>

#ifndef __linux__
/* no multi-queue tun to steer: `workers` is refused before this is called */
int steer_bpf_load(const struct steer_params *s, char *err, size_t errlen)
{
	(void)s;
	snprintf(err, errlen, "no tun steering on this platform");
	errno = ENOSYS;
	return -1;
}

int steer_bpf_attach(int tun_fd, int prog_fd)
{
	(void)tun_fd;
	(void)prog_fd;
	errno = ENOSYS;
	return -1;
}

int steer_bpf_run(int prog_fd, const uint8_t *pkt, size_t len, uint32_t *ret)
{
	(void)prog_fd;
	(void)pkt;
	(void)len;
	(void)ret;
	errno = ENOSYS;
	return -1;
}
#else
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_INSNS 128
#define GOLDEN 0x9e3779b1u

/* jump targets */
enum label { L_RET0, L_V4, L_V6, L_HASH, L_STATELESS, L_MAX };

struct prog {
	struct bpf_insn i[MAX_INSNS];
	unsigned n;
	int at[L_MAX];             /* instruction index of each label */
	struct fixup { unsigned insn; enum label to; } fix[16];
	unsigned nfix;
};

static void put(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < MAX_INSNS)
		p->i[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						.off = off, .imm = imm };
	p->n++;
}

static void label(struct prog *p, enum label l)
{
	p->at[l] = (int)p->n;
}

/* conditional jump on dst <op> imm (unsigned) to a label */
static void jmp(struct prog *p, uint8_t op, uint8_t dst, int32_t imm, enum label to)
{
	if (p->nfix < sizeof(p->fix) / sizeof(p->fix[0]))
		p->fix[p->nfix++] = (struct fixup){ p->n, to };
	put(p, BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}

static void alu32(struct prog *p, uint8_t op, uint8_t dst, int32_t imm)
{
	put(p, BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static void alu64(struct prog *p, uint8_t op, uint8_t dst, int32_t imm)
{
	put(p, BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

static void alu32_reg(struct prog *p, uint8_t op, uint8_t dst, uint8_t src)
{
	put(p, BPF_ALU | op | BPF_X, dst, src, 0, 0);
}

/* R0 = the packet's big-endian byte / word at off (LD_ABS: needs R6 = ctx,
 * clobbers R1-R5; the length checks before make it never fail) */
static void load_abs(struct prog *p, uint8_t size, int32_t off)
{
	put(p, BPF_LD | BPF_ABS | size, 0, 0, 0, off);
}

/* R8 = mix(R8, R0), as mix() in lib/steer.c */
static void mix(struct prog *p)
{
	alu32_reg(p, BPF_XOR, BPF_REG_8, BPF_REG_0);
	alu32(p, BPF_MUL, BPF_REG_8, (int32_t)GOLDEN);
	alu32_reg(p, BPF_MOV, BPF_REG_0, BPF_REG_8);
	alu32(p, BPF_RSH, BPF_REG_0, 15);
	alu32_reg(p, BPF_XOR, BPF_REG_8, BPF_REG_0);
}

/* return (R8 * workers) >> 32, as reduce() */
static void reduce_exit(struct prog *p, unsigned workers)
{
	alu32_reg(p, BPF_MOV, BPF_REG_0, BPF_REG_8);
	alu64(p, BPF_MUL, BPF_REG_0, (int32_t)workers);
	alu64(p, BPF_RSH, BPF_REG_0, 32);
	put(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* IPv6: hash the client prefix at offset R9 (8, or 72 for an ICMPv6 error) */
static void build_v6(struct prog *p, const struct steer_params *s)
{
	label(p, L_V6);
	jmp(p, BPF_JLT, BPF_REG_7, 40, L_RET0);
	alu64(p, BPF_MOV, BPF_REG_9, 8);
	jmp(p, BPF_JLT, BPF_REG_7, 88, L_HASH);
	load_abs(p, BPF_B, 6);
	jmp(p, BPF_JNE, BPF_REG_0, 58, L_HASH);
	load_abs(p, BPF_B, 40);
	jmp(p, BPF_JGE, BPF_REG_0, 128, L_HASH);
	alu64(p, BPF_MOV, BPF_REG_9, 72);
	label(p, L_HASH);
	alu32(p, BPF_MOV, BPF_REG_8, 0);
	for (unsigned k = 0; k * 32 < s->plen6; k++) {
		unsigned bits = s->plen6 - k * 32;
		put(p, BPF_LD | BPF_IND | BPF_W, 0, BPF_REG_9, 0, (int32_t)(4 * k));
		if (bits < 32)
			alu32(p, BPF_AND, BPF_REG_0, (int32_t)~(0xffffffffu >> bits));
		mix(p);
	}
	reduce_exit(p, s->workers);
}

/* IPv4: a pool address goes to its slot's owner, the rest by address hash */
static void build_v4(struct prog *p, const struct steer_params *s)
{
	label(p, L_V4);
	jmp(p, BPF_JLT, BPF_REG_7, 20, L_RET0);
	load_abs(p, BPF_W, 16);
	alu32_reg(p, BPF_MOV, BPF_REG_8, BPF_REG_0);
	if (s->pool_n) {
		alu32(p, BPF_SUB, BPF_REG_0, (int32_t)s->pool_net);
		jmp(p, BPF_JGE, BPF_REG_0, (int32_t)s->pool_n, L_STATELESS);
		alu64(p, BPF_MUL, BPF_REG_0, (int32_t)s->workers);
		alu64(p, BPF_RSH, BPF_REG_0, (int32_t)s->pool_bits);
		put(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	label(p, L_STATELESS);
	load_abs(p, BPF_W, 12);
	alu32_reg(p, BPF_XOR, BPF_REG_8, BPF_REG_0);   /* R8 = src ^ dst */
	alu32(p, BPF_MOV, BPF_REG_0, 0);
	mix(p);                                         /* mix(src ^ dst, 0) */
	reduce_exit(p, s->workers);
}

static int build(struct prog *p, const struct steer_params *s)
{
	memset(p, 0, sizeof(*p));
	put(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	put(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_7, BPF_REG_6, offsetof(struct __sk_buff, len), 0);
	jmp(p, BPF_JEQ, BPF_REG_7, 0, L_RET0);
	load_abs(p, BPF_B, 0);
	alu32(p, BPF_RSH, BPF_REG_0, 4);
	jmp(p, BPF_JEQ, BPF_REG_0, 6, L_V6);
	jmp(p, BPF_JEQ, BPF_REG_0, 4, L_V4);
	label(p, L_RET0);
	alu64(p, BPF_MOV, BPF_REG_0, 0);
	put(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	build_v6(p, s);
	build_v4(p, s);
	if (p->n > MAX_INSNS)
		return -1;
	for (unsigned k = 0; k < p->nfix; k++)
		p->i[p->fix[k].insn].off = (int16_t)(p->at[p->fix[k].to] - (int)p->fix[k].insn - 1);
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

int steer_bpf_load(const struct steer_params *s, char *err, size_t errlen)
{
	static char log[4096];
	struct prog p;
	union bpf_attr a;
	int fd;

	if (s->workers < 1 || s->workers > STEER_MAX_WORKERS || s->plen6 > 128 ||
	    s->pool_n > (1u << 30) || build(&p, s) != 0) {
		snprintf(err, errlen, "steering program: bad parameters");
		errno = EINVAL;
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)p.i;
	a.insn_cnt = p.n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	log[0] = '\0';
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		int e = errno;
		if (e == EINVAL || e == EACCES) {
			/* again, for the verifier's reason (its log is
			 * only asked for now: a full one fails the load) */
			a.log_buf = (uint64_t)(uintptr_t)log;
			a.log_size = sizeof(log);
			a.log_level = 1;
			int again = (int)sys_bpf(BPF_PROG_LOAD, &a);
			if (again >= 0) {
				close(again);
				log[0] = '\0';
			}
		}
		snprintf(err, errlen, "cannot load the tun steering program (bpf BPF_PROG_LOAD): %s%s%s%.300s",
			 strerror(e), e == EPERM ? " (needs CAP_BPF or CAP_SYS_ADMIN)" : "",
			 log[0] ? ": " : "", log);
		errno = e;
	}
	return fd;
}

int steer_bpf_attach(int tun_fd, int prog_fd)
{
	return ioctl(tun_fd, TUNSETSTEERINGEBPF, &prog_fd) < 0 ? -1 : 0;
}

int steer_bpf_run(int prog_fd, const uint8_t *pkt, size_t len, uint32_t *ret)
{
	/* socket filters run on an skb whose link-layer header (14 bytes, as
	 * BPF_PROG_TEST_RUN parses it) is already pulled: data = IP header,
	 * as on the tun's transmit path */
	uint8_t buf[14 + 256];
	union bpf_attr a;

	if (len == 0 || len > sizeof(buf) - 14) {
		errno = EMSGSIZE;
		return -1;
	}
	/* the test run refuses an IPv6 ethertype with less than an IPv6
	 * header; the program does not look at it: local experimental */
	unsigned v = pkt[0] >> 4;
	uint16_t type = v == 6 && len >= 40 ? 0x86dd : v == 4 && len >= 20 ? 0x0800 : 0x88b5;

	memset(buf, 0, 14);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	memcpy(buf + 14, pkt, len);
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)buf;
	a.test.data_size_in = (uint32_t)(14 + len);
	if (sys_bpf(BPF_PROG_TEST_RUN, &a) != 0)
		return -1;
	*ret = a.test.retval;
	return 0;
}
#endif
