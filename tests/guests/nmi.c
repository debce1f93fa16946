/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual NMI delivery through the xAPIC ICR: a self-NMI (the all-including-
 * self shorthand, as the partition has one vCPU) and an NMI addressed to our
 * own APIC ID must reach IDT vector 2 exactly once;
 * an NMI sent from inside the NMI handler must stay pending (no nesting)
 * until the handler's IRETQ and then be delivered.
 *
 * The handler runs with the lib's common ISR path (ends with IRETQ) and
 * never prints: the UART lock may be held by the code it interrupted.
 */
#include "guest.h"

#define VEC_NMI 2
#define XAPIC_ID 0x020
#define XAPIC_ICR_LO 0x300
#define XAPIC_ICR_HI 0x310
#define ICR_DM_NMI (4u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SH_ALL_INCL (2u << 18) /* the SDM allows shorthand self for fixed only */
#define WAIT_US 10000		/* how long an NMI may take to arrive */
#define SETTLE_US 2000		/* extra wait that would expose duplicates */
#define INNER_SPIN_US 2000	/* time spent inside the handler with one pending */

static volatile unsigned int nmi_count;
static volatile unsigned int nmi_depth;
static volatile unsigned int nmi_max_depth;
static volatile uint64_t nmi_bad_vector;

/* Nested sub-test state, written by the handler. */
static volatile bool nest_armed;
static volatile bool nest_done;
static volatile unsigned int nest_count_before;	/* nmi_count right before the inner send */
static volatile unsigned int nest_count_after;	/* nmi_count after the inner spin */
static volatile unsigned int nest_depth_after;	/* nmi_depth after the inner spin */

static uint64_t tsc_rate_khz;

static void xapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg) = v;
}

static uint32_t xapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg);
}

/* No CPUID in the handler path: every exit there widens the window under test. */
static uint64_t ticks_for(uint64_t us)
{
	return us * tsc_rate_khz / 1000;
}

static void spin_us(uint64_t us)
{
	uint64_t end = rdtsc() + ticks_for(us);

	while (rdtsc() < end)
		cpu_relax();
}

/* Shorthand self is valid for fixed IPIs only (SDM); a LAPIC drops a self-NMI. */
static void send_nmi_self(void)
{
	xapic_write(XAPIC_ICR_LO, ICR_SH_ALL_INCL | ICR_LEVEL_ASSERT | ICR_DM_NMI);
}

static void send_nmi_to(uint8_t apic_id)
{
	xapic_write(XAPIC_ICR_HI, (uint32_t)apic_id << 24);
	xapic_write(XAPIC_ICR_LO, ICR_LEVEL_ASSERT | ICR_DM_NMI);
}

static void nmi_handler(struct trap_frame *f)
{
	unsigned int depth = ++nmi_depth;

	if (depth > nmi_max_depth)
		nmi_max_depth = depth;
	if (f->vector != VEC_NMI)
		nmi_bad_vector = f->vector;
	nmi_count++;
	/* Disarm before sending so that a wrongly nested entry cannot recurse. */
	if (nest_armed) {
		nest_armed = false;
		nest_count_before = nmi_count;
		send_nmi_self();
		spin_us(INNER_SPIN_US);
		nest_count_after = nmi_count;
		nest_depth_after = nmi_depth;
		nest_done = true;
	}
	nmi_depth--;
}

/* Waits until nmi_count reaches target or us pass, then settles. */
static unsigned int wait_count(unsigned int target, uint64_t us)
{
	uint64_t end = rdtsc() + ticks_for(us);

	while (nmi_count < target && rdtsc() < end)
		cpu_relax();
	spin_us(SETTLE_US);
	return nmi_count;
}

static void test_self(void)
{
	unsigned int base = nmi_count;

	send_nmi_self();
	unsigned int n = wait_count(base + 1, WAIT_US) - base;

	check(n == 1 && nmi_max_depth == 1 && !nmi_bad_vector, "nmi-delivered",
	      "%u NMIs within %u us of a self-NMI (want 1), max depth %u, bad vector %lu",
	      n, WAIT_US, nmi_max_depth, nmi_bad_vector);
}

static void test_by_id(uint8_t id)
{
	unsigned int base = nmi_count;

	send_nmi_to(id);
	unsigned int n = wait_count(base + 1, WAIT_US) - base;

	check(n == 1, "nmi-by-id", "%u NMIs within %u us of an NMI to APIC ID %u (want 1)",
	      n, WAIT_US, id);
}

static void test_nested(void)
{
	unsigned int base = nmi_count;

	nmi_max_depth = 0;
	nest_done = false;
	nest_armed = true;
	asm volatile("" ::: "memory");
	send_nmi_self();
	/* Expect the trigger NMI plus the one it left pending; the handler spins first. */
	unsigned int n = wait_count(base + 2, INNER_SPIN_US + WAIT_US) - base;

	nest_armed = false;
	if (!nest_done) {
		fail("nmi-blocked-in-handler", "trigger NMI never reached the handler (%u NMIs)",
		     n);
		fail("nmi-after-iret", "no handler run to return from");
		return;
	}
	unsigned int inner = nest_count_after - nest_count_before;

	check(nmi_max_depth == 1 && inner == 0 && nest_depth_after == 1,
	      "nmi-blocked-in-handler",
	      "handler re-entered: max depth %u, %u NMIs during the %u us inner spin, depth %u",
	      nmi_max_depth, inner, INNER_SPIN_US, nest_depth_after);
	check(n == 2, "nmi-after-iret",
	      "%u NMIs in total (want 2: trigger + the one pending until IRET)", n);
}

void guest_main(const struct boot_block *bb)
{
	uint32_t khz = tsc_khz();

	(void)bb;
	if (!khz) {
		fail("nmi-tsc-khz", "CPUID 0x40000010 reports no TSC rate, assuming 1 GHz");
		khz = 1000000;
	}
	tsc_rate_khz = khz;
	set_irq_handler(VEC_NMI, nmi_handler);

	uint8_t id = (uint8_t)(xapic_read(XAPIC_ID) >> 24);

	gprintf("INFO APIC ID %u, TSC %u kHz\n", id, khz);
	test_self();
	test_by_id(id);
	test_nested();
}
