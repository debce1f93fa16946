/* SPDX-License-Identifier: GPL-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/types.h>
#include <vmm/decode.h>

/*
 * Expected decodings. The bytes were produced with GNU as + objdump
 * (--64, --32 and .code16) when the table was written, except the
 * prefix-ordering cases, which were built by hand from the SDM rules.
 */
struct tc {
	const char *name;
	enum decode_mode mode;
	uint8_t b[16];
	uint8_t len;
	int ret;
	enum mmio_op op;
	uint8_t size, dest;
	bool sx, zx;
	int reg;
	bool hi;
	bool has_imm;
	uint64_t imm;
	bool rep;
	uint8_t seg;
	int base, index;
	uint8_t scale;
	int64_t disp;
	bool rip;
	uint8_t asz;
};

#define N -1
#define M64 .mode = DECODE_MODE_64
#define M32 .mode = DECODE_MODE_32
#define M16 .mode = DECODE_MODE_16
#define B(...) .b = { __VA_ARGS__ }, .len = sizeof((uint8_t[]){ __VA_ARGS__ })
#define LD(sz, dst, r) .op = MMIO_OP_LOAD, .size = sz, .dest = dst, .reg = r
#define ST(sz, r) .op = MMIO_OP_STORE, .size = sz, .dest = sz, .reg = r
#define STI(sz, v) .op = MMIO_OP_STORE, .size = sz, .dest = sz, .reg = N, \
		   .has_imm = true, .imm = v
#define MOVS(sz) .op = MMIO_OP_MOVS, .size = sz, .dest = sz, .reg = N
#define STOS(sz) .op = MMIO_OP_STOS, .size = sz, .dest = sz, .reg = 0, \
		 .seg = DECODE_SEG_ES
#define EA(b_, i_, s_, d_, a_) .base = b_, .index = i_, .scale = s_, \
			       .disp = d_, .asz = a_
#define RIPREL(d_, a_) .base = N, .index = N, .disp = d_, .rip = true, .asz = a_
#define ERR(e) .ret = e
#define MOFFS64 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11

