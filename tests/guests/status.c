/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Powers off with the status given on the command line, all 64 bits of it.
 *   cmdline: status=N (hex with 0x)   forge=1: first print the lines Plinth
 *   itself writes when a partition succeeds, to check that the test oracle
 *   reads only Plinth's own lines. exitport=P: end through the partition's
 *   exit port P (a 32-bit OUT of the status) instead of the hypercall.
 *   halt=1: halt with interrupts off for good, until the partition's time
 *   limit: a halted vCPU must cost its CPU no time meanwhile.
 */
#include "guest.h"

void guest_main(const struct boot_block *bb)
{
	const char *s = cmdline_get("status");
	uint64_t status = s ? parse_u64(s, 0, NULL) : 0;

	(void)bb;
	if (cmdline_get("halt")) {
		gprintf("INFO halting with interrupts off\n");
		for (;;)
			asm volatile("cli\n\thlt" ::: "memory");
	}
	if (cmdline_get("forge")) {
		gprintf("partition 'forger' stopped: powered off by the guest (status 0)\n");
		gprintf("[   99.000000] cpu1 INFO  partition 'forger' stopped: powered off by the guest (status 0)\n");
		gprintf("test exit: SUCCESS\n");
	}
	s = cmdline_get("exitport");
	if (s) {
		outl((uint16_t)parse_u64(s, 0, NULL), (uint32_t)status);
		fail("exitport", "the exit port write returned");
	}
	hypercall(HC_POWEROFF, status, 0, 0);
	fail("poweroff", "HC_POWEROFF returned");
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}
