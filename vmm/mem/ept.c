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

enum xfer {
	XFER_CHECK,
	XFER_FROM_GUEST,
	XFER_TO_GUEST,
};

/*
 * One pass over the guest range, a 4K piece at a time: the host pages
 * behind consecutive guest pages need not be contiguous, and phys_to_virt
 * is only trusted within the page it was asked for.
 */
static int xfer(const struct ept *e, uint64_t gpa, uint8_t *buf, size_t len,
		unsigned int need, enum xfer dir)
{
	const struct pt_ops *ops = e->pt.ops;
	size_t done = 0;

	while (done < len) {
		uint64_t off = gpa & (PAGE_SIZE - 1);
		size_t n = MIN(len - done, (size_t)(PAGE_SIZE - off));
		unsigned int fl;
		paddr_t pa;
		uint8_t *host;

		if (pt_lookup(&e->pt, gpa, &pa, &fl, NULL))
			return -EFAULT;
		/* MMIO must go through device emulation, never memcpy. */
		if ((fl & need) != need || (fl & (PT_UNCACHED | PT_WC)))
			return -EFAULT;
		host = ops->phys_to_virt(ops->ctx, pa - off);
		if (!host)
			return -EFAULT;
		if (dir == XFER_FROM_GUEST)
			memcpy(buf + done, host + off, n);
		else if (dir == XFER_TO_GUEST)
			memcpy(host + off, buf + done, n);
		gpa += n;
		done += n;
	}
	return 0;
}

static int copy_guest(const struct ept *e, uint64_t gpa, uint8_t *buf,
		      size_t len, unsigned int need, enum xfer dir)
{
	int ret;

	if (!ept_valid(e) || !buf)
		return -EINVAL;
	if (!len)
		return 0;
	if (!gpa_range_ok(gpa, len))
		return -EFAULT;
	/* Check everything first so a fault leaves both sides untouched. */
	ret = xfer(e, gpa, NULL, len, need, XFER_CHECK);
	if (ret)
		return ret;
	return xfer(e, gpa, buf, len, need, dir);
}

int ept_copy_from_guest(const struct ept *e, void *dst, gpa_t src, size_t len)
{
	return copy_guest(e, src.v, dst, len, PT_READ, XFER_FROM_GUEST);
}

int ept_copy_to_guest(const struct ept *e, gpa_t dst, const void *src,
		      size_t len)
{
	/* The cast only feeds memcpy's source side in XFER_TO_GUEST. */
	return copy_guest(e, dst.v, (uint8_t *)(uintptr_t)src, len, PT_WRITE,
			  XFER_TO_GUEST);
}
