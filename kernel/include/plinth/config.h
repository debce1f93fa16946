/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_CONFIG_H
#define PLINTH_CONFIG_H

/*
 * plinth.cfg parser, shared by the UEFI loader and the kernel. It never
 * allocates: everything lands in a caller-provided struct plinth_config.
 * The file format is described in tests/unit/CONFIG_REFERENCE.md.
 */
#include <plinth/types.h>
#include <plinth/log.h>

#define CONFIG_MAX_PARTITIONS 32
#define CONFIG_NAME_MAX 32
#define CONFIG_PATH_MAX 128
#define CONFIG_CMDLINE_MAX 512
/* Longest accepted line, excluding the line ending. */
#define CONFIG_LINE_MAX 1024
#define CONFIG_MAX_VCPUS 64
/* console = this: the serial console's input goes to no partition. */
#define CONFIG_CONSOLE_PLINTH "plinth"

enum partition_entry {
	ENTRY_LINUX,
	ENTRY_REALMODE,
	ENTRY_LONGMODE,
	ENTRY_MULTIBOOT,
};

/* What a guest crash (a triple fault) does to its partition. */
enum partition_on_crash {
	ON_CRASH_STOP,    /* stop it, with the reason logged (the default) */
	ON_CRASH_RESTART, /* reboot it, as a PC resets on a shutdown cycle */
};

struct partition_config {
	char name[CONFIG_NAME_MAX];
	uint64_t memory;		/* bytes, a multiple of 1 MiB */
	unsigned int vcpus;		/* 1..CONFIG_MAX_VCPUS */
	uint64_t cpu_mask;		/* pinned physical CPUs; 0 = unpinned */
	char kernel[CONFIG_PATH_MAX];
	char initrd[CONFIG_PATH_MAX];	/* "" when absent */
	char disk[CONFIG_PATH_MAX];	/* "" when absent: a virtio-blk disk image */
	bool disk_readonly;		/* readonly = 1: the guest's writes fail */
	/* The virtual switch its virtio-net NIC is a port on; "" for no NIC. */
	char net_switch[CONFIG_NAME_MAX];
	uint8_t mac[6];			/* the NIC's MAC if has_mac, else derived from name */
	bool has_mac;
	char cmdline[CONFIG_CMDLINE_MAX];
	enum partition_entry entry;
	uint64_t entry_addr;
	uint64_t time_limit_ms; /* 0: none; the partition is stopped after this long */
	uint64_t exit_port;     /* 0: none; else a port whose write ends the partition with a status */
	enum partition_on_crash on_crash;
	bool autostart;		/* autostart = no: created at boot, started on request */
	unsigned int line;		/* line of the [partition] header */
};

#define CONFIG_MAX_SWITCHES 8

/*
 * [switch NAME]: a virtual switch's own settings. A switch that partitions
 * name with `switch =` exists without a section; the section adds an uplink.
 */
struct switch_config {
	char name[CONFIG_NAME_MAX];
	char uplink[CONFIG_NAME_MAX];	/* a NIC Plinth drives ("eth0"); "" for none */
	unsigned int line;
};

/*
 * [net]: Plinth's own network interface (kernel/net/). Addresses are IPv4
 * in host byte order. With neither nic nor switch it uses the first NIC.
 */
struct net_config {
	bool present;			/* the file has a [net] section */
	char nic[CONFIG_NAME_MAX];	/* nic = eth0: directly on that NIC */
	char sw[CONFIG_NAME_MAX];	/* switch = lan0: a port on that switch (its uplink's network) */
	bool dhcp;			/* address = dhcp (the default) */
	uint32_t address, netmask;	/* address = 10.0.0.5/24 */
	uint32_t gateway;		/* gateway = 10.0.0.1; 0 for none */
	uint32_t dns;			/* dns = 10.0.0.1; 0 for none */
	unsigned int line;
};

/*
 * [agent]: the management agent (kernel/agent/), which dials out to its
 * controller over mutual TLS. Without the section there is no agent.
 */
#define CONFIG_AGENT_PORT 7443		/* controller = A.B.C.D without a port */
#define CONFIG_TOKEN_MAX 65		/* an enrolment token, [A-Za-z0-9_-]{1,64}, and its NUL */
#define CONFIG_HOST_ID_MAX 64		/* a host id, [a-z0-9-]{1,63}, and its NUL */
#define CONFIG_PIN_SIZE 32		/* ca_pin: a SHA-256, as 64 hex digits in the file */

struct agent_config {
	bool present;			/* the file has an [agent] section */
	uint32_t controller;		/* controller = 10.0.2.100:7443: IPv4, host byte order */
	uint16_t port;
	uint8_t ca_pin[CONFIG_PIN_SIZE];	/* SHA-256 of the controller CA's SPKI */
	char token[CONFIG_TOKEN_MAX];	/* "" for none: only a known key can re-enrol */
	char host_id[CONFIG_HOST_ID_MAX];	/* "" for the default, from the NIC's MAC */
	unsigned int line;
};

