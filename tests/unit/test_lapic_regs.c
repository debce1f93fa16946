/* SPDX-License-Identifier: GPL-2.0 */
/* Register read/write semantics of the virtual LAPIC in xAPIC and x2APIC mode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

static const uint32_t lvt_regs[LAPIC_LVT_NR] = {
	[LAPIC_LVT_TIMER] = LAPIC_REG_LVT_TIMER,
	[LAPIC_LVT_THERMAL] = LAPIC_REG_LVT_THERMAL,
	[LAPIC_LVT_PERF] = LAPIC_REG_LVT_PERF,
	[LAPIC_LVT_LINT0] = LAPIC_REG_LVT_LINT0,
	[LAPIC_LVT_LINT1] = LAPIC_REG_LVT_LINT1,
	[LAPIC_LVT_ERROR] = LAPIC_REG_LVT_ERROR,
	[LAPIC_LVT_CMCI] = LAPIC_REG_LVT_CMCI,
};

static void check_reset_registers(void)
{
	assert_int_equal(fx_rd(LAPIC_REG_TPR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_APR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_LDR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_DFR), 0xffffffffu);
	assert_int_equal(fx_rd(LAPIC_REG_SVR), 0xff);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_ICR_LO), 0);
	assert_int_equal(fx_rd(LAPIC_REG_ICR_HI), 0);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(fx_rd(LAPIC_REG_ISR + i * 0x10), 0);
		assert_int_equal(fx_rd(LAPIC_REG_TMR + i * 0x10), 0);
		assert_int_equal(fx_rd(LAPIC_REG_IRR + i * 0x10), 0);
	}
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++)
		assert_int_equal(fx_rd(lvt_regs[i]), LAPIC_LVT_MASKED);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_INIT), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_DCR), 0);
	assert_int_equal(lapic_pending_vector(&fx), -1);
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(fx_msr_rd(LAPIC_MSR_APIC_BASE), 0xfee00900u);
	assert_int_equal(fx_rd(LAPIC_REG_ID), FX_APIC_ID << 24);
	/* Version 0x14, 7 LVT entries, no EOI broadcast suppression (bit 24). */
	assert_int_equal(fx_rd(LAPIC_REG_VERSION), 0x00060014u);
	check_reset_registers();
	assert_false(lapic_sw_enabled(&fx));
}

static void test_read_only_registers_ignore_writes(void **state)
{
	(void)state;
	fx_sw_enable();
	assert_true(lapic_accept(&fx, 0x40, false));
	fx_wr(LAPIC_REG_ID, 0x05000000);
	fx_wr(LAPIC_REG_VERSION, 0);
	fx_wr(LAPIC_REG_PPR, 0xff);
	fx_wr(LAPIC_REG_APR, 0xff);
	fx_wr(LAPIC_REG_RRD, 0xff);
	fx_wr(LAPIC_REG_IRR + 0x20, 0);
	fx_wr(LAPIC_REG_ISR, 0xffffffff);
	fx_wr(LAPIC_REG_TMR, 0xffffffff);
	fx_wr(LAPIC_REG_TIMER_CUR, 1234);
	assert_int_equal(fx_rd(LAPIC_REG_ID), FX_APIC_ID << 24);
	assert_int_equal(fx_rd(LAPIC_REG_VERSION), 0x00060014u);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_APR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_IRR + 0x20), 1);
	assert_int_equal(fx_rd(LAPIC_REG_ISR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TMR), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TIMER_CUR), 0);
	/* Reading the write-only EOI register gives 0 and does not EOI. */
	assert_int_equal(fx_rd(LAPIC_REG_EOI), 0);
	/* None of those is an illegal register access. */
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), 0);
}

static void test_tpr_and_ppr(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_wr(LAPIC_REG_TPR, 0xffffff35);
	assert_int_equal(fx_rd(LAPIC_REG_TPR), 0x35);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x35);
	fx_wr(LAPIC_REG_TPR, 0x20);
	assert_true(lapic_accept(&fx, 0x57, false));
	lapic_ack(&fx, 0x57);
	/* ISR class beats TPR: PPR is the ISR class with a zero low nibble. */
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x50);
	fx_wr(LAPIC_REG_TPR, 0x5a);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x5a);
	fx_wr(LAPIC_REG_TPR, 0x61);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x61);
	assert_int_equal(lapic_ppr(&fx), 0x61);
	fx_wr(LAPIC_REG_TPR, 0);
	fx_wr(LAPIC_REG_EOI, 0);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0);
}

