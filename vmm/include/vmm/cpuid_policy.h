/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CPUID_POLICY_H
#define VMM_CPUID_POLICY_H

/*
 * What a partition sees when it executes CPUID. The CPUID exit handler runs
 * the real instruction on the host for the same leaf/subleaf and hands the
 * result to cpuid_policy_apply(), which hides what Plinth does not
 * virtualize and synthesizes topology and the hypervisor leaves. Pure logic:
 * no instruction is executed here, so every rule is unit-tested on the host.
 */
#include <plinth/types.h>

/* Highest basic leaf Plinth knows how to filter; anything newer is unknown. */
#define CPUID_POLICY_MAX_BASIC 0x1fU
/* Highest extended leaf a guest is offered. */
#define CPUID_POLICY_MAX_EXT 0x80000008U
/* Highest hypervisor leaf (answered by the signature leaf). */
#define CPUID_POLICY_MAX_HV 0x40000010U
/*
 * Leaf 1 EBX[31:24] holds an 8-bit APIC ID and xAPIC reserves 0xff for
 * broadcast, so a partition without x2APIC cannot have more vCPUs.
 */
#define CPUID_POLICY_MAX_VCPUS 255U

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_policy {
	uint32_t max_basic;      /* leaf 0 EAX reported to the guest */
	uint32_t host_max_basic; /* basic leaves above it that Plinth does not make up are 0 */
	uint32_t max_ext;        /* leaf 0x80000000 EAX reported to the guest */
	uint64_t tsc_hz;         /* leaves 0x15 (exact ratio to LAPIC_BUS_HZ) and 0x16 */
	uint64_t tsc_khz;        /* leaf 0x40000010 EAX */
	unsigned int vcpu_count; /* 1 .. CPUID_POLICY_MAX_VCPUS */
	/*
	 * Features of Plinth's own models, set by cpuid_policy_init(): x2APIC
	 * (leaf 1 ECX[21]; the LAPIC model is created with it exactly when
	 * this is set) and the TSC-deadline timer (leaf 1 ECX[24]; its LAPIC
	 * must then be given the TSC rate).
	 */
	bool x2apic;
	bool tsc_deadline;
	/*
	 * RDTSCP (0x80000001 EDX[27], with the host's): only when the backend
	 * lets the guest execute it. Off after init; the caller sets it.
	 */
	bool rdtscp;
};

/* Guest state that changes what CPUID reports, sampled at the CPUID exit. */
struct cpuid_guest_state {
	bool cr4_osxsave; /* guest CR4.OSXSAVE -> leaf 1 ECX[27] */
	bool cr4_pke;     /* guest CR4.PKE -> leaf 7 ECX[4] (OSPKE) */
	uint32_t apic_id; /* this vCPU's APIC ID (Plinth: the vCPU index) */
};

/*
 * Fill @p for a partition with @vcpus vCPUs whose TSC runs at @tsc_hz (0:
 * unknown; then no 0x15/0x16 leaves and no TSC-deadline timer). Returns 0,
 * or -EINVAL for a NULL @p, zero or too many vCPUs, or a TSC frequency that
 * does not fit leaf 0x40000010 EAX in kHz or is above LAPIC_MAX_TSC_HZ (in
 * which case @p is left as a 1-vCPU policy with no TSC rate, so a caller
 * that ignores the error still gets sane CPUID).
 */
int cpuid_policy_init(struct cpuid_policy *p, uint32_t host_max_basic,
		      uint32_t host_max_ext, uint64_t tsc_hz,
		      unsigned int vcpus);

/*
 * Compute what the guest sees for CPUID(@leaf, @subleaf) from the host's
 * answer @host. @out may alias @host. NULL @p, @gs or @host gives all zeros.
 *
 * Note for leaf 0xD subleaf 0/1 EBX (XSAVE area size for the *current*
 * XCR0/XSS): the value is passed through, so the host CPUID must be executed
 * while the guest's XCR0 is loaded.
 */
void cpuid_policy_apply(const struct cpuid_policy *p, uint32_t leaf,
			uint32_t subleaf, const struct cpuid_guest_state *gs,
			const struct cpuid_result *host,
			struct cpuid_result *out);

#endif
