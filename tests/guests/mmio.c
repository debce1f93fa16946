/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO exits against the test device at 0xfeb00000 with many instruction
 * forms, each written in asm so the encoding is fixed. Every value read back
 * is checked with x86 register rules (8/16-bit writes keep the other bits,
 * 32-bit writes clear bits 63:32). Each block runs under TRY so a wrongly
 * injected exception fails one check instead of the whole guest.
 *
 * Device offsets used (each offset/size pair is written once, then read):
 *   0x010-0x04f  plain MOV      0x050-0x067  MOVZX/MOVSX/MOVSXD
 *   0x070-0x07f  absolute forms 0x090-0x0af  SIB / index / negative disp
 *   0x0b0-0x0bf  RIP-relative and absolute SIB via an alias mapping
 *   0x0c0-0x0e7  MOVS/STOS      0x0e8-0x0ef  high-byte registers
 *   0x0f0-0x12f  REX registers  0x200 counter test, 0x800 never written
 *   0xf00-0xf0f  REP STOS       0xff8 access counter (read-only)
 */
#include "guest.h"

#define MMIO GUEST_TESTDEV_MMIO
#define PATTERN 0x1122334455667788ULL
#define ONES 0xffffffffffffffffULL

/* A 2 MiB virtual window below 2 GiB that maps the device's 2 MiB frame. */
#define ALIAS_WINDOW 0x60000000UL
#define SIZE_2M 0x200000ULL
/*
 * mmio_alias (= ALIAS_WINDOW + device offset in its 2 MiB frame) comes from
 * guest.ld: an assembler-absolute symbol would turn sym(%rip) into a plain
 * displacement instead of a PC-relative relocation.
 */

static void result(const char *name, uint64_t got, uint64_t want)
{
	int v = trap_vector();

	if (v != NO_TRAP)
		fail(name, "vector %d error 0x%lx at rip 0x%lx", v, trap_last.error_code,
		     trap_last.rip);
	else
		check(got == want, name, "got 0x%lx want 0x%lx", got, want);
}

/* One store instruction with RAX = val, RBX = device base. */
#define STORE(insn, val)                                                          \
	do {                                                                      \
		trap_reset();                                                     \
		asm volatile(TRY_BEGIN insn TRY_END : : "a"((uint64_t)(val)),     \
			     "b"(MMIO) : "r11", "memory");                        \
	} while (0)

/* After a store: false (and FAIL name) if it raised an exception. */
static bool stored(const char *name)
{
	int v = trap_vector();

	if (v == NO_TRAP)
		return true;
	fail(name, "store raised vector %d error 0x%lx at rip 0x%lx", v,
	     trap_last.error_code, trap_last.rip);
	return false;
}

/* One load instruction into RAX (preset to init), RBX = device base. */
#define LOAD_CHECK(name, insn, init, want)                                        \
	do {                                                                      \
		uint64_t rax_ = (init);                                           \
		trap_reset();                                                     \
		asm volatile(TRY_BEGIN insn TRY_END : "+a"(rax_) : "b"(MMIO)      \
			     : "r11", "memory");                                  \
		result(name, rax_, want);                                         \
	} while (0)

static void test_mov(void)
{
	STORE("movb %%al, 0x10(%%rbx)", 0xa5);
	if (stored("mmio-mov8"))
		LOAD_CHECK("mmio-mov8", "movb 0x10(%%rbx), %%al", PATTERN,
			   (PATTERN & ~0xffULL) | 0xa5);

	STORE("movw %%ax, 0x18(%%rbx)", 0xbeef);
	if (stored("mmio-mov16"))
		LOAD_CHECK("mmio-mov16", "movw 0x18(%%rbx), %%ax", PATTERN,
			   (PATTERN & ~0xffffULL) | 0xbeef);

	STORE("movl %%eax, 0x20(%%rbx)", 0xdeadbeef);
	if (stored("mmio-mov32"))
		LOAD_CHECK("mmio-mov32", "movl 0x20(%%rbx), %%eax", ONES, 0xdeadbeefULL);

	STORE("movq %%rax, 0x28(%%rbx)", 0x0123456789abcdefULL);
	if (stored("mmio-mov64"))
		LOAD_CHECK("mmio-mov64", "movq 0x28(%%rbx), %%rax", 0, 0x0123456789abcdefULL);

	/* Loads into other registers: RCX and RDX instead of RAX. */
	uint64_t rcx = PATTERN, rdx = ONES;

	trap_reset();
	asm volatile(TRY_BEGIN "movb 0x10(%%rbx), %%cl\n\tmovl 0x20(%%rbx), %%edx" TRY_END
		     : "+c"(rcx), "+d"(rdx) : "b"(MMIO) : "r11", "memory");
	result("mmio-load-rcx-rdx", rcx ^ rdx, ((PATTERN & ~0xffULL) | 0xa5) ^ 0xdeadbeefULL);
}

