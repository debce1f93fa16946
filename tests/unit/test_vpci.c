/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual PCI bus: configuration space through both mechanisms, BAR
 * sizing and placement, decode, the capability list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "test_vpci_fixture.h"

static struct vpci_dev a, b;
static int tag_a, tag_b;

static const struct vpci_id id_a = {
	.vendor = 0x1af4, .device = 0x1042, .subsys_vendor = 0x1af4, .subsys = 0x0002,
	.revision = 0x01, .class_code = 0x010000,
};
static const struct vpci_id id_b = {
	.vendor = 0x1af4, .device = 0x1041, .subsys_vendor = 0x1af4, .subsys = 0x0001,
	.revision = 0x01, .class_code = 0x020000,
};

/*
 * a in slot 3: BAR0 I/O 32 bytes, BAR1 mem32 4 KiB, BAR2-3 mem64 16 KiB
 * prefetchable, INTx. b in slot 5: BAR0-1 mem64 16 KiB, no INTx.
 */
static int setup(void **state)
{
	(void)state;
	fixture_bus_init();
	vpci_dev_init(&a, &id_a, rec_bar, &tag_a, true);
	assert_int_equal(vpci_dev_set_bar(&a, 0, VPCI_BAR_IO, 32, false), 0);
	assert_int_equal(vpci_dev_set_bar(&a, 1, VPCI_BAR_MEM32, 4096, false), 0);
	assert_int_equal(vpci_dev_set_bar(&a, 2, VPCI_BAR_MEM64, 0x4000, true), 0);
	vpci_dev_init(&b, &id_b, rec_bar, &tag_b, false);
	assert_int_equal(vpci_dev_set_bar(&b, 0, VPCI_BAR_MEM64, 0x4000, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &a, 3), 0);
	assert_int_equal(vpci_bus_add(&bus, &b, 5), 0);
	return 0;
}

static void test_host_bridge(void **state)
{
	(void)state;
	assert_int_equal(cf8_read(0, 0, 4), 0x12378086);
	assert_int_equal(ecam_read(ecam_off(0, 0, 0, 0), 4), 0x12378086);
	assert_int_equal(ecam_read(ecam_off(0, 0, 0, 2), 2), 0x1237);
	assert_int_equal(cf8_read(0, 8, 4), 0x06000002);
	assert_int_equal(cf8_read(0, 0xe, 1), 0);
	assert_int_equal(cf8_read(0, 4, 4), 0x02800006);
	/* pci_host.c's write semantics: defined command bits stick, status does not. */
	cf8_write(0, 4, 4, 0xffffffff);
	assert_int_equal(ecam_read(ecam_off(0, 0, 0, 4), 4), 0x02800147);
	ecam_write(ecam_off(0, 0, 0, 0xd), 1, 0x40);
	assert_int_equal(cf8_read(0, 0xd, 1), 0x40);
	for (unsigned int reg = 0x10; reg < 0x100; reg += 4)
		assert_int_equal(cf8_read(0, reg, 4), 0);
	assert_int_equal(ecam_read(ecam_off(0, 0, 0, 0x100), 4), 0);
}

static void test_device_header(void **state)
{
	(void)state;
	for (int m = 0; m < 2; m++) {
		uint32_t v[16];

		for (unsigned int i = 0; i < 16; i++)
			v[i] = m ? (uint32_t)ecam_read(ecam_off(0, 3, 0, i * 4), 4) : cf8_read(3, i * 4, 4);
		assert_int_equal(v[0], 0x10421af4);
		assert_int_equal(v[1], 0x00000003); /* I/O and memory on, no capabilities */
		assert_int_equal(v[2], 0x01000001);
		assert_int_equal(v[3], 0);	    /* header type 0, single function */
		assert_int_equal(v[11], 0x00021af4);
		assert_int_equal(v[13], 0);	    /* no capability list */
		assert_int_equal(v[15], 0x0100 | (GSI_BASE + 3 % GSI_COUNT));
	}
	assert_int_equal(cf8_read(3, 0x0a, 2), 0x0100);
	assert_int_equal(cf8_read(3, 0x3d, 1), PCI_INTERRUPT_PIN_INTA);
	/* b has no INTx: pin 0, line 0xff; memory decode only. */
	assert_int_equal(ecam_read(ecam_off(0, 5, 0, 0x3c), 2), 0x00ff);
	assert_int_equal(ecam_read(ecam_off(0, 5, 0, 4), 2), PCI_COMMAND_MEMORY);
	/* Extended space of a present function reads 0. */
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 0x100), 4), 0);
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 0xffc), 4), 0);
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 0xfff), 1), 0);
}

