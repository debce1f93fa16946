// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/net/e1000.c against a fake 82540EM (e1000_model.c): probe, both
 * rings through wrap-around, interrupts, link, promiscuous mode, and a
 * device reporting nonsense, which must end in a logged reset and a driver
 * that keeps working.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/time.h>
#include "log_capture.h"
#include "e1000_model.h"

/* The driver's statics (its probe is reached through PCI_DRIVER's object). */
#include <net/e1000.c>

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct {
	unsigned int notifies;
	unsigned int rx_count;
	uint8_t rx_frame[2048];
	size_t rx_len;
	uint32_t rx_next_seq;
	bool rx_in_order;
	size_t dma_before;	/* what an earlier failed test left */
} fx;


void udelay(uint64_t us)
{
	(void)us;
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

static void on_notify(void *ctx)
{
	(void)ctx;
	fx.notifies++;
}

static void on_rx(void *ctx, const void *frame, size_t len, const struct netdev_rx_meta *meta)
{
	uint32_t seq;

	(void)ctx;
	assert_false(meta->csum_valid);
	assert_in_range(len, 14, 2048);
	memcpy(fx.rx_frame, frame, len);
	fx.rx_len = len;
	fx.rx_count++;
	if (len >= 18) {
		memcpy(&seq, (const uint8_t *)frame + 14, 4);
		if (seq != fx.rx_next_seq)
			fx.rx_in_order = false;
		fx.rx_next_seq = seq + 1;
	}
}

/* Probes a fresh model; the model is never freed (the netdev registry keeps pointing at it). */
static struct e1000_model *new_model(void)
{
	struct e1000_model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	e1000_model_init(m, mac_a);
	return m;
}

static struct netdev *probe_ok(struct e1000_model *m)
{
	struct e1000 *e;

	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), 0);
	e = m->pf.dev.drvdata;
	assert_non_null(e);
	return &e->nd;
}

static struct netdev *up(struct e1000_model **mp)
{
	struct e1000_model *m = new_model();
	struct netdev *nd = probe_ok(m);

	nd->rx = on_rx;
	nd->notify = on_notify;
	assert_int_equal(nd->ops->open(nd), 0);
	*mp = m;
	return nd;
}

static void frame_make(uint8_t *f, size_t len, uint32_t seq)
{
	memset(f, 0, len);
	memcpy(f, mac_a, 6);
	f[6] = 0x02;
	f[12] = 0x08;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seq);
	if (len >= 18)
		memcpy(f + 14, &seq, 4);
}

static void irq(struct e1000_model *m)
{
	assert_true(pci_fake_fire(&m->pf, 0));
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	log_capture_clear();
	fx.rx_in_order = true;
	fx.dma_before = pci_fake_dma_outstanding();
	return 0;
}

static void close_no_leak(struct netdev *nd)
{
	nd->ops->close(nd);
	assert_int_equal(pci_fake_dma_outstanding(), fx.dma_before);
}

static void test_probe_mac_from_ral(void **state)
{
	struct e1000_model *m = new_model();
	struct netdev *nd;

	(void)state;
	for (unsigned int i = 0; i < E1000_MTA_WORDS; i++)
		e1000_model_set_reg(m, E1000_MTA + 4 * i, 0xdeadbeef);
	m->mac_in_ral = true;
	m->eeprom[0] = 0xffff;	/* not consulted */
	nd = probe_ok(m);
	assert_memory_equal(nd->mac, mac_a, 6);
	assert_string_equal(nd->driver, "e1000");
	assert_string_equal(nd->bus_id, "00:03.0");
	assert_true(nd->link_up);
	assert_int_equal(nd->features, 0);
	assert_non_null(nd->ops->set_promisc);
	assert_true(m->pf.enabled);
	assert_int_equal(m->pf.irq_mode, PCI_IRQ_INTX);
	assert_int_equal(m->resets, 1);
	assert_true(e1000_model_reg(m, E1000_CTRL) & E1000_CTRL_SLU);
	assert_true(e1000_model_reg(m, E1000_CTRL) & E1000_CTRL_ASDE);
	assert_true(e1000_model_reg(m, E1000_RAH0) & E1000_RAH_AV);
	for (unsigned int i = 0; i < E1000_MTA_WORDS; i++)
		assert_int_equal(e1000_model_reg(m, E1000_MTA + 4 * i), 0);
	assert_int_equal(e1000_model_reg(m, E1000_IMS), 0);	/* nothing until open */
	assert_non_null(strstr(log_captured, "e1000 at 00:03.0, MAC 52:54:00:12:34:56"));
	assert_int_equal(pci_fake_dma_outstanding(), fx.dma_before);
}

