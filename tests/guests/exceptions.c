/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native exceptions must reach the guest's own IDT with the right vector,
 * error code, RIP (and CR2): Plinth must neither swallow nor alter them.
 * Label 8 in each asm block marks the RIP the CPU must report.
 */
#include "guest.h"

#define VEC_DE 0
#define VEC_BP 3
#define VEC_UD 6
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14

#define PF_ERR_WRITE 0x2
/* PML4 slot 200 (0x640000000000): canonical, far above the 4 GiB boot map. */
#define HOLE_SLOT 200ULL
#define HOLE_VA (HOLE_SLOT << 39)
/* A 2 MiB page of the boot map we unmap ourselves (3 GiB: no RAM, no device). */
#define UNMAP_VA 0xc0000000UL

static void expect(const char *name, int vector, uint64_t error, uint64_t rip, uint64_t cr2,
		   bool check_cr2)
{
	int v = trap_vector();

	if (v == NO_TRAP) {
		fail(name, "no exception, want vector %d", vector);
		return;
	}
	if (v != vector || trap_last.error_code != error || trap_last.rip != rip ||
	    (check_cr2 && trap_last.cr2 != cr2)) {
		fail(name, "vector %d error 0x%lx rip 0x%lx cr2 0x%lx; want %d 0x%lx 0x%lx 0x%lx",
		     v, trap_last.error_code, trap_last.rip, trap_last.cr2, vector, error, rip,
		     check_cr2 ? cr2 : trap_last.cr2);
		return;
	}
	pass(name);
}

static void test_de(void)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN
		     "xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n"
		     "8:\tdivl %%ecx" TRY_END
		     : [rip] "=&r"(rip) : : "rax", "rcx", "rdx", "r11", "memory");
	expect("exception-de", VEC_DE, 0, rip, 0, false);
}

static void test_ud(void)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN "8:\tud2" TRY_END
		     : [rip] "=&r"(rip) : : "r11", "memory");
	expect("exception-ud", VEC_UD, 0, rip, 0, false);
}

/* #BP is a trap: the pushed RIP is the instruction after INT3. */
static void test_bp(void)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN "int3\n8:" TRY_END
		     : [rip] "=&r"(rip) : : "r11", "memory");
	expect("exception-bp", VEC_BP, 0, rip, 0, false);
}

static void test_gp(void)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN
		     "movabsq $0x8000000000000000, %%rax\n8:\tmovq (%%rax), %%rax" TRY_END
		     : [rip] "=&r"(rip) : : "rax", "r11", "memory");
	expect("exception-gp-noncanonical", VEC_GP, 0, rip, 0, false);
}

/* A non-canonical address through RBP uses SS: #SS(0) instead of #GP. */
static void test_ss(void)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN
		     "pushq %%rbp\n\tmovabsq $0x8000000000000000, %%rbp\n"
		     "8:\tmovq (%%rbp), %%rax" TRY_END "popq %%rbp"
		     : [rip] "=&r"(rip) : : "rax", "r11", "memory");
	expect("exception-ss-noncanonical", VEC_SS, 0, rip, 0, false);
}

static void pf_read(const char *name, uint64_t va)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN "8:\tmovq (%[va]), %%rax" TRY_END
		     : [rip] "=&r"(rip) : [va] "r"(va) : "rax", "r11", "memory");
	expect(name, VEC_PF, 0, rip, va, true);
}

static void pf_write(const char *name, uint64_t va)
{
	uint64_t rip;

	trap_reset();
	asm volatile("leaq 8f(%%rip), %[rip]\n\t" TRY_BEGIN "8:\tmovl $1, (%[va])" TRY_END
		     : [rip] "=&r"(rip) : [va] "r"(va) : "r11", "memory");
	expect(name, VEC_PF, PF_ERR_WRITE, rip, va, true);
}