static void test_absent_and_invalid(void **state)
{
	(void)state;
	assert_int_equal(cf8_read(1, 0, 4), 0xffffffff);
	assert_int_equal(cf8_read(31, 0, 2), 0xffff);
	assert_int_equal(ecam_read(ecam_off(0, 4, 0, 0), 4), 0xffffffff);
	assert_int_equal(ecam_read(ecam_off(0, 4, 0, 0x200), 4), 0xffffffff);
	/* Functions other than 0, buses other than 0. */
	vpci_cf8_write(&bus, 0xcf8, 4, cfg_addr(0, 3, 1, 0));
	assert_int_equal(vpci_cf8_read(&bus, 0xcfc, 4), 0xffffffff);
	vpci_cf8_write(&bus, 0xcf8, 4, cfg_addr(1, 3, 0, 0));
	assert_int_equal(vpci_cf8_read(&bus, 0xcfe, 2), 0xffff);
	assert_int_equal(ecam_read(ecam_off(0, 3, 1, 0), 4), 0xffffffff);
	assert_int_equal(ecam_read(ecam_off(1, 0, 0, 0), 4), 0xffffffff);
	assert_int_equal(ecam_read(ecam_off(255, 3, 0, 0), 1), 0xff);
	/* Enable bit clear, reserved bits set. */
	vpci_cf8_write(&bus, 0xcf8, 4, 0x00001800);
	assert_int_equal(vpci_cf8_read(&bus, 0xcfc, 4), 0xffffffff);
	vpci_cf8_write(&bus, 0xcf8, 4, 0x81001800);
	assert_int_equal(vpci_cf8_read(&bus, 0xcfc, 4), 0xffffffff);
	/* CONFIG_ADDRESS: dword only, bits 1:0 read 0. */
	vpci_cf8_write(&bus, 0xcf8, 4, 0x80001803);
	assert_int_equal(vpci_cf8_read(&bus, 0xcf8, 4), 0x80001800);
	vpci_cf8_write(&bus, 0xcf8, 2, 0);
	vpci_cf8_write(&bus, 0xcf8, 1, 0);
	assert_int_equal(vpci_cf8_read(&bus, 0xcf8, 4), 0x80001800);
	assert_int_equal(vpci_cf8_read(&bus, 0xcf8, 2), 0xffff);
	/* Misaligned or odd-sized data accesses, both mechanisms. */
	assert_int_equal(vpci_cf8_read(&bus, 0xcfd, 2), 0xffff);
	assert_int_equal(vpci_cf8_read(&bus, 0xcfe, 4), 0xffffffff);
	assert_int_equal(vpci_cf8_read(&bus, 0xcfc, 3), 0xffffff);
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 1), 2), 0xffff);
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 2), 4), 0xffffffff);
	assert_int_equal(ecam_read(ecam_off(0, 3, 0, 0), 8), 0xffffffffffffffffull);
	/* Writes there go nowhere. */
	ecam_write(ecam_off(0, 3, 0, 0x3d), 2, 0);
	ecam_write(ecam_off(0, 3, 0, 0x3c), 8, 0);
	assert_int_equal(cf8_read(3, 0x3c, 1), GSI_BASE + 3);
}

static void test_read_only(void **state)
{
	uint32_t before[64];

	(void)state;
	for (unsigned int i = 0; i < 64; i++)
		before[i] = cf8_read(3, i * 4, 4);
	for (unsigned int reg = 0; reg < 0x100; reg++) {
		if (reg >= 0x10 && reg < 0x28)
			continue; /* BARs: see the sizing test */
		ecam_write(ecam_off(0, 3, 0, reg), 1, 0xff);
	}
	for (unsigned int i = 0; i < 64; i++) {
		uint32_t now = cf8_read(3, i * 4, 4);

		if (i == 1) /* command: I/O, memory, master, INTx disable only */
			assert_int_equal(now, 0x0407);
		else if (i == 15) /* interrupt line writable, pin not */
			assert_int_equal(now, 0x01ff);
		else if (i < 4 || i >= 10)
			assert_int_equal(now, before[i]);
	}
	/* Status has no write-one-to-clear bits to lose. */
	cf8_write(3, 6, 2, 0xffff);
	assert_int_equal(cf8_read(3, 6, 2), 0);
}

