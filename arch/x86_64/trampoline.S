/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AP start-up code, copied to a page below 1 MiB. A SIPI starts it in real
 * mode at CS = page >> 4, IP = 0; it climbs through protected mode into
 * long mode on the kernel's page tables (root below 4 GiB, trampoline page
 * identity-mapped) and jumps to the kernel with its per-CPU pointer.
 * The boot CPU fills in the parameter block before each start.
 */
#define OFF(x) ((x) - trampoline_start)

	.section .rodata
	.globl trampoline_start, trampoline_end
	.globl tr_gdt_desc, tr_pm_jump, tr_lm_jump, tr_cr3, tr_entry, tr_percpu
	.globl tr_ticket, tr_table, tr_table_len
	.globl tr_pm_entry, tr_lm_entry, tr_gdt
	.balign 16
trampoline_start:
	.code16
	cli
	cld
	xor %ebx, %ebx
	mov %cs, %bx
	mov %bx, %ds
	shl $4, %ebx			/* linear base, kept in %ebx throughout */
	lgdtl OFF(tr_gdt_desc)
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl *OFF(tr_pm_jump)

	.code32
tr_pm_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $(1 << 5), %eax		/* PAE */
	mov %eax, %cr4
	mov OFF(tr_cr3)(%ebx), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $((1 << 8) | (1 << 11)), %eax	/* LME, NXE */
	wrmsr
	mov $0x80010031, %eax		/* PG, WP, NE, ET, PE */
	mov %eax, %cr0
	ljmpl *OFF(tr_lm_jump)(%ebx)

	.code64
tr_lm_entry:
	mov %ebx, %ebx			/* upper half is undefined after the switch */
	mov OFF(tr_percpu)(%rbx), %rdi
	test %rdi, %rdi
	jnz 1f
	/* Broadcast start: APs arrive together, each takes the next slot. */
	mov $1, %eax
	lock xadd %eax, OFF(tr_ticket)(%rbx)
	cmp OFF(tr_table_len)(%rbx), %eax
	jae 2f
	mov OFF(tr_table)(%rbx), %rdx
	mov (%rdx, %rax, 8), %rdi
1:	mov 8(%rdi), %rsp		/* percpu->stack_top (PERCPU_STACK_TOP) */
	mov OFF(tr_entry)(%rbx), %rax
	xor %ebp, %ebp
	pushq $0			/* no return address: ends backtraces */
	jmp *%rax
2:	cli				/* more CPUs than slots: stay parked */
	hlt
	jmp 2b

	.balign 16
tr_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
tr_gdt_desc:
	.word 4 * 8 - 1
	.long 0				/* patched: base + OFF(tr_gdt) */
	.balign 8
tr_pm_jump:
	.long 0				/* patched: base + OFF(tr_pm_entry) */
	.word 0x18
	.balign 8
tr_lm_jump:
	.long 0				/* patched: base + OFF(tr_lm_entry) */
	.word 0x08
	.balign 8
tr_cr3:
	.quad 0
tr_entry:
	.quad 0
tr_percpu:
	.quad 0				/* 0: broadcast start, use tr_table */
tr_table:
	.quad 0
tr_table_len:
	.long 0
tr_ticket:
	.long 0
trampoline_end:

	.section .note.GNU-stack, "", @progbits
