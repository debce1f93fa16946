/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: spins forever with interrupts off and never exits on its own.
 * Plinth must stop it (preemption timer / watchdog).
 */
#include "guest.h"

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	hostile("spin forever with interrupts off");
	asm volatile("cli" ::: "memory");
	for (;;)
		asm volatile("" ::: "memory");
}
