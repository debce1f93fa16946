// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-net driver (drivers/net/virtio_net.c) against a device model
 * whose rings are walked by Plinth's own device-side virtqueue code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/netdev.h>
#include <plinth/time.h>
#include <plinth/virtio_net_regs.h>
#include <plinth/virtio_pci_regs.h>
#include "log_capture.h"
#include "virtio_net_model.h"

int virtio_net_probe_for_test(struct pci_dev *pd);



void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

void udelay(uint64_t us)
{
	(void)us;
}

/* drivers/pci's walker is not linked here: the same contract over the fake config array. */
unsigned int pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned int from)
{
	unsigned int c = from ? pci_cfg_read8(d, from + 1) : pci_cfg_read8(d, 0x34);

	for (unsigned int n = 0; n < 48 && c >= 0x40 && c <= 0xfc; n++) {
		if (pci_cfg_read8(d, c) == id)
			return c;
		c = pci_cfg_read8(d, c + 1);
	}
	return 0;
}

#define ALL_FEATURES ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) |       \
		      (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |         \
		      (1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_GUEST_CSUM))

struct rxrec {
	uint8_t data[1600];
	size_t len;
	bool csum_valid;
};

static struct vnm *m;
static struct netdev *nd;
static struct rxrec *rx;
static unsigned int nrx, nnotify;

static void on_rx(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta)
{
	(void)ctx;
	assert_true(len <= sizeof(rx[0].data));
	memcpy(rx[nrx % 1024].data, frame, len);
	rx[nrx % 1024].len = len;
	rx[nrx % 1024].csum_valid = meta->csum_valid;
	nrx++;
}

static void on_notify(void *ctx)
{
	(void)ctx;
	nnotify++;
}

static int setup_dev(uint64_t offered)
{
	m = calloc(1, sizeof(*m));
	rx = calloc(1024, sizeof(*rx));
	vnm_init(m, offered);
	log_capture_clear();
	nrx = nnotify = 0;
	if (virtio_net_probe_for_test(&m->f.dev))
		return -1;
	nd = m->f.dev.drvdata;
	nd->rx = on_rx;
	nd->notify = on_notify;
	return 0;
}

static void teardown_dev(void)
{
	if (nd && nd->ops)
		nd->ops->close(nd);
	assert_int_equal(pci_fake_dma_outstanding(), 0);
	/* The driver's state stays: the registry never forgets a device. */
	vnm_free(m);
	free(m);
	free(rx);
	nd = NULL;
}

static void open_dev(uint64_t offered)
{
	assert_int_equal(setup_dev(offered), 0);
	assert_int_equal(nd->ops->open(nd), 0);
	assert_true(m->status & VIRTIO_STATUS_DRIVER_OK);
}

static void make_frame(uint8_t *f, size_t len, unsigned int seq)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static void test_probe_negotiation(void **state)
{
	uint64_t extra = (1ull << VIRTIO_NET_F_MRG_RXBUF) | (1ull << VIRTIO_NET_F_HOST_TSO4) |
			 (1ull << VIRTIO_NET_F_GUEST_TSO4) | (1ull << VIRTIO_NET_F_CTRL_VQ);

	(void)state;
	open_dev(ALL_FEATURES | extra);
	assert_int_equal(m->driver, ALL_FEATURES);	/* nothing it does not implement */
	assert_memory_equal(nd->mac, m->mac, 6);
	assert_true(nd->link_up);
	assert_int_equal(nd->features, NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM);
	assert_int_equal(m->f.irq_mode, PCI_IRQ_MSIX);
	assert_int_equal(m->q[0].msix, 1);
	assert_int_equal(m->q[1].msix, 2);
	assert_int_equal(m->msix_config, 0);
	assert_int_equal(m->q[0].size, 256);
	teardown_dev();
}

static void test_probe_refused(void **state)
{
	(void)state;
	/* No VERSION_1: a legacy-only device is not ours. */
	assert_int_not_equal(setup_dev(ALL_FEATURES & ~(1ull << VIRTIO_F_VERSION_1)), 0);
	assert_true(m->status & VIRTIO_STATUS_FAILED);
	nd = NULL;
	teardown_dev();
	/* FEATURES_OK not kept by the device. */
	m = NULL;
	m = calloc(1, sizeof(*m));
	rx = calloc(1, sizeof(*rx));
	vnm_init(m, ALL_FEATURES);
	m->refuse_features_ok = true;
	assert_int_not_equal(virtio_net_probe_for_test(&m->f.dev), 0);
	assert_true(m->status & VIRTIO_STATUS_FAILED);
	teardown_dev();
	/* Capabilities missing (a legacy interface only). */
	m = calloc(1, sizeof(*m));
	rx = calloc(1, sizeof(*rx));
	vnm_init(m, ALL_FEATURES);
	m->f.cfg[0x34] = 0;
	assert_int_equal(virtio_net_probe_for_test(&m->f.dev), -ENODEV);
	teardown_dev();
}

