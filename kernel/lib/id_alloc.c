// SPDX-License-Identifier: GPL-2.0
#include <plinth/errno.h>
#include <plinth/id_alloc.h>

int id_alloc_init(struct id_alloc *a, uint32_t first, uint32_t count,
		  uint64_t *storage, size_t words)
{
	if (!count || words < ID_ALLOC_WORDS((uint64_t)count) ||
	    (uint64_t)first + count > UINT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < words; i++)
		storage[i] = 0;
	a->bitmap = storage;
	a->first = first;
	a->count = count;
	a->next = 0;
	a->used = 0;
	return 0;
}

static bool id_bit(const struct id_alloc *a, uint32_t off)
{
	return a->bitmap[off / 64] & (1ULL << (off % 64));
}

int id_alloc_get(struct id_alloc *a, uint32_t *id)
{
	if (a->used == a->count)
		return -ENOSPC;
	/* A free ID exists, so this scan ends within count steps. */
	uint32_t off = a->next;
	while (id_bit(a, off))
		off = off + 1 == a->count ? 0 : off + 1;
	a->bitmap[off / 64] |= 1ULL << (off % 64);
	a->used++;
	a->next = off + 1 == a->count ? 0 : off + 1;
	*id = a->first + off;
	return 0;
}

int id_alloc_put(struct id_alloc *a, uint32_t id)
{
	if (id < a->first || id - a->first >= a->count)
		return -EINVAL;
	uint32_t off = id - a->first;
	if (!id_bit(a, off))
		return -EINVAL;
	a->bitmap[off / 64] &= ~(1ULL << (off % 64));
	a->used--;
	return 0;
}
