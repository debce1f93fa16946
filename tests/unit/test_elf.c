/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include <plinth/elf.h>
#include <plinth/errno.h>
#include <plinth/types.h>

/* <string.h> would clash with plinth/errno.h's strerror(). */
#define memcpy __builtin_memcpy
#define memset __builtin_memset
#define strcmp __builtin_strcmp

/* ---- building ELF images by hand ---- */

#define T	0xffffffff80100000ULL	/* .text vaddr */
#define D	0xffffffff80101000ULL	/* .data vaddr */
#define NSYMS	10
#define NSECT	5

static uint8_t img_buf[4096];
static size_t img_len;
/* Where the pieces ended up, for the mutation tests. */
static size_t ph_off, sh_off, sym_off, str_off, str_len, text_off, data_off;

static void w16(size_t off, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		img_buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void w32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img_buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void w64(size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		img_buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_phdr(unsigned int i, uint32_t type, uint32_t flags,
		     uint64_t off, uint64_t vaddr, uint64_t filesz,
		     uint64_t memsz)
{
	size_t p = ph_off + i * 56;

	w32(p, type);
	w32(p + 4, flags);
	w64(p + 8, off);
	w64(p + 16, vaddr);
	w64(p + 24, vaddr - 0xffffffff80000000ULL);
	w64(p + 32, filesz);
	w64(p + 40, memsz);
	w64(p + 48, 0x1000);
}

static void put_shdr(unsigned int i, uint32_t name, uint32_t type,
		     uint64_t off, uint64_t size, uint32_t link,
		     uint64_t entsize)
{
	size_t p = sh_off + i * 64;

	w32(p, name);
	w32(p + 4, type);
	w64(p + 24, off);
	w64(p + 32, size);
	w32(p + 40, link);
	w64(p + 56, entsize);
}

static void put_sym(uint8_t *base, unsigned int i, uint32_t name,
		    uint8_t info, uint16_t shndx, uint64_t value, uint64_t size)
{
	uint8_t *p = base + i * 24;

	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(name >> (8 * k));
	p[4] = info;
	p[5] = 0;
	p[6] = (uint8_t)shndx;
	p[7] = (uint8_t)(shndx >> 8);
	for (int k = 0; k < 8; k++) {
		p[8 + k] = (uint8_t)(value >> (8 * k));
		p[16 + k] = (uint8_t)(size >> (8 * k));
	}
}

#define FUNC	0x12	/* STB_GLOBAL | STT_FUNC */
#define NOTYPE	0x10
#define OBJECT	0x11
#define FILE_	0x04
#define SECTION	0x03

static const char strtab[] =
	"\0kernel.c\0start\0main\0local_label\0tail\0data_obj\0ext\0dup_notype";
static const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.shstrtab";

static uint32_t name_of(const char *tab, size_t len, const char *s)
{
	for (uint32_t i = 1; i < len; i++)
		if (!strcmp(tab + i, s))
			return i;
	fail_msg("no string %s", s);
	return 0;
}

#define SN(s) name_of(strtab, sizeof(strtab), s)

/*
 * Layout A: ehdr, phdrs, text, data, symtab, strtab, shstrtab, shdrs.
 * Layout B (sh_first): ehdr, phdrs, shdrs, symtab, strtab, shstrtab, text,
 * data, so truncation cuts segments rather than the section table.
 */
static void build(bool sh_first)
{
	size_t pos;
	uint8_t *sym;

	memset(img_buf, 0, sizeof(img_buf));
	ph_off = 64;
	pos = ph_off + 3 * 56;
	if (sh_first) {
		sh_off = pos;
		pos += NSECT * 64;
	} else {
		text_off = 0x100;
		data_off = text_off + 0x40;
		pos = data_off + 0x10;
	}
	sym_off = pos;
	str_off = sym_off + NSYMS * 24;
	str_len = sizeof(strtab);
	pos = str_off + str_len + sizeof(shstrtab);
	if (sh_first) {
		text_off = pos;
		data_off = text_off + 0x40;
		img_len = data_off + 0x10;
	} else {
		sh_off = (pos + 7) & ~7UL;
		img_len = sh_off + NSECT * 64;
	}

	memcpy(img_buf, "\x7f" "ELF\x02\x01\x01", 7);
	w16(16, 2);		/* ET_EXEC */
	w16(18, 62);		/* EM_X86_64 */
	w32(20, 1);
	w64(24, T + 0x10);
	w64(32, ph_off);
	w64(40, sh_off);
	w16(52, 64);
	w16(54, 56);
	w16(56, 3);
	w16(58, 64);
	w16(60, NSECT);
	w16(62, 4);

	put_phdr(0, 1, 5, text_off, T, 0x40, 0x40);
	/* PT_NOTE with garbage: only PT_LOAD is checked. */
	put_phdr(1, 4, 0, UINT64_MAX, 0, UINT64_MAX, 0);
	put_phdr(2, 1, 6, data_off, D, 0x10, 0x2000);
	memset(img_buf + text_off, 0xcc, 0x40);
	memset(img_buf + data_off, 0x5a, 0x10);

	sym = img_buf + sym_off;
	put_sym(sym, 1, SN("kernel.c"), FILE_, 0xfff1, 0, 0);
	put_sym(sym, 2, SN("start"), FUNC, 1, T, 0x10);
	put_sym(sym, 3, SN("main"), FUNC, 1, T + 0x10, 0x20);
	put_sym(sym, 4, SN("local_label"), NOTYPE, 1, T + 0x18, 0);
	put_sym(sym, 5, SN("tail"), FUNC, 1, T + 0x30, 0);
	put_sym(sym, 6, SN("data_obj"), OBJECT, 1, D, 0x10);
	put_sym(sym, 7, SN("ext"), FUNC, 0, 0, 0);
	put_sym(sym, 8, 0xffff, FUNC, 1, T + 0x20, 4);
	put_sym(sym, 9, SN("dup_notype"), NOTYPE, 1, T, 0x10);
	memcpy(img_buf + str_off, strtab, sizeof(strtab));
	memcpy(img_buf + str_off + str_len, shstrtab, sizeof(shstrtab));

	put_shdr(1, 1, 1, text_off, 0x40, 0, 0);
	put_shdr(2, 7, 2, sym_off, NSYMS * 24, 3, 24);
	put_shdr(3, 15, 3, str_off, str_len, 0, 0);
	put_shdr(4, 23, 3, str_off + str_len, sizeof(shstrtab), 0, 0);
}

/* Opens a heap copy of exactly len bytes so ASan sees any over-read. */
static int open_copy(size_t len, char *err, size_t errlen,
		     struct elf_image *img, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, img_buf, len);
	return elf_open(img, *copy, len, err, errlen);
}

/* ---- tests ---- */

struct seg_log {
	unsigned int n;
	struct elf_segment segs[4];
	int stop_with;
};

static int log_seg(void *ctx, const struct elf_segment *seg)
{
	struct seg_log *log = ctx;

	assert_true(log->n < 4);
	log->segs[log->n++] = *seg;
	return log->stop_with;
}

static void expect_sym(const struct elf_symtab *st, uint64_t addr,
		       const char *name, uint64_t want_off)
{
	uint64_t off = 12345;
	const char *got = elf_symbolize(st, addr, &off);

	assert_non_null(got);
	assert_string_equal(got, name);
	assert_int_equal(off, want_off);
}

static void test_open_good(void **state)
{
	struct elf_image img;
	struct seg_log log = { 0 };
	struct elf_symtab st;
	uint64_t lo = 0, hi = 0;
	char err[128] = "junk";

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		build(layout);
		assert_int_equal(elf_open(&img, img_buf, img_len, err,
					  sizeof(err)), 0);
		assert_string_equal(err, "");
		assert_int_equal(elf_entry(&img), T + 0x10);

		log.n = 0;
		assert_int_equal(elf_for_each_load(&img, log_seg, &log), 0);
		assert_int_equal(log.n, 2);
		assert_int_equal(log.segs[0].vaddr, T);
		assert_int_equal(log.segs[0].paddr, 0x100000);
		assert_int_equal(log.segs[0].offset, text_off);
		assert_int_equal(log.segs[0].filesz, 0x40);
		assert_int_equal(log.segs[0].memsz, 0x40);
		assert_int_equal(log.segs[0].flags, ELF_PF_R | ELF_PF_X);
		assert_int_equal(log.segs[1].vaddr, D);
		assert_int_equal(log.segs[1].offset, data_off);
		assert_int_equal(log.segs[1].filesz, 0x10);
		assert_int_equal(log.segs[1].memsz, 0x2000);
		assert_int_equal(log.segs[1].flags, ELF_PF_R | ELF_PF_W);

		assert_int_equal(elf_load_bounds(&img, &lo, &hi), 0);
		assert_int_equal(lo, T);
		assert_int_equal(hi, D + 0x2000);

		assert_int_equal(elf_find_symtab(&img, &st), 0);
		assert_ptr_equal(st.syms, img_buf + sym_off);
		assert_int_equal(st.count, NSYMS);
		assert_ptr_equal(st.strtab, (const char *)img_buf + str_off);
		assert_int_equal(st.strsize, sizeof(strtab));

		/* FUNC beats the NOTYPE alias at the same address. */
		expect_sym(&st, T, "start", 0);
		expect_sym(&st, T + 5, "start", 5);
		/* Containing function beats the closer sizeless label. */
		expect_sym(&st, T + 0x1c, "main", 0xc);
		/* The closer one with a bad name offset is ignored. */
		expect_sym(&st, T + 0x21, "main", 0x11);
		expect_sym(&st, T + 0x38, "tail", 8);
		/* Objects never explain code addresses. */
		expect_sym(&st, D + 4, "tail", D + 4 - T - 0x30);
		assert_null(elf_symbolize(&st, T - 1, NULL));
		assert_string_equal(elf_symbolize(&st, T + 0x11, NULL), "main");
	}
}

