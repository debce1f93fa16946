/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VMX_H
#define ASM_VMX_H

/* VMCS field encodings and VMX constants (Intel SDM Vol. 3, appendix B and C). */
#include <plinth/errno.h>
#include <plinth/types.h>

/* 16-bit fields */
#define VMCS_VPID 0x0000
#define VMCS_GUEST_ES_SEL 0x0800
#define VMCS_GUEST_CS_SEL 0x0802
#define VMCS_GUEST_SS_SEL 0x0804
#define VMCS_GUEST_DS_SEL 0x0806
#define VMCS_GUEST_FS_SEL 0x0808
#define VMCS_GUEST_GS_SEL 0x080a
#define VMCS_GUEST_LDTR_SEL 0x080c
#define VMCS_GUEST_TR_SEL 0x080e
#define VMCS_HOST_ES_SEL 0x0c00
#define VMCS_HOST_CS_SEL 0x0c02
#define VMCS_HOST_SS_SEL 0x0c04
#define VMCS_HOST_DS_SEL 0x0c06
#define VMCS_HOST_FS_SEL 0x0c08
#define VMCS_HOST_GS_SEL 0x0c0a
#define VMCS_HOST_TR_SEL 0x0c0c
/* 64-bit fields */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_EPT_POINTER 0x201a
#define VMCS_GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_HOST_PAT 0x2c00
#define VMCS_HOST_EFER 0x2c02
/* 32-bit fields */
#define VMCS_PIN_CTLS 0x4000
#define VMCS_PROC_CTLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_CR3_TARGET_COUNT 0x400a
#define VMCS_EXIT_CTLS 0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401a
#define VMCS_PROC_CTLS2 0x401e
#define VMCS_INSN_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440a
#define VMCS_EXIT_INSN_LEN 0x440c
#define VMCS_EXIT_INSN_INFO 0x440e
#define VMCS_GUEST_ES_LIMIT 0x4800
#define VMCS_GUEST_CS_LIMIT 0x4802
#define VMCS_GUEST_SS_LIMIT 0x4804
#define VMCS_GUEST_DS_LIMIT 0x4806
#define VMCS_GUEST_FS_LIMIT 0x4808
#define VMCS_GUEST_GS_LIMIT 0x480a
#define VMCS_GUEST_LDTR_LIMIT 0x480c
#define VMCS_GUEST_TR_LIMIT 0x480e
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_DS_AR 0x481a
#define VMCS_GUEST_FS_AR 0x481c
#define VMCS_GUEST_GS_AR 0x481e
#define VMCS_GUEST_LDTR_AR 0x4820
#define VMCS_GUEST_TR_AR 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482a
#define VMCS_PREEMPTION_TIMER 0x482e
#define VMCS_HOST_SYSENTER_CS 0x4c00
/* natural-width fields */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDR 0x640a
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_SS_BASE 0x680a
#define VMCS_GUEST_DS_BASE 0x680c
#define VMCS_GUEST_FS_BASE 0x680e
#define VMCS_GUEST_GS_BASE 0x6810
#define VMCS_GUEST_LDTR_BASE 0x6812
#define VMCS_GUEST_TR_BASE 0x6814
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681a
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04
#define VMCS_HOST_FS_BASE 0x6c06
#define VMCS_HOST_GS_BASE 0x6c08
#define VMCS_HOST_TR_BASE 0x6c0a
#define VMCS_HOST_GDTR_BASE 0x6c0c
#define VMCS_HOST_IDTR_BASE 0x6c0e
#define VMCS_HOST_SYSENTER_ESP 0x6c10
#define VMCS_HOST_SYSENTER_EIP 0x6c12
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* Capability MSRs */
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490

/* Controls */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_PREEMPTION_TIMER (1u << 6)
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_VPID (1u << 5)
#define PROC2_WBINVD_EXITING (1u << 6)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)
#define PROC2_XSAVES (1u << 20)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_PREEMPT (1u << 22)
#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* Event injection (VM-entry interruption information) */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_DELIVER_CODE (1u << 11)
#define INTR_TYPE_EXTERNAL (0u << 8)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_TYPE_SW_INTR (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8)
#define INTR_TYPE_SW_EXCEPTION (6u << 8)

