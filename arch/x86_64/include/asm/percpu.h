/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <plinth/types.h>

#define MAX_CPUS 64

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5

#define IST_NMI 1
#define IST_DOUBLE_FAULT 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

#define KERNEL_STACK_SIZE (16 * 1024)
#define IST_STACK_SIZE (8 * 1024)

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct xcall_slot {
	void (*fn)(void *arg);
	void *arg;
	uint32_t claimed; /* a caller owns the slot until the target has run fn */
	uint32_t ready;   /* fn and arg are written */
};

/* One per CPU, reached through GS; the first field points to itself. */
struct percpu {
	struct percpu *self;
	uint64_t stack_top; /* offset 8: the AP trampoline loads it (PERCPU_STACK_TOP) */
	unsigned int index; /* logical CPU number: 0 is the boot CPU */
	uint32_t apic_id;
	volatile bool online;
	volatile bool in_fatal; /* an exception is being reported: nested faults just park */
	uint64_t ist_top[IST_COUNT];
	uint64_t gdt[GDT_ENTRIES] __aligned(8);
	struct tss tss __aligned(16);
	struct xcall_slot xcall;
	/* Set by code that provokes a fault on purpose (self-tests): resume here. */
	uint64_t fault_fixup_rip;
	uint64_t fault_seen_vector;
	uint64_t fault_seen_cr2;
	/* VMX root operation on this CPU */
	bool vmx_on;
	paddr_t vmxon_region;
	/* Work handed to this CPU's idle loop (a vCPU to run), see smp_run_on(). */
	void (*work_fn)(void *arg);
	void *work_arg;
	struct vcpu *current_vcpu;
	/*
	 * The scheduler's hint (kernel/sched): threads other than the running one
	 * are queued or sleeping here. 0 lets a vCPU's exit skip the scheduler.
	 */
	uint32_t sched_others;
};

#define PERCPU_STACK_TOP 8
_Static_assert(__builtin_offsetof(struct percpu, stack_top) == PERCPU_STACK_TOP,
	       "trampoline.S depends on this offset");

extern struct percpu *cpu_table[MAX_CPUS];
extern unsigned int cpus_online;
extern unsigned int cpus_possible;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int this_cpu_index(void)
{
	return this_cpu()->index;
}

void percpu_install(struct percpu *pc);

#endif
