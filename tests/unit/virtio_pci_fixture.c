// SPDX-License-Identifier: GPL-2.0
#include "log_capture.h"
#include "virtio_pci_fixture.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/log.h>

struct fx fx;


static uint64_t dev_features(struct virtio_dev *d)
{
	(void)d;
	return FX_DEV_FEATURES;
}

static int dev_features_ok(struct virtio_dev *d)
{
	assert_true(spin_is_locked(&fx.vp.lock));
	fx.features_ok_calls++;
	fx.features_at_ok = d->features;
	return fx.features_ok_ret;
}

static void dev_config_read(struct virtio_dev *d, uint32_t off, void *buf, unsigned int size)
{
	(void)d;
	assert_true(spin_is_locked(&fx.vp.lock));
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	assert_true(off + size <= FX_CFG_SIZE);
	memcpy(buf, fx.config + off, size);
}

static void dev_config_write(struct virtio_dev *d, uint32_t off, const void *buf,
			     unsigned int size)
{
	(void)d;
	assert_true(spin_is_locked(&fx.vp.lock));
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	assert_true(off + size <= FX_CFG_SIZE);
	memcpy(fx.config + off, buf, size);
	fx.config_writes++;
}

static void dev_queue_notify(struct virtio_dev *d, unsigned int q)
{
	assert_true(q < FX_NQ);
	assert_true(spin_is_locked(&d->queues[q].lock));
	assert_true(d->queues[q].enabled);
	fx.notify_calls[q]++;
}

static void dev_reset(struct virtio_dev *d)
{
	for (unsigned int i = 0; i < FX_NQ; i++)
		assert_true(spin_is_locked(&d->queues[i].lock));
	assert_true(spin_is_locked(&fx.vp.lock));
	fx.reset_calls++;
}

static void dev_driver_ok(struct virtio_dev *d)
{
	(void)d;
	assert_true(spin_is_locked(&fx.vp.lock));
	fx.driver_ok_calls++;
}

static const struct virtio_dev_ops fx_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.features = dev_features,
	.features_ok = dev_features_ok,
	.config_read = dev_config_read,
	.config_write = dev_config_write,
	.queue_notify = dev_queue_notify,
	.reset = dev_reset,
	.driver_ok = dev_driver_ok,
};

static bool irq_msix_enabled(void *ctx)
{
	assert_ptr_equal(ctx, &fx);
	return fx.msix_en;
}

static void irq_msix(void *ctx, uint16_t vector)
{
	assert_ptr_equal(ctx, &fx);
	assert_true(vector < FX_NVEC);
	assert_true(fx.nmsix < 64);
	fx.msix_sent[fx.nmsix++] = vector;
}

static void irq_intx(void *ctx, bool level)
{
	assert_ptr_equal(ctx, &fx);
	fx.intx_level = level;
	fx.intx_calls++;
}

int fx_setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	log_capture_clear();
	vq_ram_init(&fx.ram, FX_RAM_BASE, FX_RAM_SIZE);
	for (unsigned int i = 0; i < FX_NQ; i++) {
		fx.queues[i].max_size = FX_QMAX;
		fx.queues[i].vq.cfg.max_chain_bytes = FX_MAX_CHAIN;
	}
	fx.d = (struct virtio_dev){ .ops = &fx_ops, .name = "virtio-blk test",
				    .config_size = FX_CFG_SIZE, .num_queues = FX_NQ,
				    .queues = fx.queues, .mem = &fx.ram.ops };
	for (unsigned int i = 0; i < FX_CFG_SIZE; i++)
		fx.config[i] = (uint8_t)(0xa0 + i);
	fx.irq = (struct virtio_pci_irq){ .msix_enabled = irq_msix_enabled, .msix = irq_msix,
					  .intx = irq_intx, .nvec = FX_NVEC, .ctx = &fx };
	assert_int_equal(virtio_pci_init(&fx.vp, &fx.d, &fx.irq), 0);
	return 0;
}

int fx_teardown(void **state)
{
	(void)state;
	vq_ram_free(&fx.ram);
	return 0;
}

uint64_t fx_rd(unsigned int bar, uint64_t off, unsigned int size)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	assert_int_equal(virtio_pci_bar_access(&fx.vp, bar, off, size, false, &v), 0);
	return v;
}

void fx_wr(unsigned int bar, uint64_t off, unsigned int size, uint64_t v)
{
	assert_int_equal(virtio_pci_bar_access(&fx.vp, bar, off, size, true, &v), 0);
}

uint64_t fx_common_rd(unsigned int off, unsigned int size)
{
	return fx_rd(VIRTIO_PCI_BAR_REGS, VIRTIO_PCI_COMMON_OFF + off, size);
}

void fx_common_wr(unsigned int off, unsigned int size, uint64_t v)
{
	fx_wr(VIRTIO_PCI_BAR_REGS, VIRTIO_PCI_COMMON_OFF + off, size, v);
}

void fx_features_ok(void)
{
	uint64_t f = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_EVENT_IDX;

	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, f >> 32);
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
			VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
}

/* As Linux does it: each address as two 32-bit halves. */
void fx_program_queue(unsigned int q, uint16_t size)
{
	const uint64_t a[3] = { FX_DESC(q), FX_AVAIL(q), FX_USED(q) };

	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	for (unsigned int i = 0; i < 3; i++) {
		fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC + 8 * i, 4, (uint32_t)a[i]);
		fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC + 8 * i + 4, 4, a[i] >> 32);
	}
}

void fx_enable_queue(unsigned int q)
{
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

void fx_bring_up(void)
{
	fx_features_ok();
	for (unsigned int q = 0; q < FX_NQ; q++) {
		fx_program_queue(q, 64);
		fx_enable_queue(q);
		assert_true(fx.queues[q].enabled);
	}
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
			VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	assert_true(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK);
}
