/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Format-independent 4-level page-table walker. Internally every address is
 * reduced to its low 48 bits ("table address"); the canonical sign extension
 * is checked on entry and then dropped, so the walk is plain radix indexing.
 *
 * Every mutating operation validates and allocates everything it may need
 * before it touches a live entry, so errors leave the tables as they were.
 * Deliberately uses no library calls: the UEFI loader may reuse this file.
 */
#include <plinth/errno.h>
#include <plinth/pagetable.h>

#define VA_LIMIT	(1ULL << PT_VA_BITS)
#define VA_HALF		(1ULL << (PT_VA_BITS - 1))
#define PA_LIMIT	(1ULL << PT_PA_BITS)

static inline unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static inline uint64_t level_span(unsigned int level)
{
	return 1ULL << level_shift(level);
}

static inline unsigned int level_index(uint64_t a, unsigned int level)
{
	return (a >> level_shift(level)) & (PT_ENTRIES - 1);
}

static inline uint64_t *table_virt(const struct page_table *pt, paddr_t pa)
{
	return pt->ops->phys_to_virt(pt->ops->ctx, pa);
}

/* Levels 1..3 only: a 512G "page" does not exist, whatever a format says. */
static inline bool entry_is_leaf(const struct page_table *pt, uint64_t e,
				 unsigned int level)
{
	return level == 1 || (level < PT_LEVELS && pt->fmt->is_leaf(e, level));
}

static int table_alloc(const struct page_table *pt, paddr_t *out)
{
	paddr_t pa = 0;
	uint64_t *v;
	int ret;

	ret = pt->ops->alloc_table(pt->ops->ctx, &pa);
	if (ret)
		return ret < 0 ? ret : -ENOMEM;
	/* A bad page from the allocator would corrupt a live table later. */
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa >= PA_LIMIT ||
	    !(v = table_virt(pt, pa))) {
		pt->ops->free_table(pt->ops->ctx, pa);
		return -EFAULT;
	}
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		v[i] = 0;
	*out = pa;
	return 0;
}

static void table_free(const struct page_table *pt, paddr_t pa)
{
	pt->ops->free_table(pt->ops->ctx, pa);
}

static bool table_empty(const struct page_table *pt, const uint64_t *tbl)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (pt->fmt->present(tbl[i]))
			return false;
	return true;
}

static bool pt_valid(const struct page_table *pt)
{
	return pt && pt->fmt && pt->ops;
}

/* Reduces va to a table address; -EINVAL if it is not a valid address. */
static int va_to_addr(const struct page_table *pt, uint64_t va, uint64_t *addr,
		      uint64_t *limit)
{
	if (pt->fmt->canonical_va) {
		uint64_t top = va >> (PT_VA_BITS - 1);

		if (top != 0 && top != (1ULL << (64 - PT_VA_BITS + 1)) - 1)
			return -EINVAL;
		*addr = va & (VA_LIMIT - 1);
		/* A range may not run from one half across the hole. */
		*limit = top ? VA_LIMIT : VA_HALF;
	} else {
		if (va >= VA_LIMIT)
			return -EINVAL;
		*addr = va;
		*limit = VA_LIMIT;
	}
	return 0;
}

static int check_range(const struct page_table *pt, uint64_t va, uint64_t size,
		       uint64_t *start, uint64_t *end)
{
	uint64_t limit;

	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || !size)
		return -EINVAL;
	if (va_to_addr(pt, va, start, &limit))
		return -EINVAL;
	if (size > limit - *start)
		return -EINVAL;
	*end = *start + size;
	return 0;
}

static int check_flags(const struct page_table *pt, unsigned int flags)
{
	if (flags & ~PT_ALL_FLAGS)
		return -EINVAL;
	if ((flags & PT_WC) && (flags & PT_UNCACHED))
		return -EINVAL;
	if (flags & ~pt->fmt->supported_flags)
		return -ENOTSUP;
	return 0;
}

/*
 * Range walks: [start, end) lies inside the region covered by the table at
 * this level; each iteration handles the part under one entry.
 */
#define for_each_chunk(addr, start, end, level, next, sub_end)		\
	for (uint64_t addr = (start), next, sub_end;			\
	     addr < (end) &&						\
	     ((next = (addr & ~(level_span(level) - 1)) + level_span(level)), \
	      (sub_end = MIN((end), next)), 1);				\
	     addr = next)

/* -EEXIST if any leaf lies in the range. */
static int check_free(const struct page_table *pt, paddr_t table,
		      unsigned int level, uint64_t start, uint64_t end)
{
	uint64_t *tbl = table_virt(pt, table);

	for_each_chunk(a, start, end, level, next, sub_end) {
		uint64_t e = tbl[level_index(a, level)];
		int ret;

		if (!pt->fmt->present(e))
			continue;
		if (entry_is_leaf(pt, e, level))
			return -EEXIST;
		ret = check_free(pt, pt->fmt->address(e, level), level - 1,
				 a, sub_end);
		if (ret)
			return ret;
	}
	return 0;
}

