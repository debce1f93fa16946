/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform devices as an OS finds them: the PIT's IRQ 0 arriving at
 * I/O APIC pin 2 (the MADT's override) while the vCPU is halted, COM1's
 * THRE interrupt at pin 4 once MCR.OUT2 opens its gate, the CMOS
 * RTC showing a plausible date, the ACPI PM timer counting, the PCI host
 * bridge's identity and the i8042's self-test.
 */
#include "guest.h"

#define IOAPIC_SEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define RTE_MASKED (1u << 16)

#define PIT_CH0 0x40
#define PIT_CTRL 0x43
#define PIT_HZ 1193182u
#define PIT_RATE_HZ 100
#define PIT_CH0_MODE2_LOHI 0x34

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_A_UIP 0x80
#define RTC_B_BINARY 0x04
#define RTC_CENTURY 0x32

#define PM_TMR 0x608
#define PM_TMR_HZ 3579545u

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

#define KBC_DATA 0x60
#define KBC_CMD 0x64
#define KBC_OBF 0x01

#define UART_IER 1
#define UART_IIR 2
#define UART_MCR 4
#define UART_IER_THRE 0x02
#define UART_IIR_ID 0x0f
#define UART_IIR_THRE 0x02
#define UART_MCR_OUT2 0x08

#define VEC_PIT 0x40     /* pin 2 */
#define VEC_COM1 0x43    /* pin 4 */
#define VEC_PIN0 0x41    /* pin 0: nothing may arrive there */
#define VEC_BACKSTOP 0x42 /* the test timer, so a lost PIT tick cannot hang HLT */
#define PIT_TICKS 5
#define PIT_BACKSTOP_TICKS 100 /* 1 s */

static volatile unsigned int pit_hits, pin0_hits, backstops, com1_hits;
static volatile uint8_t com1_iir;

static void ioapic_wr(uint32_t index, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + IOAPIC_SEL) = index;
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + IOAPIC_WIN) = v;
}

/* Edge, active high, fixed, physical destination APIC 0. */
static void route_pin(unsigned int pin, uint8_t vector)
{
	ioapic_wr(IOAPIC_REDIR(pin) + 1, 0);
	ioapic_wr(IOAPIC_REDIR(pin), vector);
}

static void on_pit(struct trap_frame *f)
{
	(void)f;
	pit_hits++;
	apic_eoi();
}

static void on_pin0(struct trap_frame *f)
{
	(void)f;
	pin0_hits++;
	apic_eoi();
}

static void on_backstop(struct trap_frame *f)
{
	(void)f;
	backstops++;
	apic_eoi();
}

/* Reading IIR with THRE as the source clears it, which drops the line again. */
static void on_com1(struct trap_frame *f)
{
	(void)f;
	com1_iir = inb(GUEST_UART_PORT + UART_IIR);
	com1_hits++;
	apic_eoi();
}

/* Nothing may be printed while THRE interrupts are on: every byte would raise one. */
static void test_com1_irq(void)
{
	uint8_t mcr = inb(GUEST_UART_PORT + UART_MCR);

	set_irq_handler(VEC_COM1, on_com1);
	apic_sw_enable();
	route_pin(4, VEC_COM1);
	outb(GUEST_UART_PORT + UART_MCR, mcr | UART_MCR_OUT2);
	/* IER.THRE going 0 -> 1 with the transmitter empty is an interrupt at once. */
	outb(GUEST_UART_PORT + UART_IER, UART_IER_THRE);
	asm volatile("sti\n\tnop\n\tnop\n\tcli" ::: "memory");
	outb(GUEST_UART_PORT + UART_IER, 0);
	outb(GUEST_UART_PORT + UART_MCR, mcr);
	ioapic_wr(IOAPIC_REDIR(4), RTE_MASKED);
	check(com1_hits == 1 && (com1_iir & UART_IIR_ID) == UART_IIR_THRE, "com1-thre-irq-pin4",
	      "%u COM1 interrupts on I/O APIC pin 4 (IIR 0x%02x), want 1 with THRE", com1_hits,
	      com1_iir);
}

