/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RSDP and root table walk. Every byte read from firmware goes through
 * ops->map() with an explicit length first, so a corrupt length can only
 * make a table unreadable, never make us read past what was mapped.
 */
#include <plinth/acpi.h>
#include <plinth/string.h>
#include <plinth/errno.h>
#include <plinth/log.h>

const char *acpi_sig_str(char out[5], const uint8_t *sig)
{
	for (int i = 0; i < 4; i++) {
		uint8_t c = sig[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_';

		out[i] = ok ? (char)c : '_';
	}
	out[4] = '\0';
	return out;
}

void acpi_warnf(const struct acpi_mem_ops *ops, const char *fmt, ...)
{
	char msg[ACPI_MSG_LEN];
	va_list ap;

	if (!ops || !ops->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ops->warn(ops->ctx, msg);
}

void acpi_warn_at(const struct acpi_mem_ops *ops, const uint8_t *sig, paddr_t pa,
		  const char *why)
{
	char s[5];

	acpi_warnf(ops, "%s at 0x%lx: %s", sig ? acpi_sig_str(s, sig) : "table", pa, why);
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	if (!p)
		return false;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

static const void *map(const struct acpi_mem_ops *ops, paddr_t pa, size_t len)
{
	/* A range that wraps the address space cannot be a table. */
	if (len == 0 || pa > UINT64_MAX - (len - 1))
		return NULL;
	return ops->map(ops->ctx, pa, len);
}

bool acpi_map_sdt(const struct acpi_mem_ops *ops, paddr_t pa, struct acpi_sdt *sdt)
{
	sdt->hdr = NULL;
	sdt->data = NULL;
	sdt->len = 0;
	if (!pa) {
		sdt->why = "null address";
		return false;
	}
	sdt->hdr = map(ops, pa, ACPI_SDT_HEADER_LEN);
	if (!sdt->hdr) {
		sdt->why = "header not readable";
		return false;
	}
	sdt->len = acpi_rd32(sdt->hdr + 4);
	if (sdt->len < ACPI_SDT_HEADER_LEN) {
		sdt->why = "length shorter than the header";
		return false;
	}
	if (sdt->len > ACPI_MAX_TABLE_LEN) {
		sdt->why = "length implausibly large";
		return false;
	}
	sdt->data = map(ops, pa, sdt->len);
	if (!sdt->data) {
		sdt->why = "body not readable (length runs past readable memory)";
		return false;
	}
	return true;
}

static bool load_root(const struct acpi_mem_ops *ops, paddr_t pa, const char *sig,
		      unsigned int entry_size, struct acpi_root *root)
{
	struct acpi_sdt sdt;
	uint32_t body;

	if (!acpi_map_sdt(ops, pa, &sdt)) {
		acpi_warn_at(ops, (const uint8_t *)sig, pa, sdt.why);
		return false;
	}
	if (memcmp(sdt.data, sig, 4) != 0) {
		acpi_warn_at(ops, (const uint8_t *)sig, pa, "wrong signature");
		return false;
	}
	if (!acpi_checksum_ok(sdt.data, sdt.len)) {
		acpi_warn_at(ops, (const uint8_t *)sig, pa, "bad checksum");
		return false;
	}
	body = sdt.len - ACPI_SDT_HEADER_LEN;
	if (body % entry_size)
		acpi_warn_at(ops, (const uint8_t *)sig, pa,
			     "length is not a whole number of entries, partial entry ignored");
	root->table = sdt.data;
	root->phys = pa;
	root->len = sdt.len;
	root->entry_size = entry_size;
	root->entries = body / entry_size;
	if (root->entries > ACPI_MAX_ROOT_ENTRIES) {
		acpi_warn_at(ops, (const uint8_t *)sig, pa,
			     "more entries than ACPI_MAX_ROOT_ENTRIES, rest ignored");
		root->entries = ACPI_MAX_ROOT_ENTRIES;
	}
	return true;
}

static int rsdp_bad(const struct acpi_mem_ops *ops, paddr_t pa, const char *why)
{
	acpi_warnf(ops, "RSDP at 0x%lx: %s", pa, why);
	return -EINVAL;
}

int acpi_find_root(paddr_t rsdp, const struct acpi_mem_ops *ops, struct acpi_root *root)
{
	const uint8_t *p;
	uint64_t xsdt = 0;
	uint32_t rsdt;

	memset(root, 0, sizeof(*root));
	if (!ops || !ops->map)
		return -EINVAL;
	p = map(ops, rsdp, ACPI_RSDP_V1_LEN);
	if (!p)
		return rsdp_bad(ops, rsdp, "not readable");
	if (memcmp(p, "RSD PTR ", 8) != 0)
		return rsdp_bad(ops, rsdp, "bad signature");
	if (!acpi_checksum_ok(p, ACPI_RSDP_V1_LEN))
		return rsdp_bad(ops, rsdp, "bad checksum");
	root->rsdp_len = ACPI_RSDP_V1_LEN;
	/* Revision 1 was never assigned; anything below 2 is the 1.0 layout. */
	if (p[15] >= 2) {
		/*
		 * The length field is ignored on purpose: the 2.0 layout is
		 * fixed at 36 bytes and a corrupt length must not widen the map.
		 */
		p = map(ops, rsdp, ACPI_RSDP_V2_LEN);
		if (!p)
			return rsdp_bad(ops, rsdp, "revision 2+ but 36 bytes not readable");
		if (!acpi_checksum_ok(p, ACPI_RSDP_V2_LEN))
			return rsdp_bad(ops, rsdp, "bad extended checksum");
		root->rsdp_len = ACPI_RSDP_V2_LEN;
		xsdt = acpi_rd64(p + 24);
	}
	root->rsdp = p;
	rsdt = acpi_rd32(p + 16);

	if (xsdt) {
		if (load_root(ops, xsdt, "XSDT", 8, root))
			return 0;
		if (!rsdt)
			return rsdp_bad(ops, rsdp, "XSDT unusable and no RSDT");
		acpi_warnf(ops, "XSDT unusable, falling back to the RSDT");
	}
	if (!rsdt)
		return rsdp_bad(ops, rsdp, "no root table address");
	if (!load_root(ops, rsdt, "RSDT", 4, root))
		return rsdp_bad(ops, rsdp, "root table unusable");
	return 0;
}

paddr_t acpi_root_entry(const struct acpi_root *root, unsigned int i)
{
	const uint8_t *e;

	if (i >= root->entries)
		return 0;
	e = root->table + ACPI_SDT_HEADER_LEN + (size_t)i * root->entry_size;
	return root->entry_size == 8 ? acpi_rd64(e) : acpi_rd32(e);
}

struct walk {
	const struct acpi_mem_ops *ops;
	struct acpi_info *out;
	bool list_full_warned;
	bool mcfg_done;
};

static struct acpi_table_ref *record(struct walk *w, const uint8_t *hdr, paddr_t pa,
				     uint32_t len)
{
	struct acpi_table_ref *ref;

	if (w->out->table_count >= ACPI_MAX_TABLES) {
		if (!w->list_full_warned)
			acpi_warnf(w->ops, "more than ACPI_MAX_TABLES tables, rest not listed");
		w->list_full_warned = true;
		return NULL;
	}
	ref = &w->out->tables[w->out->table_count++];
	memcpy(ref->signature, hdr, 4);
	ref->signature[4] = '\0';
	ref->phys = pa;
	ref->length = len;
	ref->checksum_ok = false;
	return ref;
}

/*
 * Maps, records and checksums one table. Returns the validated table or
 * NULL (after warning) when it must not be parsed.
 */
static const uint8_t *check_table(struct walk *w, paddr_t pa, const char *want_sig)
{
	struct acpi_table_ref *ref;
	struct acpi_sdt sdt;

	if (!acpi_map_sdt(w->ops, pa, &sdt)) {
		if (sdt.hdr)
			record(w, sdt.hdr, pa, sdt.len);
		acpi_warn_at(w->ops, sdt.hdr, pa, sdt.why);
		return NULL;
	}
	ref = record(w, sdt.data, pa, sdt.len);
	if (want_sig && memcmp(sdt.data, want_sig, 4) != 0) {
		acpi_warn_at(w->ops, sdt.data, pa, "wrong signature, ignored");
		return NULL;
	}
	if (!acpi_checksum_ok(sdt.data, sdt.len)) {
		acpi_warn_at(w->ops, sdt.data, pa, "bad checksum, ignored");
		return NULL;
	}
	if (ref)
		ref->checksum_ok = true;
	return sdt.data;
}

static void handle_table(struct walk *w, paddr_t pa)
{
	struct acpi_info *out = w->out;
	const uint8_t *t = check_table(w, pa, NULL);
	uint32_t len;

	if (!t)
		return;
	len = acpi_rd32(t + 4);
	if (!memcmp(t, "APIC", 4)) {
		if (out->has_madt)
			acpi_warn_at(w->ops, t, pa, "second MADT ignored");
		else
			acpi_parse_madt(t, len, pa, w->ops, out);
	} else if (!memcmp(t, "FACP", 4)) {
		if (out->has_fadt) {
			acpi_warn_at(w->ops, t, pa, "second FADT ignored");
			return;
		}
		acpi_parse_fadt(t, len, pa, w->ops, out);
		/* The DSDT is reachable only through the FADT; list it too. */
		if (out->dsdt)
			check_table(w, out->dsdt, "DSDT");
	} else if (!memcmp(t, "MCFG", 4)) {
		if (w->mcfg_done) {
			acpi_warn_at(w->ops, t, pa, "second MCFG ignored");
			return;
		}
		w->mcfg_done = true;
		acpi_parse_mcfg(t, len, pa, w->ops, out);
	}
}

int acpi_parse(paddr_t rsdp, const struct acpi_mem_ops *ops, struct acpi_info *out)
{
	struct acpi_root root;
	struct walk w = { .ops = ops, .out = out };
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->rsdp = rsdp;
	ret = acpi_find_root(rsdp, ops, &root);
	if (ret)
		return ret;
	out->revision = root.rsdp[15];
	memcpy(out->oem_id, root.rsdp + 9, 6);
	out->oem_id[6] = '\0';
	out->xsdt_used = root.entry_size == 8;

	for (unsigned int i = 0; i < root.entries; i++) {
		paddr_t pa = acpi_root_entry(&root, i);

		if (!pa) {
			acpi_warn_at(ops, root.table, root.phys, "null entry skipped");
			continue;
		}
		handle_table(&w, pa);
	}
	return 0;
}

const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig)
{
	unsigned int n;

	if (!info || !sig || strlen(sig) != 4)
		return NULL;
	n = MIN(info->table_count, (unsigned int)ACPI_MAX_TABLES);
	for (unsigned int i = 0; i < n; i++) {
		if (info->tables[i].checksum_ok && !memcmp(info->tables[i].signature, sig, 4))
			return &info->tables[i];
	}
	return NULL;
}
