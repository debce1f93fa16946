/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's image store: plinth/image_store.h over the global frame allocator. */
#include <plinth/image_store.h>
#include <plinth/log.h>
#include <plinth/mm.h>

struct image_store kernel_images;

static int frames_alloc(void *ctx, size_t pages, paddr_t *pa)
{
	return frame_alloc_pages(ctx, pages, PAGE_SIZE, 0, pa);
}

static void frames_free(void *ctx, paddr_t pa, size_t pages)
{
	if (frame_free_pages(ctx, pa, pages) < 0)
		pr_err("images: bad free of %zu frames at %lx\n", pages, pa);
}

static void *frames_map(void *ctx, paddr_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

int image_store_setup(void)
{
	const struct image_store_ops ops = {
		.alloc_pages = frames_alloc,
		.free_pages = frames_free,
		.map = frames_map,
		.ctx = &phys_frames,
	};
	uint64_t capacity = frame_alloc_free_count(&phys_frames) * PAGE_SIZE /
			    IMAGE_STORE_MEM_DIVISOR;
	int ret = image_store_init(&kernel_images, &ops, capacity);

	if (ret == 0)
		pr_info("images: store ready, up to %lu MiB in %u images\n", capacity >> 20,
			IMAGE_STORE_SLOTS);
	return ret;
}
