/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register state a guest uses directly and the VMCS does not switch: x87,
 * SSE and AVX (all XSAVE components), XCR0, the debug registers, CR2 and the
 * SYSCALL/SWAPGS/TSC_AUX MSRs. Plinth never touches these, so a vCPU keeps
 * them in the registers for as long as it runs on a CPU; they are loaded
 * clean when a vCPU starts or resets, and again when it leaves, so no
 * partition can read what another left behind. When vCPUs share a CPU, the
 * one switched out has them saved into its vcpu_arch and the one switched in
 * gets its own back (vmx_guest_regs_save/restore, from the vcpu_load hook).
 */
#include <asm/cpu.h>
#include <asm/extable.h>
#include <plinth/errno.h>
#include <plinth/mm.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include "vmx_internal.h"

#define FXSAVE_SIZE 512
#define DR6_RESET 0xffff0ff0ULL

static uint64_t xcr0_all; /* every XSAVE component the CPU has; 0 without XSAVE */
static uint32_t xsave_size = FXSAVE_SIZE; /* of the standard-format image of all of them */
static bool has_rdtscp;
static bool has_spec_ctrl; /* IBRS/IBPB: CPUID.7.0:EDX[26] */
static uint8_t *clean_area; /* an XSAVE image meaning "initial state" for everything */
static spinlock_t setup_lock = SPINLOCK_INIT;

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

int vmx_guest_regs_setup(void)
{
	struct cpuid_regs r;
	uint32_t size = FXSAVE_SIZE;
	int ret = 0;

	spin_lock(&setup_lock);
	if (clean_area)
		goto out;
	cpuid(0x80000001, &r);
	has_rdtscp = r.edx & (1u << 27);
	cpuid(0, &r);
	if (r.eax >= 7) {
		cpuid_count(7, 0, &r);
		has_spec_ctrl = r.edx & (1u << 26);
	}
	if (vmx_host_has_xsave()) {
		cpuid_count(0xd, 0, &r);
		size = r.ecx;
		xsave_size = size;
		xcr0_all = ((uint64_t)r.edx << 32) | r.eax;
	}
	clean_area = kmalloc_aligned(size, 64);
	if (!clean_area) {
		ret = -ENOMEM;
		goto out;
	}
	/* A zero XSAVE header puts every component in its initial state on XRSTOR. */
	memset(clean_area, 0, size);
	*(uint16_t *)&clean_area[0] = 0x37f;   /* FCW after FNINIT */
	*(uint32_t *)&clean_area[24] = 0x1f80; /* MXCSR at reset */
out:
	spin_unlock(&setup_lock);
	return ret;
}

/* The value is vmm's, already checked against the guest's CPUID; the CPU has the last word. */
int vmx_set_xcr0(struct vcpu_arch *a, uint64_t xcr0)
{
	if (!xcr0_all)
		return -EFAULT;
	if (xsetbv_safe(0, xcr0) < 0)
		return -EFAULT;
	a->xcr0 = xcr0;
	return 0;
}

bool vmx_has_spec_ctrl(void)
{
	return has_spec_ctrl;
}

void vmx_branch_barrier(void)
{
	if (has_spec_ctrl)
		wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
}

/* Power-on values of the pass-through MSRs the VMCS does not switch: all zero. */
void vmx_guest_regs_load_clean(uint64_t xcr0)
{
	/* A new owner of the CPU must not inherit trained branch predictions either. */
	if (has_spec_ctrl)
		wrmsr(MSR_SPEC_CTRL, 0);
	vmx_branch_barrier();
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, 0);
	wrmsr(MSR_LSTAR, 0);
	wrmsr(MSR_CSTAR, 0);
	wrmsr(MSR_SFMASK, 0);
	if (has_rdtscp)
		wrmsr(MSR_TSC_AUX, 0);
	__asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3; mov %1, %%dr6"
			 : : "r"(0UL), "r"(DR6_RESET));
	write_cr2(0);
	if (!clean_area)
		return; /* set-up failed: no guest ever ran with extended state here */
	if (xcr0_all) {
		/* Restored with every component enabled, so none keeps another guest's values. */
		xsetbv(0, xcr0_all);
		__asm__ volatile("xrstor64 (%0)" : : "r"(clean_area), "a"(~0u), "d"(~0u) : "memory");
		xsetbv(0, xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(clean_area) : "memory");
	}
}

