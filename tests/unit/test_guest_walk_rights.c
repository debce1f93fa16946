/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access rights, reserved bits and #PF error codes of the guest page-table
 * walk (Intel SDM Vol. 3A 4.3-4.7), each rule in every paging mode it
 * applies to, then a randomized comparison against a reference walk written
 * out from the SDM's tables. Translation itself is in test_guest_walk.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <vmm/guest_walk.h>

/* Guest-physical 0..8 MiB is a byte array; the read callback refuses the rest. */
#define MEM_SIZE (8ULL << 20)

#define P	(1ULL << 0)
#define RW	(1ULL << 1)
#define US	(1ULL << 2)
#define A	(1ULL << 5)
#define PS	(1ULL << 7)
#define PAT_L	(1ULL << 12)	/* PAT bit of a large-page entry */
#define XD	(1ULL << 63)
#define FL	(P | RW | US | A)

#define CR0_PE		(1ULL << 0)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

/* The architectural error code, spelled out here so the header's values are checked too. */
#define PF_P	0x01u
#define PF_W	0x02u
#define PF_U	0x04u
#define PF_RSVD	0x08u
#define PF_I	0x10u
#define PF_NONE	 0xdeadbeefu
#define GPA_NONE 0xdeadbeefdeadbeefULL

/* Accesses: supervisor/user/implicit read, write, fetch. */
#define RD	0u
#define WR	GUEST_ACCESS_WRITE
#define UR	GUEST_ACCESS_USER
#define UW	(GUEST_ACCESS_USER | GUEST_ACCESS_WRITE)
#define FX	GUEST_ACCESS_FETCH
#define UX	(GUEST_ACCESS_USER | GUEST_ACCESS_FETCH)
#define IR	GUEST_ACCESS_IMPLICIT
#define IW	(GUEST_ACCESS_IMPLICIT | GUEST_ACCESS_WRITE)

static uint8_t *mem;

struct fake {
	unsigned int reads;
	unsigned int fail_at; /* 1-based read that fails; 0 = none */
	unsigned int oob;     /* reads refused for lying outside memory */
};

static int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct fake *f = ctx;

	assert_true(len == 4 || len == 8);
	assert_int_equal(gpa % len, 0);
	assert_true(f->reads < 4);
	f->reads++;
	memset(buf, 0xff, len); /* present-looking garbage, should an error be ignored */
	if (f->fail_at == f->reads)
		return -EFAULT;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa) {
		f->oob++;
		return -EFAULT;
	}
	memcpy(buf, mem + gpa, len);
	return 0;
}

/* The outcome of the last walk. */
static struct {
	int ret;
	uint64_t gpa;
	uint32_t pf;
	unsigned int reads, oob;
} res;

static int walk_at(const struct guest_paging *pg, uint64_t lin, unsigned int access,
		   unsigned int fail_at)
{
	struct fake f = { .fail_at = fail_at };

	res.gpa = GPA_NONE;
	res.pf = PF_NONE;
	res.ret = guest_walk(pg, lin, access, fake_read, &f, &res.gpa, &res.pf);
	res.reads = f.reads;
	res.oob = f.oob;
	/* Each output is written exactly when the return value says it is. */
	if (res.ret != 0)
		assert_int_equal(res.gpa, GPA_NONE);
	if (res.ret != -EFAULT)
		assert_int_equal(res.pf, PF_NONE);
	return res.ret;
}

/* ---- one page mapped in each mode, one table per level ---- */

struct mode {
	const char *name;
	struct guest_paging pg;	/* EFER.NXE on; no WP, SMEP or SMAP */
	size_t esize;
	unsigned int levels;
	bool pdpte;		/* entry 0 is a PAE PDPTE: P and address only */
	uint64_t slot[4];	/* entry addresses, top level first */
	uint64_t next[4];	/* what each points at: the next table, at last the frame */
	uint64_t lin, gpa;
	uint32_t fetch_i;	/* I/D of a fetch fault without SMEP: only with PAE and NXE */
};

static const struct mode modes[] = {
	{ "32-bit", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x7000, .efer = EFER_NXE }, 4, 2, false,
	  { 0x7000 + 0x229 * 4, 0x9000 + 0x1c3 * 4 }, { 0x9000, 0x456000 },
	  0x8a5c3d21, 0x456d21, 0 },
	{ "PAE", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x5020, .cr4 = CR4_PAE, .efer = EFER_NXE },
	  8, 3, true, { 0x5020 + 3 * 8, 0x6000 + 5 * 8, 0x7000 + 3 * 8 },
	  { 0x6000, 0x7000, 0x3ff000 }, 0xc0a03123, 0x3ff123, PF_I },
	{ "4-level", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x10000, .cr4 = CR4_PAE,
		       .efer = EFER_LME | EFER_LMA | EFER_NXE },
	  8, 4, false, { 0x10000 + 0xfe * 8, 0x11000 + 0x48 * 8, 0x12000 + 0x1a2 * 8,
			 0x13000 + 0x167 * 8 },
	  { 0x11000, 0x12000, 0x13000, 0x500000 }, 0x00007f1234567abcULL, 0x500abc, PF_I },
};
#define M32	(&modes[0])
#define MPAE	(&modes[1])
#define MLONG	(&modes[2])

