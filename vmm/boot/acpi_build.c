/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables for a partition (vmm/include/vmm/acpi_build.h).
 *
 * Everything is written byte by byte at fixed offsets from the ACPI 6.0
 * spec rather than through packed structs, so the output does not depend
 * on host endianness or struct layout, and every field that is set has a
 * line saying why it has that value. Fields not written stay zero, which
 * the spec defines as "absent / not supported" for all of them here.
 *
 * Layout (guest addresses, each table aligned as noted):
 *   RSDP (16)  XSDT (8)  RSDT (8)  FADT (8)  DSDT (8)  MADT (8)  FACS (64)
 *   [MCFG (8)]
 * The XSDT and RSDT list the FADT, the MADT and (with a PCI bus) the MCFG;
 * the FADT leads to the DSDT and FACS, which are never listed in a root
 * table. With a PCI bus the DSDT also describes its root bridge
 * (vmm/boot/acpi_pci.c).
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/acpi_build.h>
#include <vmm/acpi_pci.h>
#include <vmm/pc_wiring.h>
#include <vmm/platform.h>

#define SDT_HDR_LEN 36
#define RSDP_LEN 36
#define RSDP_V1_LEN 20		/* what the first checksum covers */
#define ROOT_ENTRIES_MAX 3	/* FADT, MADT, MCFG */
#define XSDT_LEN(n) (SDT_HDR_LEN + 8 * (n))
#define RSDT_LEN(n) (SDT_HDR_LEN + 4 * (n))
#define MCFG_LEN (SDT_HDR_LEN + 8 + 16) /* reserved 8 bytes, one allocation entry */
#define MCFG_REVISION 1
#define FADT_LEN 276		/* revision 6 (ACPI 6.0) */
#define FACS_LEN 64
#define MADT_FIXED_LEN 44
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_NMI_LEN 6
#define MADT_ISO_COUNT 2

#define FADT_REVISION 6
#define FADT_MINOR 0
#define MADT_REVISION 4		/* ACPI 6.0 errata A */
#define XSDT_REVISION 1
#define RSDT_REVISION 1
#define DSDT_REVISION 2		/* 2+: AML integers are 64 bits */
#define FACS_VERSION 2

/* OEM table ID, OEM revision and creator fields of every table header. */
#define OEM_TABLE_ID "PLINTHVM"
#define OEM_REVISION 1
#define CREATOR_ID "PLNT"
#define CREATOR_REVISION 1

/* Generic address structure: space ids and access sizes used below. */
#define GAS_LEN 12
#define GAS_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* FADT Flags (offset 112) */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4)
#define FADT_SLP_BUTTON (1u << 5)
#define FADT_FIX_RTC (1u << 6)
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)

/* FADT IAPC_BOOT_ARCH (offset 109) */
#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042 (1u << 1)
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)

/* MADT */
#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_ENABLED (1u << 0)
#define MADT_UID_ALL 0xff	/* Local APIC NMI entry applies to every processor */
/* MPS INTI flags: polarity in bits 1:0, trigger mode in bits 3:2. */
#define INTI_ACTIVE_HIGH 0x1
#define INTI_EDGE (0x1 << 2)
#define INTI_LEVEL (0x3 << 2)

/* Tables the RSDT and the FADT's 32-bit fields point at must sit below this. */
#define ACPI_32BIT_LIMIT 0x100000000ULL

/*
 * DSDT body: one named object, \_S5_, the package the OS reads to learn
 * which SLP_TYP value to write into PM1a_CNT (and PM1b_CNT) for soft off.
 * The two SLP_TYP bytes are filled in from the config at the offsets
 * below; the rest never changes.
 */
