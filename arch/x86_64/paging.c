/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own page tables, replacing the loader's: text RX, rodata R,
 * data RW+NX, physical memory direct-mapped RW+NX, MMIO uncached in its own
 * window, and stacks with unmapped guard pages below them.
 */
#include <asm/cpu.h>
#include <asm/layout.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/pagetable.h>
#include <plinth/spinlock.h>
#include <plinth/symbols.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

static struct page_table kernel_pt;
static spinlock_t kernel_pt_lock = SPINLOCK_INIT;
static uint64_t mmio_next = MMIO_MAP_BASE;
static uint64_t stack_next = STACK_MAP_BASE;
static uint64_t max_page = SIZE_2M;

static int pt_alloc(void *ctx, paddr_t *pa)
{
	(void)ctx;
	/* Below 4 GiB: APs load the root from 32-bit code in the trampoline. */
	return frame_alloc_pages(&phys_frames, 1, PAGE_SIZE, GIB(4), pa);
}

static void pt_free(void *ctx, paddr_t pa)
{
	(void)ctx;
	page_free(pa);
}

static void *pt_virt(void *ctx, paddr_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static const struct pt_ops kernel_pt_ops = {
	.alloc_table = pt_alloc,
	.free_table = pt_free,
	.phys_to_virt = pt_virt,
};

static int map_kernel_section(const struct boot_info *bi, char *start, char *end,
			      unsigned int flags)
{
	uint64_t va = (uint64_t)start;
	uint64_t size = ALIGN_UP((uint64_t)end, PAGE_SIZE) - va;

	return pt_map(&kernel_pt, va, bi->kernel_phys + (va - bi->kernel_virt), size,
		      flags | PT_GLOBAL, PAGE_SIZE);
}

/* Maps the union of every non-MMIO range, so neighbours share large pages. */
static int map_physical_memory(const struct boot_info *bi)
{
	uint64_t run_start = 0, run_end = MIB(1); /* legacy BIOS area: RSDP may sit there */
	int ret;

	for (uint32_t i = 0; i <= bi->mem_count; i++) {
		const struct boot_mem_range *r = i < bi->mem_count ? &bi->mem[i] : NULL;

		if (r && r->type == BOOT_MEM_MMIO)
			continue;
		if (r) {
			uint64_t s = ALIGN_DOWN(r->base, PAGE_SIZE);
			uint64_t e = ALIGN_UP(r->base + r->length, PAGE_SIZE);

			if (s <= run_end) {
				run_end = MAX(run_end, e);
				continue;
			}
		}
		ret = pt_map(&kernel_pt, DIRECT_MAP_BASE + run_start, run_start,
			     run_end - run_start, PT_WRITE | PT_GLOBAL, max_page);
		if (ret < 0)
			return ret;
		if (r) {
			run_start = ALIGN_DOWN(r->base, PAGE_SIZE);
			run_end = ALIGN_UP(r->base + r->length, PAGE_SIZE);
		}
	}
	return 0;
}

int paging_init(const struct boot_info *bi)
{
	struct cpuid_regs r;
	int ret;

	cpuid(0x80000001, &r);
	if (r.edx & (1u << 26))
		max_page = SIZE_1G;

	ret = pt_init(&kernel_pt, &pt_format_x86, &kernel_pt_ops);
	if (ret < 0)
		return ret;
	ret = map_kernel_section(bi, __text_start, __text_end, PT_EXEC);
	if (!ret)
		ret = map_kernel_section(bi, __rodata_start, __rodata_end, 0);
	if (!ret)
		ret = map_kernel_section(bi, __data_start, __data_end, PT_WRITE);
	if (!ret)
		ret = map_physical_memory(bi);
	if (ret < 0)
		pr_err("paging: building kernel tables failed: %s\n", strerror(ret));
	return ret;
}

void paging_activate(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(kernel_pt.root);
}

paddr_t paging_root(void)
{
	return kernel_pt.root;
}

static int map_locked(uint64_t va, paddr_t pa, uint64_t size, unsigned int flags)
{
	int ret;

	spin_lock(&kernel_pt_lock);
	ret = pt_map(&kernel_pt, va, pa, size, flags, PAGE_SIZE);
	spin_unlock(&kernel_pt_lock);
	return ret;
}

void *ioremap(paddr_t pa, size_t size)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t len = ALIGN_UP(size + off, PAGE_SIZE);
	uint64_t va = __atomic_fetch_add(&mmio_next, len, __ATOMIC_RELAXED);

	if (va + len > MMIO_MAP_BASE + MMIO_MAP_SIZE)
		return NULL;
	if (map_locked(va, pa - off, len, PT_WRITE | PT_UNCACHED) < 0)
		return NULL;
	return (void *)(va + off);
}

uint64_t stack_alloc(size_t size)
{
	uint64_t len = ALIGN_UP(size, PAGE_SIZE);
	uint64_t base = __atomic_fetch_add(&stack_next, len + PAGE_SIZE, __ATOMIC_RELAXED);
	uint64_t va = base + PAGE_SIZE; /* base itself stays unmapped: the guard */
	paddr_t pa;

	if (va + len > STACK_MAP_BASE + STACK_MAP_SIZE)
		return 0;
	if (frame_alloc_pages(&phys_frames, len / PAGE_SIZE, PAGE_SIZE, 0, &pa) < 0)
		return 0;
	if (map_locked(va, pa, len, PT_WRITE) < 0) {
		frame_free_pages(&phys_frames, pa, len / PAGE_SIZE);
		return 0;
	}
	return va + len;
}

bool stack_address_mapped(uint64_t va)
{
	paddr_t pa;
	unsigned int flags;
	uint64_t psize;

	return pt_lookup(&kernel_pt, va, &pa, &flags, &psize) == 0;
}

int paging_identity_map_page(paddr_t pa)
{
	return map_locked(pa, pa, PAGE_SIZE, PT_WRITE | PT_EXEC);
}
