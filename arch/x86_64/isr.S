/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One stub per vector. Exceptions that push an error code (8, 10-14, 17,
 * 21, 29, 30) skip the dummy push so every frame has the same layout:
 * struct trap_frame in asm/trap.h.
 */
	.text

.macro ISR_STUB vec
	.balign 16
isr_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.macro ISR_STUBS from, to
	ISR_STUB %from
	.if \to-\from
	ISR_STUBS %(\from+1), \to
	.endif
.endm

isr_stubs_begin:
	ISR_STUBS 0, 63
	ISR_STUBS 64, 127
	ISR_STUBS 128, 191
	ISR_STUBS 192, 255

isr_common:
	cld
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
	mov %rsp, %rdi
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
	add $16, %rsp
	iretq

.macro ISR_ADDR vec
	.quad isr_\vec
.endm
.macro ISR_ADDRS from, to
	ISR_ADDR %from
	.if \to-\from
	ISR_ADDRS %(\from+1), \to
	.endif
.endm

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
	ISR_ADDRS 0, 63
	ISR_ADDRS 64, 127
	ISR_ADDRS 128, 191
	ISR_ADDRS 192, 255

	.section .note.GNU-stack, "", @progbits