static const struct tc cases[] = {
	/* ---- 64-bit mode ---- */
	{ "mov %eax,0x10(%rbx,%rcx,4)", M64, B(0x89, 0x44, 0x8b, 0x10), ST(4, 0), EA(3, 1, 4, 0x10, 8) },
	{ "mov %rax,(%rdi)", M64, B(0x48, 0x89, 0x07), ST(8, 0), EA(7, N, 0, 0, 8) },
	{ "mov %r9,0x12345678(%r10,%r11,8)", M64, B(0x4f, 0x89, 0x8c, 0xda, 0x78, 0x56, 0x34, 0x12),
	  ST(8, 9), EA(10, 11, 8, 0x12345678, 8) },
	{ "mov %al,(%rsi)", M64, B(0x88, 0x06), ST(1, 0), EA(6, N, 0, 0, 8) },
	{ "mov %ah,(%rsi)", M64, B(0x88, 0x26), ST(1, 0), .hi = true, EA(6, N, 0, 0, 8) },
	{ "mov %bh,0x7f(%rdx)", M64, B(0x88, 0x7a, 0x7f), ST(1, 3), .hi = true, EA(2, N, 0, 0x7f, 8) },
	{ "mov %sil,(%rax)", M64, B(0x40, 0x88, 0x30), ST(1, 6), EA(0, N, 0, 0, 8) },
	{ "mov %spl,(%rsi)", M64, B(0x40, 0x88, 0x26), ST(1, 4), EA(6, N, 0, 0, 8) },
	{ "mov %r15b,(%rax)", M64, B(0x44, 0x88, 0x38), ST(1, 15), EA(0, N, 0, 0, 8) },
	{ "mov %ax,(%rbx)", M64, B(0x66, 0x89, 0x03), ST(2, 0), EA(3, N, 0, 0, 8) },
	{ "mov (%rbx),%cl", M64, B(0x8a, 0x0b), LD(1, 1, 1), EA(3, N, 0, 0, 8) },
	{ "mov (%rbx),%ch", M64, B(0x8a, 0x2b), LD(1, 1, 1), .hi = true, EA(3, N, 0, 0, 8) },
	{ "mov (%rbx),%dil", M64, B(0x40, 0x8a, 0x3b), LD(1, 1, 7), EA(3, N, 0, 0, 8) },
	{ "mov 0x0(%rbp),%bl", M64, B(0x8a, 0x5d, 0x00), LD(1, 1, 3), EA(5, N, 0, 0, 8) },
	{ "mov -0x80(%rbp),%edx", M64, B(0x8b, 0x55, 0x80), LD(4, 4, 2), EA(5, N, 0, -0x80, 8) },
	{ "mov (%rsp),%rsp", M64, B(0x48, 0x8b, 0x24, 0x24), LD(8, 8, 4), EA(4, N, 0, 0, 8) },
	{ "mov (%r12),%r13", M64, B(0x4d, 0x8b, 0x2c, 0x24), LD(8, 8, 13), EA(12, N, 0, 0, 8) },
	{ "mov 0x0(%r13),%r12", M64, B(0x4d, 0x8b, 0x65, 0x00), LD(8, 8, 12), EA(13, N, 0, 0, 8) },
	{ "mov 0x100(%rsp),%eax", M64, B(0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00), LD(4, 4, 0),
	  EA(4, N, 0, 0x100, 8) },
	{ "mov -0x80000000(%rax),%eax", M64, B(0x8b, 0x80, 0x00, 0x00, 0x00, 0x80), LD(4, 4, 0),
	  EA(0, N, 0, -0x80000000LL, 8) },
	{ "mov 0x100(%rip),%eax", M64, B(0x8b, 0x05, 0x00, 0x01, 0x00, 0x00), LD(4, 4, 0), RIPREL(0x100, 8) },
	{ "mov %rax,-0x8(%rip)", M64, B(0x48, 0x89, 0x05, 0xf8, 0xff, 0xff, 0xff), ST(8, 0), RIPREL(-8, 8) },
	{ "movl $0x11223344,0x20(%rip)", M64, B(0xc7, 0x05, 0x20, 0, 0, 0, 0x44, 0x33, 0x22, 0x11),
	  STI(4, 0x11223344), RIPREL(0x20, 8) },
	{ "mov 0x10(%eip),%ecx", M64, B(0x67, 0x8b, 0x0d, 0x10, 0, 0, 0), LD(4, 4, 1), RIPREL(0x10, 4) },
	{ "REX.B does not defeat RIP-relative", M64, B(0x41, 0x8b, 0x05, 0x10, 0, 0, 0), LD(4, 4, 0),
	  RIPREL(0x10, 8) },
	{ "movq $-1,(%rax)", M64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), STI(8, ~0ULL), EA(0, N, 0, 0, 8) },
	{ "movq $0x7fffffff,(%rax)", M64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f), STI(8, 0x7fffffff),
	  EA(0, N, 0, 0, 8) },
	{ "movw $0xbeef,(%rcx)", M64, B(0x66, 0xc7, 0x01, 0xef, 0xbe), STI(2, 0xbeef), EA(1, N, 0, 0, 8) },
	{ "movb $0x5a,(%rdx)", M64, B(0xc6, 0x02, 0x5a), STI(1, 0x5a), EA(2, N, 0, 0, 8) },
	{ "movb $0x7f,0x10(%rax)", M64, B(0xc6, 0x40, 0x10, 0x7f), STI(1, 0x7f), EA(0, N, 0, 0x10, 8) },
	{ "movl $0xdeadbeef,(%r8)", M64, B(0x41, 0xc7, 0x00, 0xef, 0xbe, 0xad, 0xde), STI(4, 0xdeadbeef),
	  EA(8, N, 0, 0, 8) },
	{ "C7 /0 ignores REX.R", M64, B(0x44, 0xc7, 0x00, 1, 0, 0, 0), STI(4, 1), EA(0, N, 0, 0, 8) },
	{ "movabs 0x1122334455667788,%al", M64, B(0xa0, MOFFS64), LD(1, 1, 0),
	  EA(N, N, 0, 0x1122334455667788LL, 8) },
	{ "movabs 0x1122334455667788,%eax", M64, B(0xa1, MOFFS64), LD(4, 4, 0),
	  EA(N, N, 0, 0x1122334455667788LL, 8) },
	{ "movabs 0x1122334455667788,%rax", M64, B(0x48, 0xa1, MOFFS64), LD(8, 8, 0),
	  EA(N, N, 0, 0x1122334455667788LL, 8) },
	{ "movabs %al,0x1122334455667788", M64, B(0xa2, MOFFS64), ST(1, 0),
	  EA(N, N, 0, 0x1122334455667788LL, 8) },
	{ "movabs %ax,0x1122334455667788", M64, B(0x66, 0xa3, MOFFS64), ST(2, 0),
	  EA(N, N, 0, 0x1122334455667788LL, 8) },
	{ "addr32 mov 0x11223344,%eax", M64, B(0x67, 0xa1, 0x44, 0x33, 0x22, 0x11), LD(4, 4, 0),
	  EA(N, N, 0, 0x11223344, 4) },
	{ "movzbl (%rax),%ecx", M64, B(0x0f, 0xb6, 0x08), LD(1, 4, 1), .zx = true, EA(0, N, 0, 0, 8) },
	{ "movzwl (%rax),%ecx", M64, B(0x0f, 0xb7, 0x08), LD(2, 4, 1), .zx = true, EA(0, N, 0, 0, 8) },
	{ "movzbw (%rax),%cx", M64, B(0x66, 0x0f, 0xb6, 0x08), LD(1, 2, 1), .zx = true, EA(0, N, 0, 0, 8) },
	{ "movzbq (%rax),%r8", M64, B(0x4c, 0x0f, 0xb6, 0x00), LD(1, 8, 8), .zx = true, EA(0, N, 0, 0, 8) },
	{ "movsbl (%rax),%ecx", M64, B(0x0f, 0xbe, 0x08), LD(1, 4, 1), .sx = true, EA(0, N, 0, 0, 8) },
	{ "movswq (%rax),%rdx", M64, B(0x48, 0x0f, 0xbf, 0x10), LD(2, 8, 2), .sx = true, EA(0, N, 0, 0, 8) },
	{ "movsbw (%rax),%ax", M64, B(0x66, 0x0f, 0xbe, 0x00), LD(1, 2, 0), .sx = true, EA(0, N, 0, 0, 8) },
	{ "movslq (%rax),%rax", M64, B(0x48, 0x63, 0x00), LD(4, 8, 0), .sx = true, EA(0, N, 0, 0, 8) },
	{ "movsxd without REX.W is a mov", M64, B(0x63, 0x00), LD(4, 4, 0), EA(0, N, 0, 0, 8) },
	{ "movsxd with 66", M64, B(0x66, 0x63, 0x00), LD(2, 2, 0), EA(0, N, 0, 0, 8) },
	{ "movsb", M64, B(0xa4), MOVS(1), EA(6, N, 0, 0, 8) },
	{ "movsw", M64, B(0x66, 0xa5), MOVS(2), EA(6, N, 0, 0, 8) },
	{ "movsl", M64, B(0xa5), MOVS(4), EA(6, N, 0, 0, 8) },
	{ "movsq", M64, B(0x48, 0xa5), MOVS(8), EA(6, N, 0, 0, 8) },
	{ "rep movsb", M64, B(0xf3, 0xa4), MOVS(1), .rep = true, EA(6, N, 0, 0, 8) },
	{ "repne movsb", M64, B(0xf2, 0xa4), MOVS(1), .rep = true, EA(6, N, 0, 0, 8) },
	{ "rep movsq", M64, B(0xf3, 0x48, 0xa5), MOVS(8), .rep = true, EA(6, N, 0, 0, 8) },
	{ "fs movsb", M64, B(0x64, 0xa4), MOVS(1), .seg = DECODE_SEG_FS, EA(6, N, 0, 0, 8) },
	{ "addr32 movsb", M64, B(0x67, 0xa4), MOVS(1), EA(6, N, 0, 0, 4) },
	{ "stosb", M64, B(0xaa), STOS(1), EA(7, N, 0, 0, 8) },
	{ "stosw", M64, B(0x66, 0xab), STOS(2), EA(7, N, 0, 0, 8) },
	{ "rep stosl", M64, B(0xf3, 0xab), STOS(4), .rep = true, EA(7, N, 0, 0, 8) },
	{ "rep stosq", M64, B(0xf3, 0x48, 0xab), STOS(8), .rep = true, EA(7, N, 0, 0, 8) },
	{ "fs stosb keeps ES", M64, B(0x64, 0xaa), STOS(1), EA(7, N, 0, 0, 8) },
	{ "mov %eax,%fs:(%rax)", M64, B(0x64, 0x89, 0x00), ST(4, 0), .seg = DECODE_SEG_FS, EA(0, N, 0, 0, 8) },
	{ "mov %gs:0x10,%rax", M64, B(0x65, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0), LD(8, 8, 0),
	  .seg = DECODE_SEG_GS, EA(N, N, 0, 0x10, 8) },
	{ "es mov (%rdi),%ax", M64, B(0x26, 0x66, 0x8b, 0x07), LD(2, 2, 0), .seg = DECODE_SEG_ES,
	  EA(7, N, 0, 0, 8) },
	{ "cs mov", M64, B(0x2e, 0x89, 0x07), ST(4, 0), .seg = DECODE_SEG_CS, EA(7, N, 0, 0, 8) },
	{ "ss mov", M64, B(0x36, 0x89, 0x07), ST(4, 0), .seg = DECODE_SEG_SS, EA(7, N, 0, 0, 8) },
	{ "ds mov", M64, B(0x3e, 0x89, 0x07), ST(4, 0), .seg = DECODE_SEG_DS, EA(7, N, 0, 0, 8) },
	{ "fs gs: last override wins", M64, B(0x64, 0x65, 0x89, 0x07), ST(4, 0), .seg = DECODE_SEG_GS,
	  EA(7, N, 0, 0, 8) },
	{ "mov 0x0(,%rax,2),%ecx", M64, B(0x8b, 0x0c, 0x45, 0, 0, 0, 0), LD(4, 4, 1), EA(N, 0, 2, 0, 8) },
	{ "mov 0x10(,%r12,8),%ecx", M64, B(0x42, 0x8b, 0x0c, 0xe5, 0x10, 0, 0, 0), LD(4, 4, 1),
	  EA(N, 12, 8, 0x10, 8) },
	{ "mov (%rax,%r12,1),%ecx", M64, B(0x42, 0x8b, 0x0c, 0x20), LD(4, 4, 1), EA(0, 12, 1, 0, 8) },
	{ "mov (%r12,%rax,1),%ecx", M64, B(0x41, 0x8b, 0x0c, 0x04), LD(4, 4, 1), EA(12, 0, 1, 0, 8) },
	{ "mov 0x0(%r13),%ecx", M64, B(0x41, 0x8b, 0x4d, 0x00), LD(4, 4, 1), EA(13, N, 0, 0, 8) },
	{ "SIB no base ignores REX.B", M64, B(0x41, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0), LD(4, 4, 0),
	  EA(N, N, 0, 0x10, 8) },
	{ "mov (%eax),%ecx", M64, B(0x67, 0x8b, 0x08), LD(4, 4, 1), EA(0, N, 0, 0, 4) },
	{ "mov 0x44332211,%eax (SIB abs)", M64, B(0x8b, 0x04, 0x25, 0x11, 0x22, 0x33, 0x44), LD(4, 4, 0),
	  EA(N, N, 0, 0x44332211, 8) },
	{ "REX before 66 is ignored", M64, B(0x48, 0x66, 0x89, 0x07), ST(2, 0), EA(7, N, 0, 0, 8) },
	{ "REX before seg is ignored", M64, B(0x48, 0x26, 0x8b, 0x07), LD(4, 4, 0), .seg = DECODE_SEG_ES,
	  EA(7, N, 0, 0, 8) },
	{ "REX.B before 66 is ignored", M64, B(0x41, 0x66, 0x89, 0x07), ST(2, 0), EA(7, N, 0, 0, 8) },
	{ "REX before REX: last counts", M64, B(0x41, 0x48, 0x89, 0x07), ST(8, 0), EA(7, N, 0, 0, 8) },
	{ "ignored REX drops AH remap", M64, B(0x40, 0x66, 0x88, 0x26), ST(1, 0), .hi = true,
	  EA(6, N, 0, 0, 8) },
	{ "REX.W beats 66", M64, B(0x66, 0x48, 0x89, 0x07), ST(8, 0), EA(7, N, 0, 0, 8) },
	{ "rep on plain mov is ignored", M64, B(0xf3, 0x89, 0x07), ST(4, 0), EA(7, N, 0, 0, 8) },
	{ "lock mov is #UD", M64, B(0xf0, 0x89, 0x07), ERR(-EINVAL) },
	{ "lock add unsupported", M64, B(0xf0, 0x01, 0x07), ERR(-ENOTSUP) },
	{ "add %eax,(%rdi)", M64, B(0x01, 0x07), ERR(-ENOTSUP) },
	{ "mov %eax,%eax (no memory)", M64, B(0x89, 0xc0), ERR(-EINVAL) },
	{ "mov %eax,%ecx (no memory)", M64, B(0x8b, 0xc8), ERR(-EINVAL) },
	{ "c6 /1 undefined", M64, B(0xc6, 0x08, 0x00), ERR(-EINVAL) },
	{ "c7 register form", M64, B(0xc7, 0xc0, 1, 0, 0, 0), ERR(-EINVAL) },
	{ "syscall", M64, B(0x0f, 0x05), ERR(-ENOTSUP) },
	{ "movzbl %al,%eax", M64, B(0x0f, 0xb6, 0xc0), ERR(-EINVAL) },
	{ "vex vmovdqu", M64, B(0xc5, 0xfe, 0x6f, 0x07), ERR(-ENOTSUP) },
	{ "lone REX", M64, B(0x48), ERR(-EFAULT) },

	/* ---- 32-bit protected mode ---- */
	{ "mov %eax,0x10(%ebx,%ecx,4)", M32, B(0x89, 0x44, 0x8b, 0x10), ST(4, 0), EA(3, 1, 4, 0x10, 4) },
	{ "mov %ecx,0x12345678 (abs)", M32, B(0x89, 0x0d, 0x78, 0x56, 0x34, 0x12), ST(4, 1),
	  EA(N, N, 0, 0x12345678, 4) },
	{ "mov 0x12345678,%edx", M32, B(0x8b, 0x15, 0x78, 0x56, 0x34, 0x12), LD(4, 4, 2),
	  EA(N, N, 0, 0x12345678, 4) },
	{ "mov 0x12345678,%eax (moffs)", M32, B(0xa1, 0x78, 0x56, 0x34, 0x12), LD(4, 4, 0),
	  EA(N, N, 0, 0x12345678, 4) },
	{ "mov %al,0x12345678", M32, B(0xa2, 0x78, 0x56, 0x34, 0x12), ST(1, 0), EA(N, N, 0, 0x12345678, 4) },
	{ "mov 0x1234,%ax", M32, B(0x66, 0xa1, 0x34, 0x12, 0, 0), LD(2, 2, 0), EA(N, N, 0, 0x1234, 4) },
	{ "addr16 mov 0x1234,%eax", M32, B(0x67, 0xa1, 0x34, 0x12), LD(4, 4, 0), EA(N, N, 0, 0x1234, 2) },
	{ "mov 0x0(%ebp),%ebx", M32, B(0x8b, 0x5d, 0x00), LD(4, 4, 3), EA(5, N, 0, 0, 4) },
	{ "mov 0x100(%esp),%esi", M32, B(0x8b, 0xb4, 0x24, 0x00, 0x01, 0, 0), LD(4, 4, 6),
	  EA(4, N, 0, 0x100, 4) },
	{ "mov (%eax,%ebp,1),%edi", M32, B(0x8b, 0x3c, 0x28), LD(4, 4, 7), EA(0, 5, 1, 0, 4) },
	{ "mov 0x0(,%esi,8),%eax", M32, B(0x8b, 0x04, 0xf5, 0, 0, 0, 0), LD(4, 4, 0), EA(N, 6, 8, 0, 4) },
	{ "mov -0x12345678(%ecx,%edx,2),%ebp", M32, B(0x8b, 0xac, 0x51, 0x88, 0xa9, 0xcb, 0xed),
	  LD(4, 4, 5), EA(1, 2, 2, -0x12345678, 4) },
	{ "mov %eax,-0x4(%ebp)", M32, B(0x89, 0x45, 0xfc), ST(4, 0), EA(5, N, 0, -4, 4) },
	{ "mov %dh,(%eax)", M32, B(0x88, 0x30), ST(1, 2), .hi = true, EA(0, N, 0, 0, 4) },
	{ "mov (%edi),%ah", M32, B(0x8a, 0x27), LD(1, 1, 0), .hi = true, EA(7, N, 0, 0, 4) },
	{ "mov %ax,(%ecx)", M32, B(0x66, 0x89, 0x01), ST(2, 0), EA(1, N, 0, 0, 4) },
	{ "movl $0xcafebabe,0x4(%ebx)", M32, B(0xc7, 0x43, 0x04, 0xbe, 0xba, 0xfe, 0xca), STI(4, 0xcafebabe),
	  EA(3, N, 0, 4, 4) },
	{ "movw $0x1234,(%ebx)", M32, B(0x66, 0xc7, 0x03, 0x34, 0x12), STI(2, 0x1234), EA(3, N, 0, 0, 4) },
	{ "movb $0xff,(%ebx)", M32, B(0xc6, 0x03, 0xff), STI(1, 0xff), EA(3, N, 0, 0, 4) },
	{ "movzbl (%esi),%eax", M32, B(0x0f, 0xb6, 0x06), LD(1, 4, 0), .zx = true, EA(6, N, 0, 0, 4) },
	{ "movzwl (%esi),%eax", M32, B(0x0f, 0xb7, 0x06), LD(2, 4, 0), .zx = true, EA(6, N, 0, 0, 4) },
	{ "movsbl (%esi),%eax", M32, B(0x0f, 0xbe, 0x06), LD(1, 4, 0), .sx = true, EA(6, N, 0, 0, 4) },
	{ "movswl (%esi),%eax", M32, B(0x0f, 0xbf, 0x06), LD(2, 4, 0), .sx = true, EA(6, N, 0, 0, 4) },
	{ "movsbw (%esi),%ax", M32, B(0x66, 0x0f, 0xbe, 0x06), LD(1, 2, 0), .sx = true, EA(6, N, 0, 0, 4) },
	{ "rep movsl", M32, B(0xf3, 0xa5), MOVS(4), .rep = true, EA(6, N, 0, 0, 4) },
	{ "movsb", M32, B(0xa4), MOVS(1), EA(6, N, 0, 0, 4) },
	{ "rep stosb", M32, B(0xf3, 0xaa), STOS(1), .rep = true, EA(7, N, 0, 0, 4) },
	{ "stosl", M32, B(0xab), STOS(4), EA(7, N, 0, 0, 4) },
	{ "mov %eax,%fs:0x10", M32, B(0x64, 0xa3, 0x10, 0, 0, 0), ST(4, 0), .seg = DECODE_SEG_FS,
	  EA(N, N, 0, 0x10, 4) },
	{ "mov %gs:(%eax),%ecx", M32, B(0x65, 0x8b, 0x08), LD(4, 4, 1), .seg = DECODE_SEG_GS,
	  EA(0, N, 0, 0, 4) },
	{ "mov (%bx,%si),%ax", M32, B(0x67, 0x66, 0x8b, 0x00), LD(2, 2, 0), EA(3, 6, 1, 0, 2) },
	{ "mov 0x12(%bp,%di),%cl", M32, B(0x67, 0x8a, 0x4b, 0x12), LD(1, 1, 1), EA(5, 7, 1, 0x12, 2) },
	{ "48 is DEC in 32-bit mode", M32, B(0x48, 0x89, 0x07), ERR(-ENOTSUP) },
	{ "63 is ARPL in 32-bit mode", M32, B(0x63, 0x00), ERR(-ENOTSUP) },
	{ "lock mov 32", M32, B(0xf0, 0x89, 0x07), ERR(-EINVAL) },

	/* ---- 16-bit mode ---- */
	{ "mov %ax,(%bx,%si)", M16, B(0x89, 0x00), ST(2, 0), EA(3, 6, 1, 0, 2) },
	{ "mov 0x12(%bp,%di),%cl", M16, B(0x8a, 0x4b, 0x12), LD(1, 1, 1), EA(5, 7, 1, 0x12, 2) },
	{ "mov %ax,0x1234", M16, B(0xa3, 0x34, 0x12), ST(2, 0), EA(N, N, 0, 0x1234, 2) },
	{ "mov 0x1234,%al", M16, B(0xa0, 0x34, 0x12), LD(1, 1, 0), EA(N, N, 0, 0x1234, 2) },
	{ "mov 0x1234,%dx (modrm abs)", M16, B(0x8b, 0x16, 0x34, 0x12), LD(2, 2, 2), EA(N, N, 0, 0x1234, 2) },
	{ "mov -0x6dcc,%ax (neg disp16)", M16, B(0x8b, 0x06, 0x34, 0x92), LD(2, 2, 0), EA(N, N, 0, -0x6dcc, 2) },
	{ "mov -0x2(%bp),%dx", M16, B(0x8b, 0x56, 0xfe), LD(2, 2, 2), EA(5, N, 0, -2, 2) },
	{ "mov 0x1234(%si),%bx", M16, B(0x8b, 0x9c, 0x34, 0x12), LD(2, 2, 3), EA(6, N, 0, 0x1234, 2) },
	{ "mov %eax,(%bx)", M16, B(0x66, 0x89, 0x07), ST(4, 0), EA(3, N, 0, 0, 2) },
	{ "movw $0x55aa,(%di)", M16, B(0xc7, 0x05, 0xaa, 0x55), STI(2, 0x55aa), EA(7, N, 0, 0, 2) },
	{ "mov (%eax,%ebx,2),%cx", M16, B(0x67, 0x8b, 0x0c, 0x58), LD(2, 2, 1), EA(0, 3, 2, 0, 4) },
	{ "rep movsw", M16, B(0xf3, 0xa5), MOVS(2), .rep = true, EA(6, N, 0, 0, 2) },
	{ "rep stosb", M16, B(0xf3, 0xaa), STOS(1), .rep = true, EA(7, N, 0, 0, 2) },
	{ "movzbw (%bx),%ax", M16, B(0x0f, 0xb6, 0x07), LD(1, 2, 0), .zx = true, EA(3, N, 0, 0, 2) },
	{ "mov %ah,(%bx)", M16, B(0x88, 0x27), ST(1, 0), .hi = true, EA(3, N, 0, 0, 2) },
};

