/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reaching guest memory the way the guest sees it: walking its page tables
 * (which live in its own RAM, read through its EPT), fetching the
 * instruction behind an MMIO exit, and completing that instruction or a
 * string I/O against a device.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/decode.h>
#include <vmm/guest_walk.h>
#include <vmm/io.h>
#include <vmm/partition.h>

#define EFER_LMA (1ULL << 10)
#define RFLAGS_DF (1ULL << 10)

static int read_guest_phys(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct vcpu *v = ctx;

	return ept_copy_from_guest(&v->part->ept, buf, gpa(addr), len) < 0 ? -EFAULT : 0;
}

int guest_linear_to_phys(struct vcpu *v, uint64_t linear, gpa_t *out)
{
	struct guest_ctx c;
	struct guest_paging pg;
	uint64_t g;
	int ret;

	arch_vcpu_get_ctx(v, &c);
	pg = (struct guest_paging){ .cr0 = c.cr0, .cr3 = c.cr3, .cr4 = c.cr4, .efer = c.efer };
	ret = guest_walk(&pg, linear, read_guest_phys, v, &g);
	if (ret < 0)
		return ret;
	out->v = g;
	return 0;
}

int guest_read_linear(struct vcpu *v, uint64_t linear, void *dst, size_t len)
{
	uint8_t *d = dst;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		gpa_t g;

		if (guest_linear_to_phys(v, linear, &g) < 0 ||
		    ept_copy_from_guest(&v->part->ept, d, g, chunk) < 0)
			return -EFAULT;
		d += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

static int guest_write_linear(struct vcpu *v, uint64_t linear, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		gpa_t g;

		if (guest_linear_to_phys(v, linear, &g) < 0 ||
		    ept_copy_to_guest(&v->part->ept, g, s, chunk) < 0)
			return -EFAULT;
		s += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

static enum decode_mode guest_mode(const struct guest_ctx *c)
{
	if ((c->efer & EFER_LMA) && (c->cs_ar & (1u << 13)))
		return DECODE_MODE_64;
	return (c->cs_ar & (1u << 14)) && (c->cr0 & 1) ? DECODE_MODE_32 : DECODE_MODE_16;
}

/* Fetches up to 15 bytes at CS:RIP; fewer when the instruction ends near an unmapped page. */
static size_t fetch_insn(struct vcpu *v, const struct guest_ctx *c, uint8_t *buf)
{
	uint64_t linear = c->cs_base + c->rip;
	size_t first = MIN((size_t)DECODE_MAX_LEN, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));

	if (guest_read_linear(v, linear, buf, first) < 0)
		return 0;
	if (first < DECODE_MAX_LEN &&
	    guest_read_linear(v, linear + first, buf + first, DECODE_MAX_LEN - first) == 0)
		return DECODE_MAX_LEN;
	return first;
}

static uint64_t addr_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* MOVS/STOS with one side on a device: one element per exit, as the CPU would restart it. */
static int string_mmio(struct vcpu *v, const struct guest_ctx *c, const struct decoded_insn *d,
		       gpa_t addr, bool write)
{
	uint64_t mask = addr_mask(d->addr_size), step = (c->rflags & RFLAGS_DF) ? -(uint64_t)d->size : d->size;
	uint64_t val = 0;
	int ret;

	if (d->rep && (v->gpr[REG_RCX] & mask) == 0)
		return 0;
	if (d->op == MMIO_OP_STOS) {
		val = v->gpr[REG_RAX];
		ret = vmm_mmio(v, addr, d->size, true, &val);
	} else if (write) { /* MOVS from memory to the device */
		uint64_t src = (d->segment == DECODE_SEG_FS ? c->fs_base : d->segment == DECODE_SEG_GS ? c->gs_base : c->ds_base) +
			       (v->gpr[REG_RSI] & mask);

		ret = guest_read_linear(v, src, &val, d->size);
		if (!ret)
			ret = vmm_mmio(v, addr, d->size, true, &val);
	} else { /* MOVS from the device to memory */
		ret = vmm_mmio(v, addr, d->size, false, &val);
		if (!ret)
			ret = guest_write_linear(v, c->es_base + (v->gpr[REG_RDI] & mask), &val, d->size);
	}
	if (ret < 0)
		return ret;
	if (d->op == MMIO_OP_MOVS)
		v->gpr[REG_RSI] = (v->gpr[REG_RSI] & ~mask) | ((v->gpr[REG_RSI] + step) & mask);
	v->gpr[REG_RDI] = (v->gpr[REG_RDI] & ~mask) | ((v->gpr[REG_RDI] + step) & mask);
	if (d->rep) {
		v->gpr[REG_RCX] = (v->gpr[REG_RCX] & ~mask) | ((v->gpr[REG_RCX] - 1) & mask);
		if (v->gpr[REG_RCX] & mask)
			return 1; /* not done: the guest re-executes the instruction */
	}
	return 0;
}

int vmm_mmio_exit(struct vcpu *v, gpa_t addr, bool write)
{
	struct decoded_insn d;
	struct guest_ctx c;
	uint8_t insn[DECODE_MAX_LEN];
	uint64_t val;
	size_t got;
	int ret;

	if (!vmm_mmio_claimed(addr))
		return -ENOENT;
	arch_vcpu_get_ctx(v, &c);
	got = fetch_insn(v, &c, insn);
	ret = got ? decode_insn(insn, got, guest_mode(&c), &d) : -EFAULT;
	if (ret < 0) {
		partition_stop(v->part, ret, "cannot emulate the instruction at RIP %lx touching device "
			       "address %lx (%s)", c.rip, addr.v,
			       ret == -ENOTSUP ? "unsupported instruction" : "undecodable");
		return 0; /* reported: do not report again as an access outside memory */
	}
	v->gpr[REG_RSP] = c.rsp;
	switch (d.op) {
	case MMIO_OP_LOAD:
		ret = vmm_mmio(v, addr, d.size, false, &val);
		if (!ret)
			decode_complete_load(&d, v->gpr, val);
		break;
	case MMIO_OP_STORE:
		val = decode_store_value(&d, v->gpr);
		ret = vmm_mmio(v, addr, d.size, true, &val);
		break;
	default:
		ret = string_mmio(v, &c, &d, addr, write);
		break;
	}
	if (ret < 0) {
		partition_stop(v->part, ret, "device access at %lx of %u bytes failed (RIP %lx)", addr.v,
			       d.size, c.rip);
		return 0;
	}
	arch_vcpu_set_rsp(v, v->gpr[REG_RSP]);
	if (ret == 0)
		arch_vcpu_set_rip(v, c.rip + d.length);
	return 0;
}

int vmm_string_io(struct vcpu *v, uint16_t port, unsigned int size, bool in, bool rep)
{
	struct guest_ctx c;
	uint64_t count = rep ? v->gpr[REG_RCX] : 1;
	uint64_t step;
	uint32_t val;

	arch_vcpu_get_ctx(v, &c);
	step = (c.rflags & RFLAGS_DF) ? -(uint64_t)size : size;
	/* Bounded per exit so a huge REP count cannot keep the CPU from Plinth. */
	for (uint64_t i = 0; i < count && i < 4096; i++) {
		if (in) {
			vmm_port_io(v, port, size, true, &val);
			if (guest_write_linear(v, c.es_base + v->gpr[REG_RDI], &val, size) < 0)
				goto fault;
			v->gpr[REG_RDI] += step;
		} else {
			val = 0;
			if (guest_read_linear(v, c.ds_base + v->gpr[REG_RSI], &val, size) < 0)
				goto fault;
			vmm_port_io(v, port, size, false, &val);
			v->gpr[REG_RSI] += step;
		}
		if (rep)
			v->gpr[REG_RCX]--;
	}
	return rep && v->gpr[REG_RCX] ? 1 : 0;
fault:
	partition_stop(v->part, -EFAULT, "string I/O on port %#x with a buffer outside guest memory",
		       port);
	return -EFAULT;
}
