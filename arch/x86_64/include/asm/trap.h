/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_TRAP_H
#define ASM_TRAP_H

#include <plinth/types.h>

/* Layout pushed by isr.S: general registers, then vector, then the CPU's frame. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_DB 1
#define VEC_NMI 2
#define VEC_UD 6
#define VEC_DOUBLE_FAULT 8
#define VEC_GP 13
#define VEC_PAGE_FAULT 14
#define VEC_AC 17
#define VEC_MACHINE_CHECK 18
#define VEC_LAPIC_TIMER 0x20
#define VEC_XCALL 0xf0
#define VEC_KICK 0xf1       /* wakes a CPU; the handler only acknowledges */
#define VEC_HOST_TIMER 0x21 /* one-shot wake-ups of vCPU threads */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct trap_frame *tf);

void idt_init(void);
void idt_load(void);
void irq_register(unsigned int vector, irq_handler_t handler);
/*
 * Device interrupts: a free vector in IRQ_VECTOR_FIRST..IRQ_VECTOR_LAST
 * whose arrival runs @fn(@ctx) and then the local APIC's EOI. The vector,
 * or -ENOSPC when every one is taken.
 */
#define IRQ_VECTOR_FIRST 0x40
#define IRQ_VECTOR_LAST 0xdf
int irq_vector_alloc(void (*fn)(void *ctx), void *ctx);
void irq_vector_free(int vector);
void trap_dispatch(struct trap_frame *tf);
/* Reports and parks; returns only when a self-test set a fix-up address. */
void fatal_exception(struct trap_frame *tf);
/* Called after the boot CPU's fatal report; test runs use it to end the emulator at once. */
extern void (*boot_cpu_fatal_hook)(void);

#endif