/* The save area of one vCPU's registers; zeroed, as XRSTOR wants the header of a fresh image. */
int vmx_guest_regs_alloc(struct vcpu_arch *a)
{
	if (a->xsave)
		return 0;
	a->xsave = kmalloc_aligned(xsave_size, 64);
	if (!a->xsave)
		return -ENOMEM;
	memset(a->xsave, 0, xsave_size);
	a->regs_saved = false;
	return 0;
}

void vmx_guest_regs_free(struct vcpu_arch *a)
{
	kfree(a->xsave);
	a->xsave = NULL;
	a->regs_saved = false;
}

static const uint32_t switched_msrs[] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_TSC_AUX,
};
_Static_assert(ARRAY_SIZE(switched_msrs) <= ARRAY_SIZE(((struct vcpu_arch *)0)->saved_msrs),
	       "vcpu_arch.saved_msrs holds them all");

/* The CPU is about to run another vCPU: this one's registers go into its vcpu_arch. */
void vmx_guest_regs_save(struct vcpu_arch *a)
{
	if (!a->xsave)
		return; /* never set up: nothing of it is in the registers */
	for (unsigned int i = 0; i < ARRAY_SIZE(switched_msrs); i++)
		if (switched_msrs[i] != MSR_TSC_AUX || has_rdtscp)
			a->saved_msrs[i] = rdmsr(switched_msrs[i]);
	__asm__ volatile("mov %%dr0, %0; mov %%dr1, %1; mov %%dr2, %2; mov %%dr3, %3; mov %%dr6, %4"
			 : "=r"(a->saved_dr[0]), "=r"(a->saved_dr[1]), "=r"(a->saved_dr[2]),
			   "=r"(a->saved_dr[3]), "=r"(a->saved_dr6));
	a->saved_cr2 = read_cr2();
	if (xcr0_all) {
		/* Every component, whatever the guest enabled: those it turned off keep their values too. */
		xsetbv(0, xcr0_all);
		__asm__ volatile("xsave64 (%0)" : : "r"(a->xsave), "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(a->xsave) : "memory");
	}
	a->regs_saved = true;
}

/* Back into the registers; a vCPU never saved gets the clean state instead. */
void vmx_guest_regs_restore(struct vcpu_arch *a)
{
	/* The previous vCPU (maybe another partition's) trained the predictors. */
	vmx_branch_barrier();
	if (!a->regs_saved) {
		vmx_guest_regs_load_clean(a->xcr0 ? a->xcr0 : 1);
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(switched_msrs); i++)
		if (switched_msrs[i] != MSR_TSC_AUX || has_rdtscp)
			wrmsr(switched_msrs[i], a->saved_msrs[i]);
	__asm__ volatile("mov %0, %%dr0; mov %1, %%dr1; mov %2, %%dr2; mov %3, %%dr3; mov %4, %%dr6"
			 : : "r"(a->saved_dr[0]), "r"(a->saved_dr[1]), "r"(a->saved_dr[2]),
			   "r"(a->saved_dr[3]), "r"(a->saved_dr6));
	write_cr2(a->saved_cr2);
	if (xcr0_all) {
		xsetbv(0, xcr0_all);
		__asm__ volatile("xrstor64 (%0)" : : "r"(a->xsave), "a"(~0u), "d"(~0u) : "memory");
		xsetbv(0, a->xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(a->xsave) : "memory");
	}
}
