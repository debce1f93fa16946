/* SPDX-License-Identifier: GPL-2.0 */
/* Shared checks of the ACPI builder tests (acpi_build_check.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include "acpi_build_check.h"

static struct fake_mem mem;
struct acpi_info parsed;

/* Pointer to len bytes at guest address gpa, which must lie inside the buffer. */
const uint8_t *at(const struct built *b, uint64_t gpa, size_t len)
{
	assert_true(gpa >= b->gpa);
	assert_true(gpa - b->gpa <= b->size);
	assert_true(len <= b->size - (gpa - b->gpa));
	return b->buf + (gpa - b->gpa);
}

int build(const struct acpi_build_config *c, uint64_t gpa, struct built *b)
{
	struct acpi_build_result q;
	int ret;

	memset(b, 0, sizeof(*b));
	b->gpa = gpa;
	ret = acpi_build(c, NULL, 0, gpa, &q);
	if (ret != -ENOSPC)
		return ret;
	/* Exactly the size asked for: ASan catches any write past it. */
	b->size = q.size;
	b->buf = malloc(b->size);
	assert_non_null(b->buf);
	memset(b->buf, 0xee, b->size);
	ret = acpi_build(c, b->buf, b->size, gpa, &b->r);
	if (!ret)
		assert_int_equal(b->r.size, q.size);
	return ret;
}

void built_free(struct built *b)
{
	free(b->buf);
	b->buf = NULL;
}

void parse(const struct built *b, uint64_t rsdp, const uint8_t *bytes)
{
	struct acpi_mem_ops ops;

	fake_mem_free(&mem);
	fake_mem_add(&mem, b->gpa, bytes, b->size);
	ops = fake_mem_ops(&mem);
	mem.print_warnings = 1;
	assert_int_equal(acpi_parse(rsdp, &ops, &parsed), 0);
	fake_mem_unmap_all(&mem);
	/* The parser complains about anything odd; the builder must give it nothing. */
	assert_int_equal(mem.warn_count, 0);
}

/* A system description table: in the buffer, checksum, header fields. */
static const uint8_t *check_sdt(const struct built *b, uint64_t gpa, const char *sig,
				uint32_t len, uint8_t rev)
{
	const uint8_t *t = at(b, gpa, 36);

	assert_memory_equal(t, sig, 4);
	assert_int_equal(rd32(t + 4), len);
	t = at(b, gpa, len);
	assert_int_equal(t[8], rev);
	assert_int_equal(sum8(t, len), 0);
	assert_memory_equal(t + 10, "PLINTH", 6);
	assert_true(gpa % 8 == 0);
	return t;
}

static void check_gas(const uint8_t *g, uint8_t space, uint8_t width, uint8_t access,
		      uint64_t addr)
{
	assert_int_equal(g[0], space);
	assert_int_equal(g[1], width);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], access);
	assert_int_equal(rd64(g + 4), addr);
}

/*
 * Decodes the DSDT body as AML on its own: Name(\_S5_, Package(){...})
 * with a general PkgLength decoder, so a wrong length byte shows up as a
 * package that does not end where the table does.
 */
static void check_aml_s5(const uint8_t *t, uint32_t len, uint8_t slp_typ)
{
	static const uint8_t name[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12 };
	const uint8_t *p = t + 36, *end = t + len, *pkg_end;
	uint32_t pkglen;
	unsigned int follow, n;
	uint64_t v[4];

	assert_true(end - p >= (ptrdiff_t)sizeof(name) + 2);
	assert_memory_equal(p, name, sizeof(name));
	p += sizeof(name);
	follow = p[0] >> 6;
	if (follow == 0) {
		pkglen = p[0] & 0x3f;
	} else {
		pkglen = p[0] & 0x0f;
		for (unsigned int i = 1; i <= follow; i++)
			pkglen |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	}
	pkg_end = p + pkglen;
	assert_ptr_equal(pkg_end, end);
	p += 1 + follow;
	n = *p++;
	assert_int_equal(n, 4);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(p < pkg_end);
		switch (*p) {
		case 0x00: /* ZeroOp */
			v[i] = 0;
			p++;
			break;
		case 0x01: /* OneOp */
			v[i] = 1;
			p++;
			break;
		case 0x0a: /* BytePrefix */
			v[i] = p[1];
			p += 2;
			break;
		case 0x0b: /* WordPrefix */
			v[i] = rd16(p + 1);
			p += 3;
			break;
		default:
			fail_msg("unexpected AML opcode %#x in \\_S5_", *p);
		}
	}
	assert_ptr_equal(p, pkg_end);
	assert_int_equal(v[0], slp_typ);
	assert_int_equal(v[1], slp_typ);
	assert_int_equal(v[2], 0);
	assert_int_equal(v[3], 0);
}

