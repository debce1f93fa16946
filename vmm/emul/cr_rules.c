/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Legality of guest control-register and XCR0 writes, as the CPU itself
 * checks them. The conditions are grouped by the register being written;
 * all of them raise the same #GP(0), so their order does not matter.
 */
#include <plinth/errno.h>
#include <plinth/types.h>
#include <vmm/cr_rules.h>

#define B(n) (1U << (n))

/* CPUID bits that announce a CR4 control (Vol. 2A CPUID, Vol. 3A 2.5). */
#define L1D_VME B(1)        /* also gates PVI */
#define L1D_DE B(2)
#define L1D_PSE B(3)
#define L1D_TSC B(4)        /* "RDTSC ... including CR4.TSD" */
#define L1D_PAE B(6)
#define L1D_MCE B(7)
#define L1D_PGE B(13)
#define L1D_FXSR B(24)
#define L1D_SSE B(25)
#define L1C_PCID B(17)
#define L1C_XSAVE B(26)
#define L7B_FSGSBASE B(0)
#define L7B_SMEP B(7)
#define L7B_SMAP B(20)
#define L7C_UMIP B(2)
#define L7C_PKU B(3)
#define L7C_CET_SS B(7)
#define L7C_LA57 B(16)
#define L7C_PKS B(31)
#define L7D_CET_IBT B(20)

/*
 * The CR4 bits this module has the rules for. Newer controls (KL, UINTR,
 * LASS, LAM_SUP, FRED, ...) stay reserved until someone adds their
 * conditions here; VMXE and SMXE are left out on purpose.
 */
#define CR4_KNOWN                                                   \
	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE |     \
	 CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT |    \
	 CR4_UMIP | CR4_LA57 | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | \
	 CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_CET | CR4_PKS)

/* Bits of CR0 that exist; the rest of 31:0 ignores writes. */
#define CR0_DEFINED                                                    \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | \
	 CR0_AM | CR0_NW | CR0_CD | CR0_PG)

/*
 * Outside 64-bit mode MOV to CR takes a 32-bit operand and zeroes the upper
 * half of the register, so whatever the guest left in the top of the GPR is
 * not part of the value and must not be judged.
 */
static uint64_t operand(const struct cr_context *c, uint64_t val)
{
	return cr_in_64bit_mode(c) ? val : (uint32_t)val;
}

int cr0_write_check(const struct cr_context *c, uint64_t val,
		    uint64_t *loaded)
{
	uint64_t v, old;

	if (!c)
		return -EINVAL;
	v = operand(c, val);
	old = c->cr0;

	if (v >> 32)
		return -EPERM;
	if ((v & CR0_NW) && !(v & CR0_CD))
		return -EPERM;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return -EPERM;

	if ((v & CR0_PG) && !(old & CR0_PG) && (c->efer & EFER_LME)) {
		/*
		 * This write activates IA-32e mode. It needs PAE paging
		 * structures, and the CPU refuses to start it from a code
		 * segment or TSS it could not use in the new mode.
		 */
		if (!(c->cr4 & CR4_PAE) || c->cs_l || c->tr_tss16)
			return -EPERM;
	}

	if (!(v & CR0_PG) && (old & CR0_PG)) {
		/*
		 * Leaving IA-32e mode is only possible from compatibility
		 * mode, and PCIDs cannot survive without paging.
		 */
		if (cr_in_64bit_mode(c) || (c->cr4 & CR4_PCIDE))
			return -EPERM;
	}

	/* Shadow stacks rely on supervisor write protection. */
	if (!(v & CR0_WP) && (c->cr4 & CR4_CET))
		return -EPERM;

	if (loaded)
		*loaded = (v & CR0_DEFINED) | CR0_ET;
	return 0;
}