static void test_link_and_mac(void **state)
{
	(void)state;
	assert_int_equal(setup_dev(ALL_FEATURES & ~(1ull << VIRTIO_NET_F_MAC)), 0);
	/* No MAC feature: a locally administered address, not the device's. */
	assert_int_equal(nd->mac[0], 0x02);
	assert_int_equal(nd->ops->open(nd), 0);
	assert_true(nd->link_up);
	m->net_status = 0;
	vnm_config_change(m);
	assert_int_equal(nnotify, 1);
	nd->ops->poll(nd, 64);
	assert_false(nd->link_up);
	assert_non_null(strstr(log_captured, "link down"));
	m->net_status = VIRTIO_NET_S_LINK_UP;
	vnm_config_change(m);
	nd->ops->poll(nd, 64);
	assert_true(nd->link_up);
	teardown_dev();
}

static void traffic(unsigned int n)
{
	uint8_t f[NETDEV_FRAME_MAX];

	for (unsigned int i = 0; i < n; i++) {
		size_t len = 14 + (i * 37) % (NETDEV_FRAME_MAX - 13);
		struct netdev_tx_meta meta = { i & 1, 34, 16 };
		unsigned int before = m->ntx;

		make_frame(f, len, i);
		if (len < 52)
			meta.csum_partial = false;
		assert_int_equal(nd->ops->xmit(nd, f, len, &meta), 0);
		assert_int_equal(m->ntx, before + 1);
		const struct vnm_frame *t = &m->tx[before % VNM_MAX_TX];
		assert_int_equal(t->len, len);
		assert_memory_equal(t->data, f, len);
		assert_int_equal(t->hdr[VIRTIO_NET_HDR_FLAGS],
				 meta.csum_partial ? VIRTIO_NET_HDR_F_NEEDS_CSUM : 0);
		assert_int_equal(t->hdr[VIRTIO_NET_HDR_GSO_TYPE], VIRTIO_NET_HDR_GSO_NONE);
		if (meta.csum_partial) {
			assert_int_equal(get_le16(t->hdr + VIRTIO_NET_HDR_CSUM_START), 34);
			assert_int_equal(get_le16(t->hdr + VIRTIO_NET_HDR_CSUM_OFFSET), 16);
		}

		unsigned int rb = nrx, nb = nnotify;
		assert_int_equal(vnm_rx(m, f, len, i & 1 ? VIRTIO_NET_HDR_F_DATA_VALID : 0), 0);
		assert_int_equal(nnotify, nb + 1);	/* interrupt -> notify */
		assert_int_equal(nd->ops->poll(nd, 64), 1);
		assert_int_equal(nrx, rb + 1);
		assert_int_equal(rx[rb % 1024].len, len);
		assert_memory_equal(rx[rb % 1024].data, f, len);
		assert_int_equal(rx[rb % 1024].csum_valid, i & 1);
	}
}

static void test_traffic_event_idx(void **state)
{
	(void)state;
	open_dev(ALL_FEATURES);
	traffic(700);	/* wraps both 256-entry rings and the 16-bit indices' low bits */
	assert_int_equal(nd->stats.tx_packets, 700);
	assert_int_equal(nd->stats.rx_packets, 700);
	assert_int_equal(nd->stats.resets, 0);
	assert_int_equal(m->ring_error, 0);
	teardown_dev();
}

static void test_traffic_flags(void **state)
{
	(void)state;
	open_dev(ALL_FEATURES & ~(1ull << VIRTIO_F_EVENT_IDX));
	traffic(600);
	assert_int_equal(m->ring_error, 0);
	teardown_dev();
}

static void test_rx_batch_budget(void **state)
{
	uint8_t f[60];
	unsigned int got = 0;

	(void)state;
	open_dev(ALL_FEATURES);
	make_frame(f, sizeof(f), 1);
	for (unsigned int i = 0; i < 200; i++)
		assert_int_equal(vnm_rx(m, f, sizeof(f), 0), 0);
	assert_int_equal(nd->ops->poll(nd, 64), 64);
	assert_true(nnotify >= 2);	/* budget spent: asked to be polled again */
	while (got < 136)
		got += nd->ops->poll(nd, 64);
	assert_int_equal(got, 136);
	assert_int_equal(nrx, 200);
	/* Ring kept full: another 256 fit without a poll. */
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(vnm_rx(m, f, sizeof(f), 0), 0);
	assert_int_equal(vnm_rx(m, f, sizeof(f), 0), -ENOSPC);
	teardown_dev();
}

