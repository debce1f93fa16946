/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor-neutral exit handling: the backend has decoded an exit into a
 * struct virt_exit; here it is emulated (CPUID, MSRs, port I/O, MMIO,
 * control registers, XSETBV, hypercalls) against the partition's policies.
 * One handler per kind, in a const table; every rule is the architecture's,
 * so an SVM backend feeds the same code.
 */
#include <asm/cpu.h>
#include <asm/processor-flags.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/rank.h>
#include <plinth/string.h>
#include <vmm/cpuid_policy.h>
#include <vmm/cr_rules.h>
#include <vmm/io.h>
#include <vmm/irq.h>
#include <vmm/msr_policy.h>
#include <vmm/partition.h>

typedef enum exit_action (*exit_handler)(struct vcpu *v, const struct virt_exit *e);

static enum exit_action inject_gp(struct vcpu *v)
{
	virt->inject_exception(&v->arch, VEC_GP, true, 0);
	return EXIT_RESUME;
}

static enum exit_action done(struct vcpu *v, const struct virt_exit *e)
{
	virt->skip_insn(&v->arch, e->insn_len);
	return EXIT_RESUME;
}

static enum exit_action nothing(struct vcpu *v, const struct virt_exit *e)
{
	(void)v;
	(void)e;
	return EXIT_RESUME;
}

static void guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_result *out)
{
	uint64_t cr4 = virt->get_reg(&v->arch, VREG_CR4);
	struct cpuid_guest_state gs = {
		.cr4_osxsave = cr4 & CR4_OSXSAVE,
		.cr4_pke = cr4 & CR4_PKE,
		.apic_id = v->index,
	};
	struct cpuid_regs r;
	struct cpuid_result host;

	cpuid_count(leaf, sub, &r);
	host = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
	cpuid_policy_apply(&v->part->cpuid, leaf, sub, &gs, &host, out);
}

static enum exit_action cpuid_exit(struct vcpu *v, const struct virt_exit *e)
{
	struct cpuid_result out;
	uint64_t *gpr = v->arch.gpr;

	guest_cpuid(v, (uint32_t)gpr[REG_RAX], (uint32_t)gpr[REG_RCX], &out);
	gpr[REG_RAX] = out.eax;
	gpr[REG_RBX] = out.ebx;
	gpr[REG_RCX] = out.ecx;
	gpr[REG_RDX] = out.edx;
	return done(v, e);
}

static enum exit_action hlt_exit(struct vcpu *v, const struct virt_exit *e)
{
	done(v, e);
	return EXIT_HALT;
}

/*
 * Hypercalls are the guest kernel's: a user process inside the guest gets
 * -EPERM and nothing happens, as in Jailhouse.
 */
static enum exit_action hypercall_exit(struct vcpu *v, const struct virt_exit *e)
{
	int ret;

	done(v, e);
	if (virt->cpl(&v->arch) != 0) {
		v->arch.gpr[REG_RAX] = (uint64_t)-EPERM;
		return EXIT_RESUME;
	}
	ret = vmm_hypercall(v);
	return ret < 0 ? EXIT_STOP : ret > 0 ? EXIT_REBOOT : EXIT_RESUME;
}

/* What the CR and XSETBV rules need, from the guest's current state and CPUID. */
static void cr_context(struct vcpu *v, struct cr_context *c)
{
	struct cpuid_result l1, l7, ld;
	struct segment cs, tr;

	virt->get_segment(&v->arch, VSEG_CS, &cs);
	virt->get_segment(&v->arch, VSEG_TR, &tr);
	c->cr0 = virt->get_reg(&v->arch, VREG_CR0);
	c->cr3 = virt->get_reg(&v->arch, VREG_CR3);
	c->cr4 = virt->get_reg(&v->arch, VREG_CR4);
	c->efer = virt->get_reg(&v->arch, VREG_EFER);
	c->cs_l = cs.attr & SEG_L;
	/* Types 1 and 3: a 16-bit TSS, which cannot be current when long mode turns on. */
	c->tr_tss16 = (tr.attr & SEG_TYPE_MASK) == 1 || (tr.attr & SEG_TYPE_MASK) == 3;
	guest_cpuid(v, 1, 0, &l1);
	guest_cpuid(v, 7, 0, &l7);
	guest_cpuid(v, 0xd, 0, &ld);
	c->cr4_allowed = cr4_allowed_from_cpuid(&l1, &l7);
	c->xcr0_allowed = xcr0_allowed_from_cpuid(&ld);
}

static void load_cr0(struct vcpu *v, const struct cr_context *c, uint64_t cr0)
{
	uint64_t efer = c->efer;

	/* Paging turned on or off with LME set is the switch into or out of long mode. */
	if ((efer & EFER_LME) && (cr0 & CR0_PG))
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	virt->set_reg(&v->arch, VREG_EFER, efer);
	virt->set_reg(&v->arch, VREG_CR0, cr0);
	v->msrs.cr0_pg = cr0 & CR0_PG;
}

