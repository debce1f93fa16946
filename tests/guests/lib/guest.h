/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_H
#define GUEST_H

/*
 * Runtime shared by the long-mode test guests (see tests/guests/GUEST_ABI.md).
 * A guest defines guest_main(); crt0 clears .bss, loads an IDT that catches
 * every vector, validates the boot block, calls guest_main() and powers off
 * with status 0 iff no FAIL line was printed.
 *
 * Output lines: "PASS name", "FAIL name: detail", "INFO ...", "HOSTILE what".
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vmm/hypercall.h>
#include <vmm/platform.h>

#define __printf_fmt(a, b) __attribute__((format(printf, a, b)))
#define __aligned(x) __attribute__((aligned(x)))
#define __noreturn __attribute__((noreturn))

#define BOOT_BLOCK_ADDR 0x7000
#define BOOT_BLOCK_MAGIC 0x544e4c50u /* "PLNT" */
#define BOOT_CMDLINE_MAX 512

struct boot_block {
	uint32_t magic;
	uint32_t vcpu_count;
	uint64_t memory_size;
	char cmdline[BOOT_CMDLINE_MAX];
};

/* Plinth's hypercall error numbers are Linux's (plinth/errno.h). */
#define GUEST_ENOSYS 38

/* Implemented by each guest. */
void guest_main(const struct boot_block *bb);

/* print.c */
int vfmt(char *buf, size_t size, const char *fmt, va_list ap);
void gprintf(const char *fmt, ...) __printf_fmt(1, 2);
void pass(const char *name);
void fail(const char *name, const char *fmt, ...) __printf_fmt(2, 3);
/* PASS name if ok, else FAIL name: detail. Returns ok. */
bool check(bool ok, const char *name, const char *fmt, ...) __printf_fmt(3, 4);
void hostile(const char *fmt, ...) __printf_fmt(1, 2);
unsigned int guest_failures(void);

/* runtime.c */
extern const struct boot_block *guest_boot_block;
/* Powers off; a FAIL printed earlier forces a nonzero status. */
__noreturn void poweroff(unsigned int status);
__noreturn void guest_exit(void);
long hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3);
/* TSC kHz from CPUID 0x40000010, 0 if Plinth does not report it. */
uint32_t tsc_khz(void);
/* TSC ticks for us microseconds (assumes 1 GHz without a reported rate). */
uint64_t tsc_ticks_us(uint64_t us);
void delay_us(uint64_t us);
/* Value of "key=" in the boot command line (NUL/space terminated), or NULL. */
const char *cmdline_get(const char *key);
/* Parses an unsigned number (0x prefix = hex unless base given); *end past it. */
uint64_t parse_u64(const char *s, int base, const char **end);
bool streq_n(const char *a, const char *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* trap.c: exceptions and interrupts. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct trap_record {
	int vector;		/* NO_TRAP if none since trap_reset() */
	uint64_t error_code;	/* 0 for vectors without one */
	uint64_t rip;		/* as pushed by the CPU */
	uint64_t cr2;		/* only for #PF */
	unsigned long count;	/* expected exceptions handled so far */
};

#define NO_TRAP (-1)

extern struct trap_record trap_last;
extern volatile uint64_t trap_fixup_rip;

typedef void (*irq_handler_t)(struct trap_frame *f);

void idt_init(void);
void idt_load(void);	/* loads the shared IDT on another vCPU */
void set_irq_handler(uint8_t vector, irq_handler_t fn);
/* Gate privilege (who may reach it with INT n) and IST slot (0 = none) of one vector. */
void idt_set_dpl(uint8_t vector, unsigned int dpl);
void idt_set_ist(uint8_t vector, unsigned int ist);
/* Records f in trap_last, as for an expected exception. */
void trap_record(const struct trap_frame *f);
/* Consulted for exceptions taken at CPL>0 (user.c); true if it handled f. */
extern bool (*trap_user_hook)(struct trap_frame *f);
void trap_reset(void);
int trap_vector(void);
/* The next exception is recorded and execution resumes len bytes after the RIP the CPU pushed. */
void trap_expect_skip(unsigned int len);

/*
 * Bracket instructions that may fault inside one extended asm statement
 * (clobbers "r11", "memory"): an exception in between is recorded in
 * trap_last and execution resumes at the end of the bracket. Local label 9
 * is taken.
 */
#define TRY_BEGIN "leaq 9f(%%rip), %%r11\n\tmovq %%r11, trap_fixup_rip(%%rip)\n\t"
#define TRY_END "\n9:\n\tmovq $0, trap_fixup_rip(%%rip)\n\t"

/* The operand of LGDT/LIDT in 64-bit mode. */
struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* paging.c: the current page tables (identity-mapped, so tables are reachable). */
#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_PWT 0x8ULL
#define PTE_PCD 0x10ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL
/* Page-table entry for va at level 4 (PML4), 3 (PDPT) or 2 (PD); NULL if the walk stops early. */
uint64_t *pt_entry(uint64_t va, int level);
void invlpg(uint64_t va);

/* Port I/O, MSRs, CPUID, TSC. */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* RDMSR that may fault: returns the vector raised or NO_TRAP. */
static inline int rdmsr_trap(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	trap_reset();
	asm volatile(TRY_BEGIN "rdmsr" TRY_END
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*val = (uint64_t)hi << 32 | lo;
	return trap_vector();
}

static inline int wrmsr_trap(uint32_t msr, uint64_t v)
{
	trap_reset();
	asm volatile(TRY_BEGIN "wrmsr" TRY_END
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "r11", "memory");
	return trap_vector();
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/*
 * The local APIC as an OS must drive it before interrupts arrive: it
 * starts software-disabled (SVR bit 8 clear, incoming vectors are dropped)
 * and a vector stays in service, holding back its priority class, until
 * the handler writes EOI.
 */
#define GUEST_APIC_SVR 0x0f0
#define GUEST_APIC_EOI 0x0b0
#define GUEST_APIC_SVR_ENABLE_FF 0x1ff /* software-enabled, spurious vector 0xff */

static inline void apic_sw_enable(void)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + GUEST_APIC_SVR) =
		GUEST_APIC_SVR_ENABLE_FF;
}

static inline void apic_eoi(void)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + GUEST_APIC_EOI) = 0;
}

#endif
