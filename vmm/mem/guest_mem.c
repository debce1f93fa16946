/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reaching guest memory the way the guest itself would: walking its page
 * tables with the access rights of the instruction being emulated (its CPL,
 * CR0.WP, SMEP, SMAP, NX), with the segment rules of its mode, and turning
 * a fault into the #PF the CPU would have raised. Used to fetch the
 * instruction behind an MMIO exit and to complete it, or a string I/O,
 * against a device.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <asm/cpu.h>
#include <asm/processor-flags.h>
#include <asm/trap.h>
#include <vmm/decode.h>
#include <vmm/guest_walk.h>
#include <vmm/io.h>
#include <vmm/partition.h>

#define STRING_IO_BATCH 4096 /* elements per exit: a huge REP count cannot hold the CPU */

/*
 * What emulating one instruction needs of the guest, read once per exit.
 * Segments other than CS are read when first used: in 64-bit mode most
 * emulations need none, and each costs four reads of the control block.
 */
struct guest_view {
	struct vcpu_arch *arch;
	uint64_t rip, rflags, cr0, cr3, cr4, efer;
	struct segment seg[VSEG_COUNT];
	unsigned int seg_loaded; /* bit per enum virt_seg */
	unsigned int cpl;
	enum decode_mode mode;
};

static void guest_view_read(struct vcpu *v, struct guest_view *g)
{
	struct vcpu_arch *a = &v->arch;
	const struct segment *cs = &g->seg[VSEG_CS];

	g->arch = a;
	g->rip = virt->get_reg(a, VREG_RIP);
	g->rflags = virt->get_reg(a, VREG_RFLAGS);
	g->cr0 = virt->get_reg(a, VREG_CR0);
	g->cr3 = virt->get_reg(a, VREG_CR3);
	g->cr4 = virt->get_reg(a, VREG_CR4);
	g->efer = virt->get_reg(a, VREG_EFER);
	virt->get_segment(a, VSEG_CS, &g->seg[VSEG_CS]);
	g->seg_loaded = 1u << VSEG_CS;
	g->cpl = virt->cpl(a);
	if ((g->efer & EFER_LMA) && (cs->attr & SEG_L))
		g->mode = DECODE_MODE_64;
	else
		g->mode = (cs->attr & SEG_DB) && (g->cr0 & CR0_PE) ? DECODE_MODE_32 : DECODE_MODE_16;
}

/* In 64-bit mode only FS and GS have a base; elsewhere every segment does. */
static uint64_t seg_base(struct guest_view *g, enum virt_seg s)
{
	if (g->mode == DECODE_MODE_64 && s != VSEG_FS && s != VSEG_GS)
		return 0;
	if (s >= VSEG_COUNT)
		s = VSEG_DS;
	if (!(g->seg_loaded & (1u << s))) {
		virt->get_segment(g->arch, s, &g->seg[s]);
		g->seg_loaded |= 1u << s;
	}
	return g->seg[s].base;
}

/*
 * The guest's MAXPHYADDR, above which page-table entry bits are reserved: the
 * host's, since the CPUID policy passes leaf 0x80000008 through. Read once.
 */
static uint8_t guest_maxphyaddr(void)
{
	static uint8_t bits;
	struct cpuid_regs r;

	if (!bits) {
		/* Without the leaf the SDM's default is 36 bits. */
		bits = 36;
		cpuid(0x80000000, &r);
		if (r.eax >= 0x80000008) {
			cpuid(0x80000008, &r);
			bits = (uint8_t)(r.eax & 0xff);
		}
	}
	return bits;
}

static int read_guest_phys(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct vcpu *v = ctx;

	return partition_copy_from_guest(v->part, buf, gpa(addr), len) < 0 ? -EFAULT : 0;
}

/*
 * Linear to guest-physical for an access of the guest's current CPL. 0 on
 * success; 1 when the guest got a #PF (the instruction must not complete);
 * <0 when the walk itself is broken and the partition must stop.
 */