static void check_case(const struct tc *t)
{
	struct decoded_insn d;
	uint8_t buf[DECODE_MAX_LEN];
	int ret;

	ret = decode_insn(t->b, t->len, t->mode, &d);
	if (ret != t->ret)
		fail_msg("%s: ret %d, want %d", t->name, ret, t->ret);
	if (ret)
		return;
	if (d.length != t->len)
		fail_msg("%s: length %u, want %u", t->name, d.length, t->len);
#define F(field, want) do { \
		if ((int64_t)(d.field) != (int64_t)(want)) \
			fail_msg("%s: " #field " = %lld, want %lld", t->name, \
				 (long long)(d.field), (long long)(want)); \
	} while (0)
	F(op, t->op);
	F(size, t->size);
	F(dest_size, t->dest);
	F(sign_extend, t->sx);
	F(zero_extend, t->zx);
	F(reg, t->reg);
	F(high_byte, t->hi);
	F(has_imm, t->has_imm);
	F(imm, t->imm);
	F(rep, t->rep);
	F(segment, t->seg);
	F(base_reg, t->base);
	F(index_reg, t->index);
	F(scale, t->scale);
	F(disp, t->disp);
	F(rip_relative, t->rip);
	F(addr_size, t->asz);
#undef F

	/* Any shorter buffer must ask for more bytes, never guess. */
	for (size_t n = 0; n < t->len; n++) {
		ret = decode_insn(t->b, n, t->mode, &d);
		if (ret != -EFAULT)
			fail_msg("%s: avail %zu gave %d", t->name, n, ret);
	}
	/* Trailing bytes must not change the length. */
	memset(buf, 0xcc, sizeof(buf));
	memcpy(buf, t->b, t->len);
	ret = decode_insn(buf, sizeof(buf), t->mode, &d);
	if (ret || d.length != t->len)
		fail_msg("%s: with trailing bytes ret %d len %u", t->name, ret, d.length);
}

