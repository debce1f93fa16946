/* SPDX-License-Identifier: GPL-2.0 */
#include <plinth/elf.h>
#include <plinth/log.h>
#include <plinth/symbols.h>

static struct elf_symtab symtab;
static bool have_symbols;

void symbols_init(const void *elf, size_t size)
{
	struct elf_image img;
	char err[96];

	if (elf_open(&img, elf, size, err, sizeof(err)) < 0) {
		pr_warn("symbols: kernel ELF unusable (%s), backtraces unsymbolized\n", err);
		return;
	}
	if (elf_find_symtab(&img, &symtab) < 0) {
		pr_warn("symbols: kernel ELF has no symbol table\n");
		return;
	}
	have_symbols = true;
}

const char *symbol_lookup(uint64_t addr, uint64_t *offset)
{
	if (!have_symbols)
		return NULL;
	return elf_symbolize(&symtab, addr, offset);
}
