/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 (spec 0.6.96) loader: ELF32 i386 executables or images with
 * the a.out-kludge address fields, one optional module, started in flat
 * 32-bit protected mode with paging off.
 *
 * Everything about the image is validated before the first guest write, so
 * a rejected image leaves guest RAM untouched. Image fields are read
 * byte-wise: the buffer may have any alignment.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/boot_image.h>
#include <vmm/platform.h>

/* Header flags: bits 0-15 are requirements a loader must fail on if it
 * cannot meet them. Modules are always page-aligned and memory info is
 * always given (bits 0, 1); there is no video mode to offer (bit 2). */
#define MB_FLAG_ADDRESS (1u << 16)
#define MB_FLAGS_UNSUPPORTED 0x0000fffcu

#define ELF32_EHDR_SIZE 52
#define ELF32_PHDR_SIZE 32
#define ELF_PT_LOAD_TYPE 1
#define ELF_ET_EXEC 2
#define ELF_EM_386 3

#define MB_MBI_SIZE 0x80	/* 116 bytes of spec fields, rounded */
#define MB_MMAP_ENTRY 24
#define MB_MMAP_MAX 4		/* what fits between MB_INFO_MMAP and MB_INFO_CMDLINE */
#define MB_LOW_RAM_END 0x9fc00ULL
#define MB_MMAP_RAM 1
#define MB_MMAP_RESERVED 2
#define ADDR32_END (1ULL << 32)

_Static_assert(MB_INFO_MMAP + MB_MMAP_MAX * MB_MMAP_ENTRY <= MB_INFO_CMDLINE &&
	       MB_INFO_GDT + 24 <= MB_INFO_END, "multiboot info area overlaps");
_Static_assert(MB_LOW_RAM_END <= GUEST_FIRMWARE_START, "base memory runs into the firmware area");

#define AR_CODE32 (SEG_G | SEG_DB | SEG_P | SEG_S | 0xb)
#define AR_DATA32 (SEG_G | SEG_DB | SEG_P | SEG_S | 0x3)
#define AR_TSS_BUSY (SEG_P | 0xb)

struct mb_ctx {
	const struct guest_mem_ops *mem;
	const struct boot_image_params *p;
	const uint8_t *img;
	size_t size;
	char *err;
	size_t errlen;
	uint64_t image_end;	/* highest paddr + memsz loaded */
	bool info_clash;	/* a piece covers the default info area */
	uint64_t info;		/* where the info area goes: MB_INFO_BASE unless it clashes */
};

/* Address of a part of the info area, given by its default address. */
static uint64_t info_at(const struct mb_ctx *c, uint64_t dflt)
{
	return c->info + (dflt - MB_INFO_BASE);
}

struct mb_header {
	size_t offset;
	uint32_t flags;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

struct mb_elf {
	uint32_t entry;
	uint32_t phoff;
	uint16_t phentsize, phnum;
};

struct mb_seg {
	uint64_t paddr, vaddr, offset, filesz, memsz;
};

static int find_header(struct mb_ctx *c, struct mb_header *h)
{
	size_t limit = MIN(c->size, (size_t)MB_SEARCH_LIMIT);
	const uint8_t *b = c->img;
	bool bad_sum = false;
	size_t off;

	for (off = 0; off + 12 <= limit; off += 4) {
		b = c->img + off;
		if (get_le32(b) != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(MB_HEADER_MAGIC + get_le32(b + 4) + get_le32(b + 8))) {
			bad_sum = true;
			continue;
		}
		h->offset = off;
		h->flags = get_le32(b + 4);
		break;
	}
	if (off + 12 > limit)
		return boot_fail(c->err, c->errlen, -ENOEXEC, bad_sum ?
				 "multiboot header checksum mismatch" :
				 "multiboot header not found in the first 8192 bytes");
	if (h->flags & MB_FLAGS_UNSUPPORTED)
		return boot_fail(c->err, c->errlen, -ENOTSUP,
				 "multiboot header requires unsupported features (flags 0x%x)",
				 h->flags & MB_FLAGS_UNSUPPORTED);
	if (!(h->flags & MB_FLAG_ADDRESS))
		return 0;
	if (off + 32 > limit)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot header at offset 0x%zx is cut off (address fields need 32 bytes)",
				 off);
	h->header_addr = get_le32(b + 12);
	h->load_addr = get_le32(b + 16);
	h->load_end_addr = get_le32(b + 20);
	h->bss_end_addr = get_le32(b + 24);
	h->entry_addr = get_le32(b + 28);
	return 0;
}

