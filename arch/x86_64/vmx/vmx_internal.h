/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMX_INTERNAL_H
#define VMX_INTERNAL_H

#include <asm/cpufeatures.h>
#include <asm/processor-flags.h>
#include <asm/trap.h>
#include <asm/virt.h>
#include <asm/vmx.h>

/* Capability MSRs, read once at boot: they cannot change while Plinth runs. */
struct vmx_caps {
	uint64_t basic, misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned int preemption_shift;
};
extern struct vmx_caps vmx_caps;

int vmx_check_support(void);
int vmx_cpu_enable(void);
bool vmx_host_has_xsave(void);
bool vmx_guest_has_rdtscp(void);

/* Control-register bits Plinth owns: the guest sees its own values in the read shadows. */
/*
 * NE must stay set under VMX. CD and NW are never loaded by VM entry nor
 * restored by VM exit (SDM Vol. 3C 27.3.2.1, 28.5.1): left to the guest they
 * would be the real ones, shared with Plinth and every later partition, so the
 * guest's values live only in the read shadow.
 */
#define GUEST_CR0_CACHE (CR0_NW | CR0_CD)
#define GUEST_CR0_OWNED (CR0_NE | GUEST_CR0_CACHE)
#define GUEST_CR4_OWNED CR4_VMXE /* VMX is not offered to guests */

/* What the guest believes its CR0/CR4 hold: shadow for the owned bits, the real value for the rest. */
static inline uint64_t vmx_guest_cr0(void)
{
	return (vmread(VMCS_GUEST_CR0) & ~GUEST_CR0_OWNED) | (vmread(VMCS_CR0_SHADOW) & GUEST_CR0_OWNED);
}

static inline uint64_t vmx_guest_cr4(void)
{
	return (vmread(VMCS_GUEST_CR4) & ~GUEST_CR4_OWNED) | (vmread(VMCS_CR4_SHADOW) & GUEST_CR4_OWNED);
}

/* Neutral segment attributes <-> VMX access rights (bits 11:8 move to 15:12, unusable is bit 16). */
#define VMX_AR_UNUSABLE (1u << 16)

static inline uint32_t vmx_seg_ar(const struct segment *s)
{
	return (s->attr & 0xffu) | ((uint32_t)(s->attr & 0xf00u) << 4) |
	       (s->unusable ? VMX_AR_UNUSABLE : 0);
}

static inline void vmx_seg_from_ar(uint32_t ar, struct segment *s)
{
	s->attr = (uint16_t)((ar & 0xffu) | ((ar >> 4) & 0xf00u));
	s->unusable = ar & VMX_AR_UNUSABLE;
}

/* vmx_guest_regs.c: registers guests use directly, which the VMCS does not switch */
int vmx_guest_regs_setup(void);
void vmx_guest_regs_load_clean(uint64_t xcr0);
int vmx_guest_regs_alloc(struct vcpu_arch *a);
void vmx_guest_regs_free(struct vcpu_arch *a);
void vmx_guest_regs_save(struct vcpu_arch *a);
void vmx_guest_regs_restore(struct vcpu_arch *a);
int vmx_set_xcr0(struct vcpu_arch *a, uint64_t xcr0);
bool vmx_has_spec_ctrl(void);
void vmx_branch_barrier(void); /* IBPB, where the CPU has it */

/* vmcs.c */
int vmx_set_passthrough_msrs(const uint32_t *msrs, unsigned int count);
int vmcs_setup(struct vcpu_arch *a);
void vmcs_load_guest_state(const struct vcpu_regs *r);
void vmx_write_cr0(uint64_t val);
void vmx_write_cr4(uint64_t val);
void vmx_write_efer(uint64_t efer);

/* vmx_entry.S: 0 after a VM exit, 1 = VMfailInvalid, 2 = VMfailValid */
int vmx_enter(uint64_t *gpr, bool launched, uint64_t *host_rsp);

/* vmx_exits.c */
void vmx_decode_exit(struct vcpu_arch *a, uint32_t reason, struct virt_exit *e);
const char *vmx_exit_name(unsigned int basic); /* "unknown" for reasons without a name */
void vmx_skip_insn(struct vcpu_arch *a, unsigned int len);
void vmx_inject_exception(struct vcpu_arch *a, uint8_t vector, bool has_error, uint32_t error);

/* vmx_vcpu.c */
extern const struct virt_ops vmx_ops;

#endif
