/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <vmm/dev/pci_host.h>

static struct pci_host h;

static int setup(void **state)
{
	(void)state;
	pci_host_init(&h);
	return 0;
}

static uint32_t cfg_addr(unsigned int bus, unsigned int dev, unsigned int fn, unsigned int reg)
{
	return PCI_CONFIG_ENABLE | bus << 16 | dev << 11 | fn << 8 | reg;
}

static uint32_t cfg_read(uint32_t addr, unsigned int off, unsigned int size)
{
	pci_host_write(&h, PCI_CONFIG_ADDRESS_PORT, 4, addr);
	return pci_host_read(&h, (uint16_t)(PCI_CONFIG_DATA_PORT + off), size);
}

static void test_address_register(void **state)
{
	(void)state;
	pci_host_write(&h, 0xcf8, 4, 0x80001237);
	assert_int_equal(pci_host_read(&h, 0xcf8, 4), 0x80001234);
	/* Byte and word accesses at 0xcf8 are not CONFIG_ADDRESS. */
	pci_host_write(&h, 0xcf8, 1, 0);
	pci_host_write(&h, 0xcf8, 2, 0);
	assert_int_equal(pci_host_read(&h, 0xcf8, 4), 0x80001234);
	assert_int_equal(pci_host_read(&h, 0xcf8, 1), 0xff);
}

static void test_host_bridge_header(void **state)
{
	uint32_t a = cfg_addr(0, 0, 0, 0);

	(void)state;
	assert_int_equal(cfg_read(a, 0, 4), 0x12378086);
	assert_int_equal(cfg_read(a, 0, 2), 0x8086);
	assert_int_equal(cfg_read(a, 2, 2), 0x1237);
	assert_int_equal(cfg_read(a, 3, 1), 0x12);
	/* Class code: host bridge. */
	assert_int_equal(cfg_read(cfg_addr(0, 0, 0, 8), 0, 4) >> 8, 0x060000);
	/* Header type 0, no BARs, no capabilities. */
	assert_int_equal(cfg_read(cfg_addr(0, 0, 0, 0xc), 2, 1), 0);
	for (unsigned int reg = 0x10; reg < 0x100; reg += 4)
		assert_int_equal(cfg_read(cfg_addr(0, 0, 0, reg), 0, 4), 0);
}

static void test_empty_slots(void **state)
{
	(void)state;
	assert_int_equal(cfg_read(cfg_addr(0, 1, 0, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(cfg_addr(0, 0, 1, 0), 0, 2), 0xffff);
	assert_int_equal(cfg_read(cfg_addr(1, 0, 0, 0), 1, 1), 0xff);
	assert_int_equal(cfg_read(cfg_addr(0, 31, 7, 0), 0, 4), 0xffffffff);
	/* Enable bit clear: no configuration cycle at all. */
	assert_int_equal(cfg_read(0, 0, 4), 0xffffffff);
	/* Reserved bits 30:24 set: not a valid cycle either. */
	assert_int_equal(cfg_read(0x81000000, 0, 4), 0xffffffff);
}

static void test_writes(void **state)
{
	uint32_t cmd = cfg_addr(0, 0, 0, 4);

	(void)state;
	assert_int_equal(cfg_read(cmd, 0, 2), 0x0006);
	/* Only the defined command bits stick; status is not writable. */
	pci_host_write(&h, 0xcfc, 4, 0xffffffff);
	assert_int_equal(cfg_read(cmd, 0, 4), 0x02800147);
	pci_host_write(&h, 0xcfd, 1, 0);
	assert_int_equal(cfg_read(cmd, 0, 2), 0x0047);
	/* The vendor ID is read-only; the latency timer is not. */
	pci_host_write(&h, 0xcf8, 4, cfg_addr(0, 0, 0, 0));
	pci_host_write(&h, 0xcfc, 4, 0);
	assert_int_equal(cfg_read(cfg_addr(0, 0, 0, 0), 0, 4), 0x12378086);
	pci_host_write(&h, 0xcf8, 4, cfg_addr(0, 0, 0, 0xc));
	pci_host_write(&h, 0xcfd, 1, 0x40);
	assert_int_equal(cfg_read(cfg_addr(0, 0, 0, 0xc), 1, 1), 0x40);
}

static void test_misaligned_data(void **state)
{
	(void)state;
	pci_host_write(&h, 0xcf8, 4, cfg_addr(0, 0, 0, 0));
	assert_int_equal(pci_host_read(&h, 0xcfd, 2), 0xffff);
	assert_int_equal(pci_host_read(&h, 0xcfe, 4), 0xffffffff);
	assert_int_equal(pci_host_read(&h, 0xcfc, 3), 0xffffff);
}

static void test_random(void **state)
{
	(void)state;
	srand(8);
	for (int i = 0; i < 100000; i++) {
		uint16_t port = (uint16_t)(0xcf8 + rand() % 8);
		unsigned int size = 1u << (rand() % 3);

		if (rand() % 2)
			pci_host_write(&h, port, size, (uint32_t)rand() << 1 ^ (uint32_t)rand());
		else
			(void)pci_host_read(&h, port, size);
		assert_int_equal(vpci_cfg_read(&h.bus, 0, 0, PCI_COMMAND, 2) & ~0x0147, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_address_register, setup),
		cmocka_unit_test_setup(test_host_bridge_header, setup),
		cmocka_unit_test_setup(test_empty_slots, setup),
		cmocka_unit_test_setup(test_writes, setup),
		cmocka_unit_test_setup(test_misaligned_data, setup),
		cmocka_unit_test_setup(test_random, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