/* The 82545EM (QEMU's e1000-82545em) has the same registers: one id entry away. */
static void test_ids(void **state)
{
	(void)state;
	assert_int_equal(e1000_ids[0].device, E1000_DEV_82540EM);
	assert_int_equal(e1000_ids[1].device, E1000_DEV_82545EM);
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(e1000_ids[i].vendor, E1000_VENDOR_INTEL);
	assert_int_equal(e1000_ids[2].vendor, 0);
	assert_ptr_equal(__pci_driver_e1000.ids, e1000_ids);
	assert_ptr_equal(__pci_driver_e1000.probe, e1000_probe);
	assert_string_equal(__pci_driver_e1000.name, "e1000");
}

static void test_probe_mac_from_eeprom(void **state)
{
	static const uint8_t mac_b[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
	struct e1000_model *m = new_model();
	struct netdev *nd;

	(void)state;
	m->mac_in_ral = false;	/* RAL0/RAH0 read zero after the reset */
	for (unsigned int i = 0; i < 3; i++)
		m->eeprom[i] = mac_b[2 * i] | mac_b[2 * i + 1] << 8;
	nd = probe_ok(m);
	assert_memory_equal(nd->mac, mac_b, 6);
	/* The driver wrote the address back for the receive filter. */
	assert_int_equal(e1000_model_reg(m, E1000_RAL0), 0xaa211b00);
	assert_int_equal(e1000_model_reg(m, E1000_RAH0), 0xccbb | E1000_RAH_AV);
}

static void test_probe_failures(void **state)
{
	struct e1000_model *m;

	(void)state;
	m = new_model();
	m->pf.bar_size[0] = 64 * 1024;
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -ENODEV);
	assert_false(m->pf.enabled);
	assert_non_null(strstr(log_captured, "e1000: 00:03.0: BAR 0 is not 128 KiB of MMIO"));
	free(m);

	m = new_model();
	m->pf.bar_io[0] = true;
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -ENODEV);
	free(m);

	m = new_model();
	m->reset_reads = UINT32_MAX;	/* RST never clears: the wait is bounded */
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -ETIMEDOUT);
	assert_non_null(strstr(log_captured, "e1000: 00:03.0: reset failed"));
	free(m);

	m = new_model();
	m->reset_reads = 5;	/* a reset that takes a while is fine */
	probe_ok(m);

	m = new_model();
	m->mac_in_ral = false;
	memset(m->eeprom, 0xff, sizeof(m->eeprom));	/* broadcast: not a station address */
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -EINVAL);
	assert_non_null(strstr(log_captured, "no valid MAC address"));
	free(m);

	m = new_model();
	m->pf.has_intx = false;
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -ENODEV);
	assert_false(m->pf.enabled);
	free(m);

	m = new_model();
	m->gone = true;
	assert_int_equal(__pci_driver_e1000.probe(&m->pf.dev), -ENODEV);
	assert_int_equal(pci_fake_dma_outstanding(), fx.dma_before);
	free(m);
}

static void test_open_programs_rings(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint32_t rctl = e1000_model_reg(m, E1000_RCTL), tctl = e1000_model_reg(m, E1000_TCTL);

	(void)state;
	assert_int_equal(e1000_model_reg(m, E1000_RDLEN), 256 * 16);
	assert_int_equal(e1000_model_reg(m, E1000_TDLEN), 256 * 16);
	assert_int_equal(e1000_model_reg(m, E1000_RDH), 0);
	assert_int_equal(e1000_model_reg(m, E1000_RDT), 255);
	assert_int_equal(e1000_model_reg(m, E1000_TDT), 0);
	assert_int_equal(rctl, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
	assert_true(tctl & E1000_TCTL_EN);
	assert_true(tctl & E1000_TCTL_PSP);
	assert_int_equal((tctl >> E1000_TCTL_CT_SHIFT) & 0xff, 0x10);
	assert_int_equal((tctl >> E1000_TCTL_COLD_SHIFT) & 0x3ff, 0x40);
	assert_int_equal(e1000_model_reg(m, E1000_TIPG), E1000_TIPG_VALUE);
	assert_int_equal(e1000_model_reg(m, E1000_IMS), E1000_ICR_RXT0 | E1000_ICR_RXO |
			 E1000_ICR_RXDMT0 | E1000_ICR_TXDW | E1000_ICR_LSC);
	for (unsigned int i = 0; i < 256; i++) {
		struct e1000_rx_desc *d = &e1000_model_rx_ring(m)[i];

		assert_int_not_equal(d->addr, 0);
		assert_int_equal(d->status, 0);
	}
	assert_int_equal(nd->ops->open(nd), -EBUSY);
	close_no_leak(nd);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL), 0);
	assert_int_equal(e1000_model_reg(m, E1000_IMS), 0);
	/* Open again after close. */
	assert_int_equal(nd->ops->open(nd), 0);
	close_no_leak(nd);
}

