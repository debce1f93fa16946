/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI parser on tables captured from emulators. Each directory under
 * tests/data/acpi/ (or $ACPI_DATA_DIR) holds SIG-PHYSHEX.bin files made by
 * tools/acpi-extract from a serial log of the kernel's acpi_dump; every file
 * is placed in fake memory at its address and the tree is parsed from the
 * RSDP file. Runs with cwd = repository top.
 *
 * Capturing: boot with acpi_dump enabled and the serial port logged, e.g.
 *   qemu-system-x86_64 -M pc -smp 4 ... -serial file:qemu.log
 *   tools/acpi-extract qemu.log tests/data/acpi/qemu
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/acpi.h>
#include "acpi_fake_mem.h"

/* ---- Expectations: adjust these when (re)capturing tables ---- */
#define ACPI_DATA_DEFAULT "tests/data/acpi"
#define EXPECT_ALL_FILES_USED true /* every table file is listed in acpi_info.tables */

struct machine {
	const char *dir;              /* below the data directory */
	unsigned int enabled_cpus;    /* MADT entries with the enabled flag */
	unsigned int min_ioapics;
	bool pm_timer;
	const char *required[4];      /* signatures that must parse with a good checksum */
	unsigned int warnings;        /* parser warnings the firmware's tables deserve */
};

static const struct machine qemu = {
	/* QEMU "pc" (i440fx) machine, -smp 4 */
	.dir = "qemu", .enabled_cpus = 4, .min_ioapics = 1, .pm_timer = true,
	.required = { "FACP", "APIC" },
};

static const struct machine bochs = {
	/*
	 * Bochs 2.7 with OVMF: without QEMU's fw_cfg, OVMF installs only an
	 * RSDP (not published in the EFI configuration table) and an RSDT
	 * whose single entry is null. No MADT, FADT or PM timer: the kernel
	 * starts CPUs by broadcast and calibrates against the PIT there.
	 */
	.dir = "bochs", .enabled_cpus = 0, .min_ioapics = 0, .pm_timer = false,
	.required = { NULL }, .warnings = 1,
};
/* ---- End of expectations ---- */

#define MAX_FILE_LEN (16u << 20)

static struct fake_mem mem;
static struct acpi_info info;

struct loaded {
	paddr_t rsdp;
	bool have_rsdp;
	unsigned int nfiles;
	paddr_t phys[256];
};

