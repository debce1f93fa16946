// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio PCI transport's configuration side against a fake device: IDs
 * and capabilities, the feature windows and negotiation, the device status
 * rules and reset, queue programming and enabling.
 */
#include "log_capture.h"
#include "virtio_pci_fixture.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>

#define ST_ACK		VIRTIO_STATUS_ACKNOWLEDGE
#define ST_DRV		VIRTIO_STATUS_DRIVER
#define ST_FOK		VIRTIO_STATUS_FEATURES_OK
#define ST_DOK		VIRTIO_STATUS_DRIVER_OK
#define ST_NR		VIRTIO_STATUS_NEEDS_RESET
#define OFFERED		(FX_DEV_FEATURES | 1ull << VIRTIO_F_VERSION_1 | \
			 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC)

static uint8_t status(void)
{
	return (uint8_t)fx_common_rd(VIRTIO_PCI_COMMON_STATUS, 1);
}

static void set_status(uint8_t s)
{
	fx_common_wr(VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static void write_driver_features(uint64_t f)
{
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, f >> 32);
}

static void test_ids(void **state)
{
	struct virtio_pci_ids ids;

	(void)state;
	virtio_pci_get_ids(&fx.vp, &ids);
	assert_int_equal(ids.vendor, 0x1af4);
	assert_int_equal(ids.device, 0x1042);
	assert_int_equal(ids.subsys_vendor, 0x1af4);
	assert_true(ids.subsys >= 0x40);
	assert_int_equal(ids.revision, 1);
	assert_int_equal(ids.class_code, 0x010000);
	assert_int_equal(virtio_pci_io_bar_size(&fx.vp), 8);	/* 2 * 3 -> 8 */
	assert_ptr_equal(fx.d.transport_ctx, &fx.vp);
	assert_non_null(fx.d.transport);
}

static void check_cap(const struct virtio_pci_cap_body *c, uint8_t cap_len, uint8_t type,
		      uint8_t bar, uint32_t off, uint32_t len)
{
	assert_int_equal(c->len, cap_len - 2);
	assert_int_equal(c->data[0], cap_len);
	assert_int_equal(c->data[1], type);
	assert_int_equal(c->data[2], bar);
	assert_int_equal(get_le32(&c->data[6]), off);
	assert_int_equal(get_le32(&c->data[10]), len);
}

static void test_caps(void **state)
{
	struct virtio_pci_cap_body c[VIRTIO_PCI_NUM_CAPS];

	(void)state;
	memset(c, 0x55, sizeof(c));
	assert_int_equal(virtio_pci_caps(&fx.vp, c), 6);
	check_cap(&c[0], 16, 1, 4, 0x0000, 0x3c);
	check_cap(&c[1], 20, 2, 0, 0, 2 * FX_NQ);
	assert_int_equal(get_le32(&c[1].data[14]), 2);
	check_cap(&c[2], 20, 2, 4, 0x3000, 4 * FX_NQ);
	assert_int_equal(get_le32(&c[2].data[14]), 4);
	check_cap(&c[3], 16, 3, 4, 0x1000, 4);
	check_cap(&c[4], 16, 4, 4, 0x2000, FX_CFG_SIZE);
	check_cap(&c[VIRTIO_PCI_CAP_IDX_PCI_CFG], 20, 5, 0, 0, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(c[5].data[14 + i], 0);
	/* id and padding are zero. */
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(c[i].data[3] | c[i].data[4] | c[i].data[5], 0);
}

static void test_init_refuses(void **state)
{
	struct virtio_pci vp;
	struct virtio_dev d = fx.d;

	(void)state;
	d.num_queues = 0;
	assert_int_equal(virtio_pci_init(&vp, &d, &fx.irq), -EINVAL);
	d.num_queues = VIRTIO_PCI_MAX_QUEUES + 1;
	assert_int_equal(virtio_pci_init(&vp, &d, &fx.irq), -EINVAL);
	d = fx.d;
	d.config_size = VIRTIO_PCI_DEVICE_MAX + 1;
	assert_int_equal(virtio_pci_init(&vp, &d, &fx.irq), -EINVAL);
	d = fx.d;
	fx.queues[1].max_size = 48;
	assert_int_equal(virtio_pci_init(&vp, &d, &fx.irq), -EINVAL);
	fx.queues[1].max_size = 0;
	assert_int_equal(virtio_pci_init(&vp, &d, &fx.irq), -EINVAL);
	fx.queues[1].max_size = FX_QMAX;
}

static void test_feature_windows(void **state)
{
	(void)state;
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DF, 4), (uint32_t)OFFERED);
	fx_common_wr(VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DFSELECT, 4), 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DF, 4), OFFERED >> 32);
	fx_common_wr(VIRTIO_PCI_COMMON_DFSELECT, 4, 2);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DF, 4), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_DFSELECT, 4, 0xffffffff);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DF, 4), 0);
	/* device_feature is read-only. */
	fx_common_wr(VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_DF, 4, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DF, 4), (uint32_t)OFFERED);

	write_driver_features(0x1234567800000020ull);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 0x20);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 0x12345678);
	/* Selects past 1 name no bits: writes are dropped, reads give 0. */
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 7);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, 0xffffffff);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 0x12345678);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_NUMQ, 2), FX_NQ);
}

