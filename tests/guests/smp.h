/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

/*
 * The AP trampoline (smp-tramp.S) is linked into the image and copied by
 * the BSP to AP_TRAMP_BASE, a page below 1 MiB: SIPI vector 0x08 starts the
 * AP in real mode at 0800:0000. Selectors match Plinth's long-mode GDT so
 * the AP can share the BSP's IDT.
 */
#define AP_TRAMP_BASE 0x8000
#define AP_SIPI_VECTOR (AP_TRAMP_BASE >> 12)
#define AP_SEL_CODE64 0x08
#define AP_SEL_DATA 0x10
#define AP_SEL_CODE32 0x18

#endif
