/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reserved bits of the guest page-table walk (Intel SDM Vol. 3A tables 4-4
 * to 4-20) in every mode, which fault wins when several apply, and the
 * walks that end without a #PF: entries outside guest RAM, non-canonical
 * addresses, and the PAE PDPTE registers standing in for memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "walk_fixture.h"

/* Setting bit b of entry i faults with RSVD (want) or translates to gpa. */
static void reserved_bit(const struct guest_paging *pg, unsigned int i, unsigned int b, bool want,
			 uint64_t gpa, int line)
{
	uint64_t e = get_entry(i);

	cur_level = i;
	set_bits(i, 1ULL << b);
	if (want) {
		expect_at(pg, cur->lin, RD, -EFAULT, GUEST_PF_P | GUEST_PF_RSVD, GPA_NONE,
			  __FILE__, line);
		assert_int_equal(res.reads, i + 1 - (cur->pdpte && pg->pdpte));
		expect_at(pg, cur->lin, UW, -EFAULT,
			  GUEST_PF_P | GUEST_PF_W | GUEST_PF_U | GUEST_PF_RSVD, GPA_NONE,
			  __FILE__, line);
		expect_at(pg, cur->lin, FX, -EFAULT, GUEST_PF_P | GUEST_PF_RSVD | cur->fetch_i,
			  GPA_NONE, __FILE__, line);
	} else {
		expect_at(pg, cur->lin, UW, 0, PF_NONE, gpa, __FILE__, line);
	}
	set_entry(i, e);
}

static void test_reserved_maxphyaddr(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode_from(m, MPAE) {
		struct guest_paging pg = m->pg;
		unsigned int leaf = m->levels - 1;

		build(FL);
		pg.maxphyaddr = 36;
		for_each_level(i) {
			reserved_bit(&pg, i, 36, true, 0, __LINE__);
			reserved_bit(&pg, i, 51, true, 0, __LINE__);
			/* Bit 35 is an address bit: a table up there is outside RAM. */
			set_bits(i, 1ULL << 35);
			if (i == leaf)
				OK_AT(&pg, UW, m->gpa | 1ULL << 35);
			else
				EIO_AT(&pg, UW);
			clear_bits(i, 1ULL << 35);
		}
		/* 0 is 52; out-of-range values are clamped to 32..52. */
		pg.maxphyaddr = 0;
		reserved_bit(&pg, leaf, 51, false, m->gpa | 1ULL << 51, __LINE__);
		pg.maxphyaddr = 60;
		reserved_bit(&pg, leaf, 51, false, m->gpa | 1ULL << 51, __LINE__);
		reserved_bit(&pg, leaf, 55, m == MPAE, m->gpa, __LINE__);
		pg.maxphyaddr = 20;
		reserved_bit(&pg, leaf, 32, true, 0, __LINE__);
		reserved_bit(&pg, leaf, 31, false, m->gpa | 1ULL << 31, __LINE__);
		/* Bits 62:52: free for software in 4-level paging, reserved in PAE. */
		pg.maxphyaddr = 0;
		for_each_rights_level(i)
			for (unsigned int b = 52; b <= 62; b++)
				reserved_bit(&pg, i, b, m == MPAE, m->gpa, __LINE__);
	}
}

static void test_reserved_pae_pdpte(void **state)
{
	struct guest_paging pg;
	uint64_t regs[4] = { 0 };

	(void)state;
	pg = use_mode(MPAE);
	for (unsigned int b = 1; b < 64; b++) {
		bool rsvd = b <= 2 || (b >= 5 && b <= 8) || b >= 52;

		/* Below 12 the flags; above, the address (outside RAM unless reserved). */
		if (b < 12 || rsvd)
			reserved_bit(&pg, 0, b, rsvd, MPAE->gpa, __LINE__);
	}
	/* Bit 63 is reserved even with NXE: a PDPTE has no XD. */
	assert_true(pg.efer & EFER_NXE);
	/* The same rules for the PDPTE registers, which are not read from memory. */
	memset(mem + MPAE->slot[0], 0, 8);
	pg.pdpte = regs;
	regs[3] = MPAE->next[0] | P | (1ULL << 5);
	FAULT(&pg, RD, GUEST_PF_P | GUEST_PF_RSVD);
	assert_int_equal(res.reads, 0);
	regs[3] = MPAE->next[0] | P | XD;
	FAULT(&pg, UR, GUEST_PF_P | GUEST_PF_U | GUEST_PF_RSVD);
}

