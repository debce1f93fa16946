/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/config.h>
#include <plinth/errno.h>

static const char full_config[] =
	"# Plinth test configuration\n"
	"\n"
	"[plinth]\n"
	"log_level = debug          # error|warn|info|debug\n"
	"selftest = yes\n"
	"test_exit=on\n"
	"\tacpi_dump\t=\tfalse\n"
	"serial = 0x2f8\n"
	"baud = 38400\n"
	"\n"
	"[partition web0]\n"
	"memory = 256M\n"
	"vcpus = 3\n"
	"cpus = 1, 2-3\n"
	"kernel = \\boot\\vmlinuz\n"
	"initrd = \\boot\\initrd.img # trailing comment\n"
	"disk = \\disks\\web0.img\n"
	"readonly = yes\n"
	"switch = lan-0\n"
	"mac = 52:54:00:aB:cd:0f\n"
	"cmdline = \"console=ttyS0 root=/dev/vda # not a comment\"  # comment\n"
	"entry = linux\n"
	"\n"
	"[ partition  db-1_X ]  # spaces inside the brackets are fine\n"
	"memory = 1G\n"
	"kernel = \"\\boot\\my kernel.bin\"\n"
	"entry = longmode\n"
	"entry_addr = 0x100000\n"
	"time_limit = 2500\n"
	"exit_port = 0xf4\n"
	"on_crash = restart\n"
	"cmdline = a=\"x # y\" b#c\n"
	"\n"
	"[partition rm]\n"
	"kernel = \\rm.bin\n"
	"memory = 1048576\n"
	"cpus = 5-7\n"
	"entry = realmode\n"
	"[partition mb]\n"
	"memory=2048K\n"
	"kernel=\\mb.elf\n"
	"entry=multiboot\n"
	"initrd =\n"
	"cmdline = \"\"\n"
	"autostart = no\n";

static int parse(const char *text, struct plinth_config *cfg,
		 struct config_error *err)
{
	return config_parse(text, strlen(text), cfg, err);
}

static void test_full_config(void **state)
{
	static struct plinth_config cfg;
	struct config_error err;
	const struct partition_config *p;

	(void)state;
	assert_int_equal(parse(full_config, &cfg, &err), 0);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "");

	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_true(cfg.selftest);
	assert_true(cfg.test_exit);
	assert_false(cfg.acpi_dump);
	assert_int_equal(cfg.serial_port, 0x2f8);
	assert_int_equal(cfg.baud, 38400);
	assert_int_equal(cfg.partition_count, 4);

	p = &cfg.partitions[0];
	assert_string_equal(p->name, "web0");
	assert_int_equal(p->memory, 256ull << 20);
	assert_int_equal(p->vcpus, 3);
	assert_int_equal(p->cpu_mask, 0xe);
	assert_string_equal(p->kernel, "\\boot\\vmlinuz");
	assert_string_equal(p->initrd, "\\boot\\initrd.img");
	assert_string_equal(p->disk, "\\disks\\web0.img");
	assert_true(p->disk_readonly);
	assert_string_equal(p->net_switch, "lan-0");
	assert_true(p->has_mac);
	assert_memory_equal(p->mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0xab, 0xcd, 0x0f }), 6);
	assert_string_equal(p->cmdline,
			    "console=ttyS0 root=/dev/vda # not a comment");
	assert_int_equal(p->entry, ENTRY_LINUX);
	assert_int_equal(p->entry_addr, 0);
	assert_int_equal(p->time_limit_ms, 0);
	assert_int_equal(p->exit_port, 0);
	assert_int_equal(p->on_crash, ON_CRASH_STOP);
	/* Started at boot unless the section says otherwise. */
	assert_true(p->autostart);
	assert_int_equal(p->line, 11);

	p = &cfg.partitions[1];
	assert_string_equal(p->name, "db-1_X");
	assert_int_equal(p->memory, 1ull << 30);
	assert_int_equal(p->vcpus, 1);
	assert_int_equal(p->cpu_mask, 0);
	assert_string_equal(p->kernel, "\\boot\\my kernel.bin");
	assert_string_equal(p->initrd, "");
	assert_string_equal(p->disk, "");
	assert_false(p->disk_readonly);
	assert_string_equal(p->net_switch, "");
	assert_false(p->has_mac);
	assert_string_equal(p->cmdline, "a=\"x # y\" b#c");
	assert_int_equal(p->entry, ENTRY_LONGMODE);
	assert_int_equal(p->entry_addr, 0x100000);
	assert_int_equal(p->time_limit_ms, 2500);
	assert_int_equal(p->exit_port, 0xf4);
	assert_int_equal(p->on_crash, ON_CRASH_RESTART);
	assert_int_equal(p->line, 24);

	p = &cfg.partitions[2];
	assert_string_equal(p->name, "rm");
	assert_int_equal(p->memory, 1ull << 20);
	/* vcpus follows the pinning list when not given. */
	assert_int_equal(p->vcpus, 3);
	assert_int_equal(p->cpu_mask, 0xe0);
	assert_int_equal(p->entry, ENTRY_REALMODE);
	assert_int_equal(p->line, 34);

	p = &cfg.partitions[3];
	assert_string_equal(p->name, "mb");
	assert_int_equal(p->memory, 2ull << 20);
	assert_int_equal(p->entry, ENTRY_MULTIBOOT);
	assert_string_equal(p->initrd, "");
	assert_string_equal(p->cmdline, "");
	assert_false(p->autostart);
	assert_int_equal(p->line, 39);
}

