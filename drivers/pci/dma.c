// SPDX-License-Identifier: GPL-2.0
/* DMA memory for Plinth's drivers: whole frames from the physical allocator. */
#include <pci/pci.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>

static size_t dma_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

void *dma_alloc(size_t size, uint64_t *bus)
{
	paddr_t pa;
	void *va;

	if (!size || frame_alloc_pages(&phys_frames, dma_pages(size), PAGE_SIZE, 0, &pa) < 0)
		return NULL;
	va = phys_to_virt(pa);
	memset(va, 0, dma_pages(size) * PAGE_SIZE);
	/* No IOMMU: the device uses host-physical addresses. */
	*bus = pa;
	return va;
}

void dma_free(void *va, size_t size)
{
	if (!va)
		return;
	if (frame_free_pages(&phys_frames, virt_to_phys(va), dma_pages(size)) < 0)
		pr_err("dma: bad free of %lu bytes at %lx\n", (unsigned long)size,
		       (unsigned long)(uintptr_t)va);
}
