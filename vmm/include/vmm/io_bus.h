/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_IO_BUS_H
#define VMM_IO_BUS_H

/*
 * A partition's I/O bus: which device model answers which guest port or
 * guest-physical MMIO address. Port I/O and MMIO are separate address
 * spaces (port 0x500 and MMIO address 0x500 are different places), so each
 * has its own table.
 *
 * Devices register while the partition is set up, before any of its vCPUs
 * runs; after that the tables never change, so lookups from the vCPUs need
 * no lock.
 */
#include <plinth/types.h>

/* Per space: the PC platform's fourteen port ranges and the test devices, with room to grow. */
#define IO_BUS_MAX_RANGES 32
#define IO_PORT_SPACE_END 0x10000ULL /* ports are 16-bit */

enum io_space {
	IO_SPACE_PORT,
	IO_SPACE_MMIO,
	IO_SPACE_COUNT,
};

struct vcpu;

struct io_dev_ops {
	/*
	 * One access of size bytes at offset into the device's range, by vCPU v.
	 * A write takes its data from *value; a read stores its result there.
	 * 0, or a negative errno: for MMIO -ENOENT makes the access unclaimed
	 * (the partition is stopped); port I/O cannot fail, its result is ignored.
	 */
	int (*access)(struct vcpu *v, void *opaque, uint64_t offset, unsigned int size,
		      bool write, uint64_t *value);
};

struct io_range {
	uint64_t base;
	uint64_t size;
	const struct io_dev_ops *ops;
	void *opaque;
	const char *name;
};

struct io_space_table {
	unsigned int count;
	struct io_range ranges[IO_BUS_MAX_RANGES];
};

struct io_bus {
	struct io_space_table space[IO_SPACE_COUNT];
};

void io_bus_init(struct io_bus *bus);
/*
 * Claims [base, base + size) in space for a device. -EINVAL for an empty
 * range, one that wraps or leaves the space, or missing ops; -EEXIST if it
 * overlaps a range already registered; -ENOSPC when the table is full.
 */
int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t size,
		    const struct io_dev_ops *ops, void *opaque, const char *name);
/*
 * The range holding every byte of [addr, addr + size), with *offset set to
 * addr - base; NULL if none does. An access that starts inside a range but
 * runs past its end is not claimed by it.
 */
/* Inline: it runs on every port and MMIO exit. */
static inline const struct io_range *io_bus_find(const struct io_bus *bus, enum io_space space,
						 uint64_t addr, unsigned int size, uint64_t *offset)
{
	const struct io_space_table *t;

	if ((unsigned int)space >= IO_SPACE_COUNT || size == 0)
		return NULL;
	t = &bus->space[space];
	for (unsigned int i = 0; i < t->count; i++) {
		const struct io_range *r = &t->ranges[i];
		uint64_t off = addr - r->base; /* huge when addr < base: fails the test below */

		/* Written as differences so that no sum can wrap past 2^64. */
		if (off < r->size && size <= r->size - off) {
			if (offset)
				*offset = off;
			return r;
		}
	}
	return NULL;
}

#endif
