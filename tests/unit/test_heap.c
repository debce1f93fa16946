/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* libc's <string.h> declares a conflicting strerror(); sidestep it. */
#define strerror plinth_strerror
#include <plinth/errno.h>
#include <plinth/heap.h>

/*
 * Page pool backend. Freed pages stay mapped (and are poisoned) so that a
 * double free reads defined memory, like the kernel's direct map.
 */
#define POOL_PAGES 2048

struct pool {
	uint8_t *mem;
	uint32_t run[POOL_PAGES]; /* pages in the run starting here, 0 = free */
	bool used[POOL_PAGES];
	long fail_after; /* allocations left before NULL; <0: never */
	uint64_t outstanding;
	uint64_t allocs, frees;
	int errors;
	bool misalign; /* hand out a misaligned pointer once */
};

static void *pool_alloc(void *ctx, size_t pages)
{
	struct pool *p = ctx;

	if (p->fail_after == 0)
		return NULL;
	if (p->fail_after > 0)
		p->fail_after--;
	if (pages == 0 || pages > POOL_PAGES)
		return NULL;
	for (size_t s = 0; s + pages <= POOL_PAGES; s++) {
		size_t i;

		for (i = 0; i < pages && !p->used[s + i]; i++)
			;
		if (i < pages) {
			s += i;
			continue;
		}
		for (i = 0; i < pages; i++)
			p->used[s + i] = true;
		p->run[s] = (uint32_t)pages;
		p->outstanding += pages;
		p->allocs++;
		memset(p->mem + s * 4096, 0xcb, pages * 4096);
		if (p->misalign) {
			p->misalign = false;
			return p->mem + s * 4096 + 16;
		}
		return p->mem + s * 4096;
	}
	return NULL;
}

static void pool_free(void *ctx, void *va, size_t pages)
{
	struct pool *p = ctx;
	uintptr_t off = (uintptr_t)va - (uintptr_t)p->mem;
	size_t s = off / 4096;

	if (off % 4096 == 16) {
		/* The misaligned hand-out coming back. */
		s = (off - 16) / 4096;
	} else if (off % 4096 || s >= POOL_PAGES || p->run[s] != pages) {
		p->errors++;
		return;
	}
	for (size_t i = 0; i < pages; i++)
		p->used[s + i] = false;
	p->run[s] = 0;
	p->outstanding -= pages;
	p->frees++;
	memset(p->mem + s * 4096, 0xdd, pages * 4096);
}

static struct pool *pool;
static struct heap heap;

static int setup(void **state)
{
	struct heap_backend be = { pool_alloc, pool_free, NULL };

	(void)state;
	pool = calloc(1, sizeof(*pool));
	assert_non_null(pool);
	pool->mem = aligned_alloc(4096, (size_t)POOL_PAGES * 4096);
	assert_non_null(pool->mem);
	pool->fail_after = -1;
	be.ctx = pool;
	heap_init(&heap, &be);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(pool->errors, 0);
	free(pool->mem);
	free(pool);
	return 0;
}

static void stats(struct heap_stats *st)
{
	heap_get_stats(&heap, st);
	/* What the heap thinks it holds is what the backend handed out. */
	assert_int_equal(st->pages_held, pool->outstanding);
}

static void fill(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static bool check(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)(seed * 31 + i * 7 + (i >> 8)))
			return false;
	return true;
}

static void test_bad_args(void **state)
{
	struct heap bare;
	struct heap_stats st;

	(void)state;
	heap_init(NULL, NULL);
	heap_init(&bare, NULL);
	assert_null(heap_alloc(&bare, 16));
	assert_null(heap_alloc(&bare, 100000));
	assert_int_equal(heap_free(&bare, NULL), 0);
	heap_get_stats(&bare, &st);
	assert_int_equal(st.allocs, 0);
	assert_int_equal(st.pages_held, 0);
	heap_get_stats(NULL, &st);
	heap_get_stats(&bare, NULL);

	assert_null(heap_alloc(NULL, 16));
	assert_null(heap_alloc(&heap, 0));
	assert_null(heap_zalloc(&heap, 0));
	assert_null(heap_alloc(&heap, SIZE_MAX));
	assert_null(heap_alloc(&heap, SIZE_MAX - 4096));
	assert_null(heap_alloc(&heap, (size_t)POOL_PAGES * 4096));
	assert_null(heap_alloc_aligned(&heap, 16, 0));
	assert_null(heap_alloc_aligned(&heap, 16, 3));
	assert_null(heap_alloc_aligned(&heap, 16, 48));
	assert_null(heap_alloc_aligned(&heap, 16, 8192));
	assert_null(heap_alloc_aligned(&heap, 0, 64));
	assert_null(heap_alloc_aligned(&heap, SIZE_MAX, 4096));
	assert_null(heap_alloc_aligned(&heap, SIZE_MAX - 4096 * 2, 64));
	assert_int_equal(heap_free(NULL, (void *)0x1000), -EINVAL);
	stats(&st);
	assert_int_equal(st.allocs, 0);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.pages_held, 0);
}