static void test_tx(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[1514];

	(void)state;
	frame_make(f, 60, 1);
	assert_int_equal(nd->ops->xmit(nd, f, 60, NULL), 0);
	assert_int_equal(m->tx_count, 1);
	assert_int_equal(m->tx_len[0], 60);
	assert_memory_equal(m->tx_frame[0], f, 60);
	assert_int_equal(m->tx_cmd[0], E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS);
	/* Copied: changing the caller's buffer afterwards changes nothing. */
	memset(f, 0xee, sizeof(f));
	assert_int_not_equal(m->tx_frame[0][20], 0xee);

	assert_true(e1000_model_irq(m));
	irq(m);
	assert_int_equal(fx.notifies, 1);
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(nd->stats.tx_packets, 1);
	assert_int_equal(nd->stats.tx_bytes, 60);
	assert_int_equal(nd->stats.interrupts, 1);

	frame_make(f, sizeof(f), 2);
	assert_int_equal(nd->ops->xmit(nd, f, 1514, NULL), 0);
	assert_int_equal(nd->ops->xmit(nd, f, 13, NULL), -EINVAL);
	assert_int_equal(nd->ops->xmit(nd, f, 1515, NULL), -EINVAL);
	assert_int_equal(m->tx_count, 2);
	close_no_leak(nd);
	assert_int_equal(nd->ops->xmit(nd, f, 60, NULL), -EIO);
}

static void test_rx(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[2048];

	(void)state;
	frame_make(f, 100, 0);
	assert_true(e1000_model_rx(m, f, 100));
	assert_true(e1000_model_irq(m));
	irq(m);
	assert_int_equal(fx.notifies, 1);
	assert_int_equal(nd->ops->poll(nd, 64), 1);
	assert_int_equal(fx.rx_len, 100);
	assert_memory_equal(fx.rx_frame, f, 100);
	assert_int_equal(nd->stats.rx_packets, 1);
	assert_int_equal(nd->stats.rx_bytes, 100);
	/* The descriptor went back: RDT moved past it. */
	assert_int_equal(e1000_model_reg(m, E1000_RDT), 0);

	/* A full-size buffer is still a frame; the budget is honoured. */
	for (uint32_t i = 1; i <= 5; i++) {
		frame_make(f, i == 5 ? 2048 : 60, i);
		assert_true(e1000_model_rx(m, f, i == 5 ? 2048 : 60));
	}
	assert_int_equal(nd->ops->poll(nd, 3), 3);
	assert_int_equal(nd->ops->poll(nd, 3), 2);
	assert_int_equal(fx.rx_len, 2048);
	assert_int_equal(nd->ops->poll(nd, 3), 0);
	assert_true(fx.rx_in_order);
	close_no_leak(nd);
}

static void test_shared_line(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);

	(void)state;
	/* Another device's interrupt: ICR reads 0, nobody is woken. */
	irq(m);
	assert_int_equal(fx.notifies, 0);
	assert_int_equal(nd->stats.interrupts, 0);
	/* Causes we did not enable do not count either. */
	e1000_model_set_reg(m, E1000_ICR, 1u << 1);
	irq(m);
	assert_int_equal(fx.notifies, 0);
	/* Read-to-clear: the cause is gone after one interrupt. */
	e1000_model_set_link(m, true);
	irq(m);
	irq(m);
	assert_int_equal(fx.notifies, 1);
	close_no_leak(nd);
}

