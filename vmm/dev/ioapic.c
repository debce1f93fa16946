// SPDX-License-Identifier: GPL-2.0
/*
 * The partition's I/O APIC (vmm/include/vmm/dev/ioapic.h).
 *
 * Edge pins send one message per rising edge of the (polarity-adjusted)
 * input while unmasked; an edge that arrives masked is lost, as on the chip.
 * Level pins send a message while the input is active and remote IRR is
 * clear, then set remote IRR; the EOI for that vector clears it and, if the
 * input is still active, sends again. Unmasking an active level pin sends.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/dev/ioapic.h>

#define IOAPIC_VERSION_ID 0x11 /* 82093AA */
/* Bits a guest may write: all but delivery status and remote IRR; 55:17 are reserved. */
#define RTE_WRITABLE (IOAPIC_RTE_VECTOR | IOAPIC_RTE_DELMODE | IOAPIC_RTE_LOGICAL | \
		      IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | \
		      (0xffULL << IOAPIC_RTE_DEST_SHIFT))

void ioapic_init(struct ioapic *io, const struct ioapic_config *cfg)
{
	memset(io, 0, sizeof(*io));
	io->cfg = *cfg;
	ioapic_reset(io);
}

void ioapic_reset(struct ioapic *io)
{
	io->id = io->cfg.id & 0xf;
	io->select = 0;
	for (unsigned int i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
}

/* The input as the redirection entry's polarity reads it. */
static bool pin_active(const struct ioapic *io, unsigned int pin)
{
	bool line = io->line & (1u << pin);

	return (io->rte[pin] & IOAPIC_RTE_ACTIVE_LOW) ? !line : line;
}

static void send(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	struct ioapic_msg m = {
		.vector = (uint8_t)(e & IOAPIC_RTE_VECTOR),
		.delivery_mode = (uint8_t)((e & IOAPIC_RTE_DELMODE) >> 8),
		.logical = e & IOAPIC_RTE_LOGICAL,
		.dest = (uint8_t)(e >> IOAPIC_RTE_DEST_SHIFT),
		.level = e & IOAPIC_RTE_LEVEL,
		.pin = pin,
	};

	if (m.level)
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	if (io->cfg.deliver)
		io->cfg.deliver(io->cfg.ctx, &m);
}

/* A level pin that is active, unmasked and not awaiting an EOI sends now. */
static void level_check(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];

	if ((e & IOAPIC_RTE_LEVEL) && !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    pin_active(io, pin))
		send(io, pin);
}

static uint32_t read_index(const struct ioapic *io, uint32_t index)
{
	switch (index) {
	case IOAPIC_INDEX_ID:
	case IOAPIC_INDEX_ARB:
		return (uint32_t)io->id << 24;
	case IOAPIC_INDEX_VERSION:
		return IOAPIC_VERSION_ID | ((IOAPIC_PINS - 1) << 16);
	}
	if (index >= IOAPIC_INDEX_REDIR && index < IOAPIC_INDEX_REDIR + 2 * IOAPIC_PINS) {
		uint64_t e = io->rte[(index - IOAPIC_INDEX_REDIR) / 2];

		return (index & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0; /* unimplemented registers read as zero */
}

static void write_index(struct ioapic *io, uint32_t index, uint32_t value)
{
	unsigned int pin;
	uint64_t e, mask;

	if (index == IOAPIC_INDEX_ID) {
		io->id = (value >> 24) & 0xf;
		return;
	}
	if (index < IOAPIC_INDEX_REDIR || index >= IOAPIC_INDEX_REDIR + 2 * IOAPIC_PINS)
		return; /* version, arbitration and the rest are read-only */
	pin = (index - IOAPIC_INDEX_REDIR) / 2;
	mask = (index & 1) ? 0xffffffff00000000ULL : 0xffffffffULL;
	e = (index & 1) ? (uint64_t)value << 32 : value;
	e = (io->rte[pin] & ~(mask & RTE_WRITABLE)) | (e & mask & RTE_WRITABLE);
	/* An edge pin has no remote IRR: switching a pin to edge drops it. */
	if (!(e & IOAPIC_RTE_LEVEL))
		e &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	level_check(io, pin);
}

int ioapic_mmio_read(struct ioapic *io, uint64_t off, unsigned int size, uint32_t *value)
{
	if (size != 4)
		return -EINVAL;
	if (off == IOAPIC_REG_SELECT)
		*value = io->select;
	else if (off == IOAPIC_REG_WINDOW)
		*value = read_index(io, io->select);
	else
		return -EINVAL;
	return 0;
}

int ioapic_mmio_write(struct ioapic *io, uint64_t off, unsigned int size, uint32_t value)
{
	if (size != 4)
		return -EINVAL;
	if (off == IOAPIC_REG_SELECT)
		io->select = value & 0xff;
	else if (off == IOAPIC_REG_WINDOW)
		write_index(io, io->select, value);
	else
		return -EINVAL;
	return 0;
}

int ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return -EINVAL;
	was = pin_active(io, pin);
	if (level)
		io->line |= 1u << pin;
	else
		io->line &= ~(1u << pin);
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		level_check(io, pin);
	else if (!was && pin_active(io, pin) && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		send(io, pin);
	return 0;
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if (!(e & IOAPIC_RTE_LEVEL) || !(e & IOAPIC_RTE_REMOTE_IRR) ||
		    (e & IOAPIC_RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		level_check(io, pin);
	}
}
