/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's own page-table walk (Intel SDM Vol. 3A ch. 4). Every entry
 * comes through the caller's read callback, so a table pointing outside the
 * guest's RAM fails that read instead of reaching host memory.
 */
#include <stdbool.h>
#include <plinth/errno.h>
#include <vmm/guest_walk.h>

#define PTE_P		(1ULL << 0)
#define PTE_PS		(1ULL << 7)
#define ADDR_MASK_64	0x000ffffffffff000ULL	/* 8-byte entries, MAXPHYADDR up to 52 */
#define ADDR_MASK_32	0xfffff000ULL
#define PDE32_4M_LOW	0xffc00000ULL		/* address bits 31:22 of a 4 MiB page */
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)

enum walk_mode { MODE_32, MODE_PAE, MODE_LONG };

static int read_entry(guest_read_fn read, void *ctx, uint64_t addr, size_t size, uint64_t *e)
{
	uint8_t b[8] = { 0 };

	if (read(ctx, addr, b, size) != 0)
		return -EFAULT;
	/* Little-endian as the guest wrote it, independent of the host's byte order. */
	*e = 0;
	for (size_t i = size; i--;)
		*e = (*e << 8) | b[i];
	return 0;
}

/*
 * Whether a set PS bit at this level maps a page. Where it does not, it is
 * either ignored (PAE PDPTEs have no PS bit; 32-bit PDEs without CR4.PSE)
 * or reserved (a PML4E), which the caller turns into a fault.
 */
static bool maps_page(enum walk_mode m, unsigned int level, uint64_t cr4)
{
	switch (m) {
	case MODE_LONG:
		return level == 3 || level == 2;
	case MODE_PAE:
		return level == 2;
	default:
		return level == 2 && (cr4 & CR4_PSE);
	}
}

/* The frame of a large page: its bits at and above page_shift. */
static uint64_t large_base(enum walk_mode m, uint64_t e, unsigned int page_shift)
{
	/* PSE-36: PDE bits 20:13 carry physical address bits 39:32. */
	if (m == MODE_32)
		return (e & PDE32_4M_LOW) | (((e >> 13) & 0xff) << 32);
	return e & ADDR_MASK_64 & ~((1ULL << page_shift) - 1);
}

int guest_walk(const struct guest_paging *pg, uint64_t linear, guest_read_fn read, void *ctx,
	       uint64_t *gpa_out)
{
	enum walk_mode m;
	unsigned int level, shift, top_bits;
	uint64_t table, addr_mask;
	size_t esize;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa_out = linear & 0xffffffffULL;
		return 0;
	}
	if (pg->efer & EFER_LMA) {
		if (pg->cr4 & CR4_LA57)
			return -ENOTSUP; /* a 4-level walk would silently mistranslate */
		/* The CPU faults on a non-canonical address before any walk. */
		if ((uint64_t)((int64_t)(linear << 16) >> 16) != linear)
			return -EFAULT;
		m = MODE_LONG;
		level = 4;
		shift = 39;
		top_bits = 9;
		table = pg->cr3 & ADDR_MASK_64;
	} else {
		/* Outside long mode linear addresses are 32 bits; wrap like the CPU. */
		linear &= 0xffffffffULL;
		if (pg->cr4 & CR4_PAE) {
			m = MODE_PAE;
			level = 3;
			shift = 30;
			top_bits = 2;
			table = pg->cr3 & 0xffffffe0ULL; /* 32-byte aligned PDPT */
		} else {
			m = MODE_32;
			level = 2;
			shift = 22;
			top_bits = 10;
			table = pg->cr3 & ADDR_MASK_32;
		}
	}
	esize = m == MODE_32 ? 4 : 8;
	addr_mask = m == MODE_32 ? ADDR_MASK_32 : ADDR_MASK_64;

	for (unsigned int bits = top_bits;; level--) {
		uint64_t idx = (linear >> shift) & ((1ULL << bits) - 1);
		uint64_t e;

		if (read_entry(read, ctx, table + idx * esize, esize, &e) < 0)
			return -EFAULT;
		if (!(e & PTE_P))
			return -EFAULT;
		if (level == 1) {
			*gpa_out = (e & addr_mask) | (linear & 0xfffULL);
			return 0;
		}
		if (e & PTE_PS) {
			if (maps_page(m, level, pg->cr4)) {
				*gpa_out = large_base(m, e, shift) | (linear & ((1ULL << shift) - 1));
				return 0;
			}
			if (m == MODE_LONG)
				return -EFAULT; /* PS in a PML4E is reserved */
		}
		table = e & addr_mask;
		bits = m == MODE_32 ? 10 : 9;
		shift -= bits;
	}
}