static void test_ldr_dfr(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_LDR, 0x12345678);
	assert_int_equal(fx_rd(LAPIC_REG_LDR), 0x12000000);
	fx_wr(LAPIC_REG_DFR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_DFR), 0x0fffffff);
	fx_wr(LAPIC_REG_DFR, 0xf0000000);
	assert_int_equal(fx_rd(LAPIC_REG_DFR), 0xffffffff);
}

static void test_svr(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_SVR, 0xffffffff);
	/* Vector, enable, focus; bit 12 (EOI broadcast suppression) is not offered. */
	assert_int_equal(fx_rd(LAPIC_REG_SVR), 0x3ff);
	assert_true(lapic_sw_enabled(&fx));
	fx_wr(LAPIC_REG_SVR, 0x0f);
	assert_int_equal(fx_rd(LAPIC_REG_SVR), 0x0f);
	assert_false(lapic_sw_enabled(&fx));
}

static void test_sw_disable_masks_lvts(void **state)
{
	(void)state;
	/* Disabled from reset: unmasking is refused. */
	fx_wr(LAPIC_REG_LVT_LINT0, 0x700);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT0), 0x10700);
	fx_sw_enable();
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++) {
		fx_wr(lvt_regs[i], 0x40 + i);
		assert_int_equal(fx_rd(lvt_regs[i]), 0x40 + i);
	}
	fx_wr(LAPIC_REG_SVR, 0xff);
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++) {
		assert_int_equal(fx_rd(lvt_regs[i]), LAPIC_LVT_MASKED | (0x40 + i));
		fx_wr(lvt_regs[i], 0x50);
		assert_int_equal(fx_rd(lvt_regs[i]), LAPIC_LVT_MASKED | 0x50);
	}
	/* Enabling again leaves them masked until software unmasks them. */
	fx_sw_enable();
	assert_int_equal(fx_rd(LAPIC_REG_LVT_ERROR), LAPIC_LVT_MASKED | 0x50);
	fx_wr(LAPIC_REG_LVT_ERROR, 0x50);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_ERROR), 0x50);
}

static void test_lvt_reserved_bits(void **state)
{
	(void)state;
	fx_sw_enable();
	/* All ones: mode 11b is reserved and lands as one-shot. */
	fx_wr(LAPIC_REG_LVT_TIMER, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_TIMER), 0x000100ff);
	fx_wr(LAPIC_REG_LVT_TIMER, 0x000450ff); /* TSC-deadline + delivery status (read-only) */
	assert_int_equal(fx_rd(LAPIC_REG_LVT_TIMER), 0x000400ff);
	fx_wr(LAPIC_REG_LVT_TIMER, 0x000200ff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_TIMER), 0x000200ff);
	fx_wr(LAPIC_REG_LVT_LINT0, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT0), 0x0001a7ff);
	fx_wr(LAPIC_REG_LVT_LINT1, 0xffffdfff); /* polarity clear */
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT1), 0x000187ff);
	fx_wr(LAPIC_REG_LVT_THERMAL, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_THERMAL), 0x000107ff);
	fx_wr(LAPIC_REG_LVT_PERF, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_PERF), 0x000107ff);
	fx_wr(LAPIC_REG_LVT_CMCI, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_CMCI), 0x000107ff);
	fx_wr(LAPIC_REG_LVT_ERROR, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_ERROR), 0x000100ff);
}

static void test_timer_bit18_needs_tsc_deadline(void **state)
{
	struct lapic_config cfg = fx_config();

	(void)state;
	cfg.tsc_hz = 0;
	cfg.read_tsc = NULL;
	assert_int_equal(lapic_init(&fx, &cfg), 0);
	fx_sw_enable();
	fx_wr(LAPIC_REG_LVT_TIMER, 0x000400ec);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_TIMER), 0xec);
}