static int translate(struct vcpu *v, struct guest_view *g, uint64_t linear,
		     unsigned int access, gpa_t *out)
{
	struct guest_paging pg = {
		.cr0 = g->cr0, .cr3 = g->cr3, .cr4 = g->cr4, .efer = g->efer,
		.ac = g->rflags & RFLAGS_AC,
		.maxphyaddr = guest_maxphyaddr(),
	};
	uint32_t pf_error = 0;
	uint64_t addr;
	int ret;

	if (g->cpl == 3)
		access |= GUEST_ACCESS_USER;
	ret = guest_walk(&pg, linear, access, read_guest_phys, v, &addr, &pf_error);
	if (ret == -EFAULT) {
		/* CR2 first: the #PF handler reads it as soon as it runs. */
		virt->set_reg(&v->arch, VREG_CR2, linear);
		virt->inject_exception(&v->arch, VEC_PAGE_FAULT, true, pf_error);
		return 1;
	}
	if (ret == -EINVAL) {
		virt->inject_exception(&v->arch, VEC_GP, true, 0); /* non-canonical */
		return 1;
	}
	if (ret < 0)
		return ret;
	out->v = addr;
	return 0;
}

/* Copies between guest-linear memory and @buf a page at a time; 0, 1 (#PF injected) or <0. */
static int copy_linear(struct vcpu *v, struct guest_view *g, uint64_t linear, void *buf,
		       size_t len, unsigned int access)
{
	uint8_t *b = buf;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		gpa_t p;
		int ret = translate(v, g, linear, access, &p);

		if (ret)
			return ret;
		if (access & GUEST_ACCESS_WRITE)
			ret = partition_copy_to_guest(v->part, p, b, chunk);
		else
			ret = partition_copy_from_guest(v->part, b, p, chunk);
		if (ret < 0)
			return -EFAULT; /* a guest page table pointing at a device page */
		b += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

/* Fetches up to 15 bytes at CS:RIP; fewer when the instruction ends near an unmapped page. */
static size_t fetch_insn(struct vcpu *v, struct guest_view *g, uint8_t *buf)
{
	uint64_t linear = seg_base(g, VSEG_CS) + g->rip;
	size_t first = MIN((size_t)DECODE_MAX_LEN, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));

	if (copy_linear(v, g, linear, buf, first, GUEST_ACCESS_FETCH) != 0)
		return 0;
	if (first < DECODE_MAX_LEN &&
	    copy_linear(v, g, linear + first, buf + first, DECODE_MAX_LEN - first,
			GUEST_ACCESS_FETCH) == 0)
		return DECODE_MAX_LEN;
	return first;
}

static uint64_t addr_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/*
 * Adds @delta to the low @mask bits of a register as the CPU does: a 16-bit
 * address size leaves the rest of the register alone, a 32-bit one writes
 * ECX/ESI/EDI as 32-bit registers, which clears bits 63:32.
 */
static void step_reg(struct vcpu *v, unsigned int reg, uint64_t delta, uint64_t mask)
{
	uint64_t r = v->arch.gpr[reg];

	if (mask == 0xffffffffULL)
		v->arch.gpr[reg] = (r + delta) & mask;
	else
		v->arch.gpr[reg] = (r & ~mask) | ((r + delta) & mask);
}

/* The segment of a memory operand: its override, else SS for RSP/RBP bases, else DS. */
static enum virt_seg operand_seg(const struct decoded_insn *d)
{
	if (d->segment != DECODE_SEG_DEFAULT)
		return (enum virt_seg)(d->segment - DECODE_SEG_ES);
	return d->base_reg == REG_RSP || d->base_reg == REG_RBP ? VSEG_SS : VSEG_DS;
}