static enum exit_action cr_write(struct vcpu *v, const struct virt_exit *e)
{
	uint64_t val = vcpu_gpr(v, e->cr.reg), loaded;
	struct cr_context c;

	if (e->cr.cr == 8) {
		if (cr8_write_check(val) < 0)
			return inject_gp(v);
		/* CR8 is TPR[7:4] of the vCPU's LAPIC: one register, two views. */
		vcpu_cr8_write(v, val);
		return done(v, e);
	}
	cr_context(v, &c);
	if (e->cr.cr == 0) {
		if (cr0_write_check(&c, val, &loaded) < 0)
			return inject_gp(v);
		load_cr0(v, &c, loaded);
	} else {
		if (cr4_write_check(&c, val, &loaded) < 0)
			return inject_gp(v);
		virt->set_reg(&v->arch, VREG_CR4, loaded);
	}
	return done(v, e);
}

static enum exit_action cr_read(struct vcpu *v, const struct virt_exit *e)
{
	vcpu_set_gpr(v, e->cr.reg, vcpu_cr8_read(v));
	return done(v, e);
}

static enum exit_action xsetbv_exit(struct vcpu *v, const struct virt_exit *e)
{
	struct cr_context c;
	int ret;

	cr_context(v, &c);
	ret = xsetbv_check(&c, e->xsetbv.index, e->xsetbv.value);
	if (ret == -ENOSYS) {
		virt->inject_exception(&v->arch, VEC_UD, false, 0);
		return EXIT_RESUME;
	}
	if (ret < 0)
		return inject_gp(v);
	if (virt->set_xcr0(&v->arch, e->xsetbv.value) < 0)
		return inject_gp(v);
	return done(v, e);
}

static enum exit_action io_exit(struct vcpu *v, const struct virt_exit *e)
{
	unsigned int size = e->io.size;
	uint64_t *rax = &v->arch.gpr[REG_RAX];
	uint32_t value;

	if (e->io.string) {
		int ret = vmm_string_io(v, e);

		if (ret < 0)
			return EXIT_STOP;
		return ret == 0 ? done(v, e) : EXIT_RESUME;
	}
	value = (uint32_t)*rax;
	vmm_port_io(v, e->io.port, size, e->io.in, &value);
	if (e->io.in) {
		uint64_t mask = (1ULL << (size * 8)) - 1;

		/* A 32-bit IN zero-extends into RAX; 8/16-bit INs merge. */
		*rax = size == 4 ? value : (*rax & ~mask) | (value & mask);
	}
	return done(v, e);
}

static enum exit_action msr_read(struct vcpu *v, const struct virt_exit *e)
{
	uint32_t msr = e->msr.index;
	uint64_t val;
	int ret = 0;

	switch (msr) {
	case GMSR_EFER:
		val = virt->get_reg(&v->arch, VREG_EFER);
		break;
	case GMSR_PAT:
		val = virt->get_reg(&v->arch, VREG_PAT);
		break;
	default:
		/* IA32_APIC_BASE, TSC_DEADLINE and the x2APIC range are the LAPIC's. */
		ret = vcpu_lapic_msr_read(v, msr, &val);
		if (ret != -ENOENT)
			break;
		v->msrs.host_tsc = rdtsc();
		ret = msr_policy_lookup(msr, false) == MSR_EMULATE
			      ? msr_emulate_read(&v->msrs, msr, &val) : -EPERM;
	}
	if (ret < 0)
		return inject_gp(v);
	v->arch.gpr[REG_RAX] = (uint32_t)val;
	v->arch.gpr[REG_RDX] = val >> 32;
	return done(v, e);
}

static enum exit_action msr_write(struct vcpu *v, const struct virt_exit *e)
{
	uint32_t msr = e->msr.index;
	int ret;

	ret = vcpu_lapic_msr_write(v, msr, e->msr.value);
	if (ret != -ENOENT)
		return ret < 0 ? inject_gp(v) : done(v, e);
	/* The backend keeps EFER, PAT and CR0.PG: the policy validates against those. */
	v->msrs.efer = virt->get_reg(&v->arch, VREG_EFER);
	v->msrs.cr0_pg = virt->get_reg(&v->arch, VREG_CR0) & CR0_PG;
	v->msrs.pat = virt->get_reg(&v->arch, VREG_PAT);
	v->msrs.host_tsc = rdtsc();
	ret = msr_policy_lookup(msr, true) == MSR_EMULATE
		      ? msr_emulate_write(&v->msrs, msr, e->msr.value) : -EPERM;
	if (ret < 0)
		return inject_gp(v);
	if (msr == GMSR_EFER)
		virt->set_reg(&v->arch, VREG_EFER, v->msrs.efer);
	else if (msr == GMSR_PAT)
		virt->set_reg(&v->arch, VREG_PAT, v->msrs.pat);
	else if (msr == GMSR_DEBUGCTL)
		virt->set_reg(&v->arch, VREG_DEBUGCTL, v->msrs.debugctl);
	else if (msr == GMSR_TSC || msr == GMSR_TSC_ADJUST)
		virt->set_tsc_offset(&v->arch, v->msrs.tsc_offset);
	else if (msr == GMSR_SPEC_CTRL &&
		 virt->set_reg(&v->arch, VREG_SPEC_CTRL, v->msrs.spec_ctrl) < 0)
		return inject_gp(v);
	if (v->msrs.ibpb_pending) {
		virt->branch_barrier();
		v->msrs.ibpb_pending = false;
	}
	return done(v, e);
}