static void test_defaults(void **state)
{
	struct plinth_config cfg;
	struct config_error err;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.serial_port, 0x3f8);
	assert_int_equal(cfg.baud, 115200);
	assert_false(cfg.selftest);
	assert_false(cfg.test_exit);
	assert_false(cfg.acpi_dump);
	assert_int_equal(cfg.partition_count, 0);
	assert_int_equal(cfg.partitions[15].memory, 0);

	/* Empty input, NULL with zero length, and a bare [plinth]. */
	memset(&cfg, 0xa5, sizeof(cfg));
	assert_int_equal(config_parse("", 0, &cfg, &err), 0);
	assert_int_equal(cfg.baud, 115200);
	assert_int_equal(cfg.partition_count, 0);
	assert_int_equal(config_parse(NULL, 0, &cfg, &err), 0);
	assert_int_equal(parse("[plinth]\n", &cfg, NULL), 0);
	assert_int_equal(config_parse(NULL, 5, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 0);
	assert_int_equal(config_parse("x", 1, NULL, &err), -EINVAL);
}

static void test_line_endings_bom_and_len(void **state)
{
	static const char crlf[] = "\xef\xbb\xbf[plinth]\r\nlog_level = warn\r\n"
				   "[partition a]\r\nmemory=4M\r\nkernel=\\k\r\n"
				   "cmdline = \"x y\"\r\n";
	static const char tail[] = "[plinth]\nbaud = 9600\nbaud = garbage";
	struct plinth_config cfg;
	struct config_error err;

	(void)state;
	assert_int_equal(parse(crlf, &cfg, &err), 0);
	assert_int_equal(cfg.log_level, LOG_WARN);
	assert_string_equal(cfg.partitions[0].kernel, "\\k");
	assert_string_equal(cfg.partitions[0].cmdline, "x y");

	/* len, not a terminator, bounds the text: the bad line is cut off. */
	assert_int_equal(config_parse(tail, 21, &cfg, &err), 0);
	assert_int_equal(cfg.baud, 9600);
	assert_int_equal(config_parse(tail, sizeof(tail) - 1, &cfg, &err),
			 -EINVAL);
	assert_int_equal(err.line, 3);
	/* Last line without a newline, value ending exactly at len. */
	assert_int_equal(config_parse("[plinth]\nbaud=1200", 18, &cfg, &err), 0);
	assert_int_equal(cfg.baud, 1200);
	assert_int_equal(config_parse("[plinth]\nbaud=1200", 16, &cfg, &err), 0);
	assert_int_equal(cfg.baud, 12);
}

/* An [agent] section with its required keys, for the cases about the others. */
#define PIN "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"
#define AG "[agent]\ncontroller = 10.0.2.100:7443\nca_pin = " PIN "\n"

struct bad_case {
	const char *text;
	unsigned int line;
	const char *message;
};

#define P "[partition web0]\nmemory = 256M\nkernel = \\k\n"

