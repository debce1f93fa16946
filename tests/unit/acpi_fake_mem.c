/* SPDX-License-Identifier: GPL-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fake_mem.h"

void fake_mem_init(struct fake_mem *m)
{
	memset(m, 0, sizeof(*m));
}

static int overlaps(const struct fake_region *r, paddr_t pa, size_t len)
{
	return pa < r->pa + r->len && r->pa < pa + len;
}

int fake_mem_overlaps(const struct fake_mem *m, paddr_t pa, size_t len)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (overlaps(&m->regions[i], pa, len))
			return 1;
	return 0;
}

uint8_t *fake_mem_add(struct fake_mem *m, paddr_t pa, const void *data, size_t len)
{
	struct fake_region *r;

	if (!len || pa + len < pa)
		abort();
	for (size_t i = 0; i < m->nregions; i++) {
		if (overlaps(&m->regions[i], pa, len)) {
			fprintf(stderr, "fake_mem: region %#llx+%zu overlaps %#llx+%zu\n",
				(unsigned long long)pa, len,
				(unsigned long long)m->regions[i].pa, m->regions[i].len);
			abort();
		}
	}
	m->regions = realloc(m->regions, (m->nregions + 1) * sizeof(*m->regions));
	if (!m->regions)
		abort();
	r = &m->regions[m->nregions++];
	r->pa = pa;
	r->len = len;
	r->data = malloc(len);
	if (!r->data)
		abort();
	memcpy(r->data, data, len);
	return r->data;
}

uint8_t *fake_mem_find(struct fake_mem *m, paddr_t pa, size_t len)
{
	if (pa + len < pa)
		return NULL;
	for (size_t i = 0; i < m->nregions; i++) {
		struct fake_region *r = &m->regions[i];

		if (pa >= r->pa && pa + len <= r->pa + r->len)
			return r->data + (pa - r->pa);
	}
	return NULL;
}

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	struct fake_mem *m = ctx;
	const uint8_t *src;
	void *copy;

	m->map_calls++;
	src = fake_mem_find(m, pa, len);
	if (!src || !len)
		return NULL;
	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, src, len);
	if (m->nmaps == m->maps_cap) {
		m->maps_cap = m->maps_cap ? m->maps_cap * 2 : 64;
		m->maps = realloc(m->maps, m->maps_cap * sizeof(*m->maps));
		if (!m->maps)
			abort();
	}
	m->maps[m->nmaps++] = copy;
	return copy;
}

static void fake_warn(void *ctx, const char *msg)
{
	struct fake_mem *m = ctx;
	size_t used = strlen(m->warnings);

	m->warn_count++;
	if (m->print_warnings)
		fprintf(stderr, "  acpi warning: %s\n", msg);
	snprintf(m->warnings + used, sizeof(m->warnings) - used, "%s\n", msg);
}

void fake_mem_unmap_all(struct fake_mem *m)
{
	for (size_t i = 0; i < m->nmaps; i++)
		free(m->maps[i]);
	m->nmaps = 0;
}

void fake_mem_clear_warnings(struct fake_mem *m)
{
	m->warn_count = 0;
	m->warnings[0] = '\0';
}

void fake_mem_free(struct fake_mem *m)
{
	fake_mem_unmap_all(m);
	free(m->maps);
	for (size_t i = 0; i < m->nregions; i++)
		free(m->regions[i].data);
	free(m->regions);
	fake_mem_init(m);
}

struct acpi_mem_ops fake_mem_ops(struct fake_mem *m)
{
	struct acpi_mem_ops ops = { .map = fake_map, .warn = fake_warn, .ctx = m };

	return ops;
}

int fake_mem_warned(const struct fake_mem *m, const char *needle)
{
	return strstr(m->warnings, needle) != NULL;
}

void fake_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void fake_put32(uint8_t *p, uint32_t v)
{
	fake_put16(p, (uint16_t)v);
	fake_put16(p + 2, (uint16_t)(v >> 16));
}

void fake_put64(uint8_t *p, uint64_t v)
{
	fake_put32(p, (uint32_t)v);
	fake_put32(p + 4, (uint32_t)(v >> 32));
}

void fake_sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	fake_put32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, "PLINTH", 6);
	memcpy(t + 16, "PLTESTTB", 8);
	fake_put32(t + 24, 1);
	fake_put32(t + 28, 0x54534554); /* "TEST" */
	fake_put32(t + 32, 1);
}

void fake_sdt_fix(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0 - sum);
}

/* ---- Synthetic table sets ---- */
uint8_t *tset_add(struct tset *s, paddr_t pa, uint32_t len)
{
	struct tbl *t;

	if (s->n >= SET_MAX)
		abort();
	t = &s->t[s->n++];
	memset(t, 0, sizeof(*t));
	t->pa = pa;
	t->len = len;
	return t->buf;
}

