/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 256 interrupt entry stubs, 16 bytes apart (trap.c computes their
 * addresses), and the common path that builds a struct trap_frame.
 */
	.text
	.code64
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16, 0xcc
	/* The CPU pushes an error code for these vectors only. */
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr
	/* Each stub is at most 12 bytes, so .balign keeps them exactly 16 apart. */

/*
 * The CPU aligns RSP to 16 before pushing its 5-word frame; with the error
 * code, vector and 15 registers the frame is 22 words, so the call below
 * runs on a 16-byte aligned stack.
 */
isr_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
