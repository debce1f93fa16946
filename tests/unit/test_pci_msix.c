// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/pci/pci_msi.c against a fake function: MSI-X with its table at an
 * offset in a BAR (message address and data, per-entry masks, the function
 * mask while entries are set up, the limits), MSI with 32- and 64-bit
 * addresses and per-vector masking, the fall-back to INTx, and release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/errno.h>
#include <pci/pci.h>
#include "log_capture.h"
#include "pci_fake.h"
#include "pci_irq_arch_fake.h"

#define MSIX_CAP 0x40
#define MSI_CAP 0x60
#define TABLE_BAR 2
#define BAR_SIZE 0x4000
#define TABLE_OFF 0x2000
#define TABLE_SIZE 16

static struct pci_fake f;
static uint8_t bar[BAR_SIZE];
static unsigned int bad_writes;	/* address/data written to an unmasked entry */
static unsigned int unmasked_setup;	/* entry masks written without the function mask */
static unsigned int fired[8];

static uint16_t cfg16(unsigned int off)
{
	uint16_t v;

	memcpy(&v, f.cfg + off, 2);
	return v;
}

static uint32_t cfg32(unsigned int off)
{
	uint32_t v;

	memcpy(&v, f.cfg + off, 4);
	return v;
}

static void set_cfg16(unsigned int off, uint16_t v)
{
	memcpy(f.cfg + off, &v, 2);
}

static void set_cfg32(unsigned int off, uint32_t v)
{
	memcpy(f.cfg + off, &v, 4);
}

static uint32_t entry32(unsigned int entry, unsigned int reg)
{
	uint32_t v;

	memcpy(&v, bar + TABLE_OFF + 16 * entry + reg, 4);
	return v;
}

static uint64_t bar_read(void *ctx, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	(void)ctx;
	assert_true(off + size <= BAR_SIZE);
	memcpy(&v, bar + off, size);
	return v;
}

static void bar_write(void *ctx, uint64_t off, unsigned int size, uint64_t v)
{
	(void)ctx;
	assert_true(off + size <= BAR_SIZE);
	assert_int_equal(size, 4);
	if (off >= TABLE_OFF && off < TABLE_OFF + 16 * TABLE_SIZE) {
		unsigned int e = (off - TABLE_OFF) / 16, reg = (off - TABLE_OFF) % 16;
		uint16_t ctrl = cfg16(MSIX_CAP + 2);

		if (reg != 12 && !(entry32(e, 12) & 1))
			bad_writes++;
		/* during pci_msix_enable (no entries yet), enabled means function-masked */
		if (reg == 12 && (ctrl & 0x8000) && !(ctrl & 0x4000) && !f.dev.msix_entries)
			unmasked_setup++;
	}
	memcpy(bar + off, &v, size);
}

static const struct pci_fake_bar_ops ops = { bar_read, bar_write };

static void handler(void *ctx)
{
	fired[(uintptr_t)ctx]++;
}

static void add_msix(uint16_t size, uint32_t table)
{
	f.cfg[0x06] |= 0x10;
	f.cfg[0x34] = MSIX_CAP;
	f.cfg[MSIX_CAP] = PCI_CAP_ID_MSIX;
	f.cfg[MSIX_CAP + 1] = 0;
	set_cfg16(MSIX_CAP + 2, size - 1);
	set_cfg32(MSIX_CAP + 4, table);
}

static void add_msi(uint16_t ctrl)
{
	f.cfg[0x06] |= 0x10;
	f.cfg[0x34] = MSI_CAP;
	f.cfg[MSI_CAP] = PCI_CAP_ID_MSI;
	f.cfg[MSI_CAP + 1] = 0;
	set_cfg16(MSI_CAP + 2, ctrl);
}

static int setup(void **state)
{
	(void)state;
	pci_fake_init(&f, 0x1af4, 0x1041);
	pci_irq_arch_fake_reset();
	memset(bar, 0, sizeof(bar));
	memset(fired, 0, sizeof(fired));
	bad_writes = unmasked_setup = 0;
	f.bar_size[TABLE_BAR] = BAR_SIZE;
	f.bar_ops[TABLE_BAR] = &ops;
	f.dev.irq_pin = 1;
	f.dev.irq_line = 11;
	assert_int_equal(pci_enable_device(&f.dev), 0);
	return 0;
}

