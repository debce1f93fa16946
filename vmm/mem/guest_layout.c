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
	add(l, 0, low, GUEST_REGION_RAM);
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

bool guest_layout_is_ram(const struct guest_layout *l, gpa_t gpa, uint64_t len)
{
	const struct guest_region *r = lookup(l, gpa.v, len == 0);

	/* size - offset, never gpa + len: a guest-supplied len must not wrap. */
	return r && r->type == GUEST_REGION_RAM && len <= r->size - (gpa.v - r->start.v);
}

int guest_layout_ram_offset(const struct guest_layout *l, gpa_t gpa, uint64_t *offset)
{
	const struct guest_region *r = lookup(l, gpa.v, false);
	uint64_t below = 0;

	if (!l || !offset)
		return -EINVAL;
	if (!r || r->type != GUEST_REGION_RAM)
		return -EFAULT;
	/* The backing holds the RAM regions back to back: holes take none of it. */
	for (const struct guest_region *q = l->region; q < r; q++)
		if (q->type == GUEST_REGION_RAM)
			below += q->size;
	*offset = below + (gpa.v - r->start.v);
	return 0;
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
