/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_AML_H
#define VMM_AML_H

/*
 * A small ACPI Machine Language writer (ACPI 6.x, 20.2) for the partition's
 * DSDT: names, integers, EISA IDs, packages, buffers, devices and scopes,
 * enough to describe a PCI root bridge. Objects that carry a PkgLength are
 * opened with *_begin(), which returns a mark, and closed with aml_end(),
 * which inserts the length in its shortest encoding.
 *
 * Writing past the buffer only sets overflow (and keeps counting len), so a
 * first pass with a NULL buffer sizes the output.
 */
#include <plinth/types.h>

struct aml {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t size);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);
/* A NameString: 1-4 characters padded with '_', or "\\" + such a segment. */
void aml_name(struct aml *a, const char *name);
/* The shortest integer encoding: Zero, One, Byte/Word/DWord/QWord constant. */
void aml_int(struct aml *a, uint64_t v);
/* Always a DWordConst, as the spec asks for _PRT addresses and EISA IDs. */
void aml_dword(struct aml *a, uint32_t v);
/* EISAID("PNP0A03"): the 7-character ID compressed into a DWordConst. */
void aml_eisaid(struct aml *a, const char *id);
/* Name (name, <object that follows>). */
void aml_name_begin(struct aml *a, const char *name);

size_t aml_scope_begin(struct aml *a, const char *name);
size_t aml_device_begin(struct aml *a, const char *name);
size_t aml_package_begin(struct aml *a, uint8_t elements);
void aml_end(struct aml *a, size_t mark);
/* Buffer (len) { ... }: the bytes written before aml_buffer_end() are its content. */
size_t aml_buffer_begin(struct aml *a);
void aml_buffer_end(struct aml *a, size_t mark);

/* Resource descriptors for a _CRS buffer (ACPI 6.4.2, 6.4.3). */
void aml_res_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max);
void aml_res_io(struct aml *a, uint16_t base, uint8_t len);
void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max);
void aml_res_mem32_fixed(struct aml *a, uint32_t base, uint32_t len);
void aml_res_end(struct aml *a);

#endif