/* -ENOENT if any part of the range has no leaf. */
static int check_mapped(const struct page_table *pt, paddr_t table,
			unsigned int level, uint64_t start, uint64_t end)
{
	uint64_t *tbl = table_virt(pt, table);

	for_each_chunk(a, start, end, level, next, sub_end) {
		uint64_t e = tbl[level_index(a, level)];
		int ret;

		if (!pt->fmt->present(e))
			return -ENOENT;
		if (entry_is_leaf(pt, e, level))
			continue;
		ret = check_mapped(pt, pt->fmt->address(e, level), level - 1,
				   a, sub_end);
		if (ret)
			return ret;
	}
	return 0;
}

static bool leaf_allowed(unsigned int level, uint64_t max_page)
{
	return level == 1 || (level < PT_LEVELS && max_page >= level_span(level));
}

/* Caller has run check_free; on error the caller clears the range again. */
static int map_range(struct page_table *pt, paddr_t table, unsigned int level,
		     uint64_t start, uint64_t end, paddr_t pa,
		     unsigned int flags, uint64_t max_page)
{
	uint64_t *tbl = table_virt(pt, table);

	for_each_chunk(a, start, end, level, next, sub_end) {
		uint64_t *slot = &tbl[level_index(a, level)];
		paddr_t cur = pa + (a - start);
		paddr_t child;
		int ret;

		if (!pt->fmt->present(*slot)) {
			if (leaf_allowed(level, max_page) &&
			    sub_end - a == level_span(level) &&
			    IS_ALIGNED(cur, level_span(level))) {
				*slot = pt->fmt->make_leaf(cur, flags, level);
				continue;
			}
			ret = table_alloc(pt, &child);
			if (ret)
				return ret;
			*slot = pt->fmt->make_table(child);
		} else if (entry_is_leaf(pt, *slot, level)) {
			return -EEXIST;
		} else {
			child = pt->fmt->address(*slot, level);
		}
		ret = map_range(pt, child, level - 1, a, sub_end, cur, flags,
				max_page);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Clears every leaf wholly inside the range and frees tables that end up
 * empty. Straddling large leaves must have been split before.
 */
static void clear_range(struct page_table *pt, paddr_t table,
			unsigned int level, uint64_t start, uint64_t end)
{
	uint64_t *tbl = table_virt(pt, table);

	for_each_chunk(a, start, end, level, next, sub_end) {
		uint64_t *slot = &tbl[level_index(a, level)];
		paddr_t child;

		if (!pt->fmt->present(*slot))
			continue;
		if (entry_is_leaf(pt, *slot, level)) {
			if (a == next - level_span(level) && sub_end == next)
				*slot = 0;
			continue;
		}
		child = pt->fmt->address(*slot, level);
		clear_range(pt, child, level - 1, a, sub_end);
		if (table_empty(pt, table_virt(pt, child))) {
			*slot = 0;
			table_free(pt, child);
		}
	}
}

/* Rewrites every leaf in the range; straddling leaves were split before. */
static void set_flags(struct page_table *pt, paddr_t table, unsigned int level,
		      uint64_t start, uint64_t end, unsigned int flags)
{
	uint64_t *tbl = table_virt(pt, table);

	for_each_chunk(a, start, end, level, next, sub_end) {
		uint64_t *slot = &tbl[level_index(a, level)];

		if (!pt->fmt->present(*slot))
			continue;
		if (entry_is_leaf(pt, *slot, level)) {
			if (a == next - level_span(level) && sub_end == next)
				*slot = pt->fmt->make_leaf(
					pt->fmt->address(*slot, level), flags,
					level);
			continue;
		}
		set_flags(pt, pt->fmt->address(*slot, level), level - 1, a,
			  sub_end, flags);
	}
}

/*
 * Splitting at a boundary b: the large leaf containing b (if b is not aligned
 * to it) becomes a table of smaller leaves, recursively until b is a page
 * boundary. At most two tables per boundary (1G -> 2M -> 4K).
 */
struct split {
	uint64_t *slot;		/* entry that held the original leaf */
	uint64_t old;
	paddr_t tables[2];
	unsigned int ntables;
};

static unsigned int split_count(const struct page_table *pt, uint64_t b)
{
	paddr_t table = pt->root;

	for (unsigned int level = PT_LEVELS; level >= 2; level--) {
		uint64_t e = table_virt(pt, table)[level_index(b, level)];
		unsigned int n = 0;

		if (!pt->fmt->present(e))
			return 0;
		if (!entry_is_leaf(pt, e, level)) {
			table = pt->fmt->address(e, level);
			continue;
		}
		for (; level >= 2 && !IS_ALIGNED(b, level_span(level)); level--)
			n++;
		return n;
	}
	return 0;
}

/* Uses exactly the tables in s (split_count of them); cannot fail. */
static void split_at(struct page_table *pt, uint64_t b, struct split *s)
{
	paddr_t table = pt->root;
	unsigned int used = 0;

	s->slot = NULL;
	for (unsigned int level = PT_LEVELS; level >= 2; level--) {
		uint64_t *slot = &table_virt(pt, table)[level_index(b, level)];
		uint64_t e = *slot;
		paddr_t base, child;
		unsigned int fl;
		uint64_t *ctbl;

		if (!pt->fmt->present(e))
			return;
		if (!entry_is_leaf(pt, e, level)) {
			table = pt->fmt->address(e, level);
			continue;
		}
		if (IS_ALIGNED(b, level_span(level)) || used == s->ntables)
			return;
		base = pt->fmt->address(e, level);
		fl = pt->fmt->flags(e, level);
		child = s->tables[used++];
		ctbl = table_virt(pt, child);
		for (unsigned int i = 0; i < PT_ENTRIES; i++)
			ctbl[i] = pt->fmt->make_leaf(
				base + i * level_span(level - 1), fl, level - 1);
		if (!s->slot) {
			s->slot = slot;
			s->old = e;
		}
		*slot = pt->fmt->make_table(child);
		table = child;
	}
}

static void split_undo(struct page_table *pt, struct split *s)
{
	if (s->slot)
		*s->slot = s->old;
	for (unsigned int i = 0; i < s->ntables; i++)
		table_free(pt, s->tables[i]);
	s->ntables = 0;
}

/* Makes start and end page boundaries of the current mappings. */
static int split_range_ends(struct page_table *pt, uint64_t start, uint64_t end)
{
	struct split sp[2] = { 0 };
	uint64_t b[2] = { start, end };

	for (unsigned int k = 0; k < 2; k++) {
		unsigned int n;

		/* Also keeps b == top of the address space out of the walk. */
		if (IS_ALIGNED(b[k], SIZE_1G))
			continue;
		n = split_count(pt, b[k]);
		for (unsigned int i = 0; i < n; i++) {
			int ret = table_alloc(pt, &sp[k].tables[i]);

			if (ret) {
				split_undo(pt, &sp[k]);
				if (k)
					split_undo(pt, &sp[0]);
				return ret;
			}
			sp[k].ntables++;
		}
		split_at(pt, b[k], &sp[k]);
	}
	return 0;
}

int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops)
{
	int ret;

	if (!pt || !fmt || !ops || !fmt->make_table || !fmt->make_leaf ||
	    !fmt->present || !fmt->is_leaf || !fmt->address || !fmt->flags ||
	    !ops->alloc_table || !ops->free_table || !ops->phys_to_virt)
		return -EINVAL;
	pt->fmt = fmt;
	pt->ops = ops;
	ret = table_alloc(pt, &pt->root);
	if (ret) {
		pt->fmt = NULL;
		pt->ops = NULL;
	}
	return ret;
}

int pt_map(struct page_table *pt, uint64_t va, paddr_t pa, uint64_t size,
	   unsigned int flags, uint64_t max_page)
{
	uint64_t start, end;
	int ret;

	if (!pt_valid(pt))
		return -EINVAL;
	ret = check_range(pt, va, size, &start, &end);
	if (ret)
		return ret;
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa >= PA_LIMIT ||
	    size > PA_LIMIT - pa || max_page < PAGE_SIZE)
		return -EINVAL;
	ret = check_flags(pt, flags);
	if (ret)
		return ret;
	ret = check_free(pt, pt->root, PT_LEVELS, start, end);
	if (ret)
		return ret;
	ret = map_range(pt, pt->root, PT_LEVELS, start, end, pa, flags,
			max_page);
	/* The range was empty, so clearing it restores the old state. */
	if (ret)
		clear_range(pt, pt->root, PT_LEVELS, start, end);
	return ret;
}

