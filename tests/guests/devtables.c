/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: makes the CPU itself touch a device page while it walks the
 * guest's page tables, delivers an event or reads a descriptor. None of those
 * accesses is the instruction at RIP accessing its operand, so Plinth must
 * not emulate it (by decoding whatever sits at RIP) but stop the partition
 * saying what touched the device. Reaching the end means it did not.
 *   cmdline: mode=walk   a page-directory-pointer table on the test MMIO device
 *            mode=idt    the IDT on the test MMIO device, then INT3
 *            mode=gdt    the GDT on the test MMIO device, then a DS load
 */
#include "guest.h"

#define WALK_SLOT 201ULL /* PML4 slot of a canonical lower-half address the identity map leaves free */
#define WALK_VA (WALK_SLOT << 39)

static void via_walk(void)
{
	uint64_t *pml4e = pt_entry(WALK_VA, 4);
	volatile uint64_t *p = (volatile uint64_t *)WALK_VA;

	*pml4e = GUEST_TESTDEV_MMIO | PTE_P | PTE_W;
	invlpg(WALK_VA);
	hostile("read through a page table on the device");
	(void)*p;
}

static void via_idt(void)
{
	struct desc_ptr idt = { 0xfff, GUEST_TESTDEV_MMIO };

	hostile("INT3 with the IDT on the device");
	asm volatile("lidt %0\n\tint3" : : "m"(idt) : "memory");
}

static void via_gdt(void)
{
	struct desc_ptr gdt = { 0xfff, GUEST_TESTDEV_MMIO };

	hostile("DS load with the GDT on the device");
	asm volatile("lgdt %0\n\tmov $0x10, %%eax\n\tmov %%eax, %%ds" : : "m"(gdt) : "rax", "memory");
}

void guest_main(const struct boot_block *bb)
{
	const char *mode = cmdline_get("mode");

	(void)bb;
	if (mode && streq_n(mode, "walk", 4))
		via_walk();
	else if (mode && streq_n(mode, "idt", 3))
		via_idt();
	else if (mode && streq_n(mode, "gdt", 3))
		via_gdt();
	else
		fail("devtables-args", "want mode=walk|idt|gdt");
	/* Only a GDT access can come back here, and only if it was emulated. */
	fail("contained", "the CPU's own access to a device page was not stopped");
	poweroff(1);
}
