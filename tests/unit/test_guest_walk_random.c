/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest page-table walk against a reference walk written out from the
 * SDM's tables (Vol. 3A 4.3-4.7) on random page tables, paging state and
 * accesses: where the rule-by-rule tests in test_guest_walk_rights.c and
 * test_guest_walk_reserved.c pick the cases, this finds the combinations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "walk_fixture.h"

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
		r->code |= GUEST_PF_P | GUEST_PF_RSVD;
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
	r.code = (!f && (acc & WR) ? GUEST_PF_W : 0) | (!imp && (acc & UR) ? GUEST_PF_U : 0) |
		 (f && ((pg->cr4 & CR4_SMEP) || ((pg->cr4 & CR4_PAE) && (pg->efer & EFER_NXE))) ?
		  GUEST_PF_I : 0);
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
				r.code |= GUEST_PF_P | GUEST_PF_RSVD;
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
		r.code |= GUEST_PF_P;
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
		else if (res.ret == -EFAULT && !(res.pf & GUEST_PF_P))
			np++;
		else if (res.ret == -EFAULT && (res.pf & GUEST_PF_RSVD))
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
		cmocka_unit_test_setup(test_random, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