/* Which mode and level the current check is about, for the failure message. */
static const struct mode *cur;
static int cur_level = -1;

static uint64_t get_entry(unsigned int i)
{
	uint64_t e = 0;

	memcpy(&e, mem + cur->slot[i], cur->esize);
	return e;
}

static void set_entry(unsigned int i, uint64_t e)
{
	memcpy(mem + cur->slot[i], &e, cur->esize);
}

static void set_bits(unsigned int i, uint64_t bits)
{
	set_entry(i, get_entry(i) | bits);
}

static void clear_bits(unsigned int i, uint64_t bits)
{
	set_entry(i, get_entry(i) & ~bits);
}

/* Maps cur->lin to cur->gpa with flags in every entry that has rights. */
static void build(uint64_t flags)
{
	memset(mem, 0, MEM_SIZE);
	for (unsigned int i = 0; i < cur->levels; i++)
		set_entry(i, cur->next[i] | (cur->pdpte && i == 0 ? P : flags));
}

/* The first level whose entry carries U/S, R/W and XD. */
static unsigned int first_rights(void)
{
	return cur->pdpte ? 1 : 0;
}

static void expect(const struct guest_paging *pg, uint64_t lin, unsigned int access, int ret,
		   uint32_t pf, uint64_t gpa, int line)
{
	walk_at(pg, lin, access, 0);
	if (res.ret != ret || res.pf != pf || res.gpa != gpa)
		fail_msg("line %d, %s paging, level %d, access %#x: got %d, pf %#x, gpa %#llx; "
			 "want %d, pf %#x, gpa %#llx", line, cur->name, cur_level, access, res.ret,
			 res.pf, (unsigned long long)res.gpa, ret, pf, (unsigned long long)gpa);
}

#define OK(pg, acc)		expect(pg, cur->lin, acc, 0, PF_NONE, cur->gpa, __LINE__)
#define OK_AT(pg, acc, gpa)	expect(pg, cur->lin, acc, 0, PF_NONE, gpa, __LINE__)
#define FAULT(pg, acc, code)	expect(pg, cur->lin, acc, -EFAULT, code, GPA_NONE, __LINE__)
#define EIO_AT(pg, acc)		expect(pg, cur->lin, acc, -EIO, PF_NONE, GPA_NONE, __LINE__)

#define for_each_mode(m) for (cur = (m) = modes, cur_level = -1; (m) < modes + 3; cur = ++(m), cur_level = -1)

static int reset(void **state)
{
	(void)state;
	memset(mem, 0, MEM_SIZE);
	cur_level = -1;
	return 0;
}

static void test_error_bits(void **state)
{
	(void)state;
	assert_int_equal(GUEST_PF_P, PF_P);
	assert_int_equal(GUEST_PF_W, PF_W);
	assert_int_equal(GUEST_PF_U, PF_U);
	assert_int_equal(GUEST_PF_RSVD, PF_RSVD);
	assert_int_equal(GUEST_PF_I, PF_I);
}

static void test_all_allowed(void **state)
{
	const struct mode *m;
	static const unsigned int all[] = { RD, WR, UR, UW, FX, UX, IR, IW };

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		build(FL);
		pg.cr0 |= CR0_WP;
		for (unsigned int a = 0; a < 8; a++)
			OK(&pg, all[a]);
	}
}

static void test_user_supervisor(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for (unsigned int i = first_rights(); i < m->levels; i++) {
			struct guest_paging pg = m->pg;

			cur_level = i;
			build(FL);
			clear_bits(i, US);
			FAULT(&pg, UR, PF_P | PF_U);
			FAULT(&pg, UW, PF_P | PF_W | PF_U);
			FAULT(&pg, UX, PF_P | PF_U | m->fetch_i);
			/* Supervisor pages are what the supervisor may always use. */
			OK(&pg, RD);
			OK(&pg, WR);
			OK(&pg, FX);
			/* An implicit access is a supervisor one even at CPL 3. */
			OK(&pg, IR | UR);
			OK(&pg, IW | UR);
			/* CR0.WP has nothing to do with U/S. */
			pg.cr0 |= CR0_WP;
			FAULT(&pg, UR, PF_P | PF_U);
			OK(&pg, WR);
		}
	}
}

static void test_read_only(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for (unsigned int i = first_rights(); i < m->levels; i++) {
			struct guest_paging pg = m->pg;

			cur_level = i;
			build(FL);
			clear_bits(i, RW);
			OK(&pg, RD);
			OK(&pg, UR);
			OK(&pg, FX);
			OK(&pg, UX);
			/* CR0.WP=0: the supervisor writes anyway, the user never. */
			OK(&pg, WR);
			OK(&pg, IW);
			FAULT(&pg, UW, PF_P | PF_W | PF_U);
			pg.cr0 |= CR0_WP;
			FAULT(&pg, WR, PF_P | PF_W);
			FAULT(&pg, IW, PF_P | PF_W);
			FAULT(&pg, UW, PF_P | PF_W | PF_U);
			OK(&pg, RD);
			OK(&pg, UR);
			/* The same on a supervisor page (U/S=0 at the leaf). */
			clear_bits(m->levels - 1, US);
			FAULT(&pg, WR, PF_P | PF_W);
			FAULT(&pg, UW, PF_P | PF_W | PF_U);
			pg.cr0 &= ~CR0_WP;
			OK(&pg, WR);
		}
	}
}

