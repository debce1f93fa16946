/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI parser on synthetic tables: exact field checks, hostile tables and
 * random mutation. With ACPI_DUMP_LOG_DIR set, test_dump_roundtrip also
 * writes qemu.log and bochs.log: fake serial logs for tools/acpi-extract,
 * whose output feeds test_acpi_real (see that file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/acpi.h>
#include "acpi_fake_mem.h"

static struct tset set, pristine;
static struct fake_mem mem;
static struct acpi_mem_ops ops;
static struct acpi_info info;

static void install(struct tset *s)
{
	fake_mem_free(&mem);
	for (int i = 0; i < s->n; i++)
		fake_mem_add(&mem, s->t[i].pa, s->t[i].buf, s->t[i].len);
	ops = fake_mem_ops(&mem);
}

static int parse(paddr_t rsdp)
{
	int ret;

	install(&set);
	ret = acpi_parse(rsdp, &ops, &info);
	fake_mem_unmap_all(&mem);
	return ret;
}

static int teardown(void **state)
{
	(void)state;
	fake_mem_free(&mem);
	return 0;
}

static void check_table(unsigned int i, const char *sig, paddr_t pa, uint32_t len, bool ok)
{
	assert_true(i < info.table_count);
	assert_string_equal(info.tables[i].signature, sig);
	assert_int_equal(info.tables[i].phys, pa);
	assert_int_equal(info.tables[i].length, len);
	assert_int_equal(info.tables[i].checksum_ok, ok);
}

static void check_cpu(unsigned int i, uint32_t id, uint32_t uid, bool en, bool oc, bool x2)
{
	assert_true(i < info.cpu_count);
	assert_int_equal(info.cpus[i].apic_id, id);
	assert_int_equal(info.cpus[i].uid, uid);
	assert_int_equal(info.cpus[i].enabled, en);
	assert_int_equal(info.cpus[i].online_capable, oc);
	assert_int_equal(info.cpus[i].x2apic_entry, x2);
}

static void test_checksum(void **state)
{
	uint8_t b[4] = { 1, 2, 3, 0xfa };

	(void)state;
	assert_true(acpi_checksum_ok(b, 4));
	assert_false(acpi_checksum_ok(b, 3));
	assert_true(acpi_checksum_ok(b, 0));
	assert_false(acpi_checksum_ok(NULL, 4));
}

static void test_v0_rsdt(void **state)
{
	(void)state;
	build_v0(&set, 2);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_int_equal(mem.warn_count, 0);
	assert_int_equal(info.rsdp, V0_RSDP);
	assert_int_equal(info.revision, 0);
	assert_string_equal(info.oem_id, "PLINTH");
	assert_false(info.xsdt_used);
	assert_int_equal(info.table_count, 4);
	check_table(0, "FACP", V0_FACP, 116, true);
	check_table(1, "DSDT", V0_DSDT, 40, true);
	check_table(2, "APIC", V0_APIC, 44 + 2 * 8 + 12 + 2 * 10 + 6, true);
	check_table(3, "HPET", V0_HPET, 56, true);

	assert_true(info.has_madt);
	assert_int_equal(info.madt_revision, 1);
	assert_int_equal(info.lapic_base, 0xfee00000);
	assert_true(info.pcat_compat);
	assert_int_equal(info.cpu_count, 2);
	check_cpu(0, 0, 0, true, false, false);
	check_cpu(1, 1, 1, true, false, false);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].id, 2);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.override_count, 2);
	assert_int_equal(info.overrides[0].source_irq, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[0].flags, 0);
	assert_int_equal(info.overrides[1].bus, 0);
	assert_int_equal(info.overrides[1].source_irq, 9);
	assert_int_equal(info.overrides[1].gsi, 9);
	assert_int_equal(info.overrides[1].flags, 0xd);

	assert_true(info.has_fadt);
	assert_int_equal(info.fadt_revision, 1);
	assert_true(info.pm_timer.present);
	assert_false(info.pm_timer.ext32);
	assert_int_equal(info.pm_timer.reg.space_id, ACPI_GAS_IO);
	assert_int_equal(info.pm_timer.reg.bit_width, 24);
	assert_int_equal(info.pm_timer.reg.access_size, 3);
	assert_int_equal(info.pm_timer.reg.address, 0xb008);
	assert_false(info.reset.supported);
	assert_int_equal(info.sci_irq, 9);
	assert_int_equal(info.fadt_flags, ACPI_FADT_RESET_REG_SUP | 1);
	assert_int_equal(info.iapc_boot_arch, 0);
	assert_int_equal(info.pm1a_cnt, 0xb004);
	assert_int_equal(info.pm1b_cnt, 0);
	assert_int_equal(info.dsdt, V0_DSDT);
	assert_int_equal(info.facs, 0x7ffe6000);
	assert_int_equal(info.mcfg_count, 0);
}

