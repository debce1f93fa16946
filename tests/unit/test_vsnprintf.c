/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compares the freestanding formatter with the host libc on a table of
 * formats and on randomly generated conversions, plus the cases where the
 * kernel deliberately differs (%p, NULL strings, unknown conversions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

/* Taken before <plinth/log.h> renames snprintf to the kernel one. */
static int (*const libc_snprintf)(char *, size_t, const char *, ...) = snprintf;

#include <setjmp.h>
#include <cmocka.h>
#include <plinth/log.h>

/* The table purposely uses combinations gcc calls redundant (e.g. "%-05d"). */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static void fail_at(int line, const char *fmt, const char *what,
		    const char *exp, int er, const char *got, int gr)
{
	print_error("line %d fmt \"%s\" %s: libc %d \"%s\" ours %d \"%s\"\n",
		    line, fmt, what, er, exp, gr, got);
	fail();
}

static void compare(int line, const char *fmt, size_t size, const char *exp,
		    int er, const char *got, int gr)
{
	size_t n;

	if (er != gr)
		fail_at(line, fmt, "return", exp, er, got, gr);
	if (size == 0)
		return;
	n = (size_t)er < size - 1 ? (size_t)er : size - 1;
	/* memcmp, not strcmp: "%c" with 0 embeds a NUL. */
	if (memcmp(exp, got, n + 1) != 0)
		fail_at(line, fmt, "text", exp, er, got, gr);
}

#define BUFSZ 600

/* Full buffer, then several truncated sizes, each against libc. */
#define CHECK(fmt, ...)                                                        \
	do {                                                                   \
		char exp_[BUFSZ], got_[BUFSZ];                                 \
		size_t sizes_[6];                                              \
		int er_, gr_;                                                  \
		er_ = libc_snprintf(exp_, BUFSZ, fmt, ##__VA_ARGS__);          \
		memset(got_, 0x5a, BUFSZ);                                     \
		gr_ = snprintf(got_, BUFSZ, fmt, ##__VA_ARGS__);               \
		compare(__LINE__, fmt, BUFSZ, exp_, er_, got_, gr_);           \
		gr_ = snprintf(NULL, 0, fmt, ##__VA_ARGS__);                   \
		compare(__LINE__, fmt, 0, exp_, er_, got_, gr_);               \
		sizes_[0] = 1;                                                 \
		sizes_[1] = 2;                                                 \
		sizes_[2] = (size_t)er_ / 2 + 1;                               \
		sizes_[3] = (size_t)er_;                                       \
		sizes_[4] = (size_t)er_ + 1;                                   \
		sizes_[5] = (size_t)er_ + 2;                                   \
		for (int i_ = 0; i_ < 6; i_++) {                               \
			size_t s_ = sizes_[i_];                                \
			if (s_ == 0 || s_ > BUFSZ)                             \
				continue;                                      \
			er_ = libc_snprintf(exp_, s_, fmt, ##__VA_ARGS__);     \
			memset(got_, 0x5a, BUFSZ);                             \
			gr_ = snprintf(got_, s_, fmt, ##__VA_ARGS__);          \
			compare(__LINE__, fmt, s_, exp_, er_, got_, gr_);      \
			/* Nothing beyond the given size may be touched. */    \
			assert_int_equal((unsigned char)got_[s_], 0x5a);       \
		}                                                              \
	} while (0)

static void test_plain_and_percent(void **state)
{
	(void)state;
	CHECK("");
	CHECK("hello");
	CHECK("%%");
	CHECK("100%% sure");
	CHECK("a%%b%%c");
}

static void test_signed(void **state)
{
	(void)state;
	CHECK("%d", 0);
	CHECK("%d", 42);
	CHECK("%d", -42);
	CHECK("%i", 2147483647);
	CHECK("%i", (int)-2147483647 - 1);
	CHECK("%5d|%-5d|%05d", 42, 42, 42);
	CHECK("%+d %+d % d % d", 5, -5, 5, -5);
	CHECK("%+ d", 5);
	CHECK("%-+8d|", 77);
	CHECK("%08d", -123);
	CHECK("%-08d|", -123);
	CHECK("%.5d", 42);
	CHECK("%.5d", -42);
	CHECK("%8.5d", -42);
	CHECK("%08.5d", -42);
	CHECK("%.0d", 0);
	CHECK("%5.0d|", 0);
	CHECK("%+.0d", 0);
	CHECK("%.0d", 7);
	CHECK("%hhd", 300);
	CHECK("%hhd", -129);
	CHECK("%hd", 70000);
	CHECK("%hd", -32769);
	CHECK("%ld", -9223372036854775807L - 1);
	CHECK("%ld", 9223372036854775807L);
	CHECK("%lld", -1LL);
	CHECK("%zd", (ptrdiff_t)-5);
	CHECK("%td", (ptrdiff_t)-123456789012LL);
	CHECK("%jd", (intmax_t)INT64_MIN);
	CHECK("%jd", (intmax_t)INT64_MAX);
}

static void test_unsigned(void **state)
{
	(void)state;
	CHECK("%u", 0u);
	CHECK("%u", 4294967295u);
	CHECK("%+u % u", 5u, 5u);
	CHECK("%lu", 18446744073709551615UL);
	CHECK("%llu", 18446744073709551615ULL);
	CHECK("%zu", (size_t)123456789);
	CHECK("%ju", (uintmax_t)UINT64_MAX);
	CHECK("%tu", (ptrdiff_t)1234);
	CHECK("%hhu", 511u);
	CHECK("%hu", 65537u);
	CHECK("%x %X", 0xdeadbeefu, 0xdeadbeefu);
	CHECK("%#x %#X", 0xabcu, 0xabcu);
	CHECK("%#x", 0u);
	CHECK("%#.0x|", 0u);
	CHECK("%#10x|%#-10x|%#010x", 0x1fu, 0x1fu, 0x1fu);
	CHECK("%#.6x", 0x1fu);
	CHECK("%016lx", 0xffffffff81000000UL);
	CHECK("%lX", 0xfedcba9876543210UL);
	CHECK("%hhx", 0x1234u);
	CHECK("%hx", 0x12345u);
	CHECK("%o", 8u);
	CHECK("%o", 0u);
	CHECK("%#o", 0u);
	CHECK("%#o", 8u);
	CHECK("%#.0o", 0u);
	CHECK("%#.5o", 8u);
	CHECK("%#5o|", 8u);
	CHECK("%#05o|", 8u);
	CHECK("%lo", 18446744073709551615UL);
	CHECK("%#lo", 18446744073709551615UL);
	CHECK("%08.3x|", 0xau);
	CHECK("%-#8x|", 0xau);
}

static void test_strings_and_chars(void **state)
{
	char unterminated[4] = { 'a', 'b', 'c', 'd' };

	(void)state;
	CHECK("%s", "");
	CHECK("%s", "text");
	CHECK("[%10s]", "right");
	CHECK("[%-10s]", "left");
	CHECK("[%.3s]", "truncate");
	CHECK("[%.0s]", "gone");
	CHECK("[%8.2s]", "abc");
	CHECK("[%-8.2s]", "abc");
	CHECK("[%*s]", 6, "st");
	CHECK("[%*s]", -6, "st");
	CHECK("[%.*s]", 2, "star");
	CHECK("[%.*s]", -1, "negprec");
	CHECK("[%*.*s]", 7, 3, "both");
	CHECK("[%.*s]", 4, unterminated);
	CHECK("%c%c%c", 'a', 'b', 'c');
	CHECK("[%5c][%-5c]", 'x', 'y');
	CHECK("a%cb", 0);
	CHECK("%c", 255);
	CHECK("%s=%d (%s)", "key", -1, "value");
}

static void test_star_width_and_precision(void **state)
{
	(void)state;
	CHECK("[%*d]", 5, 42);
	CHECK("[%*d]", -5, 42);
	CHECK("[%-*d]", -5, 42);
	CHECK("[%.*d]", 4, 7);
	CHECK("[%.*d]", -3, 7);
	CHECK("[%0*d]", 6, -7);
	CHECK("[%*.*x]", 10, 6, 0xabu);
	CHECK("[%0*.*x]", 10, 6, 0xabu);
	CHECK("[%.d]", 0);
	CHECK("[%.x]", 0u);
	CHECK("[%300d]", 1);
	CHECK("[%-300s]", "wide");
}

static void test_kernel_specific(void **state)
{
	char buf[64];
	int ret;

	(void)state;
	ret = snprintf(buf, sizeof(buf), "%p", (void *)0xffff800000001000UL);
	assert_string_equal(buf, "0xffff800000001000");
	assert_int_equal(ret, 18);
	snprintf(buf, sizeof(buf), "%p", NULL);
	assert_string_equal(buf, "0x0000000000000000");
	snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x0000000000001234");
	snprintf(buf, sizeof(buf), "[%20p]", (void *)1);
	assert_string_equal(buf, "[  0x0000000000000001]");
	snprintf(buf, sizeof(buf), "[%-20p]", (void *)1);
	assert_string_equal(buf, "[0x0000000000000001  ]");

	ret = snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
	assert_int_equal(ret, 6);
	snprintf(buf, sizeof(buf), "[%8s]", (char *)NULL);
	assert_string_equal(buf, "[  (null)]");
	snprintf(buf, sizeof(buf), "[%.3s]", (char *)NULL);
	assert_string_equal(buf, "[(nu]");

	ret = snprintf(buf, sizeof(buf), "a%yb");
	assert_string_equal(buf, "a%yb");
	assert_int_equal(ret, 4);
	snprintf(buf, sizeof(buf), "%-5.2q|%d", 7);
	assert_string_equal(buf, "%-5.2q|7");
	snprintf(buf, sizeof(buf), "x%n y", 1);
	assert_string_equal(buf, "x%n y");
	ret = snprintf(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end%");
	assert_int_equal(ret, 4);
	ret = snprintf(buf, sizeof(buf), "end%-08.3l");
	assert_string_equal(buf, "end%-08.3l");
	assert_int_equal(ret, 10);
	snprintf(buf, sizeof(buf), "%5%|");
	assert_string_equal(buf, "%|");
}

static void test_truncation_contract(void **state)
{
	char buf[8];
	int ret;

	(void)state;
	memset(buf, 'z', sizeof(buf));
	ret = snprintf(buf, 0, "abc");
	assert_int_equal(ret, 3);
	assert_int_equal(buf[0], 'z');

	ret = snprintf(NULL, 0, "%d-%s", 12345, "xyz");
	assert_int_equal(ret, 9);

	ret = snprintf(buf, 1, "abc");
	assert_int_equal(ret, 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'z');

	ret = snprintf(buf, sizeof(buf), "0123456789");
	assert_int_equal(ret, 10);
	assert_string_equal(buf, "0123456");

	/* A huge width only counts; it must not be written out. */
	ret = snprintf(buf, sizeof(buf), "%100000000d", 1);
	assert_int_equal(ret, 100000000);
	assert_string_equal(buf, "       ");

	/* Absurd widths saturate at INT_MAX instead of overflowing. */
	ret = snprintf(buf, sizeof(buf), "%99999999999999999999d", 1);
	assert_int_equal(ret, 2147483647);
}

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

static void test_vsnprintf_entry(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(call_vsnprintf(buf, sizeof(buf), "%s:%u:%c", "v", 9u,
					'!'), 5);
	assert_string_equal(buf, "v:9:!");
}

/* Random conversion specs with matching argument types, checked against libc. */
static void test_random_specs(void **state)
{
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char convs[] = "diuxXocs";
	static const char *const strs[] = { "", "a", "hello world", "0123456789abcdef" };

	(void)state;
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		char fmt[64], exp[BUFSZ], got[BUFSZ];
		size_t p = 0, size;
		char conv = convs[rand() % (int)(sizeof(convs) - 1)];
		const char *len = "";
		int star_w = 0, star_p = 0, w = 0, pr = 0, er, gr;
		unsigned long long raw = ((unsigned long long)rand() << 33) ^
					 ((unsigned long long)rand() << 11) ^
					 (unsigned long long)rand();

		if (rand() % 4 == 0)
			raw >>= rand() % 64;
		if (rand() % 8 == 0)
			raw = 0;

		fmt[p++] = '<';
		fmt[p++] = '%';
		for (int f = 0; f < 5; f++) {
			if (rand() % 4 == 0)
				fmt[p++] = "-0+ #"[f];
		}
		switch (rand() % 3) {
		case 1:
			p += (size_t)sprintf(fmt + p, "%d", rand() % 30);
			break;
		case 2:
			fmt[p++] = '*';
			star_w = 1;
			w = rand() % 50 - 25;
			break;
		}
		switch (rand() % 4) {
		case 1:
			fmt[p++] = '.';
			break;
		case 2:
			p += (size_t)sprintf(fmt + p, ".%d", rand() % 25);
			break;
		case 3:
			fmt[p++] = '.';
			fmt[p++] = '*';
			star_p = 1;
			pr = rand() % 30 - 5;
			break;
		}
		if (conv != 'c' && conv != 's')
			len = lens[rand() % 8];
		p += (size_t)sprintf(fmt + p, "%s%c>", len, conv);
		fmt[p] = '\0';
		size = rand() % 3 == 0 ? (size_t)(rand() % 40) : BUFSZ;

#define RUN(arg)                                                               \
	do {                                                                   \
		if (star_w && star_p) {                                        \
			er = libc_snprintf(exp, size, fmt, w, pr, arg);        \
			gr = snprintf(got, size, fmt, w, pr, arg);             \
		} else if (star_w) {                                           \
			er = libc_snprintf(exp, size, fmt, w, arg);            \
			gr = snprintf(got, size, fmt, w, arg);                 \
		} else if (star_p) {                                           \
			er = libc_snprintf(exp, size, fmt, pr, arg);           \
			gr = snprintf(got, size, fmt, pr, arg);                \
		} else {                                                       \
			er = libc_snprintf(exp, size, fmt, arg);               \
			gr = snprintf(got, size, fmt, arg);                    \
		}                                                              \
	} while (0)

		if (conv == 's') {
			RUN(strs[raw % 4]);
		} else if (conv == 'c') {
			RUN((int)(raw & 0xff));
		} else if (!strcmp(len, "l") || !strcmp(len, "ll") ||
			   !strcmp(len, "z") || !strcmp(len, "t") ||
			   !strcmp(len, "j")) {
			RUN((long long)raw);
		} else {
			RUN((int)raw);
		}
		compare(__LINE__, fmt, size, exp, er, got, gr);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_percent),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_star_width_and_precision),
		cmocka_unit_test(test_kernel_specific),
		cmocka_unit_test(test_truncation_contract),
		cmocka_unit_test(test_vsnprintf_entry),
		cmocka_unit_test(test_random_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
