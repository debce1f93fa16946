/* SPDX-License-Identifier: GPL-2.0 */
/* Interrupt acceptance, priority, EOI, errors and local sources of the virtual LAPIC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>

#include "lapic_fixture.h"

static int setup_enabled(void **state)
{
	fx_setup(state);
	fx_sw_enable();
	return 0;
}

static void eoi(void)
{
	fx_wr(LAPIC_REG_EOI, 0);
}

static void test_accept_ack_eoi(void **state)
{
	(void)state;
	assert_true(lapic_accept(&fx, 0x40, false));
	assert_true(fx_irr(0x40));
	assert_false(fx_tmr(0x40));
	assert_int_equal(fx_kicks, 1);
	assert_int_equal(lapic_pending_vector(&fx), 0x40);
	lapic_ack(&fx, 0x40);
	assert_false(fx_irr(0x40));
	assert_true(fx_isr(0x40));
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x40);
	/* Acking a vector that is not requested changes nothing. */
	lapic_ack(&fx, 0x41);
	assert_false(fx_isr(0x41));
	eoi();
	assert_false(fx_isr(0x40));
	assert_int_equal(fx_neois, 0);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0);
	/* An EOI with nothing in service is harmless. */
	eoi();
	assert_int_equal(fx_neois, 0);
}

static void test_tpr_masks_pending(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_TPR, 0x30);
	assert_true(lapic_accept(&fx, 0x35, false));
	/* Same priority class as TPR: held, and nobody is kicked. */
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_int_equal(fx_kicks, 0);
	fx_wr(LAPIC_REG_TPR, 0x2f);
	assert_int_equal(lapic_pending_vector(&fx), 0x35);
	assert_int_equal(fx_kicks, 1);
	fx_wr(LAPIC_REG_TPR, 0x40);
	assert_true(lapic_accept(&fx, 0x41, false));
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_true(lapic_accept(&fx, 0x51, false));
	assert_int_equal(lapic_pending_vector(&fx), 0x51);
	fx_wr(LAPIC_REG_TPR, 0xff);
	assert_int_equal(lapic_pending_vector(&fx), -1);
	fx_wr(LAPIC_REG_TPR, 0);
	assert_int_equal(lapic_pending_vector(&fx), 0x51);
}

static void test_isr_nesting(void **state)
{
	(void)state;
	assert_true(lapic_accept(&fx, 0x30, false));
	lapic_ack(&fx, 0x30);
	assert_true(lapic_accept(&fx, 0x31, false));
	/* Same class as the one in service: waits. */
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_true(lapic_accept(&fx, 0x50, false));
	assert_int_equal(lapic_pending_vector(&fx), 0x50);
	lapic_ack(&fx, 0x50);
	assert_true(lapic_accept(&fx, 0x40, false));
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_int_equal(fx_rd(LAPIC_REG_PPR), 0x50);
	eoi(); /* ends 0x50, the highest in service */
	assert_false(fx_isr(0x50));
	assert_true(fx_isr(0x30));
	assert_int_equal(lapic_pending_vector(&fx), 0x40);
	lapic_ack(&fx, 0x40);
	eoi();
	assert_false(fx_isr(0x40));
	assert_true(fx_isr(0x30));
	assert_int_equal(lapic_pending_vector(&fx), -1);
	eoi();
	assert_false(fx_isr(0x30));
	assert_int_equal(lapic_pending_vector(&fx), 0x31);
}

static void test_eoi_broadcast_level(void **state)
{
	(void)state;
	assert_true(lapic_accept(&fx, 0x60, true));
	assert_true(fx_tmr(0x60));
	assert_true(lapic_accept(&fx, 0x70, false));
	lapic_ack(&fx, 0x70);
	lapic_ack(&fx, 0x60);
	eoi(); /* 0x70, edge */
	assert_int_equal(fx_neois, 0);
	eoi(); /* 0x60, level */
	assert_int_equal(fx_neois, 1);
	assert_int_equal(fx_eois[0], 0x60);
	/* The same vector accepted edge-triggered clears TMR again. */
	assert_true(lapic_accept(&fx, 0x60, false));
	assert_false(fx_tmr(0x60));
	lapic_ack(&fx, 0x60);
	eoi();
	assert_int_equal(fx_neois, 1);
}

