/* sandbox.c - closing inherited descriptors, NoNewPrivs, the capability
 * bounding set, and the test that configuration paths are out of the
 * runtime user's reach (tayga(8) "Privileges"). */
#include "daemon/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

void sandbox_close_fds(void)
{
#if defined(__linux__) && defined(SYS_close_range)
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

int sandbox_limit(uint64_t keep)
{
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	/* capabilities this kernel knows: PR_CAPBSET_READ fails past the last */
	for (int cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			break;
		if (in == 0 || (keep & SB_CAP_BIT(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return -1;
	}
#else
	(void)keep;
#endif
	return 0;
}

int sandbox_keep_caps(uint64_t keep)
{
#ifdef __linux__
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &h, data) != 0)
		return -1;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		data[i].effective &= k;
		data[i].permitted &= k;
		data[i].inheritable &= k;
	}
	return (int)syscall(SYS_capset, &h, data);
#else
	(void)keep;
	return 0;
#endif
}

void sandbox_parent_death_signal(int sig)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
#else
	(void)sig;
#endif
}
