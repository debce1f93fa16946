/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random register writes, MSR accesses, accepts, acks, EOIs, pin changes and
 * clock steps against the virtual LAPIC, checking its invariants after every
 * step: no crash or sanitizer report, no vector below 16 in IRR or ISR, PPR
 * as the SDM computes it, the pending vector the highest IRR vector above
 * PPR (or -1), LVTs masked while software-disabled, the x2APIC LDR derived
 * from the ID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

#define STEPS 200000

static uint32_t rnd32(void)
{
	return (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

/* Values biased toward the interesting ones: small, vector-like, all ones, random. */
static uint64_t rnd_value(void)
{
	switch (rand() % 6) {
	case 0:
		return 0;
	case 1:
		return (uint64_t)(16 + rand() % 240);
	case 2:
		return 0xffffffffu;
	case 3:
		return rnd32() & 0x000fffffu;
	case 4:
		return (uint64_t)rnd32() << 32 | rnd32();
	default:
		return rnd32();
	}
}

static int highest(const uint32_t *set)
{
	for (int v = 255; v >= 0; v--)
		if (set[v / 32] & (1u << (v % 32)))
			return v;
	return -1;
}

static void check_invariants(void)
{
	int isrv = highest(fx.isr), irrv = highest(fx.irr), pend = lapic_pending_vector(&fx);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	uint32_t ppr = (fx.tpr & 0xf0) >= isr_class ? fx.tpr : isr_class;

	assert_int_equal(fx.irr[0] & 0xffff, 0);
	assert_int_equal(fx.isr[0] & 0xffff, 0);
	assert_true(fx.tpr <= 0xff);
	assert_int_equal(lapic_ppr(&fx), ppr);
	if (pend >= 0) {
		assert_int_equal(pend, irrv);
		assert_true(((uint32_t)pend & 0xf0) > (ppr & 0xf0));
		assert_true(lapic_hw_enabled(&fx));
	} else if (lapic_hw_enabled(&fx) && irrv >= 0) {
		assert_true(((uint32_t)irrv & 0xf0) <= (ppr & 0xf0));
	}
	if (!lapic_sw_enabled(&fx))
		for (unsigned int i = 0; i < LAPIC_LVT_NR; i++)
			assert_true(fx.lvt[i] & LAPIC_LVT_MASKED);
	if (lapic_in_x2apic(&fx))
		assert_int_equal(fx.ldr, ((FX_APIC_ID >> 4) << 16) | (1u << (FX_APIC_ID & 15)));
	assert_int_equal(fx.esr & ~0xe0u, 0);
	assert_false(fx.icr_lo & LAPIC_ICR_DELIVS);
	/* Timer mode 11b is never stored. */
	assert_true(((fx.lvt[LAPIC_LVT_TIMER] >> LAPIC_LVT_TIMER_SHIFT) & 3) != 3);
}

static void random_step(void)
{
	uint32_t v32;
	uint64_t v;
	int pend;

	switch (rand() % 16) {
	case 0:
	case 1:
	case 2: /* MMIO write to a register, mostly in the page */
		lapic_mmio_write(&fx, (uint64_t)(rand() % 0x42) << 4, 4, (uint32_t)rnd_value());
		break;
	case 3: /* MMIO of any shape */
		lapic_mmio_read(&fx, (uint64_t)(rand() % 0x1010), (unsigned int)(rand() % 9), &v32);
		lapic_mmio_write(&fx, (uint64_t)(rand() % 0x1010), (unsigned int)(rand() % 9),
				 (uint32_t)rnd_value());
		break;
	case 4:
	case 5: /* x2APIC MSRs, whatever the mode */
		lapic_msr_write(&fx, 0x800 + (uint32_t)(rand() % 0x48), rnd_value());
		lapic_msr_read(&fx, 0x800 + (uint32_t)(rand() % 0x48), &v);
		break;
	case 6: /* IA32_APIC_BASE: mostly legal values */
		v = LAPIC_DEFAULT_BASE | ((uint64_t)(rand() % 4) << 10);
		if (rand() % 8 == 0)
			v ^= 1ULL << (rand() % 64);
		lapic_msr_write(&fx, LAPIC_MSR_APIC_BASE, v);
		break;
	case 7:
		lapic_msr_write(&fx, LAPIC_MSR_TSC_DEADLINE, fx_tsc() + (uint64_t)(rand() % 100000));
		lapic_msr_read(&fx, LAPIC_MSR_TSC_DEADLINE, &v);
		break;
	case 8:
	case 9:
		lapic_accept(&fx, (uint8_t)rand(), rand() % 2);
		break;
	case 10: /* the owner injects what is pending */
		pend = lapic_pending_vector(&fx);
		if (pend >= 0)
			lapic_ack(&fx, (uint8_t)pend);
		break;
	case 11: /* EOI through whichever interface the mode has */
		if (lapic_in_x2apic(&fx))
			lapic_msr_write(&fx, 0x80b, 0);
		else
			lapic_mmio_write(&fx, LAPIC_REG_EOI, 4, 0);
		break;
	case 12: /* time: small steps, sometimes a long gap */
		fx_ns += rand() % 8 == 0 ? (uint64_t)rnd32() * 1000 : (uint64_t)(rand() % 5000);
		lapic_timer_update(&fx, fx_ns);
		break;
	case 13:
		lapic_set_lint(&fx, (unsigned int)(rand() % 3), rand() % 2);
		lapic_local_irq(&fx, (enum lapic_lvt)(rand() % LAPIC_LVT_NR));
		break;
	case 14: /* software enable, so that enabled-state paths get exercised */
		if (lapic_in_x2apic(&fx))
			lapic_msr_write(&fx, 0x80f, 0x100 | (uint64_t)(rand() & 0xff));
		else
			lapic_mmio_write(&fx, LAPIC_REG_SVR, 4, 0x100 | (uint32_t)(rand() & 0xff));
		break;
	default:
		if (rand() % 64 == 0)
			lapic_init_signal(&fx);
		else if (rand() % 256 == 0)
			lapic_reset(&fx);
		lapic_next_deadline_ns(&fx);
		break;
	}
}

static void run(unsigned int seed, bool loopback)
{
	unsigned int enabled = 0, x2 = 0, pending = 0, in_service = 0;

	srand(seed);
	fx_loopback = loopback;
	for (unsigned int i = 0; i < STEPS; i++) {
		random_step();
		check_invariants();
		enabled += lapic_sw_enabled(&fx);
		x2 += lapic_in_x2apic(&fx);
		pending += lapic_pending_vector(&fx) >= 0;
		in_service += highest(fx.isr) >= 0;
		fx_nipis = 0;
		fx_neois = 0;
	}
	/* The walk must spend real time in the interesting states, or it proves nothing. */
	assert_true(enabled > STEPS / 10);
	assert_true(x2 > STEPS / 20);
	assert_true(pending > STEPS / 20);
	assert_true(in_service > STEPS / 20);
}

static void test_random_loopback(void **state)
{
	(void)state;
	run(1, true);
}

static void test_random_no_loopback(void **state)
{
	(void)state;
	run(2, false);
}

static void test_random_x2apic_start(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_to_x2apic();
	run(3, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_random_loopback, fx_setup),
		cmocka_unit_test_setup(test_random_no_loopback, fx_setup),
		cmocka_unit_test_setup(test_random_x2apic_start, fx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
