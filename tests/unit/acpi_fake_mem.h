/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ACPI_FAKE_MEM_H
#define ACPI_FAKE_MEM_H

/*
 * Fake physical memory for the ACPI parser tests. Every map() hands out a
 * fresh heap copy of exactly the requested length, so ASan reports any read
 * past what the parser asked for, not just past the end of a region.
 */

#include <plinth/acpi.h>

struct fake_region {
	paddr_t pa;
	size_t len;
	uint8_t *data;
};

struct fake_mem {
	struct fake_region *regions;
	size_t nregions;
	void **maps;              /* copies handed out, freed by fake_mem_unmap_all */
	size_t nmaps, maps_cap;
	unsigned long map_calls;
	unsigned int warn_count;
	char warnings[8192];      /* all warnings, '\n'-separated, truncated */
	int print_warnings;       /* echo warnings to stderr */
};

void fake_mem_init(struct fake_mem *m);
/* Copies data in; regions must not overlap. Returns the stored copy. */
uint8_t *fake_mem_add(struct fake_mem *m, paddr_t pa, const void *data, size_t len);
/* True if [pa, pa+len) would overlap a stored region. */
int fake_mem_overlaps(const struct fake_mem *m, paddr_t pa, size_t len);
/* The stored bytes at pa (for tests that corrupt memory in place), or NULL. */
uint8_t *fake_mem_find(struct fake_mem *m, paddr_t pa, size_t len);
void fake_mem_unmap_all(struct fake_mem *m);
void fake_mem_clear_warnings(struct fake_mem *m);
void fake_mem_free(struct fake_mem *m);
struct acpi_mem_ops fake_mem_ops(struct fake_mem *m);
/* True if some warning since the last clear contains needle. */
int fake_mem_warned(const struct fake_mem *m, const char *needle);

/* Table building helpers. */
void fake_put16(uint8_t *p, uint16_t v);
void fake_put32(uint8_t *p, uint32_t v);
void fake_put64(uint8_t *p, uint64_t v);
/* Fills a 36-byte SDT header (length = len) and leaves the checksum to fake_sdt_fix. */
void fake_sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev);
/* Recomputes the checksum byte at offset 9 over len bytes. */
void fake_sdt_fix(uint8_t *t, uint32_t len);

/*
 * Synthetic table sets: each table is a buffer at a physical address,
 * built and corrupted here, then copied into a fake_mem.
 */
#define SET_MAX 12
#define TBL_MAX 65536

struct tbl {
	paddr_t pa;
	uint32_t len;
	uint8_t buf[TBL_MAX];
};

struct tset {
	int n;
	struct tbl t[SET_MAX];
};

uint8_t *tset_add(struct tset *s, paddr_t pa, uint32_t len);
struct tbl *tset_find(struct tset *s, paddr_t pa); /* aborts if absent */
/* Sets the length field and the stored size, and fixes the checksum. */
void tset_set_len(struct tset *s, paddr_t pa, uint32_t len);
/* Changes only the length field; the stored region keeps its size. */
void tset_set_lenfield(struct tset *s, paddr_t pa, uint32_t len);
void fake_fix_rsdp(uint8_t *p);

void put_rsdp(struct tset *s, paddr_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt);
/* "RSDT" (32-bit entries) or "XSDT" (64-bit entries). */
void put_root(struct tset *s, paddr_t pa, const char *sig, const uint64_t *e, int n);
/* A table of no interest to the parser, filled with a pattern. */
void put_plain(struct tset *s, paddr_t pa, const char *sig, uint32_t len);

/* MADT under construction: madt_begin, entries, madt_end. */
struct madt_app {
	uint8_t *b;
	uint32_t len;
};

struct madt_app madt_begin(struct tset *s, paddr_t pa, uint8_t rev);
void madt_raw(struct madt_app *a, const uint8_t *e, uint32_t n);
void madt_lapic(struct madt_app *a, uint8_t uid, uint8_t id, uint32_t flags);
void madt_x2apic(struct madt_app *a, uint32_t id, uint32_t uid, uint32_t flags);
void madt_ioapic(struct madt_app *a, uint8_t id, uint32_t addr, uint32_t gsi);
void madt_iso(struct madt_app *a, uint8_t irq, uint32_t gsi, uint16_t flags);
void madt_nmi(struct madt_app *a);
void madt_end(struct tset *s, paddr_t pa, struct madt_app *a);

/* FADT fields; only those inside len are written. */
struct fadt_cfg {
	uint8_t rev;
	uint32_t len, flags, dsdt, facs, pm_tmr, pm1a_cnt;
	uint64_t x_dsdt, x_facs;
	uint16_t sci, boot_arch;
	struct acpi_gas x_pm_tmr, reset;
	uint8_t reset_val;
};

void put_fadt(struct tset *s, paddr_t pa, const struct fadt_cfg *c);
/* Two ECAM regions: segment 0 buses 0-255, segment 1 buses 0x10-0x3f. */
void put_mcfg(struct tset *s, paddr_t pa);

/* ACPI 1.0: RSDP rev 0, RSDT, FADT rev 1, MADT with ncpus LAPICs, HPET, DSDT. */
#define V0_RSDP 0xf6a40
#define V0_RSDT 0x7ffe1000
#define V0_FACP 0x7ffe2000
#define V0_APIC 0x7ffe3000
#define V0_HPET 0x7ffe4000
#define V0_DSDT 0x7ffe5000
void build_v0(struct tset *s, int ncpus);

/*
 * ACPI 6: RSDP rev 2, XSDT plus a decoy RSDT (whose MADT has one CPU, APIC
 * ID 0x77), FADT rev 6, MADT rev 5 with ncpus enabled CPUs (the last one an
 * x2APIC entry) and two disabled ones, MCFG, DSDT.
 */
#define V2_RSDP 0xe0000
#define V2_RSDT 0x7f000000
#define V2_XSDT 0x7f001000
#define V2_FACP 0x100002000ULL
#define V2_APIC 0x7f003000
#define V2_MCFG 0x7f004000
#define V2_DSDT 0x7f005000
#define V2_DECOY_APIC 0x7f00f000
void build_v2(struct tset *s, int ncpus);

#endif
