/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI root bridge's ACPI description (vmm/boot/acpi_pci.c, the AML
 * writer vmm/boot/aml.c, the MCFG in vmm/boot/acpi_build.c). Encodings are
 * checked byte by byte, and the whole DSDT is disassembled with ACPICA's
 * iasl, the parser family Linux uses, which must accept it without errors
 * and show the windows and routes we put in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/acpi_build.h>
#include <vmm/acpi_pci.h>
#include <vmm/aml.h>

static void test_pkglength_forms(void **state)
{
	/* Body lengths around each boundary of the 1/2/3-byte forms. */
	static const struct {
		size_t body;
		unsigned int enc_len;
	} cases[] = { { 0, 1 }, { 62, 1 }, { 63, 2 }, { 4093, 2 }, { 4094, 3 }, { 70000, 3 } };
	static uint8_t buf[80000];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml a;
		size_t mark, total;

		aml_init(&a, buf, sizeof(buf));
		mark = a.len;
		for (size_t j = 0; j < cases[i].body; j++)
			aml_byte(&a, (uint8_t)j);
		aml_end(&a, mark);
		assert_false(a.overflow);
		assert_int_equal(a.len, cases[i].body + cases[i].enc_len);
		total = cases[i].body + cases[i].enc_len;
		assert_int_equal(buf[0] >> 6, cases[i].enc_len - 1);
		if (cases[i].enc_len == 1) {
			assert_int_equal(buf[0], total);
		} else {
			size_t dec = buf[0] & 0xf;

			for (unsigned int k = 1; k < cases[i].enc_len; k++)
				dec |= (size_t)buf[k] << (4 + 8 * (k - 1));
			assert_int_equal(dec, total);
		}
		/* The body moved up intact. */
		assert_int_equal(buf[cases[i].enc_len + (cases[i].body ? cases[i].body - 1 : 0)],
				 cases[i].body ? (uint8_t)(cases[i].body - 1) : buf[cases[i].enc_len]);
	}
}

static void test_integers_and_ids(void **state)
{
	static const uint8_t want[] = { 0x00, 0x01, 0x0a, 0x02, 0x0b, 0x00, 0x01,
					0x0c, 0x00, 0x00, 0x01, 0x00,
					0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
					0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	uint8_t buf[64];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_int(&a, 0);
	aml_int(&a, 1);
	aml_int(&a, 2);
	aml_int(&a, 0x100);
	aml_int(&a, 0x10000);
	aml_int(&a, 0x100000000ULL);
	aml_eisaid(&a, "PNP0A03");
	assert_int_equal(a.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_overflow_sizes(void **state)
{
	uint8_t small[16];
	struct aml a;
	size_t need;

	(void)state;
	static const struct acpi_pci_config pci = { .ecam_base = 0xe0000000, .io_min = 0xc000,
						    .io_max = 0xffff, .mem_min = 0xc0000000,
						    .mem_max = 0xdfffffff, .route_count = 1,
						    .routes = { { 1, 0, 17 } } };
	need = acpi_pci_dsdt_aml(&pci, NULL, 0);
	assert_true(need > 100);
	/* A short buffer is never written past, and the size asked is the same. */
	memset(small, 0xaa, sizeof(small));
	assert_int_equal(acpi_pci_dsdt_aml(&pci, small, 8), need);
	for (size_t i = 8; i < sizeof(small); i++)
		assert_int_equal(small[i], 0xaa);
	aml_init(&a, NULL, 0);
	aml_int(&a, 5);
	assert_int_equal(a.len, 2);
}

static const struct acpi_pci_config test_pci = {
	.ecam_base = 0xe0000000,
	.bus_end = 0,
	.io_min = 0xc000,
	.io_max = 0xffff,
	.mem_min = 0xc0000000,
	.mem_max = 0xdfffffff,
	.route_count = 3,
	.routes = { { 1, 0, 17 }, { 2, 0, 18 }, { 3, 0, 19 } },
};

static uint8_t tables[16384];

static const uint8_t *find_root(const uint8_t *base, uint64_t base_gpa, const char *sig)
{
	const uint8_t *rsdp = base, *xsdt;
	uint32_t len;

	xsdt = base + (get_le64(rsdp + 24) - base_gpa);
	len = get_le32(xsdt + 4);
	for (uint32_t off = 36; off + 8 <= len; off += 8) {
		const uint8_t *t = base + (get_le64(xsdt + off) - base_gpa);

		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void test_mcfg_and_roots(void **state)
{
	struct acpi_build_config c;
	struct acpi_build_result r;
	const uint8_t *mcfg, *fadt, *rsdt;

	(void)state;
	acpi_build_config_default(&c, 2);
	c.pci = &test_pci;
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), 0);
	assert_int_equal(r.rsdp_gpa, 0xe0000);
	mcfg = find_root(tables, 0xe0000, "MCFG");
	assert_non_null(mcfg);
	assert_int_equal(get_le32(mcfg + 4), 60);
	assert_int_equal(sum(mcfg, 60), 0);
	assert_int_equal(get_le64(mcfg + 44), 0xe0000000);
	assert_int_equal(get_le16(mcfg + 52), 0);
	assert_int_equal(mcfg[54], 0);
	assert_int_equal(mcfg[55], 0);
	fadt = find_root(tables, 0xe0000, "FACP");
	assert_non_null(fadt);
	assert_non_null(find_root(tables, 0xe0000, "APIC"));
	/* The RSDT lists the same three tables for ACPI 1.0 readers. */
	rsdt = tables + (get_le32(tables + 16) - 0xe0000);
	assert_int_equal(get_le32(rsdt + 4), 36 + 12);
	assert_int_equal(sum(rsdt, 48), 0);
	assert_int_equal(get_le32(rsdt + 44), (uint32_t)(mcfg - tables) + 0xe0000);

	/* Without a bus there is no MCFG and the DSDT is just \_S5_. */
	c.pci = NULL;
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), 0);
	assert_null(find_root(tables, 0xe0000, "MCFG"));
}

static void test_bad_pci_config(void **state)
{
	struct acpi_build_config c;
	struct acpi_build_result r;
	struct acpi_pci_config bad = test_pci;

	(void)state;
	acpi_build_config_default(&c, 1);
	c.pci = &bad;
	bad.ecam_base = 0xe0001000; /* not 1 MiB aligned */
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), -EINVAL);
	bad = test_pci;
	bad.io_min = 0xd000, bad.io_max = 0xc000;
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), -EINVAL);
	bad = test_pci;
	bad.routes[0].pin = 4;
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), -EINVAL);
	bad = test_pci;
	bad.ecam_base = 0xfff00000, bad.bus_end = 1; /* runs past 4 GiB */
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), -EINVAL);
}

