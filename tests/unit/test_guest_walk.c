/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/guest_walk.h>

/*
 * Guest-physical 0..8 MiB is a byte array; page tables are written into it
 * by hand and the read callback refuses anything outside it, records every
 * address the walk asked for and can be told to fail the n-th read.
 */
#define MEM_SIZE (8ULL << 20)

#define P	(1ULL << 0)
#define RW	(1ULL << 1)
#define US	(1ULL << 2)
#define A	(1ULL << 5)
#define D	(1ULL << 6)
#define PS	(1ULL << 7)
#define G	(1ULL << 8)
#define PAT_L	(1ULL << 12)	/* PAT bit of a large-page entry */
#define XD	(1ULL << 63)
#define FL	(P | RW | US | A)

#define CR0_PE		(1ULL << 0)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

static uint8_t *mem;

struct fake {
	unsigned int reads;
	unsigned int fail_at; /* 1-based read that fails; 0 = none */
	unsigned int oob;     /* reads refused for lying outside memory */
	uint64_t addrs[4];
};

static int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct fake *f = ctx;

	assert_true(len == 4 || len == 8);
	assert_int_equal(gpa % len, 0); /* entries are naturally aligned */
	assert_true(f->reads < 4);      /* no walk needs more than four entries */
	f->addrs[f->reads++] = gpa;
	/* Garbage that looks present and large: a walk ignoring the error would use it. */
	memset(buf, 0xff, len);
	if (f->fail_at == f->reads)
		return -EFAULT;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa) {
		f->oob++;
		return -EFAULT;
	}
	memcpy(buf, mem + gpa, len);
	return 0;
}

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

/* The #PF error code of the last walk; PF_NONE when the walk did not set it. */
#define PF_NONE 0xdeadbeefu
#define PF_P	0x01u
#define PF_RSVD	0x08u
static uint32_t pf;

/* Translation only: a supervisor read, which no right but SMAP can refuse. */
static int walk(const struct guest_paging *pg, uint64_t linear, struct fake *f, uint64_t *out)
{
	memset(f, 0, sizeof(*f));
	*out = 0xdeadbeefdeadbeefULL;
	pf = PF_NONE;
	return guest_walk(pg, linear, 0, fake_read, f, out, &pf);
}

static int walk_failing(const struct guest_paging *pg, uint64_t linear, unsigned int fail_at,
			struct fake *f, uint64_t *out)
{
	memset(f, 0, sizeof(*f));
	f->fail_at = fail_at;
	*out = 0xdeadbeefdeadbeefULL;
	pf = PF_NONE;
	return guest_walk(pg, linear, 0, fake_read, f, out, &pf);
}

static int reset(void **state)
{
	(void)state;
	memset(mem, 0, MEM_SIZE);
	return 0;
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
	struct fake f;
	uint64_t g;

	(void)state;
	build_long_4k();
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x500abc);
	assert_int_equal(f.reads, 4);
	assert_int_equal(f.addrs[0], PML4 + 0xfe * 8);
	assert_int_equal(f.addrs[1], PDPT + 0x48 * 8);
	assert_int_equal(f.addrs[2], PD + 0x1a2 * 8);
	assert_int_equal(f.addrs[3], PT + 0x167 * 8);
	/* Every offset within the page, and a neighbour page that is not mapped. */
	assert_int_equal(walk(&long_pg, LIN & ~0xfffULL, &f, &g), 0);
	assert_int_equal(g, 0x500000);
	assert_int_equal(walk(&long_pg, LIN | 0xfff, &f, &g), 0);
	assert_int_equal(g, 0x500fff);
	assert_int_equal(walk(&long_pg, LIN + 0x1000, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	/* A leaf beyond RAM still translates: the walk never reads the page itself. */
	put64(PT + 0x167 * 8, 0x000ffffffffff000ULL | P);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x000ffffffffffabcULL);
}

