/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MM_H
#define PLINTH_MM_H

#include <asm/layout.h>
#include <plinth/boot_info.h>
#include <plinth/frame_alloc.h>
#include <plinth/types.h>

extern struct frame_allocator phys_frames;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(DIRECT_MAP_BASE + pa);
}

/* Direct-map and kernel-image addresses only. */
paddr_t virt_to_phys(const void *va);

int mm_init(const struct boot_info *bi);
void heap_setup(void);

int page_alloc(paddr_t *pa);          /* one zeroed 4K frame */
void page_free(paddr_t pa);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align); /* align: power of two up to 4096 */
void kfree(void *p);
struct heap_stats;
void kheap_stats(struct heap_stats *st);

/* arch paging (arch/x86_64/paging.c) */
int paging_init(const struct boot_info *bi);
void paging_activate(void);
void *ioremap(paddr_t pa, size_t size); /* uncached; NULL on failure */
/* A stack with an unmapped guard page below it; returns the top, 0 on failure. */
uint64_t stack_alloc(size_t size);
int paging_identity_map_page(paddr_t pa); /* for the AP trampoline */
paddr_t paging_root(void);

#endif
