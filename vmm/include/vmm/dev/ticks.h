/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_TICKS_H
#define VMM_DEV_TICKS_H

/*
 * Converting dev_clock nanoseconds to the input clock of a counter device
 * (the PIT's 1.193182 MHz, the PM timer's 3.579545 MHz, the RTC's 32.768 kHz)
 * and back, exactly and without 128-bit division: the kernel links no
 * libgcc, so __udivti3 is not there. Splitting at whole seconds keeps every
 * product below 2^64 for any rate under 18 GHz.
 */
#include <plinth/time.h> /* NSEC_PER_SEC only: the models never read the host's clock */
#include <plinth/types.h>

/* Whole ticks of an hz clock in ns nanoseconds: floor(ns * hz / 1e9). */
static inline uint64_t dev_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return (ns / NSEC_PER_SEC) * hz + (ns % NSEC_PER_SEC) * hz / NSEC_PER_SEC;
}

/*
 * The first nanosecond by which ticks ticks have passed: ceil(ticks * 1e9 /
 * hz), so dev_ns_to_ticks() of the result is at least ticks. Saturates at
 * UINT64_MAX (some 584 years) instead of wrapping to an early time.
 */
static inline uint64_t dev_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t secs = ticks / hz;
	uint64_t rest = ((ticks % hz) * NSEC_PER_SEC + hz - 1) / hz;

	if (secs > (UINT64_MAX - rest) / NSEC_PER_SEC)
		return UINT64_MAX;
	return secs * NSEC_PER_SEC + rest;
}

#endif