/* Where in the partition's layout an access no device claimed went. */
static const char *unclaimed_where(struct partition *p, gpa_t addr)
{
	const struct guest_region *r = guest_layout_find(&p->layout, addr);

	if (!r)
		return "outside its memory and devices";
	if (r->type == GUEST_REGION_MMIO_HOLE)
		return "in its MMIO hole, where no device answers";
	/* RAM and the firmware area are mapped RWX from creation on: an exit there is Plinth's bug. */
	if (r->type == GUEST_REGION_RAM)
		return "in its RAM, which the EPT does not map (internal error)";
	return "in its firmware area, which the EPT does not map (internal error)";
}

static enum exit_action mmio_exit(struct vcpu *v, const struct virt_exit *e)
{
	if (vmm_mmio_exit(v, e) == 0)
		return EXIT_RESUME;
	partition_stop(v->part, -EFAULT, "%s of guest-physical %lx %s (RIP %lx)",
		       e->mmio.write ? "write" : e->mmio.fetch ? "instruction fetch" : "read",
		       e->mmio.addr.v, unclaimed_where(v->part, e->mmio.addr),
		       virt->get_reg(&v->arch, VREG_RIP));
	return EXIT_STOP;
}

static enum exit_action fatal_exit(struct vcpu *v, const struct virt_exit *e)
{
	partition_stop(v->part, e->fatal.err ? e->fatal.err : -EIO, "%s", e->fatal.reason);
	return EXIT_STOP;
}

/*
 * A triple fault is the guest's crash: on a PC the chipset answers the
 * shutdown cycle with a reset, which on_crash = restart reproduces.
 */
static enum exit_action shutdown_exit(struct vcpu *v, const struct virt_exit *e)
{
	struct partition *p = v->part;

	(void)e;
	if (p->cfg->on_crash == ON_CRASH_RESTART) {
		pr_info("partition '%s': triple fault on vCPU %u, restarting (on_crash = restart)\n",
			p->name, v->index);
		return EXIT_REBOOT;
	}
	partition_stop(p, -EFAULT, "triple fault on vCPU %u", v->index);
	return EXIT_STOP;
}

static const exit_handler handlers[] = {
	[VEXIT_NONE] = nothing,
	[VEXIT_CPUID] = cpuid_exit,
	[VEXIT_MSR_READ] = msr_read,
	[VEXIT_MSR_WRITE] = msr_write,
	[VEXIT_IO] = io_exit,
	[VEXIT_MMIO] = mmio_exit,
	[VEXIT_HLT] = hlt_exit,
	[VEXIT_HYPERCALL] = hypercall_exit,
	[VEXIT_CR_WRITE] = cr_write,
	[VEXIT_CR_READ] = cr_read,
	[VEXIT_XSETBV] = xsetbv_exit,
	[VEXIT_FATAL] = fatal_exit,
	[VEXIT_SHUTDOWN] = shutdown_exit,
};

enum exit_action vcpu_handle_exit(struct vcpu *v, const struct virt_exit *e)
{
	v->exit_counts[e->reason < VIRT_EXIT_REASONS ? e->reason : 0]++;
	if ((unsigned int)e->kind >= ARRAY_SIZE(handlers) || !handlers[e->kind]) {
		partition_stop(v->part, -ENOTSUP, "exit kind %u has no handler", e->kind);
		return EXIT_STOP;
	}
	return handlers[e->kind](v, e);
}

/* The most frequent reasons in one log line: enough to see what a guest's boot costs. */
#define EXIT_REPORT_TOP 8

void vmm_exit_report(struct partition *p)
{
	uint64_t sum[VIRT_EXIT_REASONS] = { 0 }, total = 0;
	unsigned int idx[EXIT_REPORT_TOP], n;
	char line[400];
	size_t len;

	for (unsigned int i = 0; i < p->vcpu_count; i++)
		for (unsigned int r = 0; r < VIRT_EXIT_REASONS; r++) {
			sum[r] += p->vcpus[i]->exit_counts[r];
			total += p->vcpus[i]->exit_counts[r];
		}
	n = rank_desc(sum, VIRT_EXIT_REASONS, idx, EXIT_REPORT_TOP);
	len = (size_t)snprintf(line, sizeof(line), "%lu", total);
	for (unsigned int i = 0; i < n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %s %lu", i ? "," : ":",
					virt->exit_reason_name(idx[i]), sum[idx[i]]);
	pr_info("partition '%s' VM exits %s\n", p->name, line);
}
