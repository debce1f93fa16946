/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FRAME_FIXTURE_H
#define FRAME_FIXTURE_H

/*
 * Shared fixture for the frame allocator tests: fake physical memory that
 * counts stray accesses, sample memory maps and a reference model of which
 * frames the map rules make allocatable.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plinth/boot_info.h>
#include <plinth/frame_alloc.h>
#include <plinth/types.h>

#define R(b, l, t) { .base = (b), .length = (l), .type = (t) }
#define U BOOT_MEM_USABLE

/* Only [fake_base, fake_base + fake_size) is backed by fake_mem. */
extern uint8_t *fake_mem;
extern paddr_t fake_base;
extern size_t fake_size;
extern int p2v_violations;

void *fake_p2v(paddr_t pa);
void *null_p2v(paddr_t pa);
/* Fresh garbage-filled backing for [base, base + size); resets the counter. */
void fake_setup(paddr_t base, size_t size);
/* cmocka teardown: releases the fake memory. */
int teardown(void **state);

#define OVMF_MAP_LEN 19
extern const struct boot_mem_range ovmf_map[OVMF_MAP_LEN];

/* calloc'ed 0/1 per frame of [0, frames) by the map rules; *count = ones. */
uint8_t *ref_build(const struct boot_mem_range *map, size_t n, uint64_t frames,
		   uint64_t *count);
uint64_t bitmap_pages(const struct frame_allocator *fa);
bool in_bitmap(const struct frame_allocator *fa, paddr_t pa);
/* Drains fa and checks every frame handed out against the reference. */
void check_matches_ref(struct frame_allocator *fa, const struct boot_mem_range *map,
		       size_t n);

#endif
