/* SPDX-License-Identifier: GPL-2.0 */
/* Ctrl-A commands of Plinth's console: plain bytes, every command, doubled and stray prefixes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <vmm/console_escape.h>

#define CA CONSOLE_ESCAPE_PREFIX

static struct console_cmd feed(struct console_escape *e, uint8_t c)
{
	return console_escape_feed(e, c);
}

static void test_plain_bytes_pass(void **state)
{
	struct console_escape e;

	(void)state;
	console_escape_init(&e);
	/* Every byte but the prefix, control characters and 8-bit ones included. */
	for (unsigned int c = 0; c < 256; c++) {
		struct console_cmd cmd;

		if (c == CA)
			continue;
		cmd = feed(&e, (uint8_t)c);
		assert_int_equal(cmd.action, CONSOLE_INPUT);
		assert_int_equal(cmd.byte, c);
	}
}

static void test_prefix_alone_is_consumed(void **state)
{
	struct console_escape e;

	(void)state;
	console_escape_init(&e);
	assert_int_equal(feed(&e, CA).action, CONSOLE_NONE);
	assert_true(e.armed);
}

static void test_commands(void **state)
{
	static const struct {
		uint8_t key;
		enum console_action action;
		unsigned int index;
	} cases[] = {
		{ 'n', CONSOLE_NEXT, 0 }, { 'N', CONSOLE_NEXT, 0 }, { '0', CONSOLE_PLINTH, 0 },
		{ '1', CONSOLE_SELECT, 1 }, { '5', CONSOLE_SELECT, 5 }, { '9', CONSOLE_SELECT, 9 },
		{ 'h', CONSOLE_HELP, 0 }, { 'H', CONSOLE_HELP, 0 }, { '?', CONSOLE_HELP, 0 },
	};
	struct console_escape e;

	(void)state;
	console_escape_init(&e);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct console_cmd cmd;

		assert_int_equal(feed(&e, CA).action, CONSOLE_NONE);
		cmd = feed(&e, cases[i].key);
		assert_int_equal(cmd.action, cases[i].action);
		if (cases[i].action == CONSOLE_SELECT)
			assert_int_equal(cmd.index, cases[i].index);
		/* The command ends the escape: the next byte is input again. */
		assert_false(e.armed);
		assert_int_equal(feed(&e, cases[i].key).action, CONSOLE_INPUT);
	}
}

/* Ctrl-A Ctrl-A is one literal Ctrl-A; a third one starts a new command. */
static void test_doubled_prefix(void **state)
{
	struct console_escape e;
	struct console_cmd cmd;

	(void)state;
	console_escape_init(&e);
	feed(&e, CA);
	cmd = feed(&e, CA);
	assert_int_equal(cmd.action, CONSOLE_INPUT);
	assert_int_equal(cmd.byte, CA);
	assert_false(e.armed);
	assert_int_equal(feed(&e, CA).action, CONSOLE_NONE);
	assert_int_equal(feed(&e, '2').action, CONSOLE_SELECT);
}

/* An unassigned key after Ctrl-A is reported, not passed on, and does not stick. */
static void test_unknown_command(void **state)
{
	struct console_escape e;
	struct console_cmd cmd;

	(void)state;
	console_escape_init(&e);
	feed(&e, CA);
	cmd = feed(&e, 'x');
	assert_int_equal(cmd.action, CONSOLE_UNKNOWN);
	assert_int_equal(cmd.byte, 'x');
	cmd = feed(&e, 'x');
	assert_int_equal(cmd.action, CONSOLE_INPUT);
	feed(&e, CA);
	assert_int_equal(feed(&e, '\r').action, CONSOLE_UNKNOWN);
}

/* A typed line with a switch in the middle: the bytes around it still arrive in order. */
static void test_stream(void **state)
{
	const uint8_t in[] = { 'a', 'b', CA, '1', 'c', CA, CA, 'd', CA, 'h', '\r' };
	char got[16];
	size_t n = 0;
	unsigned int selects = 0, helps = 0;
	struct console_escape e;

	(void)state;
	console_escape_init(&e);
	for (size_t i = 0; i < sizeof(in); i++) {
		struct console_cmd cmd = feed(&e, in[i]);

		if (cmd.action == CONSOLE_INPUT)
			got[n++] = (char)cmd.byte;
		selects += cmd.action == CONSOLE_SELECT;
		helps += cmd.action == CONSOLE_HELP;
	}
	assert_int_equal(n, 6);
	assert_memory_equal(got, "abc\001d\r", 6);
	assert_int_equal(selects, 1);
	assert_int_equal(helps, 1);
	assert_non_null(strstr(console_escape_help, "Ctrl-A n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_pass),
		cmocka_unit_test(test_prefix_alone_is_consumed),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_doubled_prefix),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
