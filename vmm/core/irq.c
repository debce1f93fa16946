/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A partition's interrupt routing: the vCPUs' local APICs and the I/O APIC
 * (device models in vmm/dev/), the messages between them, and what the vCPU
 * loop and the exit handlers ask of them. Locking is described in
 * vmm/include/vmm/irq.h: everything here runs under p->irq_lock.
 */
#include <asm/cpu.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <vmm/acpi_build.h>
#include <vmm/dev/ioapic.h>
#include <vmm/dev/lapic.h>
#include <vmm/irq.h>
#include <vmm/partition.h>
#include <vmm/pc_devices.h>

static uint64_t clock_now_ns(void *ctx)
{
	(void)ctx;
	return time_ns();
}

const struct dev_clock vmm_device_clock = { .now_ns = clock_now_ns };

/* The vCPU's own TSC: the host's plus the offset its IA32_TSC/TSC_ADJUST writes set. */
static uint64_t read_tsc(void *ctx)
{
	struct vcpu *v = ctx;

	return rdtsc() + v->msrs.tsc_offset;
}

/* A start-up IPI only means something to a vCPU still waiting for one. */
static void send_sipi(struct vcpu *t, uint8_t vector)
{
	if (t->state == VCPU_WAIT_SIPI &&
	    !(__atomic_load_n(&t->requests, __ATOMIC_ACQUIRE) & VCPU_REQ_SIPI)) {
		t->sipi_vector = vector;
		vcpu_request(t, VCPU_REQ_SIPI);
	}
}

/*
 * Lowest priority goes to the matching LAPIC with the lowest PPR (the first
 * one on a tie), as the SDM's arbitration would pick among equals.
 */
static void route_lowest(struct partition *p, const struct lapic_ipi *ipi, struct vcpu *from)
{
	struct vcpu *best = NULL;

	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *t = p->vcpus[i];

		/* None between a run's end and the next start (vmm/core/lifecycle.c). */
		if (!t || !lapic_match_dest(&t->lapic, ipi, t == from))
			continue;
		if (!best || lapic_ppr(&t->lapic) < lapic_ppr(&best->lapic))
			best = t;
	}
	if (best)
		lapic_accept(&best->lapic, ipi->vector, ipi->level_triggered);
}

/* One message to every LAPIC it names; from is the sending vCPU, NULL for the I/O APIC. */
static void route(struct partition *p, const struct lapic_ipi *ipi, struct vcpu *from)
{
	if (ipi->delivery == LAPIC_DM_LOWEST) {
		route_lowest(p, ipi, from);
		return;
	}
	for (unsigned int i = 0; i < p->vcpu_count; i++) {
		struct vcpu *t = p->vcpus[i];

		/* None between a run's end and the next start (vmm/core/lifecycle.c). */
		if (!t || !lapic_match_dest(&t->lapic, ipi, t == from))
			continue;
		switch (ipi->delivery) {
		case LAPIC_DM_FIXED:
			/* The model kicks the target if the vector beats its PPR. */
			lapic_accept(&t->lapic, ipi->vector, ipi->level_triggered);
			break;
		case LAPIC_DM_NMI:
			/* Like the pin: NMIs arriving while one is latched merge into it. */
			vcpu_request(t, VCPU_REQ_NMI);
			break;
		case LAPIC_DM_INIT:
			/*
			 * A vCPU waiting for its SIPI takes the INIT as the reset of its
			 * LAPIC; re-initialising a running vCPU (its registers too) is
			 * not modelled, so it ignores INIT as before.
			 */
			if (t != from && t->state == VCPU_WAIT_SIPI)
				lapic_init_signal(&t->lapic);
			break;
		case LAPIC_DM_STARTUP:
			if (t != from)
				send_sipi(t, ipi->vector);
			break;
		default:
			/* SMI: there is no SMM in a partition. */
			break;
		}
	}
}

static void lapic_send_ipi_cb(void *ctx, const struct lapic_ipi *ipi)
{
	struct vcpu *v = ctx;

	route(v->part, ipi, v);
}

static void lapic_kick_cb(void *ctx)
{
	vcpu_kick(ctx);
}

static void lapic_eoi_cb(void *ctx, uint8_t vector)
{
	struct vcpu *v = ctx;

	ioapic_eoi(&v->part->ioapic, vector);
}