/* MOVS/STOS with one side on a device: one element per exit, as the CPU would restart it. */
static int string_mmio(struct vcpu *v, struct guest_view *g, const struct decoded_insn *d,
		       gpa_t addr, bool write)
{
	uint64_t mask = addr_mask(d->addr_size);
	uint64_t step = (g->rflags & RFLAGS_DF) ? -(uint64_t)d->size : d->size;
	uint64_t val = 0;
	int ret;

	if (d->rep && (v->arch.gpr[REG_RCX] & mask) == 0)
		return 0;
	if (d->op == MMIO_OP_STOS) {
		val = v->arch.gpr[REG_RAX];
		ret = vmm_mmio(v, addr, d->size, true, &val);
	} else if (write) { /* MOVS from memory to the device */
		uint64_t src = seg_base(g, operand_seg(d)) + (v->arch.gpr[REG_RSI] & mask);

		ret = copy_linear(v, g, src, &val, d->size, 0);
		if (!ret)
			ret = vmm_mmio(v, addr, d->size, true, &val);
	} else { /* MOVS from the device to memory */
		ret = vmm_mmio(v, addr, d->size, false, &val);
		if (!ret)
			ret = copy_linear(v, g, seg_base(g, VSEG_ES) + (v->arch.gpr[REG_RDI] & mask),
					  &val, d->size, GUEST_ACCESS_WRITE);
	}
	if (ret)
		return ret < 0 ? ret : 2; /* 2: a #PF went to the guest */
	if (d->op == MMIO_OP_MOVS)
		step_reg(v, REG_RSI, step, mask);
	step_reg(v, REG_RDI, step, mask);
	if (d->rep) {
		step_reg(v, REG_RCX, -1ULL, mask);
		if (v->arch.gpr[REG_RCX] & mask)
			return 1; /* not done: the guest re-executes the instruction */
	}
	return 0;
}

/*
 * Whether the decoded instruction's own operand is at the linear address the
 * CPU reported: anything else (a descriptor-table access, a crafted page
 * walk) must not be emulated as if the instruction had made it.
 */
static bool operand_matches(struct vcpu *v, struct guest_view *g,
			    const struct decoded_insn *d, uint64_t linear)
{
	uint64_t mask = addr_mask(d->addr_size);
	uint64_t regs[16];

	memcpy(regs, v->arch.gpr, sizeof(regs));
	regs[REG_RSP] = virt->get_reg(&v->arch, VREG_RSP);
	if (d->op == MMIO_OP_LOAD || d->op == MMIO_OP_STORE)
		return seg_base(g, operand_seg(d)) + decode_effective_address(d, regs, g->rip) ==
		       linear;
	/* String forms: the device is either the ES:rDI or the source side. */
	return seg_base(g, VSEG_ES) + (regs[REG_RDI] & mask) == linear ||
	       (d->op == MMIO_OP_MOVS &&
		seg_base(g, operand_seg(d)) + (regs[REG_RSI] & mask) == linear);
}

static const char *const not_emulated_why[] = {
	[VIRT_MMIO_WALK] = "by the guest's page walk",
	[VIRT_MMIO_DELIVERY] = "by event delivery (IDT, stack or handler)",
	[VIRT_MMIO_UNKNOWN] = "without a linear address",
};

static int stop_unemulated(struct vcpu *v, struct guest_view *g, gpa_t addr, const char *why)
{
	partition_stop(v->part, -EFAULT, "device address %lx reached %s (RIP %lx): not emulated",
		       addr.v, why, g->rip);
	return 0; /* reported: do not report again as an access outside memory */
}