static void test_disabled_accepts_nothing(void **state)
{
	(void)state;
	assert_true(lapic_accept(&fx, 0x80, false));
	fx_wr(LAPIC_REG_SVR, 0xff);
	/* Held from before, still deliverable; nothing new is taken. */
	assert_false(lapic_accept(&fx, 0x90, false));
	assert_false(fx_irr(0x90));
	assert_true(fx_irr(0x80));
	assert_int_equal(lapic_pending_vector(&fx), 0x80);
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE);
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_false(lapic_accept(&fx, 0x90, false));
	assert_false(lapic_hw_enabled(&fx));
}

static void test_illegal_vectors_and_error_lvt(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_LVT_ERROR, 0xfe);
	for (unsigned int v = 0; v < 16; v++)
		assert_false(lapic_accept(&fx, (uint8_t)v, false));
	for (unsigned int v = 0; v < 16; v++)
		assert_false(fx_irr(v));
	/* The first error raised the error interrupt; the others waited for an ESR write. */
	assert_true(fx_irr(0xfe));
	lapic_ack(&fx, 0xfe);
	eoi();
	assert_false(lapic_accept(&fx, 1, false));
	assert_false(fx_irr(0xfe));
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), LAPIC_ESR_RECV_ILLEGAL);
	assert_false(lapic_accept(&fx, 2, false));
	assert_true(fx_irr(0xfe));
	/* An error LVT with an illegal vector logs once more and does not loop. */
	fx_wr(LAPIC_REG_LVT_ERROR, 0x05);
	fx_wr(LAPIC_REG_ESR, 0);
	fx_wr(LAPIC_REG_ICR_LO, 0x03); /* fixed IPI with vector 3 */
	assert_int_equal(fx_nipis, 0);
	fx_wr(LAPIC_REG_ESR, 0);
	assert_int_equal(fx_rd(LAPIC_REG_ESR), LAPIC_ESR_SEND_ILLEGAL | LAPIC_ESR_RECV_ILLEGAL);
}

static void test_lint_extint_and_nmi(void **state)
{
	(void)state;
	/* Masked at reset. */
	assert_int_equal(lapic_set_lint(&fx, 0, true), LAPIC_LOCAL_NONE);
	assert_int_equal(lapic_set_lint(&fx, 0, false), LAPIC_LOCAL_NONE);
	fx_wr(LAPIC_REG_LVT_LINT0, 0x700); /* ExtINT, as Linux's virtual wire */
	fx_wr(LAPIC_REG_LVT_LINT1, 0x400); /* NMI */
	assert_int_equal(lapic_set_lint(&fx, 0, true), LAPIC_LOCAL_EXTINT);
	assert_int_equal(lapic_set_lint(&fx, 0, true), LAPIC_LOCAL_EXTINT);
	assert_int_equal(lapic_set_lint(&fx, 0, false), LAPIC_LOCAL_NONE);
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_NMI);
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_NONE);
	assert_int_equal(lapic_set_lint(&fx, 1, false), LAPIC_LOCAL_NONE);
	assert_int_equal(lapic_set_lint(&fx, 2, true), LAPIC_LOCAL_NONE);
	fx_wr(LAPIC_REG_LVT_LINT1, 0x200); /* SMI */
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_SMI);
	lapic_set_lint(&fx, 1, false);
	fx_wr(LAPIC_REG_LVT_LINT1, 0x500); /* INIT */
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_INIT);
	/* Active-low NMI: the falling edge counts. */
	fx_wr(LAPIC_REG_LVT_LINT1, 0x2400);
	assert_int_equal(lapic_set_lint(&fx, 1, false), LAPIC_LOCAL_NMI);
	/* APIC disabled: LINT0 is INTR and LINT1 is NMI whatever the LVT says. */
	fx_msr_wr(LAPIC_MSR_APIC_BASE, LAPIC_DEFAULT_BASE);
	assert_int_equal(lapic_set_lint(&fx, 0, true), LAPIC_LOCAL_EXTINT);
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_NMI);
}

