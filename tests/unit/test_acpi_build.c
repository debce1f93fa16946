/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI table builder (vmm/boot/acpi_build.c): fixed configurations, buffer
 * sizes and bad arguments. What is checked for every built table set is in
 * acpi_build_check.c; test_acpi_build_sweep.c varies the config at random.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include "acpi_build_check.h"

static void test_defaults(void **state)
{
	struct acpi_build_config c;

	(void)state;
	acpi_build_config_default(&c, 2);
	assert_int_equal(c.vcpu_count, 2);
	assert_int_equal(c.pm1a_evt_port, 0x600);
	assert_int_equal(c.pm1a_cnt_port, 0x604);
	assert_int_equal(c.pm_tmr_port, 0x608);
	assert_int_equal(c.ioapic_addr, 0xfec00000u);
	assert_int_equal(c.slp_typ_s5, 5);
	build_verify(&c, 0xe0000);
}

/* MADT CPU count and APIC IDs for the sizes that matter, and the largest. */
static void test_vcpu_counts(void **state)
{
	static const unsigned int counts[] = { 1, 2, 64, 255 };
	struct acpi_build_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		acpi_build_config_default(&c, counts[i]);
		build_verify(&c, 0xe0000);
		assert_int_equal(parsed.cpu_count, counts[i]);
		build_verify(&c, 0x9f000);
	}
}

/* The exact \_S5_ bytes, for every SLP_TYP value. */
static void test_dsdt_bytes(void **state)
{
	static const uint8_t s5[] = { 0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08,
				      0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	struct acpi_build_config c;
	struct built b;
	const uint8_t *fadt, *dsdt;

	(void)state;
	acpi_build_config_default(&c, 1);
	for (unsigned int typ = 0; typ < 8; typ++) {
		uint8_t want[sizeof(s5)];

		c.slp_typ_s5 = (uint8_t)typ;
		assert_int_equal(build(&c, 0x80000, &b), 0);
		/* RSDP -> XSDT entry 0 -> FADT -> X_DSDT */
		fadt = at(&b, rd64(at(&b, b.r.rsdp_gpa, 36) + 24) + 36, 8);
		fadt = at(&b, rd64(fadt), 276);
		dsdt = at(&b, rd64(fadt + 140), SPEC_DSDT);
		memcpy(want, s5, sizeof(s5));
		want[10] = want[12] = (uint8_t)typ;
		assert_memory_equal(dsdt + 36, want, sizeof(want));
		verify(&c, &b);
		built_free(&b);
	}
}

/* The same tables through the RSDT, as an ACPI 1.0 reader would see them. */
static void test_rsdt_path(void **state)
{
	struct acpi_build_config c;
	struct built b;
	uint8_t *copy, *rsdp;
	const uint8_t *rsdt;

	(void)state;
	acpi_build_config_default(&c, 64);
	assert_int_equal(build(&c, 0xe0000, &b), 0);
	copy = malloc(b.size);
	assert_non_null(copy);
	memcpy(copy, b.buf, b.size);
	rsdp = copy + (b.r.rsdp_gpa - b.gpa);
	memset(rsdp + 24, 0, 8);
	rsdp[8] = 0;
	rsdp[8] = (uint8_t)-sum8(rsdp, 20);
	rsdp[32] = 0;
	rsdp[32] = (uint8_t)-sum8(rsdp, 36);
	parse(&b, b.r.rsdp_gpa, copy);
	assert_false(parsed.xsdt_used);
	rsdt = at(&b, rd32(rsdp + 16), 44);
	check_parsed(&c, rd64(at(&b, rd32(rsdt + 36), 276) + 140),
		     rd32(at(&b, rd32(rsdt + 36), 276) + 36));
	free(copy);
	built_free(&b);
}

/* Any buf_gpa alignment: the RSDP and FACS still land on their boundaries. */
static void test_alignment(void **state)
{
	struct acpi_build_config c;

	(void)state;
	acpi_build_config_default(&c, 3);
	for (uint64_t k = 0; k < 130; k++)
		build_verify(&c, 0xe0000 + k);
	build_verify(&c, 0);
}

/* The output depends only on the arguments, not on what buf held. */
static void test_deterministic(void **state)
{
	struct acpi_build_config c;
	struct acpi_build_result r1, r2;
	struct built b;
	uint8_t *x;

	(void)state;
	acpi_build_config_default(&c, 17);
	assert_int_equal(build(&c, 0x7000, &b), 0);
	x = malloc(b.size);
	assert_non_null(x);
	memset(x, 0xff, b.size);
	assert_int_equal(acpi_build(&c, x, b.size, 0x7000, &r1), 0);
	assert_memory_equal(x, b.buf, b.size);
	memset(x, 0, b.size);
	assert_int_equal(acpi_build(&c, x, b.size, 0x7000, &r2), 0);
	assert_memory_equal(x, b.buf, b.size);
	assert_int_equal(r1.rsdp_gpa, r2.rsdp_gpa);
	free(x);
	built_free(&b);
}

/*
 * Every size below the need fails with -ENOSPC, says what is needed and
 * writes nothing at all; the exact size works and leaves the bytes after
 * it alone. Each buffer is also an exact-size allocation, for ASan.
 */
static void test_enospc(void **state)
{
	static const unsigned int counts[] = { 1, 2, 64, 255 };
	static const uint64_t gpas[] = { 0xe0000, 0xe0009 };
	struct acpi_build_config c;
	struct acpi_build_result r, q;
	uint8_t *big, *exact;

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		for (size_t g = 0; g < sizeof(gpas) / sizeof(gpas[0]); g++) {
			size_t need;

			acpi_build_config_default(&c, counts[i]);
			assert_int_equal(acpi_build(&c, NULL, 0, gpas[g], &q), -ENOSPC);
			need = q.size;
			big = malloc(need + CANARY_LEN);
			assert_non_null(big);
			for (size_t size = 0; size < need; size++) {
				memset(big, CANARY, size + CANARY_LEN);
				memset(&r, 0xcc, sizeof(r));
				assert_int_equal(acpi_build(&c, big, size, gpas[g], &r), -ENOSPC);
				assert_int_equal(r.size, need);
				canary_check(big, 0, size + CANARY_LEN);

				exact = malloc(size ? size : 1);
				assert_non_null(exact);
				assert_int_equal(acpi_build(&c, exact, size, gpas[g], &r),
						 -ENOSPC);
				free(exact);
			}
			memset(big, CANARY, need + CANARY_LEN);
			assert_int_equal(acpi_build(&c, big, need, gpas[g], &r), 0);
			assert_int_equal(r.size, need);
			canary_check(big, need, need + CANARY_LEN);
			/* A larger buffer: same need, tail untouched. */
			memset(big, CANARY, need + CANARY_LEN);
			assert_int_equal(acpi_build(&c, big, need + CANARY_LEN / 2, gpas[g], &r), 0);
			assert_int_equal(r.size, need);
			canary_check(big, need, need + CANARY_LEN);
			free(big);
		}
	}
}

