/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-partition I/O bus (vmm/include/vmm/io_bus.h).
 *
 * Each space is an unsorted array searched linearly, in registration order.
 * A partition has some twenty port ranges and four MMIO ranges today, at
 * most IO_BUS_MAX_RANGES per space; the test devices come first. Scanning
 * that many entries costs about what a binary search's compares do, on
 * data in a dozen cache lines, and it needs no ordering invariant
 * that registration (and any later removal) would have to keep. The ranges
 * never overlap, so the first match is the only one.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/io_bus.h>

void io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

/* [base, base + size) without overflow: size is never 0 here, last is inclusive. */
static bool overlaps(const struct io_range *r, uint64_t base, uint64_t last)
{
	return base <= r->base + (r->size - 1) && r->base <= last;
}

int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t size,
		    const struct io_dev_ops *ops, void *opaque, const char *name)
{
	struct io_space_table *t;
	uint64_t last = base + size - 1;

	if ((unsigned int)space >= IO_SPACE_COUNT || !ops || !ops->access)
		return -EINVAL;
	if (size == 0 || last < base)
		return -EINVAL;
	if (space == IO_SPACE_PORT && last >= IO_PORT_SPACE_END)
		return -EINVAL;
	t = &bus->space[space];
	for (unsigned int i = 0; i < t->count; i++)
		if (overlaps(&t->ranges[i], base, last))
			return -EEXIST;
	if (t->count == IO_BUS_MAX_RANGES)
		return -ENOSPC;
	t->ranges[t->count++] = (struct io_range){
		.base = base,
		.size = size,
		.ops = ops,
		.opaque = opaque,
		.name = name,
	};
	return 0;
}