static void test_negotiation(void **state)
{
	(void)state;
	set_status(ST_ACK | ST_DRV);
	/* Without VERSION_1: a legacy driver, refused before the device is asked. */
	write_driver_features(FX_DEV_FEATURES);
	set_status(ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(status(), ST_ACK | ST_DRV);
	assert_int_equal(fx.features_ok_calls, 0);
	/* A bit not offered. */
	write_driver_features(1ull << VIRTIO_F_VERSION_1 | 1ull << 7);
	set_status(ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(status(), ST_ACK | ST_DRV);
	assert_int_equal(fx.features_ok_calls, 0);
	/* The device vetoes. */
	fx.features_ok_ret = -EINVAL;
	write_driver_features(OFFERED);
	set_status(ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(status(), ST_ACK | ST_DRV);
	assert_int_equal(fx.features_ok_calls, 1);
	assert_int_equal(fx.d.features, 0);
	/* DRIVER_OK without FEATURES_OK does not stick either. */
	set_status(ST_ACK | ST_DRV | ST_DOK);
	assert_int_equal(status(), ST_ACK | ST_DRV);
	assert_int_equal(fx.driver_ok_calls, 0);
	/* Accepted. */
	fx.features_ok_ret = 0;
	write_driver_features(1ull << VIRTIO_F_VERSION_1 | 1ull << 5);
	set_status(ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(status(), ST_ACK | ST_DRV | ST_FOK);
	assert_int_equal(fx.features_at_ok, 1ull << VIRTIO_F_VERSION_1 | 1ull << 5);
	assert_int_equal(fx.d.features, 1ull << VIRTIO_F_VERSION_1 | 1ull << 5);
	/* Driver features are fixed from FEATURES_OK on. */
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_GF, 4, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 1u << 5);
	set_status(ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_int_equal(status(), ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_int_equal(fx.driver_ok_calls, 1);
	/* Writing DRIVER_OK again calls nothing again. */
	set_status(ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_int_equal(fx.driver_ok_calls, 1);
}

static void test_status_only_adds(void **state)
{
	(void)state;
	fx_features_ok();
	set_status(ST_ACK);	/* clears DRIVER and FEATURES_OK: ignored */
	assert_int_equal(status(), ST_ACK | ST_DRV | ST_FOK);
	/* NEEDS_RESET is the device's to set. */
	set_status(ST_ACK | ST_DRV | ST_FOK | ST_NR);
	assert_int_equal(status(), ST_ACK | ST_DRV | ST_FOK);
	assert_false(fx.d.failed);
	set_status(ST_ACK | ST_DRV | ST_FOK | VIRTIO_STATUS_FAILED);
	assert_int_equal(status(), ST_ACK | ST_DRV | ST_FOK | VIRTIO_STATUS_FAILED);
	/* The generation is constant while the device changes nothing. */
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1),
			 fx_common_rd(VIRTIO_PCI_COMMON_CFGGEN, 1));
}

static void test_reset(void **state)
{
	(void)state;
	fx_bring_up();
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 2);
	fx_common_wr(VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	fx.d.transport->queue_irq(&fx.d, 0);	/* INTx: ISR bit, line up */
	assert_true(fx.intx_level);
	virtio_dev_fail(&fx.d, "test failure");
	assert_true(fx.d.failed);

	set_status(0);
	assert_int_equal(fx.reset_calls, 1);
	assert_int_equal(status(), 0);
	assert_false(fx.d.failed);
	assert_false(fx.intx_level);
	assert_int_equal(fx.d.features, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_DFSELECT, 4), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_GF, 4), 0);
	assert_int_equal(fx_rd(VIRTIO_PCI_BAR_REGS, VIRTIO_PCI_ISR_OFF, 1), 0);
	for (unsigned int q = 0; q < FX_NQ; q++) {
		struct virtio_queue *vq = &fx.queues[q];

		assert_false(vq->enabled);
		assert_false(vq->vq.ready);
		assert_int_equal(vq->msix_vector, VIRTIO_MSI_NO_VECTOR);
		assert_int_equal(vq->vq.cfg.size, FX_QMAX);
		assert_int_equal(vq->vq.cfg.desc.v | vq->vq.cfg.avail.v | vq->vq.cfg.used.v, 0);
		assert_int_equal(vq->vq.cfg.max_chain_bytes, FX_MAX_CHAIN);
		fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), FX_QMAX);
		assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
		assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_DESC, 8), 0);
	}
	/* After a reset the device fails (and logs) again. */
	log_lines = 0;
	virtio_dev_fail(&fx.d, "second");
	assert_int_equal(log_lines, 1);
	/* And it can be brought up again. */
	set_status(0);
	fx_bring_up();
	assert_int_equal(fx.driver_ok_calls, 2);
	virtio_pci_reset(&fx.vp);
	assert_int_equal(fx.reset_calls, 3);
	assert_int_equal(status(), 0);
}