static void test_callback_stop_and_args(void **state)
{
	struct elf_image img;
	struct seg_log log = { .stop_with = 7 };

	(void)state;
	build(false);
	assert_int_equal(elf_open(&img, img_buf, img_len, NULL, 0), 0);
	assert_int_equal(elf_for_each_load(&img, log_seg, &log), 7);
	assert_int_equal(log.n, 1);
	assert_int_equal(elf_for_each_load(&img, NULL, &log), -EINVAL);
	assert_int_equal(elf_for_each_load(NULL, log_seg, &log), -EINVAL);
	assert_int_equal(elf_open(NULL, img_buf, img_len, NULL, 0), -EINVAL);
	assert_int_equal(elf_open(&img, NULL, 10, NULL, 0), -EINVAL);
	assert_int_equal(elf_open(&img, NULL, 0, NULL, 0), -ENOEXEC);
	assert_int_equal(elf_find_symtab(&img, NULL), -EINVAL);
	assert_null(elf_symbolize(NULL, T, NULL));

	/* No PT_LOAD at all: bounds report -ENOENT. */
	w32(ph_off, 6);
	w32(ph_off + 2 * 56, 6);
	assert_int_equal(elf_open(&img, img_buf, img_len, NULL, 0), 0);
	assert_int_equal(elf_load_bounds(&img, NULL, NULL), -ENOENT);
}

