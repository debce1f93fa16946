/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_FRAME_ALLOC_H
#define PLINTH_FRAME_ALLOC_H

/*
 * Physical frame allocator: one bit per 4 KiB frame over [0, highest usable
 * address). A set bit means "not available" (used, reserved or not RAM).
 *
 * The storage carved from usable memory holds two bitmaps of equal size:
 * the "used" bitmap (fa->bitmap) followed by a "RAM" bitmap that remembers
 * which frames the boot map made allocatable, so that freeing MMIO, firmware
 * or never-RAM frames is refused instead of silently turning them into free
 * memory. bitmap_bytes covers both; the carved region is
 * ALIGN_UP(bitmap_bytes, PAGE_SIZE) bytes at bitmap_phys.
 *
 * All functions take fa->lock, so they may be called from any CPU.
 */

#include <plinth/boot_info.h>
#include <plinth/spinlock.h>
#include <plinth/types.h>

/* Ranges above the architectural MAXPHYADDR limit are ignored. */
#define FRAME_MAX_PHYS (1ULL << 52)

struct frame_allocator {
	spinlock_t lock;
	uint64_t *bitmap;
	uint64_t frames; /* covered */
	uint64_t free_frames;
	uint64_t total_usable; /* usable frames per the map, before carving */
	uint64_t hint;
	paddr_t bitmap_phys;
	size_t bitmap_bytes;
	void *(*phys_to_virt)(paddr_t);
};

/*
 * Builds the allocator from the boot memory map. Ranges may be unsorted,
 * overlapping and unaligned; any non-usable range wins over usable ones.
 * phys_to_virt is called once, for the bitmap storage, and must map it
 * linearly. Returns -EINVAL on an empty/oversized map or bad arguments,
 * -ENOMEM if no usable range can hold the bitmaps.
 */
int frame_alloc_init(struct frame_allocator *fa, const struct boot_mem_range *map,
		     size_t count, void *(*phys_to_virt)(paddr_t pa));

/*
 * Contiguous run of `pages` frames starting on an `align`-byte boundary
 * (power of two >= PAGE_SIZE), entirely below `limit` (0 = no limit).
 * -EINVAL on bad arguments, -ENOMEM if no such run. Does not zero.
 * First fit; without a limit, memory below 1 MiB is used only as a last
 * resort so that it stays available for AP trampolines.
 */
int frame_alloc_pages(struct frame_allocator *fa, size_t pages, uint64_t align,
		      paddr_t limit, paddr_t *out);

/* One frame, next-fit from the last allocation (starting at 1 MiB). */
int frame_alloc_page(struct frame_allocator *fa, paddr_t *out);

/*
 * -EINVAL if pa is unaligned, the run leaves RAM the allocator manages, or
 * any frame in it is already free; nothing is freed in that case.
 */
int frame_free_pages(struct frame_allocator *fa, paddr_t pa, size_t pages);

/*
 * Marks [pa, pa + bytes) used, rounded outward to frames. Already used
 * frames are fine; the part beyond the covered range is ignored.
 * -EINVAL for bytes == 0 or a wrapping range.
 */
int frame_reserve(struct frame_allocator *fa, paddr_t pa, uint64_t bytes);

uint64_t frame_alloc_free_count(struct frame_allocator *fa);

#endif
