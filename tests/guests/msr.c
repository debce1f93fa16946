/* SPDX-License-Identifier: GPL-2.0 */
/* MSR allow-list: allowed MSRs work, anything else is #GP in the guest. */
#include "guest.h"

#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_PAT 0x277
#define MSR_VMX_BASIC 0x480
#define MSR_EFER 0xc0000080
#define MSR_BOGUS 0x12345678

#define APIC_BASE_EN (1ULL << 11)
#define FC_VMX_IN_SMX (1ULL << 1)
#define FC_VMX_OUTSIDE_SMX (1ULL << 2)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define VEC_GP 13

/* Reading msr must raise #GP(0) in the guest. */
static void expect_rdmsr_gp(const char *name, uint32_t msr)
{
	uint64_t v;
	int vec = rdmsr_trap(msr, &v);

	if (vec == NO_TRAP)
		fail(name, "RDMSR 0x%x returned 0x%lx, want #GP", msr, v);
	else
		check(vec == VEC_GP && trap_last.error_code == 0, name,
		      "RDMSR 0x%x raised vector %d error 0x%lx, want #GP(0)", msr, vec,
		      trap_last.error_code);
}

static void test_pat(void)
{
	/* Same types as the reset value, different order: every byte is valid. */
	const uint64_t good = 0x0006040700060407ULL;
	/* Type 2 is reserved in byte 0. */
	const uint64_t bad = 0x0007040600070402ULL;
	uint64_t orig, v;
	int vec;

	if (rdmsr_trap(MSR_PAT, &orig) != NO_TRAP) {
		fail("msr-pat-roundtrip", "RDMSR PAT raised vector %d", trap_vector());
		return;
	}
	gprintf("INFO pat 0x%016lx\n", orig);
	vec = wrmsr_trap(MSR_PAT, good);
	if (vec != NO_TRAP) {
		fail("msr-pat-roundtrip", "WRMSR PAT 0x%lx raised vector %d", good, vec);
	} else {
		vec = rdmsr_trap(MSR_PAT, &v);
		check(vec == NO_TRAP && v == good, "msr-pat-roundtrip",
		      "read back 0x%lx (vector %d), want 0x%lx", v, vec, good);
	}

	vec = wrmsr_trap(MSR_PAT, bad);
	check(vec == VEC_GP, "msr-pat-invalid-gp",
	      "WRMSR PAT 0x%lx: vector %d, want #GP", bad, vec);
	vec = rdmsr_trap(MSR_PAT, &v);
	check(vec == NO_TRAP && v == good, "msr-pat-invalid-ignored",
	      "PAT is 0x%lx after the rejected write, want 0x%lx", v, good);

	wrmsr_trap(MSR_PAT, orig);
}

void guest_main(const struct boot_block *bb)
{
	uint64_t v;
	int vec;

	(void)bb;
	vec = rdmsr_trap(MSR_APIC_BASE, &v);
	if (vec != NO_TRAP)
		fail("msr-apic-base", "RDMSR 0x1b raised vector %d", vec);
	else
		check(v & APIC_BASE_EN, "msr-apic-base", "0x%lx lacks the enable bit", v);

	test_pat();
	expect_rdmsr_gp("msr-unknown-gp", MSR_BOGUS);
	expect_rdmsr_gp("msr-vmx-basic-gp", MSR_VMX_BASIC);

	vec = rdmsr_trap(MSR_FEATURE_CONTROL, &v);
	if (vec != NO_TRAP)
		fail("msr-feature-control", "RDMSR 0x3a raised vector %d", vec);
	else
		check(!(v & (FC_VMX_IN_SMX | FC_VMX_OUTSIDE_SMX)), "msr-feature-control",
		      "0x%lx has VMX enable bits", v);

	vec = rdmsr_trap(MSR_EFER, &v);
	if (vec != NO_TRAP)
		fail("msr-efer", "RDMSR EFER raised vector %d", vec);
	else
		check((v & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "msr-efer",
		      "0x%lx lacks LME/LMA in long mode", v);
}
