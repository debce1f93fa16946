/* SPDX-License-Identifier: GPL-2.0 */
/* Frame allocator: argument checks, free/reserve bookkeeping, random stress, threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/frame_alloc.h>

#include "frame_fixture.h"

static void test_bad_args(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);

	assert_int_equal(frame_alloc_pages(NULL, 1, 4096, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 0, 4096, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 0, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 2048, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096 * 3, 0, &pa), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0, NULL), -EINVAL);
	assert_int_equal(frame_alloc_page(&fa, NULL), -EINVAL);
	assert_int_equal(frame_alloc_pages(&fa, SIZE_MAX, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 1, 1ULL << 63, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 0x180001, 4096, 0, &pa), -ENOMEM);

	assert_int_equal(frame_free_pages(NULL, 0x200000, 1), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0x200000, 0), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0x200800, 1), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, 0, 1), -EINVAL);             /* frame 0 */
	assert_int_equal(frame_free_pages(&fa, 0x100000, 1), -EINVAL);      /* bitmap */
	assert_int_equal(frame_free_pages(&fa, 0x9f000, 1), -EINVAL);       /* reserved */
	assert_int_equal(frame_free_pages(&fa, 0xfee00000, 1), -EINVAL);    /* MMIO */
	assert_int_equal(frame_free_pages(&fa, 0x7eb0a000, 1), -EINVAL);    /* kernel */
	assert_int_equal(frame_free_pages(&fa, GIB(6), 1), -EINVAL);        /* beyond */
	assert_int_equal(frame_free_pages(&fa, GIB(6) - 4096, 2), -EINVAL); /* straddles */
	assert_int_equal(frame_free_pages(&fa, 0x1000, SIZE_MAX), -EINVAL); /* wraps */
	assert_int_equal(frame_free_pages(&fa, 0x200000, 1), -EINVAL);      /* already free */
	assert_int_equal(frame_alloc_free_count(&fa), before);
	assert_int_equal(frame_reserve(&fa, 0x200000, 0), -EINVAL);
	assert_int_equal(frame_reserve(&fa, ~0ULL - 10, 100), -EINVAL);
	assert_int_equal(frame_reserve(NULL, 0, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);
	assert_int_equal(p2v_violations, 0);
}

static void test_double_free(void **state)
{
	struct frame_allocator fa;
	paddr_t a, b;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);
	assert_int_equal(frame_alloc_pages(&fa, 8, 4096, 0, &a), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 8);
	assert_int_equal(frame_free_pages(&fa, a, 8), 0);
	assert_int_equal(frame_free_pages(&fa, a, 8), -EINVAL);
	assert_int_equal(frame_free_pages(&fa, a + 4096, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);

	/* Partly free run: nothing is freed, the used part stays used. */
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0, &a), 0);
	assert_int_equal(frame_free_pages(&fa, a + 2 * 4096, 1), 0);
	assert_int_equal(frame_free_pages(&fa, a, 4), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	assert_int_equal(frame_free_pages(&fa, a, 2), 0);
	assert_int_equal(frame_free_pages(&fa, a + 3 * 4096, 1), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before);

	assert_int_equal(frame_alloc_page(&fa, &b), 0);
	assert_int_equal(frame_free_pages(&fa, b, 1), 0);
	assert_int_equal(frame_free_pages(&fa, b, 1), -EINVAL);
	assert_int_equal(frame_alloc_free_count(&fa), before);
}

static void test_exhaustion(void **state)
{
	const struct boot_mem_range map[] = { R(0x0, 0x20000, U) }; /* 32 frames */
	struct frame_allocator fa;
	paddr_t pa, all[32];
	int n = 0;

	(void)state;
	fake_setup(0x1000, 0x1000);
	assert_int_equal(frame_alloc_init(&fa, map, 1, fake_p2v), 0);
	assert_int_equal(fa.bitmap_phys, 0x1000);
	assert_int_equal(frame_alloc_free_count(&fa), 30);
	assert_int_equal(frame_alloc_pages(&fa, 31, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 30, 4096, 0, &pa), 0);
	assert_int_equal(pa, 0x2000);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, 0x2000, 30), 0);
	while (frame_alloc_page(&fa, &pa) == 0) {
		assert_true(n < 30);
		assert_true(pa >= 0x2000 && pa < 0x20000);
		all[n++] = pa;
	}
	assert_int_equal(n, 30);
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, all[17], 1), 0);
	assert_int_equal(frame_alloc_page(&fa, &pa), 0);
	assert_int_equal(pa, all[17]);
	assert_int_equal(frame_alloc_page(&fa, &pa), -ENOMEM);
	assert_int_equal(frame_free_pages(&fa, all[3], 1), 0);
	assert_int_equal(frame_alloc_pages(&fa, 1, 8192, 0, &pa), all[3] % 8192 ? -ENOMEM : 0);
}