static void test_esr_write_then_read(void **state)
{
	(void)state;
	fx_sw_enable();
	assert_false(lapic_accept(&fx, 7, false));
	/* Logged, but invisible until the next write latches it. */
	assert_int_equal(fx_rd(LAPIC_REG_ESR), 0);
	fx_wr(LAPIC_REG_ESR, 0xffffffff);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), LAPIC_ESR_RECV_ILLEGAL);
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), 0);
	/* A reserved register offset is an illegal register address. */
	assert_int_equal(fx_rd(0x040), 0);
	fx_wr(0x3f0, 1); /* SELF IPI does not exist in xAPIC mode */
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), LAPIC_ESR_ILLEGAL_REG);
}

static void test_bad_mmio_accesses(void **state)
{
	uint32_t v = 0x1234;

	(void)state;
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_TPR, 1, &v), -EINVAL);
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_TPR, 2, &v), -EINVAL);
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_TPR, 8, &v), -EINVAL);
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_TPR + 2, 4, &v), -EINVAL);
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_MMIO_SIZE, 4, &v), -EINVAL);
	assert_int_equal(v, 0x1234);
	assert_int_equal(lapic_mmio_write(&fx, LAPIC_REG_TPR, 1, 0x55), -EINVAL);
	assert_int_equal(lapic_mmio_write(&fx, LAPIC_REG_TPR + 1, 4, 0x55), -EINVAL);
	assert_int_equal(fx_rd(LAPIC_REG_TPR), 0);
	/* Aligned but inside a register (bytes 4-15): reads 0, writes dropped. */
	fx_wr(LAPIC_REG_TPR + 4, 0x55);
	assert_int_equal(fx_rd(LAPIC_REG_TPR + 4), 0);
	assert_int_equal(fx_rd(LAPIC_REG_TPR), 0);
	/* Every reserved offset reads 0. */
	for (uint32_t off = 0; off < LAPIC_MMIO_SIZE; off += 0x10) {
		if (off >= 0x400 || off == 0 || off == 0x10 || (off >= 0x40 && off <= 0x70) ||
		    (off >= 0x290 && off <= 0x2e0) || (off >= 0x3a0 && off <= 0x3d0) || off == 0x3f0)
			assert_int_equal(fx_rd(off), 0);
	}
}

static void test_mmio_gone_outside_xapic_mode(void **state)
{
	uint32_t v;

	(void)state;
	fx_to_x2apic();
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_ID, 4, &v), -ENODEV);
	assert_int_equal(lapic_mmio_write(&fx, LAPIC_REG_TPR, 4, 0x10), -ENODEV);
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE);
	assert_int_equal(lapic_mmio_read(&fx, LAPIC_REG_ID, 4, &v), -ENODEV);
}

static void test_x2apic_registers(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_wr(LAPIC_REG_TPR, 0x20);
	fx_wr(LAPIC_REG_LVT_LINT0, 0x700);
	fx_to_x2apic();
	/* State carries over; ID and LDR take their x2APIC forms. */
	assert_int_equal(fx_msr_rd(0x802), FX_APIC_ID);
	assert_int_equal(fx_msr_rd(0x80d), 0x00020008);
	assert_int_equal(fx_msr_rd(0x803), 0x00060014);
	assert_int_equal(fx_msr_rd(0x808), 0x20);
	assert_int_equal(fx_msr_rd(0x80a), 0x20);
	assert_int_equal(fx_msr_rd(0x80f), 0x1ff);
	assert_int_equal(fx_msr_rd(0x835), 0x700);
	fx_msr_wr(0x808, 0x44);
	assert_int_equal(fx_msr_rd(0x808), 0x44);
	assert_true(lapic_accept(&fx, 0x99, true));
	assert_int_equal(fx_msr_rd(0x824), 1u << (0x99 - 0x80));
	assert_int_equal(fx_msr_rd(0x81c), 1u << (0x99 - 0x80));
	lapic_ack(&fx, 0x99);
	assert_int_equal(fx_msr_rd(0x814), 1u << (0x99 - 0x80));
	assert_int_equal(fx_msr_rd(0x80a), 0x90);
	fx_msr_wr(0x80b, 0);
	assert_int_equal(fx_msr_rd(0x814), 0);
	fx_msr_wr(0x838, 5000);
	assert_int_equal(fx_msr_rd(0x838), 5000);
	fx_msr_wr(0x83e, 0xb);
	assert_int_equal(fx_msr_rd(0x83e), 0xb);
	assert_int_equal(fx_msr_rd(0x839), 5000);
	fx_msr_wr(0x828, 0);
	assert_int_equal(fx_msr_rd(0x828), 0);
	for (unsigned int i = 0; i < LAPIC_LVT_NR; i++) {
		fx_msr_wr(LAPIC_MSR(lvt_regs[i]), 0x10030 + i);
		assert_int_equal(fx_msr_rd(LAPIC_MSR(lvt_regs[i])), 0x10030 + i);
	}
}

