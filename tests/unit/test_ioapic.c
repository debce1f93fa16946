/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <vmm/dev/ioapic.h>

static struct ioapic io;
static struct ioapic_msg sent[64];
static unsigned int nsent;

static void deliver(void *ctx, const struct ioapic_msg *m)
{
	(void)ctx;
	assert_true(nsent < 64);
	sent[nsent++] = *m;
}

static int setup(void **state)
{
	struct ioapic_config cfg = { .id = 3, .deliver = deliver };

	(void)state;
	ioapic_init(&io, &cfg);
	nsent = 0;
	return 0;
}

static uint32_t rd(uint32_t index)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_REG_SELECT, 4, index), 0);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_REG_WINDOW, 4, &v), 0);
	return v;
}

static void wr(uint32_t index, uint32_t v)
{
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_REG_SELECT, 4, index), 0);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_REG_WINDOW, 4, v), 0);
}

static void set_rte(unsigned int pin, uint64_t e)
{
	/* High half first, as Linux does, so the pin is never live with a half-written entry. */
	wr(IOAPIC_INDEX_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
	wr(IOAPIC_INDEX_REDIR + 2 * pin, (uint32_t)e);
}

static uint64_t get_rte(unsigned int pin)
{
	return (uint64_t)rd(IOAPIC_INDEX_REDIR + 2 * pin + 1) << 32 | rd(IOAPIC_INDEX_REDIR + 2 * pin);
}

static void test_identity_and_reset(void **state)
{
	(void)state;
	assert_int_equal(rd(IOAPIC_INDEX_ID), 3u << 24);
	/* 24 pins: maximum redirection entry 23 in bits 23:16. */
	assert_int_equal(rd(IOAPIC_INDEX_VERSION), 0x170011);
	wr(IOAPIC_INDEX_ID, 0x0a000000);
	assert_int_equal(rd(IOAPIC_INDEX_ID), 0x0a000000);
	wr(IOAPIC_INDEX_VERSION, 0);
	assert_int_equal(rd(IOAPIC_INDEX_VERSION), 0x170011);
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++)
		assert_int_equal(get_rte(pin), IOAPIC_RTE_MASKED);
	/* Past the table and unknown registers read 0. */
	assert_int_equal(rd(IOAPIC_INDEX_REDIR + 2 * IOAPIC_PINS), 0);
	assert_int_equal(rd(0x03), 0);
}

static void test_bad_accesses(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_REG_WINDOW, 1, &v), -EINVAL);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_REG_SELECT, 8, 1), -EINVAL);
	assert_int_equal(ioapic_mmio_read(&io, 0x20, 4, &v), -EINVAL);
	assert_int_equal(ioapic_mmio_write(&io, 0x40, 4, 1), -EINVAL);
	assert_int_equal(ioapic_set_irq(&io, IOAPIC_PINS, true), -EINVAL);
	assert_int_equal(nsent, 0);
}

static void test_read_only_bits(void **state)
{
	(void)state;
	/* Delivery status, remote IRR and reserved bits 55:17 cannot be set by the guest. */
	set_rte(5, ~0ULL);
	assert_int_equal(get_rte(5), 0xff0000000001afffULL);
	set_rte(5, 0);
	assert_int_equal(get_rte(5), 0);
}

static void test_edge(void **state)
{
	(void)state;
	set_rte(4, 0x31 | (2ULL << IOAPIC_RTE_DEST_SHIFT));
	ioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].vector, 0x31);
	assert_int_equal(sent[0].dest, 2);
	assert_int_equal(sent[0].pin, 4);
	assert_false(sent[0].level);
	assert_false(sent[0].logical);
	/* Staying high is no new edge; low then high is. */
	ioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 1);
	ioapic_set_irq(&io, 4, false);
	ioapic_set_irq(&io, 4, true);
	assert_int_equal(nsent, 2);
	/* An edge pin never shows remote IRR and ignores EOIs. */
	assert_false(get_rte(4) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi(&io, 0x31);
	assert_int_equal(nsent, 2);
}

static void test_edge_masked_is_lost(void **state)
{
	(void)state;
	set_rte(1, 0x40 | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 1, true);
	ioapic_set_irq(&io, 1, false);
	set_rte(1, 0x40);
	assert_int_equal(nsent, 0);
	/* Unmasking while the line is already high is no edge either. */
	set_rte(1, 0x40 | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 1, true);
	set_rte(1, 0x40);
	assert_int_equal(nsent, 0);
}