#define AML_S5_SLP_TYPA 10
#define AML_S5_SLP_TYPB 12
static const uint8_t aml_s5[] = {
	0x08,			/* NameOp: Name (NameString, DataRefObject) */
	0x5c,			/* RootChar '\': the name is absolute */
	'_', 'S', '5', '_',	/* NameSeg: exactly 4 chars, '_' padded */
	0x12,			/* PackageOp: Package (PkgLength NumElements PackageElementList) */
	/*
	 * PkgLength, one-byte form: bits 7:6 = 0 (no follow bytes), bits 5:0
	 * = length in bytes counted from this byte to the end of the package:
	 * itself, NumElements, and 4 + 2 bytes of elements = 8 (< 64, so the
	 * one-byte form is enough).
	 */
	0x08,
	0x04,			/* NumElements: 4 */
	0x0a, 0x00,		/* BytePrefix + byte: SLP_TYPa for PM1a_CNT */
	0x0a, 0x00,		/* BytePrefix + byte: SLP_TYPb for PM1b_CNT (absent, same value) */
	0x00,			/* ZeroOp: reserved */
	0x00,			/* ZeroOp: reserved */
};
_Static_assert(sizeof(aml_s5) - 7 == 0x08, "PkgLength does not match the package");
_Static_assert(sizeof(aml_s5) - 7 < 64, "package too long for a one-byte PkgLength");

/* Offsets from buf (not from buf_gpa) of each table, and the total. */
struct layout {
	size_t rsdp, xsdt, rsdt, fadt, dsdt, madt, facs, mcfg;
	size_t madt_len, dsdt_len, pci_aml_len;
	unsigned int roots;
	size_t end;
};

static void put_gas(uint8_t *p, uint8_t space, uint8_t bit_width, uint8_t access,
		    uint64_t addr)
{
	p[0] = space;
	p[1] = bit_width;
	p[2] = 0;		/* bit offset */
	p[3] = access;
	put_le64(p + 4, addr);
}

/* The byte that makes len bytes at p sum to zero, given that it is 0 now. */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	t[9] = 0;		/* checksum, set by sdt_finish() once the body is written */
	memcpy(t + 10, ACPI_BUILD_OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put_le32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	put_le32(t + 32, CREATOR_REVISION);
}

static void sdt_finish(uint8_t *t)
{
	uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
		       (uint32_t)t[7] << 24;

	t[9] = checksum(t, len);
}

/* [a, a + alen) and [b, b + blen) share a port. */
static bool ports_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool port_block_ok(uint16_t port, uint32_t len)
{
	/* Port 0 in the FADT means "no such block", and the block must fit in I/O space. */
	return port && (uint32_t)port + len <= 0x10000;
}

static int check_config(const struct acpi_build_config *c)
{
	const uint32_t evt = c->pm1a_evt_port, cnt = c->pm1a_cnt_port, tmr = c->pm_tmr_port;

	if (c->vcpu_count < 1 || c->vcpu_count > ACPI_BUILD_MAX_VCPUS)
		return -EINVAL;
	/* SLP_TYP is a 3-bit field of PM1_CNT. */
	if (c->slp_typ_s5 > 7)
		return -EINVAL;
	if (!port_block_ok(c->pm1a_evt_port, ACPI_PM1A_EVT_LEN) ||
	    !port_block_ok(c->pm1a_cnt_port, ACPI_PM1A_CNT_LEN) ||
	    !port_block_ok(c->pm_tmr_port, ACPI_PM_TMR_LEN))
		return -EINVAL;
	/* One device model each: a shared port could not answer for both. */
	if (ports_overlap(evt, ACPI_PM1A_EVT_LEN, cnt, ACPI_PM1A_CNT_LEN) ||
	    ports_overlap(evt, ACPI_PM1A_EVT_LEN, tmr, ACPI_PM_TMR_LEN) ||
	    ports_overlap(cnt, ACPI_PM1A_CNT_LEN, tmr, ACPI_PM_TMR_LEN))
		return -EINVAL;
	if (ports_overlap(evt, ACPI_PM1A_EVT_LEN, ACPI_RESET_PORT, 1) ||
	    ports_overlap(cnt, ACPI_PM1A_CNT_LEN, ACPI_RESET_PORT, 1) ||
	    ports_overlap(tmr, ACPI_PM_TMR_LEN, ACPI_RESET_PORT, 1))
		return -EINVAL;
	/* The ID register of an 82093AA-style IOAPIC holds 4 bits. */
	if (c->ioapic_id > 15)
		return -EINVAL;
	/*
	 * The IOAPIC is one page of MMIO on the partition's bus; it must not
	 * be the LAPIC page, which every vCPU claims at the same address.
	 */
	if (!c->ioapic_addr || !IS_ALIGNED(c->ioapic_addr, PAGE_SIZE) ||
	    c->ioapic_addr == GUEST_LAPIC_BASE)
		return -EINVAL;
	return c->pci ? acpi_pci_check(c->pci) : 0;
}