static const struct bad_case bad_cases[] = {
	{ "[partition web0]\nmemroy = 256M\n", 2,
	  "unknown key 'memroy' in [partition web0]" },
	{ "[plinth]\nloglevel = info\n", 2, "unknown key 'loglevel' in [plinth]" },
	{ "[plinth]\nLog_Level = info\n", 2, "unknown key 'Log_Level' in [plinth]" },
	{ P "memory = 512M\n", 4, "duplicate key 'memory'" },
	{ "[plinth]\nselftest=1\nselftest=0\n", 3, "duplicate key 'selftest'" },
	{ "[partition web0]\nmemory = 12Q\n", 2, "bad size '12Q' for 'memory'" },
	{ "[partition web0]\nmemory = 99999999999G\n", 2,
	  "size '99999999999G' too large for 'memory'" },
	{ "[partition web0]\nmemory = 99999999999999999999999\n", 2,
	  "too large for 'memory'" },
	{ "[partition web0]\nmemory = 0\n", 2, "memory must not be 0" },
	{ "[partition web0]\nmemory = 1000K\n", 2,
	  "memory '1000K' is not a multiple of 1M" },
	{ "[partition web0]\nmemory = M\n", 2, "bad size 'M' for 'memory'" },
	{ "[partition web0]\nmemory = -1M\n", 2, "bad size '-1M'" },
	{ P "[partition web0]\n", 4, "partition 'web0' defined twice" },
	{ "memory = 1M\n", 1, "key outside any section" },
	{ "# c\n\n  log_level = info\n[plinth]\n", 3, "key outside any section" },
	{ "[partition web0]\nkernel = \\k\n\n[plinth]\n", 1,
	  "missing required key 'memory' in [partition web0]" },
	{ "[plinth]\n[partition a]\nmemory = 1M\n", 2,
	  "missing required key 'kernel' in [partition a]" },
	{ P "cmdline = \"abc\n", 4, "unterminated quote" },
	{ P "cmdline = a=\"b # c\n", 4, "unterminated quote" },
	{ P "cmdline = \"abc\" def\n", 4, "unexpected text after closing quote" },
	{ "[plinth]\n[partition]\n", 2, "missing name in [partition] header" },
	{ "[partition web/0]\n", 1, "bad partition name 'web/0'" },
	{ "[partition 0123456789012345678901234567890123]\n", 1,
	  "bad partition name" },
	{ "[partition a b]\n", 1, "bad partition name 'a b'" },
	{ "[global]\n", 1, "unknown section '[global]'" },
	{ "[Plinth]\n", 1, "unknown section '[Plinth]'" },
	{ "[plinth\nlog_level=info\n", 1, "missing ']' in section header" },
	{ "[plinth] x\n", 1, "unexpected text after section header" },
	{ "[plinth]\n[plinth]\n", 2, "section [plinth] defined twice" },
	{ "[plinth]\nlog_level = verbose\n", 2,
	  "bad log_level 'verbose' (expected error|warn|info|debug)" },
	{ "[plinth]\nlog_level = INFO\n", 2, "bad log_level 'INFO'" },
	{ "[plinth]\nselftest = maybe\n", 2, "bad boolean 'maybe' for 'selftest'" },
	{ "[plinth]\ntest_exit = 2\n", 2, "bad boolean '2' for 'test_exit'" },
	{ "[plinth]\nacpi_dump =\n", 2, "missing value for 'acpi_dump'" },
	{ "[plinth]\nserial = 0x10000\n", 2,
	  "value '0x10000' out of range for 'serial' (1..65535)" },
	{ "[plinth]\nserial = 0x\n", 2, "bad number '0x' for 'serial'" },
	{ "[plinth]\nserial = 3f8\n", 2, "bad number '3f8' for 'serial'" },
	{ "[plinth]\nbaud = 9601\n", 2, "baud 9601 does not divide 115200" },
	{ "[plinth]\nbaud = 230400\n", 2, "out of range for 'baud'" },
	{ "[plinth]\nbaud = 0\n", 2, "out of range for 'baud'" },
	{ P "vcpus = 0\n", 4, "value '0' out of range for 'vcpus' (1..64)" },
	{ P "vcpus = 65\n", 4, "out of range for 'vcpus'" },
	{ P "vcpus = two\n", 4, "bad number 'two' for 'vcpus'" },
	{ P "vcpus = 2\ncpus = 1,2,3\n", 5, "cpus lists 3 CPUs but vcpus = 2" },
	{ P "cpus = 0-3\nvcpus = 2\n\n[plinth]\n", 4,
	  "cpus lists 4 CPUs but vcpus = 2" },
	{ P "cpus = 1,64\n", 4, "CPU index out of range in '1,64' (max 63)" },
	{ P "cpus = 1-3,2\n", 4, "CPU listed twice in '1-3,2'" },
	{ P "cpus = 3-1\n", 4, "bad CPU list '3-1' for 'cpus'" },
	{ P "cpus = 1,\n", 4, "bad CPU list '1,' for 'cpus'" },
	{ P "cpus = 1-\n", 4, "bad CPU list" },
	{ P "entry = bzimage\n", 4,
	  "bad entry 'bzimage' (expected linux|realmode|longmode|multiboot)" },
	{ P "entry_addr = 0x1ffffffffffffffff\n", 4,
	  "out of range for 'entry_addr'" },
	{ P "entry_addr = 12z\n", 4, "bad number '12z' for 'entry_addr'" },
	{ P "time_limit = 0\n", 4, "value '0' out of range for 'time_limit' (1..86400000)" },
	{ P "time_limit = 86400001\n", 4, "out of range for 'time_limit'" },
	{ P "exit_port = 0\n", 4, "value '0' out of range for 'exit_port' (1..65535)" },
	{ P "exit_port = 0x10000\n", 4, "out of range for 'exit_port'" },
	{ P "on_crash = reboot\n", 4, "bad on_crash 'reboot' (expected stop|restart)" },
	{ P "on_crash =\n", 4, "missing value for 'on_crash'" },
	{ P "autostart = later\n", 4, "bad boolean 'later' for 'autostart'" },
	{ P "autostart =\n", 4, "missing value for 'autostart'" },
	{ "[partition web0]\nkernel =  # nothing\n", 2, "missing value for 'kernel'" },
	{ "[partition web0]\nkernel = \"\"\n", 2, "missing value for 'kernel'" },
	{ P "disk = \"\\a\\b\n", 4, "unterminated quote" },
	{ P "readonly = 1\n", 1, "readonly = 1 but no disk in [partition web0]" },
	{ P "readonly = maybe\n", 4, "bad boolean 'maybe' for 'readonly'" },
	{ P "switch = lan0\nmac = 01:00:5e:00:00:01\n", 5,
	  "MAC address '01:00:5e:00:00:01' is multicast" },
	{ P "switch = lan0\nmac = 52:54:00:12:34\n", 5, "bad MAC address '52:54:00:12:34'" },
	{ P "switch = lan0\nmac = 52-54-00-12-34-56\n", 5, "bad MAC address" },
	{ P "switch = lan0\nmac = 52:54:00:12:34:5g\n", 5, "bad MAC address" },
	{ P "switch = lan0\nmac = 00:00:00:00:00:00\n", 5, "not an address" },
	{ P "mac = 52:54:00:12:34:56\n", 1, "mac given but no switch in [partition web0]" },
	{ P "switch = lan/0\n", 4, "bad switch name 'lan/0'" },
	{ P "vcpus 2\n", 4, "expected '=' after 'vcpus'" },
	{ P "= 2\n", 4, "missing key before '='" },
	{ "[plinth]\nlog_level = info\x01\n", 2, "invalid character 0x01" },
	{ "[plinth]\nlog_level = in\rfo\n", 2, "invalid character 0x0d" },
	{ "[plinth]\n\x7f\n", 2, "invalid character 0x7f" },
	{ "[net]\nnic = eth0\nswitch = lan0\n", 3, "[net] has both nic and switch" },
	{ "[net]\nswitch = lan0\n\n[plinth]\nnic = eth0\n", 5, "unknown key 'nic' in [plinth]" },
	{ "[net]\nnic = eth0\n[net]\n", 3, "section [net] defined twice" },
	{ "[net] x\n", 1, "unexpected text after section header" },
	{ "[net]\nnic = eth/0\n", 2, "bad name 'eth/0' for 'nic'" },
	{ "[net]\nnic = eth0\nnic = eth1\n", 3, "duplicate key 'nic'" },
	{ "[net]\nnic =\n", 2, "missing value for 'nic'" },
	{ "[net]\nmtu = 9000\n", 2, "unknown key 'mtu' in [net]" },
	{ "[net]\naddress = 10.0.0.5\n", 2,
	  "static address '10.0.0.5' needs a prefix length (e.g. 10.0.0.5/24)" },
	{ "[net]\naddress = 10.0.0.5/33\n", 2, "bad prefix length '33' in '10.0.0.5/33' (1..32)" },
	{ "[net]\naddress = 10.0.0.5/0\n", 2, "bad prefix length '0'" },
	{ "[net]\naddress = 10.0.0.5/\n", 2, "bad prefix length ''" },
	{ "[net]\naddress = 10.0.0.256/24\n", 2, "bad IPv4 address '10.0.0.256' for 'address'" },
	{ "[net]\naddress = 10.0.0/24\n", 2, "bad IPv4 address '10.0.0'" },
	{ "[net]\naddress = 10.0.0.5.1/24\n", 2, "bad IPv4 address" },
	{ "[net]\naddress = 10.0.0.05/24\n", 2, "bad IPv4 address '10.0.0.05'" },
	{ "[net]\naddress = 10..0.5/24\n", 2, "bad IPv4 address" },
	{ "[net]\naddress = DHCP\n", 2, "bad IPv4 address 'DHCP'" },
	{ "[net]\naddress = 127.0.0.1/8\n", 2, "'127.0.0.1' for 'address' is not a unicast" },
	{ "[net]\naddress = 224.0.0.1/24\n", 2, "is not a unicast address" },
	{ "[net]\naddress = 0.1.2.3/8\n", 2, "is not a unicast address" },
	{ "[net]\naddress = 10.0.0.0/24\n", 2, "is the subnet's network address" },
	{ "[net]\naddress = 10.0.0.255/24\n", 2, "is the subnet's broadcast address" },
	{ "[net]\naddress = 10.0.0.5/24\ngateway = 10.0.1.1\n", 3,
	  "gateway 10.0.1.1 is outside 10.0.0.5/24" },
	{ "[net]\naddress = 10.0.0.5/24\ngateway = 10.0.0.5\n", 3, "is the address itself" },
	{ "[net]\naddress = 10.0.0.5/24\ngateway = 10.0.0\n", 3,
	  "bad IPv4 address '10.0.0' for 'gateway'" },
	{ "[net]\ngateway = 10.0.0.1\n", 2, "'gateway' needs a static address" },
	{ "[net]\naddress = dhcp\ndns = 10.0.0.1\n", 3, "'dns' needs a static address" },
	{ "[net]\naddress = 10.0.0.5/24\ndns = 255.255.255.255\n", 3,
	  "for 'dns' is not a unicast" },
	{ "[net]\nswitch = lan0\n", 2, "switch 'lan0' names no switch" },
	{ "[switch lan0]\nuplink = eth0\n[net]\nnic = eth0\n", 4,
	  "nic eth0 is the uplink of [switch lan0] (use switch = lan0)" },
	{ "[switch]\n", 1, "missing name in [switch] header" },
	{ "[switch lan/0]\n", 1, "bad switch name 'lan/0'" },
	{ "[switch lan0]\nuplink = eth0\n[switch lan0]\nuplink = eth1\n", 3,
	  "switch 'lan0' defined twice" },
	{ "[switch lan0]\n[plinth]\n", 1, "missing required key 'uplink' in [switch lan0]" },
	{ "[switch lan0]\nuplink = eth0\nuplink = eth1\n", 3, "duplicate key 'uplink'" },
	{ "[switch lan0]\nuplink =\n", 2, "missing value for 'uplink'" },
	{ "[switch lan0]\nport = 1\n", 2, "unknown key 'port' in [switch lan0]" },
	{ "[switch a]\nuplink = eth0\n[switch b]\nuplink = eth0\n", 3,
	  "uplink eth0 of [switch b] is already the uplink of [switch a]" },
	{ "[switch s0]\nuplink=e0\n[switch s1]\nuplink=e1\n[switch s2]\nuplink=e2\n"
	  "[switch s3]\nuplink=e3\n[switch s4]\nuplink=e4\n[switch s5]\nuplink=e5\n"
	  "[switch s6]\nuplink=e6\n[switch s7]\nuplink=e7\n[switch s8]\n", 17,
	  "too many switches (max 8)" },
	{ "[agent]\nca_pin = " PIN "\n", 1, "missing required key 'controller' in [agent]" },
	{ "[agent]\ncontroller = 10.0.2.100:7443\n[plinth]\n", 1,
	  "missing required key 'ca_pin' in [agent]" },
	{ AG "[agent]\n", 4, "section [agent] defined twice" },
	{ "[agent] x\n", 1, "unexpected text after section header" },
	{ AG "port = 7443\n", 4, "unknown key 'port' in [agent]" },
	{ AG "controller = 10.0.2.2:7443\n", 4, "duplicate key 'controller'" },
	{ AG "token =\n", 4, "missing value for 'token'" },
	{ "[agent]\ncontroller = 10.0.2\n", 2, "bad IPv4 address '10.0.2' for 'controller'" },
	{ "[agent]\ncontroller = controller.lan:7443\n", 2,
	  "bad IPv4 address 'controller.lan' for 'controller'" },
	{ "[agent]\ncontroller = 127.0.0.1:7443\n", 2,
	  "'127.0.0.1' for 'controller' is not a unicast address" },
	{ "[agent]\ncontroller = 10.0.2.100:0\n", 2, "bad port '0' for 'controller' (1..65535)" },
	{ "[agent]\ncontroller = 10.0.2.100:65536\n", 2, "bad port '65536' for 'controller'" },
	{ "[agent]\ncontroller = 10.0.2.100:\n", 2, "bad port '' for 'controller'" },
	{ "[agent]\ncontroller = 10.0.2.100:+1\n", 2, "bad port '+1' for 'controller'" },
	{ "[agent]\ncontroller = 10.0.2.100:0x1d1b\n", 2, "bad port '0x1d1b' for 'controller'" },
	{ "[agent]\nca_pin = abcd\n", 2, "'ca_pin' has 4 characters, not 64" },
	{ "[agent]\nca_pin = " PIN "0\n", 2, "'ca_pin' has 65 characters, not 64" },
	{ "[agent]\nca_pin = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n",
	  2, "'ca_pin' has a non-hex character at position 64" },
	{ AG "token = abc.def\n", 4, "'token' has a bad character at position 4" },
	{ AG "token = 0123456789012345678901234567890123456789012345678901234567890123x\n", 4,
	  "'token' is 65 characters long (max 64)" },
	{ AG "host_id = Host-1\n", 4, "bad host id 'Host-1' for 'host_id' (1-63 of a-z 0-9 -)" },
	{ AG "host_id = h_1\n", 4, "bad host id 'h_1' for 'host_id'" },
	{ AG "host_id = 0123456789012345678901234567890123456789012345678901234567890123\n", 4,
	  "bad host id" },
};

