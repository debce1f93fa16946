/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_VIRTIO_PCI_COMMON_H
#define VMM_VIRTIO_VIRTIO_PCI_COMMON_H

/* Between the two halves of the virtio PCI transport (not for devices). */
#include <vmm/virtio/virtio_pci.h>

/*
 * An access of size bytes at off inside the common configuration (off +
 * size <= VIRTIO_PCI_COMMON_SIZE checked by the caller). Wrong-width or
 * misaligned accesses read 0 and are ignored.
 */
void virtio_pci_common_read(struct virtio_pci *vp, unsigned int off, unsigned int size,
			    uint64_t *value);
void virtio_pci_common_write(struct virtio_pci *vp, unsigned int off, unsigned int size,
			     uint64_t value);

/* Queue q back to its reset state; its lock held. */
void virtio_pci_queue_reset(struct virtio_queue *vq);

#endif