static void test_table(void **state)
{
	(void)state;
	assert_true(ARRAY_SIZE(cases) >= 60);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

static void test_prefix_limit(void **state)
{
	uint8_t b[32];
	struct decoded_insn d;

	(void)state;
	/* 13 prefixes + 89 07 = 15 bytes: the longest legal instruction. */
	memset(b, 0x66, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x07;
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_64, &d), 0);
	assert_int_equal(d.length, 15);
	assert_int_equal(d.size, 2);
	/* One more prefix makes it 16 bytes. */
	memset(b, 0x66, sizeof(b));
	b[14] = 0x89;
	b[15] = 0x07;
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_64, &d), -EINVAL);
	/* Nothing but prefixes, with and without REX mixed in. */
	memset(b, 0xf3, sizeof(b));
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_32, &d), -EINVAL);
	assert_int_equal(decode_insn(b, 15, DECODE_MODE_32, &d), -EINVAL);
	assert_int_equal(decode_insn(b, 14, DECODE_MODE_32, &d), -EFAULT);
	memset(b, 0x48, sizeof(b));
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_64, &d), -EINVAL);
	/* 14 prefixes + a one-byte MOVS fits exactly. */
	memset(b, 0x65, sizeof(b));
	b[14] = 0xa4;
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_64, &d), 0);
	assert_int_equal(d.length, 15);
	assert_int_equal(d.segment, DECODE_SEG_GS);
	/* A legal prefix run whose ModRM/disp/imm crosses byte 15. */
	memset(b, 0x2e, sizeof(b));
	b[10] = 0xc7;
	b[11] = 0x00;
	assert_int_equal(decode_insn(b, sizeof(b), DECODE_MODE_64, &d), -EINVAL);
}

