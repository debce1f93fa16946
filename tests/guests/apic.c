/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition's local APIC and I/O APIC as an OS meets them: reset state
 * (software-disabled, vectors dropped), self IPIs, priority order, EOI,
 * TPR and CR8 as one register, the LAPIC timer waking HLT, and the I/O
 * APIC's identification and masked power-on pins.
 */
#include "guest.h"

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ICR_LO 0x300
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DCR 0x3e0
#define ICR_SH_SELF (1u << 18)
#define DCR_DIV1 0xb
#define TIMER_COUNT 1000000u /* 1 ms at the 1 GHz bus clock */

#define IOAPIC_SEL 0x00
#define IOAPIC_WIN 0x10

#define VEC_LOW 0x50
#define VEC_HIGH 0x60
#define VEC_TIMER 0x70

static volatile unsigned int hits;
static volatile uint8_t order[4];
static volatile bool in_service;

static uint32_t apic_rd(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg);
}

static void apic_wr(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg) = v;
}

static bool vec_bit(uint32_t base, uint8_t vec)
{
	return apic_rd(base + (vec / 32) * 0x10) & (1u << (vec % 32));
}

static uint32_t ioapic_rd(uint32_t index)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + IOAPIC_SEL) = index;
	return *(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + IOAPIC_WIN);
}

static void handler(struct trap_frame *f)
{
	/* Records what the LAPIC says is in service while the handler runs. */
	in_service = vec_bit(APIC_ISR, (uint8_t)f->vector);
	if (hits < sizeof(order))
		order[hits] = (uint8_t)f->vector;
	hits++;
	apic_eoi();
}

static void self_ipi(uint8_t vec)
{
	apic_wr(APIC_ICR_LO, ICR_SH_SELF | vec);
}

/* Lets pending interrupts in for a moment, then closes the door again. */
static void open_window(void)
{
	asm volatile("sti" ::: "memory");
	delay_us(200);
	asm volatile("cli" ::: "memory");
}

static void test_identity(void)
{
	check(apic_rd(APIC_ID) >> 24 == 0, "apic-id", "ID register 0x%x", apic_rd(APIC_ID));
	check((apic_rd(APIC_VERSION) & 0xff) == 0x14, "apic-version", "version 0x%x",
	      apic_rd(APIC_VERSION));
}

static void test_sw_disabled(void)
{
	hits = 0;
	self_ipi(VEC_LOW);
	open_window();
	check(hits == 0 && !vec_bit(APIC_IRR, VEC_LOW), "apic-sw-disabled-drops",
	      "%u interrupts, IRR %d while SVR bit 8 is clear", hits, vec_bit(APIC_IRR, VEC_LOW));
}

static void test_self_ipi(void)
{
	hits = 0;
	self_ipi(VEC_LOW);
	open_window();
	check(hits == 1 && order[0] == VEC_LOW && in_service, "apic-self-ipi",
	      "%u interrupts, first vector 0x%x, in service %d", hits, order[0], in_service);
	check(!vec_bit(APIC_ISR, VEC_LOW), "apic-eoi", "vector still in service after EOI");
}

static void test_priority(void)
{
	hits = 0;
	self_ipi(VEC_LOW);
	self_ipi(VEC_HIGH);
	open_window();
	check(hits == 2 && order[0] == VEC_HIGH && order[1] == VEC_LOW, "apic-priority-order",
	      "%u interrupts, order 0x%x 0x%x", hits, order[0], order[1]);
}

static void test_tpr_cr8(void)
{
	uint64_t cr8;

	apic_wr(APIC_TPR, 0x60);
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	check(cr8 == 6, "apic-cr8-reads-tpr", "CR8 %lu with TPR 0x60", cr8);
	hits = 0;
	self_ipi(VEC_HIGH);
	open_window();
	check(hits == 0, "apic-tpr-holds", "vector 0x%x delivered with TPR 0x60", VEC_HIGH);
	asm volatile("mov %0, %%cr8" : : "r"(5ULL) : "memory");
	check(apic_rd(APIC_TPR) == 0x50, "apic-cr8-writes-tpr", "TPR 0x%x after CR8 = 5",
	      apic_rd(APIC_TPR));
	open_window();
	check(hits == 1, "apic-cr8-lowered-delivers", "%u interrupts after CR8 = 5", hits);
	asm volatile("mov %0, %%cr8" : : "r"(0ULL) : "memory");
}

static void test_timer(uint32_t khz)
{
	uint64_t t0, elapsed;

	hits = 0;
	apic_wr(APIC_TIMER_DCR, DCR_DIV1);
	apic_wr(APIC_LVT_TIMER, VEC_TIMER);
	t0 = rdtsc();
	apic_wr(APIC_TIMER_INIT, TIMER_COUNT);
	for (int i = 0; i < 100 && !hits; i++)
		asm volatile("sti\n\thlt\n\tcli" ::: "memory");
	elapsed = rdtsc() - t0;
	if (!check(hits == 1 && order[0] == VEC_TIMER, "apic-timer-wakes-hlt",
		   "%u interrupts, vector 0x%x", hits, order[0]))
		return;
	/* 1 ms, less a little for TSC/bus rounding. */
	check(elapsed >= (uint64_t)khz * 9 / 10, "apic-timer-not-early",
	      "fired after %lu TSC ticks, %u kHz", elapsed, khz);
	check(apic_rd(APIC_TIMER_CUR) == 0, "apic-timer-one-shot", "current count %u",
	      apic_rd(APIC_TIMER_CUR));
}

static void test_ioapic(void)
{
	uint32_t ver = ioapic_rd(0x01), rte = ioapic_rd(0x10);

	check(((ver >> 16) & 0xff) == 23, "ioapic-version", "version 0x%x (want 24 pins)", ver);
	check(rte & (1u << 16), "ioapic-pin-masked", "pin 0 0x%x at power-on", rte);
}

void guest_main(const struct boot_block *bb)
{
	uint32_t khz = tsc_khz();

	(void)bb;
	set_irq_handler(VEC_LOW, handler);
	set_irq_handler(VEC_HIGH, handler);
	set_irq_handler(VEC_TIMER, handler);
	test_identity();
	test_sw_disabled();
	apic_sw_enable();
	test_self_ipi();
	test_priority();
	test_tpr_cr8();
	if (khz)
		test_timer(khz);
	else
		fail("apic-tsc-khz", "CPUID 0x40000010 reports no TSC rate");
	test_ioapic();
}