struct plinth_config {
	enum log_level log_level;
	bool selftest;
	bool test_exit;
	bool acpi_dump;
	uint16_t serial_port;
	uint32_t baud;
	/*
	 * The partition whose console input the serial console feeds at boot:
	 * "" for the first partition, "plinth" for none (vmm/core/console_router.c).
	 */
	char console[CONFIG_NAME_MAX];
	/*
	 * The partition that has the console shows its output raw (prompts,
	 * echoes, no prefix) instead of as "[name] line" log lines.
	 */
	bool console_raw;
	unsigned int partition_count;
	struct partition_config partitions[CONFIG_MAX_PARTITIONS];
	struct net_config net;
	unsigned int switch_count;
	struct switch_config switches[CONFIG_MAX_SWITCHES];
	struct agent_config agent;
};

struct config_error {
	unsigned int line;	/* 1-based; 0 when not tied to a line */
	char message[160];
};

/* log_level INFO, serial 0x3f8, baud 115200, everything else 0. */
void config_defaults(struct plinth_config *cfg);

/*
 * Parses len bytes of text (not NUL-terminated; CRLF and a UTF-8 BOM are
 * accepted). Returns 0, or -EINVAL with err filled in (err may be NULL);
 * on error cfg is reset to the defaults.
 */
int config_parse(const char *text, size_t len, struct plinth_config *cfg,
		 struct config_error *err);

/*
 * Calls fn for every non-empty file path (kernel, initrd, disk of every
 * partition) in order; stops at and returns the first nonzero return.
 * Returns 0 when all calls succeeded, -EINVAL for a NULL cfg or fn.
 */
int config_for_each_file(const struct plinth_config *cfg,
			 int (*fn)(void *ctx, const char *path), void *ctx);

/* "linux", "realmode", ...; "?" for values outside the enum. */
const char *config_entry_name(enum partition_entry entry);

/*
 * Single keys, as config_parse() applies them; exposed so that e.g. a
 * kernel command line can override one setting. [plinth] keys come first.
 */
enum config_key {
	CONFIG_KEY_LOG_LEVEL,
	CONFIG_KEY_SELFTEST,
	CONFIG_KEY_TEST_EXIT,
	CONFIG_KEY_ACPI_DUMP,
	CONFIG_KEY_SERIAL,
	CONFIG_KEY_BAUD,
	CONFIG_KEY_CONSOLE,
	CONFIG_KEY_CONSOLE_RAW,
	CONFIG_KEY_MEMORY,	/* first [partition] key */
	CONFIG_KEY_VCPUS,
	CONFIG_KEY_CPUS,
	CONFIG_KEY_KERNEL,
	CONFIG_KEY_INITRD,
	CONFIG_KEY_DISK,
	CONFIG_KEY_READONLY,
	CONFIG_KEY_SWITCH,
	CONFIG_KEY_MAC,
	CONFIG_KEY_CMDLINE,
	CONFIG_KEY_ENTRY,
	CONFIG_KEY_ENTRY_ADDR,
	CONFIG_KEY_TIME_LIMIT,
	CONFIG_KEY_EXIT_PORT,
	CONFIG_KEY_ON_CRASH,
	CONFIG_KEY_AUTOSTART,
	CONFIG_KEY_COUNT,
};

const char *config_key_name(enum config_key key);
/* A partition or switch name: 1 to CONFIG_NAME_MAX - 1 of A-Z a-z 0-9 _ -. */
bool config_name_ok(const char *s, size_t n);
/* Index of a [partition] (partition true) or [plinth] key, or -ENOENT. */
int config_key_lookup(bool partition, const char *key, size_t n);
/*
 * Parses value (n bytes, no terminator) into cfg, or into part for
 * [partition] keys (cfg may then be NULL). Returns 0 or -EINVAL with a
 * message in msg.
 */
int config_set_key(struct plinth_config *cfg, struct partition_config *part,
		   enum config_key key, const char *value, size_t n, char *msg,
		   size_t msg_size);

/*
 * Value parsers (kernel/config_values.c), exposed for the kernel command
 * line. Inputs are (pointer, length) without a terminator; they return 0,
 * -EINVAL for bad syntax or -ERANGE when the value does not fit.
 */
/* Decimal, or hexadecimal with a 0x prefix. */
int config_parse_u64(const char *s, size_t n, uint64_t *out);
/* A u64 with an optional K, M or G suffix (binary units, either case). */
int config_parse_size(const char *s, size_t n, uint64_t *out);
/* 0/1/yes/no/true/false/on/off. */
int config_parse_bool(const char *s, size_t n, bool *out);
/* Six hex octets separated by ':' (52:54:00:12:34:56); -EINVAL otherwise. */
int config_parse_mac(const char *s, size_t n, uint8_t mac[6]);
/* "1,2-3" into a bit mask; -EEXIST when a CPU appears twice. */
int config_parse_cpu_list(const char *s, size_t n, uint64_t *mask);
/* A dotted quad, four decimal octets without leading zeros (no octal guessing), host order. */
int config_parse_ipv4(const char *s, size_t n, uint32_t *out);
/* An address a host may have: not 0.x.x.x, loopback, multicast or reserved. */
bool config_ipv4_unicast(uint32_t a);

#endif