int pt_unmap(struct page_table *pt, uint64_t va, uint64_t size)
{
	uint64_t start, end;
	int ret;

	if (!pt_valid(pt))
		return -EINVAL;
	ret = check_range(pt, va, size, &start, &end);
	if (ret)
		return ret;
	ret = split_range_ends(pt, start, end);
	if (ret)
		return ret;
	clear_range(pt, pt->root, PT_LEVELS, start, end);
	return 0;
}

int pt_protect(struct page_table *pt, uint64_t va, uint64_t size,
	       unsigned int flags)
{
	uint64_t start, end;
	int ret;

	if (!pt_valid(pt))
		return -EINVAL;
	ret = check_range(pt, va, size, &start, &end);
	if (ret)
		return ret;
	ret = check_flags(pt, flags);
	if (ret)
		return ret;
	ret = check_mapped(pt, pt->root, PT_LEVELS, start, end);
	if (ret)
		return ret;
	ret = split_range_ends(pt, start, end);
	if (ret)
		return ret;
	set_flags(pt, pt->root, PT_LEVELS, start, end, flags);
	return 0;
}

int pt_lookup(const struct page_table *pt, uint64_t va, paddr_t *pa,
	      unsigned int *flags, uint64_t *page_size)
{
	uint64_t addr, limit;
	paddr_t table;

	if (!pt_valid(pt))
		return -EINVAL;
	if (va_to_addr(pt, va, &addr, &limit))
		return -EINVAL;
	table = pt->root;
	for (unsigned int level = PT_LEVELS; level >= 1; level--) {
		uint64_t e = table_virt(pt, table)[level_index(addr, level)];
		uint64_t span = level_span(level);

		if (!pt->fmt->present(e))
			return -ENOENT;
		if (!entry_is_leaf(pt, e, level)) {
			table = pt->fmt->address(e, level);
			continue;
		}
		if (pa)
			*pa = pt->fmt->address(e, level) + (addr & (span - 1));
		if (flags)
			*flags = pt->fmt->flags(e, level);
		if (page_size)
			*page_size = span;
		return 0;
	}
	return -ENOENT;
}

