/* sandbox.h - what a process gives up once it no longer needs it. */
#ifndef TAYGA_SANDBOX_H
#define TAYGA_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Close every file descriptor above 2: whatever the caller left open
 * (a shell's fd 10, a service manager's sockets) must not follow the
 * daemon into the jail. Call first thing. */
void sandbox_close_fds(void);

/* Capability numbers (linux/capability.h) a process may keep. */
#define SB_CAP_CHOWN 0
#define SB_CAP_DAC_OVERRIDE 1
#define SB_CAP_DAC_READ_SEARCH 2
#define SB_CAP_KILL 5
#define SB_CAP_SETGID 6
#define SB_CAP_SETUID 7
#define SB_CAP_NET_ADMIN 12
#define SB_CAP_SYS_CHROOT 18
#define SB_CAP_BIT(c) ((uint64_t)1 << (c))

/* Set NoNewPrivs and remove every capability not in `keep` (a mask of
 * SB_CAP_BIT) from the bounding set (needs CAP_SETPCAP; then nothing this
 * process runs can gain them back). Linux only; elsewhere a no-op. Returns
 * 0, or -1 with errno. */
int sandbox_limit(uint64_t keep);

/* Keep only the capabilities in `keep` in the effective, permitted and
 * inheritable sets (the bounding set matters only at execve; these are what
 * the running process can use). sandbox_keep_caps(0): none at all. Linux
 * only. 0 or -1 with errno. */
int sandbox_keep_caps(uint64_t keep);

/* Deliver sig when the parent process exits (Linux; elsewhere a no-op). */
void sandbox_parent_death_signal(int sig);

#endif