static void test_imm(void)
{
	STORE("movb $0x5a, 0x30(%%rbx)", 0);
	if (stored("mmio-imm8"))
		LOAD_CHECK("mmio-imm8", "movb 0x30(%%rbx), %%al", 0, 0x5a);
	STORE("movw $0x1234, 0x38(%%rbx)", 0);
	if (stored("mmio-imm16"))
		LOAD_CHECK("mmio-imm16", "movw 0x38(%%rbx), %%ax", 0, 0x1234);
	STORE("movl $0x89abcdef, 0x40(%%rbx)", 0);
	if (stored("mmio-imm32"))
		LOAD_CHECK("mmio-imm32", "movl 0x40(%%rbx), %%eax", 0, 0x89abcdefULL);
	/* imm32 sign-extended to 64 bits. */
	STORE("movq $-2, 0x48(%%rbx)", 0);
	if (stored("mmio-imm64-sext"))
		LOAD_CHECK("mmio-imm64-sext", "movq 0x48(%%rbx), %%rax", 0,
			   0xfffffffffffffffeULL);
}

static void test_extend(void)
{
	STORE("movb $0x80, 0x50(%%rbx)", 0);
	if (!stored("mmio-extend-setup"))
		return;
	STORE("movw $0x8001, 0x58(%%rbx)", 0);
	if (!stored("mmio-extend-setup"))
		return;
	STORE("movl $0x80000000, 0x60(%%rbx)", 0);
	if (!stored("mmio-extend-setup"))
		return;
	LOAD_CHECK("mmio-movzbl", "movzbl 0x50(%%rbx), %%eax", ONES, 0x80);
	LOAD_CHECK("mmio-movzbw", "movzbw 0x50(%%rbx), %%ax", ONES, 0xffffffffffff0080ULL);
	LOAD_CHECK("mmio-movzbq", "movzbq 0x50(%%rbx), %%rax", ONES, 0x80);
	LOAD_CHECK("mmio-movsbl", "movsbl 0x50(%%rbx), %%eax", 0, 0xffffff80ULL);
	LOAD_CHECK("mmio-movsbw", "movsbw 0x50(%%rbx), %%ax", PATTERN,
		   (PATTERN & ~0xffffULL) | 0xff80);
	LOAD_CHECK("mmio-movsbq", "movsbq 0x50(%%rbx), %%rax", 0, 0xffffffffffffff80ULL);
	LOAD_CHECK("mmio-movzwl", "movzwl 0x58(%%rbx), %%eax", ONES, 0x8001);
	LOAD_CHECK("mmio-movzwq", "movzwq 0x58(%%rbx), %%rax", ONES, 0x8001);
	LOAD_CHECK("mmio-movswl", "movswl 0x58(%%rbx), %%eax", ONES, 0xffff8001ULL);
	LOAD_CHECK("mmio-movswq", "movswq 0x58(%%rbx), %%rax", 0, 0xffffffffffff8001ULL);
	LOAD_CHECK("mmio-movslq", "movslq 0x60(%%rbx), %%rax", 0, 0xffffffff80000000ULL);
}