static void test_bad_inputs(void **state)
{
	static struct plinth_config cfg;
	struct config_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		int ret;

		memset(&err, 0x5a, sizeof(err));
		ret = parse(bc->text, &cfg, &err);
		if (ret != -EINVAL || err.line != bc->line ||
		    !strstr(err.message, bc->message)) {
			print_error("case %zu: ret %d line %u \"%s\", want line %u \"%s\"\n",
				    i, ret, err.line, err.message, bc->line,
				    bc->message);
			fail();
		}
		/* A failed parse leaves nothing half-applied behind. */
		assert_int_equal(cfg.partition_count, 0);
		assert_int_equal(cfg.baud, 115200);
		assert_int_equal(cfg.log_level, LOG_INFO);
		assert_false(cfg.net.present);
		assert_int_equal(cfg.switch_count, 0);
		assert_false(cfg.agent.present);
	}
}

static void test_agent_section(void **state)
{
	static const uint8_t want_pin[CONFIG_PIN_SIZE] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45,
		0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
		0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	static struct plinth_config cfg;
	struct config_error err;

	(void)state;
	assert_int_equal(parse("[plinth]\n", &cfg, &err), 0);
	assert_false(cfg.agent.present);

	/* The required keys only: no token (re-enrolment of a known key), the default host id. */
	assert_int_equal(parse("[plinth]\n" AG, &cfg, &err), 0);
	assert_true(cfg.agent.present);
	assert_int_equal(cfg.agent.line, 2);
	assert_int_equal(cfg.agent.controller, 0x0a000264);
	assert_int_equal(cfg.agent.port, 7443);
	assert_memory_equal(cfg.agent.ca_pin, want_pin, sizeof(want_pin));
	assert_string_equal(cfg.agent.token, "");
	assert_string_equal(cfg.agent.host_id, "");

	/* Every key, in any order; no port means the contract's default. */
	assert_int_equal(parse("[agent]\nhost_id = rack4-node-17\ntoken = Ab_-09zZ\n"
			       "ca_pin = " PIN "\ncontroller = 192.168.1.2 # the controller\n"
			       "[net]\n", &cfg, &err), 0);
	assert_int_equal(cfg.agent.controller, 0xc0a80102);
	assert_int_equal(cfg.agent.port, CONFIG_AGENT_PORT);
	assert_string_equal(cfg.agent.token, "Ab_-09zZ");
	assert_string_equal(cfg.agent.host_id, "rack4-node-17");
	assert_true(cfg.net.present);

	/* The bounds: a 64-character token, a 63-character host id, ports 1 and 65535. */
	assert_int_equal(parse(AG "token = 0123456789012345678901234567890123456789012345678901"
			       "234567890123\nhost_id = 012345678901234567890123456789012345678901"
			       "234567890123456789012\n", &cfg, &err), 0);
	assert_int_equal(strlen(cfg.agent.token), 64);
	assert_int_equal(strlen(cfg.agent.host_id), 63);
	assert_int_equal(parse("[agent]\ncontroller = 10.0.0.1:1\nca_pin = " PIN "\n", &cfg, &err),
			 0);
	assert_int_equal(cfg.agent.port, 1);
	assert_int_equal(parse("[agent]\ncontroller = 10.0.0.1:65535\nca_pin = " PIN "\n", &cfg,
			       &err), 0);
	assert_int_equal(cfg.agent.port, 65535);
}

