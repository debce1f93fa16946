/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PC_DEVICES_H
#define VMM_PC_DEVICES_H

/*
 * The PC platform devices of a partition (vmm/core/pc_devices.c): the
 * device models of vmm/dev/ a PC operating system expects at fixed ports,
 * placed on the partition's I/O bus, their interrupt lines wired to the I/O
 * APIC as vmm/include/vmm/pc_wiring.h says, their timers driven by vCPU 0
 * (vcpu_irq_poll()), and their resets and power-off acting on the partition:
 *
 *   0x20-0x21, 0xa0-0xa1  8259 pair: present, masked, never delivers
 *   0x40-0x43, 0x61       8254 PIT and port B           IRQ 0 -> GSI 2
 *   0x60, 0x64            i8042, nothing attached       IRQ 1, IRQ 12
 *   0x70-0x71             CMOS RTC, from the firmware's wall clock   IRQ 8
 *   0x92                  port A: INIT_NOW resets the partition
 *   0x4d0-0x4d1           ELCR
 *   0x600-0x60b           ACPI PM1a event/control, PM timer   SCI: IRQ 9 (level)
 *   0xcf8-0xcff           PCI host bridge 00:00.0; a byte at 0xcf9 is reset control
 *
 * Locking: one lock, pc.lock, serialises every model here (port accesses
 * from any vCPU and the timer updates on vCPU 0); interrupt lines are driven
 * under it, so pc.lock comes before p->irq_lock (vmm/include/vmm/irq.h).
 * The PCI bus behind 0xcf8 (vmm/include/vmm/pci/vpci.h) has its own lock,
 * taken inside pc.lock: pc.lock -> vpci bus lock -> p->irq_lock.
 * What a guest write triggers in the partition (a reboot, a power-off) is
 * recorded under the lock and acted on after it is dropped.
 */
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <vmm/dev/acpi_pm.h>
#include <vmm/dev/i8042.h>
#include <vmm/dev/pci_host.h>
#include <vmm/dev/pic8259.h>
#include <vmm/dev/pit8254.h>
#include <vmm/dev/reset_ctl.h>
#include <vmm/dev/rtc_cmos.h>
#include <vmm/irq.h>
#include <vmm/pc_wiring.h>

struct partition;
struct pc_port_desc;

/* What a guest access asked of the partition, acted on once pc.lock is dropped. */
enum pc_action {
	PC_ACTION_NONE,
	PC_ACTION_REBOOT,
	PC_ACTION_POWER_OFF,
};

/* One bus range of the platform and the partition it belongs to: the port handler's opaque. */
struct pc_port_range {
	struct partition *p;
	const struct pc_port_desc *desc;
};

#define PC_PORT_RANGES 14

struct pc_devices {
	spinlock_t lock;
	struct pit pit;
	struct rtc_cmos rtc;
	struct acpi_pm pm;
	struct pci_host pci;
	struct i8042 kbc;
	struct reset_ctl rst;
	struct pic8259 pic;
	uint16_t elcr;
	uint8_t post; /* the last byte written to the POST/delay port */
	struct vmm_irq_line lines[PC_IRQ_COUNT];
	struct pc_port_range ranges[PC_PORT_RANGES];
	/*
	 * The earliest next event of the PIT, RTC and PM timer in time_ns(),
	 * UINT64_MAX for none. Written under the lock, read without it by vCPU 0
	 * on every entry: nothing armed costs one load.
	 */
	uint64_t next_ns;
	enum pc_action action;  /* under the lock, for the access in progress */
	const char *action_why; /* which reset it was */
	unsigned int reports;   /* guest oddities logged so far (bounded) */
};

/* Models, interrupt lines and bus ranges of a new partition; 0 or <0. After vmm_irq_init(). */
int vmm_pc_devices_init(struct partition *p);
/* Every model back to power-on state (partition reboot); the RTC keeps its time and NVRAM. */
void vmm_pc_devices_reset(struct partition *p);
/* The interrupt line of a platform source, for devices set up elsewhere (COM1). */
struct dev_irq vmm_pc_irq(struct partition *p, enum pc_irq_source src);

/* vCPU 0, every entry: the next device event in time_ns() (UINT64_MAX: none). No lock. */
static inline uint64_t vmm_pc_devices_next_ns(const struct pc_devices *pc)
{
	return __atomic_load_n(&pc->next_ns, __ATOMIC_ACQUIRE);
}
/* vCPU 0: runs the device timers due by now_ns; returns the next event as above. */
uint64_t vmm_pc_devices_update(struct partition *p, uint64_t now_ns);

#endif