/*
 * A large page of 2^shift bytes at level i of m: the low bits of its frame
 * up to rsvd_hi are reserved, PAT (bit 12) is not.
 */
static void large_page(const struct mode *m, unsigned int i, uint64_t frame, unsigned int shift,
		       unsigned int rsvd_hi)
{
	const struct guest_paging *pg = &m->pg;
	uint64_t gpa = frame | (m->lin & ((1ULL << shift) - 1));

	use_mode(m);
	set_entry(i, frame | FL | PS);
	cur_level = i;
	OK_AT(pg, UW, gpa);
	assert_int_equal(res.reads, i + 1);
	reserved_bit(pg, i, 12, false, gpa, __LINE__);
	for (unsigned int b = 13; b < shift; b++)
		reserved_bit(pg, i, b, b <= rsvd_hi, gpa | (1ULL << b), __LINE__);
	/* Those bits are reserved in a leaf only: in a table entry they are address bits. */
	build(FL);
	set_bits(i, 1ULL << 20);
	FAULT(pg, RD, 0); /* the table 1 MiB further on is empty */
}

static void test_reserved_large(void **state)
{
	struct guest_paging pg;

	(void)state;
	large_page(MLONG, 1, 0x40000000, 30, 29);
	large_page(MLONG, 2, 0x600000, 21, 20);
	large_page(MPAE, 1, 0x200000, 21, 20);
	/* 32-bit: bits 20:13 are address bits 39:32, bit 21 and those above M reserved. */
	pg = use_mode(M32);
	pg.cr4 |= CR4_PSE;
	for (unsigned int mpa = 32; mpa <= 52; mpa += 4) {
		unsigned int m32 = mpa < 40 ? mpa : 40;

		pg.maxphyaddr = mpa;
		build(FL);
		set_entry(0, 0xc00000 | FL | PS);
		reserved_bit(&pg, 0, 12, false, 0xdc3d21, __LINE__);
		reserved_bit(&pg, 0, 21, true, 0, __LINE__);
		for (unsigned int b = 13; b <= 20; b++)
			reserved_bit(&pg, 0, b, b + 19 >= m32, 0xdc3d21 | 1ULL << (b + 19), __LINE__);
	}
	/* Without CR4.PSE the PDE names a table; bit 21 is then an address bit. */
	pg.cr4 &= ~CR4_PSE;
	build(FL);
	set_bits(0, PS | (1ULL << 21));
	cur_level = 0;
	FAULT(&pg, RD, 0); /* the table at 0x209000 is empty */
	/* 4 KiB entries of 32-bit paging have no reserved bits at all. */
	build(FL);
	set_entry(0, M32->next[0] | 0xfff);
	set_entry(1, M32->next[1] | 0xfff);
	OK(&pg, UW);
}

static void test_reserved_pml4e_ps(void **state)
{
	struct guest_paging pg;

	(void)state;
	pg = use_mode(MLONG);
	reserved_bit(&pg, 0, 7, true, 0, __LINE__);
	/* Bits 8 and 6 of a PML4E are ignored on Intel. */
	reserved_bit(&pg, 0, 8, false, MLONG->gpa, __LINE__);
	reserved_bit(&pg, 0, 6, false, MLONG->gpa, __LINE__);
}

static void test_fault_order(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode_from(m, MPAE) {
		struct guest_paging pg = m->pg;

		pg.efer &= ~EFER_NXE;
		/* A reserved bit at the top ends the walk: lower entries are never read. */
		build(FL);
		set_bits(0, XD);
		clear_bits(m->levels - 1, P);
		FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U | GUEST_PF_RSVD);
		assert_int_equal(res.reads, 1);
		/* Not present above a reserved bit: P=0 wins. */
		build(FL);
		clear_bits(0, P);
		set_bits(m->levels - 1, XD);
		FAULT(&pg, UW, GUEST_PF_W | GUEST_PF_U);
		/* A reserved bit anywhere beats a rights violation anywhere. */
		build(FL);
		clear_bits(first_rights(), US | RW);
		set_bits(m->levels - 1, XD);
		FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U | GUEST_PF_RSVD);
	}
}

