/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

/*
 * Plinth's hypercall ABI (VMCALL). Shared by Plinth and the test guests.
 *   in:  RAX = number, RBX, RCX, RDX = arguments
 *   out: RAX = result (>= 0) or a negative errno
 * Unknown numbers return -ENOSYS (-38).
 * A hypercall only ever acts on the calling partition: there is no way to
 * name another partition or a host address through it.
 */
#define HC_CONSOLE_WRITE 1 /* RBX = guest-physical buffer, RCX = length (<= 4096): RAX = bytes */
#define HC_POWEROFF 2      /* RBX = exit status: the partition stops, status is logged */
#define HC_REBOOT 3        /* the partition restarts from its boot image */

#define HC_CONSOLE_MAX 4096

#endif
