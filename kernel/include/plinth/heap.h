/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_HEAP_H
#define PLINTH_HEAP_H

/*
 * Kernel heap: size-class slabs carved from 4 KiB pages for requests up to
 * 2048 bytes, whole pages with a header beyond that. Every object can be
 * traced back to a header whose magic is bound to the heap and the page
 * address, which is how foreign pointers and double frees are refused.
 *
 * The backend is called with h->lock held: it must not call back into the
 * same heap (lock order: heap, then whatever the backend takes).
 */

#include <plinth/spinlock.h>
#include <plinth/types.h>

struct heap_backend {
	/* Returns page-aligned memory or NULL. */
	void *(*alloc_pages)(void *ctx, size_t pages);
	void (*free_pages)(void *ctx, void *va, size_t pages);
	void *ctx;
};

#define HEAP_NR_CLASSES 15
#define HEAP_MAX_SMALL 2048

struct heap_slab;

struct heap_class {
	struct heap_slab *partial; /* slabs with both used and free slots */
	struct heap_slab *spare; /* one fully free slab kept against churn */
	uint32_t obj_size;
};

struct heap {
	spinlock_t lock;
	struct heap_backend backend;
	struct heap_class classes[HEAP_NR_CLASSES];
	uint64_t bytes_in_use;
	uint64_t pages_held;
	uint64_t allocs;
	uint64_t frees;
};

/*
 * bytes_in_use counts usable sizes: the class size for slab objects, the
 * bytes from the object to the end of its pages for large ones.
 * pages_held includes slab pages kept as spares.
 */
struct heap_stats {
	uint64_t bytes_in_use;
	uint64_t pages_held;
	uint64_t allocs;
	uint64_t frees;
};

void heap_init(struct heap *h, const struct heap_backend *backend);
/* 16-byte aligned; NULL on failure or size 0. */
void *heap_alloc(struct heap *h, size_t size);
void *heap_zalloc(struct heap *h, size_t size);
/* align: power of two up to 4096, else NULL. */
void *heap_alloc_aligned(struct heap *h, size_t size, size_t align);
/* 0, or -EINVAL for a pointer this heap did not hand out or a double free. */
int heap_free(struct heap *h, void *p);
void heap_get_stats(struct heap *h, struct heap_stats *st);

#endif
