/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x side of a vCPU: one guest entry per arch_vcpu_run() call, with
 * the guest-owned MSRs and FPU state swapped around it, events re-injected
 * when an exit interrupted their delivery, and the preemption timer armed so
 * a guest that never exits still returns control to Plinth.
 */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/vmx.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/string.h>
#include <vmm/partition.h>
#include "vmx_internal.h"

static uint16_t next_vpid = 1;
static bool host_rdtscp;

#define FXSAVE_SIZE 512

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Every extended-state component the CPU has, and the XSAVE area that holds them all. */
static uint64_t host_xcr0_all;
static uint32_t xsave_size = FXSAVE_SIZE;

static void detect_xsave(void)
{
	struct cpuid_regs r;

	if (host_xcr0_all || !vmx_host_has_xsave())
		return;
	cpuid_count(0xd, 0, &r);
	xsave_size = r.ecx;
	host_xcr0_all = ((uint64_t)r.edx << 32) | r.eax;
}

/*
 * Saved and restored with every component enabled, so a component this
 * guest never enabled is still saved (as its init state) and restored:
 * nothing another partition left in the registers can be read back.
 */
static void save_extended_state(struct vcpu *v)
{
	if (host_xcr0_all) {
		xsetbv(0, host_xcr0_all);
		__asm__ volatile("xsave64 (%0)" : : "r"(v->arch.xsave_area), "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(v->arch.xsave_area) : "memory");
	}
}

static void restore_extended_state(struct vcpu *v)
{
	if (host_xcr0_all) {
		xsetbv(0, host_xcr0_all);
		__asm__ volatile("xrstor64 (%0)" : : "r"(v->arch.xsave_area), "a"(~0u), "d"(~0u) : "memory");
		xsetbv(0, v->arch.xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(v->arch.xsave_area) : "memory");
	}
}

#define DEFINE_DR_ACCESSORS(n)                                             \
	static inline uint64_t read_dr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_dr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%dr" #n : : "r"(v));            \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)

int arch_vcpu_init(struct vcpu *v)
{
	int ret = vmx_cpu_enable();
	struct cpuid_regs r;

	if (ret < 0)
		return ret;
	cpuid(0x80000001, &r);
	host_rdtscp = r.edx & (1u << 27);
	detect_xsave();
	v->arch.xsave_area = kmalloc_aligned(xsave_size, 64);
	if (!v->arch.xsave_area)
		return -ENOMEM;
	v->arch.vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	if (!v->arch.vpid) /* VPID 0 is the host's */
		v->arch.vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	arch_vcpu_reset(v);
	ret = vmcs_setup(v);
	if (ret < 0)
		return ret;
	invvpid_single(v->arch.vpid);
	arch_vcpu_load_state(v, &v->boot);
	return 0;
}

/* Power-on values for everything the VMCS does not hold. */
void arch_vcpu_reset(struct vcpu *v)
{
	v->arch.xcr0 = 1;
	msr_state_init(&v->arch.msrs, v->index == 0);
	/* A zeroed XSAVE header means "initial state" for every component. */
	memset(v->arch.xsave_area, 0, xsave_size);
	*(uint16_t *)&v->arch.xsave_area[0] = 0x37f;   /* FCW after FNINIT */
	*(uint32_t *)&v->arch.xsave_area[24] = 0x1f80; /* MXCSR reset value */
	memset(v->arch.dr, 0, sizeof(v->arch.dr));
	v->arch.dr6 = 0xffff0ff0;
	v->arch.cr2 = 0;
	v->arch.reinject_info = 0;
}

void arch_vcpu_load_state(struct vcpu *v, const struct vcpu_regs *r)
{
	memcpy(v->gpr, r->gpr, sizeof(v->gpr));
	vmcs_load_guest_state(r);
	v->arch.msrs.efer = r->efer;
}

uint64_t arch_vcpu_rip(struct vcpu *v)
{
	(void)v;
	return vmread(VMCS_GUEST_RIP);
}

bool arch_vcpu_can_inject(struct vcpu *v)
{
	(void)v;
	return (vmread(VMCS_GUEST_RFLAGS) & (1 << 9)) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !v->arch.reinject_info;
}

void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	(void)v;
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXTERNAL | vector);
}

void arch_vcpu_request_irq_window(struct vcpu *v, bool on)
{
	uint32_t proc = (uint32_t)vmread(VMCS_PROC_CTLS);

	(void)v;
	vmwrite(VMCS_PROC_CTLS, on ? proc | PROC_INTR_WINDOW : proc & ~PROC_INTR_WINDOW);
}

void arch_vcpu_set_time_slice(struct vcpu *v, uint64_t tsc_ticks)
{
	unsigned int shift = rdmsr(MSR_VMX_MISC) & 0x1f;
	uint64_t ticks = tsc_ticks >> shift;

	v->arch.slice = ticks > 0xffffffffULL ? 0xffffffffULL : (ticks ? ticks : 1);
}

static void swap_in(struct vcpu *v)
{
	struct msr_swap *s = &v->arch.msrs.swap;

	wrmsr(0xc0000102, s->kernel_gs_base);
	wrmsr(0xc0000081, s->star);
	wrmsr(0xc0000082, s->lstar);
	wrmsr(0xc0000083, s->cstar);
	wrmsr(0xc0000084, s->sfmask);
	if (host_rdtscp)
		wrmsr(0xc0000103, s->tsc_aux);
	write_dr0(v->arch.dr[0]);
	write_dr1(v->arch.dr[1]);
	write_dr2(v->arch.dr[2]);
	write_dr3(v->arch.dr[3]);
	write_dr6(v->arch.dr6);
	write_cr2(v->arch.cr2);
	restore_extended_state(v);
}

