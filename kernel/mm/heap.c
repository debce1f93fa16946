/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel heap. Small objects live in 4 KiB slab pages whose first 128
 * bytes are a header (so the header of any object is ALIGN_DOWN(p, 4K));
 * a per-slab bitmap records live slots, which makes double frees and
 * interior pointers detectable. Large objects get whole pages with a header
 * at the start of the first page.
 */

#include <plinth/string.h>
#include <plinth/errno.h>
#include <plinth/heap.h>

#define SLAB_HDR 128
#define LARGE_HDR 64
#define SLAB_MAP_WORDS 4
#define SLAB_MAGIC 0x50534c4142484541ULL
#define LARGE_MAGIC 0x504c415247454850ULL

/*
 * Powers of two are laid out at multiples of their size, so they double as
 * naturally aligned classes for heap_alloc_aligned(). The others are sized
 * to fill the 3968 bytes after the header with little waste.
 */
static const uint16_t class_sizes[HEAP_NR_CLASSES] = {
	16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1312, 1984, 2048,
};

struct heap_slab {
	uint64_t magic;
	struct heap_slab *next;
	struct heap_slab *prev;
	uint16_t obj_size;
	uint16_t nr;
	uint16_t in_use;
	uint16_t first_off;
	uint8_t cls;
	uint8_t pad[7];
	uint64_t map[SLAB_MAP_WORDS];
};

struct large_hdr {
	uint64_t magic;
	uint64_t pages;
	uint64_t obj_off;
	uint64_t pad[5];
};

_Static_assert(sizeof(struct heap_slab) <= SLAB_HDR, "slab header too big");
_Static_assert(sizeof(struct large_hdr) == LARGE_HDR, "large header size");
_Static_assert((PAGE_SIZE - SLAB_HDR) / 16 <= SLAB_MAP_WORDS * 64, "slab map too small");

/* Bound to heap and page, so stale or copied headers do not validate. */
static uint64_t magic_for(const struct heap *h, const void *page, uint64_t kind)
{
	return kind ^ ((uintptr_t)h * 0x9e3779b97f4a7c15ULL) ^ (uintptr_t)page;
}

static inline bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

void heap_init(struct heap *h, const struct heap_backend *backend)
{
	if (!h)
		return;
	memset(h, 0, sizeof(*h));
	spin_lock_init(&h->lock);
	if (backend)
		h->backend = *backend;
	for (int i = 0; i < HEAP_NR_CLASSES; i++)
		h->classes[i].obj_size = class_sizes[i];
}

static void *backend_alloc(struct heap *h, size_t pages)
{
	void *p;

	if (!h->backend.alloc_pages)
		return NULL;
	p = h->backend.alloc_pages(h->backend.ctx, pages);
	if (p && !IS_ALIGNED((uintptr_t)p, PAGE_SIZE)) {
		/* Headers are found by rounding down; a misaligned page breaks that. */
		if (h->backend.free_pages)
			h->backend.free_pages(h->backend.ctx, p, pages);
		return NULL;
	}
	if (p)
		h->pages_held += pages;
	return p;
}

static void backend_free(struct heap *h, void *p, size_t pages)
{
	h->pages_held -= pages;
	if (h->backend.free_pages)
		h->backend.free_pages(h->backend.ctx, p, pages);
}

