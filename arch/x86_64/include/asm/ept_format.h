/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_EPT_FORMAT_H
#define ASM_EPT_FORMAT_H

/*
 * The VT-x nested-paging entry format (Intel SDM Vol. 3C, "EPT Translation"),
 * plugged into the generic walker of kernel/mm/pagetable.c. A vendor format,
 * so it lives with the backend; vmm/ept.h builds partition maps on it.
 */
#include <plinth/pagetable.h>
#include <plinth/types.h>

/* EPT paging-structure entry bits. */
#define EPT_R			(1ULL << 0)
#define EPT_W			(1ULL << 1)
#define EPT_X			(1ULL << 2)	/* supervisor execute */
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT		3		/* leaf only, bits 5:3 */
#define EPT_MT_MASK		(7ULL << EPT_MT_SHIFT)
#define EPT_MT_UC		0ULL
#define EPT_MT_WC		1ULL
#define EPT_MT_WB		6ULL
#define EPT_IGNORE_PAT		(1ULL << 6)	/* leaf only; kept clear */
#define EPT_LARGE		(1ULL << 7)	/* PDPTE: 1G, PDE: 2M */
#define EPT_ADDR_MASK		0x000ffffffffff000ULL

/* EPTP fields: memory type of the paging structures, walk length - 1. */
#define EPTP_MT_WB		6ULL
#define EPTP_WALK_LEN_4		(3ULL << 3)

/* Guest-physical addresses are plain 48-bit numbers (4-level walk). */
#define EPT_GPA_BITS		48
#define EPT_GPA_LIMIT		(1ULL << EPT_GPA_BITS)

/*
 * Encoding notes:
 *  - a present leaf is always readable (EPT_R set), like a present x86 PTE:
 *    write-only and write+execute entries are EPT misconfigurations, and
 *    execute-only needs a CPU capability that is not probed;
 *  - PT_UNCACHED -> memory type UC, PT_WC -> WC, otherwise WB; ignore-PAT is
 *    left clear so the guest PAT still combines with the EPT type;
 *  - PT_USER and PT_GLOBAL have no EPT meaning: pt_map() gives -ENOTSUP.
 */
extern const struct pt_format pt_format_ept;

/* VMCS EPT pointer for a root table: WB walks, 4 levels, no A/D flags. */
uint64_t ept_make_eptp(paddr_t root);

#endif