static void test_wraparound(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[600];
	uint32_t seq = 0;

	(void)state;
	for (unsigned int round = 0; round < 150; round++) {
		unsigned int burst = 1 + round % 9;

		for (unsigned int i = 0; i < burst; i++) {
			size_t len = 60 + (seq * 13) % 500;

			frame_make(f, len, seq);
			assert_true(e1000_model_rx(m, f, len));
			assert_int_equal(nd->ops->xmit(nd, f, len, NULL), 0);
			seq++;
		}
		irq(m);
		assert_int_equal(nd->ops->poll(nd, 64), burst);
		assert_memory_equal(fx.rx_frame, f, fx.rx_len);
		assert_memory_equal(m->tx_frame[(m->tx_count - 1) % E1000_MODEL_TX_LOG], f,
				    fx.rx_len);
	}
	assert_true(seq > 2 * 256);
	assert_true(fx.rx_in_order);
	assert_int_equal(fx.rx_count, seq);
	assert_int_equal(nd->stats.rx_packets, seq);
	assert_int_equal(nd->stats.tx_packets, seq);
	assert_int_equal(m->tx_count, seq);
	assert_int_equal(nd->stats.resets, 0);
	assert_int_equal(nd->stats.rx_dropped + nd->stats.rx_errors, 0);
	close_no_leak(nd);
}

static void test_rx_ring_full(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[64];
	unsigned int n = 0;

	(void)state;
	frame_make(f, 64, 0);
	while (e1000_model_rx(m, f, 64))
		n++;
	assert_int_equal(n, 255);	/* one descriptor always held back */
	assert_int_equal(nd->ops->poll(nd, 1000), 255);
	assert_true(e1000_model_rx(m, f, 64));
	assert_int_equal(nd->ops->poll(nd, 1000), 1);
	assert_int_equal(nd->stats.resets, 0);
	close_no_leak(nd);
}

static void test_tx_full(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[60];
	unsigned int n = 0;

	(void)state;
	frame_make(f, 60, 0);
	m->tx_hold = true;
	while (nd->ops->xmit(nd, f, 60, NULL) == 0)
		n++;
	assert_int_equal(n, 255);
	assert_int_equal(nd->ops->xmit(nd, f, 60, NULL), -EAGAIN);
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(nd->ops->xmit(nd, f, 60, NULL), -EAGAIN);
	/* The device catches up: the next xmit reclaims by itself. */
	m->tx_hold = false;
	e1000_model_tx_run(m);
	assert_int_equal(nd->ops->xmit(nd, f, 60, NULL), 0);
	assert_int_equal(nd->stats.tx_packets, 255);
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(nd->stats.tx_packets, 256);
	assert_int_equal(nd->stats.resets, 0);
	close_no_leak(nd);
}

static void test_link_change(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);

	(void)state;
	assert_true(nd->link_up);
	e1000_model_set_link(m, false);
	irq(m);
	nd->ops->poll(nd, 64);
	assert_false(nd->link_up);
	assert_non_null(strstr(log_captured, ": link down"));
	e1000_model_set_link(m, true);
	irq(m);
	nd->ops->poll(nd, 64);
	assert_true(nd->link_up);
	close_no_leak(nd);
}

static void test_promisc(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	const uint32_t both = E1000_RCTL_UPE | E1000_RCTL_MPE;

	(void)state;
	assert_int_equal(e1000_model_reg(m, E1000_RCTL) & both, 0);
	assert_int_equal(nd->ops->set_promisc(nd, true), 0);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL) & both, both);
	assert_true(e1000_model_reg(m, E1000_RCTL) & E1000_RCTL_EN);
	/* Kept across a reset and across close/open. */
	e1000_model_set_reg(m, E1000_RDH, 4096);
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.resets, 1);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL) & both, both);
	nd->ops->close(nd);
	assert_int_equal(nd->ops->open(nd), 0);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL) & both, both);
	assert_int_equal(nd->ops->set_promisc(nd, false), 0);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL) & both, 0);
	assert_true(e1000_model_reg(m, E1000_RCTL) & E1000_RCTL_EN);
	close_no_leak(nd);
}

