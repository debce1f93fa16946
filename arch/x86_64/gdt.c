/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU GDT and TSS; the TSS exists for its IST stacks (NMI, #DF, #MC). */
#include <asm/cpu.h>
#include <asm/percpu.h>

struct __packed descriptor_ptr {
	uint16_t limit;
	uint64_t base;
};

#define SEG_CODE64 0x00209a0000000000ULL /* P, DPL0, code, exec/read, L */
#define SEG_DATA 0x0000920000000000ULL   /* P, DPL0, data, read/write */

static void set_tss_descriptor(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void percpu_install(struct percpu *pc)
{
	struct descriptor_ptr gdtr;

	pc->self = pc;
	pc->gdt[0] = 0;
	pc->gdt[1] = SEG_CODE64;
	pc->gdt[2] = SEG_DATA;
	for (int i = 0; i < IST_COUNT; i++)
		pc->tss.ist[i] = pc->ist_top[i];
	pc->tss.rsp[0] = pc->stack_top;
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O bitmap */
	set_tss_descriptor(&pc->gdt[3], &pc->tss);

	gdtr.limit = sizeof(pc->gdt) - 1;
	gdtr.base = (uint64_t)pc->gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "r"(GDT_TSS)
			 : "rax", "memory");
	/* Loading %gs above cleared its base: point it at this CPU now. */
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}
