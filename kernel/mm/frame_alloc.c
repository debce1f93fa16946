/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bitmap frame allocator. Searches work on 64-frame words so that full
 * regions are skipped a word at a time and aligned searches jump straight
 * to the next candidate instead of testing every frame.
 */

#include <plinth/string.h>
#include <plinth/errno.h>
#include <plinth/frame_alloc.h>

#define LOW_MEM_FRAMES (MIB(1) >> PAGE_SHIFT)

/* Open-coded: __builtin_popcountll may become a libgcc call we don't link. */
static unsigned int popcount64(uint64_t w)
{
	w = w - ((w >> 1) & 0x5555555555555555ULL);
	w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned int)((w * 0x0101010101010101ULL) >> 56);
}

/* Bits [lo, 63] of a word (lo < 64). */
static inline uint64_t mask_from(uint64_t lo)
{
	return ~0ULL << lo;
}

/* Bits [0, hi) of a word, hi in 1..64. */
static inline uint64_t mask_below(uint64_t hi)
{
	return hi >= 64 ? ~0ULL : (1ULL << hi) - 1;
}

/* Sets bits [start, end); returns how many were clear before. */
static uint64_t bits_set(uint64_t *bm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	while (start < end) {
		uint64_t i = start / 64, lo = start % 64;
		uint64_t hi = MIN(end - i * 64, 64);
		uint64_t m = mask_from(lo) & mask_below(hi);

		n += popcount64(~bm[i] & m);
		bm[i] |= m;
		start = i * 64 + hi;
	}
	return n;
}

static void bits_clear(uint64_t *bm, uint64_t start, uint64_t end)
{
	while (start < end) {
		uint64_t i = start / 64, lo = start % 64;
		uint64_t hi = MIN(end - i * 64, 64);

		bm[i] &= ~(mask_from(lo) & mask_below(hi));
		start = i * 64 + hi;
	}
}

/* First index in [start, end) whose bit equals `want`, or end. */
static uint64_t find_next(const uint64_t *bm, uint64_t start, uint64_t end, bool want)
{
	uint64_t i, w, flip = want ? 0 : ~0ULL;

	if (start >= end)
		return end;
	i = start / 64;
	w = (bm[i] ^ flip) & mask_from(start % 64);
	for (;;) {
		if (w) {
			uint64_t idx = i * 64 + (uint64_t)__builtin_ctzll(w);

			return MIN(idx, end);
		}
		i++;
		if (i * 64 >= end)
			return end;
		w = bm[i] ^ flip;
	}
}

static inline uint64_t find_next_zero(const uint64_t *bm, uint64_t start, uint64_t end)
{
	return find_next(bm, start, end, false);
}

static inline uint64_t find_next_set(const uint64_t *bm, uint64_t start, uint64_t end)
{
	return find_next(bm, start, end, true);
}

/*
 * Converts a map entry to a frame range. Usable RAM is rounded inward
 * (a partial frame is not RAM we may hand out), everything else outward
 * (a partial frame of MMIO must never be handed out).
 */
static bool range_frames(const struct boot_mem_range *r, bool inward,
			 uint64_t *fs, uint64_t *fe)
{
	uint64_t base = r->base, end = r->base + r->length;
	uint64_t s, e;

	if (r->length == 0 || base >= FRAME_MAX_PHYS)
		return false;
	if (end < base || end > FRAME_MAX_PHYS)
		end = FRAME_MAX_PHYS;
	if (inward) {
		s = ALIGN_UP(base, PAGE_SIZE);
		e = ALIGN_DOWN(end, PAGE_SIZE);
	} else {
		s = ALIGN_DOWN(base, PAGE_SIZE);
		e = ALIGN_UP(end, PAGE_SIZE);
	}
	if (s >= e)
		return false;
	*fs = s >> PAGE_SHIFT;
	*fe = e >> PAGE_SHIFT;
	return true;
}

static inline bool is_usable(const struct boot_mem_range *r)
{
	return r->type == BOOT_MEM_USABLE;
}

/*
 * Lowest run of `need` frames at or above min_frame that is usable and
 * clear of every non-usable range. The lowest, not the first found, so the
 * result does not depend on the order of the map.
 */
