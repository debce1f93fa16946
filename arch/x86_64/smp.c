/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU areas and AP start-up with INIT-SIPI-SIPI through the low trampoline. */
#include <asm/cpu.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/trap.h>
#include <plinth/acpi_kernel.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/time.h>

#define AP_START_TIMEOUT_MS 500
#define BROADCAST_MAX_APS 15

extern const char trampoline_start[], trampoline_end[];
extern const char tr_gdt[], tr_gdt_desc[], tr_pm_jump[], tr_lm_jump[], tr_pm_entry[],
	tr_lm_entry[], tr_cr3[], tr_entry[], tr_percpu[], tr_table[], tr_table_len[],
	tr_ticket[];

struct percpu *cpu_table[MAX_CPUS];
unsigned int cpus_online;
unsigned int cpus_possible;
static paddr_t trampoline_phys;

static struct percpu *percpu_create(unsigned int index, uint32_t apic_id)
{
	struct percpu *pc = kzalloc(sizeof(*pc));

	if (!pc)
		return NULL;
	pc->index = index;
	pc->apic_id = apic_id;
	pc->stack_top = stack_alloc(KERNEL_STACK_SIZE);
	for (int i = 0; i < IST_COUNT; i++)
		pc->ist_top[i] = stack_alloc(IST_STACK_SIZE);
	if (!pc->stack_top || !pc->ist_top[0] || !pc->ist_top[1] || !pc->ist_top[2]) {
		kfree(pc);
		return NULL;
	}
	return pc;
}

void smp_bsp_setup(void (*next)(void *), void *arg)
{
	struct percpu *pc = percpu_create(0, 0); /* APIC ID filled in once the LAPIC is set up */

	if (!pc) {
		pr_err("smp: no memory for the boot CPU's per-CPU area\n");
		cpu_park();
	}
	percpu_install(pc);
	pc->online = true;
	cpu_table[0] = pc;
	cpus_online = 1;
	call_on_stack(next, arg, pc->stack_top);
}

static void __noreturn ap_main(struct percpu *pc)
{
	percpu_install(pc);
	idt_load();
	write_cr4(read_cr4() | CR4_PGE);
	lapic_enable();
	pc->apic_id = lapic_id();
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
	smp_idle_loop();
}

/* Idle: sleep until a cross-CPU call hands over work, then run it outside interrupt context. */
void smp_idle_loop(void)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		void (*fn)(void *);

		irq_disable();
		fn = pc->work_fn;
		if (!fn) {
			cpu_idle_wait();
			continue;
		}
		pc->work_fn = NULL;
		irq_enable();
		fn(pc->work_arg);
	}
}

static void take_work(void *arg)
{
	struct percpu *pc = this_cpu();
	void **work = arg;

	pc->work_arg = work[1];
	pc->work_fn = (void (*)(void *))work[0];
}

int smp_run_on(unsigned int cpu, void (*fn)(void *), void *arg)
{
	void *work[2] = { (void *)fn, arg };

	if (cpu >= MAX_CPUS || !cpu_table[cpu] || cpu_table[cpu]->work_fn)
		return -EBUSY;
	return smp_call(cpu, take_work, work);
}

static void patch32(uint8_t *page, const char *sym, uint32_t v)
{
	memcpy(page + (sym - trampoline_start), &v, sizeof(v));
}

static void patch64(uint8_t *page, const char *sym, uint64_t v)
{
	memcpy(page + (sym - trampoline_start), &v, sizeof(v));
}

static int trampoline_prepare(paddr_t page_pa)
{
	uint8_t *page = phys_to_virt(page_pa);
	size_t len = trampoline_end - trampoline_start;
	int ret;

	if (!page_pa || page_pa >= 0x100000 || (page_pa & (PAGE_SIZE - 1)) || len > PAGE_SIZE)
		return -EINVAL;
	ret = paging_identity_map_page(page_pa);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	memcpy(page, trampoline_start, len);
	patch32(page, tr_gdt_desc + 2, page_pa + (tr_gdt - trampoline_start));
	patch32(page, tr_pm_jump, page_pa + (tr_pm_entry - trampoline_start));
	patch32(page, tr_lm_jump, page_pa + (tr_lm_entry - trampoline_start));
	patch64(page, tr_cr3, paging_root());
	patch64(page, tr_entry, (uint64_t)ap_main);
	return 0;
}