static void test_level_remote_irr(void **state)
{
	(void)state;
	set_rte(9, 0x49 | IOAPIC_RTE_LEVEL);
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(nsent, 1);
	assert_true(sent[0].level);
	assert_true(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
	/* Still asserted, but no EOI yet: nothing more. */
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(nsent, 1);
	/* An EOI for another vector does nothing. */
	ioapic_eoi(&io, 0x48);
	assert_int_equal(nsent, 1);
	/* EOI with the line still high: sent again. */
	ioapic_eoi(&io, 0x49);
	assert_int_equal(nsent, 2);
	/* The device deasserts; the EOI clears remote IRR and nothing is sent. */
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x49);
	assert_int_equal(nsent, 2);
	assert_false(get_rte(9) & IOAPIC_RTE_REMOTE_IRR);
}

static void test_level_unmask_sends(void **state)
{
	(void)state;
	set_rte(10, 0x50 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 10, true);
	assert_int_equal(nsent, 0);
	set_rte(10, 0x50 | IOAPIC_RTE_LEVEL);
	assert_int_equal(nsent, 1);
	/* Masked while waiting for the EOI: the EOI re-arms but the mask holds it. */
	set_rte(10, 0x50 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_eoi(&io, 0x50);
	assert_int_equal(nsent, 1);
	set_rte(10, 0x50 | IOAPIC_RTE_LEVEL);
	assert_int_equal(nsent, 2);
}

static void test_active_low(void **state)
{
	(void)state;
	/* Active-low level pin: a low line is the request. */
	set_rte(11, 0x51 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW);
	assert_int_equal(nsent, 1); /* the line is low (idle input) from the start */
	ioapic_set_irq(&io, 11, true);
	ioapic_eoi(&io, 0x51);
	assert_int_equal(nsent, 1);
	ioapic_set_irq(&io, 11, false);
	assert_int_equal(nsent, 2);
}

static void test_message_fields(void **state)
{
	(void)state;
	set_rte(2, 0x22 | ((uint64_t)IOAPIC_DM_NMI << 8) | IOAPIC_RTE_LOGICAL |
		   (0x0fULL << IOAPIC_RTE_DEST_SHIFT));
	ioapic_set_irq(&io, 2, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].delivery_mode, IOAPIC_DM_NMI);
	assert_true(sent[0].logical);
	assert_int_equal(sent[0].dest, 0x0f);
}

static void test_eoi_broadcast_hits_all(void **state)
{
	(void)state;
	set_rte(16, 0x60 | IOAPIC_RTE_LEVEL);
	set_rte(17, 0x60 | IOAPIC_RTE_LEVEL);
	ioapic_set_irq(&io, 16, true);
	ioapic_set_irq(&io, 17, true);
	assert_int_equal(nsent, 2);
	ioapic_eoi(&io, 0x60);
	assert_int_equal(nsent, 4);
}

static void test_switch_to_edge_drops_remote_irr(void **state)
{
	(void)state;
	set_rte(3, 0x33 | IOAPIC_RTE_LEVEL);
	ioapic_set_irq(&io, 3, true);
	assert_true(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(3, 0x33);
	assert_false(get_rte(3) & IOAPIC_RTE_REMOTE_IRR);
}

/* Random register writes, line changes and EOIs: invariants hold and nothing runs away. */
static void test_random(void **state)
{
	(void)state;
	srand(6);
	for (int i = 0; i < 200000; i++) {
		unsigned int pin = (unsigned int)rand() % (IOAPIC_PINS + 2);
		uint32_t r = (uint32_t)rand();

		nsent = 0;
		switch (rand() % 4) {
		case 0:
			wr((uint32_t)rand() % 0x50, r);
			break;
		case 1:
			ioapic_set_irq(&io, pin, r & 1);
			break;
		case 2:
			ioapic_eoi(&io, (uint8_t)r);
			break;
		default:
			ioapic_mmio_write(&io, (uint64_t)(rand() % 0x20), (unsigned int)(rand() % 9), r);
		}
		/* One operation sends at most one message per pin. */
		assert_true(nsent <= IOAPIC_PINS);
		for (unsigned int p = 0; p < IOAPIC_PINS; p++) {
			uint64_t e = io.rte[p];

			assert_false(e & IOAPIC_RTE_DELIVS);
			if (e & IOAPIC_RTE_REMOTE_IRR)
				assert_true(e & IOAPIC_RTE_LEVEL);
			assert_int_equal(e & 0x00fffffffffe0000ULL, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_identity_and_reset, setup),
		cmocka_unit_test_setup(test_bad_accesses, setup),
		cmocka_unit_test_setup(test_read_only_bits, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_edge_masked_is_lost, setup),
		cmocka_unit_test_setup(test_level_remote_irr, setup),
		cmocka_unit_test_setup(test_level_unmask_sends, setup),
		cmocka_unit_test_setup(test_active_low, setup),
		cmocka_unit_test_setup(test_message_fields, setup),
		cmocka_unit_test_setup(test_eoi_broadcast_hits_all, setup),
		cmocka_unit_test_setup(test_switch_to_edge_drops_remote_irr, setup),
		cmocka_unit_test_setup(test_random, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
