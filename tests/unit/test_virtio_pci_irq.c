// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio PCI transport's run-time side against a fake device: notify
 * dispatch through both notify regions, MSI-X and INTx/ISR delivery, vector
 * validation, the PCI_CFG window, device configuration bounds, and accesses
 * of every size at every offset.
 */
#include "virtio_pci_fixture.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/errno.h>

#define REGS	VIRTIO_PCI_BAR_REGS
#define IO	VIRTIO_PCI_BAR_NOTIFY_IO

static unsigned int notifies(void)
{
	unsigned int n = 0;

	for (unsigned int q = 0; q < FX_NQ; q++)
		n += fx.notify_calls[q];
	return n;
}

static void io_notify(unsigned int q)
{
	fx_wr(IO, 2 * q, 2, q);
}

static void mmio_notify(unsigned int q)
{
	fx_wr(REGS, VIRTIO_PCI_NOTIFY_OFF + 4 * q, 2, q);
}

static void test_notify_rules(void **state)
{
	(void)state;
	fx_features_ok();
	fx_program_queue(0, 64);
	fx_enable_queue(0);
	fx_program_queue(2, 64);
	fx_enable_queue(2);
	/* Enabled, but no DRIVER_OK yet. */
	io_notify(0);
	mmio_notify(0);
	virtio_pci_notify(&fx.vp, 0);
	assert_int_equal(notifies(), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
		     VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	io_notify(0);
	assert_int_equal(fx.notify_calls[0], 1);
	mmio_notify(2);
	assert_int_equal(fx.notify_calls[2], 1);
	/* The address names the queue, whatever the value says. */
	fx_wr(IO, 4, 2, 0);
	assert_int_equal(fx.notify_calls[2], 2);
	fx_wr(REGS, VIRTIO_PCI_NOTIFY_OFF, 4, 7);
	fx_wr(IO, 0, 1, 0);
	assert_int_equal(fx.notify_calls[0], 3);
	/* Queue 1 is not enabled; queue 3 does not exist. */
	io_notify(1);
	mmio_notify(1);
	fx_wr(IO, 6, 2, 3);
	mmio_notify(3);
	virtio_pci_notify(&fx.vp, 3);
	virtio_pci_notify(&fx.vp, ~0u);
	assert_int_equal(notifies(), 5);
	/* Between the queues' addresses, and reads: nothing. */
	fx_wr(IO, 1, 1, 0);
	fx_wr(REGS, VIRTIO_PCI_NOTIFY_OFF + 2, 2, 0);
	fx_wr(REGS, VIRTIO_PCI_NOTIFY_OFF + 8, 8, 0);
	assert_int_equal(fx_rd(IO, 0, 2), 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_NOTIFY_OFF, 2), 0);
	assert_int_equal(notifies(), 5);
	/* Beyond BAR 0. */
	uint64_t v = 0;

	assert_int_equal(virtio_pci_bar_access(&fx.vp, IO, 8, 2, true, &v), -EINVAL);
	assert_int_equal(virtio_pci_bar_access(&fx.vp, IO, 7, 2, true, &v), -EINVAL);
	/* After a failure nothing reaches the device until reset. */
	virtio_dev_fail(&fx.d, "bad chain");
	io_notify(0);
	mmio_notify(2);
	virtio_pci_notify(&fx.vp, 0);
	assert_int_equal(notifies(), 5);
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, 0);
	io_notify(0);
	assert_int_equal(notifies(), 5);	/* reset: queues disabled */
	fx_bring_up();
	io_notify(0);
	mmio_notify(1);
	assert_int_equal(notifies(), 7);
}

static void test_msix_delivery(void **state)
{
	(void)state;
	fx.msix_en = true;
	fx_bring_up();
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 3);
	/* Vectors past the table are refused: they read back NO_VECTOR. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, FX_NVEC);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 0xfffe);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_MSIX, 2), 3);

	fx.d.transport->queue_irq(&fx.d, 0);
	fx.d.transport->queue_irq(&fx.d, 1);
	fx.d.transport->queue_irq(&fx.d, 2);	/* no vector: no interrupt */
	fx.d.transport->queue_irq(&fx.d, FX_NQ);
	fx.d.transport->config_irq(&fx.d);
	assert_int_equal(fx.nmsix, 3);
	assert_int_equal(fx.msix_sent[0], 1);
	assert_int_equal(fx.msix_sent[1], 3);
	assert_int_equal(fx.msix_sent[2], 0);
	/* MSI-X leaves the ISR and INTx alone. */
	assert_int_equal(fx.intx_calls, 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), 0);
	/* The config vector: refused ones read back NO_VECTOR, and then no interrupt. */
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, FX_NVEC + 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	fx.d.transport->config_irq(&fx.d);
	assert_int_equal(fx.nmsix, 3);
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, FX_NVEC - 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_MSIX, 2), FX_NVEC - 1);
	/* A device without MSI-X refuses every vector. */
	fx.vp.irq.nvec = 0;
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}

