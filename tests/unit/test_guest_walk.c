/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "walk_fixture.h"

/*
 * Translation: page tables written into the fixture's guest memory by hand,
 * with the flags, ignored and software bits a real guest leaves in them.
 */
static void put64(uint64_t gpa, uint64_t v)
{
	assert_true(gpa + 8 <= MEM_SIZE);
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	assert_true(gpa + 4 <= MEM_SIZE);
	memcpy(mem + gpa, &v, 4);
}

/*
 * A supervisor read, which no right but SMAP can refuse; the outcome is in
 * res, and walk_at has checked that an output is only written on success
 * (gpa) or #PF (error code).
 */
static int walk(const struct guest_paging *pg, uint64_t linear)
{
	return walk_at(pg, linear, RD, 0);
}

/* ---- long mode ---- */

#define PML4	0x10000ULL
#define PDPT	0x11000ULL
#define PD	0x12000ULL
#define PT	0x13000ULL
/* Indices 0xfe / 0x48 / 0x1a2 / 0x167, offset 0xabc. */
#define LIN	0x00007f1234567abcULL

static const struct guest_paging long_pg = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = PML4 | 0x5 /* PCID */, .cr4 = CR4_PAE,
	.efer = EFER_LME | EFER_LMA | EFER_NXE, /* XD in the tables is not reserved */
};

static void build_long_4k(void)
{
	put64(PML4 + 0xfe * 8, PDPT | FL | XD);
	put64(PDPT + 0x48 * 8, PD | FL);
	put64(PD + 0x1a2 * 8, PT | FL | (0x7fULL << 52));
	put64(PT + 0x167 * 8, 0x500000 | FL | D | G | XD | (0xfULL << 59));
}

static void test_long_4k(void **state)
{
	(void)state;
	build_long_4k();
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x500abc);
	assert_int_equal(res.reads, 4);
	assert_int_equal(res.addrs[0], PML4 + 0xfe * 8);
	assert_int_equal(res.addrs[1], PDPT + 0x48 * 8);
	assert_int_equal(res.addrs[2], PD + 0x1a2 * 8);
	assert_int_equal(res.addrs[3], PT + 0x167 * 8);
	/* Every offset within the page, and a neighbour page that is not mapped. */
	assert_int_equal(walk(&long_pg, LIN & ~0xfffULL), 0);
	assert_int_equal(res.gpa, 0x500000);
	assert_int_equal(walk(&long_pg, LIN | 0xfff), 0);
	assert_int_equal(res.gpa, 0x500fff);
	assert_int_equal(walk(&long_pg, LIN + 0x1000), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	/* A leaf beyond RAM still translates: the walk never reads the page itself. */
	put64(PT + 0x167 * 8, 0x000ffffffffff000ULL | P);
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x000ffffffffffabcULL);
}

static void test_long_2m(void **state)
{
	(void)state;
	build_long_4k();
	/* PAT (bit 12) is part of the entry, not of the address. */
	put64(PD + 0x1a2 * 8, 0x600000 | FL | PS | PAT_L | D);
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x767abc);
	assert_int_equal(res.reads, 3);
	/* Bit 12 clear in the linear address must stay clear. */
	assert_int_equal(walk(&long_pg, LIN & ~0x1fffffULL), 0);
	assert_int_equal(res.gpa, 0x600000);
	assert_int_equal(walk(&long_pg, LIN | 0x1fffff), 0);
	assert_int_equal(res.gpa, 0x7fffff);
	/* A 2 MiB frame above 4 GiB. */
	put64(PD + 0x1a2 * 8, 0x123400000ULL | FL | PS | XD);
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x123567abcULL);
}