static void test_outside_ram(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;
		uint64_t far = m->esize == 4 ? 0xfffff000ULL : 0xffffff000ULL;

		/* The leaf's frame is not read, so it may lie anywhere. */
		build(FL);
		set_entry(m->levels - 1, far | FL);
		OK_AT(&pg, UW, far | (m->lin & 0xfff));
		/* Each table entry in turn pointing past the end. */
		for (unsigned int i = 0; i + 1 < m->levels; i++) {
			cur_level = i;
			build(FL);
			set_entry(i, (m->esize == 4 ? 0xfffff000ULL : MEM_SIZE) | (i ? FL : P));
			EIO_AT(&pg, RD);
			assert_int_equal(res.oob, 1);
			assert_int_equal(res.reads, i + 2);
			/* Rights do not matter: there is no #PF for this. */
			clear_bits(i, m->pdpte && !i ? 0 : US);
			EIO_AT(&pg, UW);
		}
		cur_level = -1;
		build(FL);
		for (unsigned int n = 1; n <= m->levels; n++) {
			assert_int_equal(walk_at(&pg, m->lin, UX, n), -EIO);
			assert_int_equal(res.reads, n);
		}
		pg.cr3 = m->esize == 4 ? 0xfffff000ULL : MEM_SIZE + 0x20;
		EIO_AT(&pg, FX);
		assert_int_equal(res.oob, 1);
	}
}

static void test_noncanonical(void **state)
{
	struct guest_paging pg;
	static const uint64_t bad[] = { 0x0000800000000000ULL, 0xffff7fffffffffffULL,
					0x8000000000000000ULL, 0x0001000000000abcULL };

	(void)state;
	pg = use_mode(MLONG);
	pg.cr4 |= CR4_SMEP | CR4_SMAP;
	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int a = 0; a < 16; a++) {
			assert_int_equal(walk_at(&pg, bad[i], a, 0), -EINVAL);
			assert_int_equal(res.reads, 0);
		}
	}
	/* Outside long mode the upper half is not checked but dropped. */
	use_mode(MPAE);
	expect(&MPAE->pg, 0xabcd000000000000ULL | MPAE->lin, UW, 0, PF_NONE, MPAE->gpa);
	use_mode(M32);
	expect(&M32->pg, 0x8000000000000000ULL | M32->lin, UW, 0, PF_NONE, M32->gpa);
}

static void test_pdpte_registers(void **state)
{
	static const struct mode *const others[] = { MLONG, M32 };
	struct guest_paging pg;
	uint64_t regs[4] = { 0 };

	(void)state;
	pg = use_mode(MPAE);
	/* The registers, not the memory at CR3, decide. */
	pg.pdpte = regs;
	FAULT(&pg, UW, GUEST_PF_W | GUEST_PF_U);
	assert_int_equal(res.reads, 0);
	regs[3] = MPAE->next[0] | P;
	memset(mem + MPAE->slot[0], 0, 8);
	OK(&pg, UW);
	assert_int_equal(res.reads, 2);
	/* So CR3 may point anywhere. */
	pg.cr3 = 0xffffffe0;
	OK(&pg, UW);
	/* Rights still come from the PDE and PTE only. */
	clear_bits(1, US);
	FAULT(&pg, UR, GUEST_PF_P | GUEST_PF_U);
	/* Other modes have no PDPTE registers and ignore them. */
	for (unsigned int k = 0; k < 2; k++) {
		pg = use_mode(others[k]);
		pg.pdpte = regs;
		OK(&pg, UW);
	}
}

static void test_paging_off(void **state)
{
	struct guest_paging pg = {
		.cr0 = CR0_PE | CR0_WP, .cr3 = 0x10000, .cr4 = CR4_PAE | CR4_SMEP | CR4_SMAP,
		.efer = EFER_NXE, .maxphyaddr = 36,
	};

	(void)state;
	for (unsigned int a = 0; a < 16; a++) {
		assert_int_equal(walk_at(&pg, 0x1234fee00abcULL, a, 0), 0);
		assert_int_equal(res.gpa, 0xfee00abcULL);
		assert_int_equal(res.reads, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reserved_maxphyaddr, reset),
		cmocka_unit_test_setup(test_reserved_pae_pdpte, reset),
		cmocka_unit_test_setup(test_reserved_large, reset),
		cmocka_unit_test_setup(test_reserved_pml4e_ps, reset),
		cmocka_unit_test_setup(test_fault_order, reset),
		cmocka_unit_test_setup(test_outside_ram, reset),
		cmocka_unit_test_setup(test_noncanonical, reset),
		cmocka_unit_test_setup(test_pdpte_registers, reset),
		cmocka_unit_test_setup(test_paging_off, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