static void test_truncated(void **state)
{
	struct elf_image img;
	struct elf_symtab st;
	char err[128];
	uint8_t *copy;

	(void)state;
	for (int layout = 0; layout < 2; layout++) {
		build(layout);
		for (size_t len = 0; len < img_len; len++) {
			memset(err, 0, sizeof(err));
			assert_int_equal(open_copy(len, err, sizeof(err), &img,
						   &copy), -ENOEXEC);
			assert_true(err[0] != '\0');
			free(copy);
		}
		assert_int_equal(open_copy(img_len, err, sizeof(err), &img,
					   &copy), 0);
		assert_int_equal(elf_find_symtab(&img, &st), 0);
		free(copy);
	}
	build(false);
	assert_int_equal(open_copy(10, err, sizeof(err), &img, &copy), -ENOEXEC);
	assert_string_equal(err, "file too small for an ELF header (10 bytes)");
	free(copy);
	build(true);
	assert_int_equal(open_copy(img_len - 1, err, sizeof(err), &img, &copy),
			 -ENOEXEC);
	assert_string_equal(err, "PT_LOAD program header 2 runs past end of file");
	free(copy);
	build(false);
	assert_int_equal(open_copy(img_len - 1, err, sizeof(err), &img, &copy),
			 -ENOEXEC);
	assert_string_equal(err, "section header 4 runs past end of file");
	free(copy);
}