static void test_absolute(void)
{
	/*
	 * 32-bit address size, so the 32-bit address is zero-extended, not
	 * sign-extended: 67 A3/A1 (moffs32) with EAX, 67 89/8B 0C 25 (SIB,
	 * no base, no index) with ECX.
	 */
	STORE("addr32 movl %%eax, 0xfeb00070", 0x70707070);
	if (stored("mmio-addr32-moffs-store")) {
		LOAD_CHECK("mmio-addr32-moffs-store", "movl 0x70(%%rbx), %%eax", 0, 0x70707070);
		LOAD_CHECK("mmio-addr32-moffs-load", "addr32 movl 0xfeb00070, %%eax", ONES,
			   0x70707070);
	}
	uint64_t rcx = ONES;

	trap_reset();
	asm volatile(TRY_BEGIN "addr32 movl %%ecx, 0xfeb00074" TRY_END
		     : : "c"(0x74747474ULL) : "r11", "memory");
	if (stored("mmio-addr32-sib-store")) {
		LOAD_CHECK("mmio-addr32-sib-store", "movl 0x74(%%rbx), %%eax", 0, 0x74747474);
		trap_reset();
		asm volatile(TRY_BEGIN "addr32 movl 0xfeb00074, %%ecx" TRY_END
			     : "+c"(rcx) : : "r11", "memory");
		result("mmio-addr32-sib-load", rcx, 0x74747474);
	}

	/* A3 / A1 / A2 / A0: MOV with a 64-bit moffs. */
	STORE("movabsl %%eax, 0xfeb00078", 0x78787878);
	if (stored("mmio-moffs32-store")) {
		LOAD_CHECK("mmio-moffs32-store", "movl 0x78(%%rbx), %%eax", 0, 0x78787878);
		LOAD_CHECK("mmio-moffs32-load", "movabsl 0xfeb00078, %%eax", ONES, 0x78787878);
	}
	STORE("movabsb %%al, 0xfeb0007c", 0x7c);
	if (stored("mmio-moffs8-store")) {
		LOAD_CHECK("mmio-moffs8-store", "movb 0x7c(%%rbx), %%al", 0, 0x7c);
		LOAD_CHECK("mmio-moffs8-load", "movabsb 0xfeb0007c, %%al", PATTERN,
			   (PATTERN & ~0xffULL) | 0x7c);
	}
}

static void test_sib(void)
{
	uint64_t got = 0;

	/* base + index * 8 + disp8: 0x10 * 8 + 0x10 = 0x90 */
	trap_reset();
	asm volatile(TRY_BEGIN "movl %%eax, 0x10(%%rbx,%%rcx,8)\n\t"
		     "movl 0x10(%%rbx,%%rcx,8), %%edx" TRY_END
		     : "+d"(got) : "a"(0x90909090), "b"(MMIO), "c"(0x10ULL) : "r11", "memory");
	result("mmio-base-index-scale", got, 0x90909090);
	if (trap_vector() == NO_TRAP)
		LOAD_CHECK("mmio-base-index-scale-where", "movl 0x90(%%rbx), %%eax", 0, 0x90909090);

	/* base + negative disp32 */
	trap_reset();
	asm volatile(TRY_BEGIN "movl %%eax, -0xf60(%%rdx)" TRY_END
		     : : "a"(0xa0a0a0a0), "d"(MMIO + 0x1000) : "r11", "memory");
	if (stored("mmio-neg-disp32"))
		LOAD_CHECK("mmio-neg-disp32", "movl 0xa0(%%rbx), %%eax", 0, 0xa0a0a0a0);

	/* index * 4 + disp32 without a base register */
	trap_reset();
	asm volatile(TRY_BEGIN "movl %%eax, 0x0(,%%rcx,4)" TRY_END
		     : : "a"(0xa8a8a8a8), "c"((MMIO + 0xa8) / 4) : "r11", "memory");
	if (stored("mmio-index-only"))
		LOAD_CHECK("mmio-index-only", "movl 0xa8(%%rbx), %%eax", 0, 0xa8a8a8a8);
}

/*
 * The device is out of reach of a RIP-relative disp32 from 0x100000, so map
 * it a second time at a virtual address below 2 GiB: this also checks that
 * Plinth uses the guest-physical address, not the linear one.
 */