static void test_long_1g(void **state)
{
	(void)state;
	build_long_4k();
	put64(PDPT + 0x48 * 8, 0x40000000 | FL | PS | PAT_L | D | XD);
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x74567abc);
	assert_int_equal(res.reads, 2);
	put64(PDPT + 0x48 * 8, 0x7c0000000ULL | FL | PS);
	assert_int_equal(walk(&long_pg, LIN & ~0x3fffffffULL), 0);
	assert_int_equal(res.gpa, 0x7c0000000ULL);
	assert_int_equal(walk(&long_pg, LIN | 0x3fffffff), 0);
	assert_int_equal(res.gpa, 0x7ffffffffULL);
}

static void test_long_pml4e_ps_reserved(void **state)
{
	(void)state;
	build_long_4k();
	/* Was taken as a 512 GiB page; bit 7 of a PML4E is reserved. */
	put64(PML4 + 0xfe * 8, PDPT | FL | PS);
	assert_int_equal(walk(&long_pg, LIN), -EFAULT);
	assert_int_equal(res.pf, GUEST_PF_P | GUEST_PF_RSVD);
	assert_int_equal(res.reads, 1);
}

static void test_long_not_present(void **state)
{
	static const uint64_t slot[4] = { PML4 + 0xfe * 8, PDPT + 0x48 * 8, PD + 0x1a2 * 8,
					  PT + 0x167 * 8 };

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t e;

		reset(NULL);
		build_long_4k();
		memcpy(&e, mem + slot[i], 8);
		/* Every other bit stays set: only P decides. */
		put64(slot[i], e & ~P);
		assert_int_equal(walk(&long_pg, LIN), -EFAULT);
		assert_int_equal(res.pf, 0); /* not present, supervisor read */
		assert_int_equal(res.reads, i + 1);
		put64(slot[i], e);
		assert_int_equal(walk(&long_pg, LIN), 0);
		assert_int_equal(res.gpa, 0x500abc);
	}
	/* An all-zero table (P clear, PS clear) at the top. */
	reset(NULL);
	assert_int_equal(walk(&long_pg, LIN), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	assert_int_equal(res.reads, 1);
}

static void test_long_outside_ram(void **state)
{
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	/* CR3 beyond RAM. */
	pg.cr3 = MEM_SIZE;
	assert_int_equal(walk(&pg, LIN), -EIO);
	assert_int_equal(res.oob, 1);
	pg.cr3 = 0x000ffffffffff000ULL;
	assert_int_equal(walk(&pg, LIN), -EIO);
	assert_int_equal(res.oob, 1);
	/* Each intermediate entry in turn pointing past the end, or far beyond. */
	put64(PML4 + 0xfe * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&long_pg, LIN), -EIO);
	assert_int_equal(res.reads, 2);
	assert_int_equal(res.oob, 1);
	assert_int_equal(res.addrs[1], MEM_SIZE + 0x48 * 8);
	build_long_4k();
	put64(PDPT + 0x48 * 8, 0x000ffffffffff000ULL | FL);
	assert_int_equal(walk(&long_pg, LIN), -EIO);
	assert_int_equal(res.oob, 1);
	build_long_4k();
	put64(PD + 0x1a2 * 8, (MEM_SIZE - 0x1000) | FL);
	/* The last page of RAM is fine (zeroed: not present)... */
	assert_int_equal(walk(&long_pg, LIN), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	assert_int_equal(res.oob, 0);
	put64(MEM_SIZE - 0x1000 + 0x167 * 8, 0x2000 | P);
	assert_int_equal(walk(&long_pg, LIN), 0);
	assert_int_equal(res.gpa, 0x2abc);
	/* ...the next one is not. */
	put64(PD + 0x1a2 * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&long_pg, LIN), -EIO);
	assert_int_equal(res.oob, 1);
}

static void test_long_read_fails(void **state)
{
	(void)state;
	build_long_4k();
	for (unsigned int n = 1; n <= 4; n++) {
		assert_int_equal(walk_at(&long_pg, LIN, RD, n), -EIO);
		assert_int_equal(res.reads, n);
	}
	assert_int_equal(walk_at(&long_pg, LIN, RD, 5), 0);
	assert_int_equal(res.gpa, 0x500abc);
}

