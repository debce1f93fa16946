/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privilege in emulated instructions: VMCALL at CPL3, and string I/O and
 * MOVS-to/from-MMIO, which Plinth completes itself by walking the guest's
 * page tables. Each emulated access must fault (vector, error code, CR2,
 * RIP, register progress) exactly as the CPU faults on the same access done
 * natively, which is checked side by side where possible ("-native" tests).
 *
 * Test area (8 MiB partition): 4 KiB pages at 0x400000 (split from one
 * 2 MiB page), and 0x410000 / 0x420000 for segment-base tests.
 */
#include "guest.h"
#include "user.h"

#define PORT GUEST_TESTDEV_PORT
#define MMIO GUEST_TESTDEV_MMIO

#define P_USER 0x400000ULL	/* user, RW */
#define P_SUP 0x401000ULL	/* supervisor, RW (right after P_USER) */
#define P_RO 0x402000ULL	/* supervisor, read-only */
#define P_USER2 0x403000ULL	/* user, RW (SMAP) */
#define P_URO 0x404000ULL	/* user, read-only */
#define P_NX 0x405000ULL	/* supervisor, NX */
#define P_RO2 0x406000ULL	/* supervisor, read-only, right below P_RW2 */
#define P_RW2 0x407000ULL	/* supervisor, RW */
#define SEG_A 0x410000ULL	/* byte 0x11; SEG_A + USER_BASED_DS_BASE holds 0x22 */
#define SEG_B (SEG_A + USER_BASED_DS_BASE)
#define UREGS (P_USER + 0x800)	/* register block the CPL3 helpers use */
#define WRAP_PAGE 0xfffff000ULL	/* linear page mapped to P_USER for the 4 GiB wrap */

#define VEC_GP 13
#define VEC_PF 14

/* Register block of one string instruction (also the layout the asm helpers use). */
struct sregs {
	uint64_t rsi, rdi, rcx, rdx, rax;
};

/*
 * CPL3 helpers, in their own page-aligned section that is mapped user.
 * Each string helper takes a struct sregs * (on a user page) in RDI, runs
 * one instruction at label NAME_insn and stores the registers back.
 */
#define UOP(name, insn)                                                         \
	".globl " #name "\n.globl " #name "_insn\n" #name ":\n\t"               \
	"pushq %rbx\n\tmovq %rdi, %rbx\n\t"                                     \
	"movq 0(%rbx), %rsi\n\tmovq 8(%rbx), %rdi\n\tmovq 16(%rbx), %rcx\n\t"   \
	"movq 24(%rbx), %rdx\n\tmovq 32(%rbx), %rax\n" #name "_insn:\n\t" insn  \
	"\n\tmovq %rsi, 0(%rbx)\n\tmovq %rdi, 8(%rbx)\n\tmovq %rcx, 16(%rbx)\n\t" \
	"movq %rax, 32(%rbx)\n\tpopq %rbx\n\tret\n"

asm(".section .text.user, \"ax\"\n"
    ".balign 4096\n"
    ".globl utext_start\nutext_start:\n"
    ".globl u_getcs\nu_getcs:\n\tmovl %cs, %eax\n\tret\n"
    /* RDI -> { rax, rbx, rcx, rdx } for VMCALL; returns RAX. */
    ".globl u_vmcall\nu_vmcall:\n\tpushq %rbx\n\tmovq %rdi, %r8\n\t"
    "movq 0(%r8), %rax\n\tmovq 8(%r8), %rbx\n\tmovq 16(%r8), %rcx\n\tmovq 24(%r8), %rdx\n\t"
    "vmcall\n\tpopq %rbx\n\tret\n"
    ".globl u_outb\nu_outb:\n\tmovw $0x500, %dx\n\tmovb $0x77, %al\n.globl u_outb_insn\n"
    "u_outb_insn:\n\toutb %al, %dx\n\tret\n"
    UOP(u_rep_outsb, "rep outsb")
    UOP(u_rep_insb, "rep insb")
    UOP(u_rep_lodsb, "rep lodsb")
    UOP(u_rep_stosb, "rep stosb")
    UOP(u_movsb, "movsb")
    ".balign 4096\n"
    ".globl utext_end\nutext_end:\n"
    ".text\n");

extern const char utext_start[], utext_end[], u_getcs[], u_vmcall[], u_outb[], u_outb_insn[];
#define UFN(x) extern const char x[], x##_insn[];
UFN(u_rep_outsb)
UFN(u_rep_insb)
UFN(u_rep_lodsb)
UFN(u_rep_stosb)
UFN(u_movsb)

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static volatile uint8_t *b8(uint64_t a)
{
	return (volatile uint8_t *)(uintptr_t)a;
}

