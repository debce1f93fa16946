/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plinth.cfg parser: line structure, sections and keys. Scalar values are
 * parsed in config_values.c. Shared with the UEFI loader, so it depends on
 * plinth headers only and never allocates.
 */
#include <plinth/string.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include "config_internal.h"

enum section {
	SEC_NONE,
	SEC_PLINTH,
	SEC_PARTITION,
	SEC_NET,
	SEC_SWITCH,
	SEC_AGENT,
};

/* Keys of [net] and [switch NAME]; config_set_key() covers only [plinth] and [partition]. */
enum net_key {
	NET_KEY_NIC,
	NET_KEY_SWITCH,
	NET_KEY_ADDRESS,
	NET_KEY_GATEWAY,
	NET_KEY_DNS,
	NET_KEY_COUNT,
};

static const char *const net_key_names[NET_KEY_COUNT] = {
	[NET_KEY_NIC] = "nic",
	[NET_KEY_SWITCH] = "switch",
	[NET_KEY_ADDRESS] = "address",
	[NET_KEY_GATEWAY] = "gateway",
	[NET_KEY_DNS] = "dns",
};

struct parser {
	struct plinth_config *cfg;
	struct config_error *err;
	unsigned int line;
	enum section section;
	struct partition_config *part;
	struct switch_config *sw;	/* the open [switch NAME] */
	uint32_t seen;			/* config_key (net_key, agent_key) bits of this section */
	bool plinth_seen;
	unsigned int net_lines[NET_KEY_COUNT];	/* where each [net] key was set; 0 if not */
	unsigned int cpus_line;
	unsigned int console_line;
};

/* A slice of the input; the text is not NUL-terminated. */
struct token {
	const char *s;
	size_t n;
};

