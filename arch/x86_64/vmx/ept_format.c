/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT entry encoding for the generic page-table walker. Decisions (see
 * <asm/ept_format.h>): leaves are always readable, memory type comes from
 * PT_UNCACHED / PT_WC, ignore-PAT and the A/D bits stay clear.
 */
#include <asm/ept_format.h>
#include <plinth/pagetable.h>

static inline uint64_t ept_level_span(unsigned int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

static uint64_t ept_make_table(paddr_t table)
{
	/* Permissions are decided by the leaf alone; bits 7:3 must be 0. */
	return (table & EPT_ADDR_MASK) | EPT_RWX;
}

static uint64_t ept_make_leaf(paddr_t pa, unsigned int flags,
			      unsigned int level)
{
	/*
	 * R is unconditional: without it an entry with no other right would
	 * read as not present to the walker, and W or W|X without R is an
	 * EPT misconfiguration VM exit.
	 */
	uint64_t e = (pa & EPT_ADDR_MASK & ~(ept_level_span(level) - 1)) |
		     EPT_R;
	uint64_t mt = EPT_MT_WB;

	if (flags & PT_WRITE)
		e |= EPT_W;
	if (flags & PT_EXEC)
		e |= EPT_X;
	if (flags & PT_UNCACHED)
		mt = EPT_MT_UC;
	else if (flags & PT_WC)
		mt = EPT_MT_WC;
	e |= mt << EPT_MT_SHIFT;
	if (level > 1)
		e |= EPT_LARGE;
	return e;
}

static bool ept_present(uint64_t e)
{
	return e & EPT_RWX;
}

static bool ept_is_leaf(uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & EPT_LARGE));
}

static paddr_t ept_address(uint64_t e, unsigned int level)
{
	/* Bits below a large page's alignment are reserved, not address. */
	if (level > 1 && ept_is_leaf(e, level))
		return e & EPT_ADDR_MASK & ~(ept_level_span(level) - 1);
	return e & EPT_ADDR_MASK;
}

static unsigned int ept_flags(uint64_t e, unsigned int level)
{
	unsigned int f = 0;
	uint64_t mt = (e & EPT_MT_MASK) >> EPT_MT_SHIFT;

	(void)level;
	if (e & EPT_R)
		f |= PT_READ;
	if (e & EPT_W)
		f |= PT_WRITE;
	if (e & EPT_X)
		f |= PT_EXEC;
	if (mt == EPT_MT_UC)
		f |= PT_UNCACHED;
	else if (mt == EPT_MT_WC)
		f |= PT_WC;
	return f;
}

const struct pt_format pt_format_ept = {
	.make_table = ept_make_table,
	.make_leaf = ept_make_leaf,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.address = ept_address,
	.flags = ept_flags,
	.supported_flags = PT_READ | PT_WRITE | PT_EXEC | PT_UNCACHED | PT_WC,
	.canonical_va = false,
};

uint64_t ept_make_eptp(paddr_t root)
{
	return (root & EPT_ADDR_MASK) | EPTP_WALK_LEN_4 | EPTP_MT_WB;
}
