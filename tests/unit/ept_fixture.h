/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EPT_FIXTURE_H
#define EPT_FIXTURE_H

/*
 * Fake host-physical memory: a pool of table pages and a small block of
 * "RAM" that guest pages can be backed by. Anything else has no host
 * mapping (phys_to_virt returns NULL), which the copy code must survive.
 */

#include <stdbool.h>
#include <stdint.h>

#include <plinth/pagetable.h>
#include <plinth/types.h>
#include <vmm/ept.h>

#define TBL_PAGES	600
#define TBL_BASE	0x7000000ULL
#define RAM_BASE	0x80000000ULL	/* 2M aligned so 2M leaves fit */
#define RAM_SIZE	(2 * SIZE_2M + 4 * PAGE_SIZE)

extern uint64_t tbl_mem[TBL_PAGES][PT_ENTRIES];
extern bool tbl_used[TBL_PAGES];
extern uint8_t ram[RAM_SIZE];
extern unsigned long n_allocs, n_frees;
extern long fail_after;		/* allocations before -ENOMEM; <0: never */

extern const struct pt_ops fake_ops;

/* Index into tbl_mem of a table page; asserts it is one. */
unsigned int tbl_index(paddr_t pa);
void fake_free(void *ctx, paddr_t pa);
void *fake_p2v(void *ctx, paddr_t pa);

/* cmocka setup: empty table pool, counters cleared, allocation never fails. */
int setup(void **state);
unsigned long live_tables(void);
/* ept_init that must succeed with exactly one (root) table. */
void init_ept(struct ept *e, uint64_t max_page);
/* ept_destroy, then checks every table page came back. */
void destroy_all(struct ept *e);

/* Raw entry for gpa at a level; every non-leaf above must be exactly RWX. */
uint64_t raw_entry(const struct ept *e, uint64_t gpa, unsigned int level);
void expect_translate(const struct ept *e, uint64_t g, uint64_t want,
		      unsigned int want_flags);
uint64_t page_size_at(const struct ept *e, uint64_t g);

#define RAM_FL	(PT_READ | PT_WRITE | PT_EXEC)
#define MMIO_FL	(PT_READ | PT_WRITE | PT_UNCACHED)
/* Leaf low bits: R|W|X + WB (6 << 3) = 0x37; R|W + UC = 0x03. */
#define LEAF_RAM	0x37ULL
#define LEAF_MMIO	0x03ULL

#endif
