/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_GUEST_WALK_H
#define VMM_GUEST_WALK_H

/*
 * Translating a guest-linear address through the guest's own page tables
 * (Intel SDM Vol. 3A ch. 4). Kept apart from the vCPU so the walk can be
 * tested on the host against page tables built in a plain byte array.
 */
#include <stddef.h>
#include <stdint.h>

/* The control registers that select and steer the paging mode. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Reads len bytes of guest-physical memory at gpa: 0, or -EFAULT outside guest RAM. */
typedef int (*guest_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/*
 * Paging off (CR0.PG=0): the linear address truncated to 32 bits. Otherwise
 * 4-level (EFER.LMA), PAE (CR4.PAE) or 32-bit paging (4 MiB pages with
 * CR4.PSE, PSE-36 high bits). Returns 0 with *gpa_out set; -EFAULT when an
 * entry is not present, a read fails, a PML4E has PS set (reserved) or the
 * address is not canonical in long mode; -ENOTSUP for 5-level paging
 * (CR4.LA57). Access rights (R/W, U/S, XD) are not checked.
 */
int guest_walk(const struct guest_paging *pg, uint64_t linear, guest_read_fn read, void *ctx,
	       uint64_t *gpa_out);

#endif
