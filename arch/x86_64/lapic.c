/* SPDX-License-Identifier: GPL-2.0 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/lapic.h>
#include <asm/trap.h>
#include <plinth/spinlock.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>

#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_X2APIC (1ULL << 10)

#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ESR 0x280
#define REG_ICR_LOW 0x300
#define REG_ICR_HIGH 0x310
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define ICR_PENDING (1u << 12)
#define TIMER_DIV_16 0x3

static bool x2apic;
static volatile uint8_t *xapic_regs;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(xapic_regs + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(xapic_regs + reg, v);
}

int lapic_setup(paddr_t mmio_base)
{
	struct cpuid_regs r;

	cpuid(1, &r);
	x2apic = r.ecx & (1u << 21);
	if (!x2apic) {
		xapic_regs = ioremap(mmio_base, PAGE_SIZE);
		if (!xapic_regs)
			return -ENOMEM;
	}
	pr_info("lapic: %s mode\n", x2apic ? "x2APIC" : "xAPIC");
	return 0;
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	if (x2apic) {
		/* xAPIC must be enabled before x2APIC; the order is architectural. */
		wrmsr(MSR_APIC_BASE, base);
		base |= APIC_BASE_X2APIC;
	}
	wrmsr(MSR_APIC_BASE, base);
	lapic_write(REG_TPR, 0);
	lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	if (!x2apic)
		lapic_write(REG_ESR, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | icr_low);
		return;
	}
	lapic_write(REG_ICR_HIGH, apic_id << 24);
	lapic_write(REG_ICR_LOW, icr_low);
	for (int i = 0; i < 1000000 && (lapic_read(REG_ICR_LOW) & ICR_PENDING); i++)
		cpu_relax();
}

void lapic_timer_start(uint32_t initial_count, unsigned int vector, bool masked)
{
	lapic_write(REG_TIMER_DIV, TIMER_DIV_16);
	lapic_write(REG_LVT_TIMER, vector | (masked ? LVT_MASKED : 0));
	lapic_write(REG_TIMER_INIT, initial_count);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(REG_TIMER_CUR);
}

void lapic_timer_stop(void)
{
	lapic_write(REG_TIMER_INIT, 0);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
}