static void test_v2_xsdt(void **state)
{
	(void)state;
	build_v2(&set, 3);
	assert_int_equal(parse(V2_RSDP), 0);
	assert_int_equal(mem.warn_count, 0);
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt_used);
	assert_int_equal(info.table_count, 4);
	check_table(0, "FACP", V2_FACP, 276, true);
	check_table(1, "DSDT", V2_DSDT, 1000, true);
	check_table(2, "APIC", V2_APIC, tset_find(&set, V2_APIC)->len, true);
	check_table(3, "MCFG", V2_MCFG, 76, true);

	assert_int_equal(info.madt_revision, 5);
	assert_int_equal(info.cpu_count, 5);
	check_cpu(0, 0, 0, true, false, false);
	check_cpu(1, 1, 1, true, false, false);
	check_cpu(2, 8, 0x20, false, true, false);
	check_cpu(3, 9, 0x21, false, false, false);
	check_cpu(4, 0x100, 0x1000, true, false, true);
	assert_int_equal(info.ioapic_count, 2);
	assert_int_equal(info.ioapics[1].id, 1);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_int_equal(info.override_count, 2);

	assert_int_equal(info.fadt_revision, 6);
	assert_true(info.pm_timer.present);
	assert_true(info.pm_timer.ext32);
	assert_int_equal(info.pm_timer.reg.space_id, ACPI_GAS_IO);
	assert_int_equal(info.pm_timer.reg.bit_width, 32);
	assert_int_equal(info.pm_timer.reg.address, 0x608);
	assert_true(info.reset.supported);
	assert_int_equal(info.reset.reg.space_id, ACPI_GAS_IO);
	assert_int_equal(info.reset.reg.bit_width, 8);
	assert_int_equal(info.reset.reg.access_size, 1);
	assert_int_equal(info.reset.reg.address, 0xcf9);
	assert_int_equal(info.reset.value, 6);
	assert_int_equal(info.iapc_boot_arch, 3);
	assert_int_equal(info.pm1a_cnt, 0x604);
	assert_int_equal(info.dsdt, V2_DSDT);
	assert_int_equal(info.facs, 0x7f007000);

	assert_int_equal(info.mcfg_count, 2);
	assert_int_equal(info.mcfg[0].base, 0xb0000000);
	assert_int_equal(info.mcfg[0].segment, 0);
	assert_int_equal(info.mcfg[0].bus_start, 0);
	assert_int_equal(info.mcfg[0].bus_end, 0xff);
	assert_int_equal(info.mcfg[1].base, 0x4000000000ULL);
	assert_int_equal(info.mcfg[1].segment, 1);
	assert_int_equal(info.mcfg[1].bus_start, 0x10);
	assert_int_equal(info.mcfg[1].bus_end, 0x3f);
}