int cr4_write_check(const struct cr_context *c, uint64_t val,
		    uint64_t *loaded)
{
	uint64_t v, old;
	bool lma;

	if (!c)
		return -EINVAL;
	v = operand(c, val);
	old = c->cr4;
	lma = c->efer & EFER_LMA;

	if (v & ~(c->cr4_allowed & CR4_KNOWN))
		return -EPERM;

	if (lma) {
		/* IA-32e paging cannot be switched off or resized in place. */
		if (!(v & CR4_PAE) || ((v ^ old) & CR4_LA57))
			return -EPERM;
	}

	/* PCIDs exist only in IA-32e mode ... */
	if ((v & CR4_PCIDE) && !lma)
		return -EPERM;
	/* ... and the current CR3 must already be PCID 0 when they start. */
	if ((v & CR4_PCIDE) && !(old & CR4_PCIDE) &&
	    (c->cr3 & CR3_LOW12))
		return -EPERM;

	if ((v & CR4_CET) && !(c->cr0 & CR0_WP))
		return -EPERM;

	if (loaded)
		*loaded = v;
	return 0;
}

int cr8_write_check(uint64_t val)
{
	return (val & ~CR8_TPR) ? -EPERM : 0;
}

int xsetbv_check(const struct cr_context *c, uint32_t index, uint64_t val)
{
	if (!c)
		return -EINVAL;
	if (!(c->cr4 & CR4_OSXSAVE))
		return -ENOSYS;
	/* XCR1 (XINUSE) is read-only: XGETBV only. */
	if (index != 0)
		return -EPERM;

	if (val & ~(c->xcr0_allowed & XCR0_KNOWN))
		return -EPERM;
	/* x87 state is always enabled. */
	if (!(val & XFEATURE_X87))
		return -EPERM;
	/* AVX extends the SSE registers, AVX-512 the AVX ones. */
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return -EPERM;
	if ((val & XFEATURE_AVX512) &&
	    ((val & XFEATURE_AVX512) != XFEATURE_AVX512 ||
	     !(val & XFEATURE_AVX)))
		return -EPERM;
	/* Components that only work as a pair. */
	if (!(val & XFEATURE_BNDREGS) != !(val & XFEATURE_BNDCSR))
		return -EPERM;
	if (!(val & XFEATURE_TILECFG) != !(val & XFEATURE_TILEDATA))
		return -EPERM;
	return 0;
}

uint64_t cr4_allowed_from_cpuid(const struct cpuid_result *leaf1,
				const struct cpuid_result *leaf7)
{
	static const struct cpuid_result none;
	const struct cpuid_result *l1 = leaf1 ? leaf1 : &none;
	const struct cpuid_result *l7 = leaf7 ? leaf7 : &none;
	/* RDPMC at CPL > 0 is architectural, with or without counters. */
	uint64_t a = CR4_PCE;

	if (l1->edx & L1D_VME)
		a |= CR4_VME | CR4_PVI;
	if (l1->edx & L1D_TSC)
		a |= CR4_TSD;
	if (l1->edx & L1D_DE)
		a |= CR4_DE;
	if (l1->edx & L1D_PSE)
		a |= CR4_PSE;
	if (l1->edx & L1D_PAE)
		a |= CR4_PAE;
	if (l1->edx & L1D_MCE)
		a |= CR4_MCE;
	if (l1->edx & L1D_PGE)
		a |= CR4_PGE;
	if (l1->edx & L1D_FXSR)
		a |= CR4_OSFXSR;
	if (l1->edx & L1D_SSE)
		a |= CR4_OSXMMEXCPT;
	if (l1->ecx & L1C_PCID)
		a |= CR4_PCIDE;
	if (l1->ecx & L1C_XSAVE)
		a |= CR4_OSXSAVE;
	if (l7->ebx & L7B_FSGSBASE)
		a |= CR4_FSGSBASE;
	if (l7->ebx & L7B_SMEP)
		a |= CR4_SMEP;
	if (l7->ebx & L7B_SMAP)
		a |= CR4_SMAP;
	if (l7->ecx & L7C_UMIP)
		a |= CR4_UMIP;
	if (l7->ecx & L7C_PKU)
		a |= CR4_PKE;
	if (l7->ecx & L7C_LA57)
		a |= CR4_LA57;
	if (l7->ecx & L7C_PKS)
		a |= CR4_PKS;
	/* One enable for both halves of CET: either one makes it exist. */
	if ((l7->ecx & L7C_CET_SS) || (l7->edx & L7D_CET_IBT))
		a |= CR4_CET;
	return a;
}

uint64_t xcr0_allowed_from_cpuid(const struct cpuid_result *leaf_d)
{
	if (!leaf_d)
		return 0;
	return (((uint64_t)leaf_d->edx << 32) | leaf_d->eax) & XCR0_KNOWN;
}