/* Offset from buf of the next address >= buf_gpa + *cur aligned to a; advances *cur. */
static size_t place(size_t *cur, uint64_t buf_gpa, uint64_t align, size_t len)
{
	size_t off = (size_t)(ALIGN_UP(buf_gpa + *cur, align) - buf_gpa);

	*cur = off + len;
	return off;
}

static void plan(const struct acpi_build_config *c, uint64_t buf_gpa, struct layout *l)
{
	size_t cur = 0;

	l->madt_len = MADT_FIXED_LEN + (size_t)c->vcpu_count * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
		      MADT_ISO_COUNT * MADT_ISO_LEN + MADT_NMI_LEN;
	l->pci_aml_len = c->pci ? acpi_pci_dsdt_aml(c->pci, NULL, 0) : 0;
	l->dsdt_len = SDT_HDR_LEN + sizeof(aml_s5) + l->pci_aml_len;
	l->roots = c->pci ? 3 : 2;
	/* The spec puts the RSDP on a 16-byte boundary; the BIOS-area scan relies on it. */
	l->rsdp = place(&cur, buf_gpa, 16, RSDP_LEN);
	l->xsdt = place(&cur, buf_gpa, 8, XSDT_LEN(l->roots));
	l->rsdt = place(&cur, buf_gpa, 8, RSDT_LEN(l->roots));
	l->fadt = place(&cur, buf_gpa, 8, FADT_LEN);
	l->dsdt = place(&cur, buf_gpa, 8, l->dsdt_len);
	l->madt = place(&cur, buf_gpa, 8, l->madt_len);
	/* The FACS must be 64-byte aligned (its global lock is used atomically). */
	l->facs = place(&cur, buf_gpa, 64, FACS_LEN);
	l->mcfg = c->pci ? place(&cur, buf_gpa, 8, MCFG_LEN) : 0;
	l->end = cur;
}

static void build_rsdp(uint8_t *p, uint64_t gpa_rsdt, uint64_t gpa_xsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_BUILD_OEM_ID, 6);
	p[15] = 2;			/* revision 2: ACPI 2.0+ layout with XsdtAddress */
	put_le32(p + 16, (uint32_t)gpa_rsdt);	/* for ACPI 1.0 OSes; below 4 GiB by check */
	put_le32(p + 20, RSDP_LEN);
	put_le64(p + 24, gpa_xsdt);
	/* The first checksum covers the 1.0 part only, the extended one everything. */
	p[8] = checksum(p, RSDP_V1_LEN);
	p[32] = checksum(p, RSDP_LEN);
}

/* Root tables listing n tables at gpa[0..n), all below 4 GiB (checked by the caller). */
static void build_roots(uint8_t *xsdt, uint8_t *rsdt, const uint64_t *gpa, unsigned int n)
{
	sdt_header(xsdt, "XSDT", XSDT_LEN(n), XSDT_REVISION);
	sdt_header(rsdt, "RSDT", RSDT_LEN(n), RSDT_REVISION);
	for (unsigned int i = 0; i < n; i++) {
		put_le64(xsdt + SDT_HDR_LEN + 8 * i, gpa[i]);
		put_le32(rsdt + SDT_HDR_LEN + 4 * i, (uint32_t)gpa[i]);
	}
	sdt_finish(xsdt);
	sdt_finish(rsdt);
}

