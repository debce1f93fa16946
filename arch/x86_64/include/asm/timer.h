/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_TIMER_H
#define ASM_TIMER_H

#include <plinth/types.h>

struct timer_calibration {
	uint64_t tsc_hz;
	uint64_t lapic_hz; /* after the divide-by-16 */
	const char *reference; /* "ACPI PM timer" or "PIT" */
};

/* Measures TSC and LAPIC timer against the ACPI PM timer, or the PIT without one. */
int timer_calibrate(struct timer_calibration *cal);
extern struct timer_calibration boot_timer;

/* The ACPI PM timer as a 64-bit count for self-tests; hz is 0 without one. */
uint64_t reference_clock_read(void);
uint64_t reference_clock_hz(void);
/* A PM timer reading and the TSC value at the same moment. */
void reference_sample(uint64_t *ref, uint64_t *tsc);
/* The LAPIC timer's current count and the TSC value at the same moment. */
void lapic_sample(uint32_t *count, uint64_t *tsc);

#endif
