/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/log.h>

static void expect_prefix(uint64_t ns, unsigned int cpu, enum log_level level,
			  const char *want)
{
	char buf[128];
	size_t n;

	memset(buf, 0x5a, sizeof(buf));
	n = log_format_prefix(buf, sizeof(buf), ns, cpu, level);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_exact_strings(void **state)
{
	(void)state;
	expect_prefix(12345678, 0, LOG_INFO, "[    0.012345] cpu0 INFO  ");
	expect_prefix(0, 0, LOG_ERROR, "[    0.000000] cpu0 ERROR ");
	expect_prefix(1000000000, 3, LOG_WARN, "[    1.000000] cpu3 WARN  ");
	expect_prefix(12345678000ull, 15, LOG_DEBUG,
		      "[   12.345678] cpu15 DEBUG ");
	expect_prefix(99999999999999ull, 63, LOG_INFO,
		      "[99999.999999] cpu63 INFO  ");
}

static void test_truncates_nanoseconds(void **state)
{
	(void)state;
	/* 999 ns below the next microsecond must not round up. */
	expect_prefix(1999, 1, LOG_INFO, "[    0.000001] cpu1 INFO  ");
	expect_prefix(999, 1, LOG_INFO, "[    0.000000] cpu1 INFO  ");
	expect_prefix(999999999, 1, LOG_INFO, "[    0.999999] cpu1 INFO  ");
	expect_prefix(1999999999, 1, LOG_INFO, "[    1.999999] cpu1 INFO  ");
}

static void test_large_uptimes(void **state)
{
	(void)state;
	/* Past 5 digits of seconds the field widens instead of wrapping. */
	expect_prefix(100000000000000ull, 2, LOG_INFO,
		      "[100000.000000] cpu2 INFO  ");
	expect_prefix(UINT64_MAX, 4294967295u, LOG_DEBUG,
		      "[18446744073.709551] cpu4294967295 DEBUG ");
}

static void test_unknown_level(void **state)
{
	(void)state;
	assert_string_equal(log_level_name(LOG_ERROR), "ERROR");
	assert_string_equal(log_level_name(LOG_WARN), "WARN");
	assert_string_equal(log_level_name(LOG_INFO), "INFO");
	assert_string_equal(log_level_name(LOG_DEBUG), "DEBUG");
	assert_string_equal(log_level_name((enum log_level)4), "?");
	assert_string_equal(log_level_name((enum log_level)-1), "?");
	expect_prefix(0, 0, (enum log_level)9, "[    0.000000] cpu0 ?     ");
}

static void test_small_buffers(void **state)
{
	const char *full = "[    0.012345] cpu0 INFO  ";
	size_t len = strlen(full);
	char buf[64];

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(log_format_prefix(buf, 0, 12345678, 0, LOG_INFO), 0);
	assert_int_equal((unsigned char)buf[0], 0x5a);
	assert_int_equal(log_format_prefix(NULL, 10, 12345678, 0, LOG_INFO), 0);

	for (size_t size = 1; size <= len + 2; size++) {
		size_t n;

		memset(buf, 0x5a, sizeof(buf));
		n = log_format_prefix(buf, size, 12345678, 0, LOG_INFO);
		assert_int_equal(n, size - 1 < len ? size - 1 : len);
		assert_int_equal(buf[n], '\0');
		assert_memory_equal(buf, full, n);
		assert_int_equal((unsigned char)buf[size], 0x5a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_strings),
		cmocka_unit_test(test_truncates_nanoseconds),
		cmocka_unit_test(test_large_uptimes),
		cmocka_unit_test(test_unknown_level),
		cmocka_unit_test(test_small_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
