/* SPDX-License-Identifier: GPL-2.0 */
/* CPUID as Plinth presents it: hypervisor present, VMX and SVM hidden. */
#include "guest.h"

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID80000001_ECX_SVM (1u << 2)

/* The LAPIC timer's clock (LAPIC_BUS_HZ in vmm/dev/lapic.h), in leaves 0x15 and 0x40000010. */
#define LAPIC_CLOCK_KHZ 1000000u

void guest_main(const struct boot_block *bb)
{
	uint32_t r[4], tsc_khz, khz, slack;

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
	tsc_khz = r[0];
	check(r[0] != 0, "cpuid-tsc-khz", "leaf 0x40000010 EAX is 0");
	check(r[1] == LAPIC_CLOCK_KHZ, "cpuid-tsc-leaf-ebx", "leaf 0x40000010 EBX %u, want %u",
	      r[1], LAPIC_CLOCK_KHZ);

	/* Leaf 0x15: crystal = the LAPIC clock, the ratio the TSC rate (as Linux computes it). */
	cpuid(0, 0, r);
	if (r[0] < 0x15) {
		fail("cpuid-tsc-crystal", "max basic leaf 0x%x < 0x15", r[0]);
	} else {
		cpuid(0x15, 0, r);
		gprintf("INFO leaf 0x15 %u/%u crystal %u\n", r[1], r[0], r[2]);
		khz = r[0] ? (r[2] / 1000) * r[1] / r[0] : 0;
		/* Within 1 ppm and a kHz of rounding. */
		slack = 1 + tsc_khz / 1000000;
		check(r[2] == LAPIC_CLOCK_KHZ * 1000 && r[0] && r[1] &&
		      khz + slack >= tsc_khz && khz <= tsc_khz + slack,
		      "cpuid-tsc-crystal", "leaf 0x15 %u/%u crystal %u gives %u kHz, want %u",
		      r[1], r[0], r[2], khz, tsc_khz);
	}

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001) {
		fail("cpuid-svm-hidden", "max extended leaf 0x%08x < 0x80000001", r[0]);
		return;
	}
	cpuid(0x80000001, 0, r);
	check(!(r[2] & CPUID80000001_ECX_SVM), "cpuid-svm-hidden",
	      "leaf 0x80000001 ECX 0x%08x has SVM (bit 2)", r[2]);
}