static void test_smap(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		build(FL);
		pg.cr4 |= CR4_SMAP;
		FAULT(&pg, RD, PF_P);
		FAULT(&pg, WR, PF_P | PF_W);
		FAULT(&pg, IR, PF_P);
		FAULT(&pg, IW, PF_P | PF_W);
		FAULT(&pg, IR | UR, PF_P); /* an implicit access at CPL 3: supervisor, no U */
		OK(&pg, FX);		   /* SMAP is about data only */
		OK(&pg, UR);
		OK(&pg, UW);
		/* RFLAGS.AC opens user pages to explicit accesses only. */
		pg.ac = true;
		OK(&pg, RD);
		OK(&pg, WR);
		FAULT(&pg, IR, PF_P);
		FAULT(&pg, IW, PF_P | PF_W);
		FAULT(&pg, IR | UR, PF_P);
		/* With AC=1 a read-only user page is down to CR0.WP again. */
		clear_bits(m->levels - 1, RW);
		OK(&pg, WR);
		pg.cr0 |= CR0_WP;
		FAULT(&pg, WR, PF_P | PF_W);
		OK(&pg, RD);
		pg.ac = false;
		pg.cr0 &= ~CR0_WP;
		FAULT(&pg, WR, PF_P | PF_W);
		/* Supervisor pages are untouched by SMAP. */
		for (unsigned int i = first_rights(); i < m->levels; i++) {
			cur_level = i;
			build(FL);
			clear_bits(i, US);
			OK(&pg, RD);
			OK(&pg, WR);
			OK(&pg, IR);
			OK(&pg, IW);
		}
		cur_level = -1;
		/* And without SMAP implicit accesses reach user pages. */
		build(FL);
		pg.cr4 &= ~CR4_SMAP;
		OK(&pg, IR);
		OK(&pg, IW);
	}
}

static void test_smep(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		build(FL);
		pg.cr4 |= CR4_SMEP;
		/* I/D is set with SMEP in every mode, 32-bit paging included. */
		FAULT(&pg, FX, PF_P | PF_I);
		OK(&pg, UX);
		OK(&pg, RD);
		OK(&pg, WR);
		for (unsigned int i = first_rights(); i < m->levels; i++) {
			cur_level = i;
			build(FL);
			clear_bits(i, US);
			OK(&pg, FX);
			FAULT(&pg, UX, PF_P | PF_U | PF_I);
		}
		cur_level = -1;
		/* Without NXE a fetch fault has I/D only because of SMEP. */
		build(FL);
		pg.efer &= ~EFER_NXE;
		FAULT(&pg, FX, PF_P | PF_I);
		pg.cr4 &= ~CR4_SMEP;
		OK(&pg, FX);
	}
}

static void test_nx(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		if (m == M32) {
			/* No XD bit to set: NXE only changes nothing, not even I/D. */
			build(FL);
			OK(&pg, FX);
			clear_bits(1, P);
			FAULT(&pg, FX, 0);
			FAULT(&pg, UX, PF_U);
			continue;
		}
		for (unsigned int i = first_rights(); i < m->levels; i++) {
			cur_level = i;
			pg = m->pg;
			build(FL);
			set_bits(i, XD);
			FAULT(&pg, FX, PF_P | PF_I);
			FAULT(&pg, UX, PF_P | PF_U | PF_I);
			FAULT(&pg, FX | WR, PF_P | PF_I); /* a fetch is never a write */
			OK(&pg, RD);
			OK(&pg, WR);
			OK(&pg, UR);
			OK(&pg, UW);
			/* Without EFER.NXE the bit is reserved, whatever the access. */
			pg.efer &= ~EFER_NXE;
			FAULT(&pg, RD, PF_P | PF_RSVD);
			FAULT(&pg, WR, PF_P | PF_W | PF_RSVD);
			FAULT(&pg, UW, PF_P | PF_W | PF_U | PF_RSVD);
			FAULT(&pg, FX, PF_P | PF_RSVD);
			assert_int_equal(res.reads, i + 1);
			pg.cr4 |= CR4_SMEP;
			FAULT(&pg, FX, PF_P | PF_RSVD | PF_I);
		}
		/* A user fetch from a supervisor page faults by U/S, XD clear. */
		cur_level = -1;
		pg = m->pg;
		build(FL);
		clear_bits(m->levels - 1, US);
		FAULT(&pg, UX, PF_P | PF_U | PF_I);
		pg.efer &= ~EFER_NXE;
		FAULT(&pg, UX, PF_P | PF_U);
	}
}

