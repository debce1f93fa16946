/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GUEST_LAYOUT_H
#define VMM_GUEST_LAYOUT_H

/*
 * The guest-physical map of a partition: where its RAM is and where it is
 * not. Built once from the configured memory size and read by everything
 * that needs the answer (EPT builder, boot loaders, guest memory copies,
 * exit reports, later e820 and ACPI), so they cannot disagree.
 *
 *   0 .. 0xe0000                    RAM (base memory)
 *   0xe0000 .. 0x100000             reserved: the firmware area, where the
 *                                   ACPI tables go (an OS scanning the BIOS
 *                                   area for the RSDP looks here)
 *   1 MiB .. min(ram, 3 GiB)        RAM (low)
 *   3 GiB .. 4 GiB                  MMIO hole: LAPIC, test device, later PCI
 *                                   BARs, IOAPIC, HPET; never RAM
 *   4 GiB .. 4 GiB + (ram - 3 GiB)  RAM (high), only when ram > 3 GiB
 *
 * The firmware area is backed like RAM (the EPT maps it read-write: the
 * FACS in it is written by the OS, a real-mode image's reset vector sits
 * in it) but the memory maps call it reserved, so an OS does not allocate
 * over its tables. A partition smaller than 1 MiB has only what fits.
 *
 * The host backing is one contiguous run of ram_size bytes (as far as the
 * guest can tell) holding the backed regions (RAM and reserved) back to
 * back: everything below 3 GiB is backing offset = gpa, high RAM continues
 * at backing offset 3 GiB.
 */
#include <asm/ept_format.h>
#include <plinth/types.h>
#include <vmm/platform.h>

/* What the second-level page tables can reach: no guest address above it. */
#define GUEST_PHYS_LIMIT EPT_GPA_LIMIT

enum guest_region_type {
	GUEST_REGION_RAM,
	GUEST_REGION_MMIO_HOLE,	/* device space: accesses exit as MMIO */
	GUEST_REGION_RESERVED,	/* backed like RAM, but the OS's memory map says reserved */
};

/* The firmware area (reserved, backed): the BIOS area of a PC. */
#define GUEST_FIRMWARE_START 0xe0000ULL
#define GUEST_FIRMWARE_END 0x100000ULL

struct guest_region {
	gpa_t start;
	uint64_t size;
	enum guest_region_type type;
};

#define GUEST_LAYOUT_MAX_REGIONS 5

struct guest_layout {
	uint64_t ram_size;	/* bytes of backing: RAM and reserved regions together */
	unsigned int count;
	struct guest_region region[GUEST_LAYOUT_MAX_REGIONS]; /* by start, disjoint */
};

/*
 * Fills *l for ram_size bytes of RAM. -EINVAL: l NULL, ram_size 0, not a
 * multiple of PAGE_SIZE, or the RAM would end above GUEST_PHYS_LIMIT; *l is
 * then left empty (count 0, nothing is RAM).
 */
int guest_layout_build(struct guest_layout *l, uint64_t ram_size);

/*
 * Whether every byte of [gpa, gpa + len) is RAM of one region (two RAM
 * regions are never adjacent, so a range cannot be RAM across them). A range
 * that wraps is not. An empty range counts as RAM inside a RAM region or at
 * its end, as a zero-length copy there is harmless.
 */
bool guest_layout_is_ram(const struct guest_layout *l, gpa_t gpa, uint64_t len);

/*
 * Offset into the host backing of the RAM byte at gpa; a range that
 * guest_layout_is_ram() accepts is contiguous in the backing from there.
 * -EFAULT if gpa is not RAM, -EINVAL for NULL arguments.
 */
int guest_layout_ram_offset(const struct guest_layout *l, gpa_t gpa, uint64_t *offset);

/* Whether the region is backed by the partition's memory (RAM or reserved). */
static inline bool guest_region_backed(const struct guest_region *r)
{
	return r->type == GUEST_REGION_RAM || r->type == GUEST_REGION_RESERVED;
}

/*
 * As guest_layout_is_ram() and guest_layout_ram_offset(), for any backed
 * region: what the EPT maps and Plinth may copy to and from (boot images,
 * firmware tables, the emulator's and hypercalls' guest accesses). A range
 * may run across backed regions that touch (RAM into the firmware area):
 * they are consecutive in the backing too.
 */
bool guest_layout_is_backed(const struct guest_layout *l, gpa_t gpa, uint64_t len);
int guest_layout_backing_offset(const struct guest_layout *l, gpa_t gpa, uint64_t *offset);

/* The region holding gpa, or NULL when it lies in none (above the map, or
 * between the end of low RAM and the hole). */
const struct guest_region *guest_layout_find(const struct guest_layout *l, gpa_t gpa);

/* The region after prev (the first for NULL), NULL after the last. */
const struct guest_region *guest_layout_next(const struct guest_layout *l,
					     const struct guest_region *prev);

#define guest_layout_for_each(l, r) \
	for ((r) = guest_layout_next((l), NULL); (r); (r) = guest_layout_next((l), (r)))

#endif
