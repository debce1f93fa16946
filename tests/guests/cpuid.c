/* SPDX-License-Identifier: GPL-2.0 */
/* CPUID as Plinth presents it: hypervisor present, VMX and SVM hidden. */
#include "guest.h"

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID80000001_ECX_SVM (1u << 2)

void guest_main(const struct boot_block *bb)
{
	uint32_t r[4];

	(void)bb;
	cpuid(1, 0, r);
	check(r[2] & CPUID1_ECX_HYPERVISOR, "cpuid-hypervisor-bit",
	      "leaf 1 ECX 0x%08x lacks bit 31", r[2]);
	check(!(r[2] & CPUID1_ECX_VMX), "cpuid-vmx-hidden",
	      "leaf 1 ECX 0x%08x has VMX (bit 5)", r[2]);

	cpuid(PLINTH_CPUID_SIGNATURE, 0, r);
	char sig[13];

	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = '\0';
	check(memcmp(sig, "PlinthPlinth", 12) == 0, "cpuid-signature",
	      "leaf 0x40000000 EBX/ECX/EDX 0x%08x 0x%08x 0x%08x", r[1], r[2], r[3]);
	uint32_t max = r[0];

	check(max >= PLINTH_CPUID_TSC_KHZ, "cpuid-max-hv-leaf",
	      "leaf 0x40000000 EAX 0x%08x < 0x%x", max, PLINTH_CPUID_TSC_KHZ);

	cpuid(PLINTH_CPUID_TSC_KHZ, 0, r);
	gprintf("INFO tsc_khz %u\n", r[0]);
	check(r[0] != 0, "cpuid-tsc-khz", "leaf 0x40000010 EAX is 0");
	check(r[1] == 0, "cpuid-tsc-leaf-ebx", "leaf 0x40000010 EBX 0x%x, want 0", r[1]);

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001) {
		fail("cpuid-svm-hidden", "max extended leaf 0x%08x < 0x80000001", r[0]);
		return;
	}
	cpuid(0x80000001, 0, r);
	check(!(r[2] & CPUID80000001_ECX_SVM), "cpuid-svm-hidden",
	      "leaf 0x80000001 ECX 0x%08x has SVM (bit 2)", r[2]);
}