static void test_long_2m(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_long_4k();
	/* PAT (bit 12) is part of the entry, not of the address. */
	put64(PD + 0x1a2 * 8, 0x600000 | FL | PS | PAT_L | D);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x767abc);
	assert_int_equal(f.reads, 3);
	/* Bit 12 clear in the linear address must stay clear. */
	assert_int_equal(walk(&long_pg, LIN & ~0x1fffffULL, &f, &g), 0);
	assert_int_equal(g, 0x600000);
	assert_int_equal(walk(&long_pg, LIN | 0x1fffff, &f, &g), 0);
	assert_int_equal(g, 0x7fffff);
	/* A 2 MiB frame above 4 GiB. */
	put64(PD + 0x1a2 * 8, 0x123400000ULL | FL | PS | XD);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x123567abcULL);
}

static void test_long_1g(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_long_4k();
	put64(PDPT + 0x48 * 8, 0x40000000 | FL | PS | PAT_L | D | XD);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x74567abc);
	assert_int_equal(f.reads, 2);
	put64(PDPT + 0x48 * 8, 0x7c0000000ULL | FL | PS);
	assert_int_equal(walk(&long_pg, LIN & ~0x3fffffffULL, &f, &g), 0);
	assert_int_equal(g, 0x7c0000000ULL);
	assert_int_equal(walk(&long_pg, LIN | 0x3fffffff, &f, &g), 0);
	assert_int_equal(g, 0x7ffffffffULL);
}

static void test_long_pml4e_ps_reserved(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_long_4k();
	/* Was taken as a 512 GiB page; bit 7 of a PML4E is reserved. */
	put64(PML4 + 0xfe * 8, PDPT | FL | PS);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EFAULT);
	assert_int_equal(pf, PF_P | PF_RSVD);
	assert_int_equal(f.reads, 1);
}

static void test_long_not_present(void **state)
{
	static const uint64_t slot[4] = { PML4 + 0xfe * 8, PDPT + 0x48 * 8, PD + 0x1a2 * 8,
					  PT + 0x167 * 8 };
	struct fake f;
	uint64_t g;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t e;

		reset(NULL);
		build_long_4k();
		memcpy(&e, mem + slot[i], 8);
		/* Every other bit stays set: only P decides. */
		put64(slot[i], e & ~P);
		assert_int_equal(walk(&long_pg, LIN, &f, &g), -EFAULT);
		assert_int_equal(pf, 0); /* not present, supervisor read */
		assert_int_equal(f.reads, i + 1);
		assert_int_equal(g, 0xdeadbeefdeadbeefULL);
		put64(slot[i], e);
		assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
		assert_int_equal(g, 0x500abc);
	}
	/* An all-zero table (P clear, PS clear) at the top. */
	reset(NULL);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	assert_int_equal(f.reads, 1);
}

