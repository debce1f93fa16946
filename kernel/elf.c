/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF64 reader. The input is untrusted (a file off the ESP): every offset is
 * checked against the image size with subtraction, never with an addition
 * that could wrap. No library calls, so the gnu-efi loader can link it as is.
 */
#include <stdarg.h>

#include <plinth/bytes.h>
#include <plinth/elf.h>
#include <plinth/log.h>
#include <plinth/errno.h>

#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define SHDR_SIZE	64
#define SYM_SIZE	24

#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_X86_64	62
#define PN_XNUM		0xffff

#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHN_UNDEF	0

#define STT_NOTYPE	0
#define STT_FUNC	2

/* True if [off, off + len) lies inside an object of the given size. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int __printf(3, 4) fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

/* ---- header access ---- */

static const uint8_t *phdr(const struct elf_image *img, unsigned int i)
{
	return img->data + img->phoff + (uint64_t)i * img->phentsize;
}

static const uint8_t *shdr(const struct elf_image *img, unsigned int i)
{
	return img->data + img->shoff + (uint64_t)i * img->shentsize;
}

static void read_segment(const uint8_t *p, struct elf_segment *seg)
{
	seg->flags = get_le32(p + 4);
	seg->offset = get_le64(p + 8);
	seg->vaddr = get_le64(p + 16);
	seg->paddr = get_le64(p + 24);
	seg->filesz = get_le64(p + 32);
	seg->memsz = get_le64(p + 40);
}

/* Reason a PT_LOAD segment is unusable, or NULL. */
static const char *segment_problem(const struct elf_image *img,
				   const struct elf_segment *seg)
{
	if (seg->filesz > seg->memsz)
		return "has filesz larger than memsz";
	if (seg->offset > UINT64_MAX - seg->filesz)
		return "has offset + filesz overflowing";
	if (!in_bounds(seg->offset, seg->filesz, img->size))
		return "runs past end of file";
	if (seg->vaddr > UINT64_MAX - seg->memsz)
		return "has vaddr + memsz overflowing";
	if (seg->paddr > UINT64_MAX - seg->memsz)
		return "has paddr + memsz overflowing";
	return NULL;
}

/* Checks a table of num entries of entsize (>= minsize) bytes at off. */
static int check_table(const struct elf_image *img, const char *what,
		       uint64_t off, unsigned int num, unsigned int entsize,
		       unsigned int minsize, char *err, size_t errlen)
{
	if (!num)
		return 0;
	if (entsize < minsize)
		return fail(err, errlen, "%s entry size %lu is below %lu", what,
			    (uint64_t)entsize, (uint64_t)minsize);
	if (off > img->size)
		return fail(err, errlen,
			    "%s table offset %lu is past end of file (%lu bytes)",
			    what, off, (uint64_t)img->size);
	for (unsigned int i = 0; i < num; i++)
		if (!in_bounds(off, (uint64_t)(i + 1) * entsize, img->size))
			return fail(err, errlen, "%s %lu runs past end of file",
				    what, (uint64_t)i);
	return 0;
}

int elf_open(struct elf_image *img, const void *data, size_t size, char *err,
	     size_t errlen)
{
	const uint8_t *d = data;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!img || (!data && size))
		return -EINVAL;
	if (size < EHDR_SIZE)
		return fail(err, errlen,
			    "file too small for an ELF header (%lu bytes)",
			    (uint64_t)size);
	if (d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
		return fail(err, errlen, "bad ELF magic");
	if (d[4] != ELFCLASS64)
		return fail(err, errlen, "not ELFCLASS64 (class %lu)",
			    (uint64_t)d[4]);
	if (d[5] != ELFDATA2LSB)
		return fail(err, errlen, "not little endian (data %lu)",
			    (uint64_t)d[5]);
	if (d[6] != EV_CURRENT || get_le32(d + 20) != EV_CURRENT)
		return fail(err, errlen, "unsupported ELF version");
	if (get_le16(d + 16) != ET_EXEC)
		return fail(err, errlen, "not an ET_EXEC executable (type %lu)",
			    (uint64_t)get_le16(d + 16));
	if (get_le16(d + 18) != EM_X86_64)
		return fail(err, errlen, "not x86-64 (machine %lu)",
			    (uint64_t)get_le16(d + 18));
	if (get_le16(d + 52) != EHDR_SIZE)
		return fail(err, errlen, "ELF header size %lu, expected 64",
			    (uint64_t)get_le16(d + 52));

	img->data = d;
	img->size = size;
	img->entry = get_le64(d + 24);
	img->phoff = get_le64(d + 32);
	img->shoff = get_le64(d + 40);
	img->phentsize = get_le16(d + 54);
	img->phnum = get_le16(d + 56);
	img->shentsize = get_le16(d + 58);
	img->shnum = get_le16(d + 60);
	img->shstrndx = get_le16(d + 62);

	if (img->phnum == 0)
		return fail(err, errlen, "no program headers");
	if (img->phnum == PN_XNUM)
		return fail(err, errlen,
			    "extended program header numbering not supported");
	if (img->shnum == 0 && img->shoff != 0)
		return fail(err, errlen,
			    "extended section numbering not supported");
	ret = check_table(img, "program header", img->phoff, img->phnum,
			  img->phentsize, PHDR_SIZE, err, errlen);
	if (ret)
		return ret;
	ret = check_table(img, "section header", img->shoff, img->shnum,
			  img->shentsize, SHDR_SIZE, err, errlen);
	if (ret)
		return ret;
	if (img->shstrndx != SHN_UNDEF && img->shstrndx >= img->shnum)
		return fail(err, errlen,
			    "section name table index %lu out of range (%lu sections)",
			    (uint64_t)img->shstrndx, (uint64_t)img->shnum);

	for (unsigned int i = 0; i < img->phnum; i++) {
		struct elf_segment seg;
		const char *why;

		if (get_le32(phdr(img, i)) != ELF_PT_LOAD)
			continue;
		read_segment(phdr(img, i), &seg);
		why = segment_problem(img, &seg);
		if (why)
			return fail(err, errlen, "PT_LOAD program header %lu %s",
				    (uint64_t)i, why);
	}
	return 0;
}