static void free_tree(struct page_table *pt, paddr_t table, unsigned int level)
{
	uint64_t *tbl = table_virt(pt, table);

	for (unsigned int i = 0; level > 1 && i < PT_ENTRIES; i++)
		if (pt->fmt->present(tbl[i]) &&
		    !entry_is_leaf(pt, tbl[i], level))
			free_tree(pt, pt->fmt->address(tbl[i], level),
				  level - 1);
	table_free(pt, table);
}

void pt_destroy(struct page_table *pt)
{
	if (!pt_valid(pt))
		return;
	free_tree(pt, pt->root, PT_LEVELS);
	pt->root = 0;
	pt->fmt = NULL;
	pt->ops = NULL;
}

/* ---- long-mode paging encoding ---- */

static uint64_t x86_make_table(paddr_t table)
{
	/* No NX/US restrictions here: the leaf alone decides permissions. */
	return (table & X86_PTE_ADDR_MASK) | X86_PTE_P | X86_PTE_RW;
}

static uint64_t x86_make_leaf(paddr_t pa, unsigned int flags,
			      unsigned int level)
{
	uint64_t e = (pa & X86_PTE_ADDR_MASK) | X86_PTE_P;

	if (flags & PT_WRITE)
		e |= X86_PTE_RW;
	if (flags & PT_USER)
		e |= X86_PTE_US;
	if (flags & PT_GLOBAL)
		e |= X86_PTE_G;
	if (flags & PT_UNCACHED)
		e |= X86_PTE_PCD | X86_PTE_PWT;
	if (!(flags & PT_EXEC))
		e |= X86_PTE_NX;
	if (level > 1)
		e |= X86_PTE_PS;
	return e;
}

static bool x86_present(uint64_t e)
{
	return e & X86_PTE_P;
}

static bool x86_is_leaf(uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & X86_PTE_PS));
}

static paddr_t x86_address(uint64_t e, unsigned int level)
{
	/* Large leaves keep the PAT bit at 12, below their alignment. */
	if (level > 1 && x86_is_leaf(e, level))
		return e & X86_PTE_ADDR_MASK & ~(level_span(level) - 1);
	return e & X86_PTE_ADDR_MASK;
}

static unsigned int x86_flags(uint64_t e, unsigned int level)
{
	unsigned int f = PT_READ;

	(void)level;
	if (e & X86_PTE_RW)
		f |= PT_WRITE;
	if (e & X86_PTE_US)
		f |= PT_USER;
	if (e & X86_PTE_G)
		f |= PT_GLOBAL;
	if (e & X86_PTE_PCD)
		f |= PT_UNCACHED;
	if (!(e & X86_PTE_NX))
		f |= PT_EXEC;
	return f;
}

const struct pt_format pt_format_x86 = {
	.make_table = x86_make_table,
	.make_leaf = x86_make_leaf,
	.present = x86_present,
	.is_leaf = x86_is_leaf,
	.address = x86_address,
	.flags = x86_flags,
	.supported_flags = PT_READ | PT_WRITE | PT_EXEC | PT_USER | PT_GLOBAL |
			   PT_UNCACHED,
	.canonical_va = true,
};
