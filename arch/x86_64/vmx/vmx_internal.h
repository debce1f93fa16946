/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMX_INTERNAL_H
#define VMX_INTERNAL_H

#include <asm/cpufeatures.h>
#include <asm/vmx.h>
#include <vmm/vcpu.h>

int vmx_check_support(const struct cpu_virt_features *f);
int vmx_cpu_enable(void);
bool vmx_host_has_xsave(void);

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