static uint64_t ucall(const char *fn, uint64_t arg)
{
	trap_reset();
	return user_call((user_fn)(uintptr_t)fn, arg);
}

/* One string helper at CPL3 with *r; *r gets the registers after it (or at the fault). */
static void urun(const char *fn, struct sregs *r)
{
	struct sregs *u = (struct sregs *)(uintptr_t)UREGS;
	uint64_t ret;

	*u = *r;
	ret = ucall(fn, UREGS);
	if (ret == USER_FAULTED) {
		r->rsi = user_fault_frame.rsi;
		r->rdi = user_fault_frame.rdi;
		r->rcx = user_fault_frame.rcx;
		r->rax = user_fault_frame.rax;
	} else {
		*r = *u;
	}
}

/* What a fault was: vector, error code, CR2, RIP (recorded in trap_last). */
struct fault {
	int vector;
	uint64_t error, cr2, rip;
};

static struct fault last_fault(void)
{
	struct fault f = { trap_vector(), trap_last.error_code, trap_last.cr2, trap_last.rip };

	return f;
}

static bool expect_pf(const char *name, uint64_t error, uint64_t cr2, uint64_t rip)
{
	struct fault f = last_fault();

	return check(f.vector == VEC_PF && f.error == error && f.cr2 == cr2 && f.rip == rip, name,
		     "vector %d error 0x%lx cr2 0x%lx rip 0x%lx; want #PF 0x%lx cr2 0x%lx rip 0x%lx",
		     f.vector, f.error, f.cr2, f.rip, error, cr2, rip);
}

static bool expect_ok(const char *name)
{
	struct fault f = last_fault();

	if (f.vector == NO_TRAP)
		return true;
	fail(name, "vector %d error 0x%lx cr2 0x%lx rip 0x%lx", f.vector, f.error, f.cr2, f.rip);
	return false;
}

/* CPL0 string instruction under TRY; *rip = its address. */
#define KOP(insn, r, rip)                                                          \
	do {                                                                       \
		trap_reset();                                                      \
		asm volatile("leaq 8f(%%rip), %[ip]\n\t" TRY_BEGIN "8:\t" insn TRY_END \
			     "cld"                                                 \
			     : [ip] "=&r"(rip), "+S"((r).rsi), "+D"((r).rdi),      \
			       "+c"((r).rcx), "+a"((r).rax)                         \
			     : "d"((r).rdx) : "r11", "memory");                    \
	} while (0)

/* The same with DF=1 (STD before the instruction, CLD after). */
#define KOP_DOWN(insn, r, rip)                                                     \
	do {                                                                       \
		trap_reset();                                                      \
		asm volatile("leaq 8f(%%rip), %[ip]\n\t" TRY_BEGIN "std\n8:\t" insn  \
			     TRY_END "cld"                                         \
			     : [ip] "=&r"(rip), "+S"((r).rsi), "+D"((r).rdi),      \
			       "+c"((r).rcx), "+a"((r).rax)                         \
			     : "d"((r).rdx) : "r11", "memory");                    \
	} while (0)

static uint8_t port_last(void)
{
	return inb(PORT);
}

/* ---- VMCALL from CPL3 ---- */

static const char cpl3_msg[] = "HOSTILE cpl3 console write went through\n";

static void test_vmcall(void)
{
	uint64_t *blk = (uint64_t *)(uintptr_t)UREGS;
	uint64_t r;

	r = ucall(u_getcs, 0);
	check(r == USER_CS && trap_vector() == NO_TRAP, "cpl3-runs", "CS 0x%lx vector %d", r,
	      trap_vector());

	/* Copy the message to a user page: Plinth would read it by guest-physical address. */
	memcpy((void *)(uintptr_t)(P_USER + 0x100), cpl3_msg, sizeof(cpl3_msg));
	blk[0] = HC_CONSOLE_WRITE;
	blk[1] = P_USER + 0x100;
	blk[2] = sizeof(cpl3_msg) - 1;
	blk[3] = 0;
	r = ucall(u_vmcall, UREGS);
	check(r == (uint64_t)-1, "cpl3-vmcall-console-eperm", "RAX 0x%lx, want -EPERM (-1)", r);

	blk[0] = HC_POWEROFF;
	blk[1] = 99;
	blk[2] = blk[3] = 0;
	r = ucall(u_vmcall, UREGS);
	check(r == (uint64_t)-1, "cpl3-vmcall-poweroff-eperm", "RAX 0x%lx, want -EPERM (-1)", r);

	blk[0] = HC_REBOOT;
	r = ucall(u_vmcall, UREGS);
	check(r == (uint64_t)-1, "cpl3-vmcall-reboot-eperm", "RAX 0x%lx, want -EPERM (-1)", r);

	blk[0] = 0x999;
	r = ucall(u_vmcall, UREGS);
	check(r == (uint64_t)-1, "cpl3-vmcall-unknown-eperm", "RAX 0x%lx, want -EPERM (-1)", r);

	long k = hypercall(0x999, 0, 0, 0);

	check(k == -GUEST_ENOSYS, "cpl0-vmcall-still-served", "RAX %ld, want -ENOSYS", k);
}

