/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Long-mode entry at the image base (0x100000). Plinth starts us with
 * paging on, RSP = entry address (16-byte aligned, stack grows down below
 * the image) and RDI = boot block.
 */
	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cld
	movq %rdi, %r12
	/* .bss is not part of the flat image: whatever RAM holds, clear it. */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %r12, %rdi
	call guest_start
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
