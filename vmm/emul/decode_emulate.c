/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Completing a decoded MMIO instruction: where it points, what a store
 * writes and how a load lands in its register (see vmm/decode.h).
 *
 * The struct may have been built or altered by a caller, so register
 * numbers and sizes are range-checked rather than trusted.
 */
#include <vmm/decode.h>

static uint64_t size_mask(unsigned int size)
{
	if (size == 0 || size >= 8)
		return ~0ULL;
	return (1ULL << (size * 8)) - 1;
}

static bool valid_reg(int r)
{
	return r >= 0 && r < 16;
}

uint64_t decode_effective_address(const struct decoded_insn *d,
				  const uint64_t regs[16], uint64_t rip)
{
	uint64_t ea = (uint64_t)d->disp;

	/* RIP-relative counts from the end of the instruction. */
	if (d->rip_relative)
		return (rip + d->length + ea) & size_mask(d->addr_size);
	if (valid_reg(d->base_reg))
		ea += regs[d->base_reg];
	if (valid_reg(d->index_reg))
		ea += regs[d->index_reg] * d->scale;
	/*
	 * Truncating the sum is the same as truncating each register first,
	 * which is what a 16/32-bit address size does.
	 */
	return ea & size_mask(d->addr_size);
}

uint64_t decode_store_value(const struct decoded_insn *d,
			    const uint64_t regs[16])
{
	uint64_t v;

	if (d->op != MMIO_OP_STORE && d->op != MMIO_OP_STOS)
		return 0;
	if (d->has_imm)
		return d->imm & size_mask(d->size);
	if (!valid_reg(d->reg))
		return 0;
	v = regs[d->reg];
	if (d->high_byte)
		v >>= 8;
	return v & size_mask(d->size);
}

void decode_complete_load(const struct decoded_insn *d, uint64_t regs[16],
			  uint64_t value)
{
	uint64_t m = size_mask(d->size);
	uint64_t *r;

	if (d->op != MMIO_OP_LOAD || !valid_reg(d->reg))
		return;
	r = &regs[d->reg];
	value &= m;
	if (d->sign_extend && m != ~0ULL && (value & (m ^ (m >> 1))))
		value |= ~m;

	switch (d->dest_size) {
	case 1:
		if (d->high_byte)
			*r = (*r & ~0xff00ULL) | ((value & 0xff) << 8);
		else
			*r = (*r & ~0xffULL) | (value & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (value & 0xffff);
		break;
	case 4:
		/* A 32-bit destination write zero-extends into bits 63:32. */
		*r = value & 0xffffffffULL;
		break;
	case 8:
		*r = value;
		break;
	default:
		break;
	}
}
