/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access rights and #PF error codes of the guest page-table walk (Intel
 * SDM Vol. 3A 4.6, 4.7), each rule at every level of every paging mode it
 * applies to. Reserved bits and the odd cases are in
 * test_guest_walk_reserved.c, the comparison against a reference walk in
 * test_guest_walk_random.c, translation itself in test_guest_walk.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "walk_fixture.h"


static void test_error_bits(void **state)
{
	(void)state;
	/* The architectural values (SDM 4.7), spelled out here so the header's are checked. */
	assert_int_equal(GUEST_PF_P, 0x01);
	assert_int_equal(GUEST_PF_W, 0x02);
	assert_int_equal(GUEST_PF_U, 0x04);
	assert_int_equal(GUEST_PF_RSVD, 0x08);
	assert_int_equal(GUEST_PF_I, 0x10);
}

static void test_all_allowed(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		build(FL);
		pg.cr0 |= CR0_WP;
		OK_EACH(&pg, RD, WR, UR, UW, FX, UX, IR, IW);
	}
}

static void test_user_supervisor(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for_each_rights_level(i) {
			struct guest_paging pg = m->pg;

			build(FL);
			clear_bits(i, US);
			FAULT(&pg, UR, GUEST_PF_P | GUEST_PF_U);
			FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U);
			FAULT(&pg, UX, GUEST_PF_P | GUEST_PF_U | m->fetch_i);
			/* Supervisor pages are what the supervisor may always use. */
			OK_EACH(&pg, RD, WR, FX);
			/* An implicit access is a supervisor one even at CPL 3. */
			OK_EACH(&pg, IR | UR, IW | UR);
			/* CR0.WP has nothing to do with U/S. */
			pg.cr0 |= CR0_WP;
			FAULT(&pg, UR, GUEST_PF_P | GUEST_PF_U);
			OK(&pg, WR);
		}
	}
}

static void test_read_only(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for_each_rights_level(i) {
			struct guest_paging pg = m->pg;

			build(FL);
			clear_bits(i, RW);
			OK_EACH(&pg, RD, UR, FX, UX);
			/* CR0.WP=0: the supervisor writes anyway, the user never. */
			OK_EACH(&pg, WR, IW);
			FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U);
			pg.cr0 |= CR0_WP;
			FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W);
			FAULT(&pg, IW, GUEST_PF_P | GUEST_PF_W);
			FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U);
			OK_EACH(&pg, RD, UR);
			/* The same on a supervisor page (U/S=0 at the leaf). */
			clear_bits(m->levels - 1, US);
			FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W);
			FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U);
			pg.cr0 &= ~CR0_WP;
			OK(&pg, WR);
		}
	}
}

/* Under SMAP, whatever RFLAGS.AC says; at CPL 3 still a supervisor access, no U. */
static void implicit_refused(const struct guest_paging *pg)
{
	FAULT(pg, IR, GUEST_PF_P);
	FAULT(pg, IW, GUEST_PF_P | GUEST_PF_W);
	FAULT(pg, IR | UR, GUEST_PF_P);
}

