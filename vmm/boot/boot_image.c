/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot-image loaders shared part plus the realmode and longmode entry modes
 * (the multiboot one lives in multiboot.c). Layouts and register values are
 * the contract in tests/guests/GUEST_ABI.md; guests depend on every byte.
 */
#include <stdarg.h>

#include <asm/processor-flags.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/pagetable.h>
#include <plinth/string.h>
#include <vmm/acpi_build.h>
#include <vmm/boot_image.h>

/* VMX access rights (vcpu_state.h layout). */
#define AR_DATA16 (SEG_P | SEG_S | 0x3)	/* read/write, accessed */
#define AR_CODE16 (SEG_P | SEG_S | 0xb)	/* exec/read, accessed */
#define AR_LDT (SEG_P | 0x2)
#define AR_TSS_BUSY (SEG_P | 0xb)		/* busy 32/64-bit TSS */
#define AR_CODE64 (SEG_G | SEG_L | AR_CODE16)
#define AR_DATA32 (SEG_G | SEG_DB | AR_DATA16)

/* The generic identity map lands exactly where GUEST_ABI.md promises. */
_Static_assert(BOOT_LM_PDPT == BOOT_LM_PML4 + PAGE_SIZE &&
	       BOOT_LM_PD == BOOT_LM_PDPT + PAGE_SIZE &&
	       BOOT_LM_BLOCK == BOOT_LM_PD + 4 * PAGE_SIZE,
	       "longmode page tables do not match the generic layout");

int boot_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void boot_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes && bytes % GIB(1) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes && bytes % MIB(1) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % KIB(1) == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
}

/* One checked write: where names what dst must lie in, for the error. */
static int write_where(const struct guest_mem_ops *mem, bool inside, const char *where,
		       uint64_t dst, const void *src, size_t len, char *err, size_t errlen)
{
	int ret;

	if (!inside)
		return boot_fail(err, errlen, -EFAULT, "write of %zu bytes at 0x%llx is outside %s",
				 len, (unsigned long long)dst, where);
	if (!len)
		return 0;
	ret = mem->write(mem->ctx, gpa(dst), src, len);
	if (ret)
		return boot_fail(err, errlen, ret < 0 ? ret : -EIO,
				 "guest write of %zu bytes at 0x%llx failed (%d)",
				 len, (unsigned long long)dst, ret);
	return 0;
}

int boot_write(const struct guest_mem_ops *mem, uint64_t dst, const void *src,
	       size_t len, char *err, size_t errlen)
{
	return write_where(mem, guest_layout_is_ram(mem->layout, gpa(dst), len), "guest RAM", dst,
			   src, len, err, errlen);
}

int boot_write_firmware(const struct guest_mem_ops *mem, uint64_t dst, const void *src,
			size_t len, char *err, size_t errlen)
{
	return write_where(mem, guest_layout_is_backed(mem->layout, gpa(dst), len), "guest memory",
			   dst, src, len, err, errlen);
}

int boot_zero(const struct guest_mem_ops *mem, uint64_t dst, uint64_t len,
	      char *err, size_t errlen)
{
	static const uint8_t zeros[512];
	int ret;

	if (!guest_layout_is_ram(mem->layout, gpa(dst), len))
		return boot_fail(err, errlen, -EFAULT,
				 "zeroing %llu bytes at 0x%llx is outside guest RAM",
				 (unsigned long long)len,
				 (unsigned long long)dst);
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);

		ret = boot_write(mem, dst, zeros, n, err, errlen);
		if (ret)
			return ret;
		dst += n;
		len -= n;
	}
	return 0;
}

static struct segment seg(uint16_t sel, uint64_t base, uint32_t limit,
			  uint16_t attr)
{
	return (struct segment){ .selector = sel, .base = base, .limit = limit,
				 .attr = attr };
}

void vcpu_regs_reset(struct vcpu_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rip = 0xfff0;
	r->rflags = 0x2;
	r->cr0 = CR0_CD | CR0_NW | CR0_ET;
	r->cs = seg(0xf000, 0xffff0000ULL, 0xffff, AR_CODE16);
	r->ds = seg(0, 0, 0xffff, AR_DATA16);
	r->es = r->ds;
	r->fs = r->ds;
	r->gs = r->ds;
	r->ss = r->ds;
	r->ldtr = seg(0, 0, 0xffff, AR_LDT);
	/* The SDM says "present, R/W"; VM entry wants a busy TSS type. */
	r->tr = seg(0, 0, 0xffff, AR_TSS_BUSY);
	r->gdtr.base = 0;
	r->gdtr.limit = 0xffff;
	r->idtr.base = 0;
	r->idtr.limit = 0xffff;
}