static void test_bar_sizing(void **state)
{
	uint32_t saved[6];

	(void)state;
	for (unsigned int n = 0; n < 6; n++) {
		saved[n] = cf8_read(3, 0x10 + 4 * n, 4);
		cf8_write(3, 0x10 + 4 * n, 4, 0xffffffff);
	}
	assert_int_equal(cf8_read(3, 0x10, 4), 0xffffffe1);	/* I/O, 32 bytes */
	assert_int_equal(cf8_read(3, 0x14, 4), 0xfffff000);	/* mem32, 4 KiB */
	assert_int_equal(cf8_read(3, 0x18, 4), 0xffffc00c);	/* mem64 prefetchable, 16 KiB */
	assert_int_equal(cf8_read(3, 0x1c, 4), 0xffffffff);	/* its upper half */
	assert_int_equal(cf8_read(3, 0x20, 4), 0);		/* unimplemented */
	assert_int_equal(cf8_read(3, 0x24, 4), 0);
	for (unsigned int n = 0; n < 6; n++)
		cf8_write(3, 0x10 + 4 * n, 4, saved[n]);
	assert_int_equal(cf8_read(3, 0x10, 4), IO_BASE | 1);
	/* Low flag bits are read-only; sub-dword writes merge. */
	ecam_write(ecam_off(0, 3, 0, 0x14), 1, 0xff);
	assert_int_equal(cf8_read(3, 0x14, 4), MEM_BASE);
	ecam_write(ecam_off(0, 3, 0, 0x16), 2, 0x1234);
	assert_int_equal(cf8_read(3, 0x14, 4), 0x12340000);
	/* A mem64 BAR larger than the 32-bit window cannot be placed. */
	{
		struct vpci_dev big;

		vpci_dev_init(&big, &id_a, rec_bar, NULL, false);
		assert_int_equal(vpci_dev_set_bar(&big, 4, VPCI_BAR_MEM64, 1ull << 33, false), 0);
		assert_int_equal(vpci_bus_add(&bus, &big, 7), -ENOSPC);
	}
}

static void test_set_bar_errors(void **state)
{
	struct vpci_dev d;

	(void)state;
	vpci_dev_init(&d, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_IO, 2, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_IO, 12, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_IO, 16, true), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM32, 2048, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM64, 0x3000, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 5, VPCI_BAR_MEM64, 0x1000, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 6, VPCI_BAR_MEM32, 0x1000, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_NONE, 0x1000, false), -EINVAL);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM64, 0x1000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&d, 1, VPCI_BAR_MEM32, 0x1000, false), -EBUSY);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM32, 0x1000, false), -EBUSY);
	assert_int_equal(vpci_dev_set_bar(&d, 2, VPCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&d, 1, VPCI_BAR_MEM64, 0x1000, false), -EBUSY);
	assert_int_equal(vpci_bus_add(&bus, &d, 0), -EINVAL);
	assert_int_equal(vpci_bus_add(&bus, &d, 32), -EINVAL);
	assert_int_equal(vpci_bus_add(&bus, &d, 3), -EBUSY);
	assert_int_equal(vpci_bus_add(&bus, &a, 9), -EBUSY);
	assert_int_equal(vpci_bus_add(&bus, &d, 9), 0);
	assert_int_equal(vpci_dev_set_bar(&d, 3, VPCI_BAR_MEM32, 0x1000, false), -EBUSY);
}

