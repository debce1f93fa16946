/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MADT ("APIC"): local APICs, I/O APICs and ISA interrupt overrides.
 * Entries are self-describing by length, so an unknown type is skipped,
 * but a length that cannot be trusted ends the walk: there is no way to
 * find the next entry.
 */
#include <plinth/acpi.h>

#define MADT_ENTRIES_OFF 44

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_LAPIC_ADDR 5
#define MADT_X2APIC 9

#define LAPIC_ENABLED (1u << 0)
#define LAPIC_ONLINE_CAPABLE (1u << 1)

struct madt_walk {
	const struct acpi_mem_ops *ops;
	struct acpi_info *out;
	paddr_t pa;
	bool cpus_full_warned;
};

static void entry_warn(struct madt_walk *w, const char *what, uint32_t off, uint32_t type)
{
	acpi_warnf(w->ops, "MADT at 0x%lx: entry type %u at offset %u: %s", w->pa, type, off,
		   what);
}

static void add_cpu(struct madt_walk *w, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic, uint32_t off)
{
	struct acpi_info *out = w->out;
	struct acpi_cpu *cpu;

	for (unsigned int i = 0; i < out->cpu_count; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			entry_warn(w, "duplicate APIC ID, first entry kept", off,
				   x2apic ? MADT_X2APIC : MADT_LAPIC);
			return;
		}
	}
	if (out->cpu_count >= ACPI_MAX_CPUS) {
		if (!w->cpus_full_warned)
			entry_warn(w, "more than ACPI_MAX_CPUS processors, rest ignored", off,
				   x2apic ? MADT_X2APIC : MADT_LAPIC);
		w->cpus_full_warned = true;
		return;
	}
	cpu = &out->cpus[out->cpu_count++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = flags & LAPIC_ENABLED;
	cpu->online_capable = flags & LAPIC_ONLINE_CAPABLE;
	cpu->x2apic_entry = x2apic;
}

static void add_ioapic(struct madt_walk *w, const uint8_t *e, uint32_t off)
{
	struct acpi_info *out = w->out;
	struct acpi_ioapic *io;

	if (out->ioapic_count >= ACPI_MAX_IOAPICS) {
		entry_warn(w, "more than ACPI_MAX_IOAPICS I/O APICs, ignored", off, MADT_IOAPIC);
		return;
	}
	io = &out->ioapics[out->ioapic_count++];
	io->id = e[2];
	io->addr = acpi_rd32(e + 4);
	io->gsi_base = acpi_rd32(e + 8);
}

static void add_override(struct madt_walk *w, const uint8_t *e, uint32_t off)
{
	struct acpi_info *out = w->out;
	struct acpi_override *o;

	if (out->override_count >= ACPI_MAX_OVERRIDES) {
		entry_warn(w, "more than ACPI_MAX_OVERRIDES overrides, ignored", off,
			   MADT_OVERRIDE);
		return;
	}
	o = &out->overrides[out->override_count++];
	o->bus = e[2];
	o->source_irq = e[3];
	o->gsi = acpi_rd32(e + 4);
	o->flags = acpi_rd16(e + 8);
}

/* Minimum entry length we need to read each known type. */
static uint32_t min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_OVERRIDE:
		return 10;
	case MADT_LAPIC_ADDR:
		return 12;
	case MADT_X2APIC:
		return 16;
	default:
		return 2;
	}
}

static void parse_entry(struct madt_walk *w, const uint8_t *e, uint32_t off)
{
	switch (e[0]) {
	case MADT_LAPIC:
		/* 0xff means "this CPU is described by an x2APIC entry". */
		if (e[3] != 0xff)
			add_cpu(w, e[3], e[2], acpi_rd32(e + 4), false, off);
		break;
	case MADT_X2APIC:
		if (acpi_rd32(e + 4) != 0xffffffffu)
			add_cpu(w, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8), true,
				off);
		break;
	case MADT_IOAPIC:
		add_ioapic(w, e, off);
		break;
	case MADT_OVERRIDE:
		add_override(w, e, off);
		break;
	case MADT_LAPIC_ADDR:
		w->out->lapic_base = acpi_rd64(e + 4);
		break;
	default:
		break;
	}
}

void acpi_parse_madt(const uint8_t *t, uint32_t len, paddr_t pa,
		     const struct acpi_mem_ops *ops, struct acpi_info *out)
{
	struct madt_walk w = { .ops = ops, .out = out, .pa = pa };
	uint32_t off = MADT_ENTRIES_OFF;

	if (len < MADT_ENTRIES_OFF) {
		acpi_warn_at(ops, t, pa, "shorter than the fixed MADT fields, ignored");
		return;
	}
	out->has_madt = true;
	out->madt_revision = t[8];
	out->lapic_base = acpi_rd32(t + 36);
	out->pcat_compat = acpi_rd32(t + 40) & 1;

	while (len - off >= 2) {
		const uint8_t *e = t + off;
		uint32_t elen = e[1];

		if (elen < 2) {
			entry_warn(&w, "length below 2, rest of MADT ignored", off, e[0]);
			return;
		}
		if (elen > len - off) {
			entry_warn(&w, "runs past the end of the MADT, rest ignored", off, e[0]);
			return;
		}
		if (elen < min_len(e[0]))
			entry_warn(&w, "too short for its type, skipped", off, e[0]);
		else
			parse_entry(&w, e, off);
		off += elen;
	}
	if (off != len)
		entry_warn(&w, "trailing byte after the last entry ignored", off, t[off]);
}
