/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_DEV_H
#define VMM_DEV_DEV_H

/*
 * What a platform device model (vmm/dev/) is given by whoever instantiates
 * it: an interrupt line to drive and a clock to read. Both are callbacks so
 * the models know nothing of partitions, vCPUs or the interrupt controllers
 * behind them, and run unchanged in host unit tests with a fake clock.
 */
#include <plinth/types.h>

/* One interrupt input (an IOAPIC pin, a PIC line): asserted or not. */
struct dev_irq {
	void (*set_level)(void *ctx, bool asserted);
	void *ctx;
};

static inline void dev_irq_set(const struct dev_irq *irq, bool asserted)
{
	if (irq && irq->set_level)
		irq->set_level(irq->ctx, asserted);
}

/* A monotonic clock in nanoseconds, the same for every device of a partition. */
struct dev_clock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

static inline uint64_t dev_clock_ns(const struct dev_clock *c)
{
	return c->now_ns(c->ctx);
}

#endif
