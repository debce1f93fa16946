/* SPDX-License-Identifier: GPL-2.0 */
/* Glue between the boot memory map, the frame allocator and the heap. */
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>

struct frame_allocator phys_frames;
static struct heap kernel_heap;
static uint64_t kernel_phys, kernel_virt, kernel_size;

paddr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= kernel_virt && v < kernel_virt + kernel_size)
		return kernel_phys + (v - kernel_virt);
	return v - DIRECT_MAP_BASE;
}

static const char *const mem_type_names[] = {
	[BOOT_MEM_USABLE] = "usable",         [BOOT_MEM_RESERVED] = "reserved",
	[BOOT_MEM_ACPI_RECLAIM] = "ACPI",     [BOOT_MEM_ACPI_NVS] = "ACPI NVS",
	[BOOT_MEM_MMIO] = "MMIO",             [BOOT_MEM_UNUSABLE] = "unusable",
	[BOOT_MEM_PLINTH_KERNEL] = "kernel",  [BOOT_MEM_PLINTH_BOOT] = "boot data",
	[BOOT_MEM_PLINTH_MODULE] = "modules",
};

static void log_memory_map(const struct boot_info *bi)
{
	uint64_t usable = 0;

	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		const char *name = r->type < ARRAY_SIZE(mem_type_names) && mem_type_names[r->type]
					   ? mem_type_names[r->type] : "?";

		pr_debug("mem: %016lx-%016lx %s\n", r->base, r->base + r->length - 1, name);
		if (r->type == BOOT_MEM_USABLE)
			usable += r->length;
	}
	pr_info("mem: %u ranges, %lu MiB usable\n", bi->mem_count, usable >> 20);
}

int mm_init(const struct boot_info *bi)
{
	int ret;

	kernel_phys = bi->kernel_phys;
	kernel_virt = bi->kernel_virt;
	kernel_size = bi->kernel_size;
	log_memory_map(bi);
	ret = frame_alloc_init(&phys_frames, bi->mem, bi->mem_count, phys_to_virt);
	if (ret < 0)
		return ret;
	pr_info("mem: frame allocator ready, %lu MiB free\n",
		frame_alloc_free_count(&phys_frames) >> (20 - PAGE_SHIFT));
	return 0;
}

int page_alloc(paddr_t *pa)
{
	int ret = frame_alloc_page(&phys_frames, pa);

	if (ret == 0)
		memset(phys_to_virt(*pa), 0, PAGE_SIZE);
	return ret;
}

void page_free(paddr_t pa)
{
	if (frame_free_pages(&phys_frames, pa, 1) < 0)
		pr_err("mem: bad free of frame %lx\n", pa);
}

static void *heap_get_pages(void *ctx, size_t pages)
{
	paddr_t pa;

	(void)ctx;
	if (frame_alloc_pages(&phys_frames, pages, PAGE_SIZE, 0, &pa) < 0)
		return NULL;
	return phys_to_virt(pa);
}

static void heap_put_pages(void *ctx, void *va, size_t pages)
{
	(void)ctx;
	if (frame_free_pages(&phys_frames, virt_to_phys(va), pages) < 0)
		pr_err("mem: heap returned bad pages %p\n", va);
}

void heap_setup(void)
{
	static const struct heap_backend backend = {
		.alloc_pages = heap_get_pages,
		.free_pages = heap_put_pages,
	};

	heap_init(&kernel_heap, &backend);
}

void *kmalloc(size_t size)
{
	return heap_alloc(&kernel_heap, size);
}

void *kzalloc(size_t size)
{
	return heap_zalloc(&kernel_heap, size);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	return heap_alloc_aligned(&kernel_heap, size, align);
}

void kfree(void *p)
{
	if (heap_free(&kernel_heap, p) < 0)
		pr_err("mem: kfree of bad pointer %p\n", p);
}

void kheap_stats(struct heap_stats *st)
{
	heap_get_stats(&kernel_heap, st);
}
