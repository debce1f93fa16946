// SPDX-License-Identifier: GPL-2.0
/* See pci_irq_arch_fake.h. */
#include <stdarg.h>
#include <string.h>
#include <asm/io_apic.h>
#include <asm/trap.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include "log_capture.h"
#include "pci_irq_arch_fake.h"
#include <pci/pci_irq.h>

struct pci_irq_arch_fake arch_fake;

void pci_irq_arch_fake_reset(void)
{
	memset(&arch_fake, 0, sizeof(arch_fake));
	log_capture_clear();
	arch_fake.free_left = FAKE_VEC_COUNT;
}

int irq_vector_alloc(void (*fn)(void *ctx), void *ctx)
{
	if (!fn)
		return -EINVAL;
	if (!arch_fake.free_left)
		return -ENOSPC;
	for (unsigned int i = 0; i < FAKE_VEC_COUNT; i++) {
		if (arch_fake.fn[i])
			continue;
		arch_fake.fn[i] = fn;
		arch_fake.ctx[i] = ctx;
		arch_fake.free_left--;
		return FAKE_VEC_FIRST + i;
	}
	return -ENOSPC;
}

void irq_vector_free(int v)
{
	if (v < FAKE_VEC_FIRST || v >= FAKE_VEC_FIRST + FAKE_VEC_COUNT)
		return;
	if (arch_fake.fn[v - FAKE_VEC_FIRST])
		arch_fake.free_left++;
	arch_fake.fn[v - FAKE_VEC_FIRST] = NULL;
	arch_fake.ctx[v - FAKE_VEC_FIRST] = NULL;
}

bool pci_irq_arch_fake_fire(int v)
{
	if (v < FAKE_VEC_FIRST || v >= FAKE_VEC_FIRST + FAKE_VEC_COUNT ||
	    !arch_fake.fn[v - FAKE_VEC_FIRST])
		return false;
	arch_fake.fn[v - FAKE_VEC_FIRST](arch_fake.ctx[v - FAKE_VEC_FIRST]);
	return true;
}

unsigned int pci_irq_arch_fake_in_use(void)
{
	return FAKE_VEC_COUNT - arch_fake.free_left;
}

uint32_t irq_service_apic_id(void)
{
	return arch_fake.apic_id;
}

int pci_intx_attach(struct pci_dev *d, pci_irq_fn fn, void *ctx)
{
	(void)fn;
	(void)ctx;
	if (arch_fake.intx_ret)
		return arch_fake.intx_ret;
	arch_fake.intx_attached++;
	d->irq_mode = PCI_IRQ_INTX;
	return 0;
}

void pci_intx_detach(struct pci_dev *d)
{
	(void)d;
	arch_fake.intx_detached++;
}

