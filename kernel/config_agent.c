/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plinth.cfg [agent] values (kernel/config_internal.h): where the controller
 * is, the pin of its CA's key, the enrolment token and an optional host id.
 * Shared with the UEFI loader like the rest of the parser, so a bad value
 * stops the boot before Plinth dials anything.
 */
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include "config_internal.h"

/* How much of a user-supplied value is quoted back in messages. */
#define SHOW_MAX 40

static const char *const key_names[AGENT_KEY_COUNT] = {
	[AGENT_KEY_CONTROLLER] = "controller",
	[AGENT_KEY_CA_PIN] = "ca_pin",
	[AGENT_KEY_TOKEN] = "token",
	[AGENT_KEY_HOST_ID] = "host_id",
};

int config_agent_key_lookup(const char *key, size_t n)
{
	for (int id = 0; id < AGENT_KEY_COUNT; id++)
		if (strlen(key_names[id]) == n && !memcmp(key_names[id], key, n))
			return id;
	return -ENOENT;
}

const char *config_agent_key_name(enum agent_key key)
{
	return key < AGENT_KEY_COUNT ? key_names[key] : "?";
}

static int __printf(3, 4) bad(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int show(size_t n)
{
	return (int)MIN(n, (size_t)SHOW_MAX);
}

/* controller = A.B.C.D[:PORT]; without a port, the contract's default. */
static int set_controller(struct agent_config *ag, const char *s, size_t n, char *msg,
			  size_t size)
{
	size_t colon = n;
	uint64_t port = CONFIG_AGENT_PORT;
	uint32_t addr;

	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			colon = i;
	if (config_parse_ipv4(s, colon, &addr))
		return bad(msg, size, "bad IPv4 address '%.*s' for 'controller' (A.B.C.D:PORT, "
			   "e.g. 10.0.2.100:7443)", show(colon), s);
	if (!config_ipv4_unicast(addr))
		return bad(msg, size, "'%.*s' for 'controller' is not a unicast address",
			   show(colon), s);
	if (colon < n) {
		size_t digits = n - colon - 1;
		bool decimal = digits && digits <= 5;

		/* Decimal only: a port written 0x1d1b is more likely a typo than a wish. */
		port = 0;
		for (size_t i = colon + 1; decimal && i < n; i++) {
			decimal = s[i] >= '0' && s[i] <= '9';
			port = port * 10 + (uint64_t)(s[i] - '0');
		}
		if (!decimal || !port || port > 65535)
			return bad(msg, size, "bad port '%.*s' for 'controller' (1..65535)",
				   show(digits), s + colon + 1);
	}
	ag->controller = addr;
	ag->port = (uint16_t)port;
	return 0;
}

static int set_pin(struct agent_config *ag, const char *s, size_t n, char *msg, size_t size)
{
	uint8_t pin[CONFIG_PIN_SIZE];

	if (n != 2 * CONFIG_PIN_SIZE)
		return bad(msg, size, "'ca_pin' has %zu characters, not %d (the SHA-256 of the "
			   "controller CA's public key, in hex)", n, 2 * CONFIG_PIN_SIZE);
	for (size_t i = 0; i < CONFIG_PIN_SIZE; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return bad(msg, size, "'ca_pin' has a non-hex character at position %zu",
				   2 * i + (hi < 0 ? 1 : 2));
		pin[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ag->ca_pin, pin, sizeof(pin));
	return 0;
}

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool host_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* The token is a secret: an error says where it is wrong, never what it is. */
static int set_token(struct agent_config *ag, const char *s, size_t n, char *msg, size_t size)
{
	if (n >= CONFIG_TOKEN_MAX)
		return bad(msg, size, "'token' is %zu characters long (max %d)", n,
			   CONFIG_TOKEN_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!token_char(s[i]))
			return bad(msg, size, "'token' has a bad character at position %zu "
				   "(A-Z a-z 0-9 _ -)", i + 1);
	memcpy(ag->token, s, n);
	ag->token[n] = '\0';
	return 0;
}

static int set_host_id(struct agent_config *ag, const char *s, size_t n, char *msg, size_t size)
{
	bool ok = n < CONFIG_HOST_ID_MAX;

	for (size_t i = 0; ok && i < n; i++)
		ok = host_id_char(s[i]);
	if (!ok)
		return bad(msg, size, "bad host id '%.*s' for 'host_id' (1-%d of a-z 0-9 -)",
			   show(n), s, CONFIG_HOST_ID_MAX - 1);
	memcpy(ag->host_id, s, n);
	ag->host_id[n] = '\0';
	return 0;
}

int config_agent_set(struct agent_config *ag, enum agent_key key, const char *value, size_t n,
		     char *msg, size_t msg_size)
{
	switch (key) {
	case AGENT_KEY_CONTROLLER:
		return set_controller(ag, value, n, msg, msg_size);
	case AGENT_KEY_CA_PIN:
		return set_pin(ag, value, n, msg, msg_size);
	case AGENT_KEY_TOKEN:
		return set_token(ag, value, n, msg, msg_size);
	case AGENT_KEY_HOST_ID:
		return set_host_id(ag, value, n, msg, msg_size);
	default:
		return bad(msg, msg_size, "unknown [agent] key %d", key);
	}
}
