/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual PCI bus's interrupts and reset: MSI-X (capability, table,
 * PBA, masking and pending delivery), INTx with INTx-disable, bus reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "test_vpci_fixture.h"

#define SLOT	4
#define NVEC	5
#define TABLE	0x2000u
#define PBA	0x3000u

static struct vpci_dev d;
static int tag;
static int cap;
static uint64_t bar0;	/* where BAR0-1 (mem64, 16 KiB) was placed */

static const struct vpci_id id = {
	.vendor = 0x1af4, .device = 0x1041, .subsys_vendor = 0x1af4, .subsys = 1,
	.revision = 1, .class_code = 0x020000,
};

static int setup(void **state)
{
	(void)state;
	fixture_bus_init();
	vpci_dev_init(&d, &id, rec_bar, &tag, true);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM64, 0x4000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&d, 2, VPCI_BAR_IO, 0x20, false), 0);
	cap = vpci_dev_add_msix(&d, NVEC, 0, TABLE, PBA);
	assert_int_equal(cap, 0x40);
	assert_int_equal(vpci_bus_add(&bus, &d, SLOT), 0);
	bar0 = cf8_read(SLOT, 0x10, 4) & ~0xfull;
	return 0;
}

static uint64_t entry(unsigned int v, unsigned int field)
{
	return bar0 + TABLE + v * 16 + field;
}

static uint16_t msgctl(void)
{
	return (uint16_t)cf8_read(SLOT, cap + 2, 2);
}

static void set_msgctl(uint16_t v)
{
	cf8_write(SLOT, cap + 2, 2, v);
}

/* Vector v: address 0xfee0_0000 | v << 12, data 0x40 + v, mask as given. */
static void program(unsigned int v, bool masked)
{
	mmio_write(entry(v, 0), 4, 0xfee00000u | v << 12);
	mmio_write(entry(v, 4), 4, 0);
	mmio_write(entry(v, 8), 4, 0x40 + v);
	mmio_write(entry(v, 12), 4, masked);
}

static void test_cap_layout(void **state)
{
	struct vpci_dev e;

	(void)state;
	assert_int_equal(cf8_read(SLOT, PCI_CAPABILITY_LIST, 1), 0x40);
	assert_int_equal(cf8_read(SLOT, 6, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	assert_int_equal(cf8_read(SLOT, 0x40, 4), (NVEC - 1) << 16 | PCI_CAP_ID_MSIX);
	assert_int_equal(cf8_read(SLOT, 0x44, 4), TABLE | 0);
	assert_int_equal(cf8_read(SLOT, 0x48, 4), PBA | 0);
	/* Only enable and function mask are writable. */
	set_msgctl(0xffff);
	assert_int_equal(msgctl(), 0xc000 | (NVEC - 1));
	assert_true(vpci_msix_enabled(&d));
	cf8_write(SLOT, 0x44, 4, 0);
	cf8_write(SLOT, 0x48, 4, 0xffffffff);
	assert_int_equal(cf8_read(SLOT, 0x44, 4), TABLE);
	assert_int_equal(cf8_read(SLOT, 0x48, 4), PBA);
	set_msgctl(0);
	assert_false(vpci_msix_enabled(&d));
	/* Argument checks. */
	vpci_dev_init(&e, &id, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_add_msix(&e, 1, 0, 0, 0x800), -EINVAL); /* no BAR */
	assert_int_equal(vpci_dev_set_bar(&e, 0, VPCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&e, 1, VPCI_BAR_IO, 0x100, false), 0);
	assert_int_equal(vpci_dev_add_msix(&e, 1, 1, 0, 0x80), -EINVAL);	/* I/O BAR */
	assert_int_equal(vpci_dev_add_msix(&e, 0, 0, 0, 0x800), -EINVAL);
	assert_int_equal(vpci_dev_add_msix(&e, VPCI_MSIX_MAX_VECTORS + 1, 0, 0, 0x800), -EINVAL);
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 4, 0x800), -EINVAL);	/* BIR bits */
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 0, 0x30), -EINVAL);	/* overlap */
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 0xfc8, 0x800), -EINVAL); /* past end */
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 0, 0xffc), -EINVAL);
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 0, 0xff8), 0x40);
	assert_int_equal(vpci_dev_add_msix(&e, 4, 0, 0, 0x800), -EEXIST);
	assert_int_equal(vpci_dev_add_msix(&d, 4, 0, 0, 0x800), -EBUSY);
}

