/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_UNIT_DEV_FIXTURE_H
#define TESTS_UNIT_DEV_FIXTURE_H

/*
 * What the device-model tests hand a model instead of a partition: a clock
 * the test moves by hand, and an interrupt line that records what the model
 * drives on it.
 */
#include <vmm/dev/dev.h>

#define SEC 1000000000ULL

/* The time fake_clock reads, in ns; tests set it directly. */
extern uint64_t fake_now;
extern const struct dev_clock fake_clock;

struct fake_line {
	struct dev_irq irq; /* give this to the model */
	bool level;         /* as last driven */
	unsigned int rises; /* low-to-high transitions seen */
	/*
	 * A level model must never drive the level it already drives (the
	 * RTC and the SCI): the line then fails the test. The PIT's pulses
	 * may repeat a level, so its line is not strict.
	 */
	bool strict;
};

/* Initialises *l deasserted with no edges seen. */
void fake_line_init(struct fake_line *l, bool strict);

#endif
