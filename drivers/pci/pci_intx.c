// SPDX-License-Identifier: GPL-2.0
/*
 * INTx through the I/O APIC. The interrupt line register holds the ISA IRQ
 * the firmware routed the pin to (i440fx: 5, 9, 10, 11), which is the I/O
 * APIC pin of that number unless the MADT overrides it. PCI INTx is level
 * triggered and active low unless the override says otherwise, and several
 * functions may share one GSI: its vector runs every handler on it. Being
 * level triggered, a handler must make its device drop the line (read or
 * acknowledge its interrupt cause) before it returns.
 */
#include <asm/cpu.h>
#include <asm/io_apic.h>
#include <asm/trap.h>
#include <pci/pci.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include "pci_irq.h"
#include "pci_regs.h"

#define INTX_LINES 16
#define INTX_SHARERS 8

/* MPS INTI flags of an interrupt source override */
#define INTI_POLARITY 0x3
#define INTI_POLARITY_HIGH 0x1
#define INTI_TRIGGER 0xc
#define INTI_TRIGGER_EDGE 0x4

struct intx_sharer {
	const struct pci_dev *dev;
	pci_irq_fn fn;
	void *ctx;
};

struct intx_line {
	uint32_t gsi;
	int vector;		/* 0: line unused */
	unsigned int count;
	struct intx_sharer sharer[INTX_SHARERS];
};

static struct intx_line lines[INTX_LINES];
static spinlock_t intx_lock = SPINLOCK_INIT;

static void intx_dispatch(void *ctx)
{
	struct intx_line *l = ctx;

	/*
	 * Handlers only note events and wake threads; none calls back into this
	 * file. Changes to the list take the lock with interrupts off, so this
	 * CPU never waits here for itself.
	 */
	spin_lock(&intx_lock);
	for (unsigned int i = 0; i < l->count; i++)
		l->sharer[i].fn(l->sharer[i].ctx);
	spin_unlock(&intx_lock);
}

static struct intx_line *line_for(uint32_t gsi, bool create)
{
	struct intx_line *free = NULL;

	for (unsigned int i = 0; i < INTX_LINES; i++) {
		if (lines[i].vector && lines[i].gsi == gsi)
			return &lines[i];
		if (!lines[i].vector && !free)
			free = &lines[i];
	}
	return create ? free : NULL;
}

static int line_open(struct intx_line *l, uint32_t gsi, uint16_t flags)
{
	bool level = (flags & INTI_TRIGGER) != INTI_TRIGGER_EDGE;
	bool low = (flags & INTI_POLARITY) != INTI_POLARITY_HIGH;
	int v = irq_vector_alloc(intx_dispatch, l);
	int ret;

	if (v < 0)
		return -ENOSPC;
	ret = io_apic_route(gsi, v, irq_service_apic_id(), level, low);
	if (ret < 0) {
		irq_vector_free(v);
		return ret;
	}
	l->gsi = gsi;
	l->vector = v;
	l->count = 0;
	return 0;
}

int pci_intx_attach(struct pci_dev *d, pci_irq_fn fn, void *ctx)
{
	struct intx_line *l;
	uint16_t flags;
	uint32_t gsi;
	uint64_t irqs;
	int ret = 0;

	if (d->irq_pin < 1 || d->irq_pin > 4 || d->irq_line == 0 || d->irq_line == 0xff)
		return -ENODEV;
	gsi = io_apic_isa_to_gsi(d->irq_line, &flags);
	irqs = irq_save();
	spin_lock(&intx_lock);
	l = line_for(gsi, true);
	if (!l) {
		ret = -ENOSPC;
	} else if (!l->vector) {
		ret = line_open(l, gsi, flags);
	}
	if (!ret && l->count == INTX_SHARERS)
		ret = -ENOSPC;
	if (!ret) {
		l->sharer[l->count++] = (struct intx_sharer){ d, fn, ctx };
		d->vectors[0] = l->vector;
		d->irq_mode = PCI_IRQ_INTX;
	}
	spin_unlock(&intx_lock);
	irq_restore(irqs);
	if (ret < 0) {
		pr_warn("pci: %s: cannot route INTx (line %u, GSI %u): %d\n", d->name, d->irq_line,
			gsi, ret);
		return ret;
	}
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
	return 0;
}

void pci_intx_detach(struct pci_dev *d)
{
	uint64_t irqs = irq_save();
	int vector = -1;

	spin_lock(&intx_lock);
	for (unsigned int i = 0; i < INTX_LINES; i++) {
		struct intx_line *l = &lines[i];

		for (unsigned int j = 0; l->vector && j < l->count; j++) {
			if (l->sharer[j].dev != d)
				continue;
			l->sharer[j] = l->sharer[--l->count];
			if (!l->count) {
				io_apic_mask(l->gsi);
				vector = l->vector;
				l->vector = 0;
			}
			break;
		}
	}
	spin_unlock(&intx_lock);
	irq_restore(irqs);
	if (vector > 0)
		irq_vector_free(vector);
	d->vectors[0] = 0;
}