static void test_find_table(void **state)
{
	(void)state;
	build_v2(&set, 2);
	fake_put32(tset_find(&set, V2_MCFG)->buf + 44, 0x12345678); /* breaks its checksum */
	assert_int_equal(parse(V2_RSDP), 0);
	assert_non_null(acpi_find_table(&info, "APIC"));
	assert_int_equal(acpi_find_table(&info, "FACP")->phys, V2_FACP);
	assert_null(acpi_find_table(&info, "MCFG"));
	assert_null(acpi_find_table(&info, "HPET"));
	assert_null(acpi_find_table(&info, "APICX"));
	assert_null(acpi_find_table(&info, "API"));
	assert_null(acpi_find_table(NULL, "APIC"));
	assert_null(acpi_find_table(&info, NULL));
}

static void test_rsdp_bad(void **state)
{
	uint8_t *p;

	(void)state;
	build_v0(&set, 1);
	set.t[0].buf[0] = 'X';
	fake_fix_rsdp(set.t[0].buf);
	assert_int_equal(parse(V0_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "RSDP at 0xf6a40: bad signature"));

	build_v0(&set, 1);
	set.t[0].buf[9] ^= 1;
	assert_int_equal(parse(V0_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "bad checksum"));

	build_v2(&set, 1);
	p = set.t[0].buf;
	p[33] = 1; /* only the extended checksum covers this */
	assert_int_equal(parse(V2_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "bad extended checksum"));

	build_v2(&set, 1);
	set.t[0].len = 20; /* revision 2 but the tail is not readable */
	assert_int_equal(parse(V2_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "36 bytes not readable"));

	build_v0(&set, 1);
	assert_int_equal(parse(0x1234), -22);
	assert_true(fake_mem_warned(&mem, "not readable"));
	assert_int_equal(parse(UINT64_MAX - 5), -22);

	build_v0(&set, 1);
	fake_put32(set.t[0].buf + 16, 0);
	fake_fix_rsdp(set.t[0].buf);
	assert_int_equal(parse(V0_RSDP), -22);

	install(&set);
	assert_int_equal(acpi_parse(V0_RSDP, NULL, &info), -22);
	assert_int_equal(acpi_parse(V0_RSDP, &ops, NULL), -22);
}

static void test_root_bad(void **state)
{
	(void)state;
	/* A broken XSDT falls back to the RSDT (here: the decoy). */
	build_v2(&set, 2);
	tset_find(&set, V2_XSDT)->buf[40] ^= 0x40;
	assert_int_equal(parse(V2_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "XSDT at 0x7f001000: bad checksum"));
	assert_true(fake_mem_warned(&mem, "falling back"));
	assert_false(info.xsdt_used);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.cpus[0].apic_id, 0x77);

	/* ... and with no RSDT either, there is nothing to parse. */
	build_v2(&set, 2);
	tset_find(&set, V2_XSDT)->buf[0] = 'R';
	fake_put32(set.t[0].buf + 16, 0);
	fake_fix_rsdp(set.t[0].buf);
	assert_int_equal(parse(V2_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "wrong signature"));

	build_v0(&set, 1);
	tset_set_lenfield(&set, V0_RSDT, 20);
	assert_int_equal(parse(V0_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "shorter than the header"));

	build_v0(&set, 1);
	tset_set_lenfield(&set, V0_RSDT, 0xfffffff0);
	assert_int_equal(parse(V0_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "implausibly large"));

	build_v0(&set, 1);
	tset_set_lenfield(&set, V0_RSDT, 0x1000);
	assert_int_equal(parse(V0_RSDP), -22);
	assert_true(fake_mem_warned(&mem, "body not readable"));
}

