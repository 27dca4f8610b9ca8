/* clock.c - the monotonic clock (clock.h). */
#include "lib/clock.h"

#include <time.h>

uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t mono_ms(void)
{
	return mono_us() / 1000;
}
