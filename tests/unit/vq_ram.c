// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include "vq_ram.h"

bool vq_ram_contains(const struct vq_ram *r, uint64_t gpa, uint64_t len)
{
	return len && gpa >= r->base && gpa - r->base <= r->size &&
	       len <= r->size - (gpa - r->base);
}

static int ram_read(void *ctx, gpa_t src, void *dst, size_t len)
{
	struct vq_ram *r = ctx;

	if (r->on_read)
		r->on_read(r, src.v, len);
	if (!vq_ram_contains(r, src.v, len))
		return -EFAULT;
	memcpy(dst, r->mem + (src.v - r->base), len);
	return 0;
}

static int ram_write(void *ctx, gpa_t dst, const void *src, size_t len)
{
	struct vq_ram *r = ctx;

	if (!vq_ram_contains(r, dst.v, len))
		return -EFAULT;
	memcpy(r->mem + (dst.v - r->base), src, len);
	return 0;
}

static bool ram_in_ram(void *ctx, gpa_t gpa, uint64_t len)
{
	return vq_ram_contains(ctx, gpa.v, len);
}

void vq_ram_init(struct vq_ram *r, uint64_t base, uint64_t size)
{
	*r = (struct vq_ram){ .base = base, .size = size };
	r->mem = calloc(1, size);
	if (!r->mem)
		abort();
	/* No map: every ring access goes through read/write (and on_read); vq_ram_enable_map() adds it. */
	r->ops = (struct virtq_mem_ops){ .read = ram_read, .write = ram_write, .in_ram = ram_in_ram,
					 .ctx = r };
}

static void *ram_map(void *ctx, gpa_t gpa, uint64_t len)
{
	struct vq_ram *r = ctx;

	return vq_ram_contains(r, gpa.v, len) ? r->mem + (gpa.v - r->base) : NULL;
}

void vq_ram_enable_map(struct vq_ram *r)
{
	r->ops.map = ram_map;
}

void vq_ram_free(struct vq_ram *r)
{
	free(r->mem);
	r->mem = NULL;
}

static uint8_t *at(const struct vq_ram *r, uint64_t gpa, uint64_t len)
{
	if (!vq_ram_contains(r, gpa, len))
		abort();
	return r->mem + (gpa - r->base);
}

void vq_ram_put16(struct vq_ram *r, uint64_t gpa, uint16_t v)
{
	put_le16(at(r, gpa, 2), v);
}

void vq_ram_put32(struct vq_ram *r, uint64_t gpa, uint32_t v)
{
	put_le32(at(r, gpa, 4), v);
}

void vq_ram_put64(struct vq_ram *r, uint64_t gpa, uint64_t v)
{
	put_le64(at(r, gpa, 8), v);
}

uint16_t vq_ram_get16(const struct vq_ram *r, uint64_t gpa)
{
	return get_le16(at(r, gpa, 2));
}

uint32_t vq_ram_get32(const struct vq_ram *r, uint64_t gpa)
{
	return get_le32(at(r, gpa, 4));
}
