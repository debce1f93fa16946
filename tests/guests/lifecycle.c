/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle self-test's guest (vmm/core/lifecycle_selftest.c): says it
 * is up, then halts for hold_ms (cmdline, default 1500) of timer ticks and
 * powers off with status 0. Plinth stops it in the middle of that twice and
 * lets it finish once; a halted guest costs the emulator little.
 */
#include "guest.h"

#define TIMER_VECTOR 0x30
#define TICK_US 50000

static volatile unsigned int ticks;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	ticks++;
	apic_eoi();
}

void guest_main(const struct boot_block *bb)
{
	const char *s = cmdline_get("hold_ms");
	uint64_t hold_ms = s ? parse_u64(s, 0, NULL) : 1500;

	(void)bb;
	gprintf("lifecycle guest: up\n");
	set_irq_handler(TIMER_VECTOR, timer_irq);
	apic_sw_enable();
	outb(GUEST_TIMER_VECTOR_PORT, TIMER_VECTOR);
	for (unsigned int i = 0; i < hold_ms * 1000 / TICK_US; i++) {
		unsigned int before = ticks;

		outl(GUEST_TIMER_PORT, TICK_US);
		/* sti; hlt is atomic: the tick cannot slip in between and be missed. */
		while (ticks == before)
			asm volatile("sti\n\thlt\n\tcli" ::: "memory");
	}
	gprintf("lifecycle guest: %u ticks, powering off\n", ticks);
}