static void test_bad_args(void **state)
{
	static const uint8_t mov[] = { 0x89, 0x07 };
	struct decoded_insn d;

	(void)state;
	assert_int_equal(decode_insn(NULL, 2, DECODE_MODE_64, &d), -EINVAL);
	assert_int_equal(decode_insn(mov, 2, DECODE_MODE_64, NULL), -EINVAL);
	assert_int_equal(decode_insn(mov, 2, (enum decode_mode)7, &d), -EINVAL);
	assert_int_equal(decode_insn(mov, 0, DECODE_MODE_64, &d), -EFAULT);
}

static struct decoded_insn must_decode(enum decode_mode mode, const uint8_t *b,
				       size_t n)
{
	struct decoded_insn d;

	assert_int_equal(decode_insn(b, n, mode, &d), 0);
	assert_int_equal(d.length, n);
	return d;
}

#define DEC(mode, ...) must_decode(mode, (const uint8_t[]){ __VA_ARGS__ }, \
				   sizeof((uint8_t[]){ __VA_ARGS__ }))

static void test_effective_address(void **state)
{
	uint64_t r[16] = { 0 };
	struct decoded_insn d;

	(void)state;
	/* mov 0x100(%rip),%eax at 0x1000: relative to 0x1006. */
	d = DEC(DECODE_MODE_64, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00);
	assert_int_equal(decode_effective_address(&d, r, 0x1000), 0x1106);
	/* mov %rax,-0x8(%rip): negative displacement. */
	d = DEC(DECODE_MODE_64, 0x48, 0x89, 0x05, 0xf8, 0xff, 0xff, 0xff);
	assert_int_equal(decode_effective_address(&d, r, 0x2000), 0x1fff);
	/* The immediate counts: movl $imm,0x20(%rip) is 10 bytes long. */
	d = DEC(DECODE_MODE_64, 0xc7, 0x05, 0x20, 0, 0, 0, 0x44, 0x33, 0x22, 0x11);
	assert_int_equal(decode_effective_address(&d, r, 0xffffffff80001000ULL),
			 0xffffffff8000102aULL);
	/* addr32 RIP-relative wraps at 4 GiB. */
	d = DEC(DECODE_MODE_64, 0x67, 0x8b, 0x0d, 0x10, 0, 0, 0);
	assert_int_equal(decode_effective_address(&d, r, 0xfffffffcULL), 0x13);

	/* mov %r9,0x12345678(%r10,%r11,8) */
	d = DEC(DECODE_MODE_64, 0x4f, 0x89, 0x8c, 0xda, 0x78, 0x56, 0x34, 0x12);
	r[10] = 0x100000000ULL;
	r[11] = 3;
	assert_int_equal(decode_effective_address(&d, r, 0), 0x100000000ULL + 24 + 0x12345678);
	/* mov -0x80(%rbp),%edx */
	d = DEC(DECODE_MODE_64, 0x8b, 0x55, 0x80);
	r[5] = 0x1000;
	assert_int_equal(decode_effective_address(&d, r, 0), 0xf80);
	/* mov 0x10(,%r12,8),%ecx: no base. */
	d = DEC(DECODE_MODE_64, 0x42, 0x8b, 0x0c, 0xe5, 0x10, 0, 0, 0);
	r[12] = 2;
	assert_int_equal(decode_effective_address(&d, r, 0x5000), 0x20);
	/* mov (%eax),%ecx: address truncated to 32 bits. */
	d = DEC(DECODE_MODE_64, 0x67, 0x8b, 0x08);
	r[0] = 0xffffffff00001234ULL;
	assert_int_equal(decode_effective_address(&d, r, 0), 0x1234);
	/* 64-bit moffs */
	d = DEC(DECODE_MODE_64, 0x48, 0xa1, MOFFS64);
	assert_int_equal(decode_effective_address(&d, r, 0), 0x1122334455667788ULL);

	/* 32-bit: absolute disp32, not RIP-relative. */
	d = DEC(DECODE_MODE_32, 0x89, 0x0d, 0x78, 0x56, 0x34, 0x12);
	assert_int_equal(decode_effective_address(&d, r, 0x1000), 0x12345678);
	/* -0x12345678(%ecx,%edx,2) wraps modulo 2^32. */
	d = DEC(DECODE_MODE_32, 0x8b, 0xac, 0x51, 0x88, 0xa9, 0xcb, 0xed);
	r[1] = 0x10;
	r[2] = 0x8;
	assert_int_equal(decode_effective_address(&d, r, 0), (uint32_t)(0x20 - 0x12345678));

	/* 16-bit: (%bx,%si) wraps at 64 KiB, and 0x12(%bp,%di). */
	d = DEC(DECODE_MODE_16, 0x89, 0x00);
	r[3] = 0xffff;
	r[6] = 2;
	assert_int_equal(decode_effective_address(&d, r, 0), 1);
	d = DEC(DECODE_MODE_16, 0x8a, 0x4b, 0x12);
	r[5] = 0x100;
	r[7] = 0x20;
	assert_int_equal(decode_effective_address(&d, r, 0), 0x132);
	/* STOS and MOVS point at rDI and rSI. */
	d = DEC(DECODE_MODE_64, 0xf3, 0x48, 0xab);
	r[7] = 0xfee00000;
	assert_int_equal(decode_effective_address(&d, r, 0), 0xfee00000);
	d = DEC(DECODE_MODE_64, 0xa4);
	r[6] = 0xfed00010;
	assert_int_equal(decode_effective_address(&d, r, 0), 0xfed00010);
}