static void test_reserve(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;
	uint64_t before;

	(void)state;
	fake_setup(0x100000, 0x100000);
	assert_int_equal(frame_alloc_init(&fa, ovmf_map, ARRAY_SIZE(ovmf_map), fake_p2v), 0);
	before = frame_alloc_free_count(&fa);
	/* 0x200ff0..0x202010 rounds out to frames 0x200..0x202. */
	assert_int_equal(frame_reserve(&fa, 0x200ff0, 0x1020), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	assert_int_equal(frame_reserve(&fa, 0x200000, 0x3000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	/* Already reserved by the map or the bitmap: no change. */
	assert_int_equal(frame_reserve(&fa, 0x9f000, 0x61000), 0);
	assert_int_equal(frame_reserve(&fa, 0x100000, 0x1000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 3);
	/* Partly beyond the covered range is clipped. */
	assert_int_equal(frame_reserve(&fa, GIB(6) - 0x2000, GIB(1)), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 5);
	assert_int_equal(frame_reserve(&fa, GIB(8), 0x1000), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before - 5);

	while (frame_alloc_pages(&fa, 1, 4096, 0x200000, &pa) == 0)
		;
	assert_int_equal(frame_alloc_pages(&fa, 1, 4096, 0x203000, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0x206000, &pa), -ENOMEM);
	assert_int_equal(frame_alloc_pages(&fa, 4, 4096, 0x300000, &pa), 0);
	assert_int_equal(pa, 0x203000);
	/* Reserved RAM can be given back later (e.g. boot data once consumed). */
	before = frame_alloc_free_count(&fa);
	assert_int_equal(frame_free_pages(&fa, 0x200000, 3), 0);
	assert_int_equal(frame_alloc_free_count(&fa), before + 3);
	assert_int_equal(frame_alloc_pages(&fa, 3, 4096, 0x203000, &pa), 0);
	assert_int_equal(pa, 0x200000);
}

/* Random alloc/free against a shadow of frame ownership. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live {
	paddr_t pa;
	size_t pages;
};

static bool shadow_has_run(const uint32_t *owner, const uint8_t *ram, uint64_t frames,
			   uint64_t pages, uint64_t align_f, uint64_t end)
{
	end = MIN(end, frames);
	for (uint64_t s = 0; s + pages <= end; s += align_f) {
		uint64_t i;

		for (i = 0; i < pages; i++)
			if (!ram[s + i] || owner[s + i])
				break;
		if (i == pages)
			return true;
	}
	return false;
}

static void test_random_stress(void **state)
{
	const struct boot_mem_range map[] = {
		R(0x1000, 0x9e000, U),
		R(0x100000, 0x3f00000, U),
		R(0x800000, 0x3123, BOOT_MEM_RESERVED),
		R(0x2000000, 0x10000, BOOT_MEM_ACPI_RECLAIM),
		R(0x3000000, 0x1000000, U),
	};
	enum { MAX_LIVE = 600, OPS = 20000 };
	struct frame_allocator fa;
	struct live *live = calloc(MAX_LIVE, sizeof(*live));
	uint32_t *owner;
	uint8_t *ram;
	uint64_t model_free, ref_count, nlive = 0, enomem = 0, ok = 0;

	(void)state;
	fake_setup(0x100000, 0x10000);
	assert_int_equal(frame_alloc_init(&fa, map, ARRAY_SIZE(map), fake_p2v), 0);
	ram = ref_build(map, ARRAY_SIZE(map), fa.frames, &ref_count);
	ram[0] = 0;
	for (uint64_t f = 0; f < bitmap_pages(&fa); f++)
		ram[(fa.bitmap_phys >> 12) + f] = 0;
	owner = calloc(fa.frames, sizeof(*owner));
	assert_non_null(owner);
	model_free = frame_alloc_free_count(&fa);
	assert_int_equal(model_free, ref_count - 1);

	for (uint32_t op = 1; op <= OPS; op++) {
		bool do_alloc = nlive == 0 || (nlive < MAX_LIVE && rnd() % 100 < 55);

		if (do_alloc) {
			uint64_t r = rnd();
			size_t pages = 1 + r % 24;
			uint64_t align = 4096ULL << ((r >> 8) % 6);
			paddr_t limit = 0, pa;
			int ret;

			if ((r >> 16) % 16 == 0)
				align = SIZE_2M;
			if ((r >> 20) % 8 == 0)
				limit = (r >> 24) % 2 ? MIB(1) : MIB(40);
			if ((r >> 28) % 4 == 0) {
				pages = 1;
				align = 4096;
				limit = 0;
				ret = frame_alloc_page(&fa, &pa);
			} else {
				ret = frame_alloc_pages(&fa, pages, align, limit, &pa);
			}
			if (ret == -ENOMEM) {
				/* The search must be complete: no fitting run may exist. */
				assert_false(shadow_has_run(owner, ram, fa.frames, pages,
							    align >> 12,
							    limit ? limit >> 12 : fa.frames));
				enomem++;
				continue;
			}
			assert_int_equal(ret, 0);
			assert_true(IS_ALIGNED(pa, align));
			if (limit)
				assert_true(pa + pages * 4096 <= limit);
			for (size_t i = 0; i < pages; i++) {
				uint64_t f = (pa >> 12) + i;

				assert_true(f < fa.frames);
				assert_true(ram[f]);
				assert_int_equal(owner[f], 0);
				owner[f] = op;
			}
			live[nlive++] = (struct live){ pa, pages };
			model_free -= pages;
			ok++;
		} else {
			size_t k = rnd() % nlive;
			struct live l = live[k];

			assert_int_equal(frame_free_pages(&fa, l.pa, l.pages), 0);
			for (size_t i = 0; i < l.pages; i++)
				owner[(l.pa >> 12) + i] = 0;
			live[k] = live[--nlive];
			model_free += l.pages;
			if (rnd() % 16 == 0)
				assert_int_equal(frame_free_pages(&fa, l.pa, l.pages), -EINVAL);
		}
		assert_int_equal(frame_alloc_free_count(&fa), model_free);
	}
	assert_true(ok > 5000);
	while (nlive) {
		nlive--;
		assert_int_equal(frame_free_pages(&fa, live[nlive].pa, live[nlive].pages), 0);
	}
	assert_int_equal(frame_alloc_free_count(&fa), ref_count - 1);
	assert_int_equal(p2v_violations, 0);
	free(owner);
	free(ram);
	free(live);
	(void)enomem;
}

