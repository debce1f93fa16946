/* SPDX-License-Identifier: GPL-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fake_mem.h"

void fake_mem_init(struct fake_mem *m)
{
	memset(m, 0, sizeof(*m));
}

static int overlaps(const struct fake_region *r, paddr_t pa, size_t len)
{
	return pa < r->pa + r->len && r->pa < pa + len;
}

int fake_mem_overlaps(const struct fake_mem *m, paddr_t pa, size_t len)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (overlaps(&m->regions[i], pa, len))
			return 1;
	return 0;
}

uint8_t *fake_mem_add(struct fake_mem *m, paddr_t pa, const void *data, size_t len)
{
	struct fake_region *r;

	if (!len || pa + len < pa)
		abort();
	for (size_t i = 0; i < m->nregions; i++) {
		if (overlaps(&m->regions[i], pa, len)) {
			fprintf(stderr, "fake_mem: region %#llx+%zu overlaps %#llx+%zu\n",
				(unsigned long long)pa, len,
				(unsigned long long)m->regions[i].pa, m->regions[i].len);
			abort();
		}
	}
	m->regions = realloc(m->regions, (m->nregions + 1) * sizeof(*m->regions));
	if (!m->regions)
		abort();
	r = &m->regions[m->nregions++];
	r->pa = pa;
	r->len = len;
	r->data = malloc(len);
	if (!r->data)
		abort();
	memcpy(r->data, data, len);
	return r->data;
}

uint8_t *fake_mem_find(struct fake_mem *m, paddr_t pa, size_t len)
{
	if (pa + len < pa)
		return NULL;
	for (size_t i = 0; i < m->nregions; i++) {
		struct fake_region *r = &m->regions[i];

		if (pa >= r->pa && pa + len <= r->pa + r->len)
			return r->data + (pa - r->pa);
	}
	return NULL;
}

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	struct fake_mem *m = ctx;
	const uint8_t *src;
	void *copy;

	m->map_calls++;
	src = fake_mem_find(m, pa, len);
	if (!src || !len)
		return NULL;
	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, src, len);
	if (m->nmaps == m->maps_cap) {
		m->maps_cap = m->maps_cap ? m->maps_cap * 2 : 64;
		m->maps = realloc(m->maps, m->maps_cap * sizeof(*m->maps));
		if (!m->maps)
			abort();
	}
	m->maps[m->nmaps++] = copy;
	return copy;
}

static void fake_warn(void *ctx, const char *msg)
{
	struct fake_mem *m = ctx;
	size_t used = strlen(m->warnings);

	m->warn_count++;
	if (m->print_warnings)
		fprintf(stderr, "  acpi warning: %s\n", msg);
	snprintf(m->warnings + used, sizeof(m->warnings) - used, "%s\n", msg);
}

void fake_mem_unmap_all(struct fake_mem *m)
{
	for (size_t i = 0; i < m->nmaps; i++)
		free(m->maps[i]);
	m->nmaps = 0;
}

void fake_mem_clear_warnings(struct fake_mem *m)
{
	m->warn_count = 0;
	m->warnings[0] = '\0';
}

void fake_mem_free(struct fake_mem *m)
{
	fake_mem_unmap_all(m);
	free(m->maps);
	for (size_t i = 0; i < m->nregions; i++)
		free(m->regions[i].data);
	free(m->regions);
	fake_mem_init(m);
}

struct acpi_mem_ops fake_mem_ops(struct fake_mem *m)
{
	struct acpi_mem_ops ops = { .map = fake_map, .warn = fake_warn, .ctx = m };

	return ops;
}

int fake_mem_warned(const struct fake_mem *m, const char *needle)
{
	return strstr(m->warnings, needle) != NULL;
}

void fake_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void fake_put32(uint8_t *p, uint32_t v)
{
	fake_put16(p, (uint16_t)v);
	fake_put16(p + 2, (uint16_t)(v >> 16));
}

void fake_put64(uint8_t *p, uint64_t v)
{
	fake_put32(p, (uint32_t)v);
	fake_put32(p + 4, (uint32_t)(v >> 32));
}

void fake_sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	fake_put32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, "PLINTH", 6);
	memcpy(t + 16, "PLTESTTB", 8);
	fake_put32(t + 24, 1);
	fake_put32(t + 28, 0x54534554); /* "TEST" */
	fake_put32(t + 32, 1);
}

void fake_sdt_fix(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0 - sum);
}
