/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SYMBOLS_H
#define PLINTH_SYMBOLS_H

#include <plinth/types.h>

/* Uses the kernel ELF the loader kept in memory; no symbols until then. */
void symbols_init(const void *elf, size_t size);
const char *symbol_lookup(uint64_t addr, uint64_t *offset);

/* arch: is this address inside a mapped (non-guard) page of a kernel stack? */
bool stack_address_mapped(uint64_t va);

#endif