struct tbl *tset_find(struct tset *s, paddr_t pa)
{
	for (int i = 0; i < s->n; i++)
		if (s->t[i].pa == pa)
			return &s->t[i];
	fprintf(stderr, "tset: no table at %#llx\n", (unsigned long long)pa);
	abort();
}

void tset_set_len(struct tset *s, paddr_t pa, uint32_t len)
{
	struct tbl *t = tset_find(s, pa);

	t->len = len;
	fake_put32(t->buf + 4, len);
	fake_sdt_fix(t->buf, len);
}

static void fix_sum(uint8_t *p, int len, int at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (int i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)(0 - sum);
}

void fake_fix_rsdp(uint8_t *p)
{
	fix_sum(p, 20, 8);
	if (p[15] >= 2)
		fix_sum(p, 36, 32);
}

void tset_set_lenfield(struct tset *s, paddr_t pa, uint32_t len)
{
	struct tbl *t = tset_find(s, pa);

	fake_put32(t->buf + 4, len);
	fake_sdt_fix(t->buf, t->len);
}

void put_rsdp(struct tset *s, paddr_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *p = tset_add(s, pa, rev >= 2 ? 36 : 20);

	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "PLINTH", 6);
	p[15] = rev;
	fake_put32(p + 16, rsdt);
	if (rev >= 2) {
		fake_put32(p + 20, 36);
		fake_put64(p + 24, xsdt);
	}
	fake_fix_rsdp(p);
}

void put_root(struct tset *s, paddr_t pa, const char *sig, const uint64_t *e, int n)
{
	unsigned int es = sig[0] == 'X' ? 8 : 4;
	uint32_t len = 36 + n * es;
	uint8_t *t = tset_add(s, pa, len);

	fake_sdt_header(t, sig, len, 1);
	for (int i = 0; i < n; i++) {
		if (es == 8)
			fake_put64(t + 36 + i * 8, e[i]);
		else
			fake_put32(t + 36 + i * 4, (uint32_t)e[i]);
	}
	fake_sdt_fix(t, len);
}

void put_plain(struct tset *s, paddr_t pa, const char *sig, uint32_t len)
{
	uint8_t *t = tset_add(s, pa, len);

	fake_sdt_header(t, sig, len, 2);
	for (uint32_t i = 36; i < len; i++)
		t[i] = (uint8_t)(i * 7);
	fake_sdt_fix(t, len);
}

void madt_raw(struct madt_app *a, const uint8_t *e, uint32_t n)
{
	memcpy(a->b + a->len, e, n);
	a->len += n;
}

void madt_lapic(struct madt_app *a, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };

	fake_put32(e + 4, flags);
	madt_raw(a, e, 8);
}

void madt_x2apic(struct madt_app *a, uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t e[16] = { 9, 16 };

	fake_put32(e + 4, id);
	fake_put32(e + 8, flags);
	fake_put32(e + 12, uid);
	madt_raw(a, e, 16);
}

void madt_ioapic(struct madt_app *a, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = { 1, 12, id };

	fake_put32(e + 4, addr);
	fake_put32(e + 8, gsi);
	madt_raw(a, e, 12);
}

void madt_iso(struct madt_app *a, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { 2, 10, 0, irq };

	fake_put32(e + 4, gsi);
	fake_put16(e + 8, flags);
	madt_raw(a, e, 10);
}

void madt_nmi(struct madt_app *a)
{
	const uint8_t e[6] = { 4, 6, 0xff, 5, 0, 1 };

	madt_raw(a, e, 6);
}

struct madt_app madt_begin(struct tset *s, paddr_t pa, uint8_t rev)
{
	struct madt_app a = { tset_add(s, pa, 0), 44 };

	fake_sdt_header(a.b, "APIC", 0, rev);
	fake_put32(a.b + 36, 0xfee00000);
	fake_put32(a.b + 40, 1);
	return a;
}

void madt_end(struct tset *s, paddr_t pa, struct madt_app *a)
{
	tset_set_len(s, pa, a->len);
}

static void put_gas(uint8_t *p, const struct acpi_gas *g)
{
	p[0] = g->space_id;
	p[1] = g->bit_width;
	p[2] = g->bit_offset;
	p[3] = g->access_size;
	fake_put64(p + 4, g->address);
}