/* ---- string I/O at CPL3 ---- */

static void test_cpl3_io(void)
{
	struct sregs r;
	struct fault nat;

	/* IOPL 0: the CPU itself refuses CPL3 port I/O with #GP(0), no exit. */
	user_set_iopl(0);
	ucall(u_outb, 0);
	check(trap_vector() == VEC_GP && trap_last.error_code == 0 &&
	      trap_last.rip == addr(u_outb_insn), "cpl3-io-iopl0-gp", "vector %d error 0x%lx",
	      trap_vector(), trap_last.error_code);
	user_set_iopl(3);

	/* A user page works. */
	b8(P_USER)[0] = 0x31;
	b8(P_USER)[1] = 0x32;
	r = (struct sregs){ .rsi = P_USER, .rcx = 2, .rdx = PORT };
	urun(u_rep_outsb, &r);
	if (expect_ok("cpl3-outsb-user-page"))
		check(r.rcx == 0 && r.rsi == P_USER + 2 && port_last() == 0x32,
		      "cpl3-outsb-user-page", "rcx %lu rsi 0x%lx port 0x%x", r.rcx, r.rsi,
		      port_last());
	outb(PORT, 0x5e);
	r = (struct sregs){ .rdi = P_USER + 0x10, .rcx = 2, .rdx = PORT };
	urun(u_rep_insb, &r);
	if (expect_ok("cpl3-insb-user-page"))
		check(r.rcx == 0 && r.rdi == P_USER + 0x12 && b8(P_USER)[0x10] == 0x5e &&
		      b8(P_USER)[0x11] == 0x5e, "cpl3-insb-user-page", "rcx %lu rdi 0x%lx",
		      r.rcx, r.rdi);

	/* Supervisor page: natively (LODSB/STOSB) and emulated (OUTSB/INSB) alike. */
	r = (struct sregs){ .rsi = P_SUP + 0x20, .rcx = 1 };
	urun(u_rep_lodsb, &r);
	nat = last_fault();
	expect_pf("cpl3-lodsb-supervisor-native", PF_U | PF_P, P_SUP + 0x20,
		  addr(u_rep_lodsb_insn));
	outb(PORT, 0x00);
	r = (struct sregs){ .rsi = P_SUP + 0x20, .rcx = 4, .rdx = PORT };
	urun(u_rep_outsb, &r);
	if (expect_pf("cpl3-outsb-supervisor-pf", PF_U | PF_P, P_SUP + 0x20,
		      addr(u_rep_outsb_insn)))
		check(r.rcx == 4 && r.rsi == P_SUP + 0x20 && port_last() == 0 &&
		      nat.error == trap_last.error_code, "cpl3-outsb-supervisor-regs",
		      "rcx %lu rsi 0x%lx port 0x%x (native error 0x%lx)", r.rcx, r.rsi,
		      port_last(), nat.error);

	r = (struct sregs){ .rdi = P_SUP + 0x30, .rcx = 1 };
	urun(u_rep_stosb, &r);
	nat = last_fault();
	expect_pf("cpl3-stosb-supervisor-native", PF_U | PF_W | PF_P, P_SUP + 0x30,
		  addr(u_rep_stosb_insn));
	b8(P_SUP)[0x30] = 0xaa;
	outb(PORT, 0x66);
	r = (struct sregs){ .rdi = P_SUP + 0x30, .rcx = 4, .rdx = PORT };
	urun(u_rep_insb, &r);
	if (expect_pf("cpl3-insb-supervisor-pf", PF_U | PF_W | PF_P, P_SUP + 0x30,
		      addr(u_rep_insb_insn)))
		check(r.rcx == 4 && r.rdi == P_SUP + 0x30 && b8(P_SUP)[0x30] == 0xaa &&
		      nat.error == trap_last.error_code, "cpl3-insb-supervisor-regs",
		      "rcx %lu rdi 0x%lx byte 0x%x", r.rcx, r.rdi, b8(P_SUP)[0x30]);

	/* Across the user/supervisor boundary: two bytes go, then #PF at the next page. */
	b8(P_USER)[0xffe] = 0x41;
	b8(P_USER)[0xfff] = 0x42;
	r = (struct sregs){ .rsi = P_USER + 0xffe, .rcx = 4 };
	urun(u_rep_lodsb, &r);
	struct sregs nr = r;

	expect_pf("cpl3-lodsb-boundary-native", PF_U | PF_P, P_SUP, addr(u_rep_lodsb_insn));
	r = (struct sregs){ .rsi = P_USER + 0xffe, .rcx = 4, .rdx = PORT };
	urun(u_rep_outsb, &r);
	if (expect_pf("cpl3-outsb-boundary-pf", PF_U | PF_P, P_SUP, addr(u_rep_outsb_insn)))
		check(r.rcx == 2 && r.rsi == P_SUP && port_last() == 0x42 && nr.rcx == r.rcx &&
		      nr.rsi == r.rsi, "cpl3-outsb-boundary-regs",
		      "rcx %lu rsi 0x%lx port 0x%x; native rcx %lu rsi 0x%lx", r.rcx, r.rsi,
		      port_last(), nr.rcx, nr.rsi);

	/* A user read-only page refuses CPL3 writes even with CR0.WP=0. */
	cr0_wp(false);
	r = (struct sregs){ .rdi = P_URO + 0x40, .rcx = 1, .rdx = PORT };
	urun(u_rep_insb, &r);
	expect_pf("cpl3-insb-user-readonly-wp0-pf", PF_U | PF_W | PF_P, P_URO + 0x40,
		  addr(u_rep_insb_insn));
	cr0_wp(true);
}

