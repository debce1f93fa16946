/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_SWITCH_H
#define ASM_SWITCH_H

/*
 * A kernel thread's saved CPU context, for kernel/sched. Only what the C
 * calling convention says a callee keeps is saved (RBX, RBP, R12-R15, on the
 * thread's own stack), because a switch is always a function call; RFLAGS is
 * not, so a thread's interrupt state is its own business (callers switch with
 * interrupts disabled and restore their own flags afterwards).
 */
#include <plinth/types.h>

struct arch_context {
	uint64_t rsp; /* the callee-saved registers and the return address sit there */
};

/* Prepares @c to start @entry(@arg) on the stack ending at @stack_top (16-byte aligned). */
void arch_context_init(struct arch_context *c, uint64_t stack_top, void (*entry)(void *),
		       void *arg);
/* switch.S: saves the current context in @from and resumes @to; returns when @from is resumed. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

#endif
