/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ACPI_BUILD_CHECK_H
#define ACPI_BUILD_CHECK_H

/*
 * Checks shared by the ACPI builder tests (test_acpi_build*.c): a table set
 * is built into an exact-size heap buffer, then parsed back by Plinth's own
 * ACPI parser (kernel/acpi/) through fake guest memory holding the buffer
 * at buf_gpa, and every field the parser does not look at is read from the
 * raw bytes at the spec's offsets, with checksums and the AML recomputed
 * independently of vmm/boot/acpi_build.c.
 */
#include <plinth/acpi.h>
#include <vmm/acpi_build.h>
#include "acpi_fake_mem.h"

#define LIMIT_4G 0x100000000ULL
#define CANARY 0x5a
#define CANARY_LEN 256

/* Sizes straight from the spec, to bound what the builder may use. */
#define SPEC_RSDP 36
#define SPEC_XSDT (36 + 2 * 8)
#define SPEC_RSDT (36 + 2 * 4)
#define SPEC_FADT 276
#define SPEC_FACS 64
#define SPEC_DSDT (36 + 15)
#define SPEC_MADT(n) (44 + 8 * (n) + 12 + 2 * 10 + 6)
#define SPEC_SUM(n) (SPEC_RSDP + SPEC_XSDT + SPEC_RSDT + SPEC_FADT + SPEC_FACS + SPEC_DSDT + \
		     SPEC_MADT(n))
/* Worst-case alignment padding: 16 before the RSDP, 8 before 5 tables, 64 before the FACS. */
#define SPEC_PAD (15 + 5 * 7 + 63)

struct built {
	uint8_t *buf;
	size_t size;
	uint64_t gpa;
	struct acpi_build_result r;
};

/* The parser's view of the last set given to parse() or verify(). */
extern struct acpi_info parsed;

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static inline uint8_t sum8(const uint8_t *p, size_t len)
{
	unsigned int s = 0;

	for (size_t i = 0; i < len; i++)
		s += p[i];
	return (uint8_t)s;
}

/* Pointer to len bytes at guest address gpa, which must lie inside the buffer. */
const uint8_t *at(const struct built *b, uint64_t gpa, size_t len);
/* Builds c at gpa into a fresh buffer of exactly the size acpi_build asks for. */
int build(const struct acpi_build_config *c, uint64_t gpa, struct built *b);
void built_free(struct built *b);
/* Parses bytes (b's size, at b's gpa) from rsdp into parsed; no warning allowed. */
void parse(const struct built *b, uint64_t rsdp, const uint8_t *bytes);
/* parsed against c, with the DSDT and FACS where the FADT put them. */
void check_parsed(const struct acpi_build_config *c, uint64_t dsdt, uint64_t facs);
/* Everything a built table set must satisfy for config c, raw and parsed. */
void verify(const struct acpi_build_config *c, const struct built *b);
void build_verify(const struct acpi_build_config *c, uint64_t gpa);
/* Fails unless p[from..to) all still hold CANARY. */
void canary_check(const uint8_t *p, size_t from, size_t to);
/* cmocka teardown: frees the fake memory. */
int teardown(void **state);

#endif
