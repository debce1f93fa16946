// SPDX-License-Identifier: GPL-2.0
/*
 * The LAPIC timer (vmm/include/vmm/dev/lapic.h). Nothing ticks: the counter
 * is described by the value it held at a point in time (base_count at
 * base_ns) and every read or expiry check computes from there. The counter
 * runs at LAPIC_BUS_HZ divided by the DCR setting.
 *
 * One-shot counts down once and stops at 0. Periodic reloads the initial
 * count each time it reaches 0; after a long gap (the owner was late, or the
 * LVT was masked) the missed periods collapse into one interrupt and the
 * phase is kept. TSC-deadline fires when the TSC reaches IA32_TSC_DEADLINE,
 * which then reads 0. A masked LVT lets the counter run but delivers nothing.
 */
#include "lapic_internal.h"

#define NS_PER_SEC 1000000000ULL

_Static_assert(NS_PER_SEC % LAPIC_BUS_HZ == 0, "a bus tick must be a whole number of ns");

/* DCR bits 3,1,0: 000 -> 2, 001 -> 4, ... 110 -> 128, 111 -> 1. */
static uint64_t tick_ns(const struct lapic *l)
{
	unsigned int code = ((l->timer_dcr >> 1) & 4) | (l->timer_dcr & 3);
	uint64_t div = code == 7 ? 1 : 2ULL << code;

	return div * (NS_PER_SEC / LAPIC_BUS_HZ);
}

unsigned int lapic_timer_mode(const struct lapic *l)
{
	return (l->lvt[LAPIC_LVT_TIMER] >> LAPIC_LVT_TIMER_SHIFT) & 3;
}

static bool deadline_mode(const struct lapic *l)
{
	return lapic_timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE;
}

/* When the counter reaches 0 from base_count. */
static uint64_t count_expiry(const struct lapic *l)
{
	return l->timer_base_ns + (uint64_t)l->timer_base_count * tick_ns(l);
}

void lapic_timer_reset(struct lapic *l)
{
	l->timer_initial = 0;
	l->timer_dcr = 0;
	l->timer_armed = false;
	l->timer_base_ns = 0;
	l->timer_base_count = 0;
	l->tsc_deadline = 0;
}

static void fire(struct lapic *l)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];

	if (!(lvt & LAPIC_LVT_MASKED))
		lapic_accept(l, (uint8_t)(lvt & LAPIC_LVT_VECTOR), false);
}

void lapic_timer_update(struct lapic *l, uint64_t now_ns)
{
	uint64_t end, period;

	if (!lapic_hw_enabled(l))
		return;
	if (deadline_mode(l)) {
		if (l->tsc_deadline && l->cfg.read_tsc(l->cfg.ctx) >= l->tsc_deadline) {
			l->tsc_deadline = 0;
			fire(l);
		}
		return;
	}
	if (!l->timer_armed)
		return;
	end = count_expiry(l);
	if (now_ns < end)
		return;
	if (lapic_timer_mode(l) == LAPIC_TIMER_PERIODIC) {
		/* Skip whole missed periods in one step rather than firing for each. */
		period = (uint64_t)l->timer_initial * tick_ns(l);
		l->timer_base_ns = end + (now_ns - end) / period * period;
		l->timer_base_count = l->timer_initial;
	} else {
		l->timer_armed = false;
	}
	fire(l);
}

/* The counter at now, which lapic_timer_update() has already caught up to. */
static uint32_t count_at(const struct lapic *l, uint64_t now)
{
	uint64_t elapsed = now > l->timer_base_ns ? now - l->timer_base_ns : 0;

	if (!l->timer_armed)
		return 0;
	/* Caught up means now < expiry, so fewer than base_count ticks went by. */
	return l->timer_base_count - (uint32_t)(elapsed / tick_ns(l));
}

uint32_t lapic_timer_read_count(struct lapic *l)
{
	uint64_t now = lapic_now(l);

	if (deadline_mode(l))
		return 0;
	lapic_timer_update(l, now);
	return count_at(l, now);
}

void lapic_timer_write_lvt(struct lapic *l, uint32_t value)
{
	bool was_deadline = deadline_mode(l);

	/* Expiries due under the old entry happen (or are dropped, if masked) first. */
	lapic_timer_update(l, lapic_now(l));
	l->lvt[LAPIC_LVT_TIMER] = value;
	/* Entering or leaving TSC-deadline mode disarms the timer. */
	if (was_deadline != deadline_mode(l)) {
		l->timer_armed = false;
		l->tsc_deadline = 0;
	}
}

void lapic_timer_write_initial(struct lapic *l, uint32_t value)
{
	uint64_t now = lapic_now(l);

	if (deadline_mode(l))
		return; /* ignored in TSC-deadline mode */
	lapic_timer_update(l, now);
	l->timer_initial = value;
	l->timer_armed = value != 0; /* 0 stops the timer */
	l->timer_base_ns = now;
	l->timer_base_count = value;
}

void lapic_timer_write_dcr(struct lapic *l, uint32_t value)
{
	uint64_t now = lapic_now(l);

	lapic_timer_update(l, now);
	/* The count so far stands; from now on it runs at the new rate. */
	if (l->timer_armed && !deadline_mode(l)) {
		l->timer_base_count = count_at(l, now);
		l->timer_base_ns = now;
	}
	l->timer_dcr = value;
}

uint64_t lapic_tsc_deadline_read(struct lapic *l)
{
	if (!deadline_mode(l))
		return 0;
	lapic_timer_update(l, lapic_now(l));
	return l->tsc_deadline;
}

void lapic_tsc_deadline_write(struct lapic *l, uint64_t value)
{
	if (!deadline_mode(l))
		return; /* writes are ignored in the other modes */
	l->tsc_deadline = value; /* 0 disarms */
	lapic_timer_update(l, lapic_now(l));
}

/* ceil(delta TSC ticks in ns), saturating; tsc_hz <= LAPIC_MAX_TSC_HZ keeps rem * 1e9 in range. */
static uint64_t tsc_delta_ns(uint64_t delta, uint64_t hz)
{
	uint64_t secs = delta / hz, rem = delta % hz;

	if (secs >= UINT64_MAX / NS_PER_SEC - 1)
		return UINT64_MAX;
	return secs * NS_PER_SEC + (rem * NS_PER_SEC + hz - 1) / hz;
}

uint64_t lapic_next_deadline_ns(const struct lapic *l)
{
	uint64_t now, tsc, delta;

	/* A masked timer delivers nothing: its state is caught up lazily on the next access. */
	if (!lapic_hw_enabled(l) || lvt_masked(l, LAPIC_LVT_TIMER))
		return LAPIC_NO_DEADLINE;
	if (deadline_mode(l)) {
		if (!l->tsc_deadline)
			return LAPIC_NO_DEADLINE;
		now = lapic_now(l);
		tsc = l->cfg.read_tsc(l->cfg.ctx);
		if (tsc >= l->tsc_deadline)
			return now;
		delta = tsc_delta_ns(l->tsc_deadline - tsc, l->cfg.tsc_hz);
		return delta > UINT64_MAX - now ? LAPIC_NO_DEADLINE : now + delta;
	}
	return l->timer_armed ? count_expiry(l) : LAPIC_NO_DEADLINE;
}
