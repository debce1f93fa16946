/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring 3 for the long-mode test guests: GDT with user segments, a 64-bit
 * TSS, running a function at CPL3 and coming back, page-table helpers.
 * See user.h. Nothing here runs unless a guest calls it.
 */
#include "user.h"

#define PT_POOL 6
#define PAGE 4096ULL
#define SIZE_2M 0x200000ULL

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static uint64_t gdt[9] __aligned(16);
static struct tss64 tss __aligned(16);
static uint8_t rsp0_stack[8192] __aligned(16);
static uint8_t ist1_stack[4096] __aligned(16);
/* Pages user code reaches: its stack and the return trampoline. */
static uint8_t user_stack_page[PAGE] __aligned(4096);
static uint8_t user_tramp_page[PAGE] __aligned(4096);
static uint64_t pt_pool[PT_POOL][512] __aligned(4096);
static unsigned int pt_used;
static bool user_ready;

/* Shared with the assembly below. */
uint64_t user_kernel_rsp;
uint64_t user_stack_top;
uint64_t user_tramp_addr;
uint64_t user_rflags = 0x2;
volatile uint8_t user_active;
struct trap_frame user_fault_frame;

uint64_t user_asm_call(user_fn fn, uint64_t arg);
void user_resume(void);

/*
 * user_asm_call(fn, arg): saves the callee-saved registers and RFLAGS,
 * IRETQs to fn at CPL3; user_resume is where the return gate (or a fault
 * at CPL3) sends the CPU back, at CPL0 on the saved stack, RAX = result.
 */
asm(".text\n"
    ".globl user_asm_call\n"
    "user_asm_call:\n\t"
    "pushq %rbx\n\tpushq %rbp\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
    "pushfq\n\t"
    "cli\n\t"
    "movq %rsp, user_kernel_rsp(%rip)\n\t"
    "movq user_stack_top(%rip), %rax\n\t"
    /* The return address for fn; written only when SMAP cannot refuse it (user_init wrote it). */
    "movq %cr4, %rcx\n\t"
    "btq $21, %rcx\n\t"
    "jc 1f\n\t"
    "movq user_tramp_addr(%rip), %rcx\n\t"
    "movq %rcx, -8(%rax)\n"
    "1:\tsubq $8, %rax\n\t"
    "movb $1, user_active(%rip)\n\t"
    "pushq $0x1b\n\t"
    "pushq %rax\n\t"
    "pushq user_rflags(%rip)\n\t"
    "pushq $0x23\n\t"
    "pushq %rdi\n\t"
    "movq %rsi, %rdi\n\t"
    "xorl %eax, %eax\n\txorl %ebx, %ebx\n\txorl %ecx, %ecx\n\txorl %edx, %edx\n\t"
    "xorl %esi, %esi\n\txorl %ebp, %ebp\n\txorl %r8d, %r8d\n\txorl %r9d, %r9d\n\t"
    "xorl %r10d, %r10d\n\txorl %r11d, %r11d\n\t"
    "iretq\n"
    ".globl user_resume\n"
    "user_resume:\n\t"
    "movq user_kernel_rsp(%rip), %rsp\n\t"
    "movl $0x10, %ecx\n\tmovl %ecx, %ds\n\tmovl %ecx, %es\n\t"
    "popfq\n\t"
    "popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbp\n\tpopq %rbx\n\t"
    "ret\n");

/* Back to user_resume at CPL0 with RAX = rax. */
static void resume_kernel(struct trap_frame *f, uint64_t rax)
{
	user_active = 0;
	f->rax = rax;
	f->rip = (uint64_t)(uintptr_t)user_resume;
	f->cs = KERNEL_CS;
	f->ss = KERNEL_DS;
	f->rsp = user_kernel_rsp;
	f->rflags = 0x2;
}

static bool user_fault(struct trap_frame *f)
{
	if (!user_active)
		return false;
	trap_record(f);
	user_fault_frame = *f;
	resume_kernel(f, USER_FAULTED);
	return true;
}

static void user_return(struct trap_frame *f)
{
	if (!(f->cs & 3) || !user_active) {
		fail("user-return", "INT 0x%x from CS 0x%lx outside user_call()", USER_RET_VECTOR,
		     f->cs);
		poweroff(1);
	}
	resume_kernel(f, f->rax);
}