/* Where a piece of the image lands must be RAM the loader does not use. */
static int check_place(struct mb_ctx *c, const char *what, uint64_t paddr,
		       uint64_t memsz)
{
	uint64_t end = paddr + memsz;	/* both < 2^32: no overflow */
	char sz[32], ram[32];

	if (end > ADDR32_END)
		return boot_fail(c->err, c->errlen, -ENOSPC,
				 "%s at 0x%llx + 0x%llx crosses 4 GiB", what,
				 (unsigned long long)paddr,
				 (unsigned long long)memsz);
	if (!guest_layout_is_ram(c->mem->layout, gpa(paddr), memsz)) {
		boot_fmt_size(sz, sizeof(sz), memsz);
		boot_fmt_size(ram, sizeof(ram), c->mem->layout->ram_size);
		return boot_fail(c->err, c->errlen, -ENOSPC,
				 "%s outside guest RAM: 0x%llx + %s, RAM is %s",
				 what, (unsigned long long)paddr, sz, ram);
	}
	/* A kernel linked low gets its info area moved past it (place_info). */
	if (paddr < MB_INFO_END && end > MB_INFO_BASE)
		c->info_clash = true;
	c->image_end = MAX(c->image_end, end);
	return 0;
}

static int load_piece(struct mb_ctx *c, const struct mb_seg *s)
{
	int ret;

	ret = boot_write(c->mem, s->paddr, c->img + s->offset,
			 (size_t)s->filesz, c->err, c->errlen);
	if (ret)
		return ret;
	return boot_zero(c->mem, s->paddr + s->filesz, s->memsz - s->filesz,
			 c->err, c->errlen);
}

/* a.out kludge: one contiguous load area, located via header_addr. */
static int check_aout(struct mb_ctx *c, const struct mb_header *h,
		      struct mb_seg *s, uint32_t *entry)
{
	uint64_t back = (uint64_t)h->header_addr - h->load_addr;
	int ret;

	if (h->load_addr > h->header_addr)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot load_addr 0x%x is above header_addr 0x%x",
				 h->load_addr, h->header_addr);
	if (back > h->offset)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot header_addr - load_addr (0x%llx) exceeds the header offset 0x%zx",
				 (unsigned long long)back, h->offset);
	s->offset = h->offset - back;
	s->paddr = h->load_addr;
	if (h->load_end_addr == 0) {
		s->filesz = c->size - s->offset;
	} else {
		if (h->load_end_addr < h->load_addr)
			return boot_fail(c->err, c->errlen, -ENOEXEC,
					 "multiboot load_end_addr 0x%x is below load_addr 0x%x",
					 h->load_end_addr, h->load_addr);
		s->filesz = h->load_end_addr - h->load_addr;
		if (s->filesz > c->size - s->offset)
			return boot_fail(c->err, c->errlen, -ENOEXEC,
					 "multiboot load_end_addr 0x%x runs past the end of the image",
					 h->load_end_addr);
	}
	s->memsz = s->filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < s->paddr + s->filesz)
			return boot_fail(c->err, c->errlen, -ENOEXEC,
					 "multiboot bss_end_addr 0x%x is below the end of the loaded data 0x%llx",
					 h->bss_end_addr,
					 (unsigned long long)(s->paddr + s->filesz));
		s->memsz = h->bss_end_addr - s->paddr;
	}
	if (s->memsz == 0)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot load area is empty");
	ret = check_place(c, "multiboot load area", s->paddr, s->memsz);
	if (ret)
		return ret;
	if (h->entry_addr < s->paddr || h->entry_addr >= s->paddr + s->memsz)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot entry point 0x%x is outside the loaded image",
				 h->entry_addr);
	*entry = h->entry_addr;
	return 0;
}

static int open_elf(struct mb_ctx *c, struct mb_elf *e)
{
	const uint8_t *b = c->img;

	if (c->size < ELF32_EHDR_SIZE || b[0] != 0x7f || b[1] != 'E' ||
	    b[2] != 'L' || b[3] != 'F')
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot image is not ELF and its header has no address fields (flags bit 16)");
	if (b[4] == 2)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF image is ELF64 (only ELF32 i386 is supported)");
	if (b[4] != 1 || b[5] != 1)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF image is not 32-bit little-endian (class %u, data %u)",
				 b[4], b[5]);
	if (get_le16(b + 16) != ELF_ET_EXEC)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF image is not ET_EXEC (type %u)",
				 get_le16(b + 16));
	if (get_le16(b + 18) != ELF_EM_386)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF machine %u is not i386",
				 get_le16(b + 18));
	e->entry = get_le32(b + 24);
	e->phoff = get_le32(b + 28);
	e->phentsize = get_le16(b + 42);
	e->phnum = get_le16(b + 44);
	if (e->phnum == 0)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF image has no program headers");
	if (e->phentsize < ELF32_PHDR_SIZE)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF phentsize %u is below %d",
				 e->phentsize, ELF32_PHDR_SIZE);
	if ((uint64_t)e->phoff + (uint64_t)e->phnum * e->phentsize > c->size)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF program headers run past the end of the image");
	return 0;
}