static void test_long_outside_ram(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	/* CR3 beyond RAM. */
	pg.cr3 = MEM_SIZE;
	assert_int_equal(walk(&pg, LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	pg.cr3 = 0x000ffffffffff000ULL;
	assert_int_equal(walk(&pg, LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	/* Each intermediate entry in turn pointing past the end, or far beyond. */
	put64(PML4 + 0xfe * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.reads, 2);
	assert_int_equal(f.oob, 1);
	assert_int_equal(f.addrs[1], MEM_SIZE + 0x48 * 8);
	build_long_4k();
	put64(PDPT + 0x48 * 8, 0x000ffffffffff000ULL | FL);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	build_long_4k();
	put64(PD + 0x1a2 * 8, (MEM_SIZE - 0x1000) | FL);
	/* The last page of RAM is fine (zeroed: not present)... */
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	assert_int_equal(f.oob, 0);
	put64(MEM_SIZE - 0x1000 + 0x167 * 8, 0x2000 | P);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x2abc);
	/* ...the next one is not. */
	put64(PD + 0x1a2 * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&long_pg, LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
}

static void test_long_read_fails(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_long_4k();
	for (unsigned int n = 1; n <= 4; n++) {
		assert_int_equal(walk_failing(&long_pg, LIN, n, &f, &g), -EIO);
		assert_int_equal(pf, PF_NONE);
		assert_int_equal(f.reads, n);
		assert_int_equal(g, 0xdeadbeefdeadbeefULL);
	}
	assert_int_equal(walk_failing(&long_pg, LIN, 5, &f, &g), 0);
	assert_int_equal(g, 0x500abc);
}

static void test_long_canonical(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	/* 0xffff800000123456: indices 0x100 / 0 / 0 / 0x123. */
	put64(PML4 + 0x100 * 8, PDPT | FL);
	put64(PDPT, PD | FL);
	put64(PD, PT | FL);
	put64(PT + 0x123 * 8, 0x345000 | FL | G);
	assert_int_equal(walk(&long_pg, 0xffff800000123456ULL, &f, &g), 0);
	assert_int_equal(g, 0x345456);
	assert_int_equal(f.addrs[0], PML4 + 0x100 * 8);
	/* Same low 48 bits but not sign-extended: refused before any read. */
	assert_int_equal(walk(&long_pg, 0x0000800000123456ULL, &f, &g), -EINVAL);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.reads, 0);
	assert_int_equal(walk(&long_pg, 0xfff0800000123456ULL, &f, &g), -EINVAL);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.reads, 0);
	assert_int_equal(walk(&long_pg, 0x00007fffffffffffULL + 1, &f, &g), -EINVAL);
	assert_int_equal(pf, PF_NONE);
	/* The very top of the address space: index 511 at every level. */
	put64(PML4 + 511 * 8, PDPT | FL);
	put64(PDPT + 511 * 8, PD | FL);
	put64(PD + 511 * 8, PT | FL);
	put64(PT + 511 * 8, 0x7ff000 | FL);
	assert_int_equal(walk(&long_pg, ~0ULL, &f, &g), 0);
	assert_int_equal(g, 0x7fffff);
	assert_int_equal(f.addrs[0], PML4 + 511 * 8);
	assert_int_equal(f.addrs[3], PT + 511 * 8);
	/* The top of the lower half. */
	put64(PML4 + 255 * 8, PDPT | FL);
	assert_int_equal(walk(&long_pg, 0x00007fffffffffffULL, &f, &g), 0);
	assert_int_equal(g, 0x7fffff);
}

static void test_long_la57(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	pg.cr4 |= CR4_LA57;
	assert_int_equal(walk(&pg, LIN, &f, &g), -ENOTSUP);
	assert_int_equal(f.reads, 0);
}

static void test_long_ignores_pse(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = long_pg;

	(void)state;
	build_long_4k();
	pg.cr4 |= CR4_PSE; /* meaningless outside 32-bit paging */
	assert_int_equal(walk(&pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x500abc);
	put64(PD + 0x1a2 * 8, 0x600000 | FL | PS);
	pg.cr4 &= ~CR4_PSE;
	assert_int_equal(walk(&pg, LIN, &f, &g), 0);
	assert_int_equal(g, 0x767abc);
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
	struct fake f;
	uint64_t g;
	struct guest_paging pg = pae_pg;

	(void)state;
	build_pae();
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0x3ff123);
	assert_int_equal(f.reads, 3);
	assert_int_equal(f.addrs[0], PAE_PDPT + 3 * 8);
	assert_int_equal(f.addrs[1], PAE_PD + 5 * 8);
	assert_int_equal(f.addrs[2], PAE_PT + 3 * 8);
	/* Linear addresses are 32 bits: the upper half wraps away. */
	assert_int_equal(walk(&pae_pg, 0xabcd00000000ULL | PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0x3ff123);
	/* PAE reaches frames above 4 GiB. */
	put64(PAE_PT + 3 * 8, 0xf00000000ULL | FL);
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0xf00000123ULL);
	/* CR4.PSE does not matter with PAE. */
	pg.cr4 |= CR4_PSE;
	assert_int_equal(walk(&pg, PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0xf00000123ULL);
}

static void test_pae_2m(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_pae();
	put64(PAE_PD + 5 * 8, 0x200000 | FL | PS | PAT_L);
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0x203123);
	assert_int_equal(f.reads, 2);
	assert_int_equal(walk(&pae_pg, PAE_LIN | 0x1fffff, &f, &g), 0);
	assert_int_equal(g, 0x3fffff);
}

static void test_pae_pdpte_no_ps(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_pae();
	/* A PDPTE has no PS bit: never a 1 GiB page; bit 7 is one of its reserved 8:5. */
	put64(PAE_PDPT + 3 * 8, PAE_PD | P | PS);
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), -EFAULT);
	assert_int_equal(pf, PF_P | PF_RSVD);
	assert_int_equal(f.reads, 1);
	/* PWT and PCD are its only flags besides P. */
	put64(PAE_PDPT + 3 * 8, PAE_PD | P | (1ULL << 3) | (1ULL << 4) | (7ULL << 9));
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), 0);
	assert_int_equal(g, 0x3ff123);
	assert_int_equal(f.reads, 3);
}