static void test_pf(void)
{
	/* A PML4 entry of our own that points nowhere. */
	uint64_t *pml4e = pt_entry(HOLE_VA, 4);

	*pml4e = 0;
	invlpg(HOLE_VA);
	pf_read("exception-pf-read", HOLE_VA + 0x1238);
	pf_write("exception-pf-write", HOLE_VA + 0x5670);

	/* A 2 MiB page of the boot map, unmapped by editing the page directory. */
	uint64_t *pde = pt_entry(UNMAP_VA, 2);

	if (!pde) {
		fail("exception-pf-unmapped", "no page-directory entry for 0x%lx", UNMAP_VA);
		return;
	}
	uint64_t old = *pde;

	*pde = 0;
	invlpg(UNMAP_VA);
	pf_read("exception-pf-unmapped", UNMAP_VA + 0x10);
	*pde = old;
	invlpg(UNMAP_VA);
}

/* Resume by a length instead of a label: UD2 is 2 bytes. */
static void test_skip(void)
{
	trap_expect_skip(2);
	asm volatile("ud2" ::: "memory");
	check(trap_vector() == VEC_UD, "exception-skip-length", "vector %d", trap_vector());
}

/* Every GPR except RAX/RSP/R11 (used by the harness) survives an exception round trip. */
#define NREGS 13
static void test_registers(void)
{
	uint64_t buf[2 * NREGS];

	for (int i = 0; i < NREGS; i++) {
		buf[i] = 0x0101010101010101ULL * (uint64_t)(i + 1) ^ 0x8000000000000000ULL;
		buf[NREGS + i] = 0;
	}
	trap_reset();
	asm volatile("pushq %%rbp\n\tpushq %%rax\n\t"
		     "movq 0(%%rax), %%rbx\n\tmovq 8(%%rax), %%rcx\n\tmovq 16(%%rax), %%rdx\n\t"
		     "movq 24(%%rax), %%rsi\n\tmovq 32(%%rax), %%rdi\n\tmovq 40(%%rax), %%rbp\n\t"
		     "movq 48(%%rax), %%r8\n\tmovq 56(%%rax), %%r9\n\tmovq 64(%%rax), %%r10\n\t"
		     "movq 72(%%rax), %%r12\n\tmovq 80(%%rax), %%r13\n\tmovq 88(%%rax), %%r14\n\t"
		     "movq 96(%%rax), %%r15\n\t"
		     TRY_BEGIN "ud2" TRY_END
		     "popq %%rax\n\t"
		     "movq %%rbx, 104(%%rax)\n\tmovq %%rcx, 112(%%rax)\n\tmovq %%rdx, 120(%%rax)\n\t"
		     "movq %%rsi, 128(%%rax)\n\tmovq %%rdi, 136(%%rax)\n\tmovq %%rbp, 144(%%rax)\n\t"
		     "movq %%r8, 152(%%rax)\n\tmovq %%r9, 160(%%rax)\n\tmovq %%r10, 168(%%rax)\n\t"
		     "movq %%r12, 176(%%rax)\n\tmovq %%r13, 184(%%rax)\n\tmovq %%r14, 192(%%rax)\n\t"
		     "movq %%r15, 200(%%rax)\n\t"
		     "popq %%rbp"
		     :
		     : "a"(buf)
		     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
		       "r14", "r15", "memory");
	if (trap_vector() != VEC_UD) {
		fail("exception-registers", "vector %d, want #UD", trap_vector());
		return;
	}
	for (int i = 0; i < NREGS; i++) {
		if (buf[NREGS + i] != buf[i]) {
			fail("exception-registers", "register #%d is 0x%lx, want 0x%lx", i,
			     buf[NREGS + i], buf[i]);
			return;
		}
	}
	pass("exception-registers");
}

static void test_repeat(void)
{
	unsigned long before = trap_last.count;
	int i;

	for (i = 0; i < 1000; i++) {
		trap_reset();
		asm volatile(TRY_BEGIN "ud2" TRY_END ::: "r11", "memory");
		if (trap_vector() != VEC_UD)
			break;
	}
	check(i == 1000 && trap_last.count - before == 1000, "exception-repeat",
	      "iteration %d: vector %d, %lu handled", i, trap_vector(), trap_last.count - before);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	test_de();
	test_ud();
	test_bp();
	test_gp();
	test_ss();
	test_pf();
	test_skip();
	test_registers();
	test_repeat();
}