static void read_phdr(const struct mb_ctx *c, const struct mb_elf *e,
		      unsigned int i, uint32_t *type, struct mb_seg *s)
{
	const uint8_t *ph = c->img + e->phoff + (size_t)i * e->phentsize;

	*type = get_le32(ph);
	s->offset = get_le32(ph + 4);
	s->vaddr = get_le32(ph + 8);
	s->paddr = get_le32(ph + 12);
	s->filesz = get_le32(ph + 16);
	s->memsz = get_le32(ph + 20);
}

/*
 * Validates every PT_LOAD segment and finds the physical entry point: like
 * GRUB, an e_entry inside a segment's virtual range is translated through
 * that segment's paddr, otherwise it must already be a loaded paddr.
 */
static int check_elf(struct mb_ctx *c, const struct mb_elf *e,
		     uint32_t *entry)
{
	bool have_virt = false, have_phys = false;
	unsigned int i, loads = 0;
	struct mb_seg s;
	uint32_t type;
	char what[48];
	int ret;

	for (i = 0; i < e->phnum; i++) {
		read_phdr(c, e, i, &type, &s);
		if (type != ELF_PT_LOAD_TYPE)
			continue;
		if (s.filesz > s.memsz)
			return boot_fail(c->err, c->errlen, -ENOEXEC,
					 "multiboot ELF segment %u has filesz 0x%llx > memsz 0x%llx",
					 i, (unsigned long long)s.filesz,
					 (unsigned long long)s.memsz);
		if (s.memsz == 0)
			continue;
		if (s.offset + s.filesz > c->size)
			return boot_fail(c->err, c->errlen, -ENOEXEC,
					 "multiboot ELF segment %u file data runs past the end of the image",
					 i);
		snprintf(what, sizeof(what), "multiboot ELF segment %u", i);
		ret = check_place(c, what, s.paddr, s.memsz);
		if (ret)
			return ret;
		loads++;
		if (!have_virt && e->entry >= s.vaddr &&
		    e->entry - s.vaddr < s.memsz) {
			have_virt = true;
			*entry = (uint32_t)(e->entry - s.vaddr + s.paddr);
		}
		if (e->entry >= s.paddr && e->entry - s.paddr < s.memsz)
			have_phys = true;
	}
	if (!loads)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot ELF image has no loadable segment");
	if (have_virt)
		return 0;
	if (!have_phys)
		return boot_fail(c->err, c->errlen, -ENOEXEC,
				 "multiboot entry point 0x%x is outside the loaded image",
				 e->entry);
	*entry = e->entry;
	return 0;
}

