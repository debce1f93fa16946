/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VCPU_ARCH_H
#define ASM_VCPU_ARCH_H

/*
 * The backend's part of a vCPU, embedded in vmm's struct vcpu. vmm/ reads
 * only gpr[]; the rest belongs to the VT-x backend (an SVM backend will add
 * its VMCB here).
 */
#include <asm/vcpu_regs.h>
#include <plinth/types.h>

struct vcpu_arch {
	/* Live guest registers by x86 number; the RSP slot is unused (see VREG_RSP). */
	uint64_t gpr[REG_COUNT];
	paddr_t vmcs;
	uint64_t eptp;
	bool launched;
	uint16_t vpid;
	uint64_t xcr0;
	uint64_t spec_ctrl; /* the guest's IA32_SPEC_CTRL, 0 where the CPU has none */
	/* An event whose delivery an exit interrupted, re-injected on the next entry */
	uint32_t reinject_info, reinject_error, reinject_len;
	uint64_t slice; /* preemption-timer ticks for the next entry */
	uint64_t host_rsp; /* what the VMCS's HOST_RSP holds, 0 = not written yet */
	uint64_t exits;
	uint32_t windows; /* interrupt/NMI-window exiting bits now set in the VMCS */
	unsigned int index;
	/*
	 * The registers the VMCS does not switch (vmx_guest_regs.c), kept here
	 * while another vCPU has this CPU; valid once saved.
	 */
	uint8_t *xsave; /* XSAVE (or FXSAVE) image, 64-byte aligned */
	uint64_t saved_cr2, saved_dr[4], saved_dr6;
	uint64_t saved_msrs[6];
	bool regs_saved;
	unsigned int nmi_deferred; /* switches put off while inside an NMI handler */
};

#endif