int vmm_mmio_exit(struct vcpu *v, const struct virt_exit *e)
{
	gpa_t addr = e->mmio.addr;
	struct decoded_insn d;
	struct guest_view g;
	uint8_t insn[DECODE_MAX_LEN];
	uint64_t val;
	size_t got;
	int ret;

	if (!vmm_mmio_claimed(v->part, addr))
		return -ENOENT;
	guest_view_read(v, &g);
	if (e->mmio.source != VIRT_MMIO_INSN)
		return stop_unemulated(v, &g, addr, not_emulated_why[e->mmio.source]);
	if (e->mmio.fetch)
		return stop_unemulated(v, &g, addr, "by an instruction fetch");
	got = fetch_insn(v, &g, insn);
	if (!got)
		return 0; /* the fetch faulted: the guest has its #PF */
	ret = decode_insn(insn, got, g.mode, &d);
	if (ret < 0) {
		partition_stop(v->part, ret, "cannot emulate the instruction at RIP %lx touching device "
			       "address %lx (%s)", g.rip, addr.v,
			       ret == -ENOTSUP ? "unsupported instruction" : "undecodable");
		return 0;
	}
	if (!operand_matches(v, &g, &d, e->mmio.linear))
		return stop_unemulated(v, &g, addr, "by an access other than the operand at RIP");
	switch (d.op) {
	case MMIO_OP_LOAD:
		ret = vmm_mmio(v, addr, d.size, false, &val);
		if (!ret)
			decode_complete_load(&d, v->arch.gpr, val);
		break;
	case MMIO_OP_STORE:
		val = decode_store_value(&d, v->arch.gpr);
		ret = vmm_mmio(v, addr, d.size, true, &val);
		break;
	default:
		ret = string_mmio(v, &g, &d, addr, e->mmio.write);
		break;
	}
	if (ret < 0) {
		partition_stop(v->part, ret, "device access at %lx of %u bytes failed (RIP %lx)", addr.v,
			       d.size, g.rip);
		return 0;
	}
	if (ret == 0)
		virt->set_reg(&v->arch, VREG_RIP, g.rip + d.length);
	return 0;
}

static unsigned int default_addr_size(struct guest_view *g)
{
	if (g->mode == DECODE_MODE_64)
		return 8;
	return g->mode == DECODE_MODE_32 ? 4 : 2;
}

int vmm_string_io(struct vcpu *v, const struct virt_exit *e)
{
	unsigned int size = e->io.size, asize;
	struct guest_view g;
	uint64_t mask, step, count;
	uint32_t val;
	int ret = 0;

	guest_view_read(v, &g);
	asize = e->io.addr_size ? e->io.addr_size : default_addr_size(&g);
	mask = addr_mask(asize);
	step = (g.rflags & RFLAGS_DF) ? -(uint64_t)size : size;
	count = e->io.rep ? v->arch.gpr[REG_RCX] & mask : 1;
	for (uint64_t i = 0; i < count && i < STRING_IO_BATCH; i++) {
		if (e->io.in) {
			uint64_t dst = seg_base(&g, VSEG_ES) + (v->arch.gpr[REG_RDI] & mask);

			vmm_port_io(v, e->io.port, size, true, &val);
			ret = copy_linear(v, &g, dst, &val, size, GUEST_ACCESS_WRITE);
			if (ret)
				break;
			step_reg(v, REG_RDI, step, mask);
		} else {
			uint64_t src = seg_base(&g, e->io.seg) + (v->arch.gpr[REG_RSI] & mask);

			val = 0;
			ret = copy_linear(v, &g, src, &val, size, 0);
			if (ret)
				break;
			vmm_port_io(v, e->io.port, size, false, &val);
			step_reg(v, REG_RSI, step, mask);
		}
		if (e->io.rep)
			step_reg(v, REG_RCX, -1ULL, mask);
	}
	if (ret < 0) {
		partition_stop(v->part, -EFAULT,
			       "string I/O on port %#x with a buffer the guest's page tables put "
			       "outside its memory", e->io.port);
		return ret;
	}
	if (ret > 0)
		return 1; /* #PF injected: the instruction restarts with what is left */
	return e->io.rep && (v->arch.gpr[REG_RCX] & mask) ? 1 : 0;
}
