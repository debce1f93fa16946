/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AP start-up: real mode -> protected mode -> long mode, then a jump to
 * ap_entry on ap_stack. Runs from its copy at AP_TRAMP_BASE, so every
 * absolute address is computed as TRAMP(symbol); the BSP fills the
 * parameter block (ap_cr3 ... ap_entry) in the copy before the SIPI.
 */
#include "smp.h"

#define TRAMP(x) (AP_TRAMP_BASE + ((x) - ap_tramp_start))
#define CR0_PE 0x1
#define CR0_CD_NW 0x60000000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080

	.section .rodata, "a"
	.balign 16
	.globl ap_tramp_start, ap_tramp_end, ap_cr3, ap_efer, ap_stack, ap_entry

ap_tramp_start:
	.code16
	cli
	/* CS = AP_TRAMP_BASE >> 4 after the SIPI: address data through it. */
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (ap_gdt_desc - ap_tramp_start)
	movl %cr0, %eax
	andl $~CR0_CD_NW, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $AP_SEL_CODE32, $TRAMP(ap_pm32)

	.code32
ap_pm32:
	movw $AP_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl TRAMP(ap_cr3), %eax
	movl %eax, %cr3
	/* LME plus the BSP's NXE, so its page tables mean the same here. */
	movl $MSR_EFER, %ecx
	rdmsr
	orl TRAMP(ap_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl $AP_SEL_CODE64, $TRAMP(ap_lm64)

	.code64
ap_lm64:
	movw $AP_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq TRAMP(ap_stack), %rsp
	movq TRAMP(ap_entry), %rax
	xorl %ebp, %ebp
	callq *%rax
1:	cli
	hlt
	jmp 1b

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
ap_gdt_end:
ap_gdt_desc:
	.word ap_gdt_end - ap_gdt - 1
	.long TRAMP(ap_gdt)

	.balign 8
ap_cr3:		.quad 0
ap_efer:	.quad 0
ap_stack:	.quad 0
ap_entry:	.quad 0
ap_tramp_end:

	.section .note.GNU-stack, "", @progbits