static void test_not_present(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for (unsigned int i = 0; i < m->levels; i++) {
			struct guest_paging pg = m->pg;

			cur_level = i;
			build(FL);
			/* Nothing but P counts, reserved bits included. */
			set_entry(i, ~P & (m->esize == 4 ? 0xffffffffULL : ~0ULL));
			FAULT(&pg, RD, 0);
			assert_int_equal(res.reads, i + 1);
			FAULT(&pg, WR, PF_W);
			FAULT(&pg, UR, PF_U);
			FAULT(&pg, UW, PF_W | PF_U);
			FAULT(&pg, FX, m->fetch_i);
			FAULT(&pg, UX, PF_U | m->fetch_i);
			FAULT(&pg, IR | UR, 0);
			FAULT(&pg, IW | UR, PF_W);
			pg.cr4 |= CR4_SMEP | CR4_SMAP;
			pg.cr0 |= CR0_WP;
			FAULT(&pg, FX, PF_I);
			FAULT(&pg, RD, 0);
			pg.cr4 &= ~CR4_SMEP;
			pg.efer &= ~EFER_NXE;
			FAULT(&pg, FX, 0);
		}
	}
}

/* Setting bit b of entry i faults with RSVD (want) or translates to gpa. */
static void reserved_bit(const struct guest_paging *pg, unsigned int i, unsigned int b, bool want,
			 uint64_t gpa, int line)
{
	uint64_t e = get_entry(i);

	cur_level = i;
	set_bits(i, 1ULL << b);
	if (want) {
		expect(pg, cur->lin, RD, -EFAULT, PF_P | PF_RSVD, GPA_NONE, line);
		assert_int_equal(res.reads, i + 1 - (cur->pdpte && pg->pdpte));
		expect(pg, cur->lin, UW, -EFAULT, PF_P | PF_W | PF_U | PF_RSVD, GPA_NONE, line);
		expect(pg, cur->lin, FX, -EFAULT, PF_P | PF_RSVD | cur->fetch_i, GPA_NONE, line);
	} else {
		expect(pg, cur->lin, UW, 0, PF_NONE, gpa, line);
	}
	set_entry(i, e);
}

static void test_reserved_maxphyaddr(void **state)
{
	const struct mode *m;

	(void)state;
	for (m = MPAE, cur = m; m <= MLONG; cur = ++m) {
		struct guest_paging pg = m->pg;
		unsigned int leaf = m->levels - 1;

		build(FL);
		pg.maxphyaddr = 36;
		for (unsigned int i = 0; i < m->levels; i++) {
			reserved_bit(&pg, i, 36, true, 0, __LINE__);
			reserved_bit(&pg, i, 51, true, 0, __LINE__);
			cur_level = i;
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
		for (unsigned int i = first_rights(); i < m->levels; i++)
			for (unsigned int b = 52; b <= 62; b++)
				reserved_bit(&pg, i, b, m == MPAE, m->gpa, __LINE__);
	}
}

static void test_reserved_pae_pdpte(void **state)
{
	struct guest_paging pg = MPAE->pg;
	uint64_t regs[4] = { 0 };

	(void)state;
	cur = MPAE;
	build(FL);
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
	FAULT(&pg, RD, PF_P | PF_RSVD);
	assert_int_equal(res.reads, 0);
	regs[3] = MPAE->next[0] | P | XD;
	FAULT(&pg, UR, PF_P | PF_U | PF_RSVD);
}

/* Large pages: their frame's low bits are reserved, PAT (bit 12) is not. */
static void large_page(const struct guest_paging *pg, unsigned int i, uint64_t frame,
		       unsigned int shift, unsigned int rsvd_hi)
{
	uint64_t gpa = frame | (cur->lin & ((1ULL << shift) - 1));

	build(FL);
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
	cur = MLONG;
	pg = MLONG->pg;
	large_page(&pg, 1, 0x40000000, 30, 29);
	large_page(&pg, 2, 0x600000, 21, 20);
	cur = MPAE;
	pg = MPAE->pg;
	large_page(&pg, 1, 0x200000, 21, 20);
	/* 32-bit: bits 20:13 are address bits 39:32, bit 21 and those above M reserved. */
	cur = M32;
	pg = M32->pg;
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
	struct guest_paging pg = MLONG->pg;

	(void)state;
	cur = MLONG;
	build(FL);
	reserved_bit(&pg, 0, 7, true, 0, __LINE__);
	/* Bits 8 and 6 of a PML4E are ignored on Intel. */
	reserved_bit(&pg, 0, 8, false, MLONG->gpa, __LINE__);
	reserved_bit(&pg, 0, 6, false, MLONG->gpa, __LINE__);
}

static void test_fault_order(void **state)
{
	const struct mode *m;

	(void)state;
	for (m = MPAE, cur = m; m <= MLONG; cur = ++m) {
		struct guest_paging pg = m->pg;

		pg.efer &= ~EFER_NXE;
		/* A reserved bit at the top ends the walk: lower entries are never read. */
		build(FL);
		set_bits(0, XD);
		clear_bits(m->levels - 1, P);
		FAULT(&pg, UW, PF_P | PF_W | PF_U | PF_RSVD);
		assert_int_equal(res.reads, 1);
		/* Not present above a reserved bit: P=0 wins. */
		build(FL);
		clear_bits(0, P);
		set_bits(m->levels - 1, XD);
		FAULT(&pg, UW, PF_W | PF_U);
		/* A reserved bit anywhere beats a rights violation anywhere. */
		build(FL);
		clear_bits(first_rights(), US | RW);
		set_bits(m->levels - 1, XD);
		FAULT(&pg, UW, PF_P | PF_W | PF_U | PF_RSVD);
	}
}

static void test_outside_ram(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		/* The leaf's frame is not read, so it may lie anywhere. */
		build(FL);
		set_entry(m->levels - 1, (m->esize == 4 ? 0xfffff000ULL : 0xffffff000ULL) | FL);
		OK_AT(&pg, UW, (m->esize == 4 ? 0xfffff000ULL : 0xffffff000ULL) | (m->lin & 0xfff));
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
	struct guest_paging pg = MLONG->pg;
	static const uint64_t bad[] = { 0x0000800000000000ULL, 0xffff7fffffffffffULL,
					0x8000000000000000ULL, 0x0001000000000abcULL };

	(void)state;
	cur = MLONG;
	build(FL);
	pg.cr4 |= CR4_SMEP | CR4_SMAP;
	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int a = 0; a < 16; a++) {
			assert_int_equal(walk_at(&pg, bad[i], a, 0), -EINVAL);
			assert_int_equal(res.reads, 0);
		}
	}
	/* Outside long mode the upper half is not checked but dropped. */
	cur = MPAE;
	build(FL);
	expect(&MPAE->pg, 0xabcd000000000000ULL | MPAE->lin, UW, 0, PF_NONE, MPAE->gpa, __LINE__);
	cur = M32;
	build(FL);
	expect(&M32->pg, 0x8000000000000000ULL | M32->lin, UW, 0, PF_NONE, M32->gpa, __LINE__);
}