static bool find_storage(const struct boot_mem_range *map, size_t count,
			 uint64_t need, uint64_t min_frame, uint64_t *out)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < count; i++) {
		uint64_t s, e;
		bool moved;

		if (!is_usable(&map[i]) || !range_frames(&map[i], true, &s, &e))
			continue;
		s = MAX(s, min_frame);
		do {
			if (s >= e || e - s < need)
				break;
			moved = false;
			for (size_t j = 0; j < count; j++) {
				uint64_t rs, re;

				if (is_usable(&map[j]) ||
				    !range_frames(&map[j], false, &rs, &re))
					continue;
				if (rs < s + need && re > s) {
					s = re;
					moved = true;
					if (s >= e || e - s < need)
						break;
				}
			}
			if (!moved && s < best)
				best = s;
		} while (moved);
	}
	if (best == UINT64_MAX)
		return false;
	*out = best;
	return true;
}

int frame_alloc_init(struct frame_allocator *fa, const struct boot_mem_range *map,
		     size_t count, void *(*phys_to_virt)(paddr_t pa))
{
	uint64_t frames = 0, words, need, start, *used, *ram;
	size_t bytes;

	if (!fa || !map || count == 0 || count > BOOT_MAX_MEM_RANGES || !phys_to_virt)
		return -EINVAL;

	memset(fa, 0, sizeof(*fa));
	spin_lock_init(&fa->lock);

	for (size_t i = 0; i < count; i++) {
		uint64_t s, e;

		if (is_usable(&map[i]) && range_frames(&map[i], true, &s, &e))
			frames = MAX(frames, e);
	}
	if (frames == 0)
		return -ENOMEM;

	words = (frames + 63) / 64;
	bytes = (size_t)(words * sizeof(uint64_t) * 2);
	need = ALIGN_UP((uint64_t)bytes, PAGE_SIZE) >> PAGE_SHIFT;
	/* Low memory is scarce and needed for AP trampolines; avoid it. */
	if (!find_storage(map, count, need, LOW_MEM_FRAMES, &start) &&
	    !find_storage(map, count, need, 1, &start))
		return -ENOMEM;

	used = phys_to_virt(start << PAGE_SHIFT);
	if (!used)
		return -EFAULT;
	ram = used + words;

	memset(ram, 0, words * sizeof(uint64_t));
	for (size_t i = 0; i < count; i++) {
		uint64_t s, e;

		if (is_usable(&map[i]) && range_frames(&map[i], true, &s, &e))
			bits_set(ram, s, MIN(e, frames));
	}
	/* A second pass so that overlap resolves the same way in any order. */
	for (size_t i = 0; i < count; i++) {
		uint64_t s, e;

		if (!is_usable(&map[i]) && range_frames(&map[i], false, &s, &e) &&
		    s < frames)
			bits_clear(ram, s, MIN(e, frames));
	}
	for (uint64_t i = 0; i < words; i++)
		fa->total_usable += popcount64(ram[i]);

	/* Frame 0 doubles as "no page" in too many places to hand it out. */
	bits_clear(ram, 0, 1);
	bits_clear(ram, start, start + need);
	for (uint64_t i = 0; i < words; i++) {
		used[i] = ~ram[i];
		fa->free_frames += popcount64(ram[i]);
	}

	fa->bitmap = used;
	fa->frames = frames;
	fa->hint = MIN(LOW_MEM_FRAMES, frames);
	fa->bitmap_phys = start << PAGE_SHIFT;
	fa->bitmap_bytes = bytes;
	fa->phys_to_virt = phys_to_virt;
	return 0;
}

static inline uint64_t *ram_bitmap(struct frame_allocator *fa)
{
	return fa->bitmap + (fa->frames + 63) / 64;
}

