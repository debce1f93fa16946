/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMX_INTERNAL_H
#define VMX_INTERNAL_H

#include <asm/cpufeatures.h>
#include <asm/vmx.h>
#include <vmm/msr_policy.h>
#include <vmm/vcpu.h>

int vmx_check_support(const struct cpu_virt_features *f);
int vmx_cpu_enable(void);
bool vmx_host_has_xsave(void);

/* Control-register bits Plinth owns: the guest sees its own values in the read shadows. */
#define GUEST_CR0_OWNED (1ULL << 5)  /* NE must stay set under VMX */
#define GUEST_CR4_OWNED (1ULL << 13) /* VMXE: VMX is not offered to guests */

/* What the guest believes its CR0/CR4 hold: shadow for the owned bits, the real value for the rest. */
static inline uint64_t vmx_guest_cr0(void)
{
	return (vmread(VMCS_GUEST_CR0) & ~GUEST_CR0_OWNED) | (vmread(VMCS_CR0_SHADOW) & GUEST_CR0_OWNED);
}

static inline uint64_t vmx_guest_cr4(void)
{
	return (vmread(VMCS_GUEST_CR4) & ~GUEST_CR4_OWNED) | (vmread(VMCS_CR4_SHADOW) & GUEST_CR4_OWNED);
}

/* vmx_guest_regs.c: registers guests use directly, which the VMCS does not switch */
int vmx_guest_regs_setup(void);
void vmx_guest_regs_load_clean(const struct msr_swap *msrs, uint64_t xcr0);
void vmx_set_xcr0(uint64_t xcr0);
void vmx_set_spec_ctrl(uint64_t value);
void vmx_branch_barrier(void); /* IBPB, where the CPU has it */

/* vmcs.c */
int vmcs_setup(struct vcpu *v);
void vmcs_load_guest_state(const struct vcpu_regs *r);

/* vmx_entry.S: 0 after a VM exit, 1 = VMfailInvalid, 2 = VMfailValid */
int vmx_enter(uint64_t *gpr, bool launched);

/* vmx_exits.c */
typedef enum exit_action (*vmx_exit_handler)(struct vcpu *v, uint64_t qualification);
enum exit_action vmx_handle_exit(struct vcpu *v, uint32_t reason);
void vmx_advance_rip(void);
void vmx_inject_exception(uint8_t vector, bool has_error, uint32_t error);

#endif
