/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the MMIO-capable x86 instructions (see vmm/decode.h).
 * Completion helpers (effective address, register merge) are in
 * decode_emulate.c.
 *
 * The bytes come from guest memory, so everything is treated as hostile:
 * every fetch is bounds-checked against both avail and the architectural
 * 15-byte limit, and the limit is checked first so that an endless prefix
 * run is reported as invalid rather than as "need more bytes".
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/decode.h>

#define REX_W 0x8
#define REX_R 0x4
#define REX_X 0x2
#define REX_B 0x1

#define REG_RAX 0
#define REG_RSI 6
#define REG_RDI 7

struct cursor {
	const uint8_t *bytes;
	size_t avail;
	uint8_t pos;
};

/* What the prefixes and mode say about the instruction. */
struct ctx {
	enum decode_mode mode;
	uint8_t rex;		/* 0 when absent; only a REX right before the opcode counts */
	bool lock;
	bool rep;		/* F2 or F3 seen */
	uint8_t osize;		/* operand size in bytes: 2, 4, 8 */
};

static int fetch8(struct cursor *c, uint8_t *v)
{
	if (c->pos >= DECODE_MAX_LEN)
		return -EINVAL;
	if (c->pos >= c->avail)
		return -EFAULT;
	*v = c->bytes[c->pos++];
	return 0;
}

/* Little-endian immediate or displacement of n bytes, zero-extended. */
static int fetch_le(struct cursor *c, unsigned int n, uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t b;
		int err = fetch8(c, &b);

		if (err)
			return err;
		r |= (uint64_t)b << (8 * i);
	}
	*v = r;
	return 0;
}

static int64_t sext(uint64_t v, unsigned int bytes)
{
	unsigned int bits = bytes * 8;

	if (bits >= 64)
		return (int64_t)v;
	v &= (1ULL << bits) - 1;
	if (v & (1ULL << (bits - 1)))
		v |= ~((1ULL << bits) - 1);
	return (int64_t)v;
}

/*
 * Consume legacy and REX prefixes and return the first opcode byte.
 * A REX followed by a legacy prefix is ignored by the CPU, so any legacy
 * prefix clears a REX seen before it.
 */
static int read_prefixes(struct cursor *c, struct ctx *x,
			 struct decoded_insn *out, bool *opsize, bool *addrsize,
			 uint8_t *opcode)
{
	for (;;) {
		uint8_t b;
		int err = fetch8(c, &b);

		if (err)
			return err;
		switch (b) {
		case 0x66:
			*opsize = true;
			break;
		case 0x67:
			*addrsize = true;
			break;
		case 0x26:
			out->segment = DECODE_SEG_ES;
			break;
		case 0x2e:
			out->segment = DECODE_SEG_CS;
			break;
		case 0x36:
			out->segment = DECODE_SEG_SS;
			break;
		case 0x3e:
			out->segment = DECODE_SEG_DS;
			break;
		case 0x64:
			out->segment = DECODE_SEG_FS;
			break;
		case 0x65:
			out->segment = DECODE_SEG_GS;
			break;
		case 0xf0:
			x->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			x->rep = true;
			break;
		default:
			if (x->mode == DECODE_MODE_64 && (b & 0xf0) == 0x40) {
				x->rex = b;
				continue;
			}
			*opcode = b;
			return 0;
		}
		x->rex = 0;
	}
}

static int modrm16(struct cursor *c, uint8_t mod, uint8_t rm,
		   struct decoded_insn *out)
{
	/* rm -> base, index for 16-bit addressing (SDM Vol 2 table 2-1). */
	static const int8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const int8_t index16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
	uint64_t disp = 0;
	int err = 0;

	out->base_reg = base16[rm];
	out->index_reg = index16[rm];
	out->scale = out->index_reg >= 0 ? 1 : 0;
	if (mod == 0 && rm == 6) {
		out->base_reg = -1;
		err = fetch_le(c, 2, &disp);
		out->disp = sext(disp, 2);
	} else if (mod == 1) {
		err = fetch_le(c, 1, &disp);
		out->disp = sext(disp, 1);
	} else if (mod == 2) {
		err = fetch_le(c, 2, &disp);
		out->disp = sext(disp, 2);
	}
	return err;
}

