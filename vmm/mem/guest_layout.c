/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition's guest-physical map (vmm/include/vmm/guest_layout.h). Pure
 * arithmetic on a small table, so every consumer can afford to ask it and
 * the host unit tests can check it exhaustively at the region boundaries.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/guest_layout.h>

/* Devices Plinth emulates must sit in the hole, or RAM could cover them. */
_Static_assert(GUEST_LAPIC_BASE >= GUEST_MMIO_HOLE_START &&
	       GUEST_LAPIC_BASE + PAGE_SIZE <= GUEST_MMIO_HOLE_END, "LAPIC outside the MMIO hole");
_Static_assert(GUEST_TESTDEV_MMIO >= GUEST_MMIO_HOLE_START &&
	       GUEST_TESTDEV_MMIO + GUEST_TESTDEV_MMIO_SIZE <= GUEST_MMIO_HOLE_END,
	       "test MMIO device outside the MMIO hole");
/* Large EPT pages stay usable on both sides of the hole. */
_Static_assert(IS_ALIGNED(GUEST_MMIO_HOLE_START, SIZE_1G) &&
	       IS_ALIGNED(GUEST_MMIO_HOLE_END, SIZE_1G), "MMIO hole not 1 GiB aligned");

static void add(struct guest_layout *l, uint64_t start, uint64_t size, enum guest_region_type type)
{
	l->region[l->count++] = (struct guest_region){ .start = gpa(start), .size = size, .type = type };
}

int guest_layout_build(struct guest_layout *l, uint64_t ram_size)
{
	uint64_t low = MIN(ram_size, GUEST_MMIO_HOLE_START);
	uint64_t high = ram_size - low;

	if (!l)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	/* Written so that a huge ram_size cannot wrap the comparison. */
	if (!ram_size || !IS_ALIGNED(ram_size, PAGE_SIZE) ||
	    high > GUEST_PHYS_LIMIT - GUEST_MMIO_HOLE_END)
		return -EINVAL;
	l->ram_size = ram_size;
	add(l, 0, MIN(low, GUEST_FIRMWARE_START), GUEST_REGION_RAM);
	if (low > GUEST_FIRMWARE_START)
		add(l, GUEST_FIRMWARE_START, MIN(low, GUEST_FIRMWARE_END) - GUEST_FIRMWARE_START,
		    GUEST_REGION_RESERVED);
	if (low > GUEST_FIRMWARE_END)
		add(l, GUEST_FIRMWARE_END, low - GUEST_FIRMWARE_END, GUEST_REGION_RAM);
	add(l, GUEST_MMIO_HOLE_START, GUEST_MMIO_HOLE_END - GUEST_MMIO_HOLE_START,
	    GUEST_REGION_MMIO_HOLE);
	if (high)
		add(l, GUEST_MMIO_HOLE_END, high, GUEST_REGION_RAM);
	return 0;
}

/* The first region [start, start + size) holding a; a == start + size also counts when want_end. */
static const struct guest_region *lookup(const struct guest_layout *l, uint64_t a, bool want_end)
{
	if (!l)
		return NULL;
	for (unsigned int i = 0; i < l->count; i++) {
		const struct guest_region *r = &l->region[i];
		uint64_t off = a - r->start.v;

		if (a >= r->start.v && (off < r->size || (want_end && off == r->size)))
			return r;
	}
	return NULL;
}

/* [gpa, gpa + len) inside one backed region (one RAM region if ram_only). */
static bool in_region(const struct guest_region *r, uint64_t a, uint64_t len, bool ram_only)
{
	if (!r || !guest_region_backed(r) || (ram_only && r->type != GUEST_REGION_RAM))
		return false;
	/* size - offset, never gpa + len: a guest-supplied len must not wrap. */
	return len <= r->size - (a - r->start.v);
}

static bool inside(const struct guest_layout *l, gpa_t gpa, uint64_t len, bool ram_only)
{
	/* An empty range at a boundary belongs to the region ending or the one starting there. */
	if (!len && in_region(lookup(l, gpa.v, true), gpa.v, 0, ram_only))
		return true;
	return in_region(lookup(l, gpa.v, false), gpa.v, len, ram_only);
}

bool guest_layout_is_ram(const struct guest_layout *l, gpa_t gpa, uint64_t len)
{
	return inside(l, gpa, len, true);
}

/*
 * Backed regions that touch are consecutive in the backing as well, so a
 * range may run from one into the next: walk it region by region.
 */
bool guest_layout_is_backed(const struct guest_layout *l, gpa_t gpa, uint64_t len)
{
	uint64_t a = gpa.v;

	if (inside(l, gpa, len, false))
		return true;
	while (len) {
		const struct guest_region *r = lookup(l, a, false);
		uint64_t n;

		if (!r || !guest_region_backed(r))
			return false;
		n = MIN(len, r->size - (a - r->start.v));
		a += n;
		len -= n;
	}
	return true;
}

static int offset_in(const struct guest_layout *l, gpa_t gpa, uint64_t *offset, bool ram_only)
{
	const struct guest_region *r = lookup(l, gpa.v, false);
	uint64_t below = 0;

	if (!l || !offset)
		return -EINVAL;
	if (!r || !guest_region_backed(r) || (ram_only && r->type != GUEST_REGION_RAM))
		return -EFAULT;
	/* The backing holds the backed regions back to back: holes take none of it. */
	for (const struct guest_region *q = l->region; q < r; q++)
		if (guest_region_backed(q))
			below += q->size;
	*offset = below + (gpa.v - r->start.v);
	return 0;
}

int guest_layout_ram_offset(const struct guest_layout *l, gpa_t gpa, uint64_t *offset)
{
	return offset_in(l, gpa, offset, true);
}

int guest_layout_backing_offset(const struct guest_layout *l, gpa_t gpa, uint64_t *offset)
{
	return offset_in(l, gpa, offset, false);
}

const struct guest_region *guest_layout_find(const struct guest_layout *l, gpa_t gpa)
{
	return lookup(l, gpa.v, false);
}

const struct guest_region *guest_layout_next(const struct guest_layout *l,
					     const struct guest_region *prev)
{
	unsigned int i;

	if (!l)
		return NULL;
	i = prev ? (unsigned int)(prev - l->region) + 1 : 0;
	return i < l->count ? &l->region[i] : NULL;
}