struct mutation {
	const char *what;
	void (*apply)(void);
	const char *err;
};

static void m_magic(void) { img_buf[1] = 'e'; }
static void m_class(void) { img_buf[4] = 1; }
static void m_data(void) { img_buf[5] = 2; }
static void m_version(void) { w32(20, 0); }
static void m_dyn(void) { w16(16, 3); }
static void m_machine(void) { w16(18, 3); }
static void m_ehsize(void) { w16(52, 52); }
static void m_nophdr(void) { w16(56, 0); }
static void m_phxnum(void) { w16(56, 0xffff); }
static void m_phoff_huge(void) { w64(32, UINT64_MAX - 8); }
static void m_phoff_late(void) { w64(32, img_len - 100); }
static void m_phent_big(void) { w16(54, 0xffff); w16(56, 0xfffe); }
static void m_phent_small(void) { w16(54, 40); }
static void m_shxnum(void) { w16(60, 0); }
static void m_shoff_huge(void) { w64(40, img_len + 1); }
static void m_shent_small(void) { w16(58, 63); }
static void m_shstrndx(void) { w16(62, 9); }
static void m_filesz(void) { w64(ph_off + 32, 0x41); }
static void m_off_wrap(void) { w64(ph_off + 8, UINT64_MAX - 4); }
static void m_off_late(void) { w64(ph_off + 8, img_len - 8); }
static void m_vaddr_wrap(void) { w64(ph_off + 2 * 56 + 16, UINT64_MAX - 0x100); }
static void m_paddr_wrap(void) { w64(ph_off + 24, UINT64_MAX - 0x10); }