static void test_rx_bad_frames(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[2048];
	const uint8_t dd = E1000_RXD_STAT_DD, eop = E1000_RXD_STAT_EOP;

	(void)state;
	frame_make(f, 2048, 0);
	/* A frame in two buffers (no EOP on the first): all of it dropped, counted once. */
	assert_true(e1000_model_rx_desc(m, f, 2048, dd, 0));
	assert_true(e1000_model_rx_desc(m, f, 500, dd | eop, 0));
	/* A CRC error, a runt. */
	assert_true(e1000_model_rx_desc(m, f, 60, dd | eop, 0x01));
	assert_true(e1000_model_rx_desc(m, f, 10, dd | eop, 0));
	/* A checksum error alone is not a frame error (nothing offloaded). */
	assert_true(e1000_model_rx_desc(m, f, 60, dd | eop, 0x20));
	assert_int_equal(nd->ops->poll(nd, 64), 1);
	assert_int_equal(fx.rx_count, 1);
	assert_int_equal(fx.rx_len, 60);
	assert_int_equal(nd->stats.rx_dropped, 1);
	assert_int_equal(nd->stats.rx_errors, 2);
	assert_int_equal(nd->stats.resets, 0);
	/* Overrun reported by the device. */
	e1000_model_set_reg(m, E1000_ICR, E1000_ICR_RXO);
	irq(m);
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.rx_dropped, 2);
	close_no_leak(nd);
}

/* After a reset the driver still moves frames both ways. */
static void assert_works(struct e1000_model *m, struct netdev *nd)
{
	uint8_t f[200];
	unsigned int rx = fx.rx_count, tx = m->tx_count;

	frame_make(f, 200, fx.rx_next_seq);
	for (unsigned int i = 0; i < 300; i++) {
		assert_true(e1000_model_rx(m, f, 200));
		assert_int_equal(nd->ops->xmit(nd, f, 200, NULL), 0);
		assert_int_equal(nd->ops->poll(nd, 64), 1);
	}
	assert_int_equal(fx.rx_count, rx + 300);
	assert_int_equal(m->tx_count, tx + 300);
}

static void expect_reset(struct e1000_model *m, struct netdev *nd, const char *what,
			 uint64_t resets)
{
	assert_non_null(strstr(log_captured, "e1000: 00:03.0: "));
	assert_non_null(strstr(log_captured, what));
	assert_non_null(strstr(log_captured, "resetting the device"));
	assert_int_equal(nd->stats.resets, resets);
	assert_int_equal(e1000_model_reg(m, E1000_RDT), 255);
	assert_int_equal(e1000_model_reg(m, E1000_RDH), 0);
	assert_int_equal(e1000_model_reg(m, E1000_TDH), 0);
	assert_works(m, nd);
}

static void test_nonsense(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[100];
	unsigned int lines;
	uint64_t resets = 0;

	(void)state;
	frame_make(f, 100, 0);

	/* Length larger than the buffer. */
	assert_true(e1000_model_rx(m, f, 100));
	e1000_model_rx_ring(m)[0].length = 2049;
	lines = log_lines;
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(log_lines, lines + 1);
	expect_reset(m, nd, "RX length larger than the buffer (0x801)", ++resets);

	/* RDH outside the ring. */
	e1000_model_set_reg(m, E1000_RDH, 256);
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "RDH outside the ring (0x100)", ++resets);

	/* TDH outside the ring, then TDH beyond what was queued. */
	e1000_model_set_reg(m, E1000_TDH, 0xffff);
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "TDH outside the queued descriptors (0xffff)", ++resets);
	m->tx_hold = true;
	assert_int_equal(nd->ops->xmit(nd, f, 100, NULL), 0);
	e1000_model_set_reg(m, E1000_TDH, (e1000_model_reg(m, E1000_TDT) + 5) % 256);
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.resets, ++resets);
	assert_int_equal(nd->stats.tx_dropped, 1);	/* the frame in flight */
	m->tx_hold = false;
	assert_works(m, nd);

	/* DD on the RX descriptor the driver holds back. */
	e1000_model_rx_ring(m)[e1000_model_reg(m, E1000_RDT)].status = E1000_RXD_STAT_DD;
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "DD on an RX descriptor not handed over", ++resets);

	/* DD on a free TX descriptor. */
	e1000_model_tx_ring(m)[(e1000_model_reg(m, E1000_TDT) + 3) % 256].status = 1;
	e1000_model_tx_ring(m)[e1000_model_reg(m, E1000_TDT)].status = E1000_TXD_STAT_DD;
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "DD on a TX descriptor not handed over", ++resets);

	/* An ICR bit no 8254x has, alone and with a real cause; known masked causes are fine. */
	e1000_model_set_reg(m, E1000_ICR, 1u << 20);
	irq(m);
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "ICR bits the device does not have (0x100000)", ++resets);
	e1000_model_set_reg(m, E1000_ICR, E1000_ICR_RXT0 | 1u << 5);
	irq(m);
	nd->ops->poll(nd, 64);
	expect_reset(m, nd, "ICR bits the device does not have (0x20)", ++resets);
	e1000_model_set_reg(m, E1000_ICR, E1000_ICR_TXDW | 1u << 1 | 1u << 31);
	irq(m);
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.resets, resets);

	/* All-ones only while the handler ran (the device is back by the poll): no reset. */
	m->gone = true;
	lines = fx.notifies;
	irq(m);
	assert_int_equal(fx.notifies, lines + 1);
	m->gone = false;
	nd->ops->poll(nd, 64);
	assert_int_equal(nd->stats.resets, resets);
	assert_works(m, nd);
	close_no_leak(nd);
}