static void check_madt_raw(const uint8_t *t, const struct acpi_build_config *c)
{
	uint32_t len = rd32(t + 4), off = 44;
	unsigned int lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	assert_int_equal(len, SPEC_MADT(c->vcpu_count));
	assert_int_equal(rd32(t + 36), 0xfee00000u);
	assert_int_equal(rd32(t + 40), 1); /* PCAT_COMPAT */
	while (off < len) {
		const uint8_t *e = t + off;

		assert_true(len - off >= 2);
		assert_true(e[1] >= 2 && e[1] <= len - off);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], lapics);	/* UID */
			assert_int_equal(e[3], lapics);	/* APIC ID */
			assert_int_equal(rd32(e + 4), 1);
			lapics++;
			break;
		case 1:
			assert_int_equal(e[1], 12);
			assert_int_equal(e[2], c->ioapic_id);
			assert_int_equal(e[3], 0);
			assert_int_equal(rd32(e + 4), c->ioapic_addr);
			assert_int_equal(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);
			isos++;
			break;
		case 4:
			assert_int_equal(e[1], 6);
			assert_int_equal(e[2], 0xff);		/* all processors */
			assert_int_equal(rd16(e + 3), 0x5);	/* edge, active high */
			assert_int_equal(e[5], 1);		/* LINT1 */
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(off, len);
	assert_int_equal(lapics, c->vcpu_count);
	assert_int_equal(ioapics, 1);
	assert_int_equal(isos, 2);
	assert_int_equal(nmis, 1);
}

static void check_fadt_raw(const struct built *b, const uint8_t *t,
			   const struct acpi_build_config *c)
{
	uint64_t dsdt = rd64(t + 140), facs = rd32(t + 36);
	const uint8_t *f;

	assert_int_equal(rd32(t + 40), dsdt);		/* DSDT == X_DSDT */
	assert_int_equal(rd64(t + 132), 0);		/* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
	assert_int_equal(rd16(t + 46), 9);		/* SCI_INT */
	assert_int_equal(rd32(t + 48), 0);		/* SMI_CMD */
	assert_int_equal(t[52], 0);			/* ACPI_ENABLE */
	assert_int_equal(t[53], 0);			/* ACPI_DISABLE */
	assert_int_equal(rd32(t + 56), c->pm1a_evt_port);
	assert_int_equal(rd32(t + 60), 0);		/* PM1b_EVT */
	assert_int_equal(rd32(t + 64), c->pm1a_cnt_port);
	assert_int_equal(rd32(t + 68), 0);		/* PM1b_CNT */
	assert_int_equal(rd32(t + 72), 0);		/* PM2_CNT */
	assert_int_equal(rd32(t + 76), c->pm_tmr_port);
	assert_int_equal(rd32(t + 80), 0);		/* GPE0 */
	assert_int_equal(t[88], 4);			/* PM1_EVT_LEN */
	assert_int_equal(t[89], 2);			/* PM1_CNT_LEN */
	assert_int_equal(t[91], 4);			/* PM_TMR_LEN */
	assert_true(rd16(t + 96) > 100);		/* no C2 */
	assert_true(rd16(t + 98) > 1000);		/* no C3 */
	assert_int_equal(rd32(t + 112) & (1u << 20), 0); /* not hardware-reduced */
	check_gas(t + 116, 1, 8, 1, 0xcf9);
	assert_int_equal(t[128], 0x06);
	check_gas(t + 148, 1, 32, 2, c->pm1a_evt_port);
	check_gas(t + 172, 1, 16, 2, c->pm1a_cnt_port);
	check_gas(t + 208, 1, 32, 3, c->pm_tmr_port);
	assert_int_equal(rd16(t + 109) & 0xffc0, 0);	/* only flags we define */

	/* FACS: 64-byte aligned, no checksum to check, version 2. */
	assert_true(facs % 64 == 0);
	f = at(b, facs, 64);
	assert_memory_equal(f, "FACS", 4);
	assert_int_equal(rd32(f + 4), 64);
	assert_int_equal(f[32], 2);
	assert_int_equal(rd32(f + 16), 0);		/* global lock free */
}

