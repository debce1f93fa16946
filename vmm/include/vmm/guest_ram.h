/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GUEST_RAM_H
#define VMM_GUEST_RAM_H

/*
 * Copies between Plinth and a partition's memory as Plinth reaches it: the
 * layout (vmm/include/vmm/guest_layout.h) decides what is guest memory and
 * where in the backing it lies, the chunk list which host frame holds each
 * 2 MiB of backing, and Plinth's direct map turns a frame into a pointer.
 * No EPT walk per copy, and a device page mapped into the EPT one day (a
 * passed-through BAR) is still never memcpy'd by a hypercall or the
 * emulator, because the layout does not call it memory.
 */
#include <plinth/types.h>
#include <vmm/guest_layout.h>

struct guest_ram {
	const struct guest_layout *layout;
	const paddr_t *chunks; /* host frame of each 2 MiB of backing, by backing offset */
	uint64_t chunk_count;
	void *(*frame_virt)(paddr_t pa); /* the direct map; a fake in host tests */
};

/*
 * Copies len bytes between buf and guest-physical at (to the guest if
 * to_guest). -EFAULT unless every byte is RAM or the firmware area of the
 * layout and backed by a chunk; nothing is copied then. A copy of 0 bytes
 * touches nothing and succeeds.
 */
int guest_ram_copy(const struct guest_ram *r, gpa_t at, void *buf, size_t len, bool to_guest);
/*
 * The host address of [at, at + len) when all of it is RAM inside one
 * backing chunk (so contiguous on the host too), else NULL.
 */
void *guest_ram_map(const struct guest_ram *r, gpa_t at, uint64_t len);

#endif
