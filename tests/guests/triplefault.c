/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: INT3 with an empty IDT: #BP -> #GP -> #DF -> triple fault.
 * Plinth must stop the partition.
 */
#include "guest.h"

void guest_main(const struct boot_block *bb)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	(void)bb;
	hostile("triple fault: lidt limit 0, int3");
	asm volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	/* Only reachable if the fault sequence was somehow absorbed. */
	idt_load();
	fail("contained", "still running after the triple fault");
	poweroff(1);
}