static void test_msix_program(void **state)
{
	(void)state;
	arch_fake.apic_id = 3;
	add_msix(TABLE_SIZE, TABLE_OFF | TABLE_BAR);
	assert_int_equal(pci_msix_enable(&f.dev, 3), 0);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_MSIX);
	/* enabled, function mask off again, every entry of the table masked */
	assert_int_equal(cfg16(MSIX_CAP + 2) & 0xc000, 0x8000);
	for (unsigned int e = 0; e < TABLE_SIZE; e++)
		assert_true(entry32(e, 12) & 1);
	assert_int_equal(unmasked_setup, 0);
	assert_true(cfg16(0x04) & 0x400);	/* INTx disabled */
	assert_int_equal(pci_irq_arch_fake_in_use(), 3);

	assert_int_equal(pci_msix_set(&f.dev, 1, handler, (void *)1), 0);
	assert_int_equal(pci_msix_set(&f.dev, 0, handler, (void *)0), 0);
	assert_int_equal(entry32(1, 0), 0xfee00000u | 3 << 12);
	assert_int_equal(entry32(1, 4), 0);
	assert_int_equal(entry32(1, 8), (uint32_t)f.dev.vectors[1]);
	assert_int_equal(entry32(1, 12) & 1, 0);
	assert_int_equal(entry32(0, 8), (uint32_t)f.dev.vectors[0]);
	assert_int_not_equal(f.dev.vectors[0], f.dev.vectors[1]);
	assert_true(entry32(2, 12) & 1);	/* not set yet: still masked */
	assert_int_equal(bad_writes, 0);
	assert_true(pci_irq_arch_fake_fire(f.dev.vectors[1]));
	assert_int_equal(fired[1], 1);
	assert_int_equal(fired[0], 0);
	assert_int_equal(pci_irq_arch_fake_in_use(), 3);

	/* changing an entry's handler masks it first */
	assert_int_equal(pci_msix_set(&f.dev, 1, handler, (void *)2), 0);
	assert_int_equal(bad_writes, 0);
	assert_true(pci_irq_arch_fake_fire(f.dev.vectors[1]));
	assert_int_equal(fired[2], 1);
	assert_int_equal(pci_irq_arch_fake_in_use(), 3);

	assert_int_equal(pci_msix_set(&f.dev, 3, handler, NULL), -EINVAL);
	assert_int_equal(pci_msix_enable(&f.dev, 1), -EBUSY);
	assert_int_equal(pci_irq_single(&f.dev, handler, NULL), -EBUSY);

	pci_irq_release(&f.dev);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_NONE);
	assert_int_equal(cfg16(MSIX_CAP + 2) & 0xc000, 0);
	for (unsigned int e = 0; e < 3; e++)
		assert_true(entry32(e, 12) & 1);
	assert_int_equal(pci_irq_arch_fake_in_use(), 0);
	/* and it can be set up again */
	assert_int_equal(pci_msix_enable(&f.dev, 8), 0);
	pci_irq_release(&f.dev);
}

