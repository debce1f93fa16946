/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_EPT_H
#define VMM_EPT_H

/*
 * Intel extended page tables: the guest-physical -> host-physical map of one
 * partition. The entry encoding (pt_format_ept) plugs into the generic walker
 * in kernel/mm/pagetable.c; struct ept adds the partition-level policy (RAM
 * is RWX write-back, MMIO is RW uncached) and guest memory access.
 *
 * Nothing here flushes TLBs or locks: after ept_unmap() or any permission
 * change on a loaded EPT, the caller must INVEPT (single-context, ept_eptp())
 * on every CPU that may have run the partition, and serialise updates.
 */
#include <asm/ept_format.h>
#include <plinth/pagetable.h>
#include <plinth/types.h>

struct ept {
	struct page_table pt;
	/* Largest leaf the CPU supports: PAGE_SIZE, SIZE_2M or SIZE_1G. */
	uint64_t max_page;
};

/*
 * Allocates the root table through ops (whose phys_to_virt must also reach
 * every host page later mapped as RAM, for the copy functions).
 * -EINVAL: NULL argument, missing callback, max_page not one of PAGE_SIZE,
 * SIZE_2M, SIZE_1G. -ENOMEM.
 */
int ept_init(struct ept *e, const struct pt_ops *ops, uint64_t max_page);

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size) with the largest pages that
 * alignment and max_page allow. RAM: RWX, write-back. MMIO: RW, uncached.
 * -EINVAL: uninitialised e, unaligned or zero size, gpa range beyond 48 bits
 * or wrapping, hpa range beyond 52 bits. -EEXIST: part already mapped.
 * -ENOMEM. On any error nothing changed.
 */
int ept_map_ram(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size);
int ept_map_mmio(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size);

/* Removes any mapping in the range (holes fine); splits large pages that
 * straddle its ends (-ENOMEM possible, then nothing changed). -EINVAL as
 * for map. The caller must INVEPT afterwards. */
int ept_unmap(struct ept *e, gpa_t gpa, uint64_t size);

/*
 * hpa includes the offset within the page; flags are PT_* values. Either
 * output may be NULL. -ENOENT if unmapped, -EINVAL for gpa beyond 48 bits or
 * an uninitialised e.
 */
int ept_translate(const struct ept *e, gpa_t gpa, hpa_t *hpa,
		  unsigned int *flags);

/* 0 for NULL or an uninitialised e (never a valid EPTP). */
uint64_t ept_eptp(const struct ept *e);

/* Frees every table (not the mapped memory); e must be re-initialised. */
void ept_destroy(struct ept *e);

#endif