static void test_queue_programming(void **state)
{
	(void)state;
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), FX_QMAX);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_NOFF, 2), 2);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	/* Sizes: powers of two up to max_size, anything else keeps the old one. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 16);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 24);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 2 * FX_QMAX);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 0x8000);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 16);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 1);
	/* 64-bit addresses as halves and whole. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC, 4, 0x89abcdef);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC + 4, 4, 0x01234567);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_DESC, 8), 0x0123456789abcdefull);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_DESC + 4, 4), 0x01234567);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_DESC, 4), 0x89abcdef);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_AVAIL, 8, 0x1122334455667788ull);
	assert_int_equal(fx.queues[2].vq.cfg.avail.v, 0x1122334455667788ull);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_USED + 4, 4, 0xfeedface);
	assert_int_equal(fx.queues[2].vq.cfg.used.v, 0xfeedface00000000ull);
	/* Halves of the wrong width or place are ignored. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_USED + 2, 2, 0xffff);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_USED + 2, 4, 0xffffffff);
	assert_int_equal(fx.queues[2].vq.cfg.used.v, 0xfeedface00000000ull);
	assert_int_equal(fx.queues[1].vq.cfg.desc.v, 0);	/* other queues untouched */
	/* Past num_queues: size reads 0 and writes go nowhere. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, FX_NQ);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 4);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC, 8, 0x1000);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_DESC, 8), 0);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SELECT, 2, 0xffff);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* Not offered: notify data and queue reset read 0. */
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_NDATA, 2), 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_RESET, 2), 0);
}

static void test_enable(void **state)
{
	struct virtio_queue *q = &fx.queues[1];

	(void)state;
	/* Before FEATURES_OK the queue cannot start: no features to run it with. */
	fx_program_queue(1, 64);
	fx_enable_queue(1);
	assert_false(q->enabled);
	fx_features_ok();
	fx_program_queue(1, 64);
	fx_enable_queue(1);
	assert_true(q->enabled);
	assert_true(q->vq.ready);
	assert_int_equal(q->vq.cfg.size, 64);
	assert_int_equal(q->vq.cfg.desc.v, FX_DESC(1));
	assert_int_equal(q->vq.cfg.avail.v, FX_AVAIL(1));
	assert_int_equal(q->vq.cfg.used.v, FX_USED(1));
	assert_true(q->vq.cfg.event_idx);
	assert_int_equal(q->vq.cfg.max_chain_bytes, FX_MAX_CHAIN);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	/* Fixed while enabled; the vector is not. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC, 4, 0x2000);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_AVAIL + 4, 4, 1);
	fx_common_wr(VIRTIO_PCI_COMMON_Q_USED, 8, 0);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	assert_int_equal(q->vq.cfg.desc.v, FX_DESC(1));
	assert_int_equal(q->vq.cfg.avail.v, FX_AVAIL(1));
	assert_int_equal(q->vq.cfg.used.v, FX_USED(1));
	fx_common_wr(VIRTIO_PCI_COMMON_Q_MSIX, 2, 3);
	assert_int_equal(fx_common_rd(VIRTIO_PCI_COMMON_Q_MSIX, 2), 3);
	/* Writing 0 does not stop a queue; only a reset does. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
	assert_true(q->enabled);
	assert_int_equal(log_lines, 0);
	assert_false(fx.d.failed);
}

static void test_enable_bad_ring(void **state)
{
	struct virtio_queue *q = &fx.queues[2];

	(void)state;
	fx.msix_en = true;
	fx_common_wr(VIRTIO_PCI_COMMON_MSIX, 2, 2);
	fx_features_ok();
	fx_program_queue(2, 64);
	/* The used ring outside guest RAM. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_USED, 8, FX_RAM_BASE + FX_RAM_SIZE - 8);
	fx_enable_queue(2);
	assert_false(q->enabled);
	assert_true(fx.d.failed);
	assert_true(status() & ST_NR);
	assert_int_equal(log_lines, 1);
	assert_non_null(strstr(log_captured, "virtio: virtio-blk test: device needs reset: queue 2: "));
	assert_non_null(strstr(log_captured, "outside guest RAM"));
	assert_int_equal(fx.nmsix, 1);
	assert_int_equal(fx.msix_sent[0], 2);
	/* Another bad enable: still one log line and one interrupt. */
	fx_common_wr(VIRTIO_PCI_COMMON_Q_DESC, 8, FX_DESC(2) + 8);	/* misaligned */
	fx_enable_queue(2);
	assert_int_equal(log_lines, 1);
	assert_int_equal(fx.nmsix, 1);
	/* NEEDS_RESET survives status writes; a reset clears it. */
	set_status(ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_true(status() & ST_NR);
	set_status(0);
	assert_int_equal(status(), 0);
	assert_false(fx.d.failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_caps, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_feature_windows, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_negotiation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_only_adds, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reset, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_queue_programming, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_enable_bad_ring, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