static void test_msix_limits(void **state)
{
	(void)state;
	assert_int_equal(pci_msix_enable(&f.dev, 1), -ENODEV);
	add_msix(4, TABLE_OFF | TABLE_BAR);
	assert_int_equal(pci_msix_enable(&f.dev, 0), -ERANGE);
	assert_int_equal(pci_msix_enable(&f.dev, 5), -ERANGE);
	add_msix(TABLE_SIZE, TABLE_OFF | TABLE_BAR);
	assert_int_equal(pci_msix_enable(&f.dev, 9), -ERANGE);
	assert_int_equal(pci_msix_set(&f.dev, 0, handler, NULL), -EINVAL);

	/* a table that does not fit its BAR, or in a BAR that does not exist */
	add_msix(TABLE_SIZE, (BAR_SIZE - 0x80) | TABLE_BAR);
	assert_int_equal(pci_msix_enable(&f.dev, 1), -EIO);
	assert_non_null(strstr(log_captured, "outside its BAR"));
	add_msix(TABLE_SIZE, TABLE_OFF | 1);
	assert_int_equal(pci_msix_enable(&f.dev, 1), -EIO);
	add_msix(TABLE_SIZE, TABLE_OFF | 7);
	assert_int_equal(pci_msix_enable(&f.dev, 1), -EIO);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_NONE);

	/* out of vectors: none kept, MSI-X left off */
	add_msix(TABLE_SIZE, TABLE_OFF | TABLE_BAR);
	arch_fake.free_left = 2;
	assert_int_equal(pci_msix_enable(&f.dev, 3), -ENOSPC);
	assert_int_equal(pci_irq_arch_fake_in_use(), FAKE_VEC_COUNT - 2);
	assert_int_equal(arch_fake.free_left, 2);
	assert_int_equal(cfg16(MSIX_CAP + 2) & 0xc000, 0);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_NONE);

	/* a destination a message cannot name */
	arch_fake.free_left = FAKE_VEC_COUNT;
	arch_fake.apic_id = 0x100;
	assert_int_equal(pci_msix_enable(&f.dev, 1), -ENODEV);
}

static void test_msi_32(void **state)
{
	(void)state;
	arch_fake.apic_id = 1;
	add_msi(0x0070);	/* MME left at 32 messages by someone */
	assert_int_equal(pci_irq_single(&f.dev, handler, (void *)4), 0);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_MSI);
	assert_int_equal(cfg16(MSI_CAP + 2), 0x0001);
	assert_int_equal(cfg32(MSI_CAP + 4), 0xfee01000u);
	assert_int_equal(cfg16(MSI_CAP + 8), (uint16_t)f.dev.vectors[0]);
	assert_true(cfg16(0x04) & 0x400);
	assert_true(pci_irq_arch_fake_fire(f.dev.vectors[0]));
	assert_int_equal(fired[4], 1);
	pci_irq_release(&f.dev);
	assert_int_equal(cfg16(MSI_CAP + 2) & 1, 0);
	assert_int_equal(pci_irq_arch_fake_in_use(), 0);
}

static void test_msi_64_masked(void **state)
{
	(void)state;
	add_msi(0x0182);	/* 64-bit, per-vector mask, 2 messages capable */
	set_cfg32(MSI_CAP + 0x10, 0x2);	/* vector 1 masked by someone: left so */
	set_cfg32(MSI_CAP + 0x08, 0xdeadbeef);
	assert_int_equal(pci_irq_single(&f.dev, handler, (void *)5), 0);
	assert_int_equal(cfg16(MSI_CAP + 2), 0x0183);
	assert_int_equal(cfg32(MSI_CAP + 4), 0xfee00000u);
	assert_int_equal(cfg32(MSI_CAP + 8), 0);
	assert_int_equal(cfg16(MSI_CAP + 0xc), (uint16_t)f.dev.vectors[0]);
	assert_int_equal(cfg32(MSI_CAP + 0x10), 0x2);	/* vector 0 unmasked */
	pci_irq_release(&f.dev);
	assert_int_equal(cfg32(MSI_CAP + 0x10) & 1, 1);
	assert_int_equal(cfg16(MSI_CAP + 2) & 1, 0);
	assert_int_equal(pci_irq_arch_fake_in_use(), 0);
}

static void test_intx_fallback(void **state)
{
	(void)state;
	assert_int_equal(pci_irq_single(&f.dev, handler, NULL), 0);
	assert_int_equal(arch_fake.intx_attached, 1);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_INTX);
	pci_irq_release(&f.dev);
	assert_int_equal(arch_fake.intx_detached, 1);
	assert_int_equal(f.dev.irq_mode, PCI_IRQ_NONE);
	arch_fake.intx_ret = -ENODEV;
	assert_int_equal(pci_irq_single(&f.dev, handler, NULL), -ENODEV);
	assert_int_equal(pci_irq_single(&f.dev, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_msix_program, setup),
		cmocka_unit_test_setup(test_msix_limits, setup),
		cmocka_unit_test_setup(test_msi_32, setup),
		cmocka_unit_test_setup(test_msi_64_masked, setup),
		cmocka_unit_test_setup(test_intx_fallback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