static void test_intx_isr(void **state)
{
	uint8_t gen;

	(void)state;
	fx_bring_up();
	/* Vectors are stored, but with MSI-X off INTx and the ISR carry it. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	fx.d.transport->queue_irq(&fx.d, 0);
	assert_int_equal(fx.nmsix, 0);
	assert_true(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	assert_false(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), 0);	/* read clears */
	/* A config change: bit 1, and a new generation. */
	gen = (uint8_t)fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1);
	fx.d.transport->config_irq(&fx.d);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1), (uint8_t)(gen + 1));
	fx.d.transport->queue_irq(&fx.d, 2);
	assert_true(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 4),
			 VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
	assert_false(fx.intx_level);
	/* Only the first byte is the ISR; the others read 0 and clear nothing. */
	fx.d.transport->config_irq(&fx.d);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF + 1, 1), 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF + 2, 2), 0);
	fx_wr(REGS, VIRTIO_PCI_ISR_OFF, 1, 0);	/* writes do nothing */
	assert_true(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	/* A failure is a config interrupt, but the configuration did not change. */
	gen = (uint8_t)fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1);
	virtio_dev_fail(&fx.d, "x");
	assert_true(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1), gen);
	/* Reset drops a pending ISR and the line. */
	fx.d.transport->queue_irq(&fx.d, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, 0);
	assert_false(fx.intx_level);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_ISR_OFF, 1), 0);
}

static void test_device_config(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF, 4), 0xa3a2a1a0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + 1, 2), 0xa2a1);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + 4, 8), 0xabaaa9a8a7a6a5a4ull);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + FX_CFG_SIZE - 1, 1), 0xab);
	/* Past config_size: 0, and the device is never asked. */
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + FX_CFG_SIZE - 1, 2), 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + FX_CFG_SIZE - 4, 8), 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_DEVICE_OFF + FX_CFG_SIZE, 1), 0);
	assert_int_equal(fx_rd(REGS, VIRTIO_PCI_NOTIFY_OFF - 4, 4), 0);
	fx_wr(REGS, VIRTIO_PCI_DEVICE_OFF + FX_CFG_SIZE - 2, 4, 0xffffffff);
	assert_int_equal(fx.config_writes, 0);
	fx_wr(REGS, VIRTIO_PCI_DEVICE_OFF + 2, 2, 0x1234);
	assert_int_equal(fx.config_writes, 1);
	assert_int_equal(fx.config[2], 0x34);
	assert_int_equal(fx.config[3], 0x12);
	/* Write values are cut to the access size. */
	fx_wr(REGS, VIRTIO_PCI_DEVICE_OFF + 5, 1, 0xffff77);
	assert_int_equal(fx.config[5], 0x77);
	assert_int_equal(fx.config[6], 0xa6);
	/* Wrong sizes and other BARs are refused. */
	assert_int_equal(virtio_pci_bar_access(&fx.vp, REGS, VIRTIO_PCI_DEVICE_OFF, 3, false, &v),
			 -EINVAL);
	assert_int_equal(v, 0);
	v = 1;
	assert_int_equal(virtio_pci_bar_access(&fx.vp, 1, 0, 4, false, &v), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(virtio_pci_bar_access(&fx.vp, REGS, VIRTIO_PCI_REGS_BAR_SIZE - 2, 4,
					       false, &v), -EINVAL);
	assert_int_equal(virtio_pci_bar_access(&fx.vp, REGS, ~0ull - 1, 4, false, &v), -EINVAL);
}

/* The guest programs the window and reads or writes through it. */
static void window(uint8_t bar, uint32_t off, uint32_t len)
{
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_BAR, 1, bar), 0);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_OFFSET, 4, off), 0);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_LENGTH, 4, len), 0);
}

static uint32_t window_read(unsigned int size)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA, size, &v), 0);
	return v;
}