void vcpu_regs_sipi(struct vcpu_regs *r, uint8_t vector)
{
	vcpu_regs_reset(r);
	r->cs.selector = (uint16_t)(vector << 8);
	r->cs.base = (uint64_t)vector << 12;
	r->rip = 0;
}

static int load_realmode(const struct guest_mem_ops *mem,
			 const struct boot_image_params *p,
			 struct vcpu_regs *bsp, char *err, size_t errlen)
{
	char ram[32];
	uint64_t base;
	int ret;

	if (p->cmdline && p->cmdline[0])
		return boot_fail(err, errlen, -EINVAL,
				 "realmode has no way to pass a cmdline");
	if (p->image_size > BOOT_REALMODE_MAX_SIZE)
		return boot_fail(err, errlen, -E2BIG,
				 "realmode image is %zu bytes (max %llu)",
				 p->image_size, BOOT_REALMODE_MAX_SIZE);
	/* The reset vector at 0xffff0 must come from the image. */
	if (p->image_size < 16)
		return boot_fail(err, errlen, -EINVAL,
				 "realmode image is %zu bytes (min 16: it must hold the reset vector)",
				 p->image_size);
	/* The image ends at 1 MiB, in the firmware area, like a BIOS ROM. */
	base = BOOT_REALMODE_END - p->image_size;
	if (!guest_layout_is_backed(mem->layout, gpa(0), GUEST_FIRMWARE_START) ||
	    !guest_layout_is_backed(mem->layout, gpa(base), p->image_size)) {
		boot_fmt_size(ram, sizeof(ram), mem->layout->ram_size);
		return boot_fail(err, errlen, -ENOSPC,
				 "realmode needs at least 1 MiB of RAM (have %s)",
				 ram);
	}
	ret = boot_write_firmware(mem, base, p->image, p->image_size, err, errlen);
	if (ret)
		return ret;

	vcpu_regs_reset(bsp);
	bsp->cs.base = 0xf0000;
	bsp->cr0 = CR0_ET;
	return 0;
}

static int write_u64s(const struct guest_mem_ops *mem, uint64_t dst,
		      const uint64_t *v, size_t n, char *err, size_t errlen)
{
	uint8_t buf[8 * 32];
	size_t i, j;

	if (n > ARRAY_SIZE(buf) / 8)
		return boot_fail(err, errlen, -EINVAL, "internal: %zu entries",
				 n);
	/* Byte-wise little-endian: guest layout must not depend on the host. */
	for (i = 0; i < n; i++)
		for (j = 0; j < 8; j++)
			buf[i * 8 + j] = (uint8_t)(v[i] >> (8 * j));
	return boot_write(mem, dst, buf, n * 8, err, errlen);
}

/* map_end is below GUEST_PHYS_LIMIT (2^48) or a caller's bug: no wrap. */
static uint64_t map_gib(uint64_t map_end)
{
	return (map_end + SIZE_1G - 1) / SIZE_1G;
}

uint64_t boot_identity_map_pages(uint64_t map_end)
{
	uint64_t gib = map_gib(map_end);

	return 1 + (gib + 511) / 512 + gib;
}

/* Page-table entries pointing at consecutive pages (or 2 MiB frames when
 * PS is in flags), written a buffer at a time. */
