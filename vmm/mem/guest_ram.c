// SPDX-License-Identifier: GPL-2.0
/* Copies to and from a partition's memory (vmm/include/vmm/guest_ram.h). */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/guest_ram.h>

#define CHUNK_SIZE SIZE_2M

int guest_ram_copy(const struct guest_ram *r, gpa_t at, void *buf, size_t len, bool to_guest)
{
	uint8_t *p = buf;
	uint64_t off;

	/* The firmware area too: the vCPU reaches it like RAM (a real-mode image runs there). */
	if (!guest_layout_is_backed(r->layout, at, len))
		return -EFAULT;
	if (!len)
		return 0;
	/* Checked whole before the first byte moves, so a fault changes neither side. */
	if (guest_layout_backing_offset(r->layout, at, &off) < 0 ||
	    off >= r->chunk_count * CHUNK_SIZE || len > r->chunk_count * CHUNK_SIZE - off)
		return -EFAULT;
	while (len) {
		uint64_t in = off % CHUNK_SIZE;
		size_t n = MIN(len, CHUNK_SIZE - in);
		uint8_t *ram = (uint8_t *)r->frame_virt(r->chunks[off / CHUNK_SIZE]) + in;

		if (to_guest)
			memcpy(ram, p, n);
		else
			memcpy(p, ram, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

void *guest_ram_map(const struct guest_ram *r, gpa_t at, uint64_t len)
{
	uint64_t off;

	/* RAM only, as the virtqueue's in_ram(): never the firmware area or a device page. */
	if (!len || !guest_layout_is_ram(r->layout, at, len) ||
	    guest_layout_ram_offset(r->layout, at, &off) < 0 ||
	    off >= r->chunk_count * CHUNK_SIZE || len > r->chunk_count * CHUNK_SIZE - off)
		return NULL;
	/* Chunks are contiguous only inside themselves. */
	if (off % CHUNK_SIZE + len > CHUNK_SIZE)
		return NULL;
	return (uint8_t *)r->frame_virt(r->chunks[off / CHUNK_SIZE]) + off % CHUNK_SIZE;
}
