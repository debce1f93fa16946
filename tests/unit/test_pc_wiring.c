/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform's wiring: the 0xcf8-0xcff decoder, the IRQ routing table
 * against the I/O APIC and against the MADT the guests are given, the ELCR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <vmm/acpi_build.h>
#include <vmm/dev/ioapic.h>
#include <vmm/dev/pci_host.h>
#include <vmm/dev/reset_ctl.h>
#include <vmm/pc_wiring.h>

#define BUF_GPA 0xe0000ULL
#define MADT_ENTRIES 44
#define MADT_TYPE_ISO 2
#define INTI_POLARITY_HIGH 0x1
#define INTI_POLARITY_LOW 0x3
#define INTI_TRIGGER_EDGE 0x4
#define INTI_TRIGGER_LEVEL 0xc

static void test_cf8_decode(void **state)
{
	(void)state;
	/* The chipset's split: dword 0xcf8 is CONFIG_ADDRESS, byte 0xcf9 is reset control. */
	assert_int_equal(pc_cf8_decode(PCI_CONFIG_ADDRESS_PORT, 4), PC_CF8_PCI);
	assert_int_equal(pc_cf8_decode(RESET_CTL_CF9_PORT, 1), PC_CF8_RESET);
	/* Every width inside the data window is PCI (the host model checks alignment). */
	for (uint16_t port = PCI_CONFIG_DATA_PORT; port < PCI_CONFIG_DATA_PORT + 4; port++)
		for (unsigned int size = 1; size <= 4; size *= 2)
			assert_int_equal(pc_cf8_decode(port, size), PC_CF8_PCI);
	/* Anything else at 0xcf8-0xcfb reaches no device. */
	assert_int_equal(pc_cf8_decode(0xcf8, 1), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcf8, 2), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcf9, 2), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcf9, 4), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcfa, 1), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcfa, 2), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcfb, 1), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xcf7, 4), PC_CF8_NONE);
	assert_int_equal(pc_cf8_decode(0xd00, 1), PC_CF8_NONE);
}

static void test_routes(void **state)
{
	uint32_t gsis = 0;

	(void)state;
	assert_int_equal(pc_irq_routes[PC_IRQ_PIT].gsi, 2);
	assert_int_equal(pc_irq_routes[PC_IRQ_KBD].gsi, 1);
	assert_int_equal(pc_irq_routes[PC_IRQ_COM1].gsi, 4);
	assert_int_equal(pc_irq_routes[PC_IRQ_RTC].gsi, 8);
	assert_int_equal(pc_irq_routes[PC_IRQ_SCI].gsi, 9);
	assert_int_equal(pc_irq_routes[PC_IRQ_AUX].gsi, 12);
	for (unsigned int i = 0; i < PC_IRQ_COUNT; i++) {
		const struct pc_irq_route *r = &pc_irq_routes[i];

		assert_non_null(r->name);
		assert_true(r->isa_irq < PC_ISA_IRQS);
		assert_true(r->gsi < IOAPIC_PINS);
		assert_int_equal(pc_isa_irq_to_gsi(r->isa_irq), r->gsi);
		/* No two sources share a pin, and none sits on the cascade's. */
		assert_false(gsis & (1u << r->gsi));
		gsis |= 1u << r->gsi;
		assert_int_not_equal(r->isa_irq, PC_ISA_IRQ_CASCADE);
		assert_int_equal(r->level, i == PC_IRQ_SCI);
	}
	for (unsigned int irq = 1; irq < PC_ISA_IRQS; irq++)
		assert_int_equal(pc_isa_irq_to_gsi(irq), irq);
}

static void test_elcr(void **state)
{
	(void)state;
	assert_int_equal(pc_elcr_power_on(), 1u << ACPI_SCI_IRQ);
	/* IRQs 0, 1, 2, 8 and 13 are edge only. */
	assert_int_equal(PC_ELCR_WRITABLE & 0x2107, 0);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The MADT the guests get must say what pc_irq_routes does. */
static void test_madt_agrees(void **state)
{
	struct acpi_build_config c;
	struct acpi_build_result r;
	const uint8_t *madt = NULL, *xsdt;
	uint8_t *buf;
	unsigned int isos = 0;

	(void)state;
	acpi_build_config_default(&c, 2);
	assert_int_equal(acpi_build(&c, NULL, 0, BUF_GPA, &r), -ENOSPC);
	buf = calloc(1, r.size);
	assert_non_null(buf);
	assert_int_equal(acpi_build(&c, buf, r.size, BUF_GPA, &r), 0);
	xsdt = buf + (rd64(buf + (r.rsdp_gpa - BUF_GPA) + 24) - BUF_GPA);
	for (uint32_t off = 36; off < rd32(xsdt + 4); off += 8) {
		const uint8_t *t = buf + (rd64(xsdt + off) - BUF_GPA);

		if (!memcmp(t, "APIC", 4))
			madt = t;
	}
	assert_non_null(madt);
	for (uint32_t off = MADT_ENTRIES; off + 2 <= rd32(madt + 4); off += madt[off + 1]) {
		const uint8_t *e = madt + off;
		uint16_t flags;
		bool found = false;

		assert_true(e[1] >= 2);
		if (e[0] != MADT_TYPE_ISO)
			continue;
		isos++;
		flags = (uint16_t)(e[8] | e[9] << 8);
		for (unsigned int i = 0; i < PC_IRQ_COUNT; i++) {
			const struct pc_irq_route *rt = &pc_irq_routes[i];

			if (rt->isa_irq != e[3])
				continue;
			found = true;
			assert_int_equal(rd32(e + 4), rt->gsi);
			assert_int_equal(flags & 3, INTI_POLARITY_HIGH);
			assert_int_equal(flags & 0xc, rt->level ? INTI_TRIGGER_LEVEL : INTI_TRIGGER_EDGE);
		}
		assert_true(found);
	}
	/* Every route that is not the identity edge default needs its override. */
	unsigned int needed = 0;

	for (unsigned int i = 0; i < PC_IRQ_COUNT; i++)
		needed += pc_irq_routes[i].gsi != pc_irq_routes[i].isa_irq || pc_irq_routes[i].level;
	assert_int_equal(isos, needed);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cf8_decode),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_elcr),
		cmocka_unit_test(test_madt_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