static void test_bad_headers(void **state)
{
	static char late[128], huge[128];
	const struct mutation muts[] = {
		{ "magic", m_magic, "bad ELF magic" },
		{ "class", m_class, "not ELFCLASS64 (class 1)" },
		{ "data", m_data, "not little endian (data 2)" },
		{ "version", m_version, "unsupported ELF version" },
		{ "type", m_dyn, "not an ET_EXEC executable (type 3)" },
		{ "machine", m_machine, "not x86-64 (machine 3)" },
		{ "ehsize", m_ehsize, "ELF header size 52, expected 64" },
		{ "phnum 0", m_nophdr, "no program headers" },
		{ "PN_XNUM", m_phxnum,
		  "extended program header numbering not supported" },
		{ "phoff huge", m_phoff_huge, huge },
		{ "phoff late", m_phoff_late,
		  "program header 1 runs past end of file" },
		{ "phentsize*phnum", m_phent_big,
		  "program header 0 runs past end of file" },
		{ "phentsize small", m_phent_small,
		  "program header entry size 40 is below 56" },
		{ "shnum 0", m_shxnum, "extended section numbering not supported" },
		{ "shoff", m_shoff_huge, late },
		{ "shentsize", m_shent_small,
		  "section header entry size 63 is below 64" },
		{ "shstrndx", m_shstrndx,
		  "section name table index 9 out of range (5 sections)" },
		{ "filesz>memsz", m_filesz,
		  "PT_LOAD program header 0 has filesz larger than memsz" },
		{ "offset wrap", m_off_wrap,
		  "PT_LOAD program header 0 has offset + filesz overflowing" },
		{ "offset late", m_off_late,
		  "PT_LOAD program header 0 runs past end of file" },
		{ "vaddr wrap", m_vaddr_wrap,
		  "PT_LOAD program header 2 has vaddr + memsz overflowing" },
		{ "paddr wrap", m_paddr_wrap,
		  "PT_LOAD program header 0 has paddr + memsz overflowing" },
	};
	struct elf_image img;
	char err[128];

	(void)state;
	build(false);
	snprintf(huge, sizeof(huge),
		 "program header table offset %llu is past end of file (%zu bytes)",
		 (unsigned long long)UINT64_MAX - 8, img_len);
	snprintf(late, sizeof(late),
		 "section header table offset %zu is past end of file (%zu bytes)",
		 img_len + 1, img_len);
	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		build(false);
		muts[i].apply();
		memset(err, 'x', sizeof(err));
		if (elf_open(&img, img_buf, img_len, err, sizeof(err)) !=
		    -ENOEXEC)
			fail_msg("%s: accepted", muts[i].what);
		if (strcmp(err, muts[i].err))
			fail_msg("%s: got \"%s\"", muts[i].what, err);
		/* No buffer, tiny buffers: still just an error. */
		assert_int_equal(elf_open(&img, img_buf, img_len, NULL, 0),
				 -ENOEXEC);
		err[0] = 'x';
		assert_int_equal(elf_open(&img, img_buf, img_len, err, 1),
				 -ENOEXEC);
		assert_int_equal(err[0], '\0');
	}
	build(false);
	m_magic();
	assert_int_equal(elf_open(&img, img_buf, img_len, err, 8), -ENOEXEC);
	assert_string_equal(err, "bad ELF");
}

static void test_symtab_bad(void **state)
{
	struct elf_image img;
	struct elf_symtab st;
	const size_t symsh = 2 * 64, strsh = 3 * 64;

	(void)state;
	/* Each mutation is applied to a fresh image and must be refused. */
	for (int m = 0; m < 9; m++) {
		int want = -ENOEXEC;

		build(false);
		switch (m) {
		case 0: w32(sh_off + symsh + 4, 1); want = -ENOENT; break;
		case 1: w32(sh_off + symsh + 40, 0); break;
		case 2: w32(sh_off + symsh + 40, 99); break;
		case 3: w32(sh_off + symsh + 40, 1); break;	/* .text */
		case 4: w64(sh_off + symsh + 24, img_len - 8); break;
		case 5: w64(sh_off + symsh + 32, NSYMS * 24 - 1); break;
		case 6: w64(sh_off + symsh + 56, 16); break;
		case 7: w64(sh_off + strsh + 24, UINT64_MAX - 2); break;
		case 8: w64(sh_off + strsh + 32, img_len); break;
		}
		assert_int_equal(elf_open(&img, img_buf, img_len, NULL, 0), 0);
		assert_int_equal(elf_find_symtab(&img, &st), want);
	}
	/* No sections at all is a valid executable without symbols. */
	build(false);
	w64(40, 0);
	w16(60, 0);
	w16(62, 0);
	assert_int_equal(elf_open(&img, img_buf, img_len, NULL, 0), 0);
	assert_int_equal(elf_find_symtab(&img, &st), -ENOENT);
}

