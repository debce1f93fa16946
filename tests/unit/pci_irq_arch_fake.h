/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_PCI_IRQ_ARCH_FAKE_H
#define TESTS_PCI_IRQ_ARCH_FAKE_H

/*
 * Host stand-ins for what drivers/pci/pci_msi.c calls outside drivers/pci:
 * the IDT vector allocator (asm/trap.h), the service CPU's APIC ID
 * (asm/io_apic.h), pci_intx.c's attach/detach, and the log.
 */
#include <pci/pci.h>

#define FAKE_VEC_FIRST 0x40
#define FAKE_VEC_COUNT 32

struct pci_irq_arch_fake {
	void (*fn[FAKE_VEC_COUNT])(void *ctx);
	void *ctx[FAKE_VEC_COUNT];
	unsigned int free_left;		/* vectors irq_vector_alloc may still hand out */
	uint32_t apic_id;
	unsigned int intx_attached, intx_detached;
	int intx_ret;
};

extern struct pci_irq_arch_fake arch_fake;

void pci_irq_arch_fake_reset(void);
/* Runs what vector @v was allocated for, as its arrival would; false if it is free. */
bool pci_irq_arch_fake_fire(int v);
unsigned int pci_irq_arch_fake_in_use(void);

#endif