static void test_init_and_reset(void **state)
{
	(void)state;
	fx_sw_enable();
	fx_wr(LAPIC_REG_TPR, 0x30);
	fx_wr(LAPIC_REG_LDR, 0x01000000);
	fx_wr(LAPIC_REG_DFR, 0);
	fx_wr(LAPIC_REG_LVT_TIMER, 0x20030);
	fx_wr(LAPIC_REG_TIMER_DCR, 0xb);
	fx_wr(LAPIC_REG_TIMER_INIT, 100000);
	fx_wr(LAPIC_REG_ICR_HI, 0x01000000);
	assert_true(lapic_accept(&fx, 0x80, true));
	lapic_ack(&fx, 0x80);
	assert_true(lapic_accept(&fx, 0x90, false));
	lapic_init_signal(&fx);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_APIC_BASE), 0xfee00900u);
	assert_int_equal(fx_rd(LAPIC_REG_ID), FX_APIC_ID << 24);
	check_reset_registers();
	assert_int_equal(lapic_next_deadline_ns(&fx), UINT64_MAX);

	/* INIT keeps x2APIC mode (and its derived LDR); a reset returns to xAPIC. */
	fx_to_x2apic();
	fx_sw_enable();
	lapic_init_signal(&fx);
	assert_true(lapic_in_x2apic(&fx));
	assert_int_equal(fx_msr_rd(0x80f), 0xff);
	assert_int_equal(fx_msr_rd(0x80d), 0x00020008);
	lapic_reset(&fx);
	assert_int_equal(fx_msr_rd(LAPIC_MSR_APIC_BASE), 0xfee00900u);
	check_reset_registers();
}

static void test_init_config_checks(void **state)
{
	struct lapic_config cfg = fx_config();
	struct lapic l;

	(void)state;
	cfg.tsc_hz = LAPIC_MAX_TSC_HZ + 1;
	assert_int_equal(lapic_init(&l, &cfg), -EINVAL);
	cfg = fx_config();
	cfg.read_tsc = NULL;
	assert_int_equal(lapic_init(&l, &cfg), -EINVAL);
	cfg = fx_config();
	cfg.clock.now_ns = NULL;
	assert_int_equal(lapic_init(&l, &cfg), -EINVAL);
	cfg = fx_config();
	cfg.bsp = false;
	assert_int_equal(lapic_init(&l, &cfg), 0);
	assert_int_equal(l.apic_base, 0xfee00800u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, fx_setup),
		cmocka_unit_test_setup(test_read_only_registers_ignore_writes, fx_setup),
		cmocka_unit_test_setup(test_tpr_and_ppr, fx_setup),
		cmocka_unit_test_setup(test_ldr_dfr, fx_setup),
		cmocka_unit_test_setup(test_svr, fx_setup),
		cmocka_unit_test_setup(test_sw_disable_masks_lvts, fx_setup),
		cmocka_unit_test_setup(test_lvt_reserved_bits, fx_setup),
		cmocka_unit_test_setup(test_timer_bit18_needs_tsc_deadline, fx_setup),
		cmocka_unit_test_setup(test_esr_write_then_read, fx_setup),
		cmocka_unit_test_setup(test_bad_mmio_accesses, fx_setup),
		cmocka_unit_test_setup(test_mmio_gone_outside_xapic_mode, fx_setup),
		cmocka_unit_test_setup(test_x2apic_registers, fx_setup),
		cmocka_unit_test_setup(test_init_and_reset, fx_setup),
		cmocka_unit_test_setup(test_init_config_checks, fx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
