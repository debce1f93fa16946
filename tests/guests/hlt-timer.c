/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timer device: one interrupt after the programmed delay, delivered only
 * with RFLAGS.IF=1, waking HLT.
 */
#include "guest.h"

#define TIMER_VECTOR 0x30
#define DELAY_US 1000

static volatile unsigned int ticks;
static volatile uint64_t tick_tsc;
static volatile uint64_t tick_vector;

static void timer_irq(struct trap_frame *f)
{
	tick_tsc = rdtsc();
	tick_vector = f->vector;
	ticks++;
	apic_eoi();
}

/* sti; hlt is atomic: the interrupt cannot slip in between and be missed. */
static void wait_for_tick(unsigned int before)
{
	for (int i = 0; i < 3 && ticks == before; i++)
		asm volatile("sti\n\thlt\n\tcli" ::: "memory");
}

static void test_hlt(uint32_t khz)
{
	set_irq_handler(TIMER_VECTOR, timer_irq);
	apic_sw_enable();
	outb(GUEST_TIMER_VECTOR_PORT, TIMER_VECTOR);

	uint64_t t0 = rdtsc();

	outl(GUEST_TIMER_PORT, DELAY_US);
	wait_for_tick(0);
	uint64_t t1 = rdtsc();

	if (ticks != 1) {
		fail("hlt-timer", "%u timer interrupts after HLT, want 1", ticks);
		return;
	}
	check(tick_vector == TIMER_VECTOR, "hlt-timer-vector", "handler saw vector 0x%lx",
	      tick_vector);
	/* The delay is 1 ms; accept anything from half of it (TSC rate rounding). */
	uint64_t min_ticks = (uint64_t)khz / 2;
	uint64_t elapsed = tick_tsc - t0;

	gprintf("INFO timer fired after %lu TSC ticks (%lu us), woke after %lu us\n", elapsed,
		khz ? elapsed * 1000 / khz : 0, khz ? (t1 - t0) * 1000 / khz : 0);
	check(khz && elapsed >= min_ticks, "hlt-timer",
	      "interrupt after %lu TSC ticks, want >= %lu (tsc_khz %u)", elapsed, min_ticks, khz);
}

/* Programmed with IF=0, the interrupt must wait until STI. */
static void test_masked(uint32_t khz)
{
	unsigned int before = ticks;

	asm volatile("cli" ::: "memory");
	outl(GUEST_TIMER_PORT, 100);
	delay_us(2000);
	if (!check(ticks == before, "hlt-timer-masked", "interrupt delivered with IF=0"))
		return;
	wait_for_tick(before);
	check(ticks == before + 1, "hlt-timer-after-sti", "%u interrupts after STI, want 1",
	      ticks - before);
	(void)khz;
}

void guest_main(const struct boot_block *bb)
{
	uint32_t khz = tsc_khz();

	(void)bb;
	if (!khz)
		fail("hlt-timer-tsc-khz", "CPUID 0x40000010 reports no TSC rate");
	test_hlt(khz);
	test_masked(khz);
}