static void test_alignment(void **state)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 33, 100, 500, 1000, 1312, 1985,
					2047, 2048, 2049, 4000, 4032, 4033, 4096, 9000 };
	void *ps[ARRAY_SIZE(sizes) * 13];
	struct heap_stats st;
	size_t n = 0;

	(void)state;
	for (size_t s = 1; s <= 3000; s += 7) {
		void *p = heap_alloc(&heap, s);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		fill(p, s, (uint32_t)s);
		assert_true(check(p, s, (uint32_t)s));
		assert_int_equal(heap_free(&heap, p), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (size_t align = 1; align <= 4096; align <<= 1) {
			void *p = heap_alloc_aligned(&heap, sizes[i], align);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p % MAX(align, 16), 0);
			fill(p, sizes[i], (uint32_t)n);
			ps[n++] = p;
		}
	}
	n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (size_t align = 1; align <= 4096; align <<= 1) {
			assert_true(check(ps[n], sizes[i], (uint32_t)n));
			assert_int_equal(heap_free(&heap, ps[n]), 0);
			n++;
		}
	}
	stats(&st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.allocs, st.frees);
	assert_true(st.pages_held <= HEAP_NR_CLASSES);
}

static void test_zalloc(void **state)
{
	uint8_t *p;

	(void)state;
	/* The backend hands out 0xcb-filled pages. */
	p = heap_zalloc(&heap, 700);
	assert_non_null(p);
	for (int i = 0; i < 700; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0x77, 700);
	assert_int_equal(heap_free(&heap, p), 0);
	p = heap_zalloc(&heap, 700);
	for (int i = 0; i < 700; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(heap_free(&heap, p), 0);
	p = heap_zalloc(&heap, 10000);
	assert_non_null(p);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(heap_free(&heap, p), 0);
}

static void test_stats_exact(void **state)
{
	void *small[10], *big, *aligned;
	struct heap_stats st;

	(void)state;
	for (int i = 0; i < 10; i++)
		small[i] = heap_alloc(&heap, 10);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 160);
	assert_int_equal(st.pages_held, 1);
	assert_int_equal(st.allocs, 10);
	assert_int_equal(st.frees, 0);

	/* 64-byte header + 5000 bytes: two pages, usable to their end. */
	big = heap_alloc(&heap, 5000);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 160 + 8192 - 64);
	assert_int_equal(st.pages_held, 3);

	/* 4 KiB alignment costs a header page. */
	aligned = heap_alloc_aligned(&heap, 4096, 4096);
	assert_int_equal((uintptr_t)aligned % 4096, 0);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 160 + 8192 - 64 + 4096);
	assert_int_equal(st.pages_held, 5);

	/* 100 bytes aligned to 256: served by the 256 class. */
	void *a256 = heap_alloc_aligned(&heap, 100, 256);

	assert_int_equal((uintptr_t)a256 % 256, 0);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 160 + 8192 - 64 + 4096 + 256);
	assert_int_equal(st.pages_held, 6);
	assert_int_equal(st.allocs, 13);

	assert_int_equal(heap_free(&heap, big), 0);
	assert_int_equal(heap_free(&heap, aligned), 0);
	assert_int_equal(heap_free(&heap, a256), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(heap_free(&heap, small[i]), 0);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.frees, 13);
	/* Large pages went back; each emptied slab class keeps one spare. */
	assert_int_equal(st.pages_held, 2);
}

static void test_slab_pages_returned(void **state)
{
	void *p[62 * 4];
	struct heap_stats st;

	(void)state;
	/* 64-byte objects: 62 per slab after the 128-byte header. */
	for (int i = 0; i < 62 * 4; i++)
		p[i] = heap_alloc(&heap, 64);
	stats(&st);
	assert_int_equal(st.pages_held, 4);
	for (int i = 0; i < 62 * 4; i++)
		assert_int_equal((uintptr_t)p[i] / 4096, (uintptr_t)p[i - i % 62] / 4096);
	for (int i = 0; i < 62 * 4; i++)
		assert_int_equal(heap_free(&heap, p[i]), 0);
	stats(&st);
	assert_int_equal(st.pages_held, 1);
	assert_int_equal(pool->frees, 3);

	/* The spare is reused before asking the backend again. */
	p[0] = heap_alloc(&heap, 64);
	assert_int_equal(pool->allocs, 4);
	assert_int_equal(heap_free(&heap, p[0]), 0);
	stats(&st);
	assert_int_equal(st.pages_held, 1);
}

