// SPDX-License-Identifier: GPL-2.0
/*
 * The capability walker (drivers/pci/pci_caps.c) over a fake function's
 * configuration space: a normal list, continuing after a capability, no
 * list at all, a loop, pointers into the header or not 4-byte aligned, a
 * list longer than the 48 entries that fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <pci/pci.h>
#include "pci_fake.h"

static struct pci_fake f;

static void cap_list(bool on, uint8_t head)
{
	f.cfg[0x06] = on ? 0x10 : 0;
	f.cfg[0x34] = head;
}

static void cap(unsigned int pos, uint8_t id, uint8_t next)
{
	f.cfg[pos] = id;
	f.cfg[pos + 1] = next;
}

static int setup(void **state)
{
	(void)state;
	pci_fake_init(&f, 0x1af4, 0x1041);
	return 0;
}

static void test_normal_list(void **state)
{
	(void)state;
	cap_list(true, 0x40);
	cap(0x40, PCI_CAP_ID_VNDR, 0x50);
	cap(0x50, PCI_CAP_ID_MSIX, 0x60);
	cap(0x60, PCI_CAP_ID_VNDR, 0x98);
	cap(0x98, PCI_CAP_ID_MSI, 0x00);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_VNDR, 0), 0x40);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_VNDR, 0x40), 0x60);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_VNDR, 0x60), 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0x50);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSI, 0), 0x98);
	assert_int_equal(pci_find_cap(&f.dev, 0x10, 0), 0);
	/* "after" a nonsense position finds nothing rather than reading anywhere */
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSI, 0x20), 0);
}

static void test_no_list(void **state)
{
	(void)state;
	cap_list(false, 0x40);
	cap(0x40, PCI_CAP_ID_MSIX, 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	cap_list(true, 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
}

static void test_loop(void **state)
{
	(void)state;
	cap_list(true, 0x40);
	cap(0x40, PCI_CAP_ID_VNDR, 0x50);
	cap(0x50, PCI_CAP_ID_VNDR, 0x40);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	cap(0x50, PCI_CAP_ID_VNDR, 0x50);	/* points to itself */
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_VNDR, 0x50), 0x50);
}

static void test_pointer_into_header(void **state)
{
	(void)state;
	/* 0x10 looks like an MSI-X capability (a BAR's bytes) but is in the header */
	f.cfg[0x10] = PCI_CAP_ID_MSIX;
	cap_list(true, 0x10);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	cap_list(true, 0x40);
	cap(0x40, PCI_CAP_ID_VNDR, 0x3c);
	f.cfg[0x3c] = PCI_CAP_ID_MSIX;
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
}

static void test_unaligned(void **state)
{
	(void)state;
	cap_list(true, 0x41);
	f.cfg[0x41] = PCI_CAP_ID_MSIX;
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	cap_list(true, 0x40);
	cap(0x40, PCI_CAP_ID_VNDR, 0x52);
	f.cfg[0x52] = PCI_CAP_ID_MSIX;
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_VNDR, 0), 0x40);
}

/* Every aligned slot 0x40..0xfc chained: 48 entries; the 49th would never be read. */
static void test_limit(void **state)
{
	unsigned int pos;

	(void)state;
	cap_list(true, 0x40);
	for (pos = 0x40; pos < 0xfc; pos += 4)
		cap(pos, PCI_CAP_ID_VNDR, pos + 4);
	cap(0xfc, PCI_CAP_ID_MSIX, 0);
	assert_int_equal((0xfc - 0x40) / 4 + 1, 48);
	/* the 48th entry is the last one the walker looks at */
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0xfc);
	/* one more hop than that: list longer than 48, continuing from the start again */
	cap(0xfc, PCI_CAP_ID_VNDR, 0x40);
	f.cfg[0x40] = PCI_CAP_ID_VNDR;
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
	/* after entry 1, the 48 steps make exactly one lap: the 48th is entry 1 itself */
	f.cfg[0x40] = PCI_CAP_ID_MSIX;
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0x40), 0x40);
}

static void test_ff_ends(void **state)
{
	(void)state;
	cap_list(true, 0x40);
	cap(0x40, 0xff, 0x50);
	cap(0x50, PCI_CAP_ID_MSIX, 0);
	assert_int_equal(pci_find_cap(&f.dev, PCI_CAP_ID_MSIX, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_normal_list, setup),
		cmocka_unit_test_setup(test_no_list, setup),
		cmocka_unit_test_setup(test_loop, setup),
		cmocka_unit_test_setup(test_pointer_into_header, setup),
		cmocka_unit_test_setup(test_unaligned, setup),
		cmocka_unit_test_setup(test_limit, setup),
		cmocka_unit_test_setup(test_ff_ends, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