static void test_store_value(void **state)
{
	uint64_t r[16];
	struct decoded_insn d;

	(void)state;
	for (int i = 0; i < 16; i++)
		r[i] = 0x1111111111111111ULL * (uint64_t)i + 0x0102030405060708ULL;
	/* mov %ah,(%rsi) stores bits 15:8 of RAX */
	d = DEC(DECODE_MODE_64, 0x88, 0x26);
	assert_int_equal(decode_store_value(&d, r), 0x07);
	/* mov %spl,(%rsi) with REX: low byte of RSP */
	d = DEC(DECODE_MODE_64, 0x40, 0x88, 0x26);
	assert_int_equal(decode_store_value(&d, r), (r[4] & 0xff));
	/* mov %bh,0x7f(%rdx) */
	d = DEC(DECODE_MODE_64, 0x88, 0x7a, 0x7f);
	assert_int_equal(decode_store_value(&d, r), (r[3] >> 8) & 0xff);
	/* mov %ax,(%rbx) */
	d = DEC(DECODE_MODE_64, 0x66, 0x89, 0x03);
	assert_int_equal(decode_store_value(&d, r), 0x0708);
	/* mov %eax,... and mov %r9,... */
	d = DEC(DECODE_MODE_64, 0x89, 0x44, 0x8b, 0x10);
	assert_int_equal(decode_store_value(&d, r), 0x05060708);
	d = DEC(DECODE_MODE_64, 0x4f, 0x89, 0x8c, 0xda, 0x78, 0x56, 0x34, 0x12);
	assert_int_equal(decode_store_value(&d, r), r[9]);
	/* Immediates, including sign extension under REX.W. */
	d = DEC(DECODE_MODE_64, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80);
	assert_int_equal(decode_store_value(&d, r), 0xffffffff80000000ULL);
	d = DEC(DECODE_MODE_64, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80);
	assert_int_equal(decode_store_value(&d, r), 0x80000000ULL);
	d = DEC(DECODE_MODE_64, 0xc6, 0x02, 0x5a);
	assert_int_equal(decode_store_value(&d, r), 0x5a);
	/* STOS stores the accumulator at its width; MOVS has no value. */
	d = DEC(DECODE_MODE_64, 0x66, 0xab);
	assert_int_equal(decode_store_value(&d, r), 0x0708);
	d = DEC(DECODE_MODE_64, 0x48, 0xab);
	assert_int_equal(decode_store_value(&d, r), r[0]);
	d = DEC(DECODE_MODE_64, 0xa5);
	assert_int_equal(decode_store_value(&d, r), 0);
	/* A load has nothing to store. */
	d = DEC(DECODE_MODE_64, 0x8b, 0x07);
	assert_int_equal(decode_store_value(&d, r), 0);
}