/* -EINVAL for each bad argument, with the buffer left untouched. */
static void expect_inval(const struct acpi_build_config *c, uint64_t gpa)
{
	static uint8_t buf[4096 + CANARY_LEN];
	struct acpi_build_result r;

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(acpi_build(c, buf, 4096, gpa, &r), -EINVAL);
	canary_check(buf, 0, sizeof(buf));
	assert_int_equal(acpi_build(c, NULL, 0, gpa, &r), -EINVAL);
}

/* d with one field changed must be refused. */
#define BAD(change)                                   \
	do {                                          \
		c = d;                                \
		change;                               \
		expect_inval(&c, 0xe0000);            \
	} while (0)

static void test_bad_config(void **state)
{
	struct acpi_build_config d, c;
	struct acpi_build_result r;
	uint8_t buf[64];
	size_t need;
	uint64_t x;

	(void)state;
	acpi_build_config_default(&d, 4);
	assert_int_equal(acpi_build(NULL, buf, sizeof(buf), 0xe0000, &r), -EINVAL);
	assert_int_equal(acpi_build(&d, buf, sizeof(buf), 0xe0000, NULL), -EINVAL);
	assert_int_equal(acpi_build(&d, NULL, 4096, 0xe0000, &r), -EINVAL);

	BAD(c.vcpu_count = 0);
	BAD(c.vcpu_count = 256);
	BAD(c.vcpu_count = UINT_MAX);
	BAD(c.slp_typ_s5 = 8);
	BAD(c.slp_typ_s5 = 0xff);
	BAD(c.pm1a_evt_port = 0);
	BAD(c.pm1a_cnt_port = 0);
	BAD(c.pm_tmr_port = 0);
	/* Blocks running past the top of I/O space. */
	BAD(c.pm_tmr_port = 0xfffd);
	BAD(c.pm1a_cnt_port = 0xffff);
	BAD(c.pm1a_evt_port = 0xfffd);
	/* Overlaps between the blocks, by one port. */
	BAD(c.pm1a_cnt_port = 0x603);
	BAD(c.pm_tmr_port = 0x605);
	BAD(c.pm_tmr_port = 0x5fd);
	BAD(c.pm_tmr_port = c.pm1a_evt_port);
	/* Over the reset port. */
	BAD(c.pm_tmr_port = 0xcf6);
	BAD(c.pm1a_cnt_port = 0xcf9);
	BAD(c.pm1a_evt_port = 0xcf8);
	BAD(c.ioapic_id = 16);
	BAD(c.ioapic_addr = 0);
	BAD(c.ioapic_addr = 0xfec00400);
	BAD(c.ioapic_addr = 0xfee00000);
	expect_inval(&d, LIMIT_4G);
	expect_inval(&d, UINT64_MAX);
	expect_inval(&d, UINT64_MAX - 15);

	/* Boundaries that are fine. */
	c = d;
	c.pm_tmr_port = 0xfffc;
	c.pm1a_cnt_port = 0xfffa;
	c.pm1a_evt_port = 0xfff6;
	build_verify(&c, 0xe0000);
	c = d;
	c.pm_tmr_port = 0xcf5;
	c.pm1a_cnt_port = 0xcfa;
	c.pm1a_evt_port = 0x1;
	build_verify(&c, 0xe0000);
	c = d;
	c.ioapic_id = 15;
	c.ioapic_addr = 0xfec01000;
	c.slp_typ_s5 = 7;
	build_verify(&c, 0xe0000);

	/* The tables must end at or below 4 GiB, to the byte. */
	assert_int_equal(acpi_build(&d, NULL, 0, 0, &r), -ENOSPC);
	need = r.size;
	x = (need + 63) & ~(uint64_t)63;
	build_verify(&d, LIMIT_4G - x);
	expect_inval(&d, LIMIT_4G - x + 64);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_vcpu_counts, teardown),
		cmocka_unit_test_teardown(test_dsdt_bytes, teardown),
		cmocka_unit_test_teardown(test_rsdt_path, teardown),
		cmocka_unit_test_teardown(test_alignment, teardown),
		cmocka_unit_test_teardown(test_deterministic, teardown),
		cmocka_unit_test_teardown(test_enospc, teardown),
		cmocka_unit_test_teardown(test_bad_config, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