static void test_table_access(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* Every vector masked at reset, table zero. */
	for (unsigned int i = 0; i < NVEC; i++) {
		assert_int_equal(mmio_read(entry(i, 12), 4), 1);
		assert_int_equal(mmio_read(entry(i, 0), 8), 0);
	}
	program(2, true);
	assert_int_equal(mmio_read(entry(2, 0), 4), 0xfee02000);
	assert_int_equal(mmio_read(entry(2, 8), 4), 0x42);
	/* The address as one qword; data and control as another. */
	mmio_write(entry(1, 0), 8, 0x00000001fee01000ull);
	assert_int_equal(mmio_read(entry(1, 4), 4), 1);
	assert_int_equal(mmio_read(entry(1, 0), 8), 0x00000001fee01000ull);
	assert_int_equal(mmio_read(entry(2, 8), 8), 0x0000000100000042ull);
	/* Reserved control bits read 0. */
	mmio_write(entry(3, 12), 4, 0xfffffffe);
	assert_int_equal(mmio_read(entry(3, 12), 4), 0);
	/* Odd sizes and misaligned accesses: all ones, no effect, never the device. */
	last.calls = 0;
	assert_int_equal(mmio_read(entry(2, 0), 2), 0xffff);
	assert_int_equal(mmio_read(entry(2, 1), 1), 0xff);
	assert_int_equal(mmio_read(entry(2, 4), 8), ~0ull);
	mmio_write(entry(2, 8), 1, 0);
	mmio_write(entry(2, 4), 8, 0);
	assert_int_equal(mmio_read(entry(2, 8), 4), 0x42);
	assert_int_equal(mmio_read(entry(2, 0), 4), 0xfee02000);
	/* A 4-byte access overlapping the table's start from below is ours too. */
	assert_int_equal(mmio(bar0 + TABLE - 2, 4, false, &v), 0);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(last.calls, 0);
	/* Past the table (5 vectors: 0x50 bytes) and around the PBA: the device's. */
	(void)mmio_read(bar0 + TABLE + NVEC * 16, 4);
	assert_int_equal(last.calls, 1);
	assert_int_equal(last.bar, 0);
	assert_int_equal(last.off, TABLE + NVEC * 16);
	(void)mmio_read(bar0 + PBA + 8, 4);
	assert_int_equal(last.off, PBA + 8);
	(void)mmio_read(bar0, 4);
	assert_int_equal(last.off, 0);
	assert_int_equal(last.calls, 3);
	/* The PBA is read-only. */
	mmio_write(bar0 + PBA, 8, ~0ull);
	assert_int_equal(mmio_read(bar0 + PBA, 8), 0);
	assert_int_equal(last.calls, 3);
}

static void test_delivery(void **state)
{
	(void)state;
	program(0, false);
	program(1, true);
	/* Disabled: nothing is sent, the vector is pending. */
	vpci_msix_raise(&d, 0);
	assert_int_equal(nmsi, 0);
	assert_int_equal(mmio_read(bar0 + PBA, 4), 1);
	/* Enable releases it. */
	set_msgctl(PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nmsi, 1);
	assert_int_equal(msis[0].addr, 0xfee00000);
	assert_int_equal(msis[0].data, 0x40);
	assert_int_equal(mmio_read(bar0 + PBA, 4), 0);
	/* Enabled, unmasked: straight through. */
	vpci_msix_raise(&d, 0);
	assert_int_equal(nmsi, 2);
	/* Masked vector: pending, merged, delivered once on unmask. */
	vpci_msix_raise(&d, 1);
	vpci_msix_raise(&d, 1);
	assert_int_equal(nmsi, 2);
	assert_int_equal(mmio_read(bar0 + PBA, 8), 2);
	mmio_write(entry(1, 12), 4, 0);
	assert_int_equal(nmsi, 3);
	assert_int_equal(msis[2].addr, 0xfee01000);
	assert_int_equal(msis[2].data, 0x41);
	assert_int_equal(mmio_read(bar0 + PBA, 8), 0);
	/* Re-masking does not send anything; unmasking with nothing pending neither. */
	mmio_write(entry(1, 12), 4, 1);
	mmio_write(entry(1, 12), 4, 0);
	assert_int_equal(nmsi, 3);
	/* Vectors past the table are ignored. */
	vpci_msix_raise(&d, NVEC);
	vpci_msix_raise(&d, 1000);
	assert_int_equal(nmsi, 3);
	assert_int_equal(mmio_read(bar0 + PBA, 8), 0);
}

