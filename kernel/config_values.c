/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plinth.cfg values: scalar parsers and per-key setters with their error
 * messages. Section and line handling is in config.c.
 */
#include <plinth/string.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>

/* How much of a user-supplied value is quoted back in messages. */
#define SHOW_MAX 40

/* Past any base: not a digit. */
static int digit_value(char c)
{
	int v = hex_value(c);

	return v < 0 ? 99 : v;
}

int config_parse_u64(const char *s, size_t n, uint64_t *out)
{
	unsigned int base = 10;
	bool overflow = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	/*
	 * Syntax errors win over overflow so "99999999999999999999Q" is
	 * reported as malformed, not as too large.
	 */
	for (; i < n; i++) {
		unsigned int d = (unsigned int)digit_value(s[i]);

		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

int config_parse_size(const char *s, size_t n, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	int ret;

	if (n) {
		switch (s[n - 1]) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
		case 'm':
			shift = 20;
			break;
		case 'G':
		case 'g':
			shift = 30;
			break;
		default:
			break;
		}
	}
	ret = config_parse_u64(s, shift ? n - 1 : n, &v);
	if (ret)
		return ret;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static bool token_is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (word[i] != s[i] || !word[i])
			return false;
	}
	return word[n] == '\0';
}

int config_parse_bool(const char *s, size_t n, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (token_is(s, n, yes[i])) {
			*out = true;
			return 0;
		}
		if (token_is(s, n, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

static int parse_cpu_index(const char *s, size_t n, uint64_t *idx)
{
	int ret;

	trim(&s, &n);
	ret = config_parse_u64(s, n, idx);
	if (ret)
		return ret;
	return *idx < 64 ? 0 : -ERANGE;
}

static int parse_cpu_item(const char *s, size_t n, uint64_t *mask)
{
	uint64_t first, last, bit;
	size_t dash;
	int ret;

	for (dash = 0; dash < n && s[dash] != '-'; dash++)
		;
	ret = parse_cpu_index(s, dash, &first);
	if (ret)
		return ret;
	last = first;
	if (dash < n) {
		ret = parse_cpu_index(s + dash + 1, n - dash - 1, &last);
		if (ret)
			return ret;
		if (last < first)
			return -EINVAL;
	}
	for (bit = first; bit <= last; bit++) {
		if (*mask & (1ull << bit))
			return -EEXIST;
		*mask |= 1ull << bit;
	}
	return 0;
}

int config_parse_cpu_list(const char *s, size_t n, uint64_t *mask)
{
	uint64_t m = 0;
	size_t start = 0, i;
	int ret;

	/* The loop runs once past the end so the last item is handled too. */
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		ret = parse_cpu_item(s + start, i - start, &m);
		if (ret)
			return ret;
		start = i + 1;
	}
	*mask = m;
	return 0;
}

static const char *const key_names[CONFIG_KEY_COUNT] = {
	[CONFIG_KEY_LOG_LEVEL] = "log_level",
	[CONFIG_KEY_SELFTEST] = "selftest",
	[CONFIG_KEY_TEST_EXIT] = "test_exit",
	[CONFIG_KEY_ACPI_DUMP] = "acpi_dump",
	[CONFIG_KEY_SERIAL] = "serial",
	[CONFIG_KEY_BAUD] = "baud",
	[CONFIG_KEY_CONSOLE] = "console",
	[CONFIG_KEY_CONSOLE_RAW] = "console_raw",
	[CONFIG_KEY_MEMORY] = "memory",
	[CONFIG_KEY_VCPUS] = "vcpus",
	[CONFIG_KEY_CPUS] = "cpus",
	[CONFIG_KEY_KERNEL] = "kernel",
	[CONFIG_KEY_INITRD] = "initrd",
	[CONFIG_KEY_DISK] = "disk",
	[CONFIG_KEY_READONLY] = "readonly",
	[CONFIG_KEY_SWITCH] = "switch",
	[CONFIG_KEY_MAC] = "mac",
	[CONFIG_KEY_CMDLINE] = "cmdline",
	[CONFIG_KEY_ENTRY] = "entry",
	[CONFIG_KEY_ENTRY_ADDR] = "entry_addr",
	[CONFIG_KEY_TIME_LIMIT] = "time_limit",
	[CONFIG_KEY_EXIT_PORT] = "exit_port",
	[CONFIG_KEY_ON_CRASH] = "on_crash",
	[CONFIG_KEY_AUTOSTART] = "autostart",
};

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static const char *const entry_names[] = {
	[ENTRY_LINUX] = "linux",
	[ENTRY_REALMODE] = "realmode",
	[ENTRY_LONGMODE] = "longmode",
	[ENTRY_MULTIBOOT] = "multiboot",
};

const char *config_key_name(enum config_key key)
{
	if ((unsigned int)key < CONFIG_KEY_COUNT)
		return key_names[key];
	return "?";
}

const char *config_entry_name(enum partition_entry entry)
{
	if ((unsigned int)entry < ARRAY_SIZE(entry_names))
		return entry_names[entry];
	return "?";
}

int config_key_lookup(bool partition, const char *key, size_t n)
{
	int first = partition ? CONFIG_KEY_MEMORY : 0;
	int last = partition ? CONFIG_KEY_COUNT : CONFIG_KEY_MEMORY;
	int i;

	for (i = first; i < last; i++) {
		if (token_is(key, n, key_names[i]))
			return i;
	}
	return -ENOENT;
}

static int lookup_name(const char *s, size_t n, const char *const *names,
		       size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (token_is(s, n, names[i]))
			return (int)i;
	}
	return -1;
}

/* One key being applied; bundles what every setter needs. */
struct setting {
	struct plinth_config *cfg;
	struct partition_config *part;
	const char *key;
	const char *s;
	size_t n;
	int show;		/* characters of the value quoted in messages */
	char *msg;
	size_t msg_size;
};

static int __printf(2, 3) bad(const struct setting *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->msg, st->msg_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_string(const struct setting *st, char *dst, size_t size)
{
	if (st->n >= size)
		return bad(st, "value too long for '%s' (max %zu)", st->key,
			   size - 1);
	memcpy(dst, st->s, st->n);
	dst[st->n] = '\0';
	return 0;
}

static int set_number(const struct setting *st, uint64_t min, uint64_t max,
		      uint64_t *out)
{
	uint64_t v;
	int ret = config_parse_u64(st->s, st->n, &v);

	if (ret == -EINVAL)
		return bad(st, "bad number '%.*s' for '%s'", st->show, st->s,
			   st->key);
	if (ret || v < min || v > max)
		return bad(st, "value '%.*s' out of range for '%s' (%llu..%llu)",
			   st->show, st->s, st->key, (unsigned long long)min,
			   (unsigned long long)max);
	*out = v;
	return 0;
}

static int set_bool(const struct setting *st, bool *out)
{
	if (config_parse_bool(st->s, st->n, out))
		return bad(st, "bad boolean '%.*s' for '%s' (expected 0/1/yes/no/true/false/on/off)",
			   st->show, st->s, st->key);
	return 0;
}

/* Switch names follow the rules of partition names: they appear in log lines. */
static int set_switch(const struct setting *st)
{
	for (size_t i = 0; i < st->n; i++) {
		char c = st->s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return bad(st, "bad switch name '%.*s' (letters, digits, '_' and '-')",
				   st->show, st->s);
	}
	if (!st->n)
		return bad(st, "empty switch name");
	return set_string(st, st->part->net_switch, sizeof(st->part->net_switch));
}

int config_parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	if (n != 17)
		return -EINVAL;
	for (unsigned int i = 0; i < 6; i++) {
		int hi = digit_value(s[3 * i]), lo = digit_value(s[3 * i + 1]);

		if (hi > 15 || lo > 15 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int config_parse_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t addr = 0;
	size_t i = 0;

	for (unsigned int octet = 0; octet < 4; octet++) {
		unsigned int v = 0, digits = 0;

		if (octet) {
			if (i >= n || s[i] != '.')
				return -EINVAL;
			i++;
		}
		for (; i < n && s[i] >= '0' && s[i] <= '9' && digits < 4; i++, digits++)
			v = v * 10 + (unsigned int)(s[i] - '0');
		if (!digits || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return -EINVAL;
		addr = addr << 8 | v;
	}
	if (i != n)
		return -EINVAL;
	*out = addr;
	return 0;
}

bool config_ipv4_unicast(uint32_t a)
{
	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000u;
}

static int set_mac(const struct setting *st)
{
	uint8_t mac[6];

	if (config_parse_mac(st->s, st->n, mac))
		return bad(st, "bad MAC address '%.*s' (expected six hex octets: 52:54:00:12:34:56)",
			   st->show, st->s);
	/* Bit 0 of the first octet makes it a group address, which no NIC may own. */
	if (mac[0] & 1)
		return bad(st, "MAC address '%.*s' is multicast; a NIC needs a unicast address",
			   st->show, st->s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return bad(st, "MAC address 00:00:00:00:00:00 is not an address");
	memcpy(st->part->mac, mac, 6);
	st->part->has_mac = true;
	return 0;
}

static int set_log_level(const struct setting *st)
{
	int idx = lookup_name(st->s, st->n, level_names,
			      ARRAY_SIZE(level_names));

	if (idx < 0)
		return bad(st, "bad log_level '%.*s' (expected error|warn|info|debug)",
			   st->show, st->s);
	st->cfg->log_level = (enum log_level)idx;
	return 0;
}

static int set_baud(const struct setting *st)
{
	uint64_t v;
	int ret = set_number(st, 1, 115200, &v);

	if (ret)
		return ret;
	/* The 16550 divisor latch can only produce 115200 / n. */
	if (115200 % v)
		return bad(st, "baud %llu does not divide 115200",
			   (unsigned long long)v);
	st->cfg->baud = (uint32_t)v;
	return 0;
}

static int set_memory(const struct setting *st)
{
	uint64_t size;
	int ret = config_parse_size(st->s, st->n, &size);

	if (ret == -ERANGE)
		return bad(st, "size '%.*s' too large for 'memory'", st->show,
			   st->s);
	if (ret)
		return bad(st, "bad size '%.*s' for 'memory'", st->show, st->s);
	if (!size)
		return bad(st, "memory must not be 0");
	/* Guest RAM is mapped with large pages; keep it whole MiB. */
	if (!IS_ALIGNED(size, MIB(1)))
		return bad(st, "memory '%.*s' is not a multiple of 1M",
			   st->show, st->s);
	st->part->memory = size;
	return 0;
}

static int set_cpus(const struct setting *st)
{
	int ret = config_parse_cpu_list(st->s, st->n, &st->part->cpu_mask);

	if (ret == -ERANGE)
		return bad(st, "CPU index out of range in '%.*s' (max %d)",
			   st->show, st->s, CONFIG_MAX_VCPUS - 1);
	if (ret == -EEXIST)
		return bad(st, "CPU listed twice in '%.*s'", st->show, st->s);
	if (ret)
		return bad(st, "bad CPU list '%.*s' for 'cpus'", st->show,
			   st->s);
	return 0;
}

static int set_entry(const struct setting *st)
{
	int idx = lookup_name(st->s, st->n, entry_names,
			      ARRAY_SIZE(entry_names));

	if (idx < 0)
		return bad(st, "bad entry '%.*s' (expected linux|realmode|longmode|multiboot)",
			   st->show, st->s);
	st->part->entry = (enum partition_entry)idx;
	return 0;
}

static const char *const on_crash_names[] = {
	[ON_CRASH_STOP] = "stop",
	[ON_CRASH_RESTART] = "restart",
};

static int set_on_crash(const struct setting *st)
{
	int idx = lookup_name(st->s, st->n, on_crash_names, ARRAY_SIZE(on_crash_names));

	if (idx < 0)
		return bad(st, "bad on_crash '%.*s' (expected stop|restart)", st->show, st->s);
	st->part->on_crash = (enum partition_on_crash)idx;
	return 0;
}

int config_set_key(struct plinth_config *cfg, struct partition_config *part,
		   enum config_key key, const char *value, size_t n, char *msg,
		   size_t msg_size)
{
	struct setting st = {
		.cfg = cfg, .part = part, .key = config_key_name(key),
		.s = value, .n = n, .show = (int)MIN(n, (size_t)SHOW_MAX),
		.msg = msg, .msg_size = msg_size,
	};
	uint64_t v = 0;
	int ret;

	/* A [partition] key needs only part: a partition made at run time has no plinth.cfg. */
	if ((key < CONFIG_KEY_MEMORY && !cfg) || (key >= CONFIG_KEY_MEMORY && !part) || !value)
		return bad(&st, "internal error: bad key context");
	/* Optional strings may be set to "" to mean "none". */
	if (!n && key != CONFIG_KEY_INITRD && key != CONFIG_KEY_DISK &&
	    key != CONFIG_KEY_CMDLINE)
		return bad(&st, "missing value for '%s'", st.key);

	switch (key) {
	case CONFIG_KEY_LOG_LEVEL:
		return set_log_level(&st);
	case CONFIG_KEY_SELFTEST:
		return set_bool(&st, &cfg->selftest);
	case CONFIG_KEY_TEST_EXIT:
		return set_bool(&st, &cfg->test_exit);
	case CONFIG_KEY_ACPI_DUMP:
		return set_bool(&st, &cfg->acpi_dump);
	case CONFIG_KEY_SERIAL:
		ret = set_number(&st, 1, 0xffff, &v);
		if (!ret)
			cfg->serial_port = (uint16_t)v;
		return ret;
	case CONFIG_KEY_BAUD:
		return set_baud(&st);
	case CONFIG_KEY_CONSOLE:
		/* A partition name (checked once every section is read) or "plinth". */
		return set_string(&st, cfg->console, sizeof(cfg->console));
	case CONFIG_KEY_CONSOLE_RAW:
		return set_bool(&st, &cfg->console_raw);
	case CONFIG_KEY_MEMORY:
		return set_memory(&st);
	case CONFIG_KEY_VCPUS:
		ret = set_number(&st, 1, CONFIG_MAX_VCPUS, &v);
		if (!ret)
			part->vcpus = (unsigned int)v;
		return ret;
	case CONFIG_KEY_CPUS:
		return set_cpus(&st);
	case CONFIG_KEY_KERNEL:
		return set_string(&st, part->kernel, sizeof(part->kernel));
	case CONFIG_KEY_INITRD:
		return set_string(&st, part->initrd, sizeof(part->initrd));
	case CONFIG_KEY_DISK:
		return set_string(&st, part->disk, sizeof(part->disk));
	case CONFIG_KEY_READONLY:
		return set_bool(&st, &part->disk_readonly);
	case CONFIG_KEY_SWITCH:
		return set_switch(&st);
	case CONFIG_KEY_MAC:
		return set_mac(&st);
	case CONFIG_KEY_CMDLINE:
		return set_string(&st, part->cmdline, sizeof(part->cmdline));
	case CONFIG_KEY_ENTRY:
		return set_entry(&st);
	case CONFIG_KEY_ENTRY_ADDR:
		return set_number(&st, 0, UINT64_MAX, &part->entry_addr);
	case CONFIG_KEY_TIME_LIMIT:
		/* milliseconds, at most a day */
		return set_number(&st, 1, 86400000, &part->time_limit_ms);
	case CONFIG_KEY_EXIT_PORT:
		/* A 16-bit port; 0 would mean none, so it is not a value one can ask for. */
		return set_number(&st, 1, 0xffff, &part->exit_port);
	case CONFIG_KEY_ON_CRASH:
		return set_on_crash(&st);
	case CONFIG_KEY_AUTOSTART:
		return set_bool(&st, &part->autostart);
	default:
		return bad(&st, "internal error: unknown key %d", (int)key);
	}
}