static void test_lint_fixed(void **state)
{
	(void)state;
	fx_wr(LAPIC_REG_LVT_LINT1, 0x41); /* fixed, edge */
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_NONE);
	assert_true(fx_irr(0x41));
	assert_false(fx_tmr(0x41));
	lapic_ack(&fx, 0x41);
	eoi();
	assert_int_equal(lapic_set_lint(&fx, 1, true), LAPIC_LOCAL_NONE);
	assert_false(fx_irr(0x41));

	/* Level-triggered LINT0: remote IRR until the EOI, then again while asserted. */
	fx_wr(LAPIC_REG_LVT_LINT0, LAPIC_LVT_LEVEL | 0x42);
	lapic_set_lint(&fx, 0, true);
	assert_true(fx_irr(0x42));
	assert_true(fx_tmr(0x42));
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT0), LAPIC_LVT_LEVEL | LAPIC_LVT_REMOTE_IRR | 0x42);
	lapic_ack(&fx, 0x42);
	lapic_set_lint(&fx, 0, true);
	assert_false(fx_irr(0x42));
	eoi();
	assert_int_equal(fx_neois, 1);
	assert_true(fx_irr(0x42));
	assert_true(fx_rd(LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	lapic_ack(&fx, 0x42);
	lapic_set_lint(&fx, 0, false);
	eoi();
	assert_false(fx_irr(0x42));
	assert_false(fx_rd(LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	/* Unmasking an active level line delivers. */
	fx_wr(LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED | LAPIC_LVT_LEVEL | 0x43);
	lapic_set_lint(&fx, 0, true);
	assert_false(fx_irr(0x43));
	fx_wr(LAPIC_REG_LVT_LINT0, LAPIC_LVT_LEVEL | 0x43);
	assert_true(fx_irr(0x43));
	/* Switching to edge drops remote IRR. */
	fx_wr(LAPIC_REG_LVT_LINT0, 0x43);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_LINT0), 0x43);
}

static void test_local_sources(void **state)
{
	(void)state;
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_THERMAL), LAPIC_LOCAL_NONE);
	fx_wr(LAPIC_REG_LVT_THERMAL, 0xfa);
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_THERMAL), LAPIC_LOCAL_NONE);
	assert_true(fx_irr(0xfa));
	fx_wr(LAPIC_REG_LVT_CMCI, 0xf9);
	lapic_local_irq(&fx, LAPIC_LVT_CMCI);
	assert_true(fx_irr(0xf9));
	/* A PMI as NMI masks its LVT entry; the handler unmasks it. */
	fx_wr(LAPIC_REG_LVT_PERF, 0x400);
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_PERF), LAPIC_LOCAL_NMI);
	assert_int_equal(fx_rd(LAPIC_REG_LVT_PERF), LAPIC_LVT_MASKED | 0x400);
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_PERF), LAPIC_LOCAL_NONE);
	fx_wr(LAPIC_REG_LVT_PERF, 0x200);
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_PERF), LAPIC_LOCAL_SMI);
	/* Not a source this call serves. */
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_TIMER), LAPIC_LOCAL_NONE);
	assert_int_equal(lapic_local_irq(&fx, LAPIC_LVT_LINT0), LAPIC_LOCAL_NONE);
}

static void test_all_vectors_priority_order(void **state)
{
	(void)state;
	for (unsigned int v = 16; v < 256; v++)
		assert_true(lapic_accept(&fx, (uint8_t)v, (v & 1) != 0));
	for (int v = 255; v >= 16; v--) {
		assert_int_equal(lapic_pending_vector(&fx), v);
		lapic_ack(&fx, (uint8_t)v);
		assert_int_equal(lapic_ppr(&fx), v & 0xf0);
		eoi();
	}
	assert_int_equal(lapic_pending_vector(&fx), -1);
	assert_int_equal(fx_neois, FX_MAX_EOIS); /* recorder full: all odd vectors broadcast */
	assert_int_equal(fx_eois[0], 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_accept_ack_eoi, setup_enabled),
		cmocka_unit_test_setup(test_tpr_masks_pending, setup_enabled),
		cmocka_unit_test_setup(test_isr_nesting, setup_enabled),
		cmocka_unit_test_setup(test_eoi_broadcast_level, setup_enabled),
		cmocka_unit_test_setup(test_disabled_accepts_nothing, setup_enabled),
		cmocka_unit_test_setup(test_illegal_vectors_and_error_lvt, setup_enabled),
		cmocka_unit_test_setup(test_lint_extint_and_nmi, setup_enabled),
		cmocka_unit_test_setup(test_lint_fixed, setup_enabled),
		cmocka_unit_test_setup(test_local_sources, setup_enabled),
		cmocka_unit_test_setup(test_all_vectors_priority_order, setup_enabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
