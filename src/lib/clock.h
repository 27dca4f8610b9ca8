/* clock.h - the monotonic clock the daemon times its work by (rate limits
 * of log lines, periodic saves, busy polls, start-up waits): never set back
 * by a change of the wall clock. */
#ifndef TAYGA_CLOCK_H
#define TAYGA_CLOCK_H

#include <stdint.h>

uint64_t mono_us(void);
uint64_t mono_ms(void);

#endif