static uint64_t gdt_tss_low(uint64_t base, uint32_t limit)
{
	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 | 0x89ULL << 40 |
	       ((uint64_t)(limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
}

void user_init(void)
{
	uint64_t b = (uint64_t)(uintptr_t)&tss;
	struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	if (user_ready)
		return;
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL;	/* 0x08 64-bit code */
	gdt[2] = 0x00cf92000000ffffULL;	/* 0x10 data */
	gdt[3] = 0x00cff2000000ffffULL;	/* 0x18 user data */
	gdt[4] = 0x00affa000000ffffULL;	/* 0x20 64-bit user code */
	gdt[5] = gdt_tss_low(b, sizeof(tss) - 1);
	gdt[6] = b >> 32;
	/* 0x38: data with base USER_BASED_DS_BASE */
	gdt[7] = 0x00cf92000000ffffULL | (USER_BASED_DS_BASE & 0xffffff) << 16 |
		 ((USER_BASED_DS_BASE >> 24) & 0xff) << 56;
	gdt[8] = 0;
	memset(&tss, 0, sizeof(tss));
	tss.rsp[0] = user_rsp0_top();
	tss.ist[0] = user_ist1_top();
	tss.iomap_base = sizeof(tss);	/* no bitmap: IOPL decides */
	asm volatile("lgdt %0\n\t"
		     "movl $0x10, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\tmovl %%eax, %%ss\n\t"
		     "pushq $0x08\n\tleaq 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
		     "movw $0x28, %%ax\n\tltr %%ax"
		     : : "m"(p) : "rax", "memory");

	/* INT3-free trampoline: INT USER_RET_VECTOR; UD2 if it ever comes back. */
	user_tramp_page[0] = 0xcd;
	user_tramp_page[1] = USER_RET_VECTOR;
	user_tramp_page[2] = 0x0f;
	user_tramp_page[3] = 0x0b;
	user_tramp_addr = (uint64_t)(uintptr_t)user_tramp_page;
	user_stack_top = (uint64_t)(uintptr_t)user_stack_page + PAGE;
	*(uint64_t *)(uintptr_t)(user_stack_top - 8) = user_tramp_addr;
	user_map_range(user_tramp_addr, user_tramp_addr + PAGE);
	user_map_range((uint64_t)(uintptr_t)user_stack_page,
		       (uint64_t)(uintptr_t)user_stack_page + PAGE);

	set_irq_handler(USER_RET_VECTOR, user_return);
	idt_set_dpl(USER_RET_VECTOR, 3);
	trap_user_hook = user_fault;
	user_ready = true;
}

uint64_t user_call(user_fn fn, uint64_t arg)
{
	user_init();
	return user_asm_call(fn, arg);
}

void user_set_rflags(uint64_t set, uint64_t clear)
{
	user_rflags = (((user_rflags & ~clear) | set) & ~0x200ULL) | 0x2;
}

void user_set_iopl(unsigned int iopl)
{
	user_set_rflags((uint64_t)(iopl & 3) << RFLAGS_IOPL_SHIFT, 3ULL << RFLAGS_IOPL_SHIFT);
}

uint64_t user_rsp0_top(void)
{
	return (uint64_t)(uintptr_t)rsp0_stack + sizeof(rsp0_stack);
}

uint64_t user_ist1_top(void)
{
	return (uint64_t)(uintptr_t)ist1_stack + sizeof(ist1_stack);
}

void flush_tlb(void)
{
	asm volatile("mov %%cr3, %%rax\n\tmov %%rax, %%cr3" ::: "rax", "memory");
}

uint64_t *pt_entry_4k(uint64_t va)
{
	uint64_t *pde = pt_entry(va, 2);

	if (!pde || !(*pde & PTE_P))
		return NULL;
	if (*pde & PTE_PS) {
		uint64_t e = *pde, base = e & PTE_ADDR & ~(SIZE_2M - 1);
		uint64_t flags = (e & 0x17fULL & ~PTE_PS) | (e & PTE_NX);
		uint64_t *pt;

		if (e & PTE_PAT2M)
			flags |= PTE_PAT4K;
		if (pt_used == PT_POOL) {
			fail("pt-split", "no page table left to split 0x%lx", va);
			return NULL;
		}
		pt = pt_pool[pt_used++];
		for (uint64_t i = 0; i < 512; i++)
			pt[i] = (base + i * PAGE) | flags;
		/* Rights are the PTEs': the PDE grants everything. */
		*pde = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W | PTE_US;
		flush_tlb();
	}
	uint64_t *pt = (uint64_t *)(uintptr_t)(*pde & PTE_ADDR);

	return &pt[(va >> 12) & 511];
}

void pt_set_range(uint64_t start, uint64_t end, uint64_t set, uint64_t clear)
{
	for (uint64_t va = start & ~(PAGE - 1); va < end; va += PAGE) {
		uint64_t *pte = pt_entry_4k(va);

		if (!pte)
			continue;
		if (set & PTE_US) {
			*pt_entry(va, 4) |= PTE_US;
			*pt_entry(va, 3) |= PTE_US;
			*pt_entry(va, 2) |= PTE_US;
		}
		*pte = (*pte | set) & ~clear;
		invlpg(va);
	}
	flush_tlb();
}

void nx_range(uint64_t start, uint64_t end)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	pt_set_range(start, end, PTE_NX, 0);
}

static uint32_t cpuid7_ebx(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;
	cpuid(7, 0, r);
	return r[1];
}

bool cpu_has_smep(void)
{
	return cpuid7_ebx() & (1u << 7);
}

bool cpu_has_smap(void)
{
	return cpuid7_ebx() & (1u << 20);
}

bool cpu_has_fsgsbase(void)
{
	return cpuid7_ebx() & 1u;
}

int cr4_update(uint64_t set, uint64_t clear)
{
	uint64_t v = (read_cr4() | set) & ~clear;

	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%cr4" TRY_END : : "r"(v) : "r11", "memory");
	return trap_vector();
}
