/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_LAPIC_H
#define ASM_LAPIC_H

#include <plinth/types.h>

#define ICR_INIT 0x00000500u
#define ICR_STARTUP 0x00000600u
#define ICR_LEVEL_ASSERT 0x00004000u
#define ICR_FIXED 0x00000000u
#define ICR_ALL_BUT_SELF 0x000c0000u

/* Chooses x2APIC when the CPU has it; maps the xAPIC page otherwise. */
int lapic_setup(paddr_t mmio_base);
/* Per CPU: software-enable, spurious vector, timer masked. */
void lapic_enable(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

/* One-shot timer in LAPIC ticks (divide-by-16); masked start for calibration. */
void lapic_timer_start(uint32_t initial_count, unsigned int vector, bool masked);
uint32_t lapic_timer_current(void);
void lapic_timer_stop(void);

#endif