static void test_alias(void)
{
	uint64_t *pde = pt_entry(ALIAS_WINDOW, 2);

	if (!pde || !(*pde & PTE_P) || !(*pde & PTE_PS)) {
		fail("mmio-riprel", "no 2 MiB page-directory entry for 0x%lx", ALIAS_WINDOW);
		return;
	}
	uint64_t old = *pde;

	*pde = (MMIO & ~(SIZE_2M - 1)) | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	invlpg(ALIAS_WINDOW);

	STORE("movl %%eax, mmio_alias+0xb0(%%rip)", 0xb0b0b0b0);
	if (stored("mmio-riprel-store")) {
		LOAD_CHECK("mmio-riprel-store", "movl 0xb0(%%rbx), %%eax", 0, 0xb0b0b0b0);
		LOAD_CHECK("mmio-riprel-load", "movl mmio_alias+0xb0(%%rip), %%eax", ONES,
			   0xb0b0b0b0);
	}

	/* The disp32 is relative to the end of the instruction, after the imm32. */
	STORE("movl $0xb4b4b4b4, mmio_alias+0xb4(%%rip)", 0);
	if (stored("mmio-riprel-imm"))
		LOAD_CHECK("mmio-riprel-imm", "movl 0xb4(%%rbx), %%eax", 0, 0xb4b4b4b4);

	/* 89 04 25 disp32: absolute address through a SIB byte. */
	STORE("movl %%eax, mmio_alias+0xb8", 0xb8b8b8b8);
	if (stored("mmio-abs32-sib-store")) {
		LOAD_CHECK("mmio-abs32-sib-store", "movl 0xb8(%%rbx), %%eax", 0, 0xb8b8b8b8);
		LOAD_CHECK("mmio-abs32-sib-load", "movl mmio_alias+0xb8, %%eax", ONES,
			   0xb8b8b8b8);
	}

	*pde = old;
	invlpg(ALIAS_WINDOW);
}

/* After a MOVS/STOS: FAIL unless it completed and moved RSI/RDI as expected. */
static bool advanced(const char *name, uint64_t rsi, uint64_t want_rsi, uint64_t rdi,
		     uint64_t want_rdi)
{
	if (!stored(name))
		return false;
	if (rsi == want_rsi && rdi == want_rdi)
		return true;
	fail(name, "rsi 0x%lx rdi 0x%lx, want 0x%lx 0x%lx", rsi, rdi, want_rsi, want_rdi);
	return false;
}

#define STRING_OP(insn, rsi, rdi, rax)                                            \
	do {                                                                      \
		trap_reset();                                                     \
		asm volatile(TRY_BEGIN insn TRY_END                               \
			     : "+S"(rsi), "+D"(rdi) : "a"(rax) : "r11", "memory"); \
	} while (0)

