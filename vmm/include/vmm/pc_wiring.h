/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PC_WIRING_H
#define VMM_PC_WIRING_H

/*
 * How the PC platform's devices are wired in a partition, as pure tables
 * and decoders (vmm/core/pc_wiring.c, host-tested): which ISA IRQ each
 * device drives and which I/O APIC pin (GSI) that reaches, the ELCR's view
 * of those lines, and the chipset's split of ports 0xcf8-0xcff between the
 * PCI configuration mechanism and the reset control register.
 */
#include <plinth/types.h>

/* ISA IRQs of the PC's fixed devices. The SCI's (9) is ACPI_SCI_IRQ in vmm/acpi_build.h. */
#define PC_ISA_IRQ_PIT 0
#define PC_ISA_IRQ_KBD 1
#define PC_ISA_IRQ_CASCADE 2 /* the slave 8259; the I/O APIC's pin 2 is the PIT's instead */
#define PC_ISA_IRQ_COM1 4
#define PC_ISA_IRQ_RTC 8
#define PC_ISA_IRQ_AUX 12
#define PC_ISA_IRQS 16
/* The MADT's interrupt source override: ISA IRQ 0 arrives at I/O APIC pin 2. */
#define PC_GSI_PIT 2

/*
 * The POST code port: firmware writes progress codes to it and Linux's
 * outb_p() writes it as an I/O delay. Nothing decodes it on a PC but a POST
 * card; it reads back the last byte, as many chipsets do.
 */
#define PC_POST_PORT 0x80

/* Edge/level control registers (PIIX/ICH ELCR1 and ELCR2): bit n is ISA IRQ n, 1 = level. */
#define PC_ELCR_PORT 0x4d0
#define PC_ELCR_LEN 2
/* IRQs 0, 1, 2, 8 and 13 are always edge triggered: their ELCR bits are reserved, read 0. */
#define PC_ELCR_WRITABLE 0xdef8

enum pc_irq_source {
	PC_IRQ_PIT,
	PC_IRQ_KBD,
	PC_IRQ_COM1,
	PC_IRQ_RTC,
	PC_IRQ_SCI,
	PC_IRQ_AUX,
	PC_IRQ_COUNT,
};

struct pc_irq_route {
	uint8_t isa_irq;
	uint8_t gsi;
	bool level; /* level triggered (the SCI); all others are ISA edges */
	const char *name;
};

extern const struct pc_irq_route pc_irq_routes[PC_IRQ_COUNT];

/* The I/O APIC pin an ISA IRQ reaches: identity but for the PIT's override. */
unsigned int pc_isa_irq_to_gsi(unsigned int isa_irq);
/* The ELCR as firmware leaves it: the level-triggered lines of the table set. */
uint16_t pc_elcr_power_on(void);

/*
 * Ports 0xcf8-0xcff, as the chipset decodes them: a 32-bit access at 0xcf8
 * is CONFIG_ADDRESS and any access within 0xcfc-0xcff is the CONFIG_DATA
 * window (PCI), a byte access at 0xcf9 is the reset control register, and
 * everything else (bytes or words at 0xcf8-0xcfb) reaches no device.
 */
enum pc_cf8_target {
	PC_CF8_NONE,
	PC_CF8_PCI,
	PC_CF8_RESET,
};

enum pc_cf8_target pc_cf8_decode(uint16_t port, unsigned int size);

#endif
