/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two vCPUs: the BSP starts APIC ID 1 with INIT + SIPI (x2APIC ICR MSR if
 * CPUID says x2APIC and the MSR is allowed, else the xAPIC ICR), the AP
 * climbs to long mode through smp-tramp.S, reports and halts.
 * cmdline: smp_timeout_ms=N (default 1000).
 *   kick=1: the AP keeps running instead of halting, and the BSP sends it
 *   NMIs one after another. Each must arrive and the AP must keep making
 *   progress: a host that cannot take the kick IPI behind an NMI freezes the
 *   AP in an exit/entry loop.
 *   ap_reset=1: on the first boot the AP resets the partition through 0xcf9
 *   while the BSP spins; on the second (byte 0 of the test port device
 *   remembers) the BSP starts the AP again and powers off.
 */
#include "guest.h"
#include "smp.h"

#define AP_APIC_ID 1
#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_X2APIC_ICR 0x830
#define APIC_BASE_EXTD (1ULL << 10)
#define EFER_LME (1ULL << 8)
#define EFER_NXE (1ULL << 11)
#define CPUID1_ECX_X2APIC (1u << 21)
#define MSR_X2APIC_SVR 0x80f
#define XAPIC_SVR 0x0f0
#define SVR_ENABLE_VECTOR_FF 0x1ff	/* APIC software-enabled, spurious vector 0xff */
#define XAPIC_ICR_LO 0x300
#define XAPIC_ICR_HI 0x310
#define ICR_INIT 0x00004500	/* INIT, level assert */
#define ICR_STARTUP 0x00004600	/* Start-up, level assert */
#define ICR_PENDING (1u << 12)
#define AP_STACK_SIZE 16384
#define BOOT_STATE_PORT GUEST_TESTDEV_PORT
#define CF9_PORT 0xcf9
#define CF9_HARD_RESET 0x06 /* SYS_RST | RST_CPU */

extern const char ap_tramp_start[], ap_tramp_end[];
extern const char ap_cr3[], ap_efer[], ap_stack[], ap_entry[];

#define KICK_NMIS 20
#define KICK_WAIT_US 50000	/* how long one NMI may take to reach the running AP */
#define KICK_RATE_US 5000	/* window in which the AP's speed is measured */
#define XAPIC_ICR_NMI 0x00004400	/* NMI, level assert */

static volatile uint32_t ap_counter;
static volatile bool ap_spin;
static volatile bool ap_reset;
static volatile uint64_t ap_progress;
static volatile uint32_t ap_nmis;
static uint8_t ap_stack_area[AP_STACK_SIZE] __aligned(16);

void ap_main(void);

/* Runs on the AP once it is in long mode. */
void ap_main(void)
{
	idt_load();
	/* Print first, count second: the BSP reports as soon as it sees the count. */
	pass("ap-started");
	__atomic_fetch_add(&ap_counter, 1, __ATOMIC_SEQ_CST);
	if (ap_reset)
		outb(CF9_PORT, CF9_HARD_RESET);
	while (ap_spin)
		__atomic_fetch_add(&ap_progress, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

static void ap_nmi(struct trap_frame *f)
{
	(void)f;
	__atomic_fetch_add(&ap_nmis, 1, __ATOMIC_SEQ_CST);
}

static uint64_t *tramp_var(const char *sym)
{
	return (uint64_t *)(uintptr_t)(AP_TRAMP_BASE + (uintptr_t)(sym - ap_tramp_start));
}

static void xapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg) = v;
}

static uint32_t xapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_BASE + reg);
}

static bool use_x2apic(void)
{
	uint32_t r[4];
	uint64_t base;

	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_X2APIC))
		return false;
	if (rdmsr_trap(MSR_APIC_BASE, &base) != NO_TRAP)
		return false;
	if (!(base & APIC_BASE_EXTD) &&
	    wrmsr_trap(MSR_APIC_BASE, base | APIC_BASE_EXTD) != NO_TRAP)
		return false;
	return true;
}

/* Returns false if the x2APIC ICR write faulted (caller falls back to xAPIC). */
static bool send_ipi(bool x2apic, uint32_t icr)
{
	if (x2apic)
		return wrmsr_trap(MSR_X2APIC_ICR, (uint64_t)AP_APIC_ID << 32 | icr) == NO_TRAP;
	xapic_write(XAPIC_ICR_HI, (uint32_t)AP_APIC_ID << 24);
	xapic_write(XAPIC_ICR_LO, icr);
	uint64_t end = rdtsc() + tsc_ticks_us(10000);

	while ((xapic_read(XAPIC_ICR_LO) & ICR_PENDING) && rdtsc() < end)
		cpu_relax();
	return true;
}

static bool wait_for(volatile uint32_t *counter, uint32_t want, uint64_t us)
{
	uint64_t end = rdtsc() + tsc_ticks_us(us);

	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < want && rdtsc() < end)
		cpu_relax();
	return __atomic_load_n(counter, __ATOMIC_SEQ_CST) >= want;
}