/* PCI Firmware Specification 3.0, 4.1.2: one allocation for segment 0. */
static void build_mcfg(uint8_t *t, const struct acpi_pci_config *pci)
{
	uint8_t *e = t + SDT_HDR_LEN + 8;

	sdt_header(t, "MCFG", MCFG_LEN, MCFG_REVISION);
	put_le64(e, pci->ecam_base);
	put_le16(e + 8, 0);		/* PCI segment group */
	e[10] = 0;			/* start bus */
	e[11] = pci->bus_end;
	sdt_finish(t);
}

static uint16_t boot_arch(const struct acpi_build_config *c)
{
	/* The COM1 UART, PIT and 8259 pair are ISA devices, always present. */
	uint16_t v = BOOT_ARCH_LEGACY_DEVICES;

	/* Without the bit Linux skips probing 0x60/0x64, which nobody answers. */
	if (c->has_8042)
		v |= BOOT_ARCH_8042;
	if (!c->has_vga)
		v |= BOOT_ARCH_NO_VGA;
	if (!c->has_cmos_rtc)
		v |= BOOT_ARCH_NO_CMOS_RTC;
	return v;
}

static void build_fadt(uint8_t *t, const struct acpi_build_config *c, uint64_t gpa_dsdt,
		       uint64_t gpa_facs)
{
	sdt_header(t, "FACP", FADT_LEN, FADT_REVISION);
	/*
	 * ACPI 6.0 allows only one of FIRMWARE_CTRL and X_FIRMWARE_CTRL to be
	 * nonzero; the FACS is below 4 GiB, so the 32-bit field it is.
	 */
	put_le32(t + 36, (uint32_t)gpa_facs);	/* FIRMWARE_CTRL */
	put_le32(t + 40, (uint32_t)gpa_dsdt);	/* DSDT, for readers of the 1.0 layout */
	/* 44: reserved (ACPI 1.0 INT_MODEL), 0. 45: PREFERRED_PM_PROFILE 0 = unspecified. */
	put_le16(t + 46, ACPI_SCI_IRQ);		/* SCI_INT */
	/*
	 * 48 SMI_CMD = 0, 52 ACPI_ENABLE = 0, 53 ACPI_DISABLE = 0: there is no
	 * SMM and no legacy mode, the platform is always in ACPI mode (SCI_EN
	 * reads 1), so the OS never tries to switch. 54 S4BIOS_REQ,
	 * 55 PSTATE_CNT: 0, not supported.
	 */
	put_le32(t + 56, c->pm1a_evt_port);	/* PM1a_EVT_BLK */
	put_le32(t + 64, c->pm1a_cnt_port);	/* PM1a_CNT_BLK */
	/* 60 PM1b_EVT, 68 PM1b_CNT, 72 PM2_CNT: 0, no such blocks. */
	put_le32(t + 76, c->pm_tmr_port);		/* PM_TMR_BLK */
	/* 80 GPE0_BLK, 84 GPE1_BLK: 0, no general-purpose events. */
	t[88] = ACPI_PM1A_EVT_LEN;		/* PM1_EVT_LEN */
	t[89] = ACPI_PM1A_CNT_LEN;		/* PM1_CNT_LEN */
	t[91] = ACPI_PM_TMR_LEN;		/* PM_TMR_LEN */
	/* 96 P_LVL2_LAT > 100 and 98 P_LVL3_LAT > 1000: no C2 or C3 states. */
	put_le16(t + 96, 0x0fff);
	put_le16(t + 98, 0x0fff);
	/*
	 * 100..107 (cache flush, duty cycle, RTC alarms) stay 0: unsupported.
	 * 108 CENTURY = 0: no RTC century register is promised.
	 */
	put_le16(t + 109, boot_arch(c));		/* IAPC_BOOT_ARCH */
	/*
	 * Flags: WBINVD works (mandatory on PCs); C1 = HLT works on every
	 * vCPU; no fixed power or sleep button (PWR_/SLP_BUTTON set means
	 * "not a fixed feature"); no RTC wake status in PM1 (FIX_RTC);
	 * 32-bit PM timer; the reset register below is usable.
	 * HW_REDUCED_ACPI stays clear: this is a PC with fixed hardware.
	 */
	put_le32(t + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
			       FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP);
	/* RESET_REG: an 8-bit I/O register at bit offset 0, as the spec requires. */
	put_gas(t + 116, GAS_IO, 8, GAS_ACCESS_BYTE, ACPI_RESET_PORT);
	t[128] = ACPI_RESET_VALUE;		/* RESET_VALUE */
	/* 129 ARM_BOOT_ARCH: 0, not an ARM platform. */
	t[131] = FADT_MINOR;			/* FADT minor version */
	/* 132 X_FIRMWARE_CTRL: 0, see FIRMWARE_CTRL above. */
	put_le64(t + 140, gpa_dsdt);		/* X_DSDT, equal to DSDT so they cannot disagree */
	/*
	 * The X_ blocks repeat the 32-bit ones as I/O GAS with bit widths of
	 * exactly 8 * length, so an OS preferring either finds the same
	 * registers. PM1 registers are 16 bits each, the timer 32.
	 */
	put_gas(t + 148, GAS_IO, 8 * ACPI_PM1A_EVT_LEN, GAS_ACCESS_WORD, c->pm1a_evt_port);
	put_gas(t + 172, GAS_IO, 8 * ACPI_PM1A_CNT_LEN, GAS_ACCESS_WORD, c->pm1a_cnt_port);
	put_gas(t + 208, GAS_IO, 8 * ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD, c->pm_tmr_port);
	/* 244 SLEEP_CONTROL_REG, 256 SLEEP_STATUS_REG: 0, only for hardware-reduced. */
	memcpy(t + 268, "PLINTH\0\0", 8);	/* Hypervisor Vendor Identity */
	sdt_finish(t);
}

