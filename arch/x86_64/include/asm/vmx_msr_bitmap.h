/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VMX_MSR_BITMAP_H
#define ASM_VMX_MSR_BITMAP_H

/*
 * The VMX MSR bitmap (Intel SDM Vol. 3C 25.6.9): read-low at 0x000,
 * read-high 0x400, write-low 0x800, write-high 0xc00; low covers MSRs
 * 0..0x1fff, high 0xc0000000..0xc0001fff; a set bit makes the access exit,
 * and MSRs outside both ranges always exit. Pure, so it is host-tested.
 */
#include <plinth/types.h>

#define VMX_MSR_BITMAP_SIZE 4096

/* Every access exits except reads and writes of the @count MSRs in @msrs. */
void vmx_msr_bitmap_build(uint8_t bitmap[VMX_MSR_BITMAP_SIZE], const uint32_t *msrs,
			  unsigned int count);

#endif
