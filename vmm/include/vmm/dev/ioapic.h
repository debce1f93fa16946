/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_DEV_IOAPIC_H
#define VMM_DEV_IOAPIC_H

/*
 * An 82093AA-style I/O APIC as a guest partition sees it: 24 pins, a
 * redirection table reached through IOREGSEL/IOWIN, edge- and level-triggered
 * inputs with remote IRR, and the EOI broadcast from the local APICs that
 * re-arms level-triggered pins. Messages go out through a callback, so the
 * model knows nothing of vCPUs or local APICs. Not locked: the owner
 * serialises calls (one lock per partition's interrupt routing).
 */
#include <plinth/types.h>

#define IOAPIC_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_MMIO_SIZE 0x1000
#define IOAPIC_REG_SELECT 0x00 /* IOREGSEL, 32-bit */
#define IOAPIC_REG_WINDOW 0x10 /* IOWIN, 32-bit */

#define IOAPIC_INDEX_ID 0x00
#define IOAPIC_INDEX_VERSION 0x01
#define IOAPIC_INDEX_ARB 0x02
#define IOAPIC_INDEX_REDIR 0x10 /* two 32-bit halves per pin */

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR 0xffULL
#define IOAPIC_RTE_DELMODE (7ULL << 8)
#define IOAPIC_RTE_LOGICAL (1ULL << 11)
#define IOAPIC_RTE_DELIVS (1ULL << 12) /* read-only: always idle here */
#define IOAPIC_RTE_ACTIVE_LOW (1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ULL << 14) /* read-only */
#define IOAPIC_RTE_LEVEL (1ULL << 15)
#define IOAPIC_RTE_MASKED (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT 56

/* Delivery modes (bits 10:8). */
#define IOAPIC_DM_FIXED 0
#define IOAPIC_DM_LOWEST 1
#define IOAPIC_DM_SMI 2
#define IOAPIC_DM_NMI 4
#define IOAPIC_DM_INIT 5
#define IOAPIC_DM_EXTINT 7

/* One interrupt message, as the I/O APIC sends it to the local APICs. */
struct ioapic_msg {
	uint8_t vector;
	uint8_t delivery_mode; /* IOAPIC_DM_* */
	bool logical;          /* destination is a logical APIC ID set */
	uint8_t dest;
	bool level;            /* the local APIC must send an EOI for it */
	unsigned int pin;
};

struct ioapic_config {
	uint8_t id;
	void (*deliver)(void *ctx, const struct ioapic_msg *m);
	void *ctx;
};

struct ioapic {
	struct ioapic_config cfg;
	uint8_t id;
	uint32_t select;
	uint64_t rte[IOAPIC_PINS];
	uint32_t line; /* bit per pin: input asserted (before polarity) */
};

void ioapic_init(struct ioapic *io, const struct ioapic_config *cfg);
/* Power-on state: every pin masked, edge, vector 0. Input lines keep their level. */
void ioapic_reset(struct ioapic *io);
/* MMIO at offset from the base: 32-bit accesses to IOREGSEL and IOWIN. -EINVAL otherwise (ignored). */
int ioapic_mmio_read(struct ioapic *io, uint64_t off, unsigned int size, uint32_t *value);
int ioapic_mmio_write(struct ioapic *io, uint64_t off, unsigned int size, uint32_t value);
/* A device drives pin to level (true = asserted as the device sees it). -EINVAL for a bad pin. */
int ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level);
/* A local APIC's EOI for vector: level-triggered pins with that vector are re-armed. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