static void list_push(struct heap_slab **head, struct heap_slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void list_del(struct heap_slab **head, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static struct heap_slab *slab_new(struct heap *h, int cls)
{
	uint16_t size = class_sizes[cls];
	struct heap_slab *s = backend_alloc(h, 1);

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->magic = magic_for(h, s, SLAB_MAGIC);
	s->obj_size = size;
	s->first_off = is_pow2(size) ? MAX(size, SLAB_HDR) : SLAB_HDR;
	s->nr = (uint16_t)((PAGE_SIZE - s->first_off) / size);
	s->cls = (uint8_t)cls;
	return s;
}

static void *slab_alloc(struct heap *h, int cls)
{
	struct heap_class *c = &h->classes[cls];
	struct heap_slab *s = c->partial;
	unsigned int idx = 0;

	if (!s) {
		s = c->spare ? c->spare : slab_new(h, cls);
		if (!s)
			return NULL;
		c->spare = NULL;
		list_push(&c->partial, s);
	}
	for (int w = 0; w < SLAB_MAP_WORDS; w++) {
		if (~s->map[w]) {
			idx = (unsigned int)(w * 64 + __builtin_ctzll(~s->map[w]));
			break;
		}
	}
	/* Bits past nr are never set, so the first clear one is below nr. */
	s->map[idx / 64] |= 1ULL << (idx % 64);
	if (++s->in_use == s->nr)
		list_del(&c->partial, s);
	h->bytes_in_use += s->obj_size;
	h->allocs++;
	return (uint8_t *)s + s->first_off + (size_t)idx * s->obj_size;
}

static int slab_free(struct heap *h, struct heap_slab *s, void *p)
{
	struct heap_class *c;
	uintptr_t off = (uintptr_t)p - (uintptr_t)s;
	uint64_t idx, bit;

	if (s->cls >= HEAP_NR_CLASSES || off < s->first_off)
		return -EINVAL;
	off -= s->first_off;
	if (off % s->obj_size)
		return -EINVAL;
	idx = off / s->obj_size;
	if (idx >= s->nr)
		return -EINVAL;
	bit = 1ULL << (idx % 64);
	if (!(s->map[idx / 64] & bit))
		return -EINVAL;

	c = &h->classes[s->cls];
	s->map[idx / 64] &= ~bit;
	if (s->in_use-- == s->nr)
		list_push(&c->partial, s);
	h->bytes_in_use -= s->obj_size;
	h->frees++;
	if (s->in_use == 0) {
		list_del(&c->partial, s);
		if (!c->spare) {
			c->spare = s;
		} else {
			s->magic = 0;
			backend_free(h, s, 1);
		}
	}
	return 0;
}

static void *large_alloc(struct heap *h, size_t size, size_t align)
{
	size_t off = MAX((size_t)LARGE_HDR, align);
	struct large_hdr *hdr;
	size_t pages;

	if (size > SIZE_MAX - off - PAGE_SIZE)
		return NULL;
	pages = (off + size + PAGE_SIZE - 1) / PAGE_SIZE;
	hdr = backend_alloc(h, pages);
	if (!hdr)
		return NULL;
	hdr->magic = magic_for(h, hdr, LARGE_MAGIC);
	hdr->pages = pages;
	hdr->obj_off = off;
	h->bytes_in_use += pages * PAGE_SIZE - off;
	h->allocs++;
	return (uint8_t *)hdr + off;
}

static int large_free(struct heap *h, struct large_hdr *hdr, void *p)
{
	if ((uint8_t *)hdr + hdr->obj_off != (uint8_t *)p || hdr->pages == 0)
		return -EINVAL;
	h->bytes_in_use -= hdr->pages * PAGE_SIZE - hdr->obj_off;
	h->frees++;
	hdr->magic = 0;
	backend_free(h, hdr, hdr->pages);
	return 0;
}

static int class_for(size_t size)
{
	for (int i = 0; i < HEAP_NR_CLASSES; i++)
		if (size <= class_sizes[i])
			return i;
	return -1;
}

void *heap_alloc_aligned(struct heap *h, size_t size, size_t align)
{
	size_t need = size;
	void *p;
	int cls;

	if (!h || size == 0 || !is_pow2(align) || align > PAGE_SIZE)
		return NULL;
	if (align > 16) {
		/* A power-of-two class at least `align` big is aligned to it. */
		need = MAX(size, align);
		if (need <= HEAP_MAX_SMALL) {
			size_t p2 = 16;

			while (p2 < need)
				p2 <<= 1;
			need = p2;
		}
	}
	cls = need <= HEAP_MAX_SMALL ? class_for(need) : -1;
	spin_lock(&h->lock);
	if (cls >= 0)
		p = slab_alloc(h, cls);
	else
		p = large_alloc(h, size, align);
	spin_unlock(&h->lock);
	return p;
}

void *heap_alloc(struct heap *h, size_t size)
{
	return heap_alloc_aligned(h, size, 16);
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);

	if (p)
		memset(p, 0, size);
	return p;
}

int heap_free(struct heap *h, void *p)
{
	uintptr_t a = (uintptr_t)p;
	void *page;
	uint64_t magic;
	int ret = -EINVAL;

	if (!p)
		return 0;
	if (!h || !IS_ALIGNED(a, 16))
		return -EINVAL;
	/* Page-aligned objects are only ever large ones aligned to 4 KiB. */
	if (IS_ALIGNED(a, PAGE_SIZE)) {
		if (a < PAGE_SIZE)
			return -EINVAL;
		page = (void *)(a - PAGE_SIZE);
	} else {
		page = (void *)ALIGN_DOWN(a, PAGE_SIZE);
	}

	spin_lock(&h->lock);
	magic = *(const uint64_t *)page;
	if (magic == magic_for(h, page, SLAB_MAGIC) && !IS_ALIGNED(a, PAGE_SIZE))
		ret = slab_free(h, page, p);
	else if (magic == magic_for(h, page, LARGE_MAGIC))
		ret = large_free(h, page, p);
	spin_unlock(&h->lock);
	return ret;
}

void heap_get_stats(struct heap *h, struct heap_stats *st)
{
	if (!h || !st)
		return;
	spin_lock(&h->lock);
	st->bytes_in_use = h->bytes_in_use;
	st->pages_held = h->pages_held;
	st->allocs = h->allocs;
	st->frees = h->frees;
	spin_unlock(&h->lock);
}
