/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

/*
 * A partition's interrupt routing (vmm/core/irq.c): one local APIC per vCPU
 * (vmm/dev/lapic.h), one I/O APIC per partition (vmm/dev/ioapic.h) and the
 * messages between them.
 *
 * Locking: every call into any of the partition's LAPICs or its I/O APIC is
 * made under p->irq_lock. A LAPIC is changed by its own vCPU (register
 * accesses, injection, its timer) and by senders on other vCPUs
 * (lapic_accept for IPIs and I/O APIC messages), and one LAPIC write can
 * reach every other LAPIC and the I/O APIC through the model's callbacks, so
 * a single lock for the whole partition is the simple correct choice; the
 * hold times are a few hundred instructions. The callbacks run with the lock
 * held and only set request bits and send host kick IPIs, which take no
 * other lock.
 *
 * Device models drive I/O APIC pins through vmm_irq_set_gsi(), which takes
 * p->irq_lock inside whatever lock serialises the model. The partition's
 * lock order is therefore:
 *
 *   p->pc.lock (PC platform devices) -> p->irq_lock
 *   p->uart_lock (COM1)              -> p->irq_lock
 *   p->uart_lock                     -> p->lock (console output)
 *
 * Nothing takes a device lock while holding irq_lock: the I/O APIC's EOI
 * path ends in the I/O APIC model, never in a device.
 */
#include <plinth/types.h>
#include <vmm/dev/dev.h>
#include <vmm/io_bus.h>

struct vcpu;
struct partition;

/* The partition's I/O APIC; called from vmm_devices_init(). */
int vmm_irq_init(struct partition *p);
/* Power-on state of the I/O APIC (partition reboot): every pin masked. */
void vmm_irq_reset(struct partition *p);
/* A device drives I/O APIC pin gsi to level (asserted as the device sees it). */
void vmm_irq_set_gsi(struct partition *p, unsigned int gsi, bool level);

/* MSI address and data fields (SDM 11.11.1, 11.11.2). */
#define MSI_ADDR_BASE 0xfee00000ULL
#define MSI_ADDR_BASE_MASK 0xfff00000ULL
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_LOGICAL (1u << 2)
#define MSI_DATA_DM_SHIFT 8
#define MSI_DATA_LEVEL_TRIGGER (1u << 15)

/*
 * A device's message-signalled interrupt (MSI or MSI-X): delivered to the
 * LAPICs it names like an I/O APIC message. Takes p->irq_lock.
 */
void vmm_irq_msi(struct partition *p, uint64_t addr, uint32_t data);

/* One interrupt line from a device model to an I/O APIC pin. */
struct vmm_irq_line {
	struct partition *p;
	unsigned int gsi;
};

/* Sets up *line and returns the dev_irq a model drives it through. */
struct dev_irq vmm_irq_line(struct vmm_irq_line *line, struct partition *p, unsigned int gsi);

/* The vCPU's LAPIC (APIC ID = index); called once when the vCPU is created. */
int vcpu_lapic_create(struct vcpu *v);
/* Power-on state of the vCPU's LAPIC (vcpu_reset()). */
void vcpu_lapic_reset(struct vcpu *v);

/* The test timer's vector, as an edge on the vCPU's LAPIC. */
void vcpu_irq_edge(struct vcpu *v, uint8_t vector);
/*
 * The highest vector the LAPIC would deliver now, or -1 (expired timers fire
 * first), and in *deadline_tsc the TSC value at which its timer next needs
 * the vCPU (0 for none). On vCPU 0 it first services the PC platform
 * devices' due timers (vmm/pc_devices.h), whose next event then bounds
 * *deadline_tsc too: vCPU 0 keeps the PIT, RTC and PM timer going even
 * while every vCPU is halted.
 */
int vcpu_irq_poll(struct vcpu *v, uint64_t *deadline_tsc);
/* The vector was injected: IRR -> ISR. */
void vcpu_irq_ack(struct vcpu *v, uint8_t vector);

/* CR8 is TPR[7:4]. */
uint64_t vcpu_cr8_read(struct vcpu *v);
void vcpu_cr8_write(struct vcpu *v, uint64_t cr8);

/*
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range. -ENOENT: not a
 * LAPIC MSR; -EINVAL: #GP.
 */
int vcpu_lapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value);
int vcpu_lapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* Plinth's time_ns(): the one clock every device model of every partition reads. */
extern const struct dev_clock vmm_device_clock;

extern const struct io_dev_ops vmm_lapic_ops;  /* opaque: the partition */
extern const struct io_dev_ops vmm_ioapic_ops; /* opaque: the partition */

#endif
