/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A partition's guest-physical address space on top of the generic walker.
 * The walker already validates ranges and rolls back on error; this layer
 * fixes the permissions per kind of memory and checks the 48-bit limit
 * itself so the guarantee does not depend on the walker's VA width.
 */
#include <plinth/errno.h>
#include <plinth/pagetable.h>
#include <plinth/string.h>
#include <vmm/ept.h>

#define EPT_RAM_FLAGS	(PT_READ | PT_WRITE | PT_EXEC)
#define EPT_MMIO_FLAGS	(PT_READ | PT_WRITE | PT_UNCACHED)

static bool ept_valid(const struct ept *e)
{
	return e && e->pt.fmt == &pt_format_ept && e->pt.ops;
}

static bool gpa_range_ok(uint64_t gpa, uint64_t size)
{
	return gpa < EPT_GPA_LIMIT && size <= EPT_GPA_LIMIT - gpa;
}

int ept_init(struct ept *e, const struct pt_ops *ops, uint64_t max_page)
{
	int ret;

	if (!e)
		return -EINVAL;
	e->max_page = 0;
	e->pt.fmt = NULL;
	e->pt.ops = NULL;
	if (!ops || (max_page != PAGE_SIZE && max_page != SIZE_2M &&
		     max_page != SIZE_1G))
		return -EINVAL;
	ret = pt_init(&e->pt, &pt_format_ept, ops);
	if (ret)
		return ret;
	e->max_page = max_page;
	return 0;
}

static int ept_map(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size,
		   unsigned int flags)
{
	if (!ept_valid(e) || !gpa_range_ok(gpa.v, size))
		return -EINVAL;
	return pt_map(&e->pt, gpa.v, hpa.v, size, flags, e->max_page);
}

int ept_map_ram(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return ept_map(e, gpa, hpa, size, EPT_RAM_FLAGS);
}

int ept_map_mmio(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return ept_map(e, gpa, hpa, size, EPT_MMIO_FLAGS);
}

int ept_unmap(struct ept *e, gpa_t gpa, uint64_t size)
{
	if (!ept_valid(e) || !gpa_range_ok(gpa.v, size))
		return -EINVAL;
	return pt_unmap(&e->pt, gpa.v, size);
}

int ept_translate(const struct ept *e, gpa_t gpa, hpa_t *hpa,
		  unsigned int *flags)
{
	paddr_t pa;
	unsigned int fl;
	int ret;

	if (!ept_valid(e) || gpa.v >= EPT_GPA_LIMIT)
		return -EINVAL;
	ret = pt_lookup(&e->pt, gpa.v, &pa, &fl, NULL);
	if (ret)
		return ret;
	if (hpa)
		hpa->v = pa;
	if (flags)
		*flags = fl;
	return 0;
}

uint64_t ept_eptp(const struct ept *e)
{
	if (!ept_valid(e))
		return 0;
	return ept_make_eptp(e->pt.root);
}

void ept_destroy(struct ept *e)
{
	if (!ept_valid(e))
		return;
	pt_destroy(&e->pt);
	e->max_page = 0;
}