static void test_long_canonical(void **state)
{
	(void)state;
	/* 0xffff800000123456: indices 0x100 / 0 / 0 / 0x123. */
	put64(PML4 + 0x100 * 8, PDPT | FL);
	put64(PDPT, PD | FL);
	put64(PD, PT | FL);
	put64(PT + 0x123 * 8, 0x345000 | FL | G);
	assert_int_equal(walk(&long_pg, 0xffff800000123456ULL), 0);
	assert_int_equal(res.gpa, 0x345456);
	assert_int_equal(res.addrs[0], PML4 + 0x100 * 8);
	/* Same low 48 bits but not sign-extended: refused before any read. */
	assert_int_equal(walk(&long_pg, 0x0000800000123456ULL), -EINVAL);
	assert_int_equal(res.reads, 0);
	assert_int_equal(walk(&long_pg, 0xfff0800000123456ULL), -EINVAL);
	assert_int_equal(res.reads, 0);
	assert_int_equal(walk(&long_pg, 0x00007fffffffffffULL + 1), -EINVAL);
	/* The very top of the address space: index 511 at every level. */
	put64(PML4 + 511 * 8, PDPT | FL);
	put64(PDPT + 511 * 8, PD | FL);
	put64(PD + 511 * 8, PT | FL);
	put64(PT + 511 * 8, 0x7ff000 | FL);
	assert_int_equal(walk(&long_pg, ~0ULL), 0);
	assert_int_equal(res.gpa, 0x7fffff);
	assert_int_equal(res.addrs[0], PML4 + 511 * 8);
	assert_int_equal(res.addrs[3], PT + 511 * 8);
	/* The top of the lower half. */
	put64(PML4 + 255 * 8, PDPT | FL);
	assert_int_equal(walk(&long_pg, 0x00007fffffffffffULL), 0);
	assert_int_equal(res.gpa, 0x7fffff);
}

static void test_long_la57(void **state)
{
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	pg.cr4 |= CR4_LA57;
	assert_int_equal(walk(&pg, LIN), -ENOTSUP);
	assert_int_equal(res.reads, 0);
}

static void test_long_ignores_pse(void **state)
{
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	pg.cr4 |= CR4_PSE; /* meaningless outside 32-bit paging */
	assert_int_equal(walk(&pg, LIN), 0);
	assert_int_equal(res.gpa, 0x500abc);
	put64(PD + 0x1a2 * 8, 0x600000 | FL | PS);
	pg.cr4 &= ~CR4_PSE;
	assert_int_equal(walk(&pg, LIN), 0);
	assert_int_equal(res.gpa, 0x767abc);
}

/* ---- PAE ---- */

#define PAE_PDPT 0x5020ULL /* 32-byte aligned, not page aligned */
#define PAE_PD	 0x6000ULL
#define PAE_PT	 0x7000ULL
/* 0xc0a03123: PDPTE 3, PDE 5, PTE 3, offset 0x123. */
#define PAE_LIN	 0xc0a03123ULL

static const struct guest_paging pae_pg = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = PAE_PDPT | 0x18 /* PCD, PWT */, .cr4 = CR4_PAE,
	.efer = EFER_NXE,
};

static void build_pae(void)
{
	put64(PAE_PDPT + 3 * 8, PAE_PD | P);
	put64(PAE_PD + 5 * 8, PAE_PT | FL | XD);
	put64(PAE_PT + 3 * 8, 0x3ff000 | FL | XD);
}

