/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CR_RULES_H
#define VMM_CR_RULES_H

/*
 * Whether a guest's MOV to CR0/CR4/CR8 or XSETBV would succeed on a real
 * CPU with the guest's CPUID, following the checks the Intel SDM lists for
 * those instructions (Vol. 2B MOV to CR, Vol. 2D XSETBV, Vol. 3A 2.5/2.6/4.1,
 * Vol. 1 13.3). An exit handler asks here first and injects the fault on
 * "no", so a value the CPU would have refused becomes a guest #GP/#UD rather
 * than a failed VM entry or a fault in the hypervisor when it loads the
 * value. Vendor-neutral and pure logic: nothing here touches hardware, so
 * every rule is unit-tested on the host.
 *
 * Not checked here, because the CPU raises them before the exit on both
 * VT-x and SVM: CPL > 0 (#GP), virtual-8086 mode (#GP), bad encodings (#UD).
 * Also not checked: the PDPTE load that MOV to CR0/CR4 triggers under PAE
 * paging (it needs guest memory; the caller validates the PDPTEs) and CR3.
 *
 * Return values of the *_check functions: 0 = legal; -EPERM = inject #GP(0);
 * -ENOSYS = inject #UD; -EINVAL = caller bug (NULL context), stop the vCPU.
 */
#include <asm/processor-flags.h>
#include <plinth/types.h>
#include <vmm/cpuid_policy.h>

/* CR3[11:0]: the PCID when CR4.PCIDE = 1, else PWT, PCD and ignored bits. */
#define CR3_LOW12 0xfffULL

/* CR8 holds the 4-bit task priority; bits 63:4 are reserved. */
#define CR8_TPR 0xfULL

/* XCR0 state components (Vol. 1 13.1); the vmm layer's only names for them. */
#define XFEATURE_X87 (1ULL << 0)
#define XFEATURE_SSE (1ULL << 1)
#define XFEATURE_AVX (1ULL << 2)
#define XFEATURE_BNDREGS (1ULL << 3)
#define XFEATURE_BNDCSR (1ULL << 4)
#define XFEATURE_OPMASK (1ULL << 5)
#define XFEATURE_ZMM_HI256 (1ULL << 6)
#define XFEATURE_HI16_ZMM (1ULL << 7)
#define XFEATURE_PKRU (1ULL << 9)
#define XFEATURE_TILECFG (1ULL << 17)
#define XFEATURE_TILEDATA (1ULL << 18)

#define XFEATURE_MPX (XFEATURE_BNDREGS | XFEATURE_BNDCSR)
#define XFEATURE_AVX512 \
	(XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)
#define XFEATURE_AMX (XFEATURE_TILECFG | XFEATURE_TILEDATA)

/*
 * The XCR0 bits this module knows the rules for. Everything else is treated
 * as reserved, in particular the IA32_XSS-managed supervisor components
 * (8 PT, 10 PASID, 11 CET_U, 12 CET_S, 13 HDC, 14 UINTR, 15 LBR, 16 HWP),
 * which can never be set in XCR0, and user components newer than AMX.
 */
#define XCR0_KNOWN                                                \
	(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_MPX | \
	 XFEATURE_AVX512 | XFEATURE_PKRU | XFEATURE_AMX)

/* Guest state at the time of the write, as the guest sees it. */
struct cr_context {
	uint64_t cr0, cr3, cr4;
	uint64_t efer;         /* including LMA */
	bool cs_l;             /* L bit of the current CS descriptor */
	bool tr_tss16;         /* TR references a 16-bit TSS (type 1 or 3) */
	/* CR4 bits the guest's CPUID offers: cr4_allowed_from_cpuid(). */
	uint64_t cr4_allowed;
	/* XCR0 bits the guest's CPUID offers: xcr0_allowed_from_cpuid(). */
	uint64_t xcr0_allowed;
};

/* The instruction runs in 64-bit mode (not compatibility or legacy mode). */
static inline bool cr_in_64bit_mode(const struct cr_context *c)
{
	return (c->efer & EFER_LMA) && c->cs_l;
}

/*
 * MOV to CR0 with source @val (the full GPR; outside 64-bit mode only its
 * low 32 bits are the operand). On 0, *@loaded (if not NULL) is what CR0
 * holds afterwards: reserved bits 31:0 dropped, since the SDM says setting
 * them is ignored, and ET set, since it is hardwired to 1. For LMSW the
 * caller passes the CR0 that LMSW would produce (it cannot clear PE).
 */
int cr0_write_check(const struct cr_context *c, uint64_t val,
		    uint64_t *loaded);

/* MOV to CR4; *@loaded as for CR0 (CR4 has no ignored bits). */
int cr4_write_check(const struct cr_context *c, uint64_t val,
		    uint64_t *loaded);

/* MOV to CR8 (64-bit mode only, so no context is needed). */
int cr8_write_check(uint64_t val);

/*
 * XSETBV with ECX = @index (high half of RCX already dropped) and
 * EDX:EAX = @val. -ENOSYS (#UD) when CR4.OSXSAVE = 0, which the CPU normally
 * reports before any exit; it is checked anyway for emulated XSETBV.
 */
int xsetbv_check(const struct cr_context *c, uint32_t index, uint64_t val);

/*
 * CR4 bits that exist for a guest whose CPUID leaf 1 and leaf 7 subleaf 0
 * read @leaf1 and @leaf7 (as cpuid_policy_apply() reports them; NULL = leaf
 * absent, all zeros). VMXE and SMXE are never included: a partition is
 * offered neither VMX nor SMX, whatever CPUID says.
 */
uint64_t cr4_allowed_from_cpuid(const struct cpuid_result *leaf1,
				const struct cpuid_result *leaf7);

/*
 * XCR0 bits that exist for a guest whose CPUID leaf 0xD subleaf 0 reads
 * @leaf_d (EDX:EAX), restricted to XCR0_KNOWN. NULL = leaf absent.
 */
uint64_t xcr0_allowed_from_cpuid(const struct cpuid_result *leaf_d);

#endif
