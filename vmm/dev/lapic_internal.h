/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_LAPIC_INTERNAL_H
#define VMM_DEV_LAPIC_INTERNAL_H

/* Shared by lapic.c, lapic_timer.c and lapic_ipi.c only. */
#include <vmm/dev/lapic.h>

#define LAPIC_NO_DEADLINE UINT64_MAX

/* 256-bit vector sets (ISR, TMR, IRR) as eight 32-bit registers. */
static inline bool vec_test(const uint32_t *set, unsigned int v)
{
	return set[v >> 5] & (1u << (v & 31));
}

static inline void vec_set(uint32_t *set, unsigned int v)
{
	set[v >> 5] |= 1u << (v & 31);
}

static inline void vec_clear(uint32_t *set, unsigned int v)
{
	set[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector in the set, or -1. */
static inline int vec_highest(const uint32_t *set)
{
	for (int i = 7; i >= 0; i--)
		if (set[i])
			return i * 32 + 31 - __builtin_clz(set[i]);
	return -1;
}

/* x2APIC logical ID: cluster id[19:4] in bits 31:16, one bit per member in 15:0. */
static inline uint32_t lapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 15));
}

static inline uint64_t lapic_now(const struct lapic *l)
{
	return dev_clock_ns(&l->cfg.clock);
}

static inline bool lvt_masked(const struct lapic *l, enum lapic_lvt which)
{
	return l->lvt[which] & LAPIC_LVT_MASKED;
}

/* lapic.c */
void lapic_error(struct lapic *l, uint32_t bits);
void lapic_kick_if_pending(struct lapic *l);

/* lapic_timer.c */
void lapic_timer_reset(struct lapic *l);
unsigned int lapic_timer_mode(const struct lapic *l);
void lapic_timer_write_lvt(struct lapic *l, uint32_t value);
void lapic_timer_write_initial(struct lapic *l, uint32_t value);
void lapic_timer_write_dcr(struct lapic *l, uint32_t value);
uint32_t lapic_timer_read_count(struct lapic *l);
uint64_t lapic_tsc_deadline_read(struct lapic *l);
void lapic_tsc_deadline_write(struct lapic *l, uint64_t value);

/* lapic_ipi.c */
void lapic_send_icr(struct lapic *l);
void lapic_send_self(struct lapic *l, uint8_t vector);
void lapic_lint_eoi(struct lapic *l, uint8_t vector);
void lapic_lint_level_check(struct lapic *l);

#endif
