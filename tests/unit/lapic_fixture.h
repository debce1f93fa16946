/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LAPIC_FIXTURE_H
#define LAPIC_FIXTURE_H

/*
 * One LAPIC under test with a fake clock (fx_ns, set by the test), a TSC
 * that runs at FX_TSC_HZ off the same clock, and recorders for every
 * callback the model makes.
 */
#include <stdbool.h>
#include <stdint.h>

#include <vmm/dev/lapic.h>

#define FX_APIC_ID 0x23u /* x2APIC cluster 2, member bit 3 */
#define FX_TSC_HZ 2000000000ULL /* 2 TSC ticks per ns */
#define FX_MAX_IPIS 64
#define FX_MAX_EOIS 64

extern struct lapic fx;
extern uint64_t fx_ns;
extern struct lapic_ipi fx_ipis[FX_MAX_IPIS];
extern unsigned int fx_nipis;
extern uint8_t fx_eois[FX_MAX_EOIS];
extern unsigned int fx_neois;
extern unsigned int fx_kicks;
/* When set, send_ipi delivers fixed messages back to fx if lapic_match_dest says so. */
extern bool fx_loopback;

/* cmocka setup: fresh LAPIC (x2APIC capable, TSC-deadline offered, BSP), clock at 1 s. */
int fx_setup(void **state);
struct lapic_config fx_config(void);

uint64_t fx_tsc(void);
uint32_t fx_rd(uint32_t off);
void fx_wr(uint32_t off, uint32_t value);
uint64_t fx_msr_rd(uint32_t msr);
void fx_msr_wr(uint32_t msr, uint64_t value);
/* SVR = 0x1ff: software-enabled, spurious vector 0xff. */
void fx_sw_enable(void);
/* xAPIC -> x2APIC through IA32_APIC_BASE. */
void fx_to_x2apic(void);
/* IRR/ISR/TMR bit for vector through the register windows of the current mode. */
bool fx_irr(unsigned int vector);
bool fx_isr(unsigned int vector);
bool fx_tmr(unsigned int vector);

#endif
