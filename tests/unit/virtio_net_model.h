/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_VIRTIO_NET_MODEL_H
#define TESTS_VIRTIO_NET_MODEL_H

/*
 * A virtio-net device for the driver's host test, behind pci_fake: modern
 * vendor capabilities in configuration space, the common/ISR/device/notify
 * regions in BAR 4, and Plinth's own device-side ring walker
 * (vmm/virtio/virtqueue.c) consuming the driver's rings in host memory
 * (DMA bus address == host pointer).
 */
#include <vmm/virtio/virtqueue.h>
#include "pci_fake.h"

#define VNM_QUEUES 2
#define VNM_MAX_TX 1024

struct vnm_queue {
	uint16_t max, size, msix, enable, noff;
	uint64_t desc, avail, used;
	struct virtq vq;
};

struct vnm_frame {
	uint8_t hdr[12];
	uint8_t data[1600];
	size_t len;
};

struct vnm {
	struct pci_fake f;
	uint64_t offered, driver;
	uint32_t dfsel, gfsel;
	uint16_t msix_config, qsel;
	uint8_t status, isr, gen;
	uint8_t mac[6];
	uint16_t net_status;
	struct vnm_queue q[VNM_QUEUES];
	struct virtq_mem_ops mem;
	/* Test knobs. */
	bool refuse_vectors;	/* queue vectors read back NO_VECTOR */
	bool refuse_features_ok;
	bool hold_tx;		/* leave TX chains unconsumed (a full ring) */
	/* What the device saw. */
	struct vnm_frame *tx;	/* VNM_MAX_TX frames */
	unsigned int ntx, resets, notifies, irqs;
	int ring_error;		/* first vq_pop/vq_push error */
};

void vnm_init(struct vnm *m, uint64_t offered);
void vnm_free(struct vnm *m);
/* Delivers one frame into a receive buffer with header flags; 0 or -ENOSPC / error. */
int vnm_rx(struct vnm *m, const void *frame, size_t len, uint8_t hdr_flags);
/* Consumes what the driver queued for transmission (hold_tx cleared). */
void vnm_tx_drain(struct vnm *m);
/* Configuration change (link, NEEDS_RESET): the config interrupt. */
void vnm_config_change(struct vnm *m);
/* Interrupt for queue q, as the transport would route it. */
void vnm_queue_irq(struct vnm *m, unsigned int q);

#endif