static uint16_t expected_boot_arch(const struct acpi_build_config *c)
{
	return (uint16_t)(ACPI_BOOT_ARCH_LEGACY_DEVICES | (c->has_8042 ? ACPI_BOOT_ARCH_8042 : 0) |
			  (c->has_vga ? 0 : ACPI_BOOT_ARCH_NO_VGA) |
			  (c->has_cmos_rtc ? 0 : ACPI_BOOT_ARCH_NO_CMOS_RTC));
}

void check_parsed(const struct acpi_build_config *c, uint64_t dsdt, uint64_t facs)
{
	assert_int_equal(parsed.revision, 2);
	assert_string_equal(parsed.oem_id, "PLINTH");
	assert_int_equal(parsed.table_count, 3);
	for (unsigned int i = 0; i < parsed.table_count; i++)
		assert_true(parsed.tables[i].checksum_ok);
	assert_non_null(acpi_find_table(&parsed, "FACP"));
	assert_non_null(acpi_find_table(&parsed, "APIC"));
	assert_non_null(acpi_find_table(&parsed, "DSDT"));
	assert_int_equal(acpi_find_table(&parsed, "DSDT")->phys, dsdt);

	assert_true(parsed.has_madt);
	assert_int_equal(parsed.madt_revision, 4);
	assert_int_equal(parsed.lapic_base, 0xfee00000u);
	assert_true(parsed.pcat_compat);
	assert_int_equal(parsed.cpu_count, c->vcpu_count);
	for (unsigned int i = 0; i < parsed.cpu_count; i++) {
		assert_int_equal(parsed.cpus[i].apic_id, i);
		assert_int_equal(parsed.cpus[i].uid, i);
		assert_true(parsed.cpus[i].enabled);
		assert_false(parsed.cpus[i].x2apic_entry);
	}
	assert_int_equal(parsed.ioapic_count, 1);
	assert_int_equal(parsed.ioapics[0].id, c->ioapic_id);
	assert_int_equal(parsed.ioapics[0].addr, c->ioapic_addr);
	assert_int_equal(parsed.ioapics[0].gsi_base, 0);
	assert_int_equal(parsed.override_count, 2);
	/* IRQ0 -> GSI 2 edge active high; IRQ9 -> GSI 9 level active high. */
	assert_int_equal(parsed.overrides[0].bus, 0);
	assert_int_equal(parsed.overrides[0].source_irq, 0);
	assert_int_equal(parsed.overrides[0].gsi, 2);
	assert_int_equal(parsed.overrides[0].flags, 0x0005);
	assert_int_equal(parsed.overrides[1].bus, 0);
	assert_int_equal(parsed.overrides[1].source_irq, 9);
	assert_int_equal(parsed.overrides[1].gsi, 9);
	assert_int_equal(parsed.overrides[1].flags, 0x000d);

	assert_true(parsed.has_fadt);
	assert_int_equal(parsed.fadt_revision, 6);
	assert_false(parsed.fadt_flags & ACPI_FADT_HW_REDUCED);
	assert_true(parsed.fadt_flags & ACPI_FADT_TMR_VAL_EXT);
	assert_true(parsed.fadt_flags & ACPI_FADT_RESET_REG_SUP);
	assert_true(parsed.pm_timer.present);
	assert_true(parsed.pm_timer.ext32);
	assert_int_equal(parsed.pm_timer.reg.space_id, ACPI_GAS_IO);
	assert_int_equal(parsed.pm_timer.reg.bit_width, 32);
	assert_int_equal(parsed.pm_timer.reg.address, c->pm_tmr_port);
	assert_true(parsed.reset.supported);
	assert_int_equal(parsed.reset.reg.space_id, ACPI_GAS_IO);
	assert_int_equal(parsed.reset.reg.bit_width, 8);
	assert_int_equal(parsed.reset.reg.address, 0xcf9);
	assert_int_equal(parsed.reset.value, 0x06);
	assert_int_equal(parsed.sci_irq, 9);
	assert_int_equal(parsed.iapc_boot_arch, expected_boot_arch(c));
	assert_int_equal(parsed.pm1a_cnt, c->pm1a_cnt_port);
	assert_int_equal(parsed.pm1b_cnt, 0);
	assert_int_equal(parsed.dsdt, dsdt);
	assert_int_equal(parsed.facs, facs);
	assert_int_equal(parsed.mcfg_count, 0);
}