static void test_device_gone(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[100];

	(void)state;
	frame_make(f, 100, 0);
	m->tx_hold = true;
	assert_int_equal(nd->ops->xmit(nd, f, 100, NULL), 0);
	m->gone = true;
	irq(m);
	assert_int_equal(fx.notifies, 1);
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_non_null(strstr(log_captured, "e1000: 00:03.0: registers read all-ones, device gone"));
	assert_non_null(strstr(log_captured, "e1000: 00:03.0: reset failed (-19), device stopped"));
	assert_int_equal(nd->stats.resets, 1);
	assert_false(nd->link_up);
	assert_int_equal(nd->ops->xmit(nd, f, 100, NULL), -EIO);
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(nd->ops->set_promisc(nd, true), -EIO);
	close_no_leak(nd);
}

/* A device insane on every poll is reset a bounded number of times, then stopped. */
static void test_fault_storm(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);
	uint8_t f[100];

	(void)state;
	frame_make(f, 100, 0);
	for (unsigned int i = 0; i < 20; i++) {
		e1000_model_set_reg(m, E1000_RDH, 300);
		nd->ops->poll(nd, 64);
	}
	assert_int_equal(nd->stats.resets, 9);
	assert_non_null(strstr(log_captured, "8 resets in a row did not help, device stopped"));
	assert_int_equal(nd->ops->xmit(nd, f, 100, NULL), -EIO);
	assert_int_equal(e1000_model_reg(m, E1000_RCTL), 0);
	close_no_leak(nd);
}

/* Also reached without an interrupt: RDH read as all-ones is out of the ring. */
static void test_gone_while_polling(void **state)
{
	struct e1000_model *m;
	struct netdev *nd = up(&m);

	(void)state;
	m->gone = true;
	assert_int_equal(nd->ops->poll(nd, 64), 0);
	assert_int_equal(nd->stats.resets, 1);
	assert_non_null(strstr(log_captured, "device stopped"));
	close_no_leak(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_probe_mac_from_ral, setup),
		cmocka_unit_test_setup(test_probe_mac_from_eeprom, setup),
		cmocka_unit_test_setup(test_ids, setup),
		cmocka_unit_test_setup(test_probe_failures, setup),
		cmocka_unit_test_setup(test_open_programs_rings, setup),
		cmocka_unit_test_setup(test_tx, setup),
		cmocka_unit_test_setup(test_rx, setup),
		cmocka_unit_test_setup(test_shared_line, setup),
		cmocka_unit_test_setup(test_wraparound, setup),
		cmocka_unit_test_setup(test_rx_ring_full, setup),
		cmocka_unit_test_setup(test_tx_full, setup),
		cmocka_unit_test_setup(test_link_change, setup),
		cmocka_unit_test_setup(test_promisc, setup),
		cmocka_unit_test_setup(test_rx_bad_frames, setup),
		cmocka_unit_test_setup(test_nonsense, setup),
		cmocka_unit_test_setup(test_device_gone, setup),
		cmocka_unit_test_setup(test_gone_while_polling, setup),
		cmocka_unit_test_setup(test_fault_storm, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
