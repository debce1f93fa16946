/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware task switch: reset vector -> real mode -> 32-bit protected mode
 * with a GDT holding two 32-bit TSS descriptors; LTR the first, LJMP to the
 * second. VT-x always exits on a task switch and Plinth does not emulate it:
 * the partition must stop ("task switch ...") while others keep running.
 * Whatever runs after the LJMP (here, or in the new task) is a FAIL.
 */
#include <vmm/hypercall.h>
#include <vmm/platform.h>

#define RM(x) ((x) - 0xf0000)
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_TSS_A 0x18
#define SEL_TSS_B 0x20
#define STACK_TOP 0x7000
#define TSS_A 0x8000	/* both TSSs in low RAM: descriptor bases are then constants */
#define TSS_B 0x8100
#define TSS_CR3 0x1c
#define TSS_EIP 0x20
#define TSS_EFLAGS 0x24
#define TSS_ESP 0x38
#define TSS_ES 0x48
#define TSS_CS 0x4c
#define TSS_SS 0x50
#define TSS_DS 0x54
#define TSS_IOMAP 0x66
#define CR0_PE 0x1

.macro print msg
	movl $\msg, %esi
	call print32
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
	print msg_pm

	/* Two zeroed TSSs; the target one starts task_b with flat segments. */
	movl $TSS_A, %edi
	xorl %eax, %eax
	movl $(0x200 / 4), %ecx
	rep stosl
	movl $task_b, TSS_B + TSS_EIP
	movl $0x2, TSS_B + TSS_EFLAGS
	movl $0x6000, TSS_B + TSS_ESP
	movl $SEL_CODE32, TSS_B + TSS_CS
	movl $SEL_DATA, TSS_B + TSS_SS
	movl $SEL_DATA, TSS_B + TSS_DS
	movl $SEL_DATA, TSS_B + TSS_ES
	movw $0x68, TSS_A + TSS_IOMAP
	movw $0x68, TSS_B + TSS_IOMAP
	movw $SEL_TSS_A, %ax
	ltr %ax
	print msg_jump
	ljmpl $SEL_TSS_B, $0

	/* Only if the LJMP came back. */
	print msg_back
	jmp fail_off

task_b:
	print msg_task_b
fail_off:
	movl $HC_POWEROFF, %eax
	movl $1, %ebx
	vmcall
1:	cli
	hlt
	jmp 1b

/* ESI = NUL-terminated string to the UART. */
print32:
	movw $GUEST_UART_PORT, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	ret

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	/* 0x18, 0x20: 32-bit available TSS (type 9), limit 0x67, bases TSS_A / TSS_B */
	.word 0x67, TSS_A
	.byte 0, 0x89, 0, 0
	.word 0x67, TSS_B
	.byte 0, 0x89, 0, 0
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

msg_pm:		.asciz "INFO taskswitch: in protected mode\n"
msg_jump:	.asciz "HOSTILE ljmp to a TSS descriptor (hardware task switch)\n"
msg_back:	.asciz "FAIL taskswitch: the ljmp to a TSS came back\n"
msg_task_b:	.asciz "FAIL taskswitch: the new task runs inside the guest\n"

	.section .reset, "ax"
	.code16
	.globl reset_vector
reset_vector:
	ljmp $0xf000, $RM(start16)

	.section .note.GNU-stack, "", @progbits
