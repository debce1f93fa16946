// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <plinth/rank.h>

static void test_orders_highest_first(void **state)
{
	const uint64_t v[] = { 5, 0, 9, 1, 9, 3 };
	unsigned int idx[6];

	(void)state;
	assert_int_equal(rank_desc(v, 6, idx, 6), 5);
	/* Ties keep index order; zeros are left out. */
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 4);
	assert_int_equal(idx[2], 0);
	assert_int_equal(idx[3], 5);
	assert_int_equal(idx[4], 3);
}

static void test_keeps_only_the_top(void **state)
{
	const uint64_t v[] = { 1, 2, 3, 4, 5, 6, 7 };
	unsigned int idx[3] = { 99, 99, 99 };

	(void)state;
	assert_int_equal(rank_desc(v, 7, idx, 2), 2);
	assert_int_equal(idx[0], 6);
	assert_int_equal(idx[1], 5);
	assert_int_equal(idx[2], 99); /* never written past max */
}

static void test_empty(void **state)
{
	const uint64_t v[] = { 0, 0 };
	unsigned int idx[1];

	(void)state;
	assert_int_equal(rank_desc(v, 2, idx, 1), 0);
	assert_int_equal(rank_desc(v, 0, idx, 1), 0);
	assert_int_equal(rank_desc(v, 2, idx, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_highest_first),
		cmocka_unit_test(test_keeps_only_the_top),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
