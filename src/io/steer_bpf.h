/* steer_bpf.h - the tun's steering program (Linux, `workers N`).
 *
 * With IFF_MULTI_QUEUE the kernel picks the queue a packet for the tun goes
 * to by a hash of its 5-tuple; a BPF_PROG_TYPE_SOCKET_FILTER program set
 * with TUNSETSTEERINGEBPF (Linux 4.19) picks it instead: its return value
 * is the queue index (modulo the number of queues). The program is built
 * here as plain instructions from struct steer_params and makes exactly the
 * decisions of steer_packet() (lib/steer.h). Loading it needs CAP_BPF (or
 * CAP_SYS_ADMIN before Linux 5.8) unless unprivileged BPF is allowed. */
#ifndef TAYGA_STEER_BPF_H
#define TAYGA_STEER_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/steer.h"

/* Build and load the program. Returns its fd, or -1 with errno and a
 * message in err. */
int steer_bpf_load(const struct steer_params *s, char *err, size_t errlen);
/* Attach prog_fd to the tun the queue fd tun_fd belongs to (-1 detaches).
 * 0, or -1 with errno. */
int steer_bpf_attach(int tun_fd, int prog_fd);
/* Run the loaded program on one packet (IP header first) through
 * BPF_PROG_TEST_RUN: 0 with its return value in *ret, or -1 with errno. */
int steer_bpf_run(int prog_fd, const uint8_t *pkt, size_t len, uint32_t *ret);

#endif