static void test_function_mask(void **state)
{
	(void)state;
	program(0, false);
	program(3, false);
	program(4, true);
	set_msgctl(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_true(vpci_msix_enabled(&d));
	vpci_msix_raise(&d, 3);
	vpci_msix_raise(&d, 0);
	vpci_msix_raise(&d, 4);
	assert_int_equal(nmsi, 0);
	assert_int_equal(mmio_read(bar0 + PBA, 4), 0x19);
	/* Clearing the function mask delivers what is pending and unmasked, in vector order. */
	set_msgctl(PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nmsi, 2);
	assert_int_equal(msis[0].data, 0x40);
	assert_int_equal(msis[1].data, 0x43);
	assert_int_equal(mmio_read(bar0 + PBA, 4), 0x10);
	/* Disabling keeps vectors from being sent; pending survives until enable. */
	set_msgctl(0);
	mmio_write(entry(4, 12), 4, 0);
	assert_int_equal(nmsi, 2);
	vpci_msix_raise(&d, 0);
	assert_int_equal(nmsi, 2);
	set_msgctl(PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nmsi, 4);
	assert_int_equal(msis[2].data, 0x40);
	assert_int_equal(msis[3].data, 0x44);
}

static void test_intx(void **state)
{
	struct vpci_dev n;

	(void)state;
	assert_int_equal(cf8_read(SLOT, 0x3c, 1), GSI_BASE + SLOT);
	vpci_intx_set(&d, true);
	assert_int_equal(intx_calls, 1);
	assert_int_equal(intx_gsi, GSI_BASE + SLOT);
	assert_true(intx_level);
	assert_int_equal(cf8_read(SLOT, 6, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	/* Same level again: no new edge on the line. */
	vpci_intx_set(&d, true);
	assert_int_equal(intx_calls, 1);
	/* INTx disable holds the line low; the status bit still shows the device's level. */
	cf8_write(SLOT, 4, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(intx_calls, 2);
	assert_false(intx_level);
	assert_int_equal(cf8_read(SLOT, 6, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	vpci_intx_set(&d, false);
	vpci_intx_set(&d, true);
	assert_int_equal(intx_calls, 2);
	/* Cleared while still high: asserted again. */
	cf8_write(SLOT, 4, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(intx_calls, 3);
	assert_true(intx_level);
	vpci_intx_set(&d, false);
	assert_int_equal(intx_calls, 4);
	assert_false(intx_level);
	assert_int_equal(cf8_read(SLOT, 6, 2) & PCI_STATUS_INTERRUPT, 0);
	/* Disabling and re-enabling while low does nothing. */
	cf8_write(SLOT, 4, 2, PCI_COMMAND_INTX_DISABLE);
	cf8_write(SLOT, 4, 2, 0);
	assert_int_equal(intx_calls, 4);
	/* A device without INTx, or not on a bus, drives nothing. */
	vpci_dev_init(&n, &id, rec_bar, NULL, false);
	vpci_intx_set(&n, true);
	vpci_msix_raise(&n, 0);
	assert_int_equal(vpci_bus_add(&bus, &n, 9), 0);
	vpci_intx_set(&n, true);
	assert_int_equal(intx_calls, 4);
	assert_int_equal(cf8_read(9, 0x3c, 2), 0x00ff);
}

static void test_reset(void **state)
{
	uint32_t before[64];

	(void)state;
	for (unsigned int i = 0; i < 64; i++)
		before[i] = cf8_read(SLOT, i * 4, 4);
	program(0, false);
	program(1, true);
	set_msgctl(PCI_MSIX_FLAGS_ENABLE);
	vpci_msix_raise(&d, 1);
	vpci_intx_set(&d, true);
	cf8_write(SLOT, 0x10, 4, 0x80000000);
	cf8_write(SLOT, 0x14, 4, 0x2);
	cf8_write(SLOT, 0x18, 4, 0x1000);
	cf8_write(SLOT, 4, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	cf8_write(SLOT, 0x3c, 1, 5);
	cf8_write(0, 0xd, 1, 0x20);
	vpci_cf8_write(&bus, 0xcf8, 4, 0x80000000);
	assert_int_equal(intx_calls, 1);

	vpci_bus_reset(&bus);
	assert_int_equal(vpci_cf8_read(&bus, 0xcf8, 4), 0);
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(cf8_read(SLOT, i * 4, 4), before[i]);
	assert_int_equal(cf8_read(0, 0xd, 1), 0);
	assert_int_equal(cf8_read(0, 4, 4), 0x02800006);
	assert_false(vpci_msix_enabled(&d));
	assert_int_equal(intx_calls, 2);
	assert_false(intx_level);
	for (unsigned int i = 0; i < NVEC; i++) {
		assert_int_equal(mmio_read(entry(i, 12), 4), 1);
		assert_int_equal(mmio_read(entry(i, 0), 8), 0);
	}
	assert_int_equal(mmio_read(bar0 + PBA, 8), 0);
	/* Nothing pending survives to be sent by the next enable. */
	program(1, false);
	set_msgctl(PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nmsi, 0);
	/* INTx starts from low: the device raising it again is a fresh edge. */
	vpci_intx_set(&d, true);
	assert_int_equal(intx_calls, 3);
	assert_true(intx_level);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cap_layout, setup),
		cmocka_unit_test_setup(test_table_access, setup),
		cmocka_unit_test_setup(test_delivery, setup),
		cmocka_unit_test_setup(test_function_mask, setup),
		cmocka_unit_test_setup(test_intx, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