/* ---- string I/O at CPL0: CR0.WP, SMAP ---- */

static void test_cpl0_io(void)
{
	struct sregs r;
	uint64_t rip;

	cr0_wp(true);
	r = (struct sregs){ .rdi = P_RO + 0x50, .rcx = 1 };
	KOP("rep stosb", r, rip);
	expect_pf("cpl0-stosb-readonly-wp1-native", PF_W | PF_P, P_RO + 0x50, rip);
	outb(PORT, 0x99);
	r = (struct sregs){ .rdi = P_RO + 0x50, .rcx = 3, .rdx = PORT };
	KOP("rep insb", r, rip);
	if (expect_pf("cpl0-insb-readonly-wp1-pf", PF_W | PF_P, P_RO + 0x50, rip))
		check(r.rcx == 3 && r.rdi == P_RO + 0x50 && b8(P_RO)[0x50] == 0,
		      "cpl0-insb-readonly-wp1-regs", "rcx %lu rdi 0x%lx byte 0x%x", r.rcx,
		      r.rdi, b8(P_RO)[0x50]);

	cr0_wp(false);
	r = (struct sregs){ .rdi = P_RO + 0x50, .rcx = 3, .rdx = PORT };
	KOP("rep insb", r, rip);
	if (expect_ok("cpl0-insb-readonly-wp0-ok"))
		check(r.rcx == 0 && r.rdi == P_RO + 0x53 && b8(P_RO)[0x50] == 0x99 &&
		      b8(P_RO)[0x52] == 0x99, "cpl0-insb-readonly-wp0-ok",
		      "rcx %lu rdi 0x%lx byte 0x%x", r.rcx, r.rdi, b8(P_RO)[0x50]);
	cr0_wp(true);

	b8(P_USER2)[0x60] = 0;
	b8(P_USER2)[0x70] = 0;
	if (!cpu_has_smap()) {
		fail("smap", "CPUID.7:EBX.SMAP is clear: no SMAP tests (run on a CPU model with SMAP)");
		return;
	}
	if (cr4_update(CR4_SMAP, 0) != NO_TRAP) {
		fail("smap", "setting CR4.SMAP raised vector %d", trap_vector());
		return;
	}
	pass("smap-enabled");
	clac();
	r = (struct sregs){ .rsi = P_USER2 + 0x60, .rcx = 1 };
	KOP("rep lodsb", r, rip);
	expect_pf("cpl0-lodsb-user-smap-native", PF_P, P_USER2 + 0x60, rip);
	r = (struct sregs){ .rsi = P_USER2 + 0x60, .rcx = 2, .rdx = PORT };
	KOP("rep outsb", r, rip);
	if (expect_pf("cpl0-outsb-user-smap-pf", PF_P, P_USER2 + 0x60, rip))
		check(r.rcx == 2 && r.rsi == P_USER2 + 0x60, "cpl0-outsb-user-smap-regs",
		      "rcx %lu rsi 0x%lx", r.rcx, r.rsi);
	r = (struct sregs){ .rdi = P_USER2 + 0x70, .rcx = 2, .rdx = PORT };
	KOP("rep insb", r, rip);
	expect_pf("cpl0-insb-user-smap-pf", PF_W | PF_P, P_USER2 + 0x70, rip);

	stac();
	b8(P_USER2)[0x60] = 0x61;
	b8(P_USER2)[0x61] = 0x62;
	r = (struct sregs){ .rsi = P_USER2 + 0x60, .rcx = 2, .rdx = PORT };
	KOP("rep outsb", r, rip);
	if (expect_ok("cpl0-outsb-user-stac-ok"))
		check(r.rcx == 0 && port_last() == 0x62, "cpl0-outsb-user-stac-ok",
		      "rcx %lu port 0x%x", r.rcx, port_last());
	r = (struct sregs){ .rdi = P_USER2 + 0x70, .rcx = 2, .rdx = PORT };
	KOP("rep insb", r, rip);
	if (expect_ok("cpl0-insb-user-stac-ok"))
		check(r.rcx == 0 && b8(P_USER2)[0x71] == 0x62, "cpl0-insb-user-stac-ok",
		      "rcx %lu byte 0x%x", r.rcx, b8(P_USER2)[0x71]);
	clac();
	cr4_update(0, CR4_SMAP);
}

