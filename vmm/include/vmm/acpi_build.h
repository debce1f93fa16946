/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_ACPI_BUILD_H
#define VMM_ACPI_BUILD_H

/*
 * ACPI tables for one partition, so a stock OS finds its CPUs, the IOAPIC,
 * the PM timer, the reset register and can power off (S5) without any
 * firmware. The tables describe a PC: 8259 pair plus IOAPIC, fixed ACPI
 * hardware (PM1a event/control blocks, PM timer) at I/O ports, no SMM.
 *
 * The constants below are the contract with the device models that back
 * the tables (PM1 block, PM timer, reset port): both sides use them, so
 * what the guest is told and what it finds cannot drift apart.
 */
#include <plinth/types.h>
#include <vmm/dev/acpi_pm.h>
#include <vmm/dev/ioapic.h>
#include <vmm/dev/reset_ctl.h>

struct acpi_pci_config;

/*
 * The fixed ACPI hardware's ports, sizes, PM1 bits and the S5 sleep type are
 * the PM device model's (vmm/include/vmm/dev/acpi_pm.h), the reset port the
 * reset control model's: the tables describe exactly what those models do.
 */
/* The SCI is ISA IRQ 9, level triggered active high, as on PCs. */
#define ACPI_SCI_IRQ 9

/* Reset: one byte write of ACPI_RESET_VALUE to the PC reset control port. */
#define ACPI_RESET_PORT RESET_CTL_CF9_PORT
#define ACPI_RESET_VALUE (RESET_CF9_RST_CPU | RESET_CF9_SYS_RST) /* hard reset */

#define ACPI_IOAPIC_ID 0
#define ACPI_IOAPIC_ADDR ((uint32_t)IOAPIC_DEFAULT_BASE)

/* Largest vCPU count: xAPIC IDs 0..254; 255 is the broadcast ID. */
#define ACPI_BUILD_MAX_VCPUS 255

/* What goes into the RSDP and every table header. */
#define ACPI_BUILD_OEM_ID "PLINTH"

struct acpi_build_config {
	unsigned int vcpu_count;	/* 1..ACPI_BUILD_MAX_VCPUS, APIC IDs 0..n-1 */
	uint16_t pm1a_evt_port;		/* ACPI_PM1A_EVT_LEN bytes */
	uint16_t pm1a_cnt_port;		/* ACPI_PM1A_CNT_LEN bytes */
	uint16_t pm_tmr_port;		/* ACPI_PM_TMR_LEN bytes */
	uint8_t ioapic_id;		/* 0..15: the IOAPIC ID register has 4 bits */
	uint32_t ioapic_addr;		/* page aligned, below 4 GiB, GSI base 0 */
	uint8_t slp_typ_s5;		/* 0..7, the SLP_TYP the PM model treats as S5 */
	/* Devices the partition has, reported in IAPC_BOOT_ARCH. */
	bool has_8042;			/* keyboard controller at 0x60/0x64 */
	bool has_vga;
	bool has_cmos_rtc;		/* RTC/CMOS at 0x70/0x71 */
	/* The partition's PCI bus (root bridge in the DSDT, MCFG); NULL for none. */
	const struct acpi_pci_config *pci;
};

struct acpi_build_result {
	uint64_t rsdp_gpa;	/* where the guest (or its boot protocol) finds the RSDP */
	size_t size;		/* bytes of buf used; on -ENOSPC, bytes that would be needed */
};

/*
 * Fills *c with the defaults above for vcpu_count vCPUs and no optional
 * device (no 8042, VGA or CMOS RTC); boot_image_load() then adds the ones
 * every partition has (8042, CMOS RTC) before it installs the tables.
 */
void acpi_build_config_default(struct acpi_build_config *c, unsigned int vcpu_count);

/*
 * Writes RSDP (revision 2), XSDT, RSDT, FADT (revision 6), FACS, DSDT and
 * MADT into buf, which the caller copies to guest-physical buf_gpa: every
 * address inside the tables is buf_gpa + offset. The RSDP comes first, at
 * the first 16-byte aligned guest address at or after buf_gpa, so buf_gpa
 * inside 0xe0000..0xfffff also works for OSes that scan the BIOS area.
 * Padding between tables is zeroed; output depends only on the arguments.
 *
 * Returns 0 and fills *out, or
 *   -EINVAL  c, out or (with size > 0) buf is NULL; a config value is out of
 *            range; the I/O blocks overlap each other or the reset port; or
 *            the tables would not end below 4 GiB (the RSDT and the FADT's
 *            32-bit fields must reach them);
 *   -ENOSPC  size is too small; out->size says how much is needed, so
 *            acpi_build(c, NULL, 0, gpa, &r) asks for the size.
 * Nothing is written to buf on failure.
 */
int acpi_build(const struct acpi_build_config *c, void *buf, size_t size, uint64_t buf_gpa,
	       struct acpi_build_result *out);

#endif