/* Guest interruptibility state */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)

/* Basic exit reasons */
#define EXIT_EXCEPTION_NMI 0
#define EXIT_EXTERNAL_INTERRUPT 1
#define EXIT_TRIPLE_FAULT 2
#define EXIT_INIT 3
#define EXIT_SIPI 4
#define EXIT_INTERRUPT_WINDOW 7
#define EXIT_NMI_WINDOW 8
#define EXIT_TASK_SWITCH 9
#define EXIT_CPUID 10
#define EXIT_GETSEC 11
#define EXIT_HLT 12
#define EXIT_INVD 13
#define EXIT_INVLPG 14
#define EXIT_RDPMC 15
#define EXIT_RDTSC 16
#define EXIT_RSM 17
#define EXIT_VMCALL 18
#define EXIT_VMCLEAR 19
#define EXIT_VMLAUNCH 20
#define EXIT_VMPTRLD 21
#define EXIT_VMPTRST 22
#define EXIT_VMREAD 23
#define EXIT_VMRESUME 24
#define EXIT_VMWRITE 25
#define EXIT_VMXOFF 26
#define EXIT_VMXON 27
#define EXIT_CR_ACCESS 28
#define EXIT_DR_ACCESS 29
#define EXIT_IO 30
#define EXIT_RDMSR 31
#define EXIT_WRMSR 32
#define EXIT_INVALID_GUEST_STATE 33
#define EXIT_MSR_LOADING 34
#define EXIT_MWAIT 36
#define EXIT_MONITOR_TRAP 37
#define EXIT_MONITOR 39
#define EXIT_PAUSE 40
#define EXIT_MCE_DURING_ENTRY 41
#define EXIT_TPR_BELOW_THRESHOLD 43
#define EXIT_APIC_ACCESS 44
#define EXIT_GDTR_IDTR 46
#define EXIT_LDTR_TR 47
#define EXIT_EPT_VIOLATION 48
#define EXIT_EPT_MISCONFIG 49
#define EXIT_INVEPT 50
#define EXIT_RDTSCP 51
#define EXIT_PREEMPTION_TIMER 52
#define EXIT_INVVPID 53
#define EXIT_WBINVD 54
#define EXIT_XSETBV 55
#define EXIT_RDRAND 57
#define EXIT_INVPCID 58
#define EXIT_VMFUNC 59
#define EXIT_ENCLS 60
#define EXIT_RDSEED 61
#define EXIT_XSAVES 63
#define EXIT_XRSTORS 64
#define EXIT_REASON_MAX 70
#define EXIT_REASON_FAILED_ENTRY (1u << 31)

/* Instructions; each returns 0 on success, -EIO on VMfailInvalid/VMfailValid. */
static inline int vmx_on(paddr_t region)
{
	uint8_t fail;

	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(region) : "cc", "memory");
	return fail ? -EIO : 0;
}

static inline int vmcs_clear(paddr_t vmcs)
{
	uint8_t fail;

	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(vmcs) : "cc", "memory");
	return fail ? -EIO : 0;
}

static inline int vmcs_load(paddr_t vmcs)
{
	uint8_t fail;

	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(vmcs) : "cc", "memory");
	return fail ? -EIO : 0;
}

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"(field), "rm"(v) : "cc");
}

struct invept_desc {
	uint64_t eptp;
	uint64_t reserved;
};

static inline void invept_single(uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };

	__asm__ volatile("invept %0, %1" : : "m"(d), "r"(1ULL) : "cc", "memory");
}

struct invvpid_desc {
	uint64_t vpid;
	uint64_t addr;
};

static inline void invvpid_single(uint16_t vpid)
{
	struct invvpid_desc d = { vpid, 0 };

	__asm__ volatile("invvpid %0, %1" : : "m"(d), "r"(1ULL) : "cc", "memory");
}

#endif