/* ---- MOVS between RAM and the MMIO device ---- */

static void test_movs_mmio(void)
{
	struct sregs r;
	uint64_t rip;

	b8(MMIO)[0x300] = 0x5a;
	cr0_wp(true);
	r = (struct sregs){ .rsi = P_SUP, .rdi = P_RO + 0x80 };
	KOP("movsb", r, rip);
	expect_pf("cpl0-movsb-to-readonly-native", PF_W | PF_P, P_RO + 0x80, rip);
	r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_RO + 0x80 };
	KOP("movsb", r, rip);
	if (expect_pf("cpl0-movsb-mmio-to-readonly-pf", PF_W | PF_P, P_RO + 0x80, rip))
		check(r.rsi == MMIO + 0x300 && r.rdi == P_RO + 0x80 && b8(P_RO)[0x80] == 0,
		      "cpl0-movsb-mmio-to-readonly-regs", "rsi 0x%lx rdi 0x%lx", r.rsi, r.rdi);
	cr0_wp(false);
	r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_RO + 0x80 };
	KOP("movsb", r, rip);
	if (expect_ok("cpl0-movsb-mmio-to-readonly-wp0-ok"))
		check(b8(P_RO)[0x80] == 0x5a && r.rdi == P_RO + 0x81,
		      "cpl0-movsb-mmio-to-readonly-wp0-ok", "byte 0x%x rdi 0x%lx",
		      b8(P_RO)[0x80], r.rdi);
	cr0_wp(true);

	if (cpu_has_smap() && cr4_update(CR4_SMAP, 0) == NO_TRAP) {
		clac();
		r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_USER2 + 0x90 };
		KOP("movsb", r, rip);
		expect_pf("cpl0-movsb-mmio-to-user-smap-pf", PF_W | PF_P, P_USER2 + 0x90, rip);
		r = (struct sregs){ .rsi = P_USER2 + 0xa0, .rdi = MMIO + 0x308 };
		KOP("movsb", r, rip);
		expect_pf("cpl0-movsb-user-to-mmio-smap-pf", PF_P, P_USER2 + 0xa0, rip);
		stac();
		b8(P_USER2)[0xa0] = 0xa7;
		r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_USER2 + 0x90 };
		KOP("movsb", r, rip);
		if (expect_ok("cpl0-movsb-mmio-to-user-stac-ok"))
			check(b8(P_USER2)[0x90] == 0x5a, "cpl0-movsb-mmio-to-user-stac-ok",
			      "byte 0x%x", b8(P_USER2)[0x90]);
		r = (struct sregs){ .rsi = P_USER2 + 0xa0, .rdi = MMIO + 0x308 };
		KOP("movsb", r, rip);
		clac();
		cr4_update(0, CR4_SMAP);
		if (expect_ok("cpl0-movsb-user-to-mmio-stac-ok"))
			check(b8(MMIO)[0x308] == 0xa7, "cpl0-movsb-user-to-mmio-stac-ok",
			      "device byte 0x%x", b8(MMIO)[0x308]);
	}

	/* CPL3 with the device page mapped user. */
	user_map_range(MMIO, MMIO + 0x1000);
	r = (struct sregs){ .rsi = P_SUP + 0x40, .rdi = P_USER + 0x40 };
	urun(u_movsb, &r);
	expect_pf("cpl3-movsb-from-supervisor-native", PF_U | PF_P, P_SUP + 0x40,
		  addr(u_movsb_insn));
	r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_SUP + 0x40 };
	urun(u_movsb, &r);
	if (expect_pf("cpl3-movsb-mmio-to-supervisor-pf", PF_U | PF_W | PF_P, P_SUP + 0x40,
		      addr(u_movsb_insn)))
		check(r.rsi == MMIO + 0x300 && r.rdi == P_SUP + 0x40,
		      "cpl3-movsb-mmio-to-supervisor-regs", "rsi 0x%lx rdi 0x%lx", r.rsi, r.rdi);
	r = (struct sregs){ .rsi = P_SUP + 0x50, .rdi = MMIO + 0x310 };
	urun(u_movsb, &r);
	expect_pf("cpl3-movsb-supervisor-to-mmio-pf", PF_U | PF_P, P_SUP + 0x50,
		  addr(u_movsb_insn));
	r = (struct sregs){ .rsi = MMIO + 0x300, .rdi = P_USER + 0x48 };
	urun(u_movsb, &r);
	if (expect_ok("cpl3-movsb-mmio-to-user-ok"))
		check(b8(P_USER)[0x48] == 0x5a && r.rsi == MMIO + 0x301,
		      "cpl3-movsb-mmio-to-user-ok", "byte 0x%x rsi 0x%lx", b8(P_USER)[0x48],
		      r.rsi);
	supervisor_range(MMIO, MMIO + 0x1000);
}