static uint64_t load(struct decoded_insn d, uint64_t before, uint64_t value)
{
	uint64_t r[16];

	for (int i = 0; i < 16; i++)
		r[i] = 0xa5a5a5a5a5a5a5a5ULL;
	r[d.reg] = before;
	decode_complete_load(&d, r, value);
	/* Only the destination may change. */
	for (int i = 0; i < 16; i++)
		if (i != d.reg)
			assert_int_equal(r[i], 0xa5a5a5a5a5a5a5a5ULL);
	return r[d.reg];
}

static void test_complete_load(void **state)
{
	const uint64_t k = 0x1122334455667788ULL;

	(void)state;
	/* 8-bit: only the byte changes; excess value bits are dropped. */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x8a, 0x0b), k, 0xabcd), 0x11223344556677cdULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x8a, 0x2b), k, 0xabcd), 0x112233445566cd88ULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x40, 0x8a, 0x3b), k, 0xff), 0x11223344556677ffULL);
	assert_int_equal(load(DEC(DECODE_MODE_32, 0x8a, 0x27), k, 0x5a), 0x1122334455665a88ULL);
	/* 16-bit keeps 63:16. */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x66, 0x8b, 0x07), k, 0xdeadbeef), 0x112233445566beefULL);
	/* 32-bit zeroes 63:32. */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x8b, 0x55, 0x80), k, 0xfffffffff0000001ULL), 0xf0000001ULL);
	/* 64-bit replaces. */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x4d, 0x8b, 0x2c, 0x24), k, 0x8000000000000001ULL),
			 0x8000000000000001ULL);
	/* MOVZX */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x0f, 0xb6, 0x08), k, 0x1ff), 0xff);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x0f, 0xb7, 0x08), k, 0x18000), 0x8000);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x66, 0x0f, 0xb6, 0x08), k, 0x80), 0x1122334455660080ULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x4c, 0x0f, 0xb6, 0x00), k, 0xfe), 0xfe);
	/* MOVSX */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x0f, 0xbe, 0x08), k, 0x80), 0xffffff80ULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x0f, 0xbe, 0x08), k, 0x7f), 0x7f);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x48, 0x0f, 0xbf, 0x10), k, 0x8001), 0xffffffffffff8001ULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x66, 0x0f, 0xbe, 0x00), k, 0x90), 0x112233445566ff90ULL);
	assert_int_equal(load(DEC(DECODE_MODE_32, 0x0f, 0xbf, 0x06), k, 0xffff), 0xffffffffULL);
	/* MOVSXD */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x48, 0x63, 0x00), k, 0x80000000ULL), 0xffffffff80000000ULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x48, 0x63, 0x00), k, 0x7fffffffULL), 0x7fffffffULL);
	assert_int_equal(load(DEC(DECODE_MODE_64, 0x63, 0x00), k, 0x80000000ULL), 0x80000000ULL);
	/* moffs into AL */
	assert_int_equal(load(DEC(DECODE_MODE_64, 0xa0, MOFFS64), k, 0x42), 0x1122334455667742ULL);
}

