/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <asm/processor-flags.h>
#include <plinth/types.h>

/* Architectural MSR numbers (SDM vol. 4), one definition each for Plinth and the guest policy. */
#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_SPEC_CTRL 0x48
#define MSR_PRED_CMD 0x49
#define PRED_CMD_IBPB 1ULL
#define DEBUGCTL_BTF (1ULL << 1) /* single-step on branches */
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_VM_CR 0xc0010114

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline void cpuid_count(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, struct cpuid_regs *r)
{
	cpuid_count(leaf, 0, r);
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                         \
	static inline uint64_t read_cr##n(void)                        \
	{                                                              \
		uint64_t v;                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));      \
		return v;                                              \
	}                                                              \
	static inline void write_cr##n(uint64_t v)                     \
	{                                                              \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/*
 * Lets pending interrupts in, then closes again. A bare "sti; cli" would take
 * none: STI blocks interrupts until the instruction after it has run, and that
 * instruction would be the CLI. The NOP is the one instruction they are
 * delivered before.
 */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" : : : "memory");
}

static inline uint64_t irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & (1 << 9))
		irq_enable();
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

/* Atomically enables interrupts and halts, so a wakeup IPI cannot slip between. */
static inline void cpu_idle_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void __noreturn cpu_park(void);
/* entry.S: switches to stack_top and calls fn(arg); fn must not return. */
void __noreturn call_on_stack(void (*fn)(void *), void *arg, uint64_t stack_top);

#endif
