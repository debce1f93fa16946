/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: exception deliveries that never reach an instruction boundary.
 *
 * mode=ac (CVE-2015-5307): the guest leaves long mode for 32-bit protected
 * mode (paging off), sets CR0.AM, and at CPL3 with RFLAGS.AC=1 pushes onto a
 * misaligned stack. Its #AC gate leads to CPL3 code, so delivering #AC pushes
 * onto the same misaligned stack and raises #AC again, forever.
 *
 * mode=db (CVE-2015-8104): a DR7 write breakpoint on the IST slot that #DB
 * delivery writes first (the SS of the frame), with #DB on that IST stack:
 * every #DB delivery hits the breakpoint again.
 *
 * Either way the CPU itself would never exit to Plinth unless #AC/#DB are
 * intercepted; Plinth must stop the partition at its time limit. Should the
 * CPU (or emulator) not loop, the guest says what happened ("INFO ...") and
 * spins, so the time limit still ends it.
 */
#include "guest.h"
#include "user.h"

#define AC_USER_ESP 0x300001u /* misaligned, in RAM */

struct gate32 {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct desc_ptr32 {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

uint64_t ac_gdt[6] __aligned(16) = {
	0,
	0x00af9a000000ffffULL,	/* 0x08 64-bit code */
	0x00cf92000000ffffULL,	/* 0x10 data */
	0x00cf9a000000ffffULL,	/* 0x18 32-bit code */
	0x00cffa000000ffffULL,	/* 0x20 32-bit code, DPL 3 */
	0x00cff2000000ffffULL,	/* 0x28 data, DPL 3 */
};
struct desc_ptr ac_gdt_desc;
static struct gate32 ac_idt[32] __aligned(8);
struct desc_ptr32 ac_idt_desc;
uint32_t ac_user_esp = AC_USER_ESP;

void ac_enter(void) __noreturn;
extern const char ac_handler[], ac_other[];

asm(".text\n"
    ".code64\n"
    ".globl ac_enter\n"
    "ac_enter:\n\t"
    "cli\n\t"
    "lgdt ac_gdt_desc(%rip)\n\t"
    "pushq $0x18\n\t"
    "leaq ac_pm32(%rip), %rax\n\t"
    "pushq %rax\n\t"
    "lretq\n"
    ".code32\n"
    "ac_pm32:\n\t"
    "movl $0x10, %eax\n\tmovl %eax, %ds\n\tmovl %eax, %es\n\tmovl %eax, %ss\n\t"
    "movl %eax, %fs\n\tmovl %eax, %gs\n\t"
    /* Paging off in compatibility mode leaves long mode; then EFER.LME off. */
    "movl %cr0, %eax\n\tandl $0x7fffffff, %eax\n\tmovl %eax, %cr0\n\t"
    "movl $0xc0000080, %ecx\n\trdmsr\n\tandl $0xfffffeff, %eax\n\twrmsr\n\t"
    "lidt ac_idt_desc\n\t"
    "movl %cr0, %eax\n\torl $0x40000, %eax\n\tmovl %eax, %cr0\n\t"
    /* CPL3, RFLAGS.AC=1, IOPL 3 (so the handler could print), misaligned ESP. */
    "pushl $0x2b\n\t"
    "pushl ac_user_esp\n\t"
    "pushl $0x43002\n\t"
    "pushl $0x23\n\t"
    "pushl $ac_user\n\t"
    "iretl\n"
    "ac_user:\n\t"
    "pushl %eax\n\t"
    "movl $ac_msg_nofault, %esi\n\t"
    "jmp ac_print_spin\n"
    ".globl ac_handler\n"
    "ac_handler:\n\t"
    "movl $ac_msg_handler, %esi\n\t"
    "jmp ac_print_spin\n"
    ".globl ac_other\n"
    "ac_other:\n\t"
    "movl $ac_msg_other, %esi\n"
    "ac_print_spin:\n\t"
    "movw $0x3f8, %dx\n"
    "1:\tlodsb %cs:(%esi), %al\n\t"
    "testb %al, %al\n\t"
    "jz 2f\n\t"
    "outb %al, %dx\n\t"
    "jmp 1b\n"
    "2:\tjmp 2b\n"
    ".code64\n"
    ".section .rodata\n"
    "ac_msg_nofault: .asciz \"INFO ac: the misaligned push at CPL3 raised no #AC\\n\"\n"
    "ac_msg_handler: .asciz \"INFO ac: the #AC handler ran at CPL3: delivery did not loop\\n\"\n"
    "ac_msg_other: .asciz \"INFO ac: an exception other than #AC was delivered\\n\"\n"
    ".text\n");

static void gate(int v, const char *fn, uint16_t sel)
{
	uint32_t a = (uint32_t)(uintptr_t)fn;

	ac_idt[v].off_lo = (uint16_t)a;
	ac_idt[v].sel = sel;
	ac_idt[v].zero = 0;
	ac_idt[v].type = 0xee; /* present, DPL 3, 32-bit interrupt gate */
	ac_idt[v].off_hi = (uint16_t)(a >> 16);
}

static __noreturn void mode_ac(void)
{
	for (int v = 0; v < 32; v++)
		gate(v, ac_other, 0x20);
	/* #AC goes to CPL3 code: no stack switch, the frame lands on the misaligned stack. */
	gate(17, ac_handler, 0x20);
	ac_gdt_desc.limit = sizeof(ac_gdt) - 1;
	ac_gdt_desc.base = (uint64_t)(uintptr_t)ac_gdt;
	ac_idt_desc.limit = sizeof(ac_idt) - 1;
	ac_idt_desc.base = (uint32_t)(uintptr_t)ac_idt;
	hostile("#AC delivery loop: 32-bit CPL3, CR0.AM=1, EFLAGS.AC=1, ESP 0x%x, #AC gate to CPL3",
		AC_USER_ESP);
	ac_enter();
}

static volatile unsigned long db_count;

static void db_handler(struct trap_frame *f)
{
	(void)f;
	db_count++;
}

static __noreturn void mode_db(void)
{
	uint64_t slot, dr7 = 0x1 | (1ULL << 16) | (2ULL << 18); /* L0, write, 8 bytes */

	user_init();
	idt_set_ist(1, 1);
	set_irq_handler(1, db_handler);
	/* The first thing #DB delivery writes on IST1: the SS slot of its frame. */
	slot = user_ist1_top() - 8;
	hostile("#DB delivery loop: DR0 = 0x%lx (SS slot of the #DB frame on IST1), DR7 = 0x%lx",
		slot, dr7);
	asm volatile("mov %0, %%dr0\n\tmov %1, %%dr7\n\tmovq $0, (%0)"
		     : : "r"(slot), "r"(dr7) : "memory");
	gprintf("INFO db: execution went on after the breakpoint write; #DB handler ran %lu "
		"time(s)\n", db_count);
	for (unsigned long i = 0;; i++) {
		/* Keep hitting it: each hit is another chance to loop. */
		asm volatile("movq $0, (%0)" : : "r"(slot) : "memory");
		if (i == 1000)
			gprintf("INFO db: 1000 more hits, handler count %lu\n", db_count);
	}
}

void guest_main(const struct boot_block *bb)
{
	const char *m = cmdline_get("mode");

	(void)bb;
	if (m && streq_n(m, "ac", 2))
		mode_ac();
	if (m && streq_n(m, "db", 2))
		mode_db();
	fail("mode", "cmdline needs mode=ac or mode=db");
}