static void test_string(void)
{
	static volatile uint64_t ram_src = 0x1234567887654321ULL;
	static volatile uint64_t ram_dst;
	const uint64_t src = (uintptr_t)&ram_src, dst = (uintptr_t)&ram_dst;
	uint64_t rsi, rdi;

	rsi = src;
	rdi = MMIO + 0xc0;
	STRING_OP("movsl", rsi, rdi, 0ULL);
	if (advanced("mmio-movsl-store", rsi, src + 4, rdi, MMIO + 0xc4))
		LOAD_CHECK("mmio-movsl-store", "movl 0xc0(%%rbx), %%eax", 0, 0x87654321);

	rsi = MMIO + 0xc0;
	rdi = dst;
	ram_dst = ONES;
	STRING_OP("movsl", rsi, rdi, 0ULL);
	if (advanced("mmio-movsl-load", rsi, MMIO + 0xc4, rdi, dst + 4))
		check(ram_dst == 0xffffffff87654321ULL, "mmio-movsl-load",
		      "RAM holds 0x%lx", ram_dst);

	rsi = src;
	rdi = MMIO + 0xc8;
	STRING_OP("movsq", rsi, rdi, 0ULL);
	if (advanced("mmio-movsq-store", rsi, src + 8, rdi, MMIO + 0xd0))
		LOAD_CHECK("mmio-movsq-store", "movq 0xc8(%%rbx), %%rax", 0,
			   0x1234567887654321ULL);

	rsi = MMIO + 0xc8;
	rdi = dst;
	ram_dst = 0;
	STRING_OP("movsq", rsi, rdi, 0ULL);
	if (advanced("mmio-movsq-load", rsi, MMIO + 0xd0, rdi, dst + 8))
		check(ram_dst == 0x1234567887654321ULL, "mmio-movsq-load",
		      "RAM holds 0x%lx", ram_dst);

	rsi = 0;
	rdi = MMIO + 0xd0;
	STRING_OP("stosb", rsi, rdi, 0xd0ULL);
	if (advanced("mmio-stosb", rsi, 0, rdi, MMIO + 0xd1))
		LOAD_CHECK("mmio-stosb", "movb 0xd0(%%rbx), %%al", 0, 0xd0);

	rdi = MMIO + 0xd8;
	STRING_OP("stosl", rsi, rdi, 0xcafebabeULL);
	if (advanced("mmio-stosl", rsi, 0, rdi, MMIO + 0xdc))
		LOAD_CHECK("mmio-stosl", "movl 0xd8(%%rbx), %%eax", 0, 0xcafebabe);

	rdi = MMIO + 0xe0;
	STRING_OP("stosq", rsi, rdi, 0x0badc0de0badc0deULL);
	if (advanced("mmio-stosq", rsi, 0, rdi, MMIO + 0xe8))
		LOAD_CHECK("mmio-stosq", "movq 0xe0(%%rbx), %%rax", 0, 0x0badc0de0badc0deULL);

	/* REP STOSL over four dwords. */
	uint64_t rcx = 4;

	rdi = MMIO + 0xf00;
	trap_reset();
	asm volatile(TRY_BEGIN "rep stosl" TRY_END
		     : "+D"(rdi), "+c"(rcx) : "a"(0xf0f0f0f0ULL) : "r11", "memory");
	if (!advanced("mmio-rep-stosl", rcx, 0, rdi, MMIO + 0xf10))
		return;
	uint64_t a = 0, b = 0;

	trap_reset();
	asm volatile(TRY_BEGIN "movl 0xf00(%%rbx), %%eax\n\tmovl 0xf0c(%%rbx), %%edx" TRY_END
		     : "+a"(a), "+d"(b) : "b"(MMIO) : "r11", "memory");
	result("mmio-rep-stosl", a << 32 | b, 0xf0f0f0f0f0f0f0f0ULL);
}

static void test_high_byte(void)
{
	STORE("movb %%ah, 0xe8(%%rbx)", PATTERN);
	if (stored("mmio-ah-store"))
		LOAD_CHECK("mmio-ah-store", "movb 0xe8(%%rbx), %%al", 0, 0x77);

	STORE("movb $0x5a, 0xe9(%%rbx)", 0);
	if (stored("mmio-ah-load"))
		LOAD_CHECK("mmio-ah-load", "movb 0xe9(%%rbx), %%ah", PATTERN,
			   (PATTERN & ~0xff00ULL) | 0x5a00);

	trap_reset();
	asm volatile(TRY_BEGIN "movb %%dh, 0xea(%%rbx)" TRY_END
		     : : "d"(0xc3ULL << 8), "b"(MMIO) : "r11", "memory");
	if (stored("mmio-dh-store"))
		LOAD_CHECK("mmio-dh-store", "movb 0xea(%%rbx), %%al", 0, 0xc3);
}

