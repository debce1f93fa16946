// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's virtual PCI bus on its I/O bus and interrupt controllers
 * (vmm/include/vmm/virtio_wiring.h): the ECAM window, the windows BARs are
 * placed in, MSI-X messages to the LAPICs and INTx to the I/O APIC.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/acpi_pci.h>
#include <vmm/io_bus.h>
#include <vmm/irq.h>
#include <vmm/partition.h>
#include <vmm/platform.h>
#include <vmm/virtio_wiring.h>

static void pci_msi(void *ctx, uint64_t addr, uint32_t data)
{
	vmm_irq_msi(ctx, addr, data);
}

static void pci_intx(void *ctx, unsigned int gsi, bool level)
{
	vmm_irq_set_gsi(ctx, gsi, level);
}

static int ecam_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size, bool write,
		       uint64_t *value)
{
	struct partition *p = opaque;

	(void)v;
	return vpci_ecam_access(&p->pc.pci.bus, off, size, write, value);
}

/*
 * Where no BAR decodes an address of a window (a BAR the guest moved or
 * switched off), the access ends as a master abort does on a real bus:
 * reads all ones, writes dropped; the partition goes on.
 */
static void master_abort(int ret, bool write, uint64_t *value)
{
	if (ret < 0 && !write)
		*value = ~0ULL;
}

static int mem_window_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			     bool write, uint64_t *value)
{
	struct partition *p = opaque;

	(void)v;
	master_abort(vpci_mmio_access(&p->pc.pci.bus, GUEST_PCI_MEM_BASE + off, size, write, value), write,
		     value);
	return 0;
}

static int io_window_access(struct vcpu *v, void *opaque, uint64_t off, unsigned int size,
			    bool write, uint64_t *value)
{
	struct partition *p = opaque;

	(void)v;
	master_abort(vpci_io_access(&p->pc.pci.bus, (uint16_t)(GUEST_PCI_IO_BASE + off), size, write,
				    value),
		     write, value);
	return 0;
}

static const struct io_dev_ops ecam_ops = { .access = ecam_access };
static const struct io_dev_ops mem_window_ops = { .access = mem_window_access };
static const struct io_dev_ops io_window_ops = { .access = io_window_access };

int vmm_pci_init(struct partition *p)
{
	const struct vpci_bus_config c = {
		.io_base = GUEST_PCI_IO_BASE,
		.io_size = GUEST_PCI_IO_SIZE,
		.mem_base = (uint32_t)GUEST_PCI_MEM_BASE,
		.mem_size = (uint32_t)GUEST_PCI_MEM_SIZE,
		.gsi_base = PCI_GSI_BASE,
		.gsi_count = PCI_GSI_COUNT,
		.msi = pci_msi,
		.intx = pci_intx,
		.ctx = p,
	};
	int ret;

	ret = vpci_bus_init(&p->pc.pci.bus, &c);
	if (ret < 0)
		return ret;
	/* The I/O window first: virtio queue notifications land there, on the fast path. */
	ret = io_bus_register(&p->bus, IO_SPACE_PORT, GUEST_PCI_IO_BASE, GUEST_PCI_IO_SIZE,
			      &io_window_ops, p, "pci-io");
	if (!ret)
		ret = io_bus_register(&p->bus, IO_SPACE_MMIO, GUEST_PCI_MEM_BASE, GUEST_PCI_MEM_SIZE,
				      &mem_window_ops, p, "pci-mem");
	if (!ret)
		ret = io_bus_register(&p->bus, IO_SPACE_MMIO, GUEST_PCI_ECAM_BASE,
				      GUEST_PCI_ECAM_SIZE, &ecam_ops, p, "pci-ecam");
	if (ret < 0)
		pr_err("partition '%s': cannot place its PCI windows: %s\n", p->name, strerror(ret));
	return ret;
}

void vmm_pci_acpi_config(struct partition *p, struct acpi_pci_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ecam_base = GUEST_PCI_ECAM_BASE;
	c->bus_end = (uint8_t)((GUEST_PCI_ECAM_SIZE >> 20) - 1);
	c->io_min = GUEST_PCI_IO_BASE;
	c->io_max = (uint16_t)(GUEST_PCI_IO_BASE + GUEST_PCI_IO_SIZE - 1);
	c->mem_min = (uint32_t)GUEST_PCI_MEM_BASE;
	c->mem_max = (uint32_t)(GUEST_PCI_MEM_BASE + GUEST_PCI_MEM_SIZE - 1);
	for (unsigned int s = 1; s < VPCI_SLOTS && c->route_count < ACPI_PCI_MAX_ROUTES; s++) {
		const struct vpci_dev *d = p->pc.pci.bus.slots[s];

		if (!d || !d->intx)
			continue;
		c->routes[c->route_count++] = (struct acpi_pci_route){
			.slot = (uint8_t)s, .pin = 0, .gsi = d->gsi,
		};
	}
}