static void test_pdpte_registers(void **state)
{
	struct guest_paging pg = MPAE->pg;
	uint64_t regs[4] = { 0 };

	(void)state;
	cur = MPAE;
	build(FL);
	/* The registers, not the memory at CR3, decide. */
	pg.pdpte = regs;
	FAULT(&pg, UW, PF_W | PF_U);
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
	FAULT(&pg, UR, PF_P | PF_U);
	/* Other modes have no PDPTE registers and ignore them. */
	cur = MLONG;
	build(FL);
	pg = MLONG->pg;
	pg.pdpte = regs;
	OK(&pg, UW);
	cur = M32;
	build(FL);
	pg = M32->pg;
	pg.pdpte = regs;
	OK(&pg, UW);
}

static void test_paging_off(void **state)
{
	struct guest_paging pg = {
		.cr0 = CR0_PE | CR0_WP, .cr3 = 0x10000, .cr4 = CR4_PAE | CR4_SMEP | CR4_SMAP,
		.efer = EFER_NXE, .maxphyaddr = 36,
	};

	(void)state;
	cur = MLONG;
	for (unsigned int a = 0; a < 16; a++) {
		assert_int_equal(walk_at(&pg, 0x1234fee00abcULL, a, 0), 0);
		assert_int_equal(res.gpa, 0xfee00abcULL);
		assert_int_equal(res.reads, 0);
	}
}

static void test_access_flags(void **state)
{
	const struct mode *m;
	uint64_t g = GPA_NONE;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		/* A fetch ignores WRITE: read-only pages are executable, W stays 0. */
		build(FL);
		clear_bits(m->levels - 1, RW);
		pg.cr0 |= CR0_WP;
		OK(&pg, FX | WR);
		OK(&pg, UX | WR);
		/* ...and IMPLICIT: SMAP does not stop fetches. */
		pg.cr4 |= CR4_SMAP;
		OK(&pg, FX | IR);
		/* IMPLICIT beats USER: supervisor rights, no U in the error code. */
		clear_bits(m->levels - 1, US);
		OK(&pg, IR | UR);
		FAULT(&pg, IW | UR, PF_P | PF_W);
	}
	/* pf_error may be NULL. */
	cur = MLONG;
	build(FL);
	clear_bits(3, P);
	assert_int_equal(guest_walk(&MLONG->pg, MLONG->lin, RD, fake_read,
				    &(struct fake){ 0 }, &g, NULL), -EFAULT);
	assert_int_equal(g, GPA_NONE);
}

/* ---- randomized against a reference walk ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Bits hi..lo of a mask, none if lo > hi. */
static uint64_t bits(unsigned int hi, unsigned int lo)
{
	return lo > hi ? 0 : (~0ULL << lo) & (~0ULL >> (63 - hi));
}

#define M64 0x000ffffffffff000ULL

struct ref {
	const struct guest_paging *pg;
	uint64_t l, e[4];
	unsigned int n;	/* entries read so far */
	unsigned int rights_from; /* e[] index of the first entry with U/S, R/W, XD */
	uint32_t code;
};

/*
 * Reads the entry at a and checks P and the reserved bits: 0 to go on, else
 * the walk's result.
 */