static int write_run(const struct guest_mem_ops *mem, uint64_t dst,
		     uint64_t first, uint64_t step, uint64_t n, uint64_t flags,
		     char *err, size_t errlen)
{
	uint64_t ent[32];
	uint64_t i, k, chunk;
	int ret;

	for (i = 0; i < n; i += chunk) {
		chunk = MIN(n - i, (uint64_t)ARRAY_SIZE(ent));
		for (k = 0; k < chunk; k++)
			ent[k] = (first + (i + k) * step) | flags;
		ret = write_u64s(mem, dst + i * 8, ent, (size_t)chunk, err,
				 errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int boot_write_identity_map(const struct guest_mem_ops *mem, uint64_t base,
			    uint64_t map_end, char *err, size_t errlen)
{
	uint64_t gib = map_gib(map_end);
	uint64_t pdpts = (gib + 511) / 512;
	uint64_t pdpt = base + PAGE_SIZE, pd = pdpt + pdpts * PAGE_SIZE;
	uint64_t flags = X86_PTE_P | X86_PTE_RW;
	int ret;

	if (!gib || map_end > GUEST_PHYS_LIMIT)
		return boot_fail(err, errlen, -EINVAL,
				 "internal: identity map to 0x%llx",
				 (unsigned long long)map_end);
	/* Whole pages are written: guest RAM may hold stale bytes. The PD
	 * pages are filled completely below, so only the rest is zeroed. */
	ret = boot_zero(mem, base, (1 + pdpts) * PAGE_SIZE, err, errlen);
	if (!ret)
		ret = write_run(mem, base, pdpt, PAGE_SIZE, pdpts, flags, err,
				errlen);
	if (!ret)
		ret = write_run(mem, pdpt, pd, PAGE_SIZE, gib, flags, err,
				errlen);
	if (!ret)
		ret = write_run(mem, pd, 0, SIZE_2M, gib * 512,
				flags | X86_PTE_PS, err, errlen);
	return ret;
}

static int write_boot_block(const struct guest_mem_ops *mem,
			    const struct boot_image_params *p, char *err,
			    size_t errlen)
{
	uint8_t blk[sizeof(struct boot_block)];
	size_t off = offsetof(struct boot_block, cmdline);

	memset(blk, 0, sizeof(blk));
	put_le32(blk + offsetof(struct boot_block, magic), BOOT_BLOCK_MAGIC);
	put_le32(blk + offsetof(struct boot_block, vcpu_count), p->vcpu_count);
	put_le32(blk + offsetof(struct boot_block, memory_size),
	      (uint32_t)mem->layout->ram_size);
	put_le32(blk + offsetof(struct boot_block, memory_size) + 4,
	      (uint32_t)(mem->layout->ram_size >> 32));
	if (p->cmdline)
		memcpy(blk + off, p->cmdline, strlen(p->cmdline));
	return boot_write(mem, BOOT_LM_BLOCK, blk, sizeof(blk), err, errlen);
}

void boot_regs_longmode(struct vcpu_regs *r, uint64_t rip, uint64_t cr3,
			uint16_t cs, uint16_t ds, uint64_t gdt,
			uint16_t gdt_limit)
{
	memset(r, 0, sizeof(*r));
	r->rip = rip;
	r->rflags = 0x2;
	/* 0x80050033, the value Linux runs with. */
	r->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	r->cr3 = cr3;
	r->cr4 = CR4_PAE;
	r->efer = EFER_LME | EFER_LMA;
	r->cs = seg(cs, 0, 0xffffffff, AR_CODE64);
	r->ds = seg(ds, 0, 0xffffffff, AR_DATA32);
	r->es = r->ds;
	r->fs = r->ds;
	r->gs = r->ds;
	r->ss = r->ds;
	r->tr = seg(0, 0, 0x67, AR_TSS_BUSY);
	r->ldtr = (struct segment){ .unusable = true };
	r->gdtr.base = gdt;
	r->gdtr.limit = gdt_limit;
	/* Limit 0: a fault before the guest loads its own IDT ends in a
	 * triple fault Plinth reports, not a jump through page-table bytes. */
	r->idtr.base = 0;
	r->idtr.limit = 0;
}

static int load_longmode(const struct guest_mem_ops *mem,
			 const struct boot_image_params *p,
			 struct vcpu_regs *bsp, char *err, size_t errlen)
{
	static const uint64_t gdt[3] = { 0, BOOT_GDT_CODE64, BOOT_GDT_DATA };
	uint64_t entry = p->entry_addr ? p->entry_addr :
					 BOOT_LONGMODE_DEFAULT_ENTRY;
	char size[32], ram[32];
	size_t cmdlen;
	int ret;

	if (p->image_size == 0)
		return boot_fail(err, errlen, -EINVAL, "longmode image is empty");
	cmdlen = p->cmdline ? strlen(p->cmdline) : 0;
	if (cmdlen >= BOOT_BLOCK_CMDLINE_SIZE)
		return boot_fail(err, errlen, -EINVAL,
				 "longmode cmdline is %zu bytes (max %d)",
				 cmdlen, BOOT_BLOCK_CMDLINE_SIZE - 1);
	if (entry < BOOT_LM_IMAGE_MIN)
		return boot_fail(err, errlen, -EINVAL,
				 "longmode entry_addr 0x%llx is below 0x%llx (GDT, page tables and boot block live there)",
				 (unsigned long long)entry, BOOT_LM_IMAGE_MIN);
	/* One RAM region must hold it all: the image cannot span the MMIO hole. */
	if (!guest_layout_is_ram(mem->layout, gpa(entry), p->image_size)) {
		boot_fmt_size(size, sizeof(size), p->image_size);
		boot_fmt_size(ram, sizeof(ram), mem->layout->ram_size);
		return boot_fail(err, errlen, -ENOSPC,
				 "longmode image at 0x%llx + %s does not fit in %s of RAM",
				 (unsigned long long)entry, size, ram);
	}

	ret = write_u64s(mem, BOOT_LM_GDT, gdt, ARRAY_SIZE(gdt), err, errlen);
	if (!ret)
		ret = boot_write_identity_map(mem, BOOT_LM_PML4, GIB(4), err,
					      errlen);
	if (!ret)
		ret = write_boot_block(mem, p, err, errlen);
	if (!ret)
		ret = boot_write(mem, entry, p->image, p->image_size, err,
				 errlen);
	if (ret)
		return ret;

	boot_regs_longmode(bsp, entry, BOOT_LM_PML4, 0x08, 0x10, BOOT_LM_GDT,
			   sizeof(gdt) - 1);
	bsp->gpr[REG_RSP] = entry;
	bsp->gpr[REG_RDI] = BOOT_LM_BLOCK;
	return 0;
}

/*
 * The partition's ACPI tables, for the start of the firmware area: RSDP on a
 * 16-byte boundary inside 0xe0000..0xfffff, where OSes without a boot
 * protocol pointer scan for it. They describe the PC platform Plinth
 * emulates for every partition (i8042, CMOS RTC, PM block, reset port).
 * Built before the image is loaded (the Linux loader wants the RSDP's
 * address), written after it, so a refused image leaves memory untouched.
 */
static int build_acpi(unsigned int vcpu_count, const struct acpi_pci_config *pci, uint8_t *buf,
		      size_t size, struct acpi_build_result *r, char *err, size_t errlen)
{
	struct acpi_build_config c;
	int ret;

	acpi_build_config_default(&c, vcpu_count);
	c.has_8042 = true;
	c.has_cmos_rtc = true;
	c.pci = pci;
	ret = acpi_build(&c, buf, size, GUEST_FIRMWARE_START, r);
	if (ret == -ENOSPC)
		return boot_fail(err, errlen, ret,
				 "ACPI tables for %u vCPUs need %zu bytes (max %zu)",
				 vcpu_count, r->size, size);
	if (ret)
		return boot_fail(err, errlen, ret, "cannot build ACPI tables for %u vCPUs (%d)",
				 vcpu_count, ret);
	return 0;
}

static int load_mode(const struct guest_mem_ops *mem, const struct boot_image_params *p,
		     uint64_t rsdp, struct vcpu_regs *bsp, char *err, size_t errlen)
{
	switch (p->mode) {
	case BOOT_REALMODE:
		return load_realmode(mem, p, bsp, err, errlen);
	case BOOT_LONGMODE:
		return load_longmode(mem, p, bsp, err, errlen);
	case BOOT_MULTIBOOT:
		return multiboot_load(mem, p, bsp, err, errlen);
	case BOOT_LINUX:
		return linux_load(mem, p, rsdp, bsp, err, errlen);
	}
	return boot_fail(err, errlen, -EINVAL, "unknown boot mode %d",
			 (int)p->mode);
}

int boot_image_load(const struct guest_mem_ops *mem,
		    const struct boot_image_params *p, struct vcpu_regs *bsp,
		    char *err, size_t errlen)
{
	uint8_t acpi[BOOT_ACPI_MAX_SIZE];
	struct acpi_build_result r = { 0 };
	bool has_acpi;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!mem || !mem->write || !mem->layout || !p || !bsp)
		return boot_fail(err, errlen, -EINVAL, "NULL argument");
	if (!p->image && p->image_size)
		return boot_fail(err, errlen, -EINVAL,
				 "image is NULL but image_size is %zu",
				 p->image_size);
	if (!p->module && p->module_size)
		return boot_fail(err, errlen, -EINVAL,
				 "module is NULL but module_size is %zu",
				 p->module_size);
	if (p->vcpu_count == 0)
		return boot_fail(err, errlen, -EINVAL, "vcpu_count is 0");
	if (p->vcpu_count > ACPI_BUILD_MAX_VCPUS)
		return boot_fail(err, errlen, -EINVAL, "vcpu_count %u is above %u",
				 p->vcpu_count, ACPI_BUILD_MAX_VCPUS);
	if (p->module && p->mode != BOOT_MULTIBOOT && p->mode != BOOT_LINUX)
		return boot_fail(err, errlen, -EINVAL,
				 "a module can only be passed in multiboot or linux mode");

	/* A partition too small to have the firmware area runs without ACPI. */
	has_acpi = guest_layout_is_backed(mem->layout, gpa(GUEST_FIRMWARE_START),
					  GUEST_FIRMWARE_END - GUEST_FIRMWARE_START);
	if (has_acpi) {
		ret = build_acpi(p->vcpu_count, p->pci, acpi, sizeof(acpi), &r, err, errlen);
		if (ret)
			return ret;
	}
	ret = load_mode(mem, p, r.rsdp_gpa, bsp, err, errlen);
	if (!ret && has_acpi)
		ret = boot_write_firmware(mem, GUEST_FIRMWARE_START, acpi, r.size, err, errlen);
	return ret;
}