/* "SIG-hex.bin" -> phys; false for names that are not ours. */
static bool parse_name(const char *name, char sig[5], paddr_t *phys)
{
	size_t n = strlen(name);
	char *end;

	if (n < 10 || strcmp(name + n - 4, ".bin") || name[4] != '-')
		return false;
	for (int i = 0; i < 4; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	memcpy(sig, name, 4);
	sig[4] = '\0';
	*phys = strtoull(name + 5, &end, 16);
	return end == name + n - 4 && end != name + 5;
}

/* Returns NULL on success, else what went wrong (the caller fails the test). */
static const char *load_file(const char *path, paddr_t phys, struct loaded *ld,
			     const char *sig)
{
	FILE *f = fopen(path, "rb");
	const char *err = NULL;
	uint8_t *buf = NULL;
	long len;

	if (!f)
		return "cannot open";
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if (len <= 0 || (unsigned long)len > MAX_FILE_LEN)
		err = "implausible size";
	else if (!(buf = malloc(len)) || fread(buf, 1, len, f) != (size_t)len)
		err = "short read";
	else if (phys + len < phys || fake_mem_overlaps(&mem, phys, len))
		err = "overlaps another table file or wraps";
	else if (!strcmp(sig, "RSDP") && ld->have_rsdp)
		err = "second RSDP file";
	fclose(f);
	if (!err)
		fake_mem_add(&mem, phys, buf, len);
	free(buf);
	if (err)
		return err;
	if (!strcmp(sig, "RSDP")) {
		ld->have_rsdp = true;
		ld->rsdp = phys;
	} else if (strcmp(sig, "RSDT") && strcmp(sig, "XSDT") &&
		   ld->nfiles < ARRAY_SIZE(ld->phys)) {
		/* Root tables are not listed in tables[]; the walk itself used them. */
		ld->phys[ld->nfiles++] = phys;
	}
	return NULL;
}

static void load_dir(const char *dir, struct loaded *ld)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[1536];
	const char *err = NULL;

	if (!d)
		fail_msg("ACPI table directory %s is missing. Capture it from a serial log "
			 "with tools/acpi-extract (see tests/unit/test_acpi_real.c), or point "
			 "ACPI_DATA_DIR elsewhere.", dir);
	while (!err && (de = readdir(d))) {
		char sig[5];
		paddr_t phys;

		if (!strstr(de->d_name, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!parse_name(de->d_name, sig, &phys))
			err = "not a SIG-PHYSHEX.bin name";
		else
			err = load_file(path, phys, ld, sig);
	}
	closedir(d);
	if (err)
		fail_msg("%s: %s", path, err);
	if (!ld->have_rsdp)
		fail_msg("%s has no RSDP-*.bin file: nothing to parse from", dir);
}

static void run_machine(const struct machine *m)
{
	const char *base = getenv("ACPI_DATA_DIR");
	struct acpi_mem_ops ops;
	struct loaded ld = { 0 };
	unsigned int enabled = 0;
	char dir[1024];
	int ret;

	snprintf(dir, sizeof(dir), "%s/%s", base ? base : ACPI_DATA_DEFAULT, m->dir);
	fake_mem_init(&mem);
	mem.print_warnings = 1;
	load_dir(dir, &ld);
	ops = fake_mem_ops(&mem);
	ret = acpi_parse(ld.rsdp, &ops, &info);
	if (ret)
		fail_msg("%s: acpi_parse failed with %d:\n%s", dir, ret, mem.warnings);

	for (unsigned int i = 0; i < info.cpu_count; i++)
		enabled += info.cpus[i].enabled;
	printf("  %s: RSDP rev %u OEM '%s' via %s, %u tables, %u/%u CPUs enabled, "
	       "%u IOAPICs, %u overrides, PM timer %s, reset %s, %u MCFG regions\n",
	       m->dir, info.revision, info.oem_id, info.xsdt_used ? "XSDT" : "RSDT",
	       info.table_count, enabled, info.cpu_count, info.ioapic_count,
	       info.override_count, info.pm_timer.present ? "yes" : "no",
	       info.reset.supported ? "yes" : "no", info.mcfg_count);

	if (mem.warn_count != m->warnings)
		fail_msg("%s: %u parser warnings:\n%s", dir, mem.warn_count, mem.warnings);
	for (unsigned int i = 0; i < info.table_count; i++) {
		if (!info.tables[i].checksum_ok)
			fail_msg("%s: %s at %#llx did not validate", dir, info.tables[i].signature,
				 (unsigned long long)info.tables[i].phys);
	}
	for (unsigned int i = 0; EXPECT_ALL_FILES_USED && i < ld.nfiles; i++) {
		bool found = false;

		for (unsigned int k = 0; k < info.table_count; k++)
			found |= info.tables[k].phys == ld.phys[i];
		if (!found)
			fail_msg("%s: the table file at %#llx is not reachable from the RSDP", dir,
				 (unsigned long long)ld.phys[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(m->required) && m->required[i]; i++) {
		if (!acpi_find_table(&info, m->required[i]))
			fail_msg("%s: no valid %s table", dir, m->required[i]);
	}
	if (enabled != m->enabled_cpus)
		fail_msg("%s: %u enabled CPUs, expected %u", dir, enabled, m->enabled_cpus);
	if (info.ioapic_count < m->min_ioapics)
		fail_msg("%s: %u IOAPICs, expected at least %u", dir, info.ioapic_count,
			 m->min_ioapics);
	if (m->pm_timer && !info.pm_timer.present)
		fail_msg("%s: no PM timer", dir);
	if (m->pm_timer && info.pm_timer.reg.address == 0)
		fail_msg("%s: PM timer at address 0", dir);
	fake_mem_free(&mem);
}

static void test_qemu(void **state)
{
	(void)state;
	run_machine(&qemu);
}

static void test_bochs(void **state)
{
	(void)state;
	run_machine(&bochs);
}

static int teardown(void **state)
{
	(void)state;
	fake_mem_free(&mem);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_qemu, teardown),
		cmocka_unit_test_teardown(test_bochs, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
