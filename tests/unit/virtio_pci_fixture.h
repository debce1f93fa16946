/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_VIRTIO_PCI_FIXTURE_H
#define TESTS_VIRTIO_PCI_FIXTURE_H

/*
 * A fake virtio device behind the PCI transport for the transport tests:
 * it records every call the transport makes (and checks the locks held at
 * each), with fake guest RAM, fake MSI-X/INTx callbacks and a captured log.
 */
#include <vmm/virtio/virtio_pci.h>
#include "vq_ram.h"

#define FX_NQ		3
#define FX_QMAX		256
#define FX_CFG_SIZE	12
#define FX_NVEC		4
#define FX_RAM_BASE	0x100000ULL
#define FX_RAM_SIZE	0x100000ULL
#define FX_DEV_FEATURES	(1ull << 5 | 1ull << 16)
#define FX_MAX_CHAIN	65536

/* Ring areas of queue q, well inside RAM and aligned. */
#define FX_DESC(q)	(FX_RAM_BASE + (uint64_t)(q) * 0x10000)
#define FX_AVAIL(q)	(FX_DESC(q) + 0x4000)
#define FX_USED(q)	(FX_DESC(q) + 0x8000)

struct fx {
	struct vq_ram ram;
	struct virtio_dev d;
	struct virtio_queue queues[FX_NQ];
	struct virtio_pci vp;
	struct virtio_pci_irq irq;
	int features_ok_ret;
	unsigned int features_ok_calls, reset_calls, driver_ok_calls, config_writes;
	uint64_t features_at_ok;
	unsigned int notify_calls[FX_NQ];
	uint8_t config[FX_CFG_SIZE];
	bool msix_en;
	uint16_t msix_sent[64];
	unsigned int nmsix;
	bool intx_level;
	unsigned int intx_calls;
};

extern struct fx fx;

int fx_setup(void **state);
int fx_teardown(void **state);

/* Guest accesses: BAR 4 regions and BAR 0. */
uint64_t fx_rd(unsigned int bar, uint64_t off, unsigned int size);
void fx_wr(unsigned int bar, uint64_t off, unsigned int size, uint64_t v);
uint64_t fx_common_rd(unsigned int off, unsigned int size);
void fx_common_wr(unsigned int off, unsigned int size, uint64_t v);

/* Driver steps: features VERSION_1 | EVENT_IDX accepted. */
void fx_features_ok(void);
void fx_program_queue(unsigned int q, uint16_t size);
void fx_enable_queue(unsigned int q);
/* Features, all queues enabled, DRIVER_OK. */
void fx_bring_up(void);

#endif
