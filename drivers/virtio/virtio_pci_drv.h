/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_DRV_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_DRV_H

/*
 * Plinth's driver side of the virtio 1.x modern PCI transport (4.1): the
 * COMMON, NOTIFY, ISR and DEVICE regions found through the vendor
 * capabilities, feature negotiation, status, queue set-up and notify. The
 * legacy I/O interface is never used.
 */
#include <pci/pci.h>
#include <plinth/types.h>
#include <plinth/virtio_pci_regs.h>

struct vpci_region {
	uint8_t bar;
	uint32_t off, len;	/* checked against the BAR's size at probe */
};

struct vpci {
	struct pci_dev *pd;
	struct vpci_region common, notify, isr, device;
	uint32_t notify_mult;
};

/* Finds and checks the four regions (pci_enable_device() done). 0 or -ENODEV. */
int vpci_find_caps(struct vpci *vp, struct pci_dev *pd);

uint8_t vpci_status(const struct vpci *vp);
void vpci_add_status(const struct vpci *vp, uint8_t bits);
/* Writes 0 and waits (bounded) until the device reads back 0: 0 or -ETIMEDOUT. */
int vpci_reset(const struct vpci *vp);

/*
 * Accepts offered & @wanted, sets FEATURES_OK and reads it back. *out gets
 * the accepted set. -ENODEV if a bit of @required is not offered or the
 * device clears FEATURES_OK.
 */
int vpci_negotiate(const struct vpci *vp, uint64_t wanted, uint64_t required, uint64_t *out);

/* Selects queue @q: its size limit (0: no such queue). */
uint16_t vpci_queue_max(const struct vpci *vp, uint16_t q);
/*
 * Programs queue @q (selected by vpci_queue_max) with @size and the ring
 * addresses; *noff receives its notify offset in the NOTIFY region.
 * -ENODEV if that offset leaves the region.
 */
int vpci_queue_setup(const struct vpci *vp, uint16_t q, uint16_t size, uint64_t desc,
		     uint64_t avail, uint64_t used, uint32_t *noff);
/* MSI-X vectors; the value the device reads back (VIRTIO_MSI_NO_VECTOR: refused). */
uint16_t vpci_queue_vector(const struct vpci *vp, uint16_t q, uint16_t vec);
uint16_t vpci_config_vector(const struct vpci *vp, uint16_t vec);
void vpci_queue_enable(const struct vpci *vp, uint16_t q);
void vpci_notify(const struct vpci *vp, uint16_t q, uint32_t noff);
/* Reading the ISR clears it (and drops INTx). */
uint8_t vpci_isr(const struct vpci *vp);

/*
 * @len bytes of device configuration at @off, consistent across a
 * config_generation change (re-read a bounded number of times). 0, -EINVAL
 * outside the region, -EAGAIN if the generation never settled.
 */
int vpci_config_read(const struct vpci *vp, uint32_t off, void *buf, uint32_t len);

#endif