static void test_complete_non_load(void **state)
{
	uint64_t r[16];
	struct decoded_insn d;

	(void)state;
	for (int i = 0; i < 16; i++)
		r[i] = (uint64_t)i;
	d = DEC(DECODE_MODE_64, 0x89, 0x07);
	decode_complete_load(&d, r, 0xdead);
	d = DEC(DECODE_MODE_64, 0xf3, 0xab);
	decode_complete_load(&d, r, 0xdead);
	d = DEC(DECODE_MODE_64, 0xa4);
	decode_complete_load(&d, r, 0xdead);
	/* A corrupted register number must be ignored, not followed. */
	d = DEC(DECODE_MODE_64, 0x8b, 0x07);
	d.reg = 16;
	decode_complete_load(&d, r, 0xdead);
	d.reg = -1;
	decode_complete_load(&d, r, 0xdead);
	for (int i = 0; i < 16; i++)
		assert_int_equal(r[i], (uint64_t)i);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Bytes that reach the interesting paths more often than uniform noise. */
static const uint8_t hot[] = {
	0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3,
	0x40, 0x41, 0x44, 0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a, 0x8b, 0xc6,
	0xc7, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xaa, 0xab, 0x0f, 0xb6,
	0xb7, 0xbe, 0xbf, 0x63, 0x04, 0x05, 0x24, 0x25, 0x44, 0x84, 0xc0,
};

static void fuzz_one(const uint8_t *src, size_t avail, enum decode_mode mode)
{
	/* Exact-size heap copy so ASan catches any read past avail. */
	uint8_t *b = malloc(avail ? avail : 1);
	struct decoded_insn d, d2;
	uint64_t r[16];
	int ret;

	assert_non_null(b);
	memcpy(b, src, avail);
	ret = decode_insn(b, avail, mode, &d);
	if (ret) {
		assert_true(ret == -EINVAL || ret == -EFAULT || ret == -ENOTSUP);
		free(b);
		return;
	}
	assert_true(d.length >= 1 && d.length <= DECODE_MAX_LEN && d.length <= avail);
	assert_true(d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8);
	assert_true(d.dest_size >= d.size);
	assert_true(d.reg >= -1 && d.reg < 16);
	assert_true(d.base_reg >= -1 && d.base_reg < 16);
	assert_true(d.index_reg >= -1 && d.index_reg < 16);
	assert_true(d.addr_size == 2 || d.addr_size == 4 || d.addr_size == 8);
	assert_true(d.index_reg < 0 ? d.scale == 0 :
		    (d.scale == 1 || d.scale == 2 || d.scale == 4 || d.scale == 8));
	assert_true(!d.high_byte || (d.reg >= 0 && d.reg < 4 && d.size == 1));
	assert_true(d.segment <= DECODE_SEG_GS);
	/* Same answer from exactly length bytes; shorter asks for more. */
	assert_int_equal(decode_insn(b, d.length, mode, &d2), 0);
	assert_int_equal(d2.length, d.length);
	assert_int_equal(decode_insn(b, d.length - 1, mode, &d2), -EFAULT);
	for (int i = 0; i < 16; i++)
		r[i] = rng();
	(void)decode_effective_address(&d, r, rng());
	(void)decode_store_value(&d, r);
	decode_complete_load(&d, r, rng());
	free(b);
}

static void test_fuzz(void **state)
{
	uint8_t src[20];
	int ok = 0;

	(void)state;
	for (int it = 0; it < 100000; it++) {
		bool biased = it & 1;
		size_t avail = rng() % (sizeof(src) + 1);

		for (size_t i = 0; i < sizeof(src); i++) {
			uint64_t x = rng();

			src[i] = biased && (x & 0x300) ? hot[(x >> 16) % sizeof(hot)] : (uint8_t)x;
		}
		for (int m = DECODE_MODE_16; m <= DECODE_MODE_64; m++) {
			struct decoded_insn d;

			if (decode_insn(src, avail, (enum decode_mode)m, &d) == 0)
				ok++;
			fuzz_one(src, avail, (enum decode_mode)m);
		}
	}
	/* The biased half must actually exercise the success paths. */
	assert_true(ok > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_prefix_limit),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_effective_address),
		cmocka_unit_test(test_store_value),
		cmocka_unit_test(test_complete_load),
		cmocka_unit_test(test_complete_non_load),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