static int __printf(3, 4) fail(struct parser *p, unsigned int line,
			       const char *fmt, ...)
{
	va_list ap;

	p->err->line = line;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* How much of a user-supplied token is quoted back in messages. */
static int show(struct token t)
{
	return (int)MIN(t.n, (size_t)40);
}

static bool token_is(struct token t, const char *word)
{
	size_t i;

	for (i = 0; i < t.n; i++) {
		if (word[i] != t.s[i] || !word[i])
			return false;
	}
	return word[t.n] == '\0';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct token trimmed(const char *s, size_t n)
{
	struct token t = { s, n };

	while (t.n && is_blank(*t.s)) {
		t.s++;
		t.n--;
	}
	while (t.n && is_blank(t.s[t.n - 1]))
		t.n--;
	return t;
}

void config_defaults(struct plinth_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_INFO;
	cfg->serial_port = 0x3f8;
	cfg->baud = 115200;
}

static int finish_net(struct parser *p);
static int finish_switch(struct parser *p);
static int finish_agent(struct parser *p);

/* Checks that need the whole section, run when it ends. */
static int finish_section(struct parser *p)
{
	struct partition_config *part = p->part;
	unsigned int count;
	uint64_t m;

	if (p->section == SEC_NET)
		return finish_net(p);
	if (p->section == SEC_SWITCH)
		return finish_switch(p);
	if (p->section == SEC_AGENT)
		return finish_agent(p);
	if (p->section != SEC_PARTITION)
		return 0;
	if (!(p->seen & (1u << CONFIG_KEY_MEMORY)))
		return fail(p, part->line,
			    "missing required key 'memory' in [partition %s]",
			    part->name);
	if (!(p->seen & (1u << CONFIG_KEY_KERNEL)))
		return fail(p, part->line,
			    "missing required key 'kernel' in [partition %s]",
			    part->name);
	if (part->disk_readonly && !part->disk[0])
		return fail(p, part->line, "readonly = 1 but no disk in [partition %s]",
			    part->name);
	if (part->has_mac && !part->net_switch[0])
		return fail(p, part->line,
			    "mac given but no switch in [partition %s] (the NIC is a switch port)",
			    part->name);
	if (!(p->seen & (1u << CONFIG_KEY_CPUS)))
		return 0;

	for (count = 0, m = part->cpu_mask; m; m &= m - 1)
		count++;
	/* Without an explicit vcpus the pinning list decides the count. */
	if (!(p->seen & (1u << CONFIG_KEY_VCPUS)))
		part->vcpus = count;
	else if (count != part->vcpus)
		return fail(p, p->cpus_line,
			    "cpus lists %u CPUs but vcpus = %u", count,
			    part->vcpus);
	return 0;
}

/* console names a partition of the file (they may follow [plinth]) or Plinth itself. */
static int check_console(struct parser *p)
{
	const struct plinth_config *cfg = p->cfg;

	if (!cfg->console[0] || !strcmp(cfg->console, CONFIG_CONSOLE_PLINTH))
		return 0;
	for (unsigned int i = 0; i < cfg->partition_count; i++)
		if (!strcmp(cfg->console, cfg->partitions[i].name))
			return 0;
	return fail(p, p->console_line, "console '%s' names no partition (nor '%s')",
		    cfg->console, CONFIG_CONSOLE_PLINTH);
}

static bool valid_name(struct token t)
{
	size_t i;

	if (!t.n || t.n >= CONFIG_NAME_MAX)
		return false;
	for (i = 0; i < t.n; i++) {
		char c = t.s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool config_name_ok(const char *s, size_t n)
{
	return valid_name((struct token){ .s = s, .n = n });
}

static int open_partition(struct parser *p, struct token name)
{
	struct plinth_config *cfg = p->cfg;
	struct partition_config *part;
	unsigned int i;

	if (!valid_name(name))
		return fail(p, p->line,
			    "bad partition name '%.*s' (1-%d of A-Z a-z 0-9 _ -)",
			    show(name), name.s, CONFIG_NAME_MAX - 1);
	for (i = 0; i < cfg->partition_count; i++) {
		if (token_is(name, cfg->partitions[i].name))
			return fail(p, p->line,
				    "partition '%.*s' defined twice",
				    show(name), name.s);
	}
	if (cfg->partition_count >= CONFIG_MAX_PARTITIONS)
		return fail(p, p->line, "too many partitions (max %d)",
			    CONFIG_MAX_PARTITIONS);

	part = &cfg->partitions[cfg->partition_count++];
	memcpy(part->name, name.s, name.n);
	part->name[name.n] = '\0';
	part->vcpus = 1;
	part->entry = ENTRY_LINUX;
	part->autostart = true;
	part->line = p->line;
	p->part = part;
	p->section = SEC_PARTITION;
	return 0;
}

static void format_ipv4(char *buf, size_t size, uint32_t a)
{
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int net_ipv4(struct parser *p, const char *key, struct token v, uint32_t *out)
{
	if (config_parse_ipv4(v.s, v.n, out))
		return fail(p, p->line, "bad IPv4 address '%.*s' for '%s' (A.B.C.D)", show(v), v.s,
			    key);
	if (!config_ipv4_unicast(*out))
		return fail(p, p->line, "'%.*s' for '%s' is not a unicast address", show(v), v.s,
			    key);
	return 0;
}

/* address = dhcp, or A.B.C.D/len: a static address always carries its prefix length. */
static int net_address(struct parser *p, struct token v)
{
	struct net_config *net = &p->cfg->net;
	struct token quad = v, len = { NULL, 0 };
	uint32_t addr, host;
	uint64_t bits;
	int ret;

	if (token_is(v, "dhcp")) {
		net->dhcp = true;
		return 0;
	}
	for (size_t i = 0; i < v.n; i++) {
		if (v.s[i] == '/') {
			quad.n = i;
			len = (struct token){ v.s + i + 1, v.n - i - 1 };
			break;
		}
	}
	ret = net_ipv4(p, "address", quad, &addr);
	if (ret)
		return ret;
	if (!len.s)
		return fail(p, p->line,
			    "static address '%.*s' needs a prefix length (e.g. %.*s/24), or use dhcp",
			    show(v), v.s, show(v), v.s);
	if (config_parse_u64(len.s, len.n, &bits) || bits < 1 || bits > 32)
		return fail(p, p->line, "bad prefix length '%.*s' in '%.*s' (1..32)", show(len),
			    len.s, show(v), v.s);
	net->dhcp = false;
	net->address = addr;
	net->netmask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	host = addr & ~net->netmask;
	/* In /31 and /32 every address is a host's (RFC 3021). */
	if (bits <= 30 && (!host || host == ~net->netmask))
		return fail(p, p->line, "'%.*s' is the subnet's %s address, not a host's", show(v),
			    v.s, host ? "broadcast" : "network");
	return 0;
}

static int net_name(struct parser *p, const char *key, struct token v, char *dst)
{
	if (!valid_name(v))
		return fail(p, p->line, "bad name '%.*s' for '%s' (1-%d of A-Z a-z 0-9 _ -)",
			    show(v), v.s, key, CONFIG_NAME_MAX - 1);
	memcpy(dst, v.s, v.n);
	dst[v.n] = '\0';
	return 0;
}

static int net_key(struct parser *p, struct token key, struct token v)
{
	struct net_config *net = &p->cfg->net;
	int id;

	for (id = 0; id < NET_KEY_COUNT; id++)
		if (token_is(key, net_key_names[id]))
			break;
	if (id == NET_KEY_COUNT)
		return fail(p, p->line, "unknown key '%.*s' in [net]", show(key), key.s);
	if (p->seen & (1u << id))
		return fail(p, p->line, "duplicate key '%s'", net_key_names[id]);
	p->seen |= 1u << id;
	p->net_lines[id] = p->line;
	if (!v.n)
		return fail(p, p->line, "missing value for '%s'", net_key_names[id]);

	switch (id) {
	case NET_KEY_NIC:
		return net_name(p, "nic", v, net->nic);
	case NET_KEY_SWITCH:
		return net_name(p, "switch", v, net->sw);
	case NET_KEY_ADDRESS:
		return net_address(p, v);
	case NET_KEY_GATEWAY:
		return net_ipv4(p, "gateway", v, &net->gateway);
	default:
		return net_ipv4(p, "dns", v, &net->dns);
	}
}

static int switch_key(struct parser *p, struct token key, struct token v)
{
	if (!token_is(key, "uplink"))
		return fail(p, p->line, "unknown key '%.*s' in [switch %s]", show(key), key.s,
			    p->sw->name);
	if (p->seen & 1u)
		return fail(p, p->line, "duplicate key 'uplink'");
	p->seen |= 1u;
	if (!v.n)
		return fail(p, p->line, "missing value for 'uplink'");
	return net_name(p, "uplink", v, p->sw->uplink);
}

static unsigned int prefix_bits(uint32_t mask)
{
	unsigned int n = 0;

	for (; mask; mask <<= 1)
		n++;
	return n;
}

/* The later of two [net] keys' lines, for errors about the pair. */
static unsigned int later(const struct parser *p, enum net_key a, enum net_key b)
{
	return MAX(p->net_lines[a], p->net_lines[b]);
}

static int finish_net(struct parser *p)
{
	const struct net_config *net = &p->cfg->net;
	char a[16], g[16];

	if (net->nic[0] && net->sw[0])
		return fail(p, later(p, NET_KEY_NIC, NET_KEY_SWITCH),
			    "[net] has both nic and switch: Plinth is either on a NIC or on a switch");
	if (net->dhcp) {
		for (enum net_key k = NET_KEY_GATEWAY; k <= NET_KEY_DNS; k++)
			if (p->net_lines[k])
				return fail(p, p->net_lines[k],
					    "'%s' needs a static address (DHCP provides it)",
					    net_key_names[k]);
		return 0;
	}
	if (!net->gateway)
		return 0;
	format_ipv4(a, sizeof(a), net->address);
	format_ipv4(g, sizeof(g), net->gateway);
	/* Off the subnet a gateway is unreachable: every routed packet would be lost. */
	if ((net->gateway & net->netmask) != (net->address & net->netmask))
		return fail(p, p->net_lines[NET_KEY_GATEWAY], "gateway %s is outside %s/%u", g, a,
			    prefix_bits(net->netmask));
	if (net->gateway == net->address)
		return fail(p, p->net_lines[NET_KEY_GATEWAY], "gateway %s is the address itself", g);
	return 0;
}

static int finish_switch(struct parser *p)
{
	const struct plinth_config *cfg = p->cfg;

	if (!p->sw->uplink[0])
		return fail(p, p->sw->line, "missing required key 'uplink' in [switch %s]",
			    p->sw->name);
	for (unsigned int i = 0; i + 1 < cfg->switch_count; i++)
		if (!strcmp(cfg->switches[i].uplink, p->sw->uplink))
			return fail(p, p->sw->line, "uplink %s of [switch %s] is already the uplink of "
				    "[switch %s]", p->sw->uplink, p->sw->name, cfg->switches[i].name);
	return 0;
}

static int open_net(struct parser *p)
{
	struct net_config *net = &p->cfg->net;

	if (net->present)
		return fail(p, p->line, "section [net] defined twice");
	net->present = true;
	net->dhcp = true;
	net->line = p->line;
	p->section = SEC_NET;
	return 0;
}

static int open_switch(struct parser *p, struct token name)
{
	struct plinth_config *cfg = p->cfg;
	struct switch_config *sw;

	if (!valid_name(name))
		return fail(p, p->line, "bad switch name '%.*s' (1-%d of A-Z a-z 0-9 _ -)",
			    show(name), name.s, CONFIG_NAME_MAX - 1);
	for (unsigned int i = 0; i < cfg->switch_count; i++)
		if (token_is(name, cfg->switches[i].name))
			return fail(p, p->line, "switch '%.*s' defined twice", show(name), name.s);
	if (cfg->switch_count >= CONFIG_MAX_SWITCHES)
		return fail(p, p->line, "too many switches (max %d)", CONFIG_MAX_SWITCHES);
	sw = &cfg->switches[cfg->switch_count++];
	memcpy(sw->name, name.s, name.n);
	sw->name[name.n] = '\0';
	sw->line = p->line;
	p->sw = sw;
	p->section = SEC_SWITCH;
	return 0;
}

static int open_agent(struct parser *p)
{
	struct agent_config *ag = &p->cfg->agent;

	if (ag->present)
		return fail(p, p->line, "section [agent] defined twice");
	ag->present = true;
	ag->line = p->line;
	p->section = SEC_AGENT;
	return 0;
}

static int agent_key(struct parser *p, struct token key, struct token v)
{
	int id = config_agent_key_lookup(key.s, key.n);
	int ret;

	if (id < 0)
		return fail(p, p->line, "unknown key '%.*s' in [agent]", show(key), key.s);
	if (p->seen & (1u << id))
		return fail(p, p->line, "duplicate key '%s'", config_agent_key_name(id));
	p->seen |= 1u << id;
	if (!v.n)
		return fail(p, p->line, "missing value for '%s'", config_agent_key_name(id));
	ret = config_agent_set(&p->cfg->agent, id, v.s, v.n, p->err->message,
			       sizeof(p->err->message));
	if (ret)
		p->err->line = p->line;
	return ret;
}

/* Without the controller's address and its CA's pin the agent could trust nobody. */
static int finish_agent(struct parser *p)
{
	static const enum agent_key required[] = { AGENT_KEY_CONTROLLER, AGENT_KEY_CA_PIN };

	for (unsigned int i = 0; i < ARRAY_SIZE(required); i++)
		if (!(p->seen & (1u << required[i])))
			return fail(p, p->cfg->agent.line, "missing required key '%s' in [agent]",
				    config_agent_key_name(required[i]));
	return 0;
}

/* Checks between [net], the switches and the partitions, once the whole file is read. */
static int check_net(struct parser *p)
{
	const struct plinth_config *cfg = p->cfg;
	const struct net_config *net = &cfg->net;
	bool known = false;

	for (unsigned int i = 0; i < cfg->switch_count; i++) {
		if (net->nic[0] && !strcmp(net->nic, cfg->switches[i].uplink))
			return fail(p, p->net_lines[NET_KEY_NIC],
				    "nic %s is the uplink of [switch %s] (use switch = %s)",
				    net->nic, cfg->switches[i].name, cfg->switches[i].name);
		known |= !strcmp(net->sw, cfg->switches[i].name);
	}
	if (!net->sw[0])
		return 0;
	for (unsigned int i = 0; i < cfg->partition_count; i++)
		known |= !strcmp(net->sw, cfg->partitions[i].net_switch);
	if (!known)
		return fail(p, p->net_lines[NET_KEY_SWITCH],
			    "switch '%s' names no switch (no [switch %s] and no partition on it)",
			    net->sw, net->sw);
	return 0;
}

static int parse_section(struct parser *p, const char *s, size_t n)
{
	struct token inner, word, rest;
	size_t close, i;
	int ret;

	for (close = 1; close < n && s[close] != ']'; close++)
		;
	if (close == n)
		return fail(p, p->line, "missing ']' in section header");
	rest = trimmed(s + close + 1, n - close - 1);
	if (rest.n && rest.s[0] != '#')
		return fail(p, p->line, "unexpected text after section header");

	ret = finish_section(p);
	if (ret)
		return ret;
	p->seen = 0;

	inner = trimmed(s + 1, close - 1);
	for (i = 0; i < inner.n && !is_blank(inner.s[i]); i++)
		;
	word = (struct token){ inner.s, i };
	rest = trimmed(inner.s + i, inner.n - i);

	if (token_is(word, "plinth") && !rest.n) {
		if (p->plinth_seen)
			return fail(p, p->line,
				    "section [plinth] defined twice");
		p->plinth_seen = true;
		p->section = SEC_PLINTH;
		return 0;
	}
	if (token_is(word, "net") && !rest.n)
		return open_net(p);
	if (token_is(word, "agent") && !rest.n)
		return open_agent(p);
	if (token_is(word, "switch")) {
		if (!rest.n)
			return fail(p, p->line, "missing name in [switch] header");
		return open_switch(p, rest);
	}
	if (token_is(word, "partition")) {
		if (!rest.n)
			return fail(p, p->line,
				    "missing name in [partition] header");
		return open_partition(p, rest);
	}
	return fail(p, p->line, "unknown section '[%.*s]'", show(inner),
		    inner.s);
}

/*
 * Extracts the value after '='. Quoted values are taken verbatim; in bare
 * values a '#' after whitespace starts a comment unless it sits inside a
 * pair of double quotes, which are then kept.
 */
static int parse_value(struct parser *p, const char *s, size_t n,
		       struct token *out)
{
	bool quoted = false;
	size_t i;

	if (n && s[0] == '"') {
		struct token rest;

		for (i = 1; i < n && s[i] != '"'; i++)
			;
		if (i == n)
			return fail(p, p->line, "unterminated quote");
		rest = trimmed(s + i + 1, n - i - 1);
		if (rest.n && rest.s[0] != '#')
			return fail(p, p->line,
				    "unexpected text after closing quote");
		*out = (struct token){ s + 1, i - 1 };
		return 0;
	}

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == '#' && !quoted && i && is_blank(s[i - 1]))
			break;
	}
	if (quoted)
		return fail(p, p->line, "unterminated quote");
	*out = trimmed(s, i);
	return 0;
}

static int parse_assignment(struct parser *p, const char *s, size_t n)
{
	struct token key, value = { NULL, 0 };
	size_t i, eq;
	int ret, id;

	for (i = 0; i < n && s[i] != '=' && !is_blank(s[i]); i++)
		;
	key = (struct token){ s, i };
	for (eq = i; eq < n && is_blank(s[eq]); eq++)
		;
	if (!key.n)
		return fail(p, p->line, "missing key before '='");
	if (eq == n || s[eq] != '=')
		return fail(p, p->line, "expected '=' after '%.*s'",
			    show(key), key.s);
	if (p->section == SEC_NONE)
		return fail(p, p->line, "key outside any section");

	for (eq++; eq < n && is_blank(s[eq]); eq++)
		;
	/* A comment right after '=' leaves the value empty. */
	if (eq < n && s[eq] == '#' && is_blank(s[eq - 1]))
		eq = n;
	ret = parse_value(p, s + eq, n - eq, &value);
	if (ret)
		return ret;
	if (p->section == SEC_NET)
		return net_key(p, key, value);
	if (p->section == SEC_SWITCH)
		return switch_key(p, key, value);
	if (p->section == SEC_AGENT)
		return agent_key(p, key, value);

	id = config_key_lookup(p->section == SEC_PARTITION, key.s, key.n);
	if (id < 0) {
		if (p->section == SEC_PLINTH)
			return fail(p, p->line, "unknown key '%.*s' in [plinth]",
				    show(key), key.s);
		return fail(p, p->line, "unknown key '%.*s' in [partition %s]",
			    show(key), key.s, p->part->name);
	}
	if (p->seen & (1u << id))
		return fail(p, p->line, "duplicate key '%s'",
			    config_key_name((enum config_key)id));
	p->seen |= 1u << id;
	if (id == CONFIG_KEY_CPUS)
		p->cpus_line = p->line;
	if (id == CONFIG_KEY_CONSOLE)
		p->console_line = p->line;

	ret = config_set_key(p->cfg, p->part, (enum config_key)id, value.s,
			     value.n, p->err->message, sizeof(p->err->message));
	if (ret)
		p->err->line = p->line;
	return ret;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	size_t i;

	if (n > CONFIG_LINE_MAX)
		return fail(p, p->line, "line too long (max %d)",
			    CONFIG_LINE_MAX);
	/* Also catches binary input before anything tries to interpret it. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!c)
			return fail(p, p->line, "NUL byte in line");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(p, p->line, "invalid character 0x%02x", c);
	}

	for (i = 0; i < n && is_blank(s[i]); i++)
		;
	if (i == n || s[i] == '#')
		return 0;
	if (s[i] == '[')
		return parse_section(p, s + i, n - i);
	return parse_assignment(p, s + i, n - i);
}

int config_parse(const char *text, size_t len, struct plinth_config *cfg,
		 struct config_error *err)
{
	struct config_error scratch;
	struct parser p = { .cfg = cfg, .err = err ? err : &scratch };
	size_t pos = 0;
	int ret = 0;

	p.err->line = 0;
	p.err->message[0] = '\0';
	if (!cfg)
		return fail(&p, 0, "no config structure");
	config_defaults(cfg);
	if (!text && len)
		return fail(&p, 0, "no config text");

	if (len >= 3 && (unsigned char)text[0] == 0xef &&
	    (unsigned char)text[1] == 0xbb && (unsigned char)text[2] == 0xbf)
		pos = 3;

	while (pos < len && !ret) {
		size_t end, n;

		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		n = end - pos;
		if (n && text[end - 1] == '\r')
			n--;
		p.line++;
		ret = parse_line(&p, text + pos, n);
		pos = end + 1;
	}
	if (!ret)
		ret = finish_section(&p);
	if (!ret)
		ret = check_console(&p);
	if (!ret)
		ret = check_net(&p);
	if (ret)
		config_defaults(cfg);
	return ret;
}

int config_for_each_file(const struct plinth_config *cfg,
			 int (*fn)(void *ctx, const char *path), void *ctx)
{
	unsigned int i;
	int ret;

	if (!cfg || !fn)
		return -EINVAL;
	for (i = 0; i < cfg->partition_count && i < CONFIG_MAX_PARTITIONS; i++) {
		const struct partition_config *part = &cfg->partitions[i];
		const char *const paths[] = { part->kernel, part->initrd,
					      part->disk };
		size_t j;

		for (j = 0; j < ARRAY_SIZE(paths); j++) {
			if (!paths[j][0])
				continue;
			ret = fn(ctx, paths[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}