static int ref_entry(struct ref *r, uint64_t a, size_t len, uint64_t (*rsvd)(const struct ref *, uint64_t))
{
	uint64_t e = 0;

	if (a >= MEM_SIZE || len > MEM_SIZE - a)
		return -EIO;
	memcpy(&e, mem + a, len);
	r->e[r->n++] = e;
	if (!(e & P))
		return -EFAULT;
	if (e & rsvd(r, e)) {
		r->code |= PF_P | PF_RSVD;
		return -EFAULT;
	}
	return 0;
}

static unsigned int ref_m(const struct ref *r)
{
	unsigned int m = r->pg->maxphyaddr;

	return m == 0 || m > 52 ? 52 : m < 32 ? 32 : m;
}

static uint64_t ref_xd(const struct ref *r)
{
	return r->pg->efer & EFER_NXE ? 0 : XD;
}

/* SDM tables 4-14 to 4-20 (4-level), 4-8 to 4-11 (PAE), 4-4 to 4-6 (32-bit). */
static uint64_t rsvd_pml4e(const struct ref *r, uint64_t e)
{
	(void)e;
	return bits(51, ref_m(r)) | ref_xd(r) | PS;
}

static uint64_t rsvd_pdpte64(const struct ref *r, uint64_t e)
{
	return bits(51, ref_m(r)) | ref_xd(r) | (e & PS ? bits(29, 13) : 0);
}

static uint64_t rsvd_pde64(const struct ref *r, uint64_t e)
{
	return bits(51, ref_m(r)) | ref_xd(r) | (e & PS ? bits(20, 13) : 0);
}

static uint64_t rsvd_pte64(const struct ref *r, uint64_t e)
{
	(void)e;
	return bits(51, ref_m(r)) | ref_xd(r);
}

static uint64_t rsvd_pdpte_pae(const struct ref *r, uint64_t e)
{
	(void)e;
	return bits(63, ref_m(r)) | 0x1e6;
}

static uint64_t rsvd_pde_pae(const struct ref *r, uint64_t e)
{
	return bits(62, ref_m(r)) | ref_xd(r) | (e & PS ? bits(20, 13) : 0);
}

static uint64_t rsvd_pte_pae(const struct ref *r, uint64_t e)
{
	(void)e;
	return bits(62, ref_m(r)) | ref_xd(r);
}

static uint64_t rsvd_pde32(const struct ref *r, uint64_t e)
{
	unsigned int m = ref_m(r) > 40 ? 40 : ref_m(r);

	return (e & PS) && (r->pg->cr4 & CR4_PSE) ? bits(21, m - 19) : 0;
}

static uint64_t rsvd_none(const struct ref *r, uint64_t e)
{
	(void)r;
	(void)e;
	return 0;
}

/* SDM 4.6.1, case by case as it lists them. */
static bool ref_allowed(const struct ref *r, unsigned int acc)
{
	const struct guest_paging *pg = r->pg;
	bool f = acc & FX, w = !f && (acc & WR), imp = !f && (acc & IR), u = !imp && (acc & UR);
	bool user_addr = true, ro = false, xd = false;

	for (unsigned int i = r->rights_from; i < r->n; i++) {
		user_addr &= (r->e[i] & US) != 0;
		ro |= !(r->e[i] & RW);
		xd |= (r->e[i] & XD) && (pg->efer & EFER_NXE) && (pg->cr4 & CR4_PAE);
	}
	if (u) {
		if (!user_addr)
			return false;
		return f ? !xd : !(w && ro);
	}
	if (f)
		return !xd && !(user_addr && (pg->cr4 & CR4_SMEP));
	if (user_addr && (pg->cr4 & CR4_SMAP) && (imp || !pg->ac))
		return false;
	return !(w && ro && (pg->cr0 & CR0_WP));
}