static bool wait_online(struct percpu *pc, uint64_t timeout_us)
{
	uint64_t deadline = time_ns() + timeout_us * NSEC_PER_USEC;

	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static int start_ap(struct percpu *pc)
{
	uint8_t *page = phys_to_virt(trampoline_phys);
	uint32_t vector = (uint32_t)(trampoline_phys >> PAGE_SHIFT);

	patch64(page, tr_percpu, (uint64_t)pc);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_ipi(pc->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		lapic_send_ipi(pc->apic_id, ICR_STARTUP | vector);
		if (wait_online(pc, i == 0 ? 1000 : AP_START_TIMEOUT_MS * 1000))
			return 0;
	}
	return -ETIMEDOUT;
}

/*
 * Brings a CPU that parked itself after a fatal exception back: INIT resets
 * it whatever it was doing, and it starts afresh on its old per-CPU area.
 * A CPU in VMX root operation ignores INIT, so it cannot be recovered here.
 */
int smp_restart_cpu(unsigned int index)
{
	struct percpu *pc = index < MAX_CPUS ? cpu_table[index] : NULL;
	int ret;

	if (!pc || index == 0 || __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))
		return -EINVAL;
	if (pc->vmx_on)
		return -EBUSY;
	pc->in_fatal = false;
	pc->fault_fixup_rip = 0;
	pc->work_fn = NULL;
	pc->current_vcpu = NULL;
	memset(&pc->xcall, 0, sizeof(pc->xcall)); /* a call it died in will never finish */
	ret = start_ap(pc);
	if (ret == 0)
		pr_info("smp: cpu%u restarted\n", index);
	return ret;
}

static uint32_t read32(const uint8_t *page, const char *sym)
{
	return __atomic_load_n((const uint32_t *)(page + (sym - trampoline_start)), __ATOMIC_ACQUIRE);
}

/*
 * Without a MADT (OVMF under Bochs publishes none) the CPUs are found the
 * pre-ACPI way: INIT-SIPI-SIPI to all but ourselves. Each AP takes a ticket
 * in the trampoline and the per-CPU area prepared for that ticket; a CPU
 * that arrived but never came online is counted as possible, not online.
 */
static void boot_aps_by_broadcast(void)
{
	static struct percpu *slots[BROADCAST_MAX_APS];
	uint8_t *page = phys_to_virt(trampoline_phys);
	uint32_t vector = (uint32_t)(trampoline_phys >> PAGE_SHIFT);
	uint32_t n = 0, arrived;
	uint64_t deadline;

	for (; n < BROADCAST_MAX_APS; n++) {
		slots[n] = percpu_create(n + 1, 0);
		if (!slots[n])
			break;
	}
	patch64(page, tr_percpu, 0);
	patch64(page, tr_table, (uint64_t)slots);
	patch32(page, tr_table_len, n);
	patch32(page, tr_ticket, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pr_warn("smp: no MADT, starting CPUs by broadcast INIT-SIPI (at most %u)\n", n);

	lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_INIT | ICR_LEVEL_ASSERT);
	udelay(10000);
	lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_STARTUP | vector);
	udelay(200);
	lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_STARTUP | vector);

	/* Arrivals stop within the SIPI window; then give each its start-up time. */
	deadline = time_ns() + AP_START_TIMEOUT_MS * NSEC_PER_MSEC;
	while (time_ns() < deadline)
		cpu_relax();
	arrived = MIN(read32(page, tr_ticket), n);
	for (uint32_t i = 0; i < arrived; i++) {
		if (!wait_online(slots[i], AP_START_TIMEOUT_MS * 1000)) {
			pr_err("smp: cpu%u arrived but did not come online\n", i + 1);
			continue;
		}
		cpu_table[i + 1] = slots[i];
		pr_info("smp: cpu%u (APIC ID %u) online\n", i + 1, slots[i]->apic_id);
	}
	cpus_possible = 1 + arrived;
}

unsigned int smp_boot_aps(paddr_t trampoline_page)
{
	uint32_t bsp_id = this_cpu()->apic_id;
	unsigned int next_index = 1;
	int ret;

	cpus_possible = 1;
	for (unsigned int i = 0; i < acpi.cpu_count; i++)
		if (acpi.cpus[i].enabled && acpi.cpus[i].apic_id != bsp_id)
			cpus_possible++;

	trampoline_phys = trampoline_page;
	ret = trampoline_prepare(trampoline_phys);
	if (ret < 0) {
		pr_err("smp: no usable trampoline page (%s), running on the boot CPU only\n",
		       strerror(ret));
		goto out;
	}
	if (!acpi.has_madt) {
		boot_aps_by_broadcast();
		goto out;
	}
	for (unsigned int i = 0; i < acpi.cpu_count && next_index < MAX_CPUS; i++) {
		const struct acpi_cpu *c = &acpi.cpus[i];
		struct percpu *pc;

		if (!c->enabled || c->apic_id == bsp_id)
			continue;
		if (!lapic_x2apic_mode() && c->apic_id > 0xfe) {
			pr_warn("smp: APIC ID %u needs x2APIC, skipped\n", c->apic_id);
			continue;
		}
		pc = percpu_create(next_index, c->apic_id);
		if (!pc) {
			pr_err("smp: no memory for cpu%u\n", next_index);
			break;
		}
		cpu_table[next_index] = pc;
		if (start_ap(pc) < 0) {
			pr_err("smp: CPU with APIC ID %u did not start\n", c->apic_id);
			cpu_table[next_index] = NULL;
			continue; /* its stacks stay allocated: it may still wake up late */
		}
		pr_info("smp: cpu%u (APIC ID %u) online\n", next_index, c->apic_id);
		next_index++;
	}
out:
	pr_info("%u of %u CPUs online\n", cpus_online, cpus_possible);
	return cpus_online;
}
