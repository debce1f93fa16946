/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SPARSE_RAM_H
#define SPARSE_RAM_H

/*
 * Fake guest RAM for loader tests with layouts of many GiB: only the 4 KiB
 * pages that are written get backing (filled with SPARSE_DIRT first, so
 * bytes the loader did not write stand out). Every write must lie in a RAM
 * region of the layout; anything else fails the test, independently of the
 * loader's own checks.
 */
#include <stdbool.h>
#include <stdint.h>

#include <plinth/types.h>
#include <vmm/guest_layout.h>

#define SPARSE_DIRT 0xaa

struct sparse_page;

struct sparse_ram {
	const struct guest_layout *layout;
	struct sparse_page *slot;	/* open addressing, cap entries */
	uint64_t cap;
	uint64_t used;
	uint64_t max_pages;	/* more backed pages than this fails the test */
	unsigned int writes;
	unsigned int fail_on;	/* 1-based write number to fail, 0 = never */
	int fail_ret;
};

void sparse_ram_init(struct sparse_ram *r, const struct guest_layout *l,
		     uint64_t max_pages);
void sparse_ram_free(struct sparse_ram *r);
/* guest_mem_ops.write with ctx = struct sparse_ram. */
int sparse_ram_write(void *ctx, gpa_t dst, const void *src, size_t len);
uint8_t sparse_ram_byte(const struct sparse_ram *r, uint64_t a);
void sparse_ram_read(const struct sparse_ram *r, uint64_t a, void *buf,
		     size_t len);
uint32_t sparse_ram_rd32(const struct sparse_ram *r, uint64_t a);
uint64_t sparse_ram_rd64(const struct sparse_ram *r, uint64_t a);
/* Whether the page holding a was ever written. */
bool sparse_ram_backed(const struct sparse_ram *r, uint64_t a);

#endif
