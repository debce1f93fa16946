/* SPDX-License-Identifier: GPL-2.0 */
/* The agent's host id (kernel/agent/agent_id.c): plinth.cfg's, else one from the NIC's MAC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/agent.h>

static bool valid_host_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static void test_from_mac(void **state)
{
	static const uint8_t qemu[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t high[6] = { 0xfe, 0xdc, 0xba, 0x98, 0x0a, 0xff };
	char id[MGMT_ID_MAX];

	(void)state;
	/* The contract's example: QEMU's default MAC. */
	agent_host_id(NULL, qemu, id);
	assert_string_equal(id, "h-525400123456");
	/* An empty host_id is no host_id. */
	memset(id, 'x', sizeof(id));
	agent_host_id("", high, id);
	assert_string_equal(id, "h-fedcba980aff");
	assert_true(valid_host_id(id));
}

static void test_configured(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const char longest[] =
		"abcdefghijklmnopqrstuvwxyz-0123456789-abcdefghijklmnopqrstuvwxy";
	char id[MGMT_ID_MAX];

	(void)state;
	agent_host_id("rack4-node-17", mac, id);
	assert_string_equal(id, "rack4-node-17");
	/* The longest the grammar allows comes through whole. */
	assert_int_equal(strlen(longest), 63);
	agent_host_id(longest, mac, id);
	assert_string_equal(id, longest);
	assert_true(valid_host_id(id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_mac),
		cmocka_unit_test(test_configured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