/* Concurrency: every frame is claimed in a shared table; a double hand-out shows up. */
static struct frame_allocator mt_fa;
static uint8_t *mt_claimed;
static int mt_errors;

static void *mt_worker(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	struct live mine[64];
	int n = 0;

	for (int op = 0; op < 4000; op++) {
		/*
		 * Ticket locks convoy badly when the host has fewer CPUs than
		 * threads; yielding keeps the test fast on a loaded machine.
		 */
		sched_yield();
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		if (n < 64 && (n == 0 || seed % 2)) {
			size_t pages = seed % 4 == 0 ? 1 + (seed >> 8) % 8 : 1;
			paddr_t pa;
			int ret = pages == 1 ? frame_alloc_page(&mt_fa, &pa) :
				  frame_alloc_pages(&mt_fa, pages, 4096, 0, &pa);

			if (ret) {
				if (ret != -ENOMEM)
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
				continue;
			}
			for (size_t i = 0; i < pages; i++)
				if (__atomic_exchange_n(&mt_claimed[(pa >> 12) + i], 1,
							__ATOMIC_SEQ_CST))
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			mine[n++] = (struct live){ pa, pages };
		} else {
			int k = (int)((seed >> 16) % (uint64_t)n);
			struct live l = mine[k];

			for (size_t i = 0; i < l.pages; i++)
				if (!__atomic_exchange_n(&mt_claimed[(l.pa >> 12) + i], 0,
							 __ATOMIC_SEQ_CST))
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			if (frame_free_pages(&mt_fa, l.pa, l.pages))
				__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
			mine[k] = mine[--n];
		}
	}
	while (n--) {
		for (size_t i = 0; i < mine[n].pages; i++)
			__atomic_store_n(&mt_claimed[(mine[n].pa >> 12) + i], 0, __ATOMIC_SEQ_CST);
		if (frame_free_pages(&mt_fa, mine[n].pa, mine[n].pages))
			__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_threads(void **state)
{
	/* Small enough (256 frames) that threads contend for the same frames. */
	const struct boot_mem_range map[] = { R(0x0, 0x100000, U) };
	pthread_t th[4];
	uint64_t before;

	(void)state;
	fake_setup(0x1000, 0x1000);
	assert_int_equal(frame_alloc_init(&mt_fa, map, 1, fake_p2v), 0);
	before = frame_alloc_free_count(&mt_fa);
	assert_int_equal(before, 254);
	mt_claimed = calloc(mt_fa.frames, 1);
	assert_non_null(mt_claimed);
	mt_errors = 0;
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(mt_errors, 0);
	assert_int_equal(frame_alloc_free_count(&mt_fa), before);
	assert_false(spin_is_locked(&mt_fa.lock));
	free(mt_claimed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bad_args, teardown),
		cmocka_unit_test_teardown(test_double_free, teardown),
		cmocka_unit_test_teardown(test_exhaustion, teardown),
		cmocka_unit_test_teardown(test_reserve, teardown),
		cmocka_unit_test_teardown(test_random_stress, teardown),
		cmocka_unit_test_teardown(test_threads, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