static void test_invalid_free(void **state)
{
	struct heap other;
	struct heap_backend be = { pool_alloc, pool_free, pool };
	struct heap_stats before, after;
	uint8_t *p, *q, *big, *al;
	uint8_t *foreign = aligned_alloc(4096, 3 * 4096);

	(void)state;
	assert_non_null(foreign);
	memset(foreign, 0, 3 * 4096);
	p = heap_alloc(&heap, 64);
	q = heap_alloc(&heap, 64);
	big = heap_alloc(&heap, 3 * 4096);
	al = heap_alloc_aligned(&heap, 5000, 4096);
	heap_init(&other, &be);
	stats(&before);

	assert_int_equal(heap_free(&heap, NULL), 0);
	assert_int_equal(heap_free(&heap, p + 1), -EINVAL);
	assert_int_equal(heap_free(&heap, p + 16), -EINVAL);
	assert_int_equal(heap_free(&heap, p + 64 * 100), -EINVAL);
	assert_int_equal(heap_free(&heap, (void *)ALIGN_DOWN((uintptr_t)p, 4096) + 16), -EINVAL);
	assert_int_equal(heap_free(&heap, big + 16), -EINVAL);
	assert_int_equal(heap_free(&heap, big - 64 + 4096), -EINVAL);
	assert_int_equal(heap_free(&heap, big - 64 + 4096 + 64), -EINVAL);
	assert_int_equal(heap_free(&heap, al + 4096), -EINVAL);
	assert_int_equal(heap_free(&heap, al - 4096 + 64), -EINVAL);
	assert_int_equal(heap_free(&heap, foreign + 4096), -EINVAL);
	assert_int_equal(heap_free(&heap, foreign + 4096 + 128), -EINVAL);
	assert_int_equal(heap_free(&other, p), -EINVAL);
	assert_int_equal(heap_free(&other, big), -EINVAL);
	/* A header copied elsewhere does not validate: the magic names its page. */
	uint8_t *p_page = (uint8_t *)ALIGN_DOWN((uintptr_t)p, 4096);

	memcpy(foreign + 4096, p_page, 128);
	assert_int_equal(heap_free(&heap, foreign + 4096 + (p - p_page)), -EINVAL);
	stats(&after);
	assert_memory_equal(&before, &after, sizeof(before));

	assert_int_equal(heap_free(&heap, p), 0);
	assert_int_equal(heap_free(&heap, p), -EINVAL);
	assert_int_equal(heap_free(&heap, big), 0);
	assert_int_equal(heap_free(&heap, big), -EINVAL);
	assert_int_equal(heap_free(&heap, al), 0);
	assert_int_equal(heap_free(&heap, al), -EINVAL);
	assert_int_equal(heap_free(&heap, q), 0);
	/* q emptied the slab, which is now the spare: still a double free. */
	assert_int_equal(heap_free(&heap, q), -EINVAL);
	stats(&after);
	assert_int_equal(after.frees, 4);
	assert_int_equal(after.bytes_in_use, 0);
	free(foreign);
}

static void test_large(void **state)
{
	static const size_t sizes[] = { 2049, 4032, 4033, 8128, 8129, 65536, 1 << 20 };
	static const uint64_t pages[] = { 1, 1, 2, 2, 3, 17, 257 };
	void *p[ARRAY_SIZE(sizes)];
	struct heap_stats st;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t before = pool->outstanding;

		p[i] = heap_alloc(&heap, sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal(pool->outstanding - before, pages[i]);
		fill(p[i], sizes[i], (uint32_t)i + 100);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_true(check(p[i], sizes[i], (uint32_t)i + 100));
		assert_int_equal(heap_free(&heap, p[i]), 0);
	}
	stats(&st);
	assert_int_equal(st.pages_held, 0);
	assert_int_equal(st.bytes_in_use, 0);
}

