/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WALK_FIXTURE_H
#define WALK_FIXTURE_H

/*
 * Shared by the guest page-walk tests: guest-physical 0..8 MiB is a byte
 * array the tests write page tables into; the read callback refuses the
 * rest, counts and records the reads and can be told to fail the n-th one.
 * On top of that, one page mapped in each paging mode through one table
 * per level, so that a rule can be checked at every level of every mode.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/processor-flags.h>
#include <plinth/errno.h>
#include <vmm/guest_walk.h>

#define MEM_SIZE (8ULL << 20)

/* Paging-structure entry bits (SDM 4.3-4.5). */
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

/* What an output holds when the walk did not write it. */
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

extern uint8_t mem[MEM_SIZE];

/* The ctx of fake_read. */
struct fake {
	unsigned int reads;
	unsigned int fail_at;	/* 1-based read that fails; 0 = none */
	unsigned int oob;	/* reads refused for lying outside memory */
	uint64_t addrs[4];	/* the address of each read */
};

int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len);

/* The outcome of the last walk_at. */
struct walk_res {
	int ret;
	uint64_t gpa;
	uint32_t pf;
	unsigned int reads, oob;
	uint64_t addrs[4];
};
extern struct walk_res res;

/*
 * Walks with fake_read failing its fail_at-th read (0: none), fills res
 * and checks each output was written exactly when the return says it was.
 */
int walk_at(const struct guest_paging *pg, uint64_t lin, unsigned int access,
	    unsigned int fail_at);

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

/* In this order, so that "PAE and 4-level" is for_each_mode_from(m, MPAE). */
#define NMODES	3
extern const struct mode modes[NMODES];
#define M32	(&modes[0])
#define MPAE	(&modes[1])
#define MLONG	(&modes[2])

/* Which mode and level the current check is about, for the failure message. */
extern const struct mode *cur;
extern int cur_level;

/* Entry i (0 = top level) of cur's walk. */
uint64_t get_entry(unsigned int i);
void set_entry(unsigned int i, uint64_t e);
void set_bits(unsigned int i, uint64_t bits);
void clear_bits(unsigned int i, uint64_t bits);
/* Clears memory, then maps cur->lin to cur->gpa with flags in every entry that has rights. */
void build(uint64_t flags);
/* The first level whose entry carries U/S, R/W and XD. */
unsigned int first_rights(void);
/* Makes m current (level -1) with its page mapped by FL; returns its paging state. */
struct guest_paging use_mode(const struct mode *m);
/* Sets cur_level to i if cur has such a level, else to -1; says which. */
bool at_level(unsigned int i);

/* Walks cur->lin and fails, naming file:line, mode and level, unless the outcome is as given. */
void expect_at(const struct guest_paging *pg, uint64_t lin, unsigned int access, int ret,
	       uint32_t pf, uint64_t gpa, const char *file, int line);

#define expect(pg, lin, acc, ret, pf, gpa) \
	expect_at(pg, lin, acc, ret, pf, gpa, __FILE__, __LINE__)
#define OK(pg, acc)		expect(pg, cur->lin, acc, 0, PF_NONE, cur->gpa)
#define OK_AT(pg, acc, gpa)	expect(pg, cur->lin, acc, 0, PF_NONE, gpa)
#define FAULT(pg, acc, code)	expect(pg, cur->lin, acc, -EFAULT, code, GPA_NONE)
#define EIO_AT(pg, acc)		expect(pg, cur->lin, acc, -EIO, PF_NONE, GPA_NONE)
/* OK for each access listed. */
#define OK_EACH(pg, ...)								\
	do {										\
		static const unsigned int acc_[] = { __VA_ARGS__ };			\
											\
		for (size_t k_ = 0; k_ < sizeof(acc_) / sizeof(acc_[0]); k_++)		\
			OK(pg, acc_[k_]);						\
	} while (0)

/* Every mode from first on, made current in turn. */
#define for_each_mode_from(m, first) \
	for (cur = (m) = (first), cur_level = -1; (m) < modes + NMODES; \
	     cur = ++(m), cur_level = -1)
#define for_each_mode(m)	for_each_mode_from(m, modes)

/* Each level of cur from first on, as cur_level; -1 again after the loop. */
#define for_each_level_from(i, first) for (unsigned int i = (first); at_level(i); i++)
#define for_each_level(i)		for_each_level_from(i, 0)
#define for_each_rights_level(i)	for_each_level_from(i, first_rights())

/* cmocka setup: zeroed memory, no level. */
int reset(void **state);

#endif