static void test_smap(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		struct guest_paging pg = m->pg;

		build(FL);
		pg.cr4 |= CR4_SMAP;
		FAULT(&pg, RD, GUEST_PF_P);
		FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W);
		implicit_refused(&pg);
		OK(&pg, FX); /* SMAP is about data only */
		OK_EACH(&pg, UR, UW);
		/* RFLAGS.AC opens user pages to explicit accesses only. */
		pg.ac = true;
		OK_EACH(&pg, RD, WR);
		implicit_refused(&pg);
		/* With AC=1 a read-only user page is down to CR0.WP again. */
		clear_bits(m->levels - 1, RW);
		OK(&pg, WR);
		pg.cr0 |= CR0_WP;
		FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W);
		OK(&pg, RD);
		pg.ac = false;
		pg.cr0 &= ~CR0_WP;
		FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W);
		/* Supervisor pages are untouched by SMAP. */
		for_each_rights_level(i) {
			build(FL);
			clear_bits(i, US);
			OK_EACH(&pg, RD, WR, IR, IW);
		}
		/* And without SMAP implicit accesses reach user pages. */
		build(FL);
		pg.cr4 &= ~CR4_SMAP;
		OK_EACH(&pg, IR, IW);
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
		FAULT(&pg, FX, GUEST_PF_P | GUEST_PF_I);
		OK_EACH(&pg, UX, RD, WR);
		for_each_rights_level(i) {
			build(FL);
			clear_bits(i, US);
			OK(&pg, FX);
			FAULT(&pg, UX, GUEST_PF_P | GUEST_PF_U | GUEST_PF_I);
		}
		/* Without NXE a fetch fault has I/D only because of SMEP. */
		build(FL);
		pg.efer &= ~EFER_NXE;
		FAULT(&pg, FX, GUEST_PF_P | GUEST_PF_I);
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
			FAULT(&pg, UX, GUEST_PF_U);
			continue;
		}
		for_each_rights_level(i) {
			pg = m->pg;
			build(FL);
			set_bits(i, XD);
			FAULT(&pg, FX, GUEST_PF_P | GUEST_PF_I);
			FAULT(&pg, UX, GUEST_PF_P | GUEST_PF_U | GUEST_PF_I);
			FAULT(&pg, FX | WR, GUEST_PF_P | GUEST_PF_I); /* a fetch is never a write */
			OK_EACH(&pg, RD, WR, UR, UW);
			/* Without EFER.NXE the bit is reserved, whatever the access. */
			pg.efer &= ~EFER_NXE;
			FAULT(&pg, RD, GUEST_PF_P | GUEST_PF_RSVD);
			FAULT(&pg, WR, GUEST_PF_P | GUEST_PF_W | GUEST_PF_RSVD);
			FAULT(&pg, UW, GUEST_PF_P | GUEST_PF_W | GUEST_PF_U | GUEST_PF_RSVD);
			FAULT(&pg, FX, GUEST_PF_P | GUEST_PF_RSVD);
			assert_int_equal(res.reads, i + 1);
			pg.cr4 |= CR4_SMEP;
			FAULT(&pg, FX, GUEST_PF_P | GUEST_PF_RSVD | GUEST_PF_I);
		}
		/* A user fetch from a supervisor page faults by U/S, XD clear. */
		pg = m->pg;
		build(FL);
		clear_bits(m->levels - 1, US);
		FAULT(&pg, UX, GUEST_PF_P | GUEST_PF_U | GUEST_PF_I);
		pg.efer &= ~EFER_NXE;
		FAULT(&pg, UX, GUEST_PF_P | GUEST_PF_U);
	}
}

static void test_not_present(void **state)
{
	const struct mode *m;

	(void)state;
	for_each_mode(m) {
		for_each_level(i) {
			struct guest_paging pg = m->pg;

			build(FL);
			/* Nothing but P counts, reserved bits included. */
			set_entry(i, ~P & (m->esize == 4 ? 0xffffffffULL : ~0ULL));
			FAULT(&pg, RD, 0);
			assert_int_equal(res.reads, i + 1);
			FAULT(&pg, WR, GUEST_PF_W);
			FAULT(&pg, UR, GUEST_PF_U);
			FAULT(&pg, UW, GUEST_PF_W | GUEST_PF_U);
			FAULT(&pg, FX, m->fetch_i);
			FAULT(&pg, UX, GUEST_PF_U | m->fetch_i);
			FAULT(&pg, IR | UR, 0);
			FAULT(&pg, IW | UR, GUEST_PF_W);
			pg.cr4 |= CR4_SMEP | CR4_SMAP;
			pg.cr0 |= CR0_WP;
			FAULT(&pg, FX, GUEST_PF_I);
			FAULT(&pg, RD, 0);
			pg.cr4 &= ~CR4_SMEP;
			pg.efer &= ~EFER_NXE;
			FAULT(&pg, FX, 0);
		}
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
		OK_EACH(&pg, FX | WR, UX | WR);
		/* ...and IMPLICIT: SMAP does not stop fetches. */
		pg.cr4 |= CR4_SMAP;
		OK(&pg, FX | IR);
		/* IMPLICIT beats USER: supervisor rights, no U in the error code. */
		clear_bits(m->levels - 1, US);
		OK(&pg, IR | UR);
		FAULT(&pg, IW | UR, GUEST_PF_P | GUEST_PF_W);
	}
	/* pf_error may be NULL. */
	use_mode(MLONG);
	clear_bits(3, P);
	assert_int_equal(guest_walk(&MLONG->pg, MLONG->lin, RD, fake_read,
				    &(struct fake){ 0 }, &g, NULL), -EFAULT);
	assert_int_equal(g, GPA_NONE);
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
		cmocka_unit_test_setup(test_access_flags, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