static void test_backend_failure(void **state)
{
	void *p[300], *x;
	struct heap_stats st, st2;
	int n = 0;

	(void)state;
	pool->fail_after = 0;
	assert_null(heap_alloc(&heap, 16));
	assert_null(heap_alloc(&heap, 9000));
	assert_null(heap_alloc_aligned(&heap, 16, 4096));
	stats(&st);
	assert_int_equal(st.allocs, 0);
	assert_int_equal(st.pages_held, 0);

	/* One page: a slab of 248 16-byte objects, then nothing more. */
	pool->fail_after = 1;
	while ((x = heap_alloc(&heap, 16)) != NULL) {
		assert_true(n < 300);
		p[n++] = x;
	}
	assert_int_equal(n, 248);
	assert_null(heap_alloc(&heap, 16));
	assert_null(heap_alloc(&heap, 40));
	stats(&st);
	assert_int_equal(st.allocs, 248);
	assert_int_equal(st.bytes_in_use, 248 * 16);
	assert_int_equal(st.pages_held, 1);

	/* A freed slot is reusable without the backend. */
	assert_int_equal(heap_free(&heap, p[100]), 0);
	x = heap_alloc(&heap, 16);
	assert_ptr_equal(x, p[100]);

	/* A misaligned page from the backend is refused and handed back. */
	pool->fail_after = -1;
	pool->misalign = true;
	assert_null(heap_alloc(&heap, 40));
	assert_int_equal(pool->outstanding, 1);
	heap_get_stats(&heap, &st2);
	assert_int_equal(st2.allocs, st.allocs + 1);

	/* Recovery. */
	x = heap_alloc(&heap, 40);
	assert_non_null(x);
	assert_int_equal(heap_free(&heap, x), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(heap_free(&heap, p[i]), 0);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.allocs, st.frees);
}

/* Random mix against a shadow of live objects and their contents. */
struct obj {
	uint8_t *p;
	size_t size;
	uint32_t seed;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void check_no_overlap(struct obj *live, size_t n)
{
	struct obj *sorted = malloc(n * sizeof(*sorted) + 1);

	memcpy(sorted, live, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_obj);
	for (size_t i = 1; i < n; i++)
		assert_true(sorted[i - 1].p + sorted[i - 1].size <= sorted[i].p);
	free(sorted);
}

static void test_random_stress(void **state)
{
	enum { MAX_LIVE = 1500, OPS = 30000 };
	struct obj *live = calloc(MAX_LIVE, sizeof(*live));
	struct heap_stats st;
	uint64_t allocs = 0, frees = 0, requested = 0;
	size_t n = 0;

	(void)state;
	for (uint32_t op = 1; op <= OPS; op++) {
		if (n == 0 || (n < MAX_LIVE && rnd() % 100 < 55)) {
			uint64_t r = rnd();
			size_t size = r % 10 == 0 ? 1 + (r >> 8) % 20000 : 1 + (r >> 8) % 2100;
			size_t align = (r >> 32) % 4 == 0 ? 1ULL << ((r >> 40) % 13) : 16;
			uint8_t *p = heap_alloc_aligned(&heap, size, align);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p % MAX(align, 16), 0);
			fill(p, size, op);
			live[n++] = (struct obj){ p, size, op };
			allocs++;
			requested += size;
		} else {
			size_t k = rnd() % n;

			assert_true(check(live[k].p, live[k].size, live[k].seed));
			assert_int_equal(heap_free(&heap, live[k].p), 0);
			if (rnd() % 32 == 0)
				assert_int_equal(heap_free(&heap, live[k].p), -EINVAL);
			requested -= live[k].size;
			live[k] = live[--n];
			frees++;
		}
		if (op % 5000 == 0)
			check_no_overlap(live, n);
		stats(&st);
		assert_int_equal(st.allocs, allocs);
		assert_int_equal(st.frees, frees);
		assert_true(st.bytes_in_use >= requested);
	}
	for (size_t i = 0; i < n; i++) {
		assert_true(check(live[i].p, live[i].size, live[i].seed));
		assert_int_equal(heap_free(&heap, live[i].p), 0);
	}
	free(live);
	stats(&st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_true(st.pages_held <= HEAP_NR_CLASSES);
}

static void *mt_worker(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;
	uint64_t seed = id * 0x9e3779b97f4a7c15ULL + 7;
	struct obj mine[32];
	int n = 0, bad = 0;

	for (uint32_t op = 0; op < 3000; op++) {
		sched_yield();
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		if (n < 32 && (n == 0 || seed % 2)) {
			size_t size = 1 + (seed >> 8) % (seed % 8 ? 300 : 6000);
			uint8_t *p = heap_alloc(&heap, size);

			if (!p) {
				bad++;
				continue;
			}
			fill(p, size, id << 20 | op);
			mine[n++] = (struct obj){ p, size, id << 20 | op };
		} else {
			int k = (int)((seed >> 16) % (uint64_t)n);

			if (!check(mine[k].p, mine[k].size, mine[k].seed))
				bad++;
			if (heap_free(&heap, mine[k].p))
				bad++;
			mine[k] = mine[--n];
		}
	}
	while (n--)
		if (!check(mine[n].p, mine[n].size, mine[n].seed) || heap_free(&heap, mine[n].p))
			bad++;
	return (void *)(uintptr_t)bad;
}

static void test_threads(void **state)
{
	pthread_t th[4];
	struct heap_stats st;

	(void)state;
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		void *ret;

		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_int_equal((uintptr_t)ret, 0);
	}
	stats(&st);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.allocs, st.frees);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zalloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slab_pages_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_stress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