static int ref_walk(const struct guest_paging *pg, uint64_t l, unsigned int acc, uint64_t *out,
		    uint32_t *code)
{
	struct ref r = { .pg = pg };
	bool f = acc & FX, imp = !f && (acc & IR);
	uint64_t page;
	int ret;

	if (!(pg->cr0 & CR0_PG)) {
		*out = (uint32_t)l;
		return 0;
	}
	r.code = (!f && (acc & WR) ? PF_W : 0) | (!imp && (acc & UR) ? PF_U : 0) |
		 (f && ((pg->cr4 & CR4_SMEP) || ((pg->cr4 & CR4_PAE) && (pg->efer & EFER_NXE))) ? PF_I : 0);
	if (pg->efer & EFER_LMA) {
		if (pg->cr4 & CR4_LA57)
			return -ENOTSUP;
		if ((l >> 47) != 0 && (l >> 47) != 0x1ffff)
			return -EINVAL;
		if ((ret = ref_entry(&r, (pg->cr3 & M64) + ((l >> 39) & 511) * 8, 8, rsvd_pml4e)) ||
		    (ret = ref_entry(&r, (r.e[0] & M64) + ((l >> 30) & 511) * 8, 8, rsvd_pdpte64)))
			goto out;
		if (r.e[1] & PS) {
			page = (r.e[1] & M64 & ~0x3fffffffULL) | (l & 0x3fffffff);
			goto leaf;
		}
		if ((ret = ref_entry(&r, (r.e[1] & M64) + ((l >> 21) & 511) * 8, 8, rsvd_pde64)))
			goto out;
		if (r.e[2] & PS) {
			page = (r.e[2] & M64 & ~0x1fffffULL) | (l & 0x1fffff);
			goto leaf;
		}
		if ((ret = ref_entry(&r, (r.e[2] & M64) + ((l >> 12) & 511) * 8, 8, rsvd_pte64)))
			goto out;
		page = (r.e[3] & M64) | (l & 0xfff);
		goto leaf;
	}
	l = (uint32_t)l;
	if (pg->cr4 & CR4_PAE) {
		r.rights_from = 1;
		if (pg->pdpte) {
			/* The registers: as a read of an array that cannot fail. */
			r.e[r.n++] = pg->pdpte[l >> 30];
			ret = !(r.e[0] & P) ? -EFAULT : 0;
			if (!ret && (r.e[0] & rsvd_pdpte_pae(&r, r.e[0]))) {
				r.code |= PF_P | PF_RSVD;
				ret = -EFAULT;
			}
		} else {
			ret = ref_entry(&r, (pg->cr3 & 0xffffffe0) + (l >> 30) * 8, 8, rsvd_pdpte_pae);
		}
		if (ret || (ret = ref_entry(&r, (r.e[0] & M64) + ((l >> 21) & 511) * 8, 8, rsvd_pde_pae)))
			goto out;
		if (r.e[1] & PS) {
			page = (r.e[1] & M64 & ~0x1fffffULL) | (l & 0x1fffff);
			goto leaf;
		}
		if ((ret = ref_entry(&r, (r.e[1] & M64) + ((l >> 12) & 511) * 8, 8, rsvd_pte_pae)))
			goto out;
		page = (r.e[2] & M64) | (l & 0xfff);
		goto leaf;
	}
	if ((ret = ref_entry(&r, (pg->cr3 & 0xfffff000) + (l >> 22) * 4, 4, rsvd_pde32)))
		goto out;
	if ((r.e[0] & PS) && (pg->cr4 & CR4_PSE)) {
		page = (r.e[0] & 0xffc00000) | (((r.e[0] >> 13) & 0xff) << 32) | (l & 0x3fffff);
		goto leaf;
	}
	if ((ret = ref_entry(&r, (r.e[0] & 0xfffff000) + ((l >> 12) & 1023) * 4, 4, rsvd_none)))
		goto out;
	page = (r.e[1] & 0xfffff000) | (l & 0xfff);
leaf:
	if (!ref_allowed(&r, acc)) {
		r.code |= PF_P;
		ret = -EFAULT;
		goto out;
	}
	*out = page;
	return 0;
out:
	if (ret == -EFAULT)
		*code = r.code;
	return ret;
}

#define POOL	 0x100000ULL
#define POOL_PGS 16
#define PDPT_OK	 (POOL - 0x20)	/* PDPTEs without reserved bits, mostly */

static uint64_t rnd_target(void)
{
	unsigned int k = rnd() % 40;

	if (k < 36) /* mostly another table, so walks go deep */
		return POOL + (rnd() % POOL_PGS) * 0x1000 + (k < 2 ? 0x20 * (rnd() % 128) : 0);
	if (k < 39) /* anywhere up to twice the RAM, straddling the end */
		return rnd() % (2 * MEM_SIZE);
	return rnd(); /* anything at all */
}

/* A PAE PDPTE or PDPTE register: P, PWT, PCD and an address; now and then a stray bit. */
static uint64_t rnd_pdpte(void)
{
	return (rnd_target() & M64) | P | (rnd() & 0x18) | (rnd() % 16 ? 0 : 1ULL << (rnd() % 64));
}

static void fill_pool(void)
{
	for (unsigned int k = 0; k < 4; k++) {
		uint64_t v = rnd_pdpte();

		memcpy(mem + PDPT_OK + k * 8, &v, 8);
	}
	for (uint64_t a = POOL; a < POOL + POOL_PGS * 0x1000; a += 8) {
		/* Mostly the usual flags, so that rights, not reserved bits, decide. */
		uint64_t flags = rnd() % 4 ? (rnd() & 0x1ff) | (rnd() % 3 ? RW | US : 0) : rnd() & 0xfff;
		uint64_t t = rnd_target(), v;

		if (rnd() % 16)
			flags |= P;
		flags &= rnd() % 5 ? ~PS : ~0ULL;
		if (rnd() % 6 == 0)
			flags |= XD;
		if (rnd() % 16 == 0)
			flags |= rnd() & (0x7ffULL << 52);
		if ((flags & PS) && rnd() % 4) /* mostly aligned for a large page */
			t &= ~bits(29, 13);
		/* Sometimes a 32-bit pair of entries instead. */
		if (rnd() % 6 == 0)
			v = ((t | (flags & 0xfff)) & 0xffffffff) |
			    (((rnd_target() | (rnd() & 0xfff)) & 0xffffffff) << 32);
		else
			v = (t & M64) | flags;
		memcpy(mem + a, &v, 8);
	}
}

