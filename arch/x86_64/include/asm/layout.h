/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

/*
 * Kernel virtual address space. The UEFI loader builds its early tables to
 * this layout too, so both sides include this header.
 *
 *   0xffff800000000000  direct map of physical memory (RW, NX)
 *   0xfffffd0000000000  MMIO mappings (UC)
 *   0xfffffe0000000000  stacks, each with an unmapped guard page below
 *   0xffffffff80000000  kernel image (linker.ld)
 */
#define DIRECT_MAP_BASE 0xffff800000000000ULL
#define DIRECT_MAP_SIZE 0x0000400000000000ULL /* 64 TiB */
#define MMIO_MAP_BASE 0xfffffd0000000000ULL
#define MMIO_MAP_SIZE 0x0000008000000000ULL
#define STACK_MAP_BASE 0xfffffe0000000000ULL
#define STACK_MAP_SIZE 0x0000008000000000ULL
#define KERNEL_VIRT_BASE 0xffffffff80000000ULL

#endif