static void test_pae_4k(void **state)
{
	struct guest_paging pg = pae_pg;

	(void)state;
	build_pae();
	assert_int_equal(walk(&pae_pg, PAE_LIN), 0);
	assert_int_equal(res.gpa, 0x3ff123);
	assert_int_equal(res.reads, 3);
	assert_int_equal(res.addrs[0], PAE_PDPT + 3 * 8);
	assert_int_equal(res.addrs[1], PAE_PD + 5 * 8);
	assert_int_equal(res.addrs[2], PAE_PT + 3 * 8);
	/* Linear addresses are 32 bits: the upper half wraps away. */
	assert_int_equal(walk(&pae_pg, 0xabcd00000000ULL | PAE_LIN), 0);
	assert_int_equal(res.gpa, 0x3ff123);
	/* PAE reaches frames above 4 GiB. */
	put64(PAE_PT + 3 * 8, 0xf00000000ULL | FL);
	assert_int_equal(walk(&pae_pg, PAE_LIN), 0);
	assert_int_equal(res.gpa, 0xf00000123ULL);
	/* CR4.PSE does not matter with PAE. */
	pg.cr4 |= CR4_PSE;
	assert_int_equal(walk(&pg, PAE_LIN), 0);
	assert_int_equal(res.gpa, 0xf00000123ULL);
}

static void test_pae_2m(void **state)
{
	(void)state;
	build_pae();
	put64(PAE_PD + 5 * 8, 0x200000 | FL | PS | PAT_L);
	assert_int_equal(walk(&pae_pg, PAE_LIN), 0);
	assert_int_equal(res.gpa, 0x203123);
	assert_int_equal(res.reads, 2);
	assert_int_equal(walk(&pae_pg, PAE_LIN | 0x1fffff), 0);
	assert_int_equal(res.gpa, 0x3fffff);
}

static void test_pae_pdpte_no_ps(void **state)
{
	(void)state;
	build_pae();
	/* A PDPTE has no PS bit: never a 1 GiB page; bit 7 is one of its reserved 8:5. */
	put64(PAE_PDPT + 3 * 8, PAE_PD | P | PS);
	assert_int_equal(walk(&pae_pg, PAE_LIN), -EFAULT);
	assert_int_equal(res.pf, GUEST_PF_P | GUEST_PF_RSVD);
	assert_int_equal(res.reads, 1);
	/* PWT and PCD are its only flags besides P. */
	put64(PAE_PDPT + 3 * 8, PAE_PD | P | (1ULL << 3) | (1ULL << 4) | (7ULL << 9));
	assert_int_equal(walk(&pae_pg, PAE_LIN), 0);
	assert_int_equal(res.gpa, 0x3ff123);
	assert_int_equal(res.reads, 3);
}

static void test_pae_failures(void **state)
{
	static const uint64_t slot[3] = { PAE_PDPT + 3 * 8, PAE_PD + 5 * 8, PAE_PT + 3 * 8 };
	struct guest_paging pg = pae_pg;

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t e;

		reset(NULL);
		build_pae();
		memcpy(&e, mem + slot[i], 8);
		put64(slot[i], e & ~P);
		assert_int_equal(walk(&pae_pg, PAE_LIN), -EFAULT);
		assert_int_equal(res.pf, 0); /* not present, supervisor read */
		assert_int_equal(res.reads, i + 1);
		put64(slot[i], e);
		assert_int_equal(walk_at(&pae_pg, PAE_LIN, RD, i + 1), -EIO);
		assert_int_equal(res.reads, i + 1);
	}
	reset(NULL);
	build_pae();
	put64(PAE_PDPT + 3 * 8, 0x100000000ULL | P);
	assert_int_equal(walk(&pae_pg, PAE_LIN), -EIO);
	assert_int_equal(res.oob, 1);
	build_pae();
	put64(PAE_PD + 5 * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&pae_pg, PAE_LIN), -EIO);
	assert_int_equal(res.oob, 1);
	/* The PDPT itself beyond RAM (CR3 is 32 bits here). */
	pg.cr3 = 0xffffffe0;
	assert_int_equal(walk(&pg, PAE_LIN), -EIO);
	assert_int_equal(res.oob, 1);
	assert_int_equal(res.addrs[0], 0xffffffe0ULL + 3 * 8);
}

