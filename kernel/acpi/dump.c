/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hex dump of the firmware's tables as log lines, so tables from a real
 * machine or emulator can be captured from a serial log (tools/acpi-extract)
 * and replayed through the parser in host tests. Tables are dumped even
 * with bad checksums: capturing broken firmware is part of the point.
 */
#include <plinth/acpi.h>

#define DUMP_BYTES_PER_LINE 32

struct dumper {
	const struct acpi_mem_ops *ops;
	void (*emit)(void *ctx, const char *line);
	void *ctx;
};

static void dump_block(struct dumper *d, const uint8_t *sig, paddr_t pa, const uint8_t *p,
		       uint32_t len)
{
	struct acpi_msg m;

	acpi_msg_init(&m);
	acpi_msg_str(&m, "acpidump: begin ");
	acpi_msg_sig(&m, sig, 4);
	acpi_msg_str(&m, " ");
	acpi_msg_hex(&m, pa);
	acpi_msg_str(&m, " ");
	acpi_msg_dec(&m, len);
	d->emit(d->ctx, m.buf);

	for (uint32_t off = 0; off < len; off += DUMP_BYTES_PER_LINE) {
		acpi_msg_init(&m);
		acpi_msg_str(&m, "acpidump: ");
		acpi_msg_hexbytes(&m, p + off, MIN(len - off, (uint32_t)DUMP_BYTES_PER_LINE));
		d->emit(d->ctx, m.buf);
	}

	acpi_msg_init(&m);
	acpi_msg_str(&m, "acpidump: end ");
	acpi_msg_sig(&m, sig, 4);
	d->emit(d->ctx, m.buf);
}

static void dump_skip(struct dumper *d, paddr_t pa, const char *why)
{
	struct acpi_msg m;

	acpi_msg_init(&m);
	acpi_msg_str(&m, "acpidump: skip ");
	acpi_msg_hex(&m, pa);
	acpi_msg_str(&m, " ");
	acpi_msg_str(&m, why);
	d->emit(d->ctx, m.buf);
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
