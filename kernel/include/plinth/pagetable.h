/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_PAGETABLE_H
#define PLINTH_PAGETABLE_H

/*
 * Four-level radix page tables (512 x 8-byte entries per 4K table). The walker
 * is independent of the entry encoding so the same code builds long-mode page
 * tables and, later, EPT tables.
 *
 * None of these functions flush TLBs or lock anything: the caller owns the
 * table and does the invalidation appropriate to where it is loaded.
 */

#include <plinth/types.h>

/* Generic permission / cache flags; each format encodes what it supports. */
#define PT_READ		(1u << 0)	/* implied on x86: present means readable */
#define PT_WRITE	(1u << 1)
#define PT_EXEC		(1u << 2)	/* absent => NX on x86 */
#define PT_USER		(1u << 3)
#define PT_GLOBAL	(1u << 4)
#define PT_UNCACHED	(1u << 5)	/* x86: PCD|PWT */
#define PT_WC		(1u << 6)	/* write-combining: not yet on x86 (PAT) */
#define PT_ALL_FLAGS	(PT_READ | PT_WRITE | PT_EXEC | PT_USER | PT_GLOBAL | \
			 PT_UNCACHED | PT_WC)

#define PT_LEVELS	4
#define PT_ENTRIES	512
#define PT_VA_BITS	48
#define PT_PA_BITS	52

/* Long-mode paging entry bits. */
#define X86_PTE_P	(1ULL << 0)
#define X86_PTE_RW	(1ULL << 1)
#define X86_PTE_US	(1ULL << 2)
#define X86_PTE_PWT	(1ULL << 3)
#define X86_PTE_PCD	(1ULL << 4)
#define X86_PTE_A	(1ULL << 5)
#define X86_PTE_D	(1ULL << 6)
#define X86_PTE_PS	(1ULL << 7)
#define X86_PTE_G	(1ULL << 8)
#define X86_PTE_NX	(1ULL << 63)
#define X86_PTE_ADDR_MASK 0x000ffffffffff000ULL

struct pt_format {
	/* Non-leaf entry pointing at a 4K table. */
	uint64_t (*make_table)(paddr_t table);
	/* Leaf entry; level 1 = 4K, 2 = 2M, 3 = 1G. flags are PT_* values
	 * already checked against supported_flags. */
	uint64_t (*make_leaf)(paddr_t pa, unsigned int flags, unsigned int level);
	bool (*present)(uint64_t e);
	/* Only meaningful for present entries. */
	bool (*is_leaf)(uint64_t e, unsigned int level);
	/* Page base for a leaf, table address for a non-leaf. */
	paddr_t (*address)(uint64_t e, unsigned int level);
	/* Decode a leaf back into PT_* flags. */
	unsigned int (*flags)(uint64_t e, unsigned int level);
	/* PT_* flags make_leaf can encode; others are rejected with -ENOTSUP. */
	unsigned int supported_flags;
	/*
	 * true: addresses are CPU virtual addresses and must be canonical
	 * (bits 63..47 equal). false: addresses are plain 48-bit numbers
	 * (guest-physical for EPT).
	 */
	bool canonical_va;
};

extern const struct pt_format pt_format_x86;

struct pt_ops {
	/* Returns a 4K-aligned page below 2^52 (zeroed again by the walker). */
	int (*alloc_table)(void *ctx, paddr_t *pa);
	void (*free_table)(void *ctx, paddr_t pa);
	void *(*phys_to_virt)(void *ctx, paddr_t pa);
	void *ctx;
};

struct page_table {
	paddr_t root;
	const struct pt_format *fmt;
	const struct pt_ops *ops;
};

/* Allocates the root table. -EINVAL on missing callbacks, -ENOMEM. */
int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops);

/*
 * Maps [va, va + size) to [pa, pa + size) using the largest pages (up to
 * max_page: PAGE_SIZE, SIZE_2M or SIZE_1G, larger values mean 1G) that the
 * alignment of va, pa and the remaining size allow.
 * -EINVAL: unaligned, zero size, non-canonical/wrapping va, pa beyond 52 bits,
 *          max_page < PAGE_SIZE, unknown flags, PT_WC with PT_UNCACHED.
 * -ENOTSUP: flag the format cannot encode.
 * -EEXIST: some part already mapped; nothing changed.
 * -ENOMEM: table allocation failed; nothing changed.
 */
int pt_map(struct page_table *pt, uint64_t va, paddr_t pa, uint64_t size,
	   unsigned int flags, uint64_t max_page);

/*
 * Removes every mapping in [va, va + size); holes are fine. Large pages only
 * partly covered are split first (-ENOMEM possible, then nothing changed).
 * Tables left empty are freed.
 */
int pt_unmap(struct page_table *pt, uint64_t va, uint64_t size);

/* -ENOENT if va is not mapped. pa includes the offset within the page. Any
 * of pa, flags, page_size may be NULL. */
int pt_lookup(const struct page_table *pt, uint64_t va, paddr_t *pa,
	      unsigned int *flags, uint64_t *page_size);

/*
 * Replaces the flags of every page in [va, va + size), splitting large pages
 * that straddle the range ends. -ENOENT if any part is unmapped, -ENOMEM;
 * nothing changed on error.
 */
int pt_protect(struct page_table *pt, uint64_t va, uint64_t size,
	       unsigned int flags);

/* Frees every table page including the root (not the mapped memory). The
 * page_table must be re-initialised before reuse. */
void pt_destroy(struct page_table *pt);

#endif