static void test_pci_cfg_window(void **state)
{
	uint32_t v;

	(void)state;
	/* The capability as configuration space shows it (bytes 0-1 are the model's). */
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, 0, 4, &v), 0);
	assert_int_equal(v, 20u << 16 | 5u << 24);
	window(REGS, VIRTIO_PCI_COMMON_NUMQ, 2);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, VIRTIO_PCI_CAP_OFF_BAR, 1, &v), 0);
	assert_int_equal(v, REGS);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, VIRTIO_PCI_CAP_OFF_OFFSET, 4, &v), 0);
	assert_int_equal(v, VIRTIO_PCI_COMMON_NUMQ);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, VIRTIO_PCI_CAP_OFF_LENGTH, 4, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(window_read(2), FX_NQ);
	assert_int_equal(window_read(4), FX_NQ);
	window(REGS, VIRTIO_PCI_DEVICE_OFF + 4, 4);
	assert_int_equal(window_read(4), 0xa7a6a5a4);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA + 1, 1, &v), 0);
	assert_int_equal(v, 0xa5);
	/* Writes go through: set the status as SeaBIOS does. */
	window(REGS, VIRTIO_PCI_COMMON_STATUS, 1);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA, 1,
						  VIRTIO_STATUS_ACKNOWLEDGE), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1), VIRTIO_STATUS_ACKNOWLEDGE);
	/* A notify through the window. */
	fx_bring_up();
	window(IO, 2, 2);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA, 2, 1), 0);
	assert_int_equal(fx.notify_calls[1], 1);
	/* Bad lengths, misaligned offsets, other BARs, outside the BAR: 0, no effect. */
	window(REGS, VIRTIO_PCI_COMMON_NUMQ, 3);
	assert_int_equal(window_read(4), 0);
	window(REGS, VIRTIO_PCI_COMMON_NUMQ + 1, 2);
	assert_int_equal(window_read(4), 0);
	window(REGS, VIRTIO_PCI_COMMON_NUMQ, 8);
	assert_int_equal(window_read(4), 0);
	window(1, 0, 4);
	assert_int_equal(window_read(4), 0);
	window(REGS, VIRTIO_PCI_REGS_BAR_SIZE, 4);
	assert_int_equal(window_read(4), 0);
	window(REGS, 0xfffffffc, 4);
	assert_int_equal(window_read(4), 0);
	window(IO, 8, 2);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA, 2, 0), 0);
	window(REGS, VIRTIO_PCI_COMMON_STATUS, 3);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, VIRTIO_PCI_CAP_OFF_DATA, 4, 0), 0);
	assert_true(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(notifies(), 1);
	/* Read-only bytes stay; accesses outside the capability are refused. */
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, 2, 2, 0xffff), 0);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, 2, 2, &v), 0);
	assert_int_equal(v, 20 | 5 << 8);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, 18, 4, &v), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, 20, 1, &v), -EINVAL);
	assert_int_equal(virtio_pci_cfg_cap_read(&fx.vp, 4, 3, &v), -EINVAL);
	assert_int_equal(virtio_pci_cfg_cap_write(&fx.vp, ~0u, 4, 0), -EINVAL);
}

/* Every offset, every size, both BARs: no crash, and wrong shapes do nothing. */
static void test_access_sweep(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 3, 4, 5, 8, 16 };
	uint8_t before;
	uint64_t v;

	(void)state;
	fx_bring_up();
	before = (uint8_t)fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1);
	for (uint64_t off = 0; off < VIRTIO_PCI_REGS_BAR_SIZE + 16; off++) {
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			v = 0;
			virtio_pci_bar_access(&fx.vp, REGS, off, sizes[i], false, &v);
			virtio_pci_bar_access(&fx.vp, IO, off, sizes[i], false, &v);
			if (off < 0x100)
				virtio_pci_bar_access(&fx.vp, 2, off, sizes[i], false, &v);
		}
	}
	/* Misaligned or wrong-width writes to the common config change nothing. */
	for (unsigned int off = 0; off < VIRTIO_PCI_COMMON_SIZE + 8; off++) {
		for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			unsigned int sz = sizes[i];
			bool natural = (sz == 1 && (off == 0x14 || off == 0x15)) ||
				       (sz == 2 && off >= 0x10 && off < 0x20 && off % 2 == 0 &&
					off != 0x14) ||
				       (sz == 2 && (off == 0x38 || off == 0x3a)) ||
				       (sz == 4 && off % 4 == 0 && (off < 0x10 || (off >= 0x20 &&
									     off < 0x38))) ||
				       (sz == 8 && off >= 0x20 && off < 0x38 && off % 8 == 0);

			if (natural)
				continue;
			v = ~0ull;
			virtio_pci_bar_access(&fx.vp, REGS, off, sz, true, &v);
		}
	}
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1), before);
	assert_int_equal(fx.reset_calls, 0);
	for (unsigned int q = 0; q < FX_NQ; q++) {
		assert_true(fx.queues[q].enabled);
		assert_int_equal(fx.queues[q].vq.cfg.desc.v, FX_DESC(q));
		assert_int_equal(fx.queues[q].msix_vector, VIRTIO_MSI_NO_VECTOR);
	}
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SELECT, 2), FX_NQ - 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DFSELECT, 4), 0);
	/* A misaligned 2-byte read of queue_size reads 0, not half of two fields. */
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE + 1, 2), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 4), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 2), 0);
	assert_false(fx.d.failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_rules, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_msix_delivery, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_intx_isr, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_device_config, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pci_cfg_window, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_access_sweep, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