/* ---- 32-bit ---- */

#define PD32	0x7000ULL
#define PT32	0x9000ULL
/* 0x8a5c3d21: PDE 0x229, PTE 0x1c3, offset 0xd21. */
#define LIN32	0x8a5c3d21ULL

static const struct guest_paging pg32 = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = PD32 | 0x18, .cr4 = 0,
};

static void build_32(void)
{
	put32(PD32 + 0x229 * 4, PT32 | FL);
	/* The neighbouring entries: must not leak into a 4-byte entry. */
	put32(PD32 + 0x22a * 4, 0xffffffff);
	put32(PT32 + 0x1c3 * 4, 0x00456000 | FL | D | G);
	put32(PT32 + 0x1c4 * 4, 0xffffffff);
}

static void test_32_4k(void **state)
{
	(void)state;
	build_32();
	assert_int_equal(walk(&pg32, LIN32), 0);
	assert_int_equal(res.gpa, 0x456d21);
	assert_int_equal(res.reads, 2);
	assert_int_equal(res.addrs[0], PD32 + 0x229 * 4);
	assert_int_equal(res.addrs[1], PT32 + 0x1c3 * 4);
	assert_int_equal(walk(&pg32, 0x100000000ULL | LIN32), 0);
	assert_int_equal(res.gpa, 0x456d21);
	/* The top of the 32-bit space. */
	put32(PD32 + 0x3ff * 4, PT32 | P);
	put32(PT32 + 0x3ff * 4, 0xfffff000 | P);
	assert_int_equal(walk(&pg32, 0xffffffffULL), 0);
	assert_int_equal(res.gpa, 0xffffffffULL);
}

static void test_32_4m_pse(void **state)
{
	struct guest_paging pg = pg32;

	(void)state;
	build_32();
	put32(PD32 + 0x229 * 4, 0x00c00000 | FL | PS | D);
	pg.cr4 = CR4_PSE;
	assert_int_equal(walk(&pg, LIN32), 0);
	assert_int_equal(res.gpa, 0xc00000 + 0x1c3d21);
	assert_int_equal(res.reads, 1);
	assert_int_equal(walk(&pg, LIN32 | 0x3fffff), 0);
	assert_int_equal(res.gpa, 0xffffff);
	/* PAT (bit 12) is not an address bit. */
	put32(PD32 + 0x229 * 4, 0xffc00000 | P | PS | (uint32_t)PAT_L);
	assert_int_equal(walk(&pg, LIN32 & ~0x3fffffULL), 0);
	assert_int_equal(res.gpa, 0xffc00000ULL);
}

static void test_32_pse36(void **state)
{
	struct guest_paging pg = pg32;

	(void)state;
	pg.cr4 = CR4_PSE;
	/* Bits 20:13 = 0x5a become address bits 39:32. */
	put32(PD32 + 0x229 * 4, 0x00c00000 | (0x5aU << 13) | FL | PS);
	assert_int_equal(walk(&pg, LIN32), 0);
	assert_int_equal(res.gpa, 0x5a00dc3d21ULL);
	put32(PD32 + 0x229 * 4, 0xffc00000 | (0xffU << 13) | P | PS | (uint32_t)PAT_L);
	assert_int_equal(walk(&pg, LIN32 | 0x3fffff), 0);
	assert_int_equal(res.gpa, 0xffffffffffULL);
	put32(PD32 + 0x229 * 4, (0x01U << 13) | P | PS);
	assert_int_equal(walk(&pg, LIN32 & ~0x3fffffULL), 0);
	assert_int_equal(res.gpa, 0x100000000ULL);
}

static void test_32_ps_without_pse(void **state)
{
	(void)state;
	build_32();
	/* Without CR4.PSE the PS bit is ignored: the PDE still names a page table. */
	put32(PD32 + 0x229 * 4, PT32 | FL | PS);
	assert_int_equal(walk(&pg32, LIN32), 0);
	assert_int_equal(res.gpa, 0x456d21);
	assert_int_equal(res.reads, 2);
}

