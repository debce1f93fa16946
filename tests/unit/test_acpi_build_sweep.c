/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI table builder (vmm/boot/acpi_build.c) over random configurations and
 * guest addresses: whether acpi_build accepts a config is compared with
 * the rules of acpi_build.h written out independently here, and every
 * accepted one goes through the full checks of acpi_build_check.c.
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

/* A small deterministic PRNG, so a failure reproduces from the seed. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint16_t rnd_port(void)
{
	switch (rnd() % 4) {
	case 0:
		return (uint16_t)rnd();
	case 1:
		return (uint16_t)(0xcf0 + rnd() % 16);
	case 2:
		return (uint16_t)(0xfff0 + rnd() % 16);
	default:
		return (uint16_t)(0x600 + rnd() % 24); /* overlaps are likely */
	}
}

static bool blk_overlap(uint32_t a, uint32_t al, uint32_t b, uint32_t bl)
{
	return a < b + bl && b < a + al;
}

/* The rules of acpi_build.h, written out independently. */
static bool model_valid(const struct acpi_build_config *c)
{
	uint32_t p[3] = { c->pm1a_evt_port, c->pm1a_cnt_port, c->pm_tmr_port };
	uint32_t l[3] = { 4, 2, 4 };

	if (c->vcpu_count < 1 || c->vcpu_count > 255 || c->slp_typ_s5 > 7 || c->ioapic_id > 15)
		return false;
	if (!c->ioapic_addr || c->ioapic_addr % 4096 || c->ioapic_addr == 0xfee00000u)
		return false;
	for (int i = 0; i < 3; i++) {
		if (!p[i] || p[i] + l[i] > 0x10000 || blk_overlap(p[i], l[i], 0xcf9, 1))
			return false;
		for (int j = i + 1; j < 3; j++)
			if (blk_overlap(p[i], l[i], p[j], l[j]))
				return false;
	}
	return true;
}

static void test_random_sweep(void **state)
{
	static const uint32_t ioapic_addrs[] = { 0xfec00000u, 0xfec01000u, 0, 0xfec00800u,
						 0xfee00000u, 0xfe000000u };
	unsigned int valid = 0, invalid = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (int iter = 0; iter < 3000; iter++) {
		struct acpi_build_config c;
		struct acpi_build_result r;
		struct built b;
		uint64_t gpa;
		bool ok;
		int ret;

		memset(&c, 0, sizeof(c));
		c.vcpu_count = (unsigned int)(rnd() % 8 ? 1 + rnd() % 255 : rnd() % 300);
		c.pm1a_evt_port = rnd_port();
		c.pm1a_cnt_port = rnd_port();
		c.pm_tmr_port = rnd_port();
		c.ioapic_id = (uint8_t)(rnd() % 18);
		c.ioapic_addr = ioapic_addrs[rnd() % 6];
		c.slp_typ_s5 = (uint8_t)(rnd() % 9);
		c.has_8042 = rnd() & 1;
		c.has_vga = rnd() & 1;
		c.has_cmos_rtc = rnd() & 1;
		switch (rnd() % 4) {
		case 0:
			gpa = 0xe0000 + rnd() % 0x1f000;
			break;
		case 1:
			gpa = rnd() % (LIMIT_4G - 0x10000);
			break;
		case 2:
			gpa = LIMIT_4G + rnd() % 0x10000;
			break;
		default:
			gpa = (rnd() % 0x1000) * 4096;
			break;
		}
		ok = model_valid(&c) && gpa < LIMIT_4G;
		ret = acpi_build(&c, NULL, 0, gpa, &r);
		if (!ok) {
			assert_int_equal(ret, -EINVAL);
			invalid++;
			continue;
		}
		assert_int_equal(ret, -ENOSPC);
		valid++;
		assert_int_equal(build(&c, gpa, &b), 0);
		verify(&c, &b);
		/* One byte short fails without touching the buffer. */
		memset(b.buf, CANARY, b.size);
		assert_int_equal(acpi_build(&c, b.buf, b.size - 1, gpa, &r), -ENOSPC);
		canary_check(b.buf, 0, b.size);
		built_free(&b);
	}
	/* Both outcomes must actually have been exercised. */
	assert_true(valid > 300);
	assert_true(invalid > 300);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_random_sweep, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