/* First-fit run of `pages` free frames aligned to align_f in [start, end). */
static bool search_run(struct frame_allocator *fa, uint64_t pages, uint64_t align_f,
		       uint64_t start, uint64_t end, uint64_t *out)
{
	uint64_t s = ALIGN_UP(find_next_zero(fa->bitmap, start, end), align_f);

	while (s < end && pages <= end - s) {
		uint64_t u = find_next_set(fa->bitmap, s, s + pages);

		if (u == s + pages) {
			*out = s;
			return true;
		}
		/* Nothing can start at or before the used frame just found. */
		s = ALIGN_UP(find_next_zero(fa->bitmap, u + 1, end), align_f);
	}
	return false;
}

static bool search_next_fit(struct frame_allocator *fa, uint64_t *out)
{
	uint64_t hint = MIN(fa->hint, fa->frames);
	uint64_t f = find_next_zero(fa->bitmap, hint, fa->frames);

	if (f == fa->frames) {
		f = find_next_zero(fa->bitmap, 0, hint);
		if (f == hint)
			return false;
	}
	*out = f;
	return true;
}

int frame_alloc_pages(struct frame_allocator *fa, size_t pages, uint64_t align,
		      paddr_t limit, paddr_t *out)
{
	uint64_t end, f, align_f;
	bool found;

	if (!fa || !fa->bitmap || !out || pages == 0 || align < PAGE_SIZE ||
	    (align & (align - 1)))
		return -EINVAL;

	align_f = align >> PAGE_SHIFT;
	spin_lock(&fa->lock);
	end = fa->frames;
	if (limit)
		end = MIN(end, limit >> PAGE_SHIFT);
	if (pages == 1 && align_f == 1 && !limit)
		found = search_next_fit(fa, &f);
	else if (limit)
		found = search_run(fa, pages, align_f, 0, end, &f);
	else
		/* Unconstrained requests leave low memory to those that need it. */
		found = search_run(fa, pages, align_f, LOW_MEM_FRAMES, end, &f) ||
			search_run(fa, pages, align_f, 0, end, &f);
	if (found) {
		bits_set(fa->bitmap, f, f + pages);
		fa->free_frames -= pages;
		if (pages == 1 && align_f == 1)
			fa->hint = f + 1;
	}
	spin_unlock(&fa->lock);

	if (!found)
		return -ENOMEM;
	*out = f << PAGE_SHIFT;
	return 0;
}

int frame_alloc_page(struct frame_allocator *fa, paddr_t *out)
{
	return frame_alloc_pages(fa, 1, PAGE_SIZE, 0, out);
}

int frame_free_pages(struct frame_allocator *fa, paddr_t pa, size_t pages)
{
	uint64_t f = pa >> PAGE_SHIFT;
	int ret = -EINVAL;

	if (!fa || !fa->bitmap || pages == 0 || !IS_ALIGNED(pa, PAGE_SIZE))
		return -EINVAL;

	spin_lock(&fa->lock);
	if (f >= fa->frames || pages > fa->frames - f)
		goto out;
	/* Never-RAM frames stay used forever, whatever the caller claims. */
	if (find_next_zero(ram_bitmap(fa), f, f + pages) != f + pages)
		goto out;
	if (find_next_zero(fa->bitmap, f, f + pages) != f + pages)
		goto out;
	bits_clear(fa->bitmap, f, f + pages);
	fa->free_frames += pages;
	ret = 0;
out:
	spin_unlock(&fa->lock);
	return ret;
}

int frame_reserve(struct frame_allocator *fa, paddr_t pa, uint64_t bytes)
{
	uint64_t end = pa + bytes, fs, fe;

	if (!fa || !fa->bitmap || bytes == 0 || end < pa)
		return -EINVAL;

	fs = pa >> PAGE_SHIFT;
	fe = (end >> PAGE_SHIFT) + ((end & (PAGE_SIZE - 1)) != 0);
	spin_lock(&fa->lock);
	fe = MIN(fe, fa->frames);
	if (fs < fe)
		fa->free_frames -= bits_set(fa->bitmap, fs, fe);
	spin_unlock(&fa->lock);
	return 0;
}

uint64_t frame_alloc_free_count(struct frame_allocator *fa)
{
	uint64_t n;

	if (!fa)
		return 0;
	spin_lock(&fa->lock);
	n = fa->free_frames;
	spin_unlock(&fa->lock);
	return n;
}
