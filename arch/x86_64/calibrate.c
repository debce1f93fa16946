/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TSC and LAPIC timer frequencies come from counting them across a window
 * of a fixed-frequency reference: the ACPI PM timer (3.579545 MHz) where the
 * FADT has one, the PIT (1.193182 MHz) otherwise.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/lapic.h>
#include <asm/timer.h>
#include <plinth/acpi_kernel.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>

#define PM_TIMER_HZ 3579545ULL
#define PIT_HZ 1193182ULL
#define CALIBRATION_MS 50
#define SAMPLE_TRIES 5

struct timer_calibration boot_timer;

static volatile uint32_t *pm_mmio;
static uint16_t pm_port;
static uint32_t pm_mask;
static uint64_t pm_last, pm_accum; /* extends the 24/32-bit counter */

static uint32_t pm_read_raw(void)
{
	return (pm_mmio ? *pm_mmio : inl(pm_port)) & pm_mask;
}

static bool pm_timer_setup(void)
{
	if (!acpi.pm_timer.present)
		return false;
	pm_mask = acpi.pm_timer.ext32 ? 0xffffffffu : 0xffffffu;
	if (acpi.pm_timer.reg.space_id == ACPI_GAS_IO) {
		pm_port = (uint16_t)acpi.pm_timer.reg.address;
	} else if (acpi.pm_timer.reg.space_id == ACPI_GAS_MEMORY) {
		pm_mmio = ioremap(acpi.pm_timer.reg.address, 4);
		if (!pm_mmio)
			return false;
	} else {
		return false;
	}
	pm_last = pm_read_raw();
	return true;
}

/* Not SMP-safe; self-tests call it from one CPU at a time. */
uint64_t reference_clock_read(void)
{
	uint32_t now;

	if (!pm_port && !pm_mmio)
		return 0;
	now = pm_read_raw();

	pm_accum += (now - pm_last) & pm_mask;
	pm_last = now;
	return pm_accum;
}

uint64_t reference_clock_hz(void)
{
	return pm_port || pm_mmio ? PM_TIMER_HZ : 0;
}

/*
 * Reads the PM timer together with the TSC at the same instant: a port read
 * may stall (an emulator takes a global lock for it), so the read is
 * bracketed by two TSC reads and the tightest of a few tries wins.
 */
void reference_sample(uint64_t *ref, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t t0 = rdtsc();
		uint64_t r = reference_clock_read();
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*ref = r;
			*tsc = t0 + (t1 - t0) / 2;
		}
	}
}

static void measure_with_pm_timer(uint64_t *tsc_ticks, uint32_t *lapic_ticks)
{
	uint64_t window = PM_TIMER_HZ * CALIBRATION_MS / 1000;
	uint64_t ref0 = 0, ref1 = 0, tsc0 = 0, tsc1 = 0, now_tsc;
	uint32_t apic0, apic1;

	apic0 = lapic_timer_current();
	reference_sample(&ref0, &tsc0);
	do {
		reference_sample(&ref1, &now_tsc);
	} while (ref1 - ref0 < window);
	reference_sample(&ref1, &tsc1);
	apic1 = lapic_timer_current();
	/* Scale both counts to exactly the reference window they spanned. */
	*tsc_ticks = (tsc1 - tsc0) * window / (ref1 - ref0);
	*lapic_ticks = (uint32_t)((uint64_t)(apic0 - apic1) * window / (ref1 - ref0));
}

/* PIT channel 2, gated through port 0x61, counts down once in mode 0. */
static void measure_with_pit(uint64_t *tsc_ticks, uint32_t *lapic_ticks)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_MS / 1000);
	uint64_t tsc0;
	uint32_t apic0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	tsc0 = rdtsc();
	apic0 = lapic_timer_current();
	while (!(inb(0x61) & 0x20))
		;
	*tsc_ticks = rdtsc() - tsc0;
	*lapic_ticks = apic0 - lapic_timer_current();
}

int timer_calibrate(struct timer_calibration *cal)
{
	uint64_t tsc_ticks;
	uint32_t lapic_ticks;

	lapic_timer_start(0xffffffffu, 0, true);
	if (pm_timer_setup()) {
		cal->reference = "ACPI PM timer";
		measure_with_pm_timer(&tsc_ticks, &lapic_ticks);
	} else {
		cal->reference = "PIT";
		measure_with_pit(&tsc_ticks, &lapic_ticks);
	}
	lapic_timer_stop();
	cal->tsc_hz = tsc_ticks * 1000 / CALIBRATION_MS;
	cal->lapic_hz = (uint64_t)lapic_ticks * 1000 / CALIBRATION_MS;
	if (!cal->tsc_hz || !cal->lapic_hz)
		return -EIO;
	return 0;
}