void put_fadt(struct tset *s, paddr_t pa, const struct fadt_cfg *c)
{
	uint8_t t[276] = { 0 };
	uint8_t *dst = tset_add(s, pa, c->len);

	fake_sdt_header(t, "FACP", c->len, c->rev);
	fake_put32(t + 36, c->facs);
	fake_put32(t + 40, c->dsdt);
	fake_put16(t + 46, c->sci);
	fake_put32(t + 64, c->pm1a_cnt);
	fake_put32(t + 76, c->pm_tmr);
	t[91] = 4;
	fake_put16(t + 109, c->boot_arch);
	fake_put32(t + 112, c->flags);
	put_gas(t + 116, &c->reset);
	t[128] = c->reset_val;
	fake_put64(t + 132, c->x_facs);
	fake_put64(t + 140, c->x_dsdt);
	put_gas(t + 208, &c->x_pm_tmr);
	memcpy(dst, t, MIN(c->len, sizeof(t)));
	fake_sdt_fix(dst, c->len);
}

void put_mcfg(struct tset *s, paddr_t pa)
{
	uint8_t *t = tset_add(s, pa, 44 + 32);

	fake_sdt_header(t, "MCFG", 76, 1);
	fake_put64(t + 44, 0xb0000000);
	fake_put16(t + 52, 0);
	t[54] = 0;
	t[55] = 0xff;
	fake_put64(t + 60, 0x4000000000ULL);
	fake_put16(t + 68, 1);
	t[70] = 0x10;
	t[71] = 0x3f;
	fake_sdt_fix(t, 76);
}

void build_v0(struct tset *s, int ncpus)
{
	const uint64_t e[] = { V0_FACP, V0_APIC, V0_HPET };
	struct fadt_cfg f = {
		.rev = 1, .len = 116, .dsdt = V0_DSDT, .facs = 0x7ffe6000, .sci = 9,
		.pm_tmr = 0xb008, .pm1a_cnt = 0xb004,
		/* RESET_REG_SUP is reserved in rev 1 and must be ignored. */
		.flags = ACPI_FADT_RESET_REG_SUP | 0x1,
	};
	struct madt_app a;

	s->n = 0;
	put_rsdp(s, V0_RSDP, 0, V0_RSDT, 0);
	put_root(s, V0_RSDT, "RSDT", e, 3);
	put_fadt(s, V0_FACP, &f);
	a = madt_begin(s, V0_APIC, 1);
	for (int i = 0; i < ncpus; i++)
		madt_lapic(&a, (uint8_t)i, (uint8_t)i, 1);
	madt_ioapic(&a, (uint8_t)ncpus, 0xfec00000, 0);
	madt_iso(&a, 0, 2, 0);
	madt_iso(&a, 9, 9, 0xd);
	madt_nmi(&a);
	madt_end(s, V0_APIC, &a);
	put_plain(s, V0_HPET, "HPET", 56);
	put_plain(s, V0_DSDT, "DSDT", 40);
}

void build_v2(struct tset *s, int ncpus)
{
	const uint64_t xe[] = { V2_FACP, V2_APIC, V2_MCFG };
	const uint64_t re[] = { V2_DECOY_APIC };
	struct fadt_cfg f = {
		.rev = 6, .len = 276, .dsdt = 0x7f006000, .x_dsdt = V2_DSDT, .x_facs = 0x7f007000,
		.sci = 9, .pm_tmr = 0x1234, .pm1a_cnt = 0x604, .boot_arch = 0x3,
		.flags = ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP,
		.x_pm_tmr = { ACPI_GAS_IO, 32, 0, 3, 0x608 },
		.reset = { ACPI_GAS_IO, 8, 0, 1, 0xcf9 }, .reset_val = 6,
	};
	struct madt_app a;

	s->n = 0;
	put_rsdp(s, V2_RSDP, 2, V2_RSDT, V2_XSDT);
	put_root(s, V2_RSDT, "RSDT", re, 1);
	put_root(s, V2_XSDT, "XSDT", xe, 3);
	put_fadt(s, V2_FACP, &f);
	a = madt_begin(s, V2_APIC, 5);
	for (int i = 0; i < ncpus - 1; i++)
		madt_lapic(&a, (uint8_t)i, (uint8_t)i, 1);
	madt_lapic(&a, 0x20, 8, 2);              /* disabled, online capable */
	madt_nmi(&a);
	madt_lapic(&a, 0x21, 9, 0);              /* disabled for good */
	madt_x2apic(&a, 0x100, 0x1000, 1);
	madt_ioapic(&a, 0, 0xfec00000, 0);
	madt_ioapic(&a, 1, 0xfec01000, 24);
	madt_iso(&a, 0, 2, 0);
	madt_iso(&a, 9, 9, 0xd);
	madt_lapic(&a, 0x30, 0xff, 1);           /* "see x2APIC entry": not a CPU */
	madt_end(s, V2_APIC, &a);
	put_mcfg(s, V2_MCFG);
	put_plain(s, V2_DSDT, "DSDT", 1000);
	a = madt_begin(s, V2_DECOY_APIC, 1);
	madt_lapic(&a, 0, 0x77, 1);
	madt_end(s, V2_DECOY_APIC, &a);
}