static void test_tx_full(void **state)
{
	uint8_t f[100];
	unsigned int irqs;

	(void)state;
	open_dev(ALL_FEATURES);
	make_frame(f, sizeof(f), 3);
	m->hold_tx = true;
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), 0);
	assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), -EAGAIN);
	assert_int_equal(nd->ops->xmit(nd, f, 13, NULL), -EINVAL);
	assert_int_equal(nd->ops->xmit(nd, f, NETDEV_FRAME_MAX + 1, NULL), -EINVAL);
	m->hold_tx = false;
	irqs = nnotify;
	vnm_tx_drain(m);
	assert_int_equal(m->ntx, 256);
	assert_int_equal(nnotify, irqs + 1);	/* the full ring asked for a completion interrupt */
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), 0);
	assert_int_equal(m->ntx, 257);
	teardown_dev();
}

static void test_msix_refused(void **state)
{
	(void)state;
	assert_int_equal(setup_dev(ALL_FEATURES), 0);
	m->refuse_vectors = true;
	assert_int_equal(nd->ops->open(nd), 0);
	assert_non_null(strstr(log_captured, "virtio-net: 00:03.0: MSI-X vector refused"));
	assert_int_equal(m->f.irq_mode, PCI_IRQ_INTX);
	assert_int_equal(m->msix_config, VIRTIO_MSI_NO_VECTOR);
	traffic(20);	/* interrupts now arrive through the ISR */
	teardown_dev();
}

static uint64_t used_at(unsigned int q)
{
	return m->q[q].used;
}

/* Publishes a used element the device's walker never produced. */
static void fake_used(unsigned int q, uint32_t id, uint32_t len, uint16_t jump)
{
	uint8_t *u = (uint8_t *)(uintptr_t)used_at(q);
	uint16_t idx = get_le16(u + 2);

	put_le32(u + 4 + (idx % m->q[q].size) * 8, id);
	put_le32(u + 4 + (idx % m->q[q].size) * 8 + 4, len);
	put_le16(u + 2, idx + jump);
	vnm_queue_irq(m, q);
}

static void expect_reset(const char *line, uint64_t resets)
{
	if (!strstr(log_captured, line))
		print_message("wanted \"%s\", log: %s\n", line, log_captured);
	assert_non_null(strstr(log_captured, line));
	assert_int_equal(nd->stats.resets, resets);
	assert_true(m->status & VIRTIO_STATUS_DRIVER_OK);
	log_capture_clear();
	traffic(5);	/* and it keeps working */
}

static void test_device_nonsense(void **state)
{
	uint8_t f[100];

	(void)state;
	open_dev(ALL_FEATURES);
	traffic(3);
	fake_used(0, 999, 100, 1);
	nd->ops->poll(nd, 64);
	expect_reset("virtio-net: 00:03.0: used id out of range, resetting the device", 1);

	fake_used(0, 7, 5000, 1);
	nd->ops->poll(nd, 64);
	expect_reset("virtio-net: 00:03.0: used length beyond the buffer", 2);

	fake_used(0, 7, 4, 1);
	nd->ops->poll(nd, 64);
	expect_reset("virtio-net: 00:03.0: receive length shorter than the header", 3);

	fake_used(0, 7, 100, 300);
	nd->ops->poll(nd, 64);
	expect_reset("virtio-net: 00:03.0: used index ran ahead", 4);

	/* One TX chain in flight; the device returns another descriptor. */
	make_frame(f, sizeof(f), 9);
	m->hold_tx = true;
	assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), 0);
	fake_used(1, 5, 0, 1);
	nd->ops->poll(nd, 64);
	m->hold_tx = false;
	expect_reset("virtio-net: 00:03.0: used id not in flight", 5);

	/* A completion already reclaimed, returned again. */
	m->hold_tx = true;
	assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), 0);
	assert_int_equal(nd->ops->xmit(nd, f, sizeof(f), NULL), 0);
	fake_used(1, 1, 0, 1);	/* the second frame's descriptor: fine */
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.resets, 5);
	fake_used(1, 1, 0, 1);	/* again, while only descriptor 0 is out */
	nd->ops->poll(nd, 64);
	m->hold_tx = false;
	expect_reset("used id not in flight", 6);

	m->status |= VIRTIO_STATUS_NEEDS_RESET;
	vnm_config_change(m);
	nd->ops->poll(nd, 64);
	assert_int_equal(m->status & VIRTIO_STATUS_NEEDS_RESET, 0);
	expect_reset("virtio-net: 00:03.0: device needs reset", 7);
	assert_int_equal(m->ring_error, 0);
	teardown_dev();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_negotiation),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_link_and_mac),
		cmocka_unit_test(test_traffic_event_idx),
		cmocka_unit_test(test_traffic_flags),
		cmocka_unit_test(test_rx_batch_budget),
		cmocka_unit_test(test_tx_full),
		cmocka_unit_test(test_msix_refused),
		cmocka_unit_test(test_device_nonsense),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