static void test_pae_failures(void **state)
{
	static const uint64_t slot[3] = { PAE_PDPT + 3 * 8, PAE_PD + 5 * 8, PAE_PT + 3 * 8 };
	struct fake f;
	uint64_t g;
	struct guest_paging pg = pae_pg;

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t e;

		reset(NULL);
		build_pae();
		memcpy(&e, mem + slot[i], 8);
		put64(slot[i], e & ~P);
		assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), -EFAULT);
		assert_int_equal(pf, 0); /* not present, supervisor read */
		assert_int_equal(f.reads, i + 1);
		put64(slot[i], e);
		assert_int_equal(walk_failing(&pae_pg, PAE_LIN, i + 1, &f, &g), -EIO);
		assert_int_equal(pf, PF_NONE);
		assert_int_equal(f.reads, i + 1);
	}
	reset(NULL);
	build_pae();
	put64(PAE_PDPT + 3 * 8, 0x100000000ULL | P);
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	build_pae();
	put64(PAE_PD + 5 * 8, MEM_SIZE | FL);
	assert_int_equal(walk(&pae_pg, PAE_LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	/* The PDPT itself beyond RAM (CR3 is 32 bits here). */
	pg.cr3 = 0xffffffe0;
	assert_int_equal(walk(&pg, PAE_LIN, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	assert_int_equal(f.addrs[0], 0xffffffe0ULL + 3 * 8);
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
	struct fake f;
	uint64_t g;

	(void)state;
	build_32();
	assert_int_equal(walk(&pg32, LIN32, &f, &g), 0);
	assert_int_equal(g, 0x456d21);
	assert_int_equal(f.reads, 2);
	assert_int_equal(f.addrs[0], PD32 + 0x229 * 4);
	assert_int_equal(f.addrs[1], PT32 + 0x1c3 * 4);
	assert_int_equal(walk(&pg32, 0x100000000ULL | LIN32, &f, &g), 0);
	assert_int_equal(g, 0x456d21);
	/* The top of the 32-bit space. */
	put32(PD32 + 0x3ff * 4, PT32 | P);
	put32(PT32 + 0x3ff * 4, 0xfffff000 | P);
	assert_int_equal(walk(&pg32, 0xffffffffULL, &f, &g), 0);
	assert_int_equal(g, 0xffffffffULL);
}

static void test_32_4m_pse(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = pg32;

	(void)state;
	build_32();
	put32(PD32 + 0x229 * 4, 0x00c00000 | FL | PS | D);
	pg.cr4 = CR4_PSE;
	assert_int_equal(walk(&pg, LIN32, &f, &g), 0);
	assert_int_equal(g, 0xc00000 + 0x1c3d21);
	assert_int_equal(f.reads, 1);
	assert_int_equal(walk(&pg, LIN32 | 0x3fffff, &f, &g), 0);
	assert_int_equal(g, 0xffffff);
	/* PAT (bit 12) is not an address bit. */
	put32(PD32 + 0x229 * 4, 0xffc00000 | P | PS | (uint32_t)PAT_L);
	assert_int_equal(walk(&pg, LIN32 & ~0x3fffffULL, &f, &g), 0);
	assert_int_equal(g, 0xffc00000ULL);
}

static void test_32_pse36(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = pg32;

	(void)state;
	pg.cr4 = CR4_PSE;
	/* Bits 20:13 = 0x5a become address bits 39:32. */
	put32(PD32 + 0x229 * 4, 0x00c00000 | (0x5aU << 13) | FL | PS);
	assert_int_equal(walk(&pg, LIN32, &f, &g), 0);
	assert_int_equal(g, 0x5a00dc3d21ULL);
	put32(PD32 + 0x229 * 4, 0xffc00000 | (0xffU << 13) | P | PS | (uint32_t)PAT_L);
	assert_int_equal(walk(&pg, LIN32 | 0x3fffff, &f, &g), 0);
	assert_int_equal(g, 0xffffffffffULL);
	put32(PD32 + 0x229 * 4, (0x01U << 13) | P | PS);
	assert_int_equal(walk(&pg, LIN32 & ~0x3fffffULL, &f, &g), 0);
	assert_int_equal(g, 0x100000000ULL);
}

static void test_32_ps_without_pse(void **state)
{
	struct fake f;
	uint64_t g;

	(void)state;
	build_32();
	/* Without CR4.PSE the PS bit is ignored: the PDE still names a page table. */
	put32(PD32 + 0x229 * 4, PT32 | FL | PS);
	assert_int_equal(walk(&pg32, LIN32, &f, &g), 0);
	assert_int_equal(g, 0x456d21);
	assert_int_equal(f.reads, 2);
}

static void test_32_failures(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = pg32;

	(void)state;
	build_32();
	put32(PD32 + 0x229 * 4, (PT32 | FL) & ~P);
	assert_int_equal(walk(&pg32, LIN32, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	assert_int_equal(f.reads, 1);
	build_32();
	put32(PT32 + 0x1c3 * 4, (0x456000 | FL) & ~P);
	assert_int_equal(walk(&pg32, LIN32, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	assert_int_equal(f.reads, 2);
	/* A not-present 4 MiB entry. */
	pg.cr4 = CR4_PSE;
	put32(PD32 + 0x229 * 4, 0x00c00000 | PS | RW);
	assert_int_equal(walk(&pg, LIN32, &f, &g), -EFAULT);
	assert_int_equal(pf, 0); /* not present, supervisor read */
	build_32();
	for (unsigned int n = 1; n <= 2; n++) {
		assert_int_equal(walk_failing(&pg32, LIN32, n, &f, &g), -EIO);
		assert_int_equal(pf, PF_NONE);
		assert_int_equal(f.reads, n);
	}
	put32(PD32 + 0x229 * 4, (uint32_t)MEM_SIZE | FL);
	assert_int_equal(walk(&pg32, LIN32, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
	pg = pg32;
	pg.cr3 = 0xfffff000;
	assert_int_equal(walk(&pg, LIN32, &f, &g), -EIO);
	assert_int_equal(pf, PF_NONE);
	assert_int_equal(f.oob, 1);
}

/* ---- paging off ---- */

static void test_paging_off(void **state)
{
	struct fake f;
	uint64_t g;
	struct guest_paging pg = { .cr0 = CR0_PE, .cr3 = PML4, .cr4 = CR4_PAE | CR4_PSE };

	(void)state;
	build_long_4k();
	assert_int_equal(walk(&pg, 0x123456789abcULL, &f, &g), 0);
	assert_int_equal(g, 0x56789abcULL);
	assert_int_equal(f.reads, 0);
	pg.cr0 = 0;
	assert_int_equal(walk(&pg, 0xffffffffULL, &f, &g), 0);
	assert_int_equal(g, 0xffffffffULL);
	assert_int_equal(walk(&pg, 0x100000000ULL, &f, &g), 0);
	assert_int_equal(g, 0);
	/* Far beyond RAM is still a translation; the access itself fails later. */
	assert_int_equal(walk(&pg, 0xfee00000ULL, &f, &g), 0);
	assert_int_equal(g, 0xfee00000ULL);
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
	int ret;

	mem = calloc(1, MEM_SIZE);
	if (!mem)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(mem);
	return ret;
}
