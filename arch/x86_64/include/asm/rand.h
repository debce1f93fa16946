/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_RAND_H
#define ASM_RAND_H

/*
 * The CPU's random number instructions, for whoever in Plinth needs
 * unpredictable numbers (TCP sequence numbers, TLS keys). RDRAND gives
 * DRBG output and fails only on momentary exhaustion, so a few retries
 * suffice; RDSEED gives conditioned entropy and may need pauses between
 * tries (Intel's DRNG software implementation guide).
 */
#include <asm/cpu.h>
#include <plinth/types.h>

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define RDRAND_TRIES 10
#define RDSEED_TRIES 1000

static inline bool cpu_has_rdrand(void)
{
	struct cpuid_regs r;

	cpuid(1, &r);
	return r.ecx & CPUID1_ECX_RDRAND;
}

static inline bool cpu_has_rdseed(void)
{
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	return r.ebx & CPUID7_EBX_RDSEED;
}

/* Only where cpu_has_rdrand(): false when it stayed exhausted. */
static inline bool rdrand64(uint64_t *v)
{
	bool ok;

	for (int i = 0; i < RDRAND_TRIES; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* Only where cpu_has_rdseed(): false when it stayed exhausted. */
static inline bool rdseed64(uint64_t *v)
{
	bool ok;

	for (int i = 0; i < RDSEED_TRIES; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

#endif