static void test_net_sections(void **state)
{
	static struct plinth_config cfg;
	struct config_error err;

	(void)state;
	/* No [net]: not present; the stack then takes the first NIC and asks DHCP. */
	assert_int_equal(parse("[plinth]\n", &cfg, &err), 0);
	assert_false(cfg.net.present);
	assert_int_equal(cfg.switch_count, 0);

	/* An empty [net] means DHCP on the first NIC. */
	assert_int_equal(parse("[net]\n", &cfg, &err), 0);
	assert_true(cfg.net.present);
	assert_true(cfg.net.dhcp);
	assert_string_equal(cfg.net.nic, "");
	assert_string_equal(cfg.net.sw, "");
	assert_int_equal(cfg.net.line, 1);

	/* Keys in any order: the gateway check waits for the section's end. */
	assert_int_equal(parse("[plinth]\n[net]  # management\ngateway = 192.168.1.1\n"
			       "nic = eth1\naddress = 192.168.1.20/24\ndns = 9.9.9.9\n",
			       &cfg, &err), 0);
	assert_true(cfg.net.present);
	assert_false(cfg.net.dhcp);
	assert_string_equal(cfg.net.nic, "eth1");
	assert_int_equal(cfg.net.address, 0xc0a80114);
	assert_int_equal(cfg.net.netmask, 0xffffff00);
	assert_int_equal(cfg.net.gateway, 0xc0a80101);
	assert_int_equal(cfg.net.dns, 0x09090909);
	assert_int_equal(cfg.net.line, 2);

	assert_int_equal(parse("[net]\naddress = dhcp\n", &cfg, &err), 0);
	assert_true(cfg.net.dhcp);
	assert_int_equal(cfg.net.address, 0);

	/* Prefix lengths at the edges; /31 and /32 have no network or broadcast address. */
	assert_int_equal(parse("[net]\naddress = 10.0.0.0/31\n", &cfg, &err), 0);
	assert_int_equal(cfg.net.netmask, 0xfffffffe);
	assert_int_equal(parse("[net]\naddress = 10.1.2.3/32\n", &cfg, &err), 0);
	assert_int_equal(cfg.net.netmask, 0xffffffff);
	assert_int_equal(parse("[net]\naddress = 10.1.2.3/1\ngateway = 1.2.3.4\n", &cfg, &err), 0);
	assert_int_equal(cfg.net.netmask, 0x80000000);
	assert_int_equal(cfg.net.gateway, 0x01020304);
	assert_int_equal(parse("[net]\naddress = 0x0a000005/24\n", &cfg, &err), -EINVAL);

	/* Plinth on a switch: declared by [switch] (before or after) or by a partition on it. */
	assert_int_equal(parse("[net]\nswitch = lan0\n[switch lan0]\nuplink = eth0\n"
			       "[switch dmz]\nuplink = eth1\n", &cfg, &err), 0);
	assert_string_equal(cfg.net.sw, "lan0");
	assert_int_equal(cfg.switch_count, 2);
	assert_string_equal(cfg.switches[0].name, "lan0");
	assert_string_equal(cfg.switches[0].uplink, "eth0");
	assert_int_equal(cfg.switches[0].line, 3);
	assert_string_equal(cfg.switches[1].name, "dmz");
	assert_string_equal(cfg.switches[1].uplink, "eth1");
	assert_int_equal(parse("[net]\nswitch = lan0\n"
			       "[partition web0]\nmemory = 64M\nkernel = \\k\nswitch = lan0\n",
			       &cfg, &err), 0);
	assert_string_equal(cfg.net.sw, "lan0");
	assert_int_equal(cfg.switch_count, 0);
	/* nic names a NIC that no switch uses. */
	assert_int_equal(parse("[switch lan0]\nuplink = eth0\n[net]\nnic = eth1\n", &cfg, &err),
			 0);
	assert_string_equal(cfg.net.nic, "eth1");
}