static void test_symbolize_rules(void **state)
{
	/* Odd offset: the reader must not assume aligned records. */
	static uint8_t raw[1 + 12 * 24];
	static const char names[] = "\0outer\0inner\0near\0ab\0cd\0unterm";
	uint8_t *s = raw + 1;
	struct elf_symtab st = { s, 11, names, sizeof(names) - 1 };
	const uint64_t top = UINT64_MAX - 0xff;

	(void)state;
	memset(raw, 0, sizeof(raw));
	put_sym(s, 0, 1, FUNC, 1, 0x1000, 0x1000);	/* outer */
	put_sym(s, 1, 7, FUNC, 1, 0x1100, 0x10);	/* inner */
	put_sym(s, 2, 13, NOTYPE, 1, 0x1800, 0);	/* near, sizeless */
	put_sym(s, 3, 18, NOTYPE, 1, 0x3000, 0);	/* ab */
	put_sym(s, 4, 21, NOTYPE, 1, 0x3000, 0);	/* cd: tie, first wins */
	put_sym(s, 5, 24, FUNC, 1, 0x4000, 0);		/* unterminated name */
	put_sym(s, 6, 0, FUNC, 1, 0x4100, 0);		/* empty name */
	put_sym(s, 7, 6, FUNC, 1, 0x4200, 0);		/* name "" (a NUL) */
	put_sym(s, 8, 7, SECTION, 1, 0x4300, 0);
	put_sym(s, 9, 13, FUNC, 1, top, UINT64_MAX);	/* size overflows */
	put_sym(s, 10, 7, FUNC, 0, 0x4400, 0);		/* undefined */

	expect_sym(&st, 0x1000, "outer", 0);
	expect_sym(&st, 0x110f, "inner", 0xf);
	expect_sym(&st, 0x1110, "outer", 0x110);
	/* Contained in outer, even though "near" starts closer. */
	expect_sym(&st, 0x1900, "outer", 0x900);
	expect_sym(&st, 0x2000, "near", 0x800);
	expect_sym(&st, 0x3001, "ab", 1);
	/* Symbols 5..8, 10 are unusable: "ab" still explains these. */
	expect_sym(&st, 0x4500, "ab", 0x1500);
	expect_sym(&st, UINT64_MAX, "near", 0xff);
	assert_null(elf_symbolize(&st, 0xfff, NULL));

	st.strsize = 0;
	assert_null(elf_symbolize(&st, 0x1000, NULL));
	/* A table with no NUL at all names nothing. */
	st.strtab = "abcdef";
	st.strsize = 6;
	assert_null(elf_symbolize(&st, 0x1000, NULL));
	st.count = 0;
	st.strtab = names;
	st.strsize = sizeof(names);
	assert_null(elf_symbolize(&st, 0x1000, NULL));
	/* With the full table, "unterm" is terminated and usable. */
	st.count = 11;
	expect_sym(&st, 0x4500, "unterm", 0x500);
}

static int count_seg(void *ctx, const struct elf_segment *seg)
{
	(void)seg;
	(*(unsigned int *)ctx)++;
	return 0;
}

/* Random byte flips: whatever elf_open accepts must be safe to use. */
static void test_random_corruption(void **state)
{
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	unsigned int accepted = 0;

	(void)state;
	for (int iter = 0; iter < 4000; iter++) {
		struct elf_image img;
		struct elf_symtab st;
		char err[64];
		uint8_t *copy;
		int ret;

		build(iter & 1);
		for (int k = 0; k < 1 + iter % 4; k++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			img_buf[rng % img_len] = (uint8_t)(rng >> 32);
		}
		ret = open_copy(img_len, err, sizeof(err), &img, &copy);
		if (ret == 0) {
			unsigned int n = 0;
			uint64_t lo, hi;

			accepted++;
			assert_int_equal(elf_for_each_load(&img, count_seg, &n), 0);
			ret = elf_load_bounds(&img, &lo, &hi);
			assert_true(ret == 0 || ret == -ENOENT);
			ret = elf_find_symtab(&img, &st);
			assert_true(ret == 0 || ret == -ENOENT || ret == -ENOEXEC);
			if (ret == 0)
				for (uint64_t a = T - 8; a < T + 0x48; a++)
					elf_symbolize(&st, a, NULL);
		} else {
			assert_int_equal(ret, -ENOEXEC);
			assert_true(err[0] != '\0');
		}
		free(copy);
	}
	/* Most flips land in data the reader never validates. */
	assert_true(accepted > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_good),
		cmocka_unit_test(test_callback_stop_and_args),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_symtab_bad),
		cmocka_unit_test(test_symbolize_rules),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
