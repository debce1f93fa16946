/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ACPI_H
#define PLINTH_ACPI_H

/*
 * ACPI static table discovery: RSDP -> XSDT/RSDT -> FADT, MADT, MCFG.
 * Physical memory is reached only through acpi_mem_ops, so the same code
 * parses firmware memory in the kernel and captured tables on the host.
 * Nothing here trusts a length or count read from firmware.
 */

#include <plinth/types.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_MCFG 16
#define ACPI_MAX_TABLES 64

/* Bounds the work a corrupt root table or length field can cause. */
#define ACPI_MAX_ROOT_ENTRIES 4096
#define ACPI_MAX_TABLE_LEN (16u << 20)

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

/* Generic address structure space ids we act on. */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* FADT flags */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED (1u << 20)

/* FADT IAPC_BOOT_ARCH */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_ARCH_8042 (1u << 1)
#define ACPI_BOOT_ARCH_NO_VGA (1u << 2)
#define ACPI_BOOT_ARCH_NO_MSI (1u << 3)
#define ACPI_BOOT_ARCH_NO_CMOS_RTC (1u << 5)

struct acpi_mem_ops {
	/*
	 * Returns a pointer to len readable bytes at physical pa, or NULL if
	 * that range is not readable. The pointer must stay valid until the
	 * acpi_parse()/acpi_dump() call that asked for it returns.
	 */
	const void *(*map)(void *ctx, paddr_t pa, size_t len);
	/* Non-fatal problems, e.g. a bad checksum on one table. May be NULL. */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

struct acpi_table_ref {
	char signature[5];     /* raw bytes as found, NUL-terminated */
	paddr_t phys;
	uint32_t length;       /* from the header, even if it proved bad */
	bool checksum_ok;      /* false: bad checksum/length/signature or unreadable; not parsed */
};

/*
 * Every MADT processor entry is recorded as found (except the "no such
 * CPU" IDs 0xff / 0xffffffff). Whether a disabled entry may be brought up
 * later is policy: online_capable is the raw flag bit 1, which only means
 * something when madt_revision >= 5; older firmware left it zero.
 */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool enabled;
	bool online_capable;
	bool x2apic_entry;
};

struct acpi_ioapic {
	uint8_t id;
	paddr_t addr;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t bus;
	uint8_t source_irq;
	uint32_t gsi;
	uint16_t flags;        /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct acpi_mcfg_region {
	paddr_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_info {
	paddr_t rsdp;
	uint8_t revision;      /* RSDP revision: 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	char oem_id[7];
	bool xsdt_used;

	/* Every table the root lists, then the DSDT after its FADT; not the root itself. */
	unsigned int table_count;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];

	/* MADT */
	bool has_madt;
	uint8_t madt_revision;
	paddr_t lapic_base;    /* type 5 override applied */
	bool pcat_compat;      /* legacy 8259 pair present, mask it */
	unsigned int cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];

	/* FADT */
	bool has_fadt;
	uint8_t fadt_revision;
	struct {
		bool present;
		bool ext32;    /* counter is 32 bits wide, else 24 */
		/* X_PM_TMR_BLK as given, or PM_TMR_BLK as an I/O port of width 24/32 */
		struct acpi_gas reg;
	} pm_timer;
	struct {
		bool supported;
		struct acpi_gas reg;
		uint8_t value;
	} reset;
	uint16_t sci_irq;
	uint32_t fadt_flags;
	uint16_t iapc_boot_arch; /* 0 when the FADT predates the field */
	uint32_t pm1a_cnt;     /* I/O ports, 0 when absent */
	uint32_t pm1b_cnt;
	paddr_t dsdt;
	paddr_t facs;

	/* MCFG */
	unsigned int mcfg_count;
	struct acpi_mcfg_region mcfg[ACPI_MAX_MCFG];
};

/*
 * Returns 0, or -EINVAL (after a warn() saying why) when the RSDP or both
 * root tables are unusable. Problems with any other table are warned about
 * and that table is skipped; out is always left consistent.
 */
int acpi_parse(paddr_t rsdp, const struct acpi_mem_ops *ops, struct acpi_info *out);

/* First table with this signature whose checksum and length were good. */
const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig);

/* True when the bytes sum to zero mod 256. */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Emits the RSDP, the root table, every table it lists and the DSDT as
 *   "acpidump: begin SIG 0xPHYS LEN"
 *   "acpidump: <hex, 32 bytes per line>"
 *   "acpidump: end SIG"
 * Tables that cannot be read produce "acpidump: skip 0xPHYS <reason>".
 * tools/acpi-extract turns a serial log of this back into files.
 */
void acpi_dump(paddr_t rsdp, const struct acpi_mem_ops *ops,
	       void (*emit)(void *ctx, const char *line), void *ctx);

/* ---- Internal: shared by the files in kernel/acpi/ only ---- */

static inline uint16_t acpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return (uint64_t)acpi_rd32(p) | ((uint64_t)acpi_rd32(p + 4) << 32);
}

static inline void acpi_rd_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space_id = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = acpi_rd64(p + 4);
}

/* Room for one warning or dump line; longer text is cut short. */
#define ACPI_MSG_LEN 160

/* Copies 4 raw signature bytes into out, anything not [A-Za-z0-9_] as '_'; returns out. */
const char *acpi_sig_str(char out[5], const uint8_t *sig);
/* Formats into ACPI_MSG_LEN bytes and hands the text to ops->warn, if any. */
void acpi_warnf(const struct acpi_mem_ops *ops, const char *fmt, ...) __printf(2, 3);
/* Warns "SIG at 0xPA: why" (sig: 4 raw bytes, or NULL for "table"). */
void acpi_warn_at(const struct acpi_mem_ops *ops, const uint8_t *sig, paddr_t pa,
		  const char *why);

/* One system description table as mapped by acpi_map_sdt(). */
struct acpi_sdt {
	const uint8_t *hdr;    /* NULL when not even the header was readable */
	const uint8_t *data;   /* all len bytes; NULL on any failure */
	uint32_t len;          /* header length field, valid when hdr is set */
	const char *why;       /* reason on failure */
};

/* Maps a whole SDT after checking its length field is sane; true on success. */
bool acpi_map_sdt(const struct acpi_mem_ops *ops, paddr_t pa, struct acpi_sdt *sdt);

/* The validated RSDP and the root table (XSDT or RSDT) it leads to. */
struct acpi_root {
	const uint8_t *rsdp;
	size_t rsdp_len;
	const uint8_t *table;
	paddr_t phys;
	uint32_t len;
	unsigned int entry_size;  /* 8 for XSDT, 4 for RSDT */
	unsigned int entries;
};
/* Returns 0, or -EINVAL after warning why. Falls back to the RSDT if the XSDT is bad. */
int acpi_find_root(paddr_t rsdp, const struct acpi_mem_ops *ops, struct acpi_root *root);
paddr_t acpi_root_entry(const struct acpi_root *root, unsigned int i);

void acpi_parse_madt(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out);
void acpi_parse_fadt(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out);
void acpi_parse_mcfg(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out);
/* DSDT address a FADT points at (X_DSDT preferred), 0 if none. */
paddr_t acpi_fadt_dsdt(const uint8_t *t, uint32_t len);

#endif
