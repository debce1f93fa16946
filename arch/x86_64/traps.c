/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fatal exceptions: report everything a developer needs from the serial log
 * alone (vector, error code, registers, control registers, a symbolized
 * backtrace), then park the CPU. The rest of the machine keeps running.
 */
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/percpu.h>
#include <asm/extable.h>
#include <asm/trap.h>
#include <plinth/log.h>
#include <plinth/symbols.h>

#define BACKTRACE_MAX 16

void (*boot_cpu_fatal_hook)(void);

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

static void print_address(const char *label, uint64_t addr)
{
	uint64_t off;
	const char *name = symbol_lookup(addr, &off);

	if (name)
		log_raw("  %s %016lx <%s+0x%lx>\n", label, addr, name, off);
	else
		log_raw("  %s %016lx\n", label, addr);
}

/* Frame pointers are only followed while they stay inside a kernel stack. */
static bool frame_pointer_ok(uint64_t rbp)
{
	extern char boot_stack_bottom[];
	uint64_t boot_lo = (uint64_t)boot_stack_bottom;

	if (rbp & 7)
		return false;
	if (rbp >= boot_lo && rbp + 16 <= boot_lo + 32768)
		return true;
	return rbp >= STACK_MAP_BASE && rbp + 16 <= STACK_MAP_BASE + STACK_MAP_SIZE &&
	       stack_address_mapped(rbp) && stack_address_mapped(rbp + 8);
}

static void backtrace(uint64_t rip, uint64_t rbp)
{
	log_raw(" backtrace:\n");
	print_address("#0", rip);
	for (int i = 1; i < BACKTRACE_MAX && frame_pointer_ok(rbp); i++) {
		uint64_t ret = ((uint64_t *)rbp)[1];

		if (!ret)
			break;
		char label[8];

		snprintf(label, sizeof(label), "#%d", i);
		print_address(label, ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}

static void dump_frame(struct trap_frame *tf)
{
	struct percpu *pc = this_cpu();

	pr_err("EXCEPTION %s (vector %lu) error code 0x%lx on cpu%u\n",
	       exception_names[tf->vector & 31], tf->vector, tf->error_code, pc->index);
	print_address("RIP", tf->rip);
	log_raw("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", tf->rax, tf->rbx,
		tf->rcx, tf->rdx);
	log_raw("  RSI %016lx RDI %016lx RBP %016lx RSP %016lx\n", tf->rsi, tf->rdi,
		tf->rbp, tf->rsp);
	log_raw("  R8  %016lx R9  %016lx R10 %016lx R11 %016lx\n", tf->r8, tf->r9,
		tf->r10, tf->r11);
	log_raw("  R12 %016lx R13 %016lx R14 %016lx R15 %016lx\n", tf->r12, tf->r13,
		tf->r14, tf->r15);
	log_raw("  CS %04lx SS %04lx RFLAGS %016lx\n", tf->cs, tf->ss, tf->rflags);
	log_raw("  CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr2(),
		read_cr3(), read_cr4());
	backtrace(tf->rip, tf->rbp);
}

uint64_t extable_fixup(uint64_t rip)
{
	extern const struct extable_entry __ex_table_start[], __ex_table_end[];

	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

void fatal_exception(struct trap_frame *tf)
{
	struct percpu *pc = this_cpu();

	if (pc->in_fatal) {
		log_raw("cpu%u: fault while reporting a fault (vector %lu), parking\n",
			pc->index, tf->vector);
		cpu_park();
	}
	pc->in_fatal = true;
	dump_frame(tf);

	if (pc->fault_fixup_rip) {
		/* A self-test provoked this on purpose: report it and carry on. */
		pc->fault_seen_vector = tf->vector;
		pc->fault_seen_cr2 = read_cr2();
		tf->rip = pc->fault_fixup_rip;
		pc->fault_fixup_rip = 0;
		pc->in_fatal = false;
		return;
	}
	pr_err("cpu%u parked after fatal exception\n", pc->index);
	if (pc->index == 0 && boot_cpu_fatal_hook)
		boot_cpu_fatal_hook();
	cpu_park();
}

void cpu_park(void)
{
	struct percpu *pc = this_cpu();

	if (__atomic_exchange_n(&pc->online, false, __ATOMIC_ACQ_REL))
		__atomic_fetch_sub(&cpus_online, 1, __ATOMIC_RELEASE);
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}
