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

/* Table building helpers shared by both tests. */
void fake_put16(uint8_t *p, uint16_t v);
void fake_put32(uint8_t *p, uint32_t v);
void fake_put64(uint8_t *p, uint64_t v);
/* Fills a 36-byte SDT header (length = len) and leaves the checksum to fake_sdt_fix. */
void fake_sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev);
/* Recomputes the checksum byte at offset 9 over len bytes. */
void fake_sdt_fix(uint8_t *t, uint32_t len);

#endif