/* console = a partition named anywhere in the file, or plinth; nothing else. */
static void test_console_key(void **state)
{
	static struct plinth_config cfg;
	struct config_error err;

	(void)state;
	assert_int_equal(parse("[partition a]\nmemory=1M\nkernel=k\n", &cfg, &err), 0);
	assert_string_equal(cfg.console, "");
	assert_int_equal(parse("[plinth]\nconsole = b\n[partition a]\nmemory=1M\nkernel=k\n"
			       "[partition b]\nmemory=1M\nkernel=k\n", &cfg, &err), 0);
	assert_string_equal(cfg.console, "b");
	assert_int_equal(parse("[plinth]\nconsole = plinth\n", &cfg, &err), 0);
	assert_string_equal(cfg.console, CONFIG_CONSOLE_PLINTH);
	assert_int_equal(parse("[plinth]\nlog_level=info\nconsole = c\n[partition a]\n"
			       "memory=1M\nkernel=k\n", &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.message, "console 'c' names no partition"));
	assert_string_equal(cfg.console, "");
	assert_int_equal(parse("[plinth]\nconsole =\n", &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(parse("[partition a]\nmemory=1M\nkernel=k\nconsole=a\n", &cfg, &err),
			 -EINVAL);
	assert_non_null(strstr(err.message, "unknown key 'console' in [partition a]"));
	assert_false(cfg.console_raw);
	assert_int_equal(parse("[plinth]\nconsole_raw = 1\n", &cfg, &err), 0);
	assert_true(cfg.console_raw);
	assert_int_equal(parse("[plinth]\nconsole_raw = maybe\n", &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 2);
}

static void test_value_too_long(void **state)
{
	static struct plinth_config cfg;
	static char text[2048];
	struct config_error err;
	char value[600];
	int n;

	(void)state;
	memset(value, 'c', sizeof(value));
	n = sprintf(text, P "cmdline = %.511s\n", value);
	assert_int_equal(config_parse(text, (size_t)n, &cfg, &err), 0);
	assert_int_equal(strlen(cfg.partitions[0].cmdline), 511);

	n = sprintf(text, P "cmdline = \"%.512s\"\n", value);
	assert_int_equal(config_parse(text, (size_t)n, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.message, "value too long for 'cmdline' (max 511)");

	n = sprintf(text, "[partition a]\nmemory=1M\nkernel = %.128s\n", value);
	assert_int_equal(config_parse(text, (size_t)n, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.message, "value too long for 'kernel' (max 127)");

	n = sprintf(text, "[partition a]\nmemory=1M\nkernel = %.127s\n", value);
	assert_int_equal(config_parse(text, (size_t)n, &cfg, &err), 0);

	/* 1025 characters before the newline. */
	memset(text, '#', 1025);
	memcpy(text + 1025, "\n", 1);
	assert_int_equal(config_parse(text, 1026, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.message, "line too long (max 1024)");
	assert_int_equal(config_parse(text + 1, 1025, &cfg, &err), 0);
}

static void test_too_many_partitions(void **state)
{
	static struct plinth_config cfg;
	static char text[8192];
	struct config_error err;
	char last[64];
	size_t n = 0;

	(void)state;
	for (int i = 0; i <= CONFIG_MAX_PARTITIONS; i++)
		n += (size_t)sprintf(text + n,
				     "[partition p%d]\nmemory=1M\nkernel=\\k%d\n",
				     i, i);
	snprintf(last, sizeof(last), "[partition p%d]\nmemory=1M\nkernel=\\k%d\n",
		 CONFIG_MAX_PARTITIONS, CONFIG_MAX_PARTITIONS);
	/* CONFIG_MAX_PARTITIONS are fine ... */
	assert_int_equal(config_parse(text, n - strlen(last), &cfg, &err), 0);
	assert_int_equal(cfg.partition_count, CONFIG_MAX_PARTITIONS);
	assert_int_equal(CONFIG_MAX_PARTITIONS, 32);
	assert_string_equal(cfg.partitions[31].name, "p31");
	/* ... one more is not. */
	assert_int_equal(config_parse(text, n, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, CONFIG_MAX_PARTITIONS * 3 + 1);
	assert_string_equal(err.message, "too many partitions (max 32)");
}

static void test_nul_and_binary(void **state)
{
	static const char nul[] = "[plinth]\nlog_level = i\0nfo\n";
	static struct plinth_config cfg;
	struct config_error err;

	(void)state;
	assert_int_equal(config_parse(nul, sizeof(nul) - 1, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message, "NUL byte in line");
	/* NULL err is allowed. */
	assert_int_equal(config_parse(nul, sizeof(nul) - 1, &cfg, NULL), -EINVAL);
	/* A BOM alone is an empty file; a broken BOM is not. */
	assert_int_equal(config_parse("\xef\xbb\xbf", 3, &cfg, &err), 0);
	assert_int_equal(config_parse("\xef\xbb", 2, &cfg, &err), -EINVAL);
	assert_int_equal(err.line, 1);
}

struct collect {
	char paths[8][CONFIG_PATH_MAX];
	int count;
	int stop_at;
};

static int collect_path(void *ctx, const char *path)
{
	struct collect *c = ctx;

	if (c->count == c->stop_at)
		return -ENOENT;
	strcpy(c->paths[c->count++], path);
	return 0;
}

static void test_for_each_file(void **state)
{
	static struct plinth_config cfg;
	struct collect c = { .stop_at = -1 };

	(void)state;
	assert_int_equal(parse(full_config, &cfg, NULL), 0);
	assert_int_equal(config_for_each_file(&cfg, collect_path, &c), 0);
	assert_int_equal(c.count, 6);
	assert_string_equal(c.paths[0], "\\boot\\vmlinuz");
	assert_string_equal(c.paths[1], "\\boot\\initrd.img");
	assert_string_equal(c.paths[2], "\\disks\\web0.img");
	assert_string_equal(c.paths[3], "\\boot\\my kernel.bin");
	assert_string_equal(c.paths[4], "\\rm.bin");
	assert_string_equal(c.paths[5], "\\mb.elf");

	memset(&c, 0, sizeof(c));
	c.stop_at = 2;
	assert_int_equal(config_for_each_file(&cfg, collect_path, &c), -ENOENT);
	assert_int_equal(c.count, 2);

	assert_int_equal(config_for_each_file(&cfg, NULL, &c), -EINVAL);
	assert_int_equal(config_for_each_file(NULL, collect_path, &c), -EINVAL);
}

static void test_value_parsers(void **state)
{
	uint64_t v, mask;
	bool b;

	(void)state;
	assert_int_equal(config_parse_u64("18446744073709551615", 20, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(config_parse_u64("18446744073709551616", 20, &v), -ERANGE);
	assert_int_equal(config_parse_u64("0xFFFFffffFFFFffff", 18, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(config_parse_u64("0x10000000000000000", 19, &v), -ERANGE);
	assert_int_equal(config_parse_u64("", 0, &v), -EINVAL);
	assert_int_equal(config_parse_u64("+1", 2, &v), -EINVAL);
	assert_int_equal(config_parse_u64("1 ", 2, &v), -EINVAL);
	assert_int_equal(config_parse_size("16G", 3, &v), 0);
	assert_int_equal(v, 16ull << 30);
	assert_int_equal(config_parse_size("3k", 2, &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(config_parse_size("17179869184G", 12, &v), -ERANGE);
	assert_int_equal(config_parse_size("17179869183G", 12, &v), 0);
	assert_int_equal(config_parse_bool("off", 3, &b), 0);
	assert_false(b);
	assert_int_equal(config_parse_bool("TRUE", 4, &b), -EINVAL);
	assert_int_equal(config_parse_bool("tru", 3, &b), -EINVAL);
	assert_int_equal(config_parse_cpu_list("0-63", 4, &mask), 0);
	assert_true(mask == UINT64_MAX);
	assert_int_equal(config_parse_cpu_list(" 4 - 5 , 63", 11, &mask), 0);
	assert_true(mask == (0x30ull | 1ull << 63));
	assert_int_equal(config_parse_cpu_list("", 0, &mask), -EINVAL);
	assert_int_equal(config_parse_cpu_list("1,,2", 4, &mask), -EINVAL);
	assert_int_equal(config_parse_cpu_list("1-2-3", 5, &mask), -EINVAL);
	assert_int_equal(config_key_lookup(true, "memory", 6), CONFIG_KEY_MEMORY);
	assert_int_equal(config_key_lookup(false, "memory", 6), -ENOENT);
	assert_int_equal(config_key_lookup(false, "baud", 4), CONFIG_KEY_BAUD);
	assert_int_equal(config_key_lookup(false, "bau", 3), -ENOENT);
	assert_string_equal(config_key_name(CONFIG_KEY_ENTRY_ADDR), "entry_addr");
	assert_string_equal(config_entry_name(ENTRY_MULTIBOOT), "multiboot");
	assert_string_equal(config_entry_name((enum partition_entry)7), "?");
}

static uint32_t rng_state = 0x12345678;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * Random and mutated inputs must never crash or trip the sanitizers; each
 * buffer is a separate heap block so ASan catches any read past len.
 */
static void test_fuzz(void **state)
{
	static const char alphabet[] = "[]=#\" \t\r\n,-0123456789xKMGabcdeilmnoprstuvwy\\_";
	static struct plinth_config cfg;
	size_t base_len = strlen(full_config);
	struct config_error err;
	int ok = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rng() % 1400;
		char *buf;
		int ret, mode = iter % 3;

		if (mode == 2)
			len = base_len;
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		if (mode == 0) {
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)rng();
		} else if (mode == 1) {
			for (size_t i = 0; i < len; i++)
				buf[i] = alphabet[rng() % (sizeof(alphabet) - 1)];
		} else {
			memcpy(buf, full_config, len);
			for (int m = rng() % 6; m >= 0; m--) {
				size_t at = rng() % len;

				switch (rng() % 4) {
				case 0:
					buf[at] = (char)rng();
					break;
				case 1:
					buf[at] = alphabet[rng() % (sizeof(alphabet) - 1)];
					break;
				case 2:
					len = at; /* truncate */
					break;
				default:
					buf[at] = '\n';
					break;
				}
				if (!len)
					break;
			}
		}
		memset(&err, 0x5a, sizeof(err));
		ret = config_parse(buf, len, &cfg, &err);
		assert_true(ret == 0 || ret == -EINVAL);
		assert_true(strnlen(err.message, sizeof(err.message)) <
			    sizeof(err.message));
		if (ret) {
			assert_true(err.message[0] != '\0');
			assert_int_equal(cfg.partition_count, 0);
		} else {
			ok++;
			assert_true(cfg.partition_count <= CONFIG_MAX_PARTITIONS);
			for (unsigned int i = 0; i < cfg.partition_count; i++) {
				const struct partition_config *p = &cfg.partitions[i];

				assert_true(p->memory && p->memory % (1 << 20) == 0);
				assert_true(p->vcpus >= 1 && p->vcpus <= 64);
				assert_true(p->kernel[0] != '\0');
			}
		}
		free(buf);
	}
	/* Some mutations must survive, or the valid paths went unexercised. */
	assert_true(ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_line_endings_bom_and_len),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_console_key),
		cmocka_unit_test(test_net_sections),
		cmocka_unit_test(test_agent_section),
		cmocka_unit_test(test_value_too_long),
		cmocka_unit_test(test_too_many_partitions),
		cmocka_unit_test(test_nul_and_binary),
		cmocka_unit_test(test_for_each_file),
		cmocka_unit_test(test_value_parsers),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