static int modrm32(struct cursor *c, const struct ctx *x, uint8_t mod,
		   uint8_t rm, struct decoded_insn *out)
{
	uint64_t disp = 0;
	int err;

	if (rm == 4) {
		uint8_t sib, idx, base;

		err = fetch8(c, &sib);
		if (err)
			return err;
		idx = ((sib >> 3) & 7) | ((x->rex & REX_X) ? 8 : 0);
		base = (sib & 7) | ((x->rex & REX_B) ? 8 : 0);
		/* index 100 means none, but REX.X makes it R12, a real index. */
		if (idx != 4) {
			out->index_reg = idx;
			out->scale = (uint8_t)(1u << (sib >> 6));
		}
		/* base 101 with mod 00 is "no base, disp32", whatever REX.B says. */
		if ((sib & 7) == 5 && mod == 0) {
			err = fetch_le(c, 4, &disp);
			out->disp = sext(disp, 4);
			return err;
		}
		out->base_reg = base;
	} else if (rm == 5 && mod == 0) {
		/* Long mode turned the absolute disp32 form into RIP-relative. */
		out->rip_relative = x->mode == DECODE_MODE_64;
		err = fetch_le(c, 4, &disp);
		out->disp = sext(disp, 4);
		return err;
	} else {
		out->base_reg = rm | ((x->rex & REX_B) ? 8 : 0);
	}

	if (mod == 1) {
		err = fetch_le(c, 1, &disp);
		out->disp = sext(disp, 1);
		return err;
	}
	if (mod == 2) {
		err = fetch_le(c, 4, &disp);
		out->disp = sext(disp, 4);
		return err;
	}
	return 0;
}

/*
 * Parse ModRM (+SIB, displacement) into the address fields and return the
 * reg field (REX.R applied) in *reg.
 */
static int decode_modrm(struct cursor *c, const struct ctx *x,
			struct decoded_insn *out, uint8_t *reg)
{
	uint8_t modrm, mod, rm;
	int err = fetch8(c, &modrm);

	if (err)
		return err;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((x->rex & REX_R) ? 8 : 0);
	/* A register operand cannot be what faulted on MMIO. */
	if (mod == 3)
		return -EINVAL;
	if (out->addr_size == 2)
		return modrm16(c, mod, rm, out);
	return modrm32(c, x, mod, rm, out);
}

/* Name the register operand; byte registers 4..7 are AH..BH without REX. */
static void set_reg(const struct ctx *x, struct decoded_insn *out,
		    uint8_t reg, uint8_t size)
{
	if (size == 1 && !x->rex && reg >= 4 && reg <= 7) {
		out->reg = reg - 4;
		out->high_byte = true;
	} else {
		out->reg = reg;
	}
}

/* MOV forms with ModRM: 88, 89, 8A, 8B, 63. */
static int decode_mov_rm(struct cursor *c, const struct ctx *x,
			 struct decoded_insn *out, uint8_t opcode)
{
	uint8_t reg;
	int err = decode_modrm(c, x, out, &reg);

	if (err)
		return err;
	out->size = (opcode & 1) ? x->osize : 1;
	out->op = (opcode & 2) ? MMIO_OP_LOAD : MMIO_OP_STORE;
	if (opcode == 0x63) {
		/* MOVSXD: only REX.W makes it widen; otherwise a plain MOV. */
		out->op = MMIO_OP_LOAD;
		out->size = x->osize == 8 ? 4 : x->osize;
		out->sign_extend = x->osize == 8;
	}
	out->dest_size = opcode == 0x63 ? x->osize : out->size;
	set_reg(x, out, reg, out->size);
	return 0;
}

/* MOV r/m, imm: C6 /0 ib, C7 /0 iw/id (id sign-extended under REX.W). */
static int decode_mov_imm(struct cursor *c, const struct ctx *x,
			  struct decoded_insn *out, uint8_t opcode)
{
	uint8_t reg;
	uint64_t imm;
	unsigned int isize;
	int err = decode_modrm(c, x, out, &reg);

	if (err)
		return err;
	/* Only /0 is MOV; REX.R does not take part in an opcode extension. */
	if (reg & 7)
		return -EINVAL;
	out->op = MMIO_OP_STORE;
	out->size = opcode == 0xc6 ? 1 : x->osize;
	out->dest_size = out->size;
	isize = out->size > 4 ? 4 : out->size;
	err = fetch_le(c, isize, &imm);
	if (err)
		return err;
	out->imm = (uint64_t)sext(imm, isize);
	if (out->size < 8)
		out->imm &= (1ULL << (out->size * 8)) - 1;
	out->has_imm = true;
	return 0;
}

