/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>
#include <plinth/id_alloc.h>

static void test_init_rejects_short_storage(void **state)
{
	uint64_t w[1];
	struct id_alloc a;

	(void)state;
	assert_int_equal(id_alloc_init(&a, 1, 65, w, 1), -EINVAL);
	assert_int_equal(id_alloc_init(&a, 1, 0, w, 1), -EINVAL);
	assert_int_equal(id_alloc_init(&a, 1, 64, w, 1), 0);
}

/* The range starts at first: VPID 0 belongs to the host and is never handed out. */
static void test_ids_start_at_first_and_are_unique(void **state)
{
	uint64_t w[ID_ALLOC_WORDS(100)];
	struct id_alloc a;
	uint32_t id, seen[100];

	(void)state;
	assert_int_equal(id_alloc_init(&a, 1, 100, w, ARRAY_SIZE(w)), 0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(id_alloc_get(&a, &id), 0);
		assert_in_range(id, 1, 100);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(seen[j], id);
		seen[i] = id;
	}
	assert_int_equal(id_alloc_get(&a, &id), -ENOSPC);
}

/* A freed ID comes back, but only after the others have been tried. */
static void test_recycles_round_robin(void **state)
{
	uint64_t w[1];
	struct id_alloc a;
	uint32_t id;

	(void)state;
	assert_int_equal(id_alloc_init(&a, 10, 4, w, 1), 0);
	assert_int_equal(id_alloc_get(&a, &id), 0);
	assert_int_equal(id, 10);
	assert_int_equal(id_alloc_put(&a, 10), 0);
	assert_int_equal(id_alloc_get(&a, &id), 0);
	assert_int_equal(id, 11);
	for (uint32_t want = 12; want <= 13; want++) {
		assert_int_equal(id_alloc_get(&a, &id), 0);
		assert_int_equal(id, want);
	}
	/* Wraps around to the one freed first. */
	assert_int_equal(id_alloc_get(&a, &id), 0);
	assert_int_equal(id, 10);
	assert_int_equal(id_alloc_get(&a, &id), -ENOSPC);
	/* Exhausted, then one freed: exactly that one is reused. */
	assert_int_equal(id_alloc_put(&a, 12), 0);
	assert_int_equal(id_alloc_get(&a, &id), 0);
	assert_int_equal(id, 12);
}

/* Thousands of partitions starting and stopping never run out of tags. */
static void test_churn_never_leaks(void **state)
{
	uint64_t w[ID_ALLOC_WORDS(0xffff)];
	struct id_alloc a;
	uint32_t id;

	(void)state;
	assert_int_equal(id_alloc_init(&a, 1, 0xffff, w, ARRAY_SIZE(w)), 0);
	for (int i = 0; i < 200000; i++) {
		assert_int_equal(id_alloc_get(&a, &id), 0);
		assert_int_equal(id_alloc_put(&a, id), 0);
	}
	assert_int_equal(a.used, 0);
}

static void test_put_rejects_foreign_and_double_free(void **state)
{
	uint64_t w[1];
	struct id_alloc a;
	uint32_t id;

	(void)state;
	assert_int_equal(id_alloc_init(&a, 1, 8, w, 1), 0);
	assert_int_equal(id_alloc_put(&a, 0), -EINVAL);
	assert_int_equal(id_alloc_put(&a, 9), -EINVAL);
	assert_int_equal(id_alloc_put(&a, 3), -EINVAL);
	assert_int_equal(id_alloc_get(&a, &id), 0);
	assert_int_equal(id_alloc_put(&a, id), 0);
	assert_int_equal(id_alloc_put(&a, id), -EINVAL);
	assert_int_equal(a.used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_short_storage),
		cmocka_unit_test(test_ids_start_at_first_and_are_unique),
		cmocka_unit_test(test_recycles_round_robin),
		cmocka_unit_test(test_churn_never_leaks),
		cmocka_unit_test(test_put_rejects_foreign_and_double_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