static void test_table_problems(void **state)
{
	struct tbl *r;

	(void)state;
	/* Bad MADT checksum: listed, not parsed, the rest still works. */
	build_v0(&set, 2);
	tset_find(&set, V0_APIC)->buf[50] ^= 1;
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "APIC at 0x7ffe3000: bad checksum, ignored"));
	assert_int_equal(mem.warn_count, 1);
	check_table(2, "APIC", V0_APIC, tset_find(&set, V0_APIC)->len, false);
	assert_false(info.has_madt);
	assert_int_equal(info.cpu_count, 0);
	assert_true(info.has_fadt);

	/* Short, huge, unreadable, null and partial root entries. */
	build_v0(&set, 2);
	tset_set_lenfield(&set, V0_HPET, 12);
	tset_set_lenfield(&set, V0_FACP, 0xffffff00);
	r = tset_find(&set, V0_RSDT);
	fake_put32(r->buf + 44, 0);             /* null entry */
	fake_put32(r->buf + 48, 0xf0000000);    /* unreadable */
	fake_put32(r->buf + 52, V0_HPET);
	r->buf[56] = 0x11;                      /* partial entry */
	r->buf[57] = 0x22;
	tset_set_len(&set, V0_RSDT, 58);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "FACP at 0x7ffe2000: length implausibly large"));
	assert_true(fake_mem_warned(&mem, "null entry skipped"));
	assert_true(fake_mem_warned(&mem, "table at 0xf0000000: header not readable"));
	assert_true(fake_mem_warned(&mem, "HPET at 0x7ffe4000: length shorter than the header"));
	assert_true(fake_mem_warned(&mem, "partial entry ignored"));
	assert_int_equal(info.table_count, 3);
	check_table(0, "FACP", V0_FACP, 0xffffff00, false);
	check_table(1, "APIC", V0_APIC, tset_find(&set, V0_APIC)->len, true);
	check_table(2, "HPET", V0_HPET, 12, false);
	assert_false(info.has_fadt);
	assert_int_equal(info.cpu_count, 2);

	/* DSDT missing or not a DSDT. */
	build_v0(&set, 1);
	memcpy(tset_find(&set, V0_DSDT)->buf, "SSDT", 4);
	fake_sdt_fix(tset_find(&set, V0_DSDT)->buf, 40);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "SSDT at 0x7ffe5000: wrong signature"));
	check_table(1, "SSDT", V0_DSDT, 40, false);
	assert_int_equal(info.dsdt, V0_DSDT);
}

