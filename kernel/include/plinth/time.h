/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_TIME_H
#define PLINTH_TIME_H

#include <plinth/boot_info.h>
#include <plinth/types.h>

#define NSEC_PER_SEC ((uint64_t)1000000000)
#define NSEC_PER_MSEC ((uint64_t)1000000)
#define NSEC_PER_USEC ((uint64_t)1000)

/* Monotonic nanoseconds since the kernel started; 0 until the TSC is calibrated. */
uint64_t time_ns(void);
uint64_t tsc_hz(void);
void time_init(uint64_t tsc_frequency, uint64_t tsc_at_zero);
uint64_t tsc_to_ns(uint64_t ticks);
/*
 * The firmware's wall clock as the UEFI stage read it (after time_init()).
 * time_wall_clock() gives those fields and the time_ns() at which they were
 * read, or false if the firmware had no clock.
 */
void time_wall_init(const struct boot_wall_clock *w);
bool time_wall_clock(struct boot_wall_clock *w, uint64_t *read_ns);
/* Busy-waits using the TSC; valid once calibrated. */
void udelay(uint64_t us);

#endif
