// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform's wiring tables (vmm/include/vmm/pc_wiring.h): no state,
 * no locks, shared by the device setup and its host unit test.
 */
#include <vmm/acpi_build.h>
#include <vmm/dev/pci_host.h>
#include <vmm/dev/reset_ctl.h>
#include <vmm/pc_wiring.h>

/*
 * The GSIs must agree with the MADT vmm/boot/acpi_build.c writes: ISA IRQ n
 * is pin n (edge, active high) except for its two overrides, IRQ 0 on pin 2
 * and the SCI level triggered, active high.
 */
const struct pc_irq_route pc_irq_routes[PC_IRQ_COUNT] = {
	[PC_IRQ_PIT] = { PC_ISA_IRQ_PIT, PC_GSI_PIT, false, "PIT" },
	[PC_IRQ_KBD] = { PC_ISA_IRQ_KBD, PC_ISA_IRQ_KBD, false, "keyboard" },
	[PC_IRQ_COM1] = { PC_ISA_IRQ_COM1, PC_ISA_IRQ_COM1, false, "COM1" },
	[PC_IRQ_RTC] = { PC_ISA_IRQ_RTC, PC_ISA_IRQ_RTC, false, "RTC" },
	[PC_IRQ_SCI] = { ACPI_SCI_IRQ, ACPI_SCI_IRQ, true, "SCI" },
	[PC_IRQ_AUX] = { PC_ISA_IRQ_AUX, PC_ISA_IRQ_AUX, false, "aux" },
};

unsigned int pc_isa_irq_to_gsi(unsigned int isa_irq)
{
	return isa_irq == PC_ISA_IRQ_PIT ? PC_GSI_PIT : isa_irq;
}

uint16_t pc_elcr_power_on(void)
{
	uint16_t elcr = 0;

	for (unsigned int i = 0; i < PC_IRQ_COUNT; i++)
		if (pc_irq_routes[i].level)
			elcr |= (uint16_t)(1u << pc_irq_routes[i].isa_irq);
	return elcr & PC_ELCR_WRITABLE;
}

enum pc_cf8_target pc_cf8_decode(uint16_t port, unsigned int size)
{
	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
		return PC_CF8_PCI;
	if (port == RESET_CTL_CF9_PORT && size == 1)
		return PC_CF8_RESET;
	if (port >= PCI_CONFIG_DATA_PORT && port < PCI_CONFIG_DATA_PORT + 4)
		return PC_CF8_PCI;
	return PC_CF8_NONE;
}
