/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_IO_APIC_H
#define ASM_IO_APIC_H

/*
 * Plinth's own use of the machine's I/O APICs (the MADT's, or the default
 * one at 0xFEC00000 when there is no MADT): device interrupts that are wired
 * rather than messages, delivered to Plinth's service CPU.
 */
#include <plinth/types.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000ull

/* Masks the 8259 pair and every I/O APIC pin; once, on the boot CPU, before irq_enable(). */
void io_apic_init(void);

/*
 * The GSI an ISA IRQ number (a PCI function's interrupt line register) is
 * wired to, with the MADT's override flags for it (0: conforming).
 */
uint32_t io_apic_isa_to_gsi(uint8_t irq, uint16_t *flags);

/* @gsi raises @vector on the CPU with @apic_id, fixed delivery. 0 or -ENODEV. */
int io_apic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low);
void io_apic_mask(uint32_t gsi);

/* APIC ID of Plinth's service CPU, where Plinth's device interrupts go. */
uint32_t irq_service_apic_id(void);

#endif
