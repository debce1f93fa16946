/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ELF_H
#define PLINTH_ELF_H

/*
 * Read-only ELF64 (x86-64, ET_EXEC) reader for untrusted images. Shared by
 * the UEFI loader (kernel loading) and the kernel (backtrace symbols), so
 * elf.c calls no library functions at all. Fields are read byte-wise: the
 * image may sit at any alignment.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_PT_LOAD	1
#define ELF_PF_X	(1u << 0)
#define ELF_PF_W	(1u << 1)
#define ELF_PF_R	(1u << 2)

struct elf_image {
	const uint8_t *data;
	size_t size;
	uint64_t entry;
	uint64_t phoff;		/* table bounds already checked by elf_open */
	uint64_t shoff;
	uint16_t phnum, phentsize;
	uint16_t shnum, shentsize;
	uint16_t shstrndx;	/* 0 if there is no section name table */
};

struct elf_segment {
	uint64_t vaddr, paddr, offset, filesz, memsz;
	uint32_t flags;		/* ELF_PF_* */
};

struct elf_symtab {
	const void *syms;	/* count Elf64_Sym records, possibly unaligned */
	size_t count;
	const char *strtab;
	size_t strsize;
};

/*
 * Checks the header, both header tables and every PT_LOAD segment. On error
 * returns -ENOEXEC (-EINVAL for NULL arguments) and, if errlen > 0, writes a
 * NUL-terminated reason into err (e.g. "program header 2 runs past end of
 * file"); err may be NULL when errlen is 0. img keeps pointing into data.
 */
int elf_open(struct elf_image *img, const void *data, size_t size, char *err,
	     size_t errlen);

/*
 * Calls fn for each PT_LOAD segment in table order; a non-zero return from
 * fn stops the walk and is returned. -ENOEXEC if a segment has its file part
 * outside the image or filesz > memsz (elf_open already rejects those).
 */
int elf_for_each_load(const struct elf_image *img,
		      int (*fn)(void *ctx, const struct elf_segment *seg),
		      void *ctx);

uint64_t elf_entry(const struct elf_image *img);

/* Lowest PT_LOAD vaddr and highest vaddr + memsz (not page-aligned).
 * -ENOENT if there is no PT_LOAD segment. */
int elf_load_bounds(const struct elf_image *img, uint64_t *lowest_vaddr,
		    uint64_t *highest_vaddr_end);

/* First SHT_SYMTAB and its linked string table. -ENOENT if there is none,
 * -ENOEXEC if it or its link is malformed. */
int elf_find_symtab(const struct elf_image *img, struct elf_symtab *out);

/*
 * Name of the STT_FUNC/STT_NOTYPE symbol that best explains addr: one whose
 * [value, value + size) holds addr wins, else the nearest one below; NULL if
 * none. *offset (may be NULL) gets addr - value. Symbols with bad name
 * offsets, empty names or undefined sections are ignored.
 */
const char *elf_symbolize(const struct elf_symtab *st, uint64_t addr,
			  uint64_t *offset);

#endif