static void test_pit_irq(void)
{
	uint16_t count = PIT_HZ / PIT_RATE_HZ;
	unsigned int waits = 0;

	set_irq_handler(VEC_PIT, on_pit);
	set_irq_handler(VEC_PIN0, on_pin0);
	set_irq_handler(VEC_BACKSTOP, on_backstop);
	apic_sw_enable();
	route_pin(0, VEC_PIN0);
	route_pin(2, VEC_PIT);
	outb(PIT_CTRL, PIT_CH0_MODE2_LOHI);
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
	/*
	 * Halted between ticks: only vCPU 0's device poll can wake it. The
	 * backstop is generous because this vCPU shares its CPU with others
	 * and ticks that come while it waits its turn coalesce, as on any
	 * time-shared host.
	 */
	outb(GUEST_TIMER_VECTOR_PORT, VEC_BACKSTOP);
	outl(GUEST_TIMER_PORT, 1000000 * PIT_BACKSTOP_TICKS / PIT_RATE_HZ);
	while (pit_hits < PIT_TICKS && !backstops && waits++ < 1000)
		asm volatile("sti\n\thlt\n\tcli" ::: "memory");
	ioapic_wr(IOAPIC_REDIR(2), RTE_MASKED);
	ioapic_wr(IOAPIC_REDIR(0), RTE_MASKED);
	gprintf("INFO pit: %u interrupts on pin 2, %u on pin 0, backstop %u, %u halts\n",
		pit_hits, pin0_hits, backstops, waits);
	check(pit_hits >= PIT_TICKS, "pit-irq0-pin2", "%u PIT interrupts on I/O APIC pin 2 "
	      "before the %u ms backstop, want %u", pit_hits, 1000 * PIT_BACKSTOP_TICKS / PIT_RATE_HZ,
	      PIT_TICKS);
	check(pin0_hits == 0, "pit-not-pin0", "%u interrupts on I/O APIC pin 0", pin0_hits);
}

static uint8_t cmos(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static unsigned int from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

static void test_rtc(void)
{
	unsigned int year, month, day, hour, min, sec, spins = 0;
	bool binary;

	while ((cmos(RTC_REG_A) & RTC_A_UIP) && spins++ < 100000)
		cpu_relax();
	binary = cmos(RTC_REG_B) & RTC_B_BINARY;
	sec = from_bcd(cmos(0x00), binary);
	min = from_bcd(cmos(0x02), binary);
	hour = from_bcd(cmos(0x04), binary);
	day = from_bcd(cmos(0x07), binary);
	month = from_bcd(cmos(0x08), binary);
	year = from_bcd(cmos(RTC_CENTURY), binary) * 100 + from_bcd(cmos(0x09), binary);
	gprintf("INFO rtc: %04u-%02u-%02u %02u:%02u:%02u\n", year, month, day, hour, min, sec);
	/* The firmware's clock: after this code was written, and a valid date and time. */
	check(year >= 2025 && year < 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
	      hour < 24 && min < 60 && sec < 60, "rtc-date",
	      "RTC reads %04u-%02u-%02u %02u:%02u:%02u", year, month, day, hour, min, sec);
}

static void test_pm_timer(uint32_t khz)
{
	uint32_t t0 = inl(PM_TMR), t1;
	uint64_t ticks, want;

	delay_us(2000);
	t1 = inl(PM_TMR);
	ticks = (uint32_t)(t1 - t0);
	want = (uint64_t)PM_TMR_HZ * 2 / 1000;
	gprintf("INFO pm timer: %lu ticks in 2 ms (want about %lu)\n", ticks, want);
	/* Loose: the guest's delay runs on a TSC rate CPUID rounds. */
	check(khz && ticks >= want / 2 && ticks <= want * 4, "pm-timer-counts",
	      "PM timer advanced %lu in 2 ms, want about %lu", ticks, want);
}

static void test_pci_and_kbc(void)
{
	uint32_t id;
	uint8_t r = 0;

	outl(PCI_ADDR, 0x80000000);
	id = inl(PCI_DATA);
	check(id == 0x12378086, "pci-host-bridge", "PCI 00:00.0 id 0x%08x, want 0x12378086", id);
	outb(KBC_CMD, 0xaa);
	for (int i = 0; i < 1000 && !(inb(KBC_CMD) & KBC_OBF); i++)
		cpu_relax();
	r = inb(KBC_DATA);
	check(r == 0x55, "i8042-self-test", "i8042 self-test answered 0x%02x, want 0x55", r);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	test_pit_irq();
	test_com1_irq();
	test_rtc();
	test_pm_timer(tsc_khz());
	test_pci_and_kbc();
}