static void build_facs(uint8_t *f)
{
	memcpy(f, "FACS", 4);
	put_le32(f + 4, FACS_LEN);
	/*
	 * 8 hardware signature 0: the platform never changes under a sleeping
	 * OS (there is no S4 anyway). 12 waking vector, 16 global lock,
	 * 20 flags (no S4BIOS, no 64-bit wake): 0. The FACS has no checksum.
	 */
	f[32] = FACS_VERSION;
}

static void build_dsdt(uint8_t *t, const struct acpi_build_config *c, const struct layout *l)
{
	uint8_t *aml = t + SDT_HDR_LEN;

	sdt_header(t, "DSDT", (uint32_t)l->dsdt_len, DSDT_REVISION);
	memcpy(aml, aml_s5, sizeof(aml_s5));
	aml[AML_S5_SLP_TYPA] = c->slp_typ_s5;
	aml[AML_S5_SLP_TYPB] = c->slp_typ_s5;
	if (c->pci)
		acpi_pci_dsdt_aml(c->pci, aml + sizeof(aml_s5), l->pci_aml_len);
	sdt_finish(t);
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = MADT_TYPE_ISO;
	e[1] = MADT_ISO_LEN;
	e[2] = 0;			/* bus: ISA */
	e[3] = irq;			/* source: ISA IRQ */
	put_le32(e + 4, gsi);
	put_le16(e + 8, flags);
	return e + MADT_ISO_LEN;
}