struct range {
	uint64_t gpa, len;
};

/* Tables disjoint, and every byte of the buffer outside them zero. */
static void check_coverage(const struct built *b, const struct range *r, unsigned int n)
{
	uint8_t *used = calloc(1, b->size);

	assert_non_null(used);
	for (unsigned int i = 0; i < n; i++) {
		size_t off = (size_t)(r[i].gpa - b->gpa);

		for (size_t j = 0; j < r[i].len; j++) {
			assert_int_equal(used[off + j], 0);
			used[off + j] = 1;
		}
	}
	for (size_t j = 0; j < b->size; j++)
		if (!used[j])
			assert_int_equal(b->buf[j], 0);
	free(used);
}

/* Everything a built table set must satisfy for config c. */
void verify(const struct acpi_build_config *c, const struct built *b)
{
	const uint8_t *rsdp, *xsdt, *rsdt, *fadt, *madt, *dsdt;
	uint64_t fadt_gpa, madt_gpa, dsdt_gpa, facs_gpa;
	struct range r[7];

	assert_int_equal(b->r.size, b->size);
	assert_true(b->size >= SPEC_SUM(c->vcpu_count));
	assert_true(b->size <= SPEC_SUM(c->vcpu_count) + SPEC_PAD);
	assert_true(b->gpa + b->size <= LIMIT_4G);

	/* RSDP: first, 16-byte aligned, both checksums, revision 2. */
	assert_true(b->r.rsdp_gpa % 16 == 0);
	assert_true(b->r.rsdp_gpa - b->gpa < 16);
	rsdp = at(b, b->r.rsdp_gpa, 36);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum8(rsdp, 20), 0);
	assert_int_equal(sum8(rsdp, 36), 0);
	assert_memory_equal(rsdp + 9, "PLINTH", 6);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(rd32(rsdp + 20), 36);

	xsdt = check_sdt(b, rd64(rsdp + 24), "XSDT", 36 + 16, 1);
	rsdt = check_sdt(b, rd32(rsdp + 16), "RSDT", 36 + 8, 1);
	fadt_gpa = rd64(xsdt + 36);
	madt_gpa = rd64(xsdt + 44);
	/* Both roots list the same tables. */
	assert_int_equal(rd32(rsdt + 36), fadt_gpa);
	assert_int_equal(rd32(rsdt + 40), madt_gpa);

	fadt = check_sdt(b, fadt_gpa, "FACP", 276, 6);
	check_fadt_raw(b, fadt, c);
	dsdt_gpa = rd64(fadt + 140);
	facs_gpa = rd32(fadt + 36);
	dsdt = check_sdt(b, dsdt_gpa, "DSDT", SPEC_DSDT, 2);
	check_aml_s5(dsdt, SPEC_DSDT, c->slp_typ_s5);
	madt = check_sdt(b, madt_gpa, "APIC", SPEC_MADT(c->vcpu_count), 4);
	check_madt_raw(madt, c);

	r[0] = (struct range){ b->r.rsdp_gpa, 36 };
	r[1] = (struct range){ rd64(rsdp + 24), 36 + 16 };
	r[2] = (struct range){ rd32(rsdp + 16), 36 + 8 };
	r[3] = (struct range){ fadt_gpa, 276 };
	r[4] = (struct range){ dsdt_gpa, SPEC_DSDT };
	r[5] = (struct range){ madt_gpa, SPEC_MADT(c->vcpu_count) };
	r[6] = (struct range){ facs_gpa, 64 };
	check_coverage(b, r, 7);

	parse(b, b->r.rsdp_gpa, b->buf);
	assert_true(parsed.xsdt_used);
	check_parsed(c, dsdt_gpa, facs_gpa);
}

void build_verify(const struct acpi_build_config *c, uint64_t gpa)
{
	struct built b;

	assert_int_equal(build(c, gpa, &b), 0);
	verify(c, &b);
	built_free(&b);
}

int teardown(void **state)
{
	(void)state;
	fake_mem_free(&mem);
	return 0;
}

void canary_check(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != CANARY)
			fail_msg("byte %zu written (%#x)", i, p[i]);
}
