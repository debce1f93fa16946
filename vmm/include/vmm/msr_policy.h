/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_MSR_POLICY_H
#define VMM_MSR_POLICY_H

/*
 * Which MSRs a VT-x guest may touch, and the emulation of the ones Plinth
 * answers itself. It is an allow-list: every MSR not named here makes the
 * RDMSR/WRMSR exit handler inject #GP, because an MSR nobody reviewed may
 * be package-wide (a partition could reconfigure another's CPU) or may
 * leak host state. Pure logic, unit-tested on the host.
 *
 * IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0) and the x2APIC range
 * 0x800-0x8ff are not in this table: they are the vCPU's local APIC's
 * (vmm/dev/lapic.h), and the exit handler offers them to it first.
 *
 * The GMSR_ prefix keeps these names apart from the host's MSR_ constants.
 */
#include <asm/cpu.h>
#include <plinth/types.h>

#define GMSR_TSC 0x10U
#define GMSR_PLATFORM_ID 0x17U
#define GMSR_APIC_BASE MSR_APIC_BASE
#define GMSR_SMI_COUNT 0x34U
#define GMSR_FEATURE_CONTROL MSR_FEATURE_CONTROL
#define GMSR_TSC_ADJUST 0x3bU
#define GMSR_SPEC_CTRL MSR_SPEC_CTRL
#define GMSR_PRED_CMD MSR_PRED_CMD
#define GMSR_BIOS_SIGN_ID 0x8bU /* also known as IA32_UCODE_REV */
#define GMSR_PLATFORM_INFO 0xceU
#define GMSR_MTRRCAP 0xfeU
#define GMSR_SYSENTER_CS 0x174U
#define GMSR_SYSENTER_ESP 0x175U
#define GMSR_SYSENTER_EIP 0x176U
#define GMSR_MCG_CAP 0x179U
#define GMSR_MCG_STATUS 0x17aU
#define GMSR_MISC_ENABLE 0x1a0U
#define GMSR_DEBUGCTL 0x1d9U
#define GMSR_MTRR_PHYSBASE0 0x200U /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define GMSR_MTRR_FIX64K_00000 0x250U
#define GMSR_MTRR_FIX16K_80000 0x258U
#define GMSR_MTRR_FIX16K_A0000 0x259U
#define GMSR_MTRR_FIX4K_C0000 0x268U /* .. 0x26f */
#define GMSR_PAT MSR_PAT
#define GMSR_MTRR_DEF_TYPE 0x2ffU
#define GMSR_TSC_DEADLINE 0x6e0U
#define GMSR_EFER MSR_EFER
#define GMSR_STAR MSR_STAR
#define GMSR_LSTAR MSR_LSTAR
#define GMSR_CSTAR MSR_CSTAR
#define GMSR_SFMASK MSR_SFMASK
#define GMSR_FS_BASE MSR_FS_BASE
#define GMSR_GS_BASE MSR_GS_BASE
#define GMSR_KERNEL_GS_BASE MSR_KERNEL_GS_BASE
#define GMSR_TSC_AUX MSR_TSC_AUX

#define GMSR_DEBUGCTL_BTF DEBUGCTL_BTF /* the one bit the guest may set */

/* Fixed answers a guest can rely on. */
#define GMSR_FEATURE_CONTROL_VALUE 1ULL /* locked, VMX off everywhere */
#define GMSR_MTRRCAP_VALUE 0x508ULL     /* 8 variable ranges, fixed, WC */
#define GMSR_MTRR_VAR_COUNT 8
#define GMSR_MTRR_FIXED_COUNT 11
#define GMSR_PAT_RESET 0x0007040600070406ULL
/*
 * MTRRs as firmware hands them over: enabled, default type write-back, no
 * ranges. Under EPT they change no memory type; they are there so that an
 * OS sees MTRRs in use (Linux 6.1 turns PAT off when they are not).
 */