static int load_elf(struct mb_ctx *c, const struct mb_elf *e)
{
	struct mb_seg s;
	uint32_t type;
	unsigned int i;
	int ret;

	for (i = 0; i < e->phnum; i++) {
		read_phdr(c, e, i, &type, &s);
		if (type != ELF_PT_LOAD_TYPE || s.memsz == 0)
			continue;
		ret = load_piece(c, &s);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The info area stays at MB_INFO_BASE, in the free memory below 640 KiB, unless
 * the kernel's own segments cover it: then it goes right after the image, where
 * no segment is (image_end is the end of the highest one).
 */
static int place_info(struct mb_ctx *c)
{
	c->info = c->info_clash ? ALIGN_UP(c->image_end, PAGE_SIZE) : MB_INFO_BASE;
	if (c->info + (MB_INFO_END - MB_INFO_BASE) > ADDR32_END ||
	    !guest_layout_is_ram(c->mem->layout, gpa(c->info), MB_INFO_END - MB_INFO_BASE))
		return boot_fail(c->err, c->errlen, -ENOSPC,
				 "no room for the multiboot info area after the image (ends 0x%llx)",
				 (unsigned long long)c->image_end);
	return 0;
}

/*
 * Right after the image and the info area, in the same (low) RAM region: the image ends below
 * 4 GiB and so in low RAM, which ends at the MMIO hole, so the 32-bit
 * mod_end cannot overflow either.
 */
static int place_module(struct mb_ctx *c, uint64_t *start)
{
	uint64_t ram = c->mem->layout->ram_size;
	char sz[32], r[32];

	*start = ALIGN_UP(MAX(c->image_end, info_at(c, MB_INFO_END)), PAGE_SIZE);
	if (!guest_layout_is_ram(c->mem->layout, gpa(*start), c->p->module_size)) {
		boot_fmt_size(sz, sizeof(sz), c->p->module_size);
		boot_fmt_size(r, sizeof(r), ram);
		return boot_fail(c->err, c->errlen, -ENOSPC,
				 "multiboot module of %s at 0x%llx does not fit in %s of RAM%s",
				 sz, (unsigned long long)*start, r,
				 ram > GUEST_MMIO_HOLE_START ? " below the MMIO hole" : "");
	}
	return 0;
}

/*
 * The memory map straight from the layout: low RAM split around the legacy
 * 640 KiB..1 MiB area, then any RAM above the hole. Returns its size in bytes.
 */
static size_t mmap_add(uint8_t *mmap, size_t n, uint64_t start, uint64_t size, uint32_t type)
{
	/* A layout with more RAM regions than the area holds loses the top ones. */
	if (n + MB_MMAP_ENTRY > MB_MMAP_MAX * MB_MMAP_ENTRY)
		return n;
	/* The size field counts the entry without itself. */
	put_le32(mmap + n, MB_MMAP_ENTRY - 4);
	put_le64(mmap + n + 4, start);
	put_le64(mmap + n + 12, size);
	put_le32(mmap + n + 20, type);
	return n + MB_MMAP_ENTRY;
}

/* Base memory stops at 640 KiB, as on PCs; the MMIO hole is left out as before. */
static size_t build_mmap(const struct guest_layout *l, uint8_t *mmap)
{
	const struct guest_region *r;
	size_t n = 0;

	guest_layout_for_each(l, r) {
		if (r->type == GUEST_REGION_RESERVED)
			n = mmap_add(mmap, n, r->start.v, r->size, MB_MMAP_RESERVED);
		else if (r->type == GUEST_REGION_RAM)
			n = mmap_add(mmap, n, r->start.v,
				     r->start.v == 0 ? MIN(r->size, MB_LOW_RAM_END) : r->size,
				     MB_MMAP_RAM);
	}
	return n;
}

static int write_info(struct mb_ctx *c, const char *cmdline,
		      const char *modname, uint64_t mod_start)
{
	static const uint64_t gdt[3] = {
		0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
	};
	const struct guest_region *low = guest_layout_find(c->mem->layout, gpa(MIB(1)));
	uint8_t mbi[MB_MBI_SIZE], mods[16], mmap[MB_MMAP_MAX * MB_MMAP_ENTRY], g[24];
	/* Upper memory is the RAM from 1 MiB up to the first hole: low RAM only. */
	uint64_t upper = low->size / 1024;
	size_t mmap_len = build_mmap(c->mem->layout, mmap);
	unsigned int i;
	int ret;

	memset(mbi, 0, sizeof(mbi));
	put_le32(mbi + 0, MB_INFO_MEMORY | MB_INFO_CMDLINE_VALID |
		       MB_INFO_MODS_VALID | MB_INFO_MMAP_VALID);
	put_le32(mbi + 4, 640);
	put_le32(mbi + 8, (uint32_t)MIN(upper, 0xffffffffULL));
	put_le32(mbi + 16, (uint32_t)info_at(c, MB_INFO_CMDLINE));
	put_le32(mbi + 20, c->p->module ? 1 : 0);
	put_le32(mbi + 24, (uint32_t)info_at(c, MB_INFO_MODS));
	put_le32(mbi + 44, (uint32_t)mmap_len);
	put_le32(mbi + 48, (uint32_t)info_at(c, MB_INFO_MMAP));

	memset(mods, 0, sizeof(mods));
	if (c->p->module) {
		put_le32(mods + 0, (uint32_t)mod_start);
		put_le32(mods + 4, (uint32_t)(mod_start + c->p->module_size));
		put_le32(mods + 8, (uint32_t)info_at(c, MB_INFO_MODNAME));
	}

	for (i = 0; i < ARRAY_SIZE(gdt); i++)
		put_le64(g + 8 * i, gdt[i]);

	ret = boot_zero(c->mem, c->info, MB_INFO_END - MB_INFO_BASE,
			c->err, c->errlen);
	if (!ret)
		ret = boot_write(c->mem, c->info, mbi, sizeof(mbi),
				 c->err, c->errlen);
	if (!ret)
		ret = boot_write(c->mem, info_at(c, MB_INFO_MODS), mods, sizeof(mods),
				 c->err, c->errlen);
	if (!ret)
		ret = boot_write(c->mem, info_at(c, MB_INFO_MMAP), mmap, mmap_len,
				 c->err, c->errlen);
	if (!ret)
		ret = boot_write(c->mem, info_at(c, MB_INFO_GDT), g, sizeof(g), c->err,
				 c->errlen);
	if (!ret)
		ret = boot_write(c->mem, info_at(c, MB_INFO_CMDLINE), cmdline,
				 strlen(cmdline) + 1, c->err, c->errlen);
	if (!ret)
		ret = boot_write(c->mem, info_at(c, MB_INFO_MODNAME), modname,
				 strlen(modname) + 1, c->err, c->errlen);
	return ret;
}

static void set_regs(const struct mb_ctx *c, struct vcpu_regs *r, uint32_t entry)
{
	struct segment data = { .selector = 0x10, .base = 0,
				.limit = 0xffffffff, .attr = AR_DATA32 };

	memset(r, 0, sizeof(*r));
	r->gpr[REG_RAX] = MB_BOOT_MAGIC;
	r->gpr[REG_RBX] = c->info;
	r->rip = entry;
	r->rflags = 0x2;
	r->cr0 = 0x11;	/* PE | ET */
	r->cs = (struct segment){ .selector = 0x08, .base = 0,
				  .limit = 0xffffffff, .attr = AR_CODE32 };
	r->ds = data;
	r->es = data;
	r->fs = data;
	r->gs = data;
	r->ss = data;
	r->tr = (struct segment){ .limit = 0x67, .attr = AR_TSS_BUSY };
	r->ldtr = (struct segment){ .unusable = true };
	/* The spec lets GDTR be invalid; a valid one costs 24 bytes and
	 * keeps a guest that reloads CS/DS with these selectors working. */
	r->gdtr.base = info_at(c, MB_INFO_GDT);
	r->gdtr.limit = 23;
}

int multiboot_load(const struct guest_mem_ops *mem,
		   const struct boot_image_params *p, struct vcpu_regs *bsp,
		   char *err, size_t errlen)
{
	struct mb_ctx c = { .mem = mem, .p = p, .img = p->image,
			    .size = p->image_size, .err = err,
			    .errlen = errlen };
	const char *cmdline = p->cmdline ? p->cmdline : "";
	const char *modname = p->module_name ? p->module_name : "";
	struct mb_header h = { 0 };
	struct mb_elf e = { 0 };
	struct mb_seg aout = { 0 };
	uint64_t mod_start = 0;
	uint32_t entry = 0;
	char ram[32];
	int ret;

	if (!guest_layout_is_ram(mem->layout, gpa(0), MB_LOW_RAM_END) ||
	    !guest_layout_is_ram(mem->layout, gpa(MIB(1)), 1)) {
		boot_fmt_size(ram, sizeof(ram), mem->layout->ram_size);
		return boot_fail(err, errlen, -ENOSPC,
				 "multiboot needs more than 1 MiB of RAM (have %s)",
				 ram);
	}
	if (strlen(cmdline) >= MB_CMDLINE_MAX)
		return boot_fail(err, errlen, -EINVAL,
				 "multiboot cmdline is %zu bytes (max %d)",
				 strlen(cmdline), MB_CMDLINE_MAX - 1);
	if (strlen(modname) >= MB_MODNAME_MAX)
		return boot_fail(err, errlen, -EINVAL,
				 "multiboot module name is %zu bytes (max %d)",
				 strlen(modname), MB_MODNAME_MAX - 1);

	ret = find_header(&c, &h);
	if (ret)
		return ret;
	if (h.flags & MB_FLAG_ADDRESS)
		ret = check_aout(&c, &h, &aout, &entry);
	else if (!(ret = open_elf(&c, &e)))
		ret = check_elf(&c, &e, &entry);
	if (!ret)
		ret = place_info(&c);
	if (!ret && p->module)
		ret = place_module(&c, &mod_start);
	if (ret)
		return ret;

	/* Validated: from here on only the write callback can fail. */
	if (h.flags & MB_FLAG_ADDRESS)
		ret = load_piece(&c, &aout);
	else
		ret = load_elf(&c, &e);
	if (!ret && p->module)
		ret = boot_write(mem, mod_start, p->module, p->module_size,
				 err, errlen);
	if (!ret)
		ret = write_info(&c, cmdline, modname, mod_start);
	if (ret)
		return ret;
	set_regs(&c, bsp, entry);
	return 0;
}
