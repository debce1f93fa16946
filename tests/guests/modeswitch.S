/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode entry guest: reset vector (f000:fff0) -> real mode -> protected
 * mode (own GDT) -> long mode (own page tables identity-mapping the first
 * 2 MiB with one large page) -> power off by VMCALL. A PASS line is printed
 * on the emulated UART in each mode.
 *
 * The image is 4 KiB at 0xff000-0xfffff (realmode.ld). In real mode CS base
 * is 0xf0000, so code and data offsets are RM(symbol).
 */
#include <vmm/hypercall.h>
#include <vmm/platform.h>

#define RM(x) ((x) - 0xf0000)
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define STACK_TOP 0x7000
#define PML4 0x1000	/* page tables in low RAM, below the stack */
#define PDPT 0x2000
#define PD 0x3000
#define PTE_P_W 0x3
#define PDE_2M 0x83	/* present, writable, 2 MiB page */
#define CR0_PE 0x1
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define EFER_LMA 0x400

/* Send the NUL-terminated string at \reg_si on the UART (emulated: never busy). */
.macro print_loop lodsb_insn
1:	\lodsb_insn
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:
.endm

	.section .text16, "ax"
	.code16
start16:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $STACK_TOP, %sp
	movw $GUEST_UART_PORT, %dx
	movw $RM(msg_real), %si
	print_loop "movb %cs:(%si), %al; incw %si"

	lgdtl %cs:RM(gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $pm32

	.code32
pm32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $STACK_TOP, %esp
	/* CR0.PE must be set now and CS must be the 32-bit selector. */
	movl %cr0, %eax
	testl $CR0_PE, %eax
	jz pm_bad
	movw %cs, %ax
	cmpw $SEL_CODE32, %ax
	jne pm_bad
	movl $msg_pm, %esi
	jmp pm_print
pm_bad:
	movl $msg_pm_bad, %esi
pm_print:
	movw $GUEST_UART_PORT, %dx
	print_loop lodsb

	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[0] = 2 MiB page at 0. */
	movl $PML4, %edi
	xorl %eax, %eax
	movl $(3 * 4096 / 4), %ecx
	rep stosl
	movl $(PDPT | PTE_P_W), PML4
	movl $(PD | PTE_P_W), PDPT
	movl $PDE_2M, PD

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PML4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE64, $lm64

	.code64
lm64:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $STACK_TOP, %esp
	/* EFER.LMA proves we really are in long mode. */
	movl $MSR_EFER, %ecx
	rdmsr
	xorl %ebx, %ebx
	leaq msg_lm(%rip), %rsi
	testl $EFER_LMA, %eax
	jnz 3f
	movl $1, %ebx
	leaq msg_lm_bad(%rip), %rsi
3:	movw $GUEST_UART_PORT, %dx
	print_loop lodsb
	/* RBX = status: 0 iff every stage passed. */
	movl $HC_POWEROFF, %eax
	vmcall
4:	cli
	hlt
	jmp 4b

	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

msg_real:	.asciz "PASS real-mode\n"
msg_pm:		.asciz "PASS protected-mode\n"
msg_pm_bad:	.asciz "FAIL protected-mode: CR0.PE clear or CS is not the 32-bit selector\n"
msg_lm:		.asciz "PASS long-mode\n"
msg_lm_bad:	.asciz "FAIL long-mode: EFER.LMA clear\n"

/* f000:fff0, the first instruction the vCPU executes. */
	.section .reset, "ax"
	.code16
	.globl reset_vector
reset_vector:
	ljmp $0xf000, $RM(start16)

	.section .note.GNU-stack, "", @progbits