/* MOV AL/eAX <-> moffs: A0-A3. The offset is address-size wide. */
static int decode_moffs(struct cursor *c, const struct ctx *x,
			struct decoded_insn *out, uint8_t opcode)
{
	uint64_t off;
	int err = fetch_le(c, out->addr_size, &off);

	if (err)
		return err;
	out->disp = (int64_t)off;
	out->op = (opcode & 2) ? MMIO_OP_STORE : MMIO_OP_LOAD;
	out->size = (opcode & 1) ? x->osize : 1;
	out->dest_size = out->size;
	out->reg = REG_RAX;
	return 0;
}

/* MOVS A4/A5, STOS AA/AB: no operands beyond the implicit ones. */
static void decode_string(const struct ctx *x, struct decoded_insn *out,
			  uint8_t opcode)
{
	out->size = (opcode & 1) ? x->osize : 1;
	out->dest_size = out->size;
	out->rep = x->rep;
	if ((opcode & 0xfe) == 0xa4) {
		out->op = MMIO_OP_MOVS;
		out->base_reg = REG_RSI;
	} else {
		out->op = MMIO_OP_STOS;
		out->base_reg = REG_RDI;
		out->reg = REG_RAX;
		/* STOS always writes through ES; overrides do not apply. */
		out->segment = DECODE_SEG_ES;
	}
}

/* MOVZX 0F B6/B7, MOVSX 0F BE/BF. */
static int decode_0f(struct cursor *c, const struct ctx *x,
		     struct decoded_insn *out)
{
	uint8_t op2, reg;
	int err = fetch8(c, &op2);

	if (err)
		return err;
	out->opcode = 0x0f00 | op2;
	if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
		return -ENOTSUP;
	err = decode_modrm(c, x, out, &reg);
	if (err)
		return err;
	out->op = MMIO_OP_LOAD;
	out->size = (op2 & 1) ? 2 : 1;
	out->dest_size = x->osize;
	out->sign_extend = op2 >= 0xbe;
	out->zero_extend = op2 <= 0xb7;
	out->reg = reg;
	return 0;
}

static uint8_t operand_size(const struct ctx *x, bool opsize)
{
	if (x->rex & REX_W)
		return 8;
	if (x->mode == DECODE_MODE_16)
		return opsize ? 4 : 2;
	return opsize ? 2 : 4;
}

static uint8_t address_size(enum decode_mode mode, bool addrsize)
{
	switch (mode) {
	case DECODE_MODE_64:
		return addrsize ? 4 : 8;
	case DECODE_MODE_32:
		return addrsize ? 2 : 4;
	default:
		return addrsize ? 4 : 2;
	}
}

int decode_insn(const uint8_t *bytes, size_t avail, enum decode_mode mode,
		struct decoded_insn *out)
{
	struct cursor c = { .bytes = bytes, .avail = avail, .pos = 0 };
	struct ctx x = { .mode = mode };
	bool opsize = false, addrsize = false;
	uint8_t opcode;
	int err;

	if (!bytes || !out)
		return -EINVAL;
	if (mode != DECODE_MODE_16 && mode != DECODE_MODE_32 &&
	    mode != DECODE_MODE_64)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	out->reg = -1;
	out->base_reg = -1;
	out->index_reg = -1;

	err = read_prefixes(&c, &x, out, &opsize, &addrsize, &opcode);
	if (err)
		return err;
	x.osize = operand_size(&x, opsize);
	out->addr_size = address_size(mode, addrsize);
	out->opcode = opcode;

	switch (opcode) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		err = decode_mov_rm(&c, &x, out, opcode);
		break;
	case 0x63:
		/* Outside long mode 63 is ARPL. */
		if (mode != DECODE_MODE_64)
			return -ENOTSUP;
		err = decode_mov_rm(&c, &x, out, opcode);
		break;
	case 0xc6:
	case 0xc7:
		err = decode_mov_imm(&c, &x, out, opcode);
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		err = decode_moffs(&c, &x, out, opcode);
		break;
	case 0xa4:
	case 0xa5:
	case 0xaa:
	case 0xab:
		decode_string(&x, out, opcode);
		break;
	case 0x0f:
		err = decode_0f(&c, &x, out);
		break;
	default:
		return -ENOTSUP;
	}
	if (err)
		return err;
	/* LOCK is only legal on read-modify-write instructions: #UD here. */
	if (x.lock)
		return -EINVAL;
	out->length = c.pos;
	return 0;
}