/* ---- DF=1, address size, segments ---- */

static void test_df(void)
{
	struct sregs r, n;
	uint64_t rip;
	volatile uint8_t *buf = b8(P_SUP + 0x200);

	for (int i = 0; i < 6; i++)
		buf[i] = (uint8_t)(0xd0 + i);
	/* Bytes 1..4 from &buf[4] downwards: the last one out is buf[1]. */
	n = (struct sregs){ .rsi = addr((const void *)&buf[4]), .rcx = 4 };
	KOP_DOWN("rep lodsb", n, rip);
	r = (struct sregs){ .rsi = addr((const void *)&buf[4]), .rcx = 4, .rdx = PORT };
	KOP_DOWN("rep outsb", r, rip);
	if (expect_ok("df-outsb-down"))
		check(r.rcx == 0 && r.rsi == addr((const void *)&buf[0]) && n.rsi == r.rsi &&
		      port_last() == 0xd1 && (uint8_t)n.rax == 0xd1, "df-outsb-down",
		      "rsi 0x%lx (native 0x%lx) port 0x%x (native 0x%x)", r.rsi, n.rsi,
		      port_last(), (uint8_t)n.rax);

	outb(PORT, 0xee);
	r = (struct sregs){ .rdi = addr((const void *)&buf[4]), .rcx = 4, .rdx = PORT };
	KOP_DOWN("rep insb", r, rip);
	if (expect_ok("df-insb-down"))
		check(r.rcx == 0 && r.rdi == addr((const void *)&buf[0]) && buf[0] == 0xd0 &&
		      buf[1] == 0xee && buf[4] == 0xee && buf[5] == 0xd5, "df-insb-down",
		      "rdi 0x%lx bytes %02x %02x .. %02x %02x", r.rdi, buf[0], buf[1], buf[4],
		      buf[5]);

	outw(PORT, 0x1234);
	volatile uint16_t *w = (volatile uint16_t *)(uintptr_t)(P_SUP + 0x300);

	w[0] = w[1] = w[2] = w[3] = 0;
	r = (struct sregs){ .rdi = addr((const void *)&w[2]), .rcx = 2, .rdx = PORT };
	KOP_DOWN("rep insw", r, rip);
	if (expect_ok("df-insw-down"))
		check(r.rcx == 0 && r.rdi == addr((const void *)&w[0]) && w[0] == 0 &&
		      w[1] == 0x1234 && w[2] == 0x1234 && w[3] == 0, "df-insw-down",
		      "rdi 0x%lx words %x %x %x %x", r.rdi, w[0], w[1], w[2], w[3]);

	/* Downwards into a read-only page: two bytes, then #PF at the last byte below. */
	n = (struct sregs){ .rdi = P_RW2 + 1, .rcx = 4, .rax = 0x77 };
	KOP_DOWN("rep stosb", n, rip);
	expect_pf("df-stosb-boundary-native", PF_W | PF_P, P_RW2 - 1, rip);
	r = (struct sregs){ .rdi = P_RW2 + 1, .rcx = 4, .rdx = PORT };
	KOP_DOWN("rep insb", r, rip);
	if (expect_pf("df-insb-boundary-pf", PF_W | PF_P, P_RW2 - 1, rip))
		check(r.rcx == n.rcx && r.rdi == n.rdi && r.rcx == 2 && r.rdi == P_RW2 - 1,
		      "df-insb-boundary-regs", "rcx %lu rdi 0x%lx; native rcx %lu rdi 0x%lx",
		      r.rcx, r.rdi, n.rcx, n.rdi);
}