static void swap_out(struct vcpu *v)
{
	struct msr_swap *s = &v->arch.msrs.swap;

	save_extended_state(v);
	v->arch.cr2 = read_cr2();
	v->arch.dr[0] = read_dr0();
	v->arch.dr[1] = read_dr1();
	v->arch.dr[2] = read_dr2();
	v->arch.dr[3] = read_dr3();
	v->arch.dr6 = read_dr6();
	s->kernel_gs_base = rdmsr(0xc0000102);
	s->star = rdmsr(0xc0000081);
	s->lstar = rdmsr(0xc0000082);
	s->cstar = rdmsr(0xc0000083);
	s->sfmask = rdmsr(0xc0000084);
	if (host_rdtscp)
		s->tsc_aux = rdmsr(0xc0000103);
}

/* An exit in the middle of delivering an event: deliver it again on entry. */
static void record_idt_vectoring(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	v->arch.reinject_info = info & ~(1u << 12); /* bit 12 is undefined on entry */
	v->arch.reinject_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
	v->arch.reinject_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
}

static void apply_reinjection(struct vcpu *v)
{
	if (!v->arch.reinject_info)
		return;
	/* An exception the exit handler injected takes precedence; it will recur. */
	if (!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		vmwrite(VMCS_ENTRY_INTR_INFO, v->arch.reinject_info);
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, v->arch.reinject_error);
		vmwrite(VMCS_ENTRY_INSN_LEN, v->arch.reinject_len);
	}
	v->arch.reinject_info = 0;
}

enum exit_action arch_vcpu_run(struct vcpu *v)
{
	uint32_t reason;
	int ret;

	apply_reinjection(v);
	vmwrite(VMCS_PREEMPTION_TIMER, v->arch.slice);
	swap_in(v);
	ret = vmx_enter(v->gpr, v->arch.launched);
	swap_out(v);
	if (ret) {
		partition_stop(v->part, -EIO, "VM%s failed (%s, VM-instruction error %lu)",
			       v->arch.launched ? "RESUME" : "LAUNCH",
			       ret == 1 ? "invalid VMCS" : "valid VMCS",
			       ret == 2 ? vmread(VMCS_INSN_ERROR) : 0);
		return EXIT_STOP;
	}
	v->arch.launched = true;
	v->exits++;
	/* The exit consumed any event we injected; what it interrupted comes back. */
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	record_idt_vectoring(v);
	reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	return vmx_handle_exit(v, reason);
}

void arch_vcpu_dump(struct vcpu *v)
{
	log_raw("  vCPU %u: RIP %016lx RSP %016lx RFLAGS %016lx\n", v->index,
		vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS));
	log_raw("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", v->gpr[REG_RAX],
		v->gpr[REG_RBX], v->gpr[REG_RCX], v->gpr[REG_RDX]);
	log_raw("  RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", v->gpr[REG_RSI],
		v->gpr[REG_RDI], v->gpr[REG_RBP], v->gpr[REG_R8]);
	log_raw("  CR0 %016lx CR3 %016lx CR4 %016lx EFER %016lx\n", vmx_guest_cr0(),
		vmread(VMCS_GUEST_CR3), vmx_guest_cr4(), vmread(VMCS_GUEST_EFER));
	log_raw("  CS %04lx base %lx, exit reason %lu, qualification %lx, %lu exits\n",
		vmread(VMCS_GUEST_CS_SEL), vmread(VMCS_GUEST_CS_BASE),
		vmread(VMCS_EXIT_REASON) & 0xffff, vmread(VMCS_EXIT_QUALIFICATION), v->exits);
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.vmcs) {
		vmcs_clear(v->arch.vmcs);
		/* The EPT pages are about to be reused: no cached translation may survive. */
		invept_single(ept_eptp(&v->part->ept));
		invvpid_single(v->arch.vpid);
		page_free(v->arch.vmcs);
		v->arch.vmcs = 0;
	}
	kfree(v->arch.xsave_area);
	v->arch.xsave_area = NULL;
}

void arch_vcpu_get_ctx(struct vcpu *v, struct guest_ctx *c)
{
	(void)v;
	c->rip = vmread(VMCS_GUEST_RIP);
	c->rsp = vmread(VMCS_GUEST_RSP);
	c->rflags = vmread(VMCS_GUEST_RFLAGS);
	c->cr0 = vmx_guest_cr0();
	c->cr3 = vmread(VMCS_GUEST_CR3);
	c->cr4 = vmx_guest_cr4();
	c->efer = vmread(VMCS_GUEST_EFER);
	c->cs_base = vmread(VMCS_GUEST_CS_BASE);
	c->ds_base = vmread(VMCS_GUEST_DS_BASE);
	c->es_base = vmread(VMCS_GUEST_ES_BASE);
	c->fs_base = vmread(VMCS_GUEST_FS_BASE);
	c->gs_base = vmread(VMCS_GUEST_GS_BASE);
	c->ss_base = vmread(VMCS_GUEST_SS_BASE);
	c->cs_ar = (uint32_t)vmread(VMCS_GUEST_CS_AR);
}

void arch_vcpu_set_rip(struct vcpu *v, uint64_t rip)
{
	(void)v;
	vmwrite(VMCS_GUEST_RIP, rip);
}

void arch_vcpu_set_rsp(struct vcpu *v, uint64_t rsp)
{
	(void)v;
	vmwrite(VMCS_GUEST_RSP, rsp);
}