/*
 * How far the AP's loop gets in us microseconds, scaled to the time the
 * window really took: this vCPU may wait for its turn on a shared CPU in
 * the middle of it, and the AP runs on meanwhile.
 */
static uint64_t ap_rate(uint64_t us)
{
	uint64_t before = __atomic_load_n(&ap_progress, __ATOMIC_SEQ_CST), t0 = rdtsc(), t1, n;

	delay_us(us);
	n = __atomic_load_n(&ap_progress, __ATOMIC_SEQ_CST) - before;
	t1 = rdtsc();
	return t1 > t0 ? n * tsc_ticks_us(us) / (t1 - t0) : n;
}

/*
 * NMIs to the AP while it runs guest code: each must arrive, and the AP must
 * go on at its old speed. A host that never takes the kick IPI exits again
 * at once after every entry, so the AP would crawl at a few instructions
 * per exit instead of stopping outright.
 */
static void kick_running_ap(bool x2apic)
{
	uint64_t base, after;
	unsigned int i;

	base = ap_rate(KICK_RATE_US);
	for (i = 0; i < KICK_NMIS; i++) {
		send_ipi(x2apic, XAPIC_ICR_NMI);
		if (!wait_for(&ap_nmis, i + 1, KICK_WAIT_US))
			break;
	}
	check(i == KICK_NMIS, "kick-nmis-delivered", "%u of %u NMIs reached the running AP", i,
	      KICK_NMIS);
	after = ap_rate(KICK_RATE_US);
	check(after * 4 >= base && after > 0, "kick-ap-runs",
	      "AP loop ran %lu times in %u us before the NMIs, %lu after", base, KICK_RATE_US,
	      after);
	ap_spin = false;
}

void guest_main(const struct boot_block *bb)
{
	bool kick = cmdline_get("kick") != NULL;
	bool reset_test = cmdline_get("ap_reset") != NULL;

	size_t len = (size_t)(ap_tramp_end - ap_tramp_start);
	const char *t = cmdline_get("smp_timeout_ms");
	uint64_t timeout_ms = t ? parse_u64(t, 10, NULL) : 1000;

	if (bb && bb->magic == BOOT_BLOCK_MAGIC && bb->vcpu_count < 2)
		fail("smp-vcpu-count", "boot block says %u vCPUs, want >= 2", bb->vcpu_count);

	memcpy((void *)(uintptr_t)AP_TRAMP_BASE, ap_tramp_start, len);
	*tramp_var(ap_cr3) = read_cr3();
	*tramp_var(ap_efer) = EFER_LME | (rdmsr(MSR_EFER) & EFER_NXE);
	*tramp_var(ap_stack) = (uintptr_t)(ap_stack_area + AP_STACK_SIZE);
	*tramp_var(ap_entry) = (uintptr_t)ap_main;
	ap_spin = kick;
	if (reset_test) {
		/* The first boot ends in the AP's reset; the second checks the AP comes up again. */
		ap_reset = inb(BOOT_STATE_PORT) == 0;
		if (!ap_reset)
			pass("ap-reset-rebooted");
		outb(BOOT_STATE_PORT, 1);
	}
	set_irq_handler(2, ap_nmi);
	asm volatile("" ::: "memory");

	bool x2apic = use_x2apic();

	/*
	 * Software-enable the local APIC first, as an OS would: a disabled one
	 * need not send IPIs (KVM, for one, then drops the INIT/SIPI).
	 */
	if (x2apic)
		wrmsr_trap(MSR_X2APIC_SVR, SVR_ENABLE_VECTOR_FF);
	else
		xapic_write(XAPIC_SVR, SVR_ENABLE_VECTOR_FF);
	if (x2apic && !send_ipi(true, ICR_INIT)) {
		xapic_write(XAPIC_SVR, SVR_ENABLE_VECTOR_FF);
		gprintf("INFO x2APIC ICR write faulted, using the xAPIC\n");
		x2apic = false;
	}
	gprintf("INFO starting AP %d via the %s ICR\n", AP_APIC_ID, x2apic ? "x2APIC" : "xAPIC");
	if (!x2apic)
		send_ipi(false, ICR_INIT);
	delay_us(10000);
	send_ipi(x2apic, ICR_STARTUP | AP_SIPI_VECTOR);

	uint64_t deadline = rdtsc() + tsc_ticks_us(timeout_ms * 1000);

	while (__atomic_load_n(&ap_counter, __ATOMIC_SEQ_CST) == 0 && rdtsc() < deadline)
		cpu_relax();
	uint32_t n = __atomic_load_n(&ap_counter, __ATOMIC_SEQ_CST);

	check(n == 1, "smp", "AP counter %u after %lu ms, want 1", n, timeout_ms);
	if (ap_reset && n == 1) {
		/* The reset comes from the AP: this vCPU is stopped wherever it is. */
		delay_us(timeout_ms * 1000);
		fail("ap-reset", "still running %lu ms after the AP's reset", timeout_ms);
	}
	if (kick && n == 1)
		kick_running_ap(x2apic);
}