static void test_addr32(void)
{
	struct sregs r, n;
	uint64_t rip;
	const uint64_t hi_di = 0xabcd000000000000ULL, hi_cx = 0x1234000000000000ULL;

	/* 0x67: EDI/ECX only; the CPU writes them back as 32-bit registers. */
	n = (struct sregs){ .rdi = hi_di | (P_SUP + 0x400), .rcx = hi_cx | 2, .rax = 0x44 };
	KOP("addr32 rep stosb", n, rip);
	outb(PORT, 0x45);
	r = (struct sregs){ .rdi = hi_di | (P_SUP + 0x410), .rcx = hi_cx | 2, .rdx = PORT };
	KOP("addr32 rep insb", r, rip);
	gprintf("INFO addr32 rep insb: rdi 0x%lx rcx 0x%lx; native rep stosb: rdi 0x%lx rcx 0x%lx\n",
		r.rdi, r.rcx, n.rdi, n.rcx);
	if (expect_ok("addr32-insb-edi"))
		check(b8(P_SUP)[0x410] == 0x45 && b8(P_SUP)[0x411] == 0x45 &&
		      (uint32_t)r.rdi == P_SUP + 0x412, "addr32-insb-edi",
		      "bytes %x %x rdi 0x%lx", b8(P_SUP)[0x410], b8(P_SUP)[0x411], r.rdi);
	check(r.rdi - 0x10 == n.rdi && r.rcx == n.rcx, "addr32-insb-like-native",
	      "rdi 0x%lx rcx 0x%lx, native rdi 0x%lx rcx 0x%lx (+0x10)", r.rdi, r.rcx, n.rdi,
	      n.rcx);
	check(r.rdi == P_SUP + 0x412 && r.rcx == 0, "addr32-insb-upper-bits-cleared",
	      "rdi 0x%lx rcx 0x%lx", r.rdi, r.rcx);

	/* ESI wraps from 0xffffffff to 0: linear page 0xfffff000 borrows P_USER's frame. */
	uint64_t *pte = pt_entry_4k(WRAP_PAGE);

	if (!pte) {
		fail("addr32-outsb-wrap", "cannot map 0x%lx", (uint64_t)WRAP_PAGE);
		return;
	}
	*pte = P_USER | PTE_P | PTE_W;
	invlpg(WRAP_PAGE);
	b8(P_USER)[0xfff] = 0xf1;
	uint8_t at0;

	asm volatile("movb (%1), %0" : "=q"(at0) : "r"(0ULL) : "memory");

	n = (struct sregs){ .rsi = 0xffffffffULL, .rcx = 2 };
	KOP("addr32 rep lodsb", n, rip);
	outb(PORT, (uint8_t)~at0);
	r = (struct sregs){ .rsi = 0xffffffffULL, .rcx = 2, .rdx = PORT };
	KOP("addr32 rep outsb", r, rip);
	if (expect_ok("addr32-outsb-wrap"))
		check(r.rsi == 1 && r.rcx == 0 && port_last() == at0 && n.rsi == r.rsi &&
		      (uint8_t)n.rax == at0, "addr32-outsb-wrap",
		      "rsi 0x%lx (native 0x%lx) port 0x%x (native 0x%x) want 0x%x", r.rsi,
		      n.rsi, port_last(), (uint8_t)n.rax, at0);
	/* Without the wrap the second byte would come from linear 0x100000000 (unmapped). */
	*pte = 0;
	invlpg(WRAP_PAGE);
}

static int set_base(uint32_t msr, uint64_t base)
{
	if (wrmsr_trap(msr, base) == NO_TRAP)
		return 0;
	if (!cpu_has_fsgsbase() || cr4_update(CR4_FSGSBASE, 0) != NO_TRAP)
		return -1;
	if (msr == MSR_FS_BASE)
		asm volatile("wrfsbase %0" : : "r"(base));
	else
		asm volatile("wrgsbase %0" : : "r"(base));
	return 0;
}