static void test_rex(void)
{
	uint64_t out = 0;

	trap_reset();
	asm volatile(TRY_BEGIN "movq %[v], %%r9\n\tmovq %%r9, 0xf0(%%rbx)\n\t"
		     "movq 0xf0(%%rbx), %%r10\n\tmovq %%r10, %[out]" TRY_END
		     : [out] "+r"(out) : [v] "r"(0xfedcba9876543210ULL), "b"(MMIO)
		     : "r9", "r10", "r11", "memory");
	result("mmio-rex-r9-r10", out, 0xfedcba9876543210ULL);

	/* Reads are checked at the size written: 4 bytes at 0xf8. */
	STORE("movl $0x76543210, 0xf8(%%rbx)", 0);
	if (stored("mmio-rex-r10d-zext")) {
		trap_reset();
		asm volatile(TRY_BEGIN "movq $-1, %%r10\n\tmovl 0xf8(%%rbx), %%r10d\n\t"
			     "movq %%r10, %[out]" TRY_END
			     : [out] "+r"(out) : "b"(MMIO) : "r10", "r11", "memory");
		result("mmio-rex-r10d-zext", out, 0x76543210ULL);
	}

	/* R12 as base needs a SIB byte; R13 as base needs a disp8 of 0. */
	trap_reset();
	asm volatile(TRY_BEGIN "movq %[p], %%r12\n\tmovl %%eax, 0x100(%%r12)" TRY_END
		     : : [p] "r"(MMIO), "a"(0x12121212ULL) : "r11", "r12", "memory");
	if (stored("mmio-rex-base-r12"))
		LOAD_CHECK("mmio-rex-base-r12", "movl 0x100(%%rbx), %%eax", 0, 0x12121212);

	trap_reset();
	asm volatile(TRY_BEGIN "movq %[p], %%r13\n\tmovl %%eax, (%%r13)" TRY_END
		     : : [p] "r"(MMIO + 0x108), "a"(0x13131313ULL) : "r11", "r13", "memory");
	if (stored("mmio-rex-base-r13"))
		LOAD_CHECK("mmio-rex-base-r13", "movl 0x108(%%rbx), %%eax", 0, 0x13131313);

	trap_reset();
	asm volatile(TRY_BEGIN "movq $4, %%r14\n\tmovl %%eax, 0x108(%%rbx,%%r14,2)" TRY_END
		     : : "b"(MMIO), "a"(0x14141414ULL) : "r11", "r14", "memory");
	if (stored("mmio-rex-index-r14"))
		LOAD_CHECK("mmio-rex-index-r14", "movl 0x110(%%rbx), %%eax", 0, 0x14141414);

	trap_reset();
	asm volatile(TRY_BEGIN "movq $0x88, %%r8\n\tmovb %%r8b, 0x118(%%rbx)\n\t"
		     "movq %[pat], %%r15\n\tmovb 0x118(%%rbx), %%r15b\n\t"
		     "movq %%r15, %[out]" TRY_END
		     : [out] "+r"(out) : [pat] "r"(PATTERN), "b"(MMIO)
		     : "r8", "r11", "r15", "memory");
	result("mmio-rex-r8b-r15b", out, (PATTERN & ~0xffULL) | 0x88);

	/* SIL needs an empty REX prefix; without it the same ModRM means DH. */
	trap_reset();
	asm volatile(TRY_BEGIN "movb %%sil, 0x120(%%rbx)" TRY_END
		     : : "S"(0xc7ULL), "d"(0x3300ULL), "b"(MMIO) : "r11", "memory");
	if (stored("mmio-rex-sil"))
		LOAD_CHECK("mmio-rex-sil", "movb 0x120(%%rbx), %%al", 0, 0xc7);
}

static void test_counter(void)
{
	uint64_t c0 = 0, c1 = 0;

	LOAD_CHECK("mmio-initial-zero", "movl 0x800(%%rbx), %%eax", ONES, 0);

	trap_reset();
	asm volatile(TRY_BEGIN "movq 0xff8(%%rbx), %%rax" TRY_END
		     : "+a"(c0) : "b"(MMIO) : "r11", "memory");
	if (!stored("mmio-counter"))
		return;
	for (int i = 0; i < 10; i++) {
		STORE("movl %%eax, 0x200(%%rbx)", i);
		if (!stored("mmio-counter"))
			return;
	}
	trap_reset();
	asm volatile(TRY_BEGIN "movq 0xff8(%%rbx), %%rax" TRY_END
		     : "+a"(c1) : "b"(MMIO) : "r11", "memory");
	if (!stored("mmio-counter"))
		return;
	gprintf("INFO mmio counter %lu -> %lu\n", c0, c1);
	/* 10 writes, plus one counter read depending on when a read is counted. */
	check(c1 - c0 == 10 || c1 - c0 == 11, "mmio-counter",
	      "counter went from %lu to %lu over 10 writes", c0, c1);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	test_mov();
	test_imm();
	test_extend();
	test_absolute();
	test_sib();
	test_alias();
	test_string();
	test_high_byte();
	test_rex();
	test_counter();
}