static void test_random(void **state)
{
	static const uint8_t maxpa[] = { 0, 36, 39, 40, 46, 52 };
	unsigned int ok = 0, np = 0, prot = 0, rsvd = 0, eio = 0;
	uint64_t regs[4];

	(void)state;
	for (unsigned int i = 0; i < 300000; i++) {
		struct guest_paging pg = { 0 };
		uint64_t l = rnd(), want = GPA_NONE;
		uint32_t want_pf = PF_NONE;
		unsigned int acc = rnd() % 16;
		int want_ret;

		if (i % 64 == 0)
			fill_pool();
		pg.cr0 = CR0_PE | (rnd() % 10 ? CR0_PG : 0) | (rnd() % 2 ? CR0_WP : 0);
		pg.efer = (rnd() % 2 ? EFER_LME | EFER_LMA : 0) | (rnd() % 4 ? EFER_NXE : 0);
		pg.cr4 = (rnd() % 3 ? CR4_PAE : 0) | (rnd() % 2 ? CR4_PSE : 0) |
			 (rnd() % 40 ? 0 : CR4_LA57) | (rnd() % 2 ? 0 : CR4_SMEP) |
			 (rnd() % 2 ? 0 : CR4_SMAP);
		if (pg.efer & EFER_LMA) /* as the CPU requires */
			pg.cr4 |= CR4_PAE;
		pg.cr3 = rnd() % 10 ? rnd_target() | (rnd() & 0xfff) : rnd();
		if ((pg.cr4 & CR4_PAE) && !(pg.efer & EFER_LMA) && rnd() % 2) /* past the PDPTE */
			pg.cr3 = PDPT_OK | (rnd() & 0x1f);
		pg.ac = rnd() % 2;
		pg.maxphyaddr = maxpa[rnd() % 6];
		if (rnd() % 4 == 0) {
			for (unsigned int k = 0; k < 4; k++) {
				if (rnd() % 2)
					memcpy(&regs[k], mem + POOL + (rnd() % (POOL_PGS * 512)) * 8, 8);
				else
					regs[k] = rnd_pdpte();
			}
			pg.pdpte = regs;
		}
		if (rnd() % 2) /* make it canonical */
			l = (uint64_t)((int64_t)(l << 16) >> 16);
		walk_at(&pg, l, acc, 0);
		want_ret = ref_walk(&pg, l, acc, &want, &want_pf);
		if (res.ret != want_ret || res.gpa != want || res.pf != want_pf)
			fail_msg("case %u: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx ac %d mpa %u "
				 "pdpte %d lin %#llx access %#x: got %d pf %#x gpa %#llx, want %d pf %#x "
				 "gpa %#llx", i, (unsigned long long)pg.cr0, (unsigned long long)pg.cr3,
				 (unsigned long long)pg.cr4, (unsigned long long)pg.efer, pg.ac,
				 pg.maxphyaddr, pg.pdpte != NULL, (unsigned long long)l, acc, res.ret,
				 res.pf, (unsigned long long)res.gpa, want_ret, want_pf,
				 (unsigned long long)want);
		/* A read refused for its address ends the walk without a #PF. */
		if (res.oob)
			assert_int_equal(res.ret, -EIO);
		if (res.ret == 0)
			ok++;
		else if (res.ret == -EIO)
			eio++;
		else if (res.ret == -EFAULT && !(res.pf & PF_P))
			np++;
		else if (res.ret == -EFAULT && (res.pf & PF_RSVD))
			rsvd++;
		else if (res.ret == -EFAULT)
			prot++;
	}
	/* Every outcome was exercised, not one of them by accident. */
	print_message("random: %u ok, %u not present, %u rights, %u reserved, %u outside RAM\n",
		      ok, np, prot, rsvd, eio);
	assert_true(ok > 25000);
	assert_true(np > 20000);
	assert_true(prot > 10000);
	assert_true(rsvd > 20000);
	assert_true(eio > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_error_bits, reset),
		cmocka_unit_test_setup(test_all_allowed, reset),
		cmocka_unit_test_setup(test_user_supervisor, reset),
		cmocka_unit_test_setup(test_read_only, reset),
		cmocka_unit_test_setup(test_smap, reset),
		cmocka_unit_test_setup(test_smep, reset),
		cmocka_unit_test_setup(test_nx, reset),
		cmocka_unit_test_setup(test_not_present, reset),
		cmocka_unit_test_setup(test_reserved_maxphyaddr, reset),
		cmocka_unit_test_setup(test_reserved_pae_pdpte, reset),
		cmocka_unit_test_setup(test_reserved_large, reset),
		cmocka_unit_test_setup(test_reserved_pml4e_ps, reset),
		cmocka_unit_test_setup(test_fault_order, reset),
		cmocka_unit_test_setup(test_outside_ram, reset),
		cmocka_unit_test_setup(test_noncanonical, reset),
		cmocka_unit_test_setup(test_pdpte_registers, reset),
		cmocka_unit_test_setup(test_paging_off, reset),
		cmocka_unit_test_setup(test_access_flags, reset),
		cmocka_unit_test_setup(test_random, reset),
	};
	int ret;

	mem = calloc(1, MEM_SIZE);
	if (!mem)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(mem);
	return ret;
}