#define GMSR_MTRR_DEF_TYPE_BOOT 0x806ULL
/* Fast strings on; BTS and PEBS reported unavailable (no debug store). */
#define GMSR_MISC_ENABLE_RESET ((1ULL << 0) | (1ULL << 11) | (1ULL << 12))

enum msr_action {
	MSR_DENY,        /* inject #GP */
	/*
	 * The bitmap lets the guest reach the real MSR. Only per-thread
	 * registers that are either switched by the VMCS (FS/GS base,
	 * SYSENTER_*) or only matter to code running at CPL 3 / after SWAPGS,
	 * which Plinth itself never does (STAR, LSTAR, CSTAR, SFMASK,
	 * KERNEL_GS_BASE, TSC_AUX). The backend loads the latter set clean
	 * whenever another vCPU takes the physical CPU.
	 */
	MSR_PASSTHROUGH,
	MSR_EMULATE,     /* msr_emulate_read()/msr_emulate_write() */
};

struct msr_vcpu_state {
	/*
	 * EFER and PAT live in the VMCS guest-state area (load/save controls);
	 * the exit handler copies the VMCS value in before the call and back
	 * out after a successful write. They are emulated rather than
	 * passed through so malformed values become a clean guest #GP here
	 * instead of a failed VM entry later.
	 */
	uint64_t efer;
	uint64_t pat;
	uint64_t misc_enable;
	uint64_t debugctl;      /* the caller loads it into the guest's DEBUGCTL */
	uint64_t spec_ctrl;     /* to be loaded into the real MSR at VM entry */
	uint64_t mcg_status;
	uint64_t mtrr_def_type;
	/*
	 * The guest's TSC is the host's plus tsc_offset (the backend applies
	 * it to RDTSC/RDTSCP). Writing IA32_TSC or IA32_TSC_ADJUST moves both
	 * tsc_offset and tsc_adjust by the same amount, as on hardware; the
	 * caller fills host_tsc before each call and, after a write to
	 * either, loads tsc_offset into the backend.
	 */
	uint64_t tsc_offset;
	uint64_t tsc_adjust;
	uint64_t host_tsc;
	/* 0x250, 0x258, 0x259, 0x268 .. 0x26f in that order. */
	uint64_t mtrr_fixed[GMSR_MTRR_FIXED_COUNT];
	/* [2n] = PHYSBASEn, [2n + 1] = PHYSMASKn. */
	uint64_t mtrr_var[2 * GMSR_MTRR_VAR_COUNT];
	/*
	 * Physical address width used for reserved-bit checks; defaults to 52
	 * (never rejects a legal value), set it to CPUID 0x80000008 EAX[7:0].
	 */
	unsigned int maxphyaddr;
	bool cr0_pg;          /* guest CR0.PG, kept current by the CR0 handler */
	bool ibpb_pending;    /* guest wrote PRED_CMD.IBPB: caller issues it */
};

/* Architectural reset values. */
void msr_state_init(struct msr_vcpu_state *s);

/* What happens to a guest RDMSR (@write false) or WRMSR of @msr. */
enum msr_action msr_policy_lookup(uint32_t msr, bool write);

/*
 * Emulate a guest RDMSR/WRMSR. 0 on success; -EPERM means inject #GP (MSR
 * denied, read of a write-only / write of a read-only MSR, reserved bits,
 * illegal transition); -EINVAL means a caller bug (NULL argument, or a
 * passthrough MSR, which never exits with the bitmap from msr_bitmap_build).
 * A failed write leaves @s unchanged.
 */
int msr_emulate_read(struct msr_vcpu_state *s, uint32_t msr, uint64_t *value);
int msr_emulate_write(struct msr_vcpu_state *s, uint32_t msr, uint64_t value);

/*
 * The MSRs a guest reaches without an exit, for the backend's bitmap: fills
 * up to @max of them into @out and returns how many there are in all.
 */
unsigned int msr_policy_passthrough(uint32_t *out, unsigned int max);

#endif