static void ioapic_deliver_cb(void *ctx, const struct ioapic_msg *m)
{
	struct partition *p = ctx;
	struct lapic_ipi ipi = {
		.dest = m->dest,
		.delivery = (enum lapic_delivery)m->delivery_mode,
		.shorthand = LAPIC_SH_NONE,
		.logical = m->logical,
		.vector = m->vector,
		.asserted = true,
		.level_triggered = m->level,
	};

	/* ExtINT needs an 8259 behind the LAPIC: none is wired to the I/O APIC yet. */
	if (m->delivery_mode == IOAPIC_DM_EXTINT)
		return;
	route(p, &ipi, NULL);
}

/*
 * An MSI is a posted write of data to addr (SDM 11.11): address 0xFEEx_xxxx
 * names the destination (bits 19:12, bit 2 logical), data the vector and
 * delivery mode. A write anywhere else would be DMA into memory, which no
 * device of ours does: it is dropped.
 */
void vmm_irq_msi(struct partition *p, uint64_t addr, uint32_t data)
{
	struct lapic_ipi ipi = {
		.dest = (uint32_t)(addr >> MSI_ADDR_DEST_SHIFT) & 0xff,
		.delivery = (enum lapic_delivery)((data >> MSI_DATA_DM_SHIFT) & 7),
		.shorthand = LAPIC_SH_NONE,
		.logical = addr & MSI_ADDR_LOGICAL,
		.vector = (uint8_t)data,
		.asserted = true,
		.level_triggered = data & MSI_DATA_LEVEL_TRIGGER,
	};

	if ((addr & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
		return;
	/* ExtINT and INIT/SIPI make no sense from a device; SMI has no SMM to go to. */
	if (ipi.delivery != LAPIC_DM_FIXED && ipi.delivery != LAPIC_DM_LOWEST &&
	    ipi.delivery != LAPIC_DM_NMI)
		return;
	spin_lock(&p->irq_lock);
	route(p, &ipi, NULL);
	spin_unlock(&p->irq_lock);
}

int vmm_irq_init(struct partition *p)
{
	/* The ID the MADT gives it, so the guest's view and the register agree. */
	struct ioapic_config c = { .id = ACPI_IOAPIC_ID, .deliver = ioapic_deliver_cb, .ctx = p };

	spin_lock_init(&p->irq_lock);
	ioapic_init(&p->ioapic, &c);
	return 0;
}

void vmm_irq_reset(struct partition *p)
{
	spin_lock(&p->irq_lock);
	ioapic_reset(&p->ioapic);
	spin_unlock(&p->irq_lock);
}

void vmm_irq_set_gsi(struct partition *p, unsigned int gsi, bool level)
{
	spin_lock(&p->irq_lock);
	/* The wiring table only names pins the I/O APIC has (test_pc_wiring). */
	ioapic_set_irq(&p->ioapic, gsi, level);
	spin_unlock(&p->irq_lock);
}

static void line_set_level(void *ctx, bool level)
{
	struct vmm_irq_line *line = ctx;

	vmm_irq_set_gsi(line->p, line->gsi, level);
}

struct dev_irq vmm_irq_line(struct vmm_irq_line *line, struct partition *p, unsigned int gsi)
{
	line->p = p;
	line->gsi = gsi;
	return (struct dev_irq){ .set_level = line_set_level, .ctx = line };
}

int vcpu_lapic_create(struct vcpu *v)
{
	struct lapic_config c = {
		.apic_id = v->index,
		.bsp = v->index == 0,
		/* Offered exactly when CPUID offers them. */
		.x2apic = v->part->cpuid.x2apic,
		.clock = vmm_device_clock,
		/* 0 when CPUID hides TSC-deadline mode: the LVT bit and MSR 0x6e0 then #GP. */
		.tsc_hz = v->part->cpuid.tsc_deadline ? tsc_hz() : 0,
		.read_tsc = read_tsc,
		.send_ipi = lapic_send_ipi_cb,
		.kick = lapic_kick_cb,
		.eoi_broadcast = lapic_eoi_cb,
		.ctx = v,
	};

	return lapic_init(&v->lapic, &c);
}

void vcpu_lapic_reset(struct vcpu *v)
{
	spin_lock(&v->part->irq_lock);
	lapic_reset(&v->lapic);
	spin_unlock(&v->part->irq_lock);
}

void vcpu_irq_edge(struct vcpu *v, uint8_t vector)
{
	spin_lock(&v->part->irq_lock);
	lapic_accept(&v->lapic, vector, false);
	spin_unlock(&v->part->irq_lock);
}

/* TSC value for a clock deadline in ns, capped a second ahead (the caller's slices are far shorter). */
static uint64_t deadline_to_tsc(uint64_t deadline, uint64_t now_ns)
{
	uint64_t delta = deadline > now_ns ? MIN(deadline - now_ns, NSEC_PER_SEC) : 0;

	return rdtsc() + delta * tsc_hz() / NSEC_PER_SEC + 1;
}

/*
 * One look at the LAPIC per entry, under one lock: fire an expired timer,
 * find the deliverable vector and the next timer event. vCPU 0 first fires
 * the platform devices' due timers, outside irq_lock (their lock comes
 * first), so an interrupt they raise is seen by the same look. The clock is
 * read only when a timer is armed, which keeps the common exit cheap.
 */
int vcpu_irq_poll(struct vcpu *v, uint64_t *deadline_tsc)
{
	uint64_t next, now_ns = 0, dev_next = UINT64_MAX;
	int vec;

	if (v->index == 0) {
		dev_next = vmm_pc_devices_next_ns(&v->part->pc);
		if (dev_next != UINT64_MAX) {
			now_ns = time_ns();
			if (dev_next <= now_ns)
				dev_next = vmm_pc_devices_update(v->part, now_ns);
		}
	}
	spin_lock(&v->part->irq_lock);
	next = lapic_next_deadline_ns(&v->lapic);
	if (next != UINT64_MAX) {
		if (!now_ns)
			now_ns = time_ns();
		if (next <= now_ns) {
			lapic_timer_update(&v->lapic, now_ns);
			next = lapic_next_deadline_ns(&v->lapic);
		}
	}
	vec = lapic_pending_vector(&v->lapic);
	spin_unlock(&v->part->irq_lock);
	next = MIN(next, dev_next);
	*deadline_tsc = next == UINT64_MAX ? 0 : deadline_to_tsc(next, now_ns);
	return vec;
}

void vcpu_irq_ack(struct vcpu *v, uint8_t vector)
{
	spin_lock(&v->part->irq_lock);
	lapic_ack(&v->lapic, vector);
	spin_unlock(&v->part->irq_lock);
}


uint64_t vcpu_cr8_read(struct vcpu *v)
{
	uint32_t tpr = 0;

	spin_lock(&v->part->irq_lock);
	/* The page may be gone (x2APIC, disabled): CR8 still reaches the TPR, so read it directly. */
	tpr = v->lapic.tpr;
	spin_unlock(&v->part->irq_lock);
	return (tpr >> 4) & 0xf;
}

void vcpu_cr8_write(struct vcpu *v, uint64_t cr8)
{
	uint32_t tpr = (uint32_t)(cr8 & 0xf) << 4;

	spin_lock(&v->part->irq_lock);
	/*
	 * Through the register path when the page is there, so a lowered TPR
	 * kicks like any TPR write; otherwise straight into the field.
	 */
	if (lapic_mmio_write(&v->lapic, LAPIC_REG_TPR, 4, tpr) < 0)
		v->lapic.tpr = tpr;
	spin_unlock(&v->part->irq_lock);
}

int vcpu_lapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	int ret;

	spin_lock(&v->part->irq_lock);
	ret = lapic_msr_read(&v->lapic, msr, value);
	spin_unlock(&v->part->irq_lock);
	return ret;
}

int vcpu_lapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	int ret;

	spin_lock(&v->part->irq_lock);
	ret = lapic_msr_write(&v->lapic, msr, value);
	spin_unlock(&v->part->irq_lock);
	return ret;
}

