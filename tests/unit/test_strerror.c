/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <plinth/errno.h>

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void test_both_signs(void **state)
{
	(void)state;
	assert_true(streq(strerror(-EINVAL), "invalid argument"));
	assert_true(streq(strerror(EINVAL), "invalid argument"));
	assert_true(streq(strerror(-ENOMEM), "out of memory"));
	assert_true(streq(strerror(ENOENT), "no such file or directory"));
	assert_true(streq(strerror(-ETIMEDOUT), "timed out"));
	assert_true(streq(strerror(0), "success"));
}

static void test_every_code_named(void **state)
{
	static const int codes[] = { EPERM, ENOENT, EIO, E2BIG, ENOEXEC, EAGAIN,
				     ENOMEM, EFAULT, EBUSY, EEXIST, ENODEV,
				     EINVAL, EFBIG, ENOSPC, ERANGE, ENOSYS, ELOOP,
				     EPROTO, EBADMSG, EOVERFLOW, EMSGSIZE,
				     ENOTSUP, ENOBUFS, ETIMEDOUT };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_false(streq(strerror(codes[i]), "unknown error"));
		assert_true(streq(strerror(codes[i]), strerror(-codes[i])));
	}
}

static void test_unknown(void **state)
{
	(void)state;
	assert_true(streq(strerror(3), "unknown error"));
	assert_true(streq(strerror(-9999), "unknown error"));
	assert_true(streq(strerror(2147483647), "unknown error"));
	assert_true(streq(strerror(-2147483647 - 1), "unknown error"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_signs),
		cmocka_unit_test(test_every_code_named),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