static void test_placement(void **state)
{
	struct vpci_dev c, d, e;

	(void)state;
	/* a: I/O at the window's base; mem32 first, the 16 KiB mem64 aligned after it. */
	assert_int_equal(cf8_read(3, 0x10, 4), IO_BASE | 1);
	assert_int_equal(cf8_read(3, 0x14, 4), MEM_BASE);
	assert_int_equal(cf8_read(3, 0x18, 4), (MEM_BASE + 0x4000) | 0xc);
	assert_int_equal(cf8_read(3, 0x1c, 4), 0);
	assert_int_equal(cf8_read(5, 0x10, 4), (MEM_BASE + 0x8000) | 0x4);
	/* Natural alignment: 64 KiB after 0xe000c000 lands at 0xe0010000. */
	vpci_dev_init(&c, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_set_bar(&c, 0, VPCI_BAR_IO, 0x100, false), 0);
	assert_int_equal(vpci_dev_set_bar(&c, 1, VPCI_BAR_MEM32, 0x10000, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &c, 8), 0);
	assert_int_equal(cf8_read(8, 0x10, 4), (IO_BASE + 0x100) | 1);
	assert_int_equal(cf8_read(8, 0x14, 4), MEM_BASE + 0x10000);
	/* Too big for what is left of the window: refused, nothing consumed. */
	vpci_dev_init(&d, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_set_bar(&d, 0, VPCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&d, 1, VPCI_BAR_MEM32, MEM_SIZE, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &d, 9), -ENOSPC);
	assert_int_equal(cf8_read(9, 0, 4), 0xffffffff);
	vpci_dev_init(&e, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_set_bar(&e, 0, VPCI_BAR_IO, IO_SIZE, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &e, 10), -ENOSPC);
	vpci_dev_init(&e, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_set_bar(&e, 0, VPCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(vpci_dev_set_bar(&e, 1, VPCI_BAR_IO, 0x200, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &e, 10), 0);
	assert_int_equal(cf8_read(10, 0x10, 4), MEM_BASE + 0x20000);
	assert_int_equal(cf8_read(10, 0x14, 4), (IO_BASE + 0x200) | 1);
	/* The GSI rotates with the slot. */
	assert_int_equal(e.gsi, GSI_BASE + 10 % GSI_COUNT);
}

static void test_decode(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(mmio_read(MEM_BASE + 0x10, 4), (uint32_t)READ_VALUE);
	assert_ptr_equal(last.opaque, &tag_a);
	assert_int_equal(last.bar, 1);
	assert_int_equal(last.off, 0x10);
	assert_int_equal(last.size, 4);
	mmio_write(MEM_BASE + 0x4000 + 0x3ff8, 8, 0xabcdef);
	assert_int_equal(last.bar, 2);
	assert_int_equal(last.off, 0x3ff8);
	assert_true(last.write);
	assert_int_equal(last.value, 0xabcdef);
	assert_int_equal(mmio_read(MEM_BASE + 0x8000 + 0x123, 1), (uint8_t)READ_VALUE);
	assert_ptr_equal(last.opaque, &tag_b);
	assert_int_equal(last.bar, 0);
	assert_int_equal(vpci_io_access(&bus, IO_BASE + 0x1e, 2, false, &v), 0);
	assert_int_equal(v, (uint16_t)READ_VALUE);
	assert_int_equal(last.bar, 0);
	assert_int_equal(last.off, 0x1e);
	/* Outside every BAR, straddling a BAR's end, bad sizes. */
	assert_int_equal(mmio(MEM_BASE + 0x1000, 4, false, &v), -ENOENT);
	assert_int_equal(mmio(MEM_BASE + 0xffe, 4, false, &v), -ENOENT);
	assert_int_equal(mmio(MEM_BASE, 3, false, &v), -EINVAL);
	assert_int_equal(vpci_io_access(&bus, IO_BASE + 0x20, 1, false, &v), -ENOENT);
	assert_int_equal(vpci_io_access(&bus, IO_BASE, 8, false, &v), -EINVAL);
	assert_int_equal(vpci_io_access(&bus, 0xffff, 2, false, &v), -ENOENT);
	/* Reprogrammed BARs decode where the guest put them, and only there. */
	cf8_write(3, 0x14, 4, 0xf0000000);
	assert_int_equal(mmio(MEM_BASE, 4, false, &v), -ENOENT);
	assert_int_equal(mmio_read(0xf0000ffc, 4), (uint32_t)READ_VALUE);
	assert_int_equal(last.off, 0xffc);
	cf8_write(3, 0x18, 4, 0x00000000);
	cf8_write(3, 0x1c, 4, 0x00000001);
	(void)mmio_read(0x100002000ull, 4);
	assert_int_equal(last.bar, 2);
	assert_int_equal(last.off, 0x2000);
	cf8_write(3, 0x10, 4, 0x1000);
	assert_int_equal(vpci_io_access(&bus, IO_BASE, 1, false, &v), -ENOENT);
	assert_int_equal(vpci_io_access(&bus, 0x1004, 4, true, &v), 0);
	assert_int_equal(last.off, 4);
	/* Overlapping BARs: slot order wins. */
	cf8_write(5, 0x10, 4, 0xf0000000);
	(void)mmio_read(0xf0000000, 4);
	assert_ptr_equal(last.opaque, &tag_a);
	(void)mmio_read(0xf0001000, 4);
	assert_ptr_equal(last.opaque, &tag_b);
	assert_int_equal(last.off, 0x1000);
	/* The command register's enables gate decoding. */
	cf8_write(3, 4, 2, PCI_COMMAND_IO);
	assert_int_equal(vpci_io_access(&bus, 0x1000, 1, false, &v), 0);
	(void)mmio_read(0xf0000000, 4);
	assert_ptr_equal(last.opaque, &tag_b); /* a no longer decodes: b's BAR shows */
	cf8_write(3, 4, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(vpci_io_access(&bus, 0x1000, 1, false, &v), -ENOENT);
	cf8_write(5, 4, 2, 0);
	cf8_write(3, 4, 2, 0);
	assert_int_equal(mmio(0xf0000000, 4, false, &v), -ENOENT);
}

static void test_slot_order(void **state)
{
	struct vpci_dev c;
	int tag_c;

	(void)state;
	/* Added after a and b but in a lower slot: it decodes first where they overlap. */
	vpci_dev_init(&c, &id_a, rec_bar, &tag_c, false);
	assert_int_equal(vpci_dev_set_bar(&c, 3, VPCI_BAR_MEM32, 0x2000, false), 0);
	assert_int_equal(vpci_bus_add(&bus, &c, 1), 0);
	(void)mmio_read(MEM_BASE + 0x10, 4);
	assert_ptr_equal(last.opaque, &tag_a);
	cf8_write(1, 0x1c, 4, MEM_BASE);
	(void)mmio_read(MEM_BASE + 0x10, 4);
	assert_ptr_equal(last.opaque, &tag_c);
	assert_int_equal(last.bar, 3);
	(void)mmio_read(MEM_BASE + 0x1010, 4);
	assert_ptr_equal(last.opaque, &tag_c);
	assert_int_equal(last.off, 0x1010);
	/* Disabled, it steps aside again. */
	cf8_write(1, 4, 2, 0);
	(void)mmio_read(MEM_BASE + 0x10, 4);
	assert_ptr_equal(last.opaque, &tag_a);
}

struct hook_state {
	unsigned int reads, writes, off, size;
	uint32_t value;
	uint32_t window;	/* the one writable register, at cap offset 4 */
};

static struct hook_state hs;

static void hook_read(void *opaque, unsigned int off, unsigned int size, uint32_t *value)
{
	struct hook_state *h = opaque;

	h->reads++;
	h->off = off;
	h->size = size;
	if (off == 4 && size == 4)
		*value = h->window;
	else if (off == 0 && size == 4)
		*value = 0xdeadbeef; /* tries to replace ID and next: vpci keeps them */
}

static void hook_write(void *opaque, unsigned int off, unsigned int size, uint32_t value)
{
	struct hook_state *h = opaque;

	h->writes++;
	h->off = off;
	h->size = size;
	h->value = value;
	if (off == 4 && size == 4)
		h->window = value;
}

static void test_caps(void **state)
{
	struct vpci_dev d;
	const uint8_t body1[6] = { 0xaa, 0xbb, 1, 2, 3, 4 };
	const uint8_t body2[3] = { 0, 0, 0x77 };
	const uint8_t body3[9] = { 0, 0, 9, 8, 0, 0, 0, 0, 5 };
	struct vpci_cap_hooks hooks = { hook_read, hook_write, &hs };
	uint8_t big[0x100] = { 0 };
	unsigned int ptr, n = 0;
	const uint8_t ids[3] = { PCI_CAP_ID_VNDR, 0x05, PCI_CAP_ID_VNDR };

	(void)state;
	memset(&hs, 0, sizeof(hs));
	vpci_dev_init(&d, &id_a, rec_bar, NULL, false);
	assert_int_equal(vpci_dev_add_cap(&d, PCI_CAP_ID_VNDR, body1, 1), -EINVAL);
	assert_int_equal(vpci_dev_add_cap(&d, PCI_CAP_ID_VNDR, body1, sizeof(body1)), 0x40);
	assert_int_equal(vpci_dev_add_cap(&d, 0x05, body2, sizeof(body2)), 0x48);
	assert_int_equal(vpci_dev_add_cap_hooked(&d, PCI_CAP_ID_VNDR, body3, sizeof(body3), NULL),
			 -EINVAL);
	assert_int_equal(vpci_dev_add_cap_hooked(&d, PCI_CAP_ID_VNDR, body3, sizeof(body3),
						 &hooks), 0x4c);
	assert_int_equal(vpci_dev_add_cap(&d, PCI_CAP_ID_VNDR, big, 0x100 - 0x58 + 1), -ENOSPC);
	assert_int_equal(vpci_bus_add(&bus, &d, 12), 0);
	assert_int_equal(vpci_dev_add_cap(&d, PCI_CAP_ID_VNDR, body1, sizeof(body1)), -EBUSY);

	assert_int_equal(cf8_read(12, 6, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	/* Walk the list like a driver: IDs in order, dword aligned, terminated. */
	ptr = cf8_read(12, PCI_CAPABILITY_LIST, 1);
	while (ptr) {
		assert_true(n < 3);
		assert_int_equal(ptr % 4, 0);
		assert_true(ptr >= 0x40);
		assert_int_equal(cf8_read(12, ptr, 1), ids[n]);
		ptr = cf8_read(12, ptr + 1, 1);
		n++;
	}
	assert_int_equal(n, 3);
	/* Bodies as given (after ID and next), read-only. */
	assert_int_equal(cf8_read(12, 0x40, 4), 0x02014800 | PCI_CAP_ID_VNDR);
	assert_int_equal(cf8_read(12, 0x44, 2), 0x0403);
	ecam_write(ecam_off(0, 12, 0, 0x44), 4, 0);
	ecam_write(ecam_off(0, 12, 0, 0x41), 1, 0);
	assert_int_equal(cf8_read(12, 0x44, 2), 0x0403);
	assert_int_equal(cf8_read(12, 0x41, 1), 0x48);
	assert_int_equal(cf8_read(12, 0x4a, 1), 0x77);
	/* Hooked: the hook sees offsets inside the capability and serves them. */
	hs.reads = 0;
	assert_int_equal(cf8_read(12, 0x4e, 1), 9);
	assert_int_equal(hs.reads, 1);
	assert_int_equal(hs.off, 2);
	assert_int_equal(hs.size, 1);
	assert_int_equal(cf8_read(12, 0x4c, 4), 0xdead0000 | PCI_CAP_ID_VNDR);
	assert_int_equal(cf8_read(12, 0x4d, 1), 0);
	cf8_write(12, 0x50, 4, 0x12345678);
	assert_int_equal(hs.writes, 1);
	assert_int_equal(hs.off, 4);
	assert_int_equal(cf8_read(12, 0x50, 4), 0x12345678);
	ecam_write(ecam_off(0, 12, 0, 0x56), 2, 0xbeef);
	assert_int_equal(hs.off, 10);
	assert_int_equal(hs.size, 2);
	assert_int_equal(hs.value, 0xbeef);
	/* The capability's dword-rounded span ends at 0x58: 0x58 is no longer hooked. */
	hs.reads = 0;
	assert_int_equal(cf8_read(12, 0x58, 4), 0);
	assert_int_equal(hs.reads, 0);
	/* Hooks never see the other capabilities' or the header's accesses. */
	(void)cf8_read(12, 0x40, 4);
	(void)cf8_read(12, 0, 4);
	assert_int_equal(hs.reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_device_header, setup),
		cmocka_unit_test_setup(test_absent_and_invalid, setup),
		cmocka_unit_test_setup(test_read_only, setup),
		cmocka_unit_test_setup(test_bar_sizing, setup),
		cmocka_unit_test_setup(test_set_bar_errors, setup),
		cmocka_unit_test_setup(test_placement, setup),
		cmocka_unit_test_setup(test_decode, setup),
		cmocka_unit_test_setup(test_slot_order, setup),
		cmocka_unit_test_setup(test_caps, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
