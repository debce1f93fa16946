/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sparse_ram.h"

struct sparse_page {
	uint64_t pfn;
	uint8_t *data;		/* NULL: slot free */
};

void sparse_ram_init(struct sparse_ram *r, const struct guest_layout *l,
		     uint64_t max_pages)
{
	memset(r, 0, sizeof(*r));
	r->layout = l;
	r->max_pages = max_pages;
	/* Load factor at most 1/2 keeps probing short. */
	for (r->cap = 64; r->cap < 2 * max_pages; r->cap *= 2)
		;
	r->slot = calloc(r->cap, sizeof(*r->slot));
	assert_non_null(r->slot);
}

void sparse_ram_free(struct sparse_ram *r)
{
	for (uint64_t i = 0; r->slot && i < r->cap; i++)
		free(r->slot[i].data);
	free(r->slot);
	memset(r, 0, sizeof(*r));
}

static struct sparse_page *lookup(const struct sparse_ram *r, uint64_t pfn)
{
	uint64_t i = (pfn * 0x9e3779b97f4a7c15ULL) & (r->cap - 1);

	while (r->slot[i].data && r->slot[i].pfn != pfn)
		i = (i + 1) & (r->cap - 1);
	return &r->slot[i];
}

static uint8_t *page_for_write(struct sparse_ram *r, uint64_t pfn)
{
	struct sparse_page *s = lookup(r, pfn);

	if (!s->data) {
		if (r->used >= r->max_pages)
			fail_msg("loader wrote more than %llu pages",
				 (unsigned long long)r->max_pages);
		s->data = malloc(PAGE_SIZE);
		assert_non_null(s->data);
		memset(s->data, SPARSE_DIRT, PAGE_SIZE);
		s->pfn = pfn;
		r->used++;
	}
	return s->data;
}

int sparse_ram_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	struct sparse_ram *r = ctx;
	const uint8_t *s = src;
	uint64_t a = dst.v;

	/* Plinth's loaders also write the (backed) firmware area. */
	if (!guest_layout_is_backed(r->layout, dst, len))
		fail_msg("write of %zu bytes at 0x%llx is outside guest memory",
			 len, (unsigned long long)dst.v);
	r->writes++;
	if (r->fail_on && r->writes == r->fail_on)
		return r->fail_ret;
	while (len) {
		size_t off = a & (PAGE_SIZE - 1);
		size_t n = MIN(len, (size_t)(PAGE_SIZE - off));

		memcpy(page_for_write(r, a / PAGE_SIZE) + off, s, n);
		a += n;
		s += n;
		len -= n;
	}
	return 0;
}

uint8_t sparse_ram_byte(const struct sparse_ram *r, uint64_t a)
{
	const struct sparse_page *s = lookup(r, a / PAGE_SIZE);

	return s->data ? s->data[a & (PAGE_SIZE - 1)] : SPARSE_DIRT;
}

void sparse_ram_read(const struct sparse_ram *r, uint64_t a, void *buf,
		     size_t len)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = sparse_ram_byte(r, a + i);
}

uint32_t sparse_ram_rd32(const struct sparse_ram *r, uint64_t a)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | sparse_ram_byte(r, a + (uint64_t)i);
	return v;
}

uint64_t sparse_ram_rd64(const struct sparse_ram *r, uint64_t a)
{
	return sparse_ram_rd32(r, a) | (uint64_t)sparse_ram_rd32(r, a + 4) << 32;
}

bool sparse_ram_backed(const struct sparse_ram *r, uint64_t a)
{
	return lookup(r, a / PAGE_SIZE)->data != NULL;
}
