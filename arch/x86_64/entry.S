/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel entry from the UEFI stage: interrupts off, loader page tables live,
 * %rdi = physical address of struct boot_info.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	lea boot_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call kernel_main
1:	cli
	hlt
	jmp 1b

/* void call_on_stack(void (*fn)(void *), void *arg, uint64_t stack_top) */
	.text
	.globl call_on_stack
call_on_stack:
	mov %rdx, %rsp
	xor %ebp, %ebp
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
2:	cli
	hlt
	jmp 2b

	.section .bss
	.balign 4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
