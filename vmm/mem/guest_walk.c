/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's own page-table walk (Intel SDM Vol. 3A ch. 4), with the
 * access rights of 4.6 and the page-fault error code of 4.7, so an access
 * Plinth emulates faults exactly where the guest's own would have. Every
 * entry comes through the caller's read callback, so a table pointing
 * outside the guest's RAM fails that read instead of reaching host memory.
 */
#include <asm/processor-flags.h>
#include <plinth/errno.h>
#include <plinth/pagetable.h>
#include <vmm/guest_walk.h>

#define ADDR_MASK_32	0xfffff000ULL
#define PDE32_4M_LOW	0xffc00000ULL		/* address bits 31:22 of a 4 MiB page */

enum walk_mode { MODE_32, MODE_PAE, MODE_LONG };

static int read_entry(guest_read_fn read, void *ctx, uint64_t addr, size_t size, uint64_t *e)
{
	uint8_t b[8] = { 0 };

	if (read(ctx, addr, b, size) != 0)
		return -EIO;
	/* Little-endian as the guest wrote it, independent of the host's byte order. */
	*e = 0;
	for (size_t i = size; i--;)
		*e = (*e << 8) | b[i];
	return 0;
}

/* Bits hi..lo; none when lo > hi (no address bits above a 52-bit MAXPHYADDR). */
static uint64_t bit_range(unsigned int hi, unsigned int lo)
{
	if (lo > hi)
		return 0;
	return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

/*
 * Whether a set PS bit at this level maps a page. Where it does not, it is
 * ignored (32-bit PDEs without CR4.PSE) or reserved (a PML4E, a PAE PDPTE),
 * which reserved() reports.
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

/*
 * The bits that must be 0 in a present entry at this level (SDM tables 4-4
 * to 4-20); maxpa is MAXPHYADDR. large: the entry maps a 2 MiB, 4 MiB or
 * 1 GiB page, whose frame must be aligned.
 */
static uint64_t reserved(enum walk_mode m, unsigned int level, bool large, unsigned int maxpa,
			 bool nxe)
{
	uint64_t r;

	if (m == MODE_32) {
		/* PSE-36: bits 20:13 are address bits 39:32, with at most 40 of them. */
		unsigned int m32 = maxpa < 40 ? maxpa : 40;

		return large ? bit_range(21, m32 - 19) : 0;
	}
	/* A PAE PDPTE has only P, PWT, PCD and the address: no rights, no XD. */
	if (m == MODE_PAE && level == 3)
		return bit_range(63, maxpa) | bit_range(8, 5) | bit_range(2, 1);
	/* 4-level leaves 62:52 to software and protection keys; PAE reserves them. */
	r = bit_range(m == MODE_PAE ? 62 : 51, maxpa);
	if (!nxe)
		r |= X86_PTE_NX;
	if (m == MODE_LONG && level == 4)
		r |= X86_PTE_PS;
	if (large)
		r |= bit_range(level == 3 ? 29 : 20, 13); /* bit 12 is PAT */
	return r;
}

/* The frame of a large page: its bits at and above page_shift. */
static uint64_t large_base(enum walk_mode m, uint64_t e, unsigned int page_shift)
{
	if (m == MODE_32)
		return (e & PDE32_4M_LOW) | (((e >> 13) & 0xff) << 32);
	return e & X86_PTE_ADDR_MASK & ~((1ULL << page_shift) - 1);
}

/*
 * SDM 4.6.1, given the rights combined over every level: user_page (U/S=1
 * everywhere), writable (R/W=1 everywhere), no_exec (XD=1 somewhere, with
 * EFER.NXE).
 */
static bool permitted(const struct guest_paging *pg, bool write, bool user, bool fetch,
		      bool implicit, bool user_page, bool writable, bool no_exec)
{
	if (fetch) {
		if (no_exec)
			return false;
		/* A user fetch needs a user page; a supervisor one must avoid them under SMEP. */
		return user ? user_page : !(user_page && (pg->cr4 & CR4_SMEP));
	}
	/* CR0.WP protects read-only pages from the supervisor only. */
	if (user)
		return user_page && (!write || writable);
	/* RFLAGS.AC is the kernel's stac(): it cannot open user pages to implicit accesses. */
	if (user_page && (pg->cr4 & CR4_SMAP) && (implicit || !pg->ac))
		return false;
	return !write || writable || !(pg->cr0 & CR0_WP);
}

static int page_fault(uint32_t *pf_error, uint32_t code)
{
	if (pf_error)
		*pf_error = code;
	return -EFAULT;
}

int guest_walk(const struct guest_paging *pg, uint64_t linear, unsigned int access,
	       guest_read_fn read, void *ctx, uint64_t *gpa_out, uint32_t *pf_error)
{
	bool fetch = access & GUEST_ACCESS_FETCH;
	bool write = !fetch && (access & GUEST_ACCESS_WRITE);
	bool implicit = !fetch && (access & GUEST_ACCESS_IMPLICIT);
	bool user = !implicit && (access & GUEST_ACCESS_USER);
	bool user_page = true, writable = true, no_exec = false, leaf, nxe;
	enum walk_mode m;
	unsigned int level, shift, bits, maxpa = pg->maxphyaddr;
	uint64_t table, addr_mask, e = 0;
	uint32_t code;
	size_t esize;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa_out = linear & 0xffffffffULL;
		return 0;
	}
	if (pg->efer & EFER_LMA) {
		if (pg->cr4 & CR4_LA57)
			return -ENOTSUP; /* a 4-level walk would silently mistranslate */
		/* The CPU raises #GP on a non-canonical address before any walk. */
		if ((uint64_t)((int64_t)(linear << 16) >> 16) != linear)
			return -EINVAL;
		m = MODE_LONG;
		level = 4;
		shift = 39;
		bits = 9;
		table = pg->cr3 & X86_PTE_ADDR_MASK;
	} else {
		/* Outside long mode linear addresses are 32 bits; wrap like the CPU. */
		linear &= 0xffffffffULL;
		if (pg->cr4 & CR4_PAE) {
			m = MODE_PAE;
			level = 3;
			shift = 30;
			bits = 2;
			table = pg->cr3 & 0xffffffe0ULL; /* 32-byte aligned PDPT */
		} else {
			m = MODE_32;
			level = 2;
			shift = 22;
			bits = 10;
			table = pg->cr3 & ADDR_MASK_32;
		}
	}
	esize = m == MODE_32 ? 4 : 8;
	addr_mask = m == MODE_32 ? ADDR_MASK_32 : X86_PTE_ADDR_MASK;
	if (maxpa == 0 || maxpa > 52)
		maxpa = 52;
	else if (maxpa < 32)
		maxpa = 32;
	/* 32-bit paging has no XD bit, so EFER.NXE means nothing there. */
	nxe = m != MODE_32 && (pg->efer & EFER_NXE);

	/* What the access was, whatever the fault turns out to be (SDM 4.7). */
	code = (write ? GUEST_PF_W : 0) | (user ? GUEST_PF_U : 0);
	if (fetch && (nxe || (pg->cr4 & CR4_SMEP)))
		code |= GUEST_PF_I;

	for (;; level--) {
		uint64_t idx = (linear >> shift) & ((1ULL << bits) - 1);
		bool pdpte = m == MODE_PAE && level == 3;

		if (pdpte && pg->pdpte)
			e = pg->pdpte[idx];
		else if (read_entry(read, ctx, table + idx * esize, esize, &e) < 0)
			return -EIO;
		/* Nothing else of a not-present entry is looked at, reserved bits included. */
		if (!(e & X86_PTE_P))
			return page_fault(pf_error, code);
		leaf = level == 1 || ((e & X86_PTE_PS) && maps_page(m, level, pg->cr4));
		if (e & reserved(m, level, leaf && level > 1, maxpa, nxe))
			return page_fault(pf_error, code | GUEST_PF_P | GUEST_PF_RSVD);
		if (!pdpte) {
			user_page = user_page && (e & X86_PTE_US);
			writable = writable && (e & X86_PTE_RW);
			no_exec = no_exec || (nxe && (e & X86_PTE_NX));
		}
		if (leaf)
			break;
		table = e & addr_mask;
		bits = m == MODE_32 ? 10 : 9;
		shift -= bits;
	}
	if (!permitted(pg, write, user, fetch, implicit, user_page, writable, no_exec))
		return page_fault(pf_error, code | GUEST_PF_P);
	if (level == 1)
		*gpa_out = (e & addr_mask) | (linear & 0xfffULL);
	else
		*gpa_out = large_base(m, e, shift) | (linear & ((1ULL << shift) - 1));
	return 0;
}