static void build_madt(uint8_t *t, const struct acpi_build_config *c, size_t len)
{
	uint8_t *e = t + MADT_FIXED_LEN;

	sdt_header(t, "APIC", (uint32_t)len, MADT_REVISION);
	put_le32(t + 36, (uint32_t)GUEST_LAPIC_BASE);	/* local interrupt controller address */
	/* PCAT_COMPAT: an 8259 pair is present, the OS masks it before using the IOAPIC. */
	put_le32(t + 40, MADT_PCAT_COMPAT);

	/* One enabled xAPIC per vCPU; processor UID = APIC ID = vCPU index. */
	for (unsigned int i = 0; i < c->vcpu_count; i++) {
		e[0] = MADT_TYPE_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = (uint8_t)i;	/* ACPI processor UID */
		e[3] = (uint8_t)i;	/* APIC ID */
		put_le32(e + 4, MADT_LAPIC_ENABLED);
		e += MADT_LAPIC_LEN;
	}

	e[0] = MADT_TYPE_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = c->ioapic_id;
	e[3] = 0;			/* reserved */
	put_le32(e + 4, c->ioapic_addr);
	put_le32(e + 8, 0);		/* GSI base: the only IOAPIC, its pins are GSIs 0.. */
	e += MADT_IOAPIC_LEN;

	/*
	 * Without an override ISA IRQ n is GSI n, edge, active high. Two PC
	 * facts differ: the PIT (IRQ 0) is on pin 2, and the SCI (IRQ 9) is
	 * level triggered active high, as the spec mandates for it.
	 */
	e = madt_iso(e, PC_ISA_IRQ_PIT, PC_GSI_PIT, INTI_ACTIVE_HIGH | INTI_EDGE);
	e = madt_iso(e, ACPI_SCI_IRQ, ACPI_SCI_IRQ, INTI_ACTIVE_HIGH | INTI_LEVEL);

	/* LINT1 of every local APIC is the NMI input, edge active high, as on PCs. */
	e[0] = MADT_TYPE_LAPIC_NMI;
	e[1] = MADT_NMI_LEN;
	e[2] = MADT_UID_ALL;
	put_le16(e + 3, INTI_ACTIVE_HIGH | INTI_EDGE);
	e[5] = 1;			/* LINT# */

	sdt_finish(t);
}

void acpi_build_config_default(struct acpi_build_config *c, unsigned int vcpu_count)
{
	memset(c, 0, sizeof(*c));
	c->vcpu_count = vcpu_count;
	c->pm1a_evt_port = ACPI_PM1A_EVT_PORT;
	c->pm1a_cnt_port = ACPI_PM1A_CNT_PORT;
	c->pm_tmr_port = ACPI_PM_TMR_PORT;
	c->ioapic_id = ACPI_IOAPIC_ID;
	c->ioapic_addr = ACPI_IOAPIC_ADDR;
	c->slp_typ_s5 = ACPI_SLP_TYP_S5;
}

int acpi_build(const struct acpi_build_config *c, void *buf, size_t size, uint64_t buf_gpa,
	       struct acpi_build_result *out)
{
	uint64_t roots[ROOT_ENTRIES_MAX];
	struct layout l;
	uint8_t *b = buf;
	int ret;

	if (!c || !out || (!buf && size))
		return -EINVAL;
	ret = check_config(c);
	if (ret)
		return ret;
	/* Checked first so the layout arithmetic below cannot wrap. */
	if (buf_gpa >= ACPI_32BIT_LIMIT)
		return -EINVAL;
	plan(c, buf_gpa, &l);
	if (l.end > ACPI_32BIT_LIMIT - buf_gpa)
		return -EINVAL;
	if (l.end > size) {
		out->rsdp_gpa = 0;
		out->size = l.end;
		return -ENOSPC;
	}

	/* Padding and every field not written below must read as zero. */
	memset(b, 0, l.end);
	roots[0] = buf_gpa + l.fadt;
	roots[1] = buf_gpa + l.madt;
	roots[2] = buf_gpa + l.mcfg;
	build_rsdp(b + l.rsdp, buf_gpa + l.rsdt, buf_gpa + l.xsdt);
	build_roots(b + l.xsdt, b + l.rsdt, roots, l.roots);
	build_fadt(b + l.fadt, c, buf_gpa + l.dsdt, buf_gpa + l.facs);
	build_facs(b + l.facs);
	build_dsdt(b + l.dsdt, c, &l);
	build_madt(b + l.madt, c, l.madt_len);
	if (c->pci)
		build_mcfg(b + l.mcfg, c->pci);

	out->rsdp_gpa = buf_gpa + l.rsdp;
	out->size = l.end;
	return 0;
}
