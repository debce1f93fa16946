/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "walk_fixture.h"

uint8_t mem[MEM_SIZE];
struct walk_res res;
const struct mode *cur;
int cur_level = -1;

int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len)
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

int walk_at(const struct guest_paging *pg, uint64_t lin, unsigned int access,
	    unsigned int fail_at)
{
	struct fake f = { .fail_at = fail_at };

	res.gpa = GPA_NONE;
	res.pf = PF_NONE;
	res.ret = guest_walk(pg, lin, access, fake_read, &f, &res.gpa, &res.pf);
	res.reads = f.reads;
	res.oob = f.oob;
	memcpy(res.addrs, f.addrs, sizeof(res.addrs));
	if (res.ret != 0)
		assert_int_equal(res.gpa, GPA_NONE);
	if (res.ret != -EFAULT)
		assert_int_equal(res.pf, PF_NONE);
	return res.ret;
}

/*
 * The tables of each mode sit at different addresses, PAE's PDPT 32-byte
 * but not page aligned, and every index differs from its neighbours'.
 */
const struct mode modes[NMODES] = {
	{ "32-bit", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x7000, .efer = EFER_NXE }, 4, 2, false,
	  { 0x7000 + 0x229 * 4, 0x9000 + 0x1c3 * 4 }, { 0x9000, 0x456000 },
	  0x8a5c3d21, 0x456d21, 0 },
	{ "PAE", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x5020, .cr4 = CR4_PAE, .efer = EFER_NXE },
	  8, 3, true, { 0x5020 + 3 * 8, 0x6000 + 5 * 8, 0x7000 + 3 * 8 },
	  { 0x6000, 0x7000, 0x3ff000 }, 0xc0a03123, 0x3ff123, GUEST_PF_I },
	{ "4-level", { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x10000, .cr4 = CR4_PAE,
		       .efer = EFER_LME | EFER_LMA | EFER_NXE },
	  8, 4, false, { 0x10000 + 0xfe * 8, 0x11000 + 0x48 * 8, 0x12000 + 0x1a2 * 8,
			 0x13000 + 0x167 * 8 },
	  { 0x11000, 0x12000, 0x13000, 0x500000 }, 0x00007f1234567abcULL, 0x500abc, GUEST_PF_I },
};

uint64_t get_entry(unsigned int i)
{
	uint64_t e = 0;

	memcpy(&e, mem + cur->slot[i], cur->esize);
	return e;
}

void set_entry(unsigned int i, uint64_t e)
{
	memcpy(mem + cur->slot[i], &e, cur->esize);
}

void set_bits(unsigned int i, uint64_t bits)
{
	set_entry(i, get_entry(i) | bits);
}

void clear_bits(unsigned int i, uint64_t bits)
{
	set_entry(i, get_entry(i) & ~bits);
}

void build(uint64_t flags)
{
	memset(mem, 0, MEM_SIZE);
	for (unsigned int i = 0; i < cur->levels; i++)
		set_entry(i, cur->next[i] | (cur->pdpte && i == 0 ? P : flags));
}

unsigned int first_rights(void)
{
	return cur->pdpte ? 1 : 0;
}

struct guest_paging use_mode(const struct mode *m)
{
	cur = m;
	cur_level = -1;
	build(FL);
	return m->pg;
}

bool at_level(unsigned int i)
{
	cur_level = i < cur->levels ? (int)i : -1;
	return cur_level >= 0;
}

void expect_at(const struct guest_paging *pg, uint64_t lin, unsigned int access, int ret,
	       uint32_t pf, uint64_t gpa, const char *file, int line)
{
	walk_at(pg, lin, access, 0);
	if (res.ret != ret || res.pf != pf || res.gpa != gpa)
		fail_msg("%s:%d, %s paging, level %d, access %#x: got %d, pf %#x, gpa %#llx; "
			 "want %d, pf %#x, gpa %#llx", file, line, cur->name, cur_level, access,
			 res.ret, res.pf, (unsigned long long)res.gpa, ret, pf,
			 (unsigned long long)gpa);
}

int reset(void **state)
{
	(void)state;
	memset(mem, 0, MEM_SIZE);
	cur_level = -1;
	return 0;
}
