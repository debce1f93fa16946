/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hex dump of the firmware's tables as log lines, so tables from a real
 * machine or emulator can be captured from a serial log (tools/acpi-extract)
 * and replayed through the parser in host tests. Tables are dumped even
 * with bad checksums: capturing broken firmware is part of the point.
 */
#include <plinth/acpi.h>
#include <plinth/log.h>

#define DUMP_BYTES_PER_LINE 32

struct dumper {
	const struct acpi_mem_ops *ops;
	void (*emit)(void *ctx, const char *line);
	void *ctx;
};

static void dump_block(struct dumper *d, const uint8_t *sig, paddr_t pa, const uint8_t *p,
		       uint32_t len)
{
	char msg[ACPI_MSG_LEN];
	char s[5];

	/* The hex loop below appends without checking for room. */
	_Static_assert(sizeof("acpidump: ") + 2 * DUMP_BYTES_PER_LINE <= sizeof(msg),
		       "a full hex line must fit");
	acpi_sig_str(s, sig);
	snprintf(msg, sizeof(msg), "acpidump: begin %s 0x%lx %u", s, pa, len);
	d->emit(d->ctx, msg);

	for (uint32_t off = 0; off < len; off += DUMP_BYTES_PER_LINE) {
		uint32_t cnt = MIN(len - off, (uint32_t)DUMP_BYTES_PER_LINE);
		int n = snprintf(msg, sizeof(msg), "acpidump: ");

		for (uint32_t i = 0; i < cnt; i++)
			n += snprintf(msg + n, sizeof(msg) - n, "%02x", p[off + i]);
		d->emit(d->ctx, msg);
	}

	snprintf(msg, sizeof(msg), "acpidump: end %s", s);
	d->emit(d->ctx, msg);
}

static void dump_skip(struct dumper *d, paddr_t pa, const char *why)
{
	char msg[ACPI_MSG_LEN];

	snprintf(msg, sizeof(msg), "acpidump: skip 0x%lx %s", pa, why);
	d->emit(d->ctx, msg);
}

/* Returns the table when it was dumped, for callers that follow pointers in it. */
static const uint8_t *dump_sdt(struct dumper *d, paddr_t pa)
{
	struct acpi_sdt sdt;

	if (!acpi_map_sdt(d->ops, pa, &sdt)) {
		dump_skip(d, pa, sdt.why);
		return NULL;
	}
	dump_block(d, sdt.data, pa, sdt.data, sdt.len);
	return sdt.data;
}

void acpi_dump(paddr_t rsdp, const struct acpi_mem_ops *ops,
	       void (*emit)(void *ctx, const char *line), void *ctx)
{
	struct dumper d = { .ops = ops, .emit = emit, .ctx = ctx };
	struct acpi_root root;

	if (!emit)
		return;
	if (acpi_find_root(rsdp, ops, &root)) {
		dump_skip(&d, rsdp, "RSDP or root table unusable");
		return;
	}
	dump_block(&d, (const uint8_t *)"RSDP", rsdp, root.rsdp, (uint32_t)root.rsdp_len);
	dump_block(&d, root.table, root.phys, root.table, root.len);

	for (unsigned int i = 0; i < root.entries; i++) {
		paddr_t pa = acpi_root_entry(&root, i);
		const uint8_t *t;
		paddr_t dsdt;

		if (!pa)
			continue;
		t = dump_sdt(&d, pa);
		if (!t || acpi_rd32(t + 4) < ACPI_SDT_HEADER_LEN || t[0] != 'F' || t[1] != 'A' ||
		    t[2] != 'C' || t[3] != 'P')
			continue;
		dsdt = acpi_fadt_dsdt(t, acpi_rd32(t + 4));
		if (dsdt)
			dump_sdt(&d, dsdt);
	}
}
