/* SPDX-License-Identifier: GPL-2.0 */
/*
 * void arch_context_switch(struct arch_context *from, struct arch_context *to)
 * Pushes the callee-saved registers on the current stack, stores RSP in
 * from->rsp, loads to->rsp and pops that thread's registers: the RET then
 * returns into the point where `to` called this, or into thread_start for a
 * new thread (see arch_context_init()).
 */
	.text
	.globl arch_context_switch, arch_thread_start
arch_context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov (%rsi), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/*
 * A new thread's first RET lands here with RBX = entry, R12 = arg and RBP = 0
 * (the end of the frame chain for backtraces). The entry never returns.
 */
arch_thread_start:
	mov %r12, %rdi
	call *%rbx
	ud2

	.section .note.GNU-stack, "", @progbits