static void test_root_overflow(void **state)
{
	static uint64_t e[ACPI_MAX_ROOT_ENTRIES + 10];

	(void)state;
	build_v2(&set, 2);
	for (unsigned int i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = i < 100 ? V2_APIC : V2_MCFG;
	set.n = 0;
	put_rsdp(&set, V2_RSDP, 2, 0, 0x7e000000);
	put_root(&set, 0x7e000000, "XSDT", e, ARRAY_SIZE(e));
	build_v2(&pristine, 2);
	set.t[set.n++] = *tset_find(&pristine, V2_APIC);
	set.t[set.n++] = *tset_find(&pristine, V2_MCFG);
	assert_int_equal(parse(V2_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "more entries than ACPI_MAX_ROOT_ENTRIES"));
	assert_true(fake_mem_warned(&mem, "more than ACPI_MAX_TABLES tables"));
	assert_true(fake_mem_warned(&mem, "second MADT ignored"));
	assert_true(fake_mem_warned(&mem, "second MCFG ignored"));
	assert_int_equal(info.table_count, ACPI_MAX_TABLES);
	assert_int_equal(info.cpu_count, 4);
	assert_int_equal(info.mcfg_count, 2);
	assert_true(mem.map_calls < 3 * ACPI_MAX_ROOT_ENTRIES);
}

static void test_madt_hostile(void **state)
{
	struct madt_app a;

	(void)state;
	/* Entry length 0 would loop forever if trusted. */
	set.n = 0;
	build_v0(&set, 0);
	set.n--; set.n--; set.n--; /* drop MADT, HPET, DSDT */
	a = madt_begin(&set, V0_APIC, 3);
	madt_lapic(&a, 0, 0, 1);
	madt_lapic(&a, 1, 1, 1);
	a.b[a.len - 7] = 0;
	madt_lapic(&a, 2, 2, 1);
	madt_end(&set, V0_APIC, &a);
	put_plain(&set, V0_HPET, "HPET", 56);
	put_plain(&set, V0_DSDT, "DSDT", 40);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "entry type 0 at offset 52: length below 2"));
	assert_int_equal(info.cpu_count, 1);

	/* Past the end, too short for its type, duplicate ID, trailing byte. */
	set.n = 0;
	build_v0(&set, 0);
	set.n -= 3;
	a = madt_begin(&set, V0_APIC, 3);
	madt_lapic(&a, 0, 0, 1);
	madt_ioapic(&a, 1, 0xfec00000, 0);
	a.b[a.len - 11] = 6;             /* IOAPIC entry claims 6 bytes */
	a.len -= 6;
	madt_lapic(&a, 1, 0, 1);               /* duplicate APIC ID 0 */
	madt_x2apic(&a, 0, 7, 1);              /* duplicate again, via x2APIC */
	madt_lapic(&a, 2, 5, 1);
	a.b[a.len++] = 0x7f;              /* 1 trailing byte */
	madt_end(&set, V0_APIC, &a);
	put_plain(&set, V0_HPET, "HPET", 56);
	put_plain(&set, V0_DSDT, "DSDT", 40);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "entry type 1 at offset 52: too short for its type"));
	assert_true(fake_mem_warned(&mem, "entry type 0 at offset 58: duplicate APIC ID"));
	assert_true(fake_mem_warned(&mem, "entry type 9 at offset 66: duplicate APIC ID"));
	assert_true(fake_mem_warned(&mem, "trailing byte"));
	assert_int_equal(info.ioapic_count, 0);
	assert_int_equal(info.cpu_count, 2);
	check_cpu(0, 0, 0, true, false, false);
	check_cpu(1, 5, 2, true, false, false);

	/* Last entry runs past the end; limits on CPUs, IOAPICs, overrides. */
	set.n = 0;
	build_v0(&set, 0);
	set.n -= 3;
	a = madt_begin(&set, V0_APIC, 3);
	for (uint32_t i = 0; i < 300; i++)
		madt_x2apic(&a, i, i, 1);
	for (uint32_t i = 0; i < 20; i++)
		madt_ioapic(&a, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	for (uint32_t i = 0; i < 40; i++)
		madt_iso(&a, (uint8_t)i, i, 0);
	{
		const uint8_t e[12] = { 5, 12, 0, 0, 0, 0, 0xe0, 0xfe, 1 };

		madt_raw(&a, e, 12);
	}
	madt_lapic(&a, 0, 0x40, 1);
	a.b[a.len - 7] = 9;
	madt_end(&set, V0_APIC, &a);           /* big: covers where HPET was */
	put_plain(&set, V0_DSDT, "DSDT", 40);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "more than ACPI_MAX_CPUS"));
	assert_true(fake_mem_warned(&mem, "more than ACPI_MAX_IOAPICS"));
	assert_true(fake_mem_warned(&mem, "more than ACPI_MAX_OVERRIDES"));
	assert_true(fake_mem_warned(&mem, "runs past the end of the MADT"));
	assert_int_equal(info.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(info.cpus[255].apic_id, 255);
	assert_int_equal(info.ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(info.override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(info.lapic_base, 0x1fee00000ULL);
}

static void fadt_case(const struct fadt_cfg *f)
{
	build_v0(&set, 1);
	set.n = 0;
	put_rsdp(&set, V0_RSDP, 0, V0_RSDT, 0);
	put_root(&set, V0_RSDT, "RSDT", (const uint64_t[]){ V0_FACP }, 1);
	put_fadt(&set, V0_FACP, f);
	assert_int_equal(parse(V0_RSDP), 0);
	assert_true(info.has_fadt);
}

static void test_fadt_lengths(void **state)
{
	struct fadt_cfg f = {
		.rev = 5, .len = 268, .pm_tmr = 0xb008, .flags = ACPI_FADT_RESET_REG_SUP,
		.x_pm_tmr = { ACPI_GAS_IO, 32, 0, 3, 0x608 }, .boot_arch = 2,
		.reset = { ACPI_GAS_IO, 8, 0, 1, 0xcf9 }, .reset_val = 0xe,
		.dsdt = 0x1000, .x_dsdt = 0x2000,
	};

	(void)state;
	fadt_case(&f);
	assert_int_equal(info.pm_timer.reg.address, 0x608);
	assert_true(info.reset.supported);
	assert_int_equal(info.reset.value, 0xe);
	assert_int_equal(info.dsdt, 0x2000);
	assert_int_equal(info.iapc_boot_arch, 2);

	/* New revision, ACPI 1.0 length: only the 1.0 fields exist. */
	f.len = 116;
	fadt_case(&f);
	assert_int_equal(info.pm_timer.reg.address, 0xb008);
	assert_int_equal(info.pm_timer.reg.bit_width, 24);
	assert_false(info.reset.supported);
	assert_int_equal(info.dsdt, 0x1000);
	assert_int_equal(info.iapc_boot_arch, 2); /* revision 5 and inside 116 bytes */

	/* Reset register present but the value byte cut off. */
	f.len = 128;
	fadt_case(&f);
	assert_false(info.reset.supported);
	f.len = 129;
	fadt_case(&f);
	assert_true(info.reset.supported);

	/* Revision 2 (1.0b) has the reset register but no X_ fields. */
	f.rev = 2;
	f.len = 244;
	fadt_case(&f);
	assert_true(info.reset.supported);
	assert_int_equal(info.pm_timer.reg.address, 0xb008);
	assert_int_equal(info.dsdt, 0x1000);

	/* Unusable reset register, empty X_PM_TMR_BLK, odd space ids. */
	f.rev = 3;
	f.reset.space_id = 0x7f;
	f.x_pm_tmr.address = 0;
	f.flags |= ACPI_FADT_TMR_VAL_EXT;
	fadt_case(&f);
	assert_false(info.reset.supported);
	assert_true(fake_mem_warned(&mem, "reset register unusable"));
	assert_int_equal(info.pm_timer.reg.address, 0xb008);
	assert_int_equal(info.pm_timer.reg.bit_width, 32);
	assert_true(info.pm_timer.ext32);

	/* Hardware-reduced: no PM timer whatever the fields say. */
	f.flags |= ACPI_FADT_HW_REDUCED;
	fadt_case(&f);
	assert_false(info.pm_timer.present);

	/* Too short to even hold PM_TMR_BLK. */
	f.flags = 0;
	f.len = 60;
	fadt_case(&f);
	assert_false(info.pm_timer.present);
	assert_true(fake_mem_warned(&mem, "shorter than the ACPI 1.0 FADT"));
}

static void test_mcfg_hostile(void **state)
{
	uint8_t *t;

	(void)state;
	build_v2(&set, 2);
	t = tset_find(&set, V2_MCFG)->buf;
	t[54] = 0x20; /* start > end */
	t[55] = 0x10;
	tset_set_len(&set, V2_MCFG, 44 + 32 + 7);
	assert_int_equal(parse(V2_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "partial trailing entry"));
	assert_true(fake_mem_warned(&mem, "empty bus range"));
	assert_int_equal(info.mcfg_count, 1);
	assert_int_equal(info.mcfg[0].segment, 1);

	build_v2(&set, 2);
	tset_set_len(&set, V2_MCFG, 40);
	assert_int_equal(parse(V2_RSDP), 0);
	assert_true(fake_mem_warned(&mem, "shorter than the fixed MCFG"));
	assert_int_equal(info.mcfg_count, 0);
}

/* ---- Dump ---- */
struct lines {
	char **v;
	size_t n;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	assert_true(strlen(line) < ACPI_MSG_LEN);
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = strdup(line);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int hexval(char c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* Decodes the dump and checks every block against memory; returns block count. */
static int check_dump(const struct lines *l)
{
	int blocks = 0;

	for (size_t i = 0; i < l->n;) {
		char sig[5];
		unsigned long long pa;
		unsigned int len, got = 0;
		uint8_t *buf;

		assert_int_equal(sscanf(l->v[i], "acpidump: begin %4s 0x%llx %u", sig, &pa, &len),
				 3);
		buf = malloc(len);
		for (i++; i < l->n && strncmp(l->v[i], "acpidump: end", 13); i++) {
			const char *h = l->v[i] + 10;
			size_t n = strlen(h);

			assert_true(n % 2 == 0 && n <= 64 && got + n / 2 <= len);
			for (size_t k = 0; k < n; k += 2)
				buf[got++] = (uint8_t)(hexval(h[k]) << 4 | hexval(h[k + 1]));
		}
		assert_true(i < l->n);
		assert_string_equal(l->v[i] + 14, sig);
		assert_int_equal(got, len);
		assert_memory_equal(buf, fake_mem_find(&mem, pa, len), len);
		free(buf);
		blocks++;
		i++;
	}
	return blocks;
}

/* A fake serial log: log prefixes, CRLF line ends, unrelated lines between. */
static void write_log(const char *dir, const char *name, const struct lines *l)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Plinth booting\r\n[    0.000100] cpu0 INFO  acpi: dumping tables\r\n");
	for (size_t i = 0; i < l->n; i++) {
		if (i % 5 == 0)
			fprintf(f, "[    0.%06zu] cpu0 INFO  %s\r\n", i, l->v[i]);
		else
			fprintf(f, "%s\n", l->v[i]);
		if (i % 17 == 3)
			fprintf(f, "[    0.%06zu] cpu1 WARN  something unrelated\r\n", i);
	}
	fclose(f);
}

static void test_dump_roundtrip(void **state)
{
	const char *dir = getenv("ACPI_DUMP_LOG_DIR");
	struct lines l = { 0 };

	(void)state;
	build_v0(&set, 2);
	install(&set);
	acpi_dump(V0_RSDP, &ops, collect, &l);
	/* RSDP, RSDT, FACP, DSDT, APIC, HPET */
	assert_int_equal(check_dump(&l), 6);
	assert_string_equal(l.v[0], "acpidump: begin RSDP 0xf6a40 20");
	assert_int_equal(strlen(l.v[1]), 10 + 40);
	assert_string_equal(l.v[2], "acpidump: end RSDP");
	if (dir)
		write_log(dir, "bochs.log", &l);
	lines_free(&l);

	build_v2(&set, 4);
	install(&set);
	acpi_dump(V2_RSDP, &ops, collect, &l);
	/* RSDP, XSDT, FACP, DSDT, APIC, MCFG */
	assert_int_equal(check_dump(&l), 6);
	assert_string_equal(l.v[0], "acpidump: begin RSDP 0xe0000 36");
	assert_string_equal(l.v[1] + 10 + 64, "");
	assert_int_equal(strlen(l.v[2]), 10 + 8);
	assert_string_equal(l.v[4], "acpidump: begin XSDT 0x7f001000 60");
	if (dir)
		write_log(dir, "qemu.log", &l);
	lines_free(&l);
	assert_int_equal(mem.warn_count, 0);
}

static void test_dump_hostile(void **state)
{
	struct lines l = { 0 };

	(void)state;
	build_v0(&set, 2);
	fake_put32(tset_find(&set, V0_APIC)->buf + 4, 0x100000);
	memcpy(tset_find(&set, V0_HPET)->buf, "H\x01\xffT", 4);
	install(&set);
	acpi_dump(V0_RSDP, &ops, collect, &l);
	assert_int_equal(l.n, 3 + 4 + 6 + 4 + 1 + 4);
	assert_string_equal(l.v[l.n - 5], "acpidump: skip 0x7ffe3000 body not readable "
					  "(length runs past readable memory)");
	assert_string_equal(l.v[l.n - 4], "acpidump: begin H__T 0x7ffe4000 56");
	lines_free(&l);

	acpi_dump(0xdead, &ops, collect, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "acpidump: skip 0xdead RSDP or root table unusable");
	lines_free(&l);
	acpi_dump(V0_RSDP, &ops, NULL, NULL);
	fake_mem_unmap_all(&mem);
}

/* ---- Random mutation ---- */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static void ignore_line(void *ctx, const char *line)
{
	(*(unsigned long *)ctx) += strlen(line) ? 1 : 0;
}

static void test_fuzz(void **state)
{
	unsigned long lines = 0, ok = 0, madts = 0, warned = 0;

	(void)state;
	for (int iter = 0; iter < 6000; iter++) {
		struct tbl *t;
		paddr_t rsdp;
		int n, ret;

		if (iter % 2)
			build_v0(&pristine, 1 + iter % 5);
		else
			build_v2(&pristine, 1 + iter % 7);
		rsdp = pristine.t[0].pa;
		set.n = pristine.n;
		for (int i = 0; i < set.n; i++) {
			set.t[i].pa = pristine.t[i].pa;
			set.t[i].len = pristine.t[i].len;
			memcpy(set.t[i].buf, pristine.t[i].buf, pristine.t[i].len);
		}
		n = 1 + rnd(4);
		for (int k = 0; k < n; k++) {
			t = &set.t[rnd(set.n)];
			if (rnd(4) == 0) {
				/* A plausible-looking 32-bit value: small lengths and addresses. */
				static const uint32_t vals[] = { 0, 1, 2, 35, 36, 44, 0xff, 0xffffffff,
								 V0_APIC, V2_FACP & 0xffffffff,
								 V2_MCFG, 0x80000000 };
				uint32_t off = rnd(t->len > 4 ? t->len - 3 : 1);

				if (t->len >= 4)
					fake_put32(t->buf + off, vals[rnd(ARRAY_SIZE(vals))]);
			} else {
				t->buf[rnd(t->len)] ^= (uint8_t)(1 + rnd(255));
			}
			if (rnd(3)) {
				if (t->pa == rsdp)
					fake_fix_rsdp(t->buf);
				else if (t->len >= 36)
					fake_sdt_fix(t->buf, t->len);
			}
		}
		if (rnd(8) == 0) {
			t = &set.t[rnd(set.n)];
			t->len = 1 + rnd(t->len); /* truncate a region */
		}
		ret = parse(rsdp);
		assert_true(ret == 0 || ret == -22);
		assert_true(info.table_count <= ACPI_MAX_TABLES);
		assert_true(info.cpu_count <= ACPI_MAX_CPUS);
		assert_true(info.ioapic_count <= ACPI_MAX_IOAPICS);
		assert_true(info.override_count <= ACPI_MAX_OVERRIDES);
		assert_true(info.mcfg_count <= ACPI_MAX_MCFG);
		assert_int_equal(info.oem_id[6], 0);
		for (unsigned int i = 0; i < info.table_count; i++)
			assert_int_equal(info.tables[i].signature[4], 0);
		ok += ret == 0;
		madts += info.has_madt;
		warned += mem.warn_count > 0;
		acpi_dump(rsdp, &ops, ignore_line, &lines);
		fake_mem_unmap_all(&mem);
		fake_mem_clear_warnings(&mem);
	}
	/* The mutations must neither all be rejected early nor all be harmless. */
	assert_true(lines > 6000);
	assert_true(ok > 3000 && madts > 2000 && warned > 3000 && warned < 6000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_checksum, teardown),
		cmocka_unit_test_teardown(test_v0_rsdt, teardown),
		cmocka_unit_test_teardown(test_v2_xsdt, teardown),
		cmocka_unit_test_teardown(test_find_table, teardown),
		cmocka_unit_test_teardown(test_rsdp_bad, teardown),
		cmocka_unit_test_teardown(test_root_bad, teardown),
		cmocka_unit_test_teardown(test_table_problems, teardown),
		cmocka_unit_test_teardown(test_root_overflow, teardown),
		cmocka_unit_test_teardown(test_madt_hostile, teardown),
		cmocka_unit_test_teardown(test_fadt_lengths, teardown),
		cmocka_unit_test_teardown(test_mcfg_hostile, teardown),
		cmocka_unit_test_teardown(test_dump_roundtrip, teardown),
		cmocka_unit_test_teardown(test_dump_hostile, teardown),
		cmocka_unit_test_teardown(test_fuzz, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