static char dsl[65536];

static bool has(const char *needle)
{
	if (strstr(dsl, needle))
		return true;
	fprintf(stderr, "disassembly lacks \"%s\" in:\n%s\n", needle, dsl);
	return false;
}

/* ACPICA's own disassembler reads the DSDT as Linux's interpreter would. */
static void test_iasl_accepts_dsdt(void **state)
{
	char dir[] = "/tmp/plinth-aml-XXXXXX", cmd[512], path[300];
	struct acpi_build_config c;
	struct acpi_build_result r;
	const uint8_t *fadt, *dsdt;
	FILE *f;
	size_t n;
	int rc;

	(void)state;
	acpi_build_config_default(&c, 2);
	c.pci = &test_pci;
	assert_int_equal(acpi_build(&c, tables, sizeof(tables), 0xe0000, &r), 0);
	fadt = find_root(tables, 0xe0000, "FACP");
	dsdt = tables + (get_le64(fadt + 140) - 0xe0000);
	assert_memory_equal(dsdt, "DSDT", 4);
	assert_int_equal(sum(dsdt, get_le32(dsdt + 4)), 0);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.dat", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(dsdt, 1, get_le32(dsdt + 4), f), get_le32(dsdt + 4));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.dat > iasl.log 2>&1", dir);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/iasl.log >&2", dir);
		(void)!system(cmd);
	}
	assert_int_equal(rc, 0);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(dsl, 1, sizeof(dsl) - 1, f);
	fclose(f);
	dsl[n] = 0;
	assert_true(has("Name (\\_S5, Package (0x04)"));
	assert_true(has("Device (PCI0)"));
	assert_true(has("EisaId (\"PNP0A08\")"));
	assert_true(has("EisaId (\"PNP0A03\")"));
	assert_true(has("EisaId (\"PNP0C02\")"));
	assert_true(has("WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode"));
	assert_true(has("0x0CF8,"));
	assert_true(has("WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange"));
	assert_true(has("0xC000"));
	assert_true(has("DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite"));
	assert_true(has("0xDFFFFFFF"));
	assert_true(has("Memory32Fixed (ReadWrite"));
	assert_true(has("0xE0000000"));
	assert_true(has("0x0002FFFF"));
	assert_true(has("0x13"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglength_forms),
		cmocka_unit_test(test_integers_and_ids),
		cmocka_unit_test(test_overflow_sizes),
		cmocka_unit_test(test_mcfg_and_roots),
		cmocka_unit_test(test_bad_pci_config),
		cmocka_unit_test(test_iasl_accepts_dsdt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