int elf_for_each_load(const struct elf_image *img,
		      int (*fn)(void *ctx, const struct elf_segment *seg),
		      void *ctx)
{
	if (!img || !img->data || !fn)
		return -EINVAL;
	for (unsigned int i = 0; i < img->phnum; i++) {
		struct elf_segment seg;
		int ret;

		if (get_le32(phdr(img, i)) != ELF_PT_LOAD)
			continue;
		read_segment(phdr(img, i), &seg);
		if (segment_problem(img, &seg))
			return -ENOEXEC;
		ret = fn(ctx, &seg);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t elf_entry(const struct elf_image *img)
{
	return img->entry;
}

struct bounds {
	uint64_t lo, hi;
	bool any;
};

static int bounds_fn(void *ctx, const struct elf_segment *seg)
{
	struct bounds *b = ctx;

	if (!b->any || seg->vaddr < b->lo)
		b->lo = seg->vaddr;
	if (!b->any || seg->vaddr + seg->memsz > b->hi)
		b->hi = seg->vaddr + seg->memsz;
	b->any = true;
	return 0;
}

int elf_load_bounds(const struct elf_image *img, uint64_t *lowest_vaddr,
		    uint64_t *highest_vaddr_end)
{
	struct bounds b = { 0, 0, false };
	int ret = elf_for_each_load(img, bounds_fn, &b);

	if (ret)
		return ret;
	if (!b.any)
		return -ENOENT;
	if (lowest_vaddr)
		*lowest_vaddr = b.lo;
	if (highest_vaddr_end)
		*highest_vaddr_end = b.hi;
	return 0;
}

/* File range of section i, or false if it lies outside the image. */
static bool section_range(const struct elf_image *img, unsigned int i,
			  uint64_t *off, uint64_t *size)
{
	const uint8_t *sh = shdr(img, i);

	*off = get_le64(sh + 24);
	*size = get_le64(sh + 32);
	return in_bounds(*off, *size, img->size);
}

int elf_find_symtab(const struct elf_image *img, struct elf_symtab *out)
{
	if (!img || !img->data || !out)
		return -EINVAL;
	for (unsigned int i = 0; i < img->shnum; i++) {
		const uint8_t *sh = shdr(img, i);
		uint64_t off, size, str_off, str_size;
		uint32_t link;

		if (get_le32(sh + 4) != SHT_SYMTAB)
			continue;
		if (!section_range(img, i, &off, &size) ||
		    get_le64(sh + 56) != SYM_SIZE || size % SYM_SIZE)
			return -ENOEXEC;
		link = get_le32(sh + 40);
		if (link == SHN_UNDEF || link >= img->shnum ||
		    get_le32(shdr(img, link) + 4) != SHT_STRTAB ||
		    !section_range(img, link, &str_off, &str_size))
			return -ENOEXEC;
		out->syms = img->data + off;
		out->count = size / SYM_SIZE;
		out->strtab = (const char *)img->data + str_off;
		out->strsize = str_size;
		return 0;
	}
	return -ENOENT;
}

struct sym_pick {
	uint64_t value;
	bool contains;
	bool func;
};

/* A symbol containing addr beats one that merely precedes it; then the
 * closer start wins; then FUNC over NOTYPE; else the first one stays. */
static bool better(const struct sym_pick *a, const struct sym_pick *b)
{
	if (a->contains != b->contains)
		return a->contains;
	if (a->value != b->value)
		return a->value > b->value;
	return a->func && !b->func;
}

const char *elf_symbolize(const struct elf_symtab *st, uint64_t addr,
			  uint64_t *offset)
{
	const uint8_t *best = NULL;
	struct sym_pick pick = { 0 }, cand;
	size_t names_end;

	if (!st || !st->syms || !st->strtab || !st->strsize)
		return NULL;
	/* Only names terminated inside the table are usable. */
	names_end = st->strsize;
	while (names_end && st->strtab[names_end - 1] != '\0')
		names_end--;

	for (size_t i = 0; i < st->count; i++) {
		const uint8_t *sym = (const uint8_t *)st->syms + i * SYM_SIZE;
		uint32_t name = get_le32(sym);
		unsigned int type = sym[4] & 0xf;
		uint64_t value = get_le64(sym + 8);
		uint64_t size = get_le64(sym + 16);

		if (type != STT_FUNC && type != STT_NOTYPE)
			continue;
		if (get_le16(sym + 6) == SHN_UNDEF || value > addr)
			continue;
		if (name == 0 || name >= names_end || st->strtab[name] == '\0')
			continue;
		cand.value = value;
		cand.contains = size && addr - value < size;
		cand.func = type == STT_FUNC;
		if (best && !better(&cand, &pick))
			continue;
		best = sym;
		pick = cand;
	}
	if (!best)
		return NULL;
	if (offset)
		*offset = addr - pick.value;
	return st->strtab + get_le32(best);
}