static void test_segments(void)
{
	struct sregs r, n;
	uint64_t rip;

	*b8(SEG_A) = 0x11;
	*b8(SEG_B) = 0x22;
	*b8(SEG_A + 0x100) = 0;
	*b8(SEG_B + 0x100) = 0;

	if (set_base(MSR_FS_BASE, USER_BASED_DS_BASE) < 0) {
		fail("fs-override", "cannot set the FS base");
	} else {
		n = (struct sregs){ .rsi = SEG_A, .rcx = 1 };
		KOP("rep lodsb %%fs:(%%rsi), %%al", n, rip);
		outb(PORT, 0);
		r = (struct sregs){ .rsi = SEG_A, .rcx = 1, .rdx = PORT };
		KOP("rep outsb %%fs:(%%rsi), (%%dx)", r, rip);
		if (expect_ok("fs-override-outsb"))
			check(port_last() == 0x22 && (uint8_t)n.rax == 0x22, "fs-override-outsb",
			      "port 0x%x native 0x%x, want 0x22 (FS base + RSI)", port_last(),
			      (uint8_t)n.rax);
		set_base(MSR_FS_BASE, 0);
	}
	if (set_base(MSR_GS_BASE, USER_BASED_DS_BASE) < 0) {
		fail("gs-override", "cannot set the GS base");
	} else {
		outb(PORT, 0);
		r = (struct sregs){ .rsi = SEG_A, .rcx = 1, .rdx = PORT };
		KOP("rep outsb %%gs:(%%rsi), (%%dx)", r, rip);
		if (expect_ok("gs-override-outsb"))
			check(port_last() == 0x22, "gs-override-outsb", "port 0x%x, want 0x22",
			      port_last());
		set_base(MSR_GS_BASE, 0);
	}

	/* DS and ES with a base of 0x10000: 64-bit mode ignores it. */
	asm volatile("movl %0, %%ds\n\tmovl %0, %%es" : : "r"(USER_BASED_DS_SEL) : "memory");
	n = (struct sregs){ .rsi = SEG_A, .rcx = 1 };
	KOP("rep lodsb", n, rip);
	outb(PORT, 0);
	r = (struct sregs){ .rsi = SEG_A, .rcx = 1, .rdx = PORT };
	KOP("rep outsb", r, rip);
	uint8_t plain = port_last();

	outb(PORT, 0);
	r = (struct sregs){ .rsi = SEG_A, .rcx = 1, .rdx = PORT };
	KOP(".byte 0x3e\n\trep outsb", r, rip);
	uint8_t over = port_last();

	outb(PORT, 0x33);
	r = (struct sregs){ .rdi = SEG_A + 0x100, .rcx = 1, .rdx = PORT };
	KOP("rep insb", r, rip);
	asm volatile("movl %0, %%ds\n\tmovl %0, %%es" : : "r"(KERNEL_DS) : "memory");
	check(plain == 0x11 && over == 0x11 && (uint8_t)n.rax == 0x11, "ds-base-ignored-outsb",
	      "port 0x%x (DS prefix 0x%x, native 0x%x), want 0x11", plain, over, (uint8_t)n.rax);
	check(*b8(SEG_A + 0x100) == 0x33 && *b8(SEG_B + 0x100) == 0, "es-base-ignored-insb",
	      "bytes at RDI 0x%x, at RDI + ES base 0x%x", *b8(SEG_A + 0x100),
	      *b8(SEG_B + 0x100));
}

/* ---- the helpers themselves, natively: SMEP and NX ---- */

static void test_native_protection(void)
{
	uint64_t rip, target = addr(u_getcs);

	if (cpu_has_smep() && cr4_update(CR4_SMEP, 0) == NO_TRAP) {
		trap_reset();
		asm volatile(TRY_BEGIN "jmp *%0" TRY_END : : "r"(target) : "r11", "memory");
		struct trap_record t = trap_last;

		cr4_update(0, CR4_SMEP);
		trap_last = t;
		expect_pf("smep-native-fetch-pf", PF_I | PF_P, target, target);
	} else {
		fail("smep", "no SMEP (CPUID.7:EBX bit 7 clear or CR4.SMEP refused)");
	}
	memset((void *)(uintptr_t)P_NX, 0xc3, 16);
	nx_range(P_NX, P_NX + 0x1000);
	trap_reset();
	asm volatile(TRY_BEGIN "jmp *%0" TRY_END : : "r"(P_NX) : "r11", "memory");
	rip = P_NX;
	expect_pf("nx-native-fetch-pf", PF_I | PF_P, P_NX, rip);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	user_init();
	user_map_range(addr(utext_start), addr(utext_end));
	user_map_range(P_USER, P_USER + 0x1000);
	user_map_range(P_USER2, P_USER2 + 0x1000);
	user_map_range(P_URO, P_URO + 0x1000);
	readonly_range(P_URO, P_URO + 0x1000);
	readonly_range(P_RO, P_RO + 0x1000);
	readonly_range(P_RO2, P_RO2 + 0x1000);
	gprintf("INFO cpu: smep %d smap %d fsgsbase %d\n", cpu_has_smep(), cpu_has_smap(),
		cpu_has_fsgsbase());

	/* skip=vmcall: for a Plinth that honours CPL3 hypercalls, so the rest still runs. */
	const char *skip = cmdline_get("skip");

	if (!skip || !streq_n(skip, "vmcall", 6))
		test_vmcall();
	test_cpl3_io();
	test_cpl0_io();
	test_movs_mmio();
	test_df();
	test_addr32();
	test_segments();
	test_native_protection();
}
