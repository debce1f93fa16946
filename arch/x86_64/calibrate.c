/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TSC frequency comes from counting it across a window of a
 * fixed-frequency reference: the ACPI PM timer (3.579545 MHz) where the FADT
 * has one, the PIT (1.193182 MHz) otherwise. The LAPIC timer is then
 * measured against the TSC over the same window, each count read between
 * two TSC reads: under an emulator a reference read can stall for
 * milliseconds (a busy host), and a LAPIC count read on either side of such
 * a stall would be charged to the window.
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

void lapic_sample(uint32_t *count, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t t0 = rdtsc();
		uint32_t c = lapic_timer_current();
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*count = c;
			*tsc = t0 + (t1 - t0) / 2;
		}
	}
}

static uint64_t measure_with_pm_timer(void)
{
	uint64_t window = PM_TIMER_HZ * CALIBRATION_MS / 1000;
	uint64_t ref0 = 0, ref1 = 0, tsc0 = 0, tsc1 = 0, now_tsc;

	reference_sample(&ref0, &tsc0);
	do {
		reference_sample(&ref1, &now_tsc);
	} while (ref1 - ref0 < window);
	reference_sample(&ref1, &tsc1);
	/* Scaled to exactly the reference window it spanned. */
	return (tsc1 - tsc0) * window / (ref1 - ref0);
}

/* PIT channel 2, gated through port 0x61, counts down once in mode 0. */
static uint64_t measure_with_pit(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_MS / 1000);
	uint64_t tsc0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	tsc0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	return rdtsc() - tsc0;
}

int timer_calibrate(struct timer_calibration *cal)
{
	uint64_t tsc_ticks, lapic_tsc0 = 0, lapic_tsc1 = 0;
	uint32_t c0 = 0, c1 = 0;

	lapic_timer_start(0xffffffffu, 0, true);
	lapic_sample(&c0, &lapic_tsc0);
	if (pm_timer_setup()) {
		cal->reference = "ACPI PM timer";
		tsc_ticks = measure_with_pm_timer();
	} else {
		cal->reference = "PIT";
		tsc_ticks = measure_with_pit();
	}
	lapic_sample(&c1, &lapic_tsc1);
	lapic_timer_stop();
	cal->tsc_hz = tsc_ticks * 1000 / CALIBRATION_MS;
	if (!cal->tsc_hz || lapic_tsc1 <= lapic_tsc0)
		return -EIO;
	cal->lapic_hz = (uint64_t)(c0 - c1) * cal->tsc_hz / (lapic_tsc1 - lapic_tsc0);
	if (!cal->lapic_hz)
		return -EIO;
	return 0;
}