/*
 * The xAPIC page: each vCPU reaches its own LAPIC at the same address. An
 * access the model refuses (wrong size or alignment, the page switched off
 * by IA32_APIC_BASE) reads as zero and is dropped, rather than stopping the
 * partition as an unclaimed address would.
 */
static int lapic_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			bool write, uint64_t *value)
{
	struct partition *p = opaque;
	uint32_t val = 0;

	spin_lock(&p->irq_lock);
	if (write) {
		lapic_mmio_write(&v->lapic, off, size, (uint32_t)*value);
	} else {
		lapic_mmio_read(&v->lapic, off, size, &val);
		*value = val;
	}
	spin_unlock(&p->irq_lock);
	return 0;
}

static int ioapic_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			 bool write, uint64_t *value)
{
	struct partition *p = opaque;
	uint32_t val = 0;

	(void)v;
	spin_lock(&p->irq_lock);
	if (write) {
		ioapic_mmio_write(&p->ioapic, off, size, (uint32_t)*value);
	} else {
		/* Registers other than IOREGSEL/IOWIN read as zero. */
		ioapic_mmio_read(&p->ioapic, off, size, &val);
		*value = val;
	}
	spin_unlock(&p->irq_lock);
	return 0;
}

const struct io_dev_ops vmm_lapic_ops = { .access = lapic_access };
const struct io_dev_ops vmm_ioapic_ops = { .access = ioapic_access };
