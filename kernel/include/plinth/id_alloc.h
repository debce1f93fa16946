/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ID_ALLOC_H
#define PLINTH_ID_ALLOC_H

#include <plinth/types.h>

/*
 * A bitmap allocator of small integer IDs in [first, first + count): VPIDs
 * today, ASIDs for an SVM backend later. The caller supplies the storage and
 * the lock, so the allocator works before the heap exists and is testable on
 * the host. IDs are handed out round-robin from the last one taken, which
 * keeps a just-freed ID (whose TLB entries may still be flushed lazily) idle
 * for as long as possible.
 */
struct id_alloc {
	uint64_t *bitmap;
	uint32_t first;
	uint32_t count;
	uint32_t next; /* offset to try first */
	uint32_t used;
};

/* Words of storage needed for count IDs. */
#define ID_ALLOC_WORDS(count) (((count) + 63) / 64)

/* -EINVAL if storage (in 64-bit words) cannot hold count IDs or count is 0. */
int id_alloc_init(struct id_alloc *a, uint32_t first, uint32_t count,
		  uint64_t *storage, size_t words);
/* 0 and *id set, or -ENOSPC when every ID is live. */
int id_alloc_get(struct id_alloc *a, uint32_t *id);
/* -EINVAL for an ID outside the range or not allocated (a double free). */
int id_alloc_put(struct id_alloc *a, uint32_t id);

#endif