static void test_32_failures(void **state)
{
	struct guest_paging pg = pg32;

	(void)state;
	build_32();
	put32(PD32 + 0x229 * 4, (PT32 | FL) & ~P);
	assert_int_equal(walk(&pg32, LIN32), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	assert_int_equal(res.reads, 1);
	build_32();
	put32(PT32 + 0x1c3 * 4, (0x456000 | FL) & ~P);
	assert_int_equal(walk(&pg32, LIN32), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	assert_int_equal(res.reads, 2);
	/* A not-present 4 MiB entry. */
	pg.cr4 = CR4_PSE;
	put32(PD32 + 0x229 * 4, 0x00c00000 | PS | RW);
	assert_int_equal(walk(&pg, LIN32), -EFAULT);
	assert_int_equal(res.pf, 0); /* not present, supervisor read */
	build_32();
	for (unsigned int n = 1; n <= 2; n++) {
		assert_int_equal(walk_at(&pg32, LIN32, RD, n), -EIO);
		assert_int_equal(res.reads, n);
	}
	put32(PD32 + 0x229 * 4, (uint32_t)MEM_SIZE | FL);
	assert_int_equal(walk(&pg32, LIN32), -EIO);
	assert_int_equal(res.oob, 1);
	pg = pg32;
	pg.cr3 = 0xfffff000;
	assert_int_equal(walk(&pg, LIN32), -EIO);
	assert_int_equal(res.oob, 1);
}

/* ---- paging off ---- */

static void test_paging_off(void **state)
{
	struct guest_paging pg = { .cr0 = CR0_PE, .cr3 = PML4, .cr4 = CR4_PAE | CR4_PSE };

	(void)state;
	build_long_4k();
	assert_int_equal(walk(&pg, 0x123456789abcULL), 0);
	assert_int_equal(res.gpa, 0x56789abcULL);
	assert_int_equal(res.reads, 0);
	pg.cr0 = 0;
	assert_int_equal(walk(&pg, 0xffffffffULL), 0);
	assert_int_equal(res.gpa, 0xffffffffULL);
	assert_int_equal(walk(&pg, 0x100000000ULL), 0);
	assert_int_equal(res.gpa, 0);
	/* Far beyond RAM is still a translation; the access itself fails later. */
	assert_int_equal(walk(&pg, 0xfee00000ULL), 0);
	assert_int_equal(res.gpa, 0xfee00000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_long_4k, reset),
		cmocka_unit_test_setup(test_long_2m, reset),
		cmocka_unit_test_setup(test_long_1g, reset),
		cmocka_unit_test_setup(test_long_pml4e_ps_reserved, reset),
		cmocka_unit_test_setup(test_long_not_present, reset),
		cmocka_unit_test_setup(test_long_outside_ram, reset),
		cmocka_unit_test_setup(test_long_read_fails, reset),
		cmocka_unit_test_setup(test_long_canonical, reset),
		cmocka_unit_test_setup(test_long_la57, reset),
		cmocka_unit_test_setup(test_long_ignores_pse, reset),
		cmocka_unit_test_setup(test_pae_4k, reset),
		cmocka_unit_test_setup(test_pae_2m, reset),
		cmocka_unit_test_setup(test_pae_pdpte_no_ps, reset),
		cmocka_unit_test_setup(test_pae_failures, reset),
		cmocka_unit_test_setup(test_32_4k, reset),
		cmocka_unit_test_setup(test_32_4m_pse, reset),
		cmocka_unit_test_setup(test_32_pse36, reset),
		cmocka_unit_test_setup(test_32_ps_without_pse, reset),
		cmocka_unit_test_setup(test_32_failures, reset),
		cmocka_unit_test_setup(test_paging_off, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
