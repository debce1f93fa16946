/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_WIRING_H
#define VMM_VIRTIO_WIRING_H

/*
 * A partition's PCI bus and the virtio functions on it (vmm/core/pci_wiring.c,
 * vmm/core/virtio_wiring.c): which backend sits in which slot, how its
 * transport reaches the bus's MSI-X and INTx, and how guest memory reaches
 * the rings.
 *
 * Slots: 0 the host bridge, 1 the virtio-blk disk (`disk =`), 2 the
 * virtio-net NIC (`switch =`). INTx of slot s drives GSI PCI_GSI_BASE + s % 4.
 */
#include <plinth/boot_info.h>
#include <plinth/types.h>
#include <vmm/pci/vpci.h>
#include <vmm/virtio/virtio_pci.h>

struct partition;
struct acpi_pci_config;

#define PCI_GSI_BASE 16  /* the I/O APIC inputs above the ISA IRQs */
#define PCI_GSI_COUNT 4
#define VIRTIO_SLOT_BLK 1
#define VIRTIO_SLOT_NET 2

/* One virtio PCI function of a partition. */
struct virtio_fn {
	struct partition *p;
	struct virtio_dev *dev;	/* the backend's */
	struct virtio_pci vp;
	struct vpci_dev pci;
};

/* The bus: host bridge, ECAM and BAR windows on the partition's I/O bus. */
int vmm_pci_init(struct partition *p);
/* The routes and windows ACPI describes (vmm/include/vmm/acpi_pci.h). */
void vmm_pci_acpi_config(struct partition *p, struct acpi_pci_config *c);

/*
 * Creates the partition's virtio functions from its config: disk is the
 * module holding its `disk =` image (NULL for none). 0, or <0 with err
 * naming the problem.
 */
int vmm_virtio_create(struct partition *p, const struct boot_module *disk, char *err,
		      size_t errlen);
/* Device reset of every function (partition reboot and stop), then the bus. */
void vmm_virtio_reset(struct partition *p);
/* One line per function with its counters, for the partition's exit report. */
void vmm_virtio_report(struct partition *p);
void vmm_virtio_destroy(struct partition *p);

#endif
