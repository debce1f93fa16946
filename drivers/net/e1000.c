/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel 82540EM (8086:100e), the e1000 Bochs and QEMU emulate, as a
 * struct netdev: one legacy RX ring and one legacy TX ring of 256
 * descriptors, each descriptor with its own 2 KiB DMA buffer, so frames are
 * copied in both directions and no buffer outlives a call. Interrupts are
 * INTx (the 82540EM has no MSI), possibly shared: the handler only reads
 * ICR, notes the causes and wakes the consumer, which calls poll().
 *
 * The device is not trusted: every index and length it reports is checked,
 * each descriptor is copied once before its fields are used, and nonsense
 * ends in one log line and a reset with fresh rings.
 */
#include <net/e1000_regs.h>
#include <pci/pci.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/netdev.h>
#include <plinth/string.h>
#include <plinth/time.h>

#define RING_SIZE 256u
#define BUF_SIZE 2048u
#define BUFS_PER_PAGE (4096u / BUF_SIZE)
#define BUF_PAGES (RING_SIZE / BUFS_PER_PAGE)
#define RING_BYTES (RING_SIZE * 16u)
#define RESET_POLLS 1000u	/* x 10 us: the manual asks for 1 us; emulators finish at once */
#define EERD_POLLS 1000u
#define FRAME_MIN 14u
/* Resets with no frame moved in between before the device is given up. */
#define FAULTS_IN_ROW_MAX 8u
#define IRQ_CAUSES (E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | E1000_ICR_TXDW | \
		    E1000_ICR_LSC)

_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");

/* RING_SIZE buffers of BUF_SIZE, two per DMA page. */
struct e1000_bufs {
	uint8_t *page[BUF_PAGES];
	uint64_t bus[BUF_PAGES];
};

struct e1000 {
	struct netdev nd;
	struct pci_dev *pdev;
	struct e1000_rx_desc *rx;
	struct e1000_tx_desc *tx;
	uint64_t rx_bus, tx_bus;
	struct e1000_bufs rxb, txb;
	uint16_t tx_len[RING_SIZE];
	unsigned int rx_next;		/* next RX descriptor the device fills */
	unsigned int tx_tail;		/* next free TX descriptor */
	unsigned int tx_clean;		/* oldest TX descriptor in flight */
	bool rx_discard;		/* dropping the rest of a frame without EOP */
	bool open, dead, promisc;
	unsigned int faults_in_row;	/* reset to 0 when a frame moves */
	uint32_t irq_causes;		/* ICR bits from the handler, atomic */
	bool irq_gone;			/* the handler read all-ones, atomic */
};

static uint32_t rd(const struct e1000 *e, unsigned int reg)
{
	return pci_bar_read32(e->pdev, 0, reg);
}

static void wr(const struct e1000 *e, unsigned int reg, uint32_t v)
{
	pci_bar_write32(e->pdev, 0, reg, v);
}

static void *buf_va(const struct e1000_bufs *b, unsigned int i)
{
	return b->page[i / BUFS_PER_PAGE] + (i % BUFS_PER_PAGE) * BUF_SIZE;
}

static uint64_t buf_bus(const struct e1000_bufs *b, unsigned int i)
{
	return b->bus[i / BUFS_PER_PAGE] + (i % BUFS_PER_PAGE) * BUF_SIZE;
}

static void bufs_free(struct e1000_bufs *b)
{
	for (unsigned int i = 0; i < BUF_PAGES; i++) {
		dma_free(b->page[i], 4096);
		b->page[i] = NULL;
	}
}

static int bufs_alloc(struct e1000_bufs *b)
{
	for (unsigned int i = 0; i < BUF_PAGES; i++) {
		b->page[i] = dma_alloc(4096, &b->bus[i]);
		if (!b->page[i])
			return -ENOMEM;
	}
	return 0;
}

/* One read of the device's copy, so a field cannot change between checks. */
static struct e1000_rx_desc rx_desc_get(const struct e1000 *e, unsigned int i)
{
	const volatile uint64_t *p = (const volatile uint64_t *)&e->rx[i];
	uint64_t w[2] = { p[0], p[1] };
	struct e1000_rx_desc d;

	memcpy(&d, w, sizeof(d));
	return d;
}

static struct e1000_tx_desc tx_desc_get(const struct e1000 *e, unsigned int i)
{
	const volatile uint64_t *p = (const volatile uint64_t *)&e->tx[i];
	uint64_t w[2] = { p[0], p[1] };
	struct e1000_tx_desc d;

	memcpy(&d, w, sizeof(d));
	return d;
}

static int hw_reset(struct e1000 *e)
{
	wr(e, E1000_IMC, ~0u);
	wr(e, E1000_RCTL, 0);
	wr(e, E1000_TCTL, 0);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_RST);
	for (unsigned int i = 0; i < RESET_POLLS; i++) {
		uint32_t ctrl;

		udelay(10);
		ctrl = rd(e, E1000_CTRL);
		if (ctrl == ~0u)
			return -ENODEV;
		if (!(ctrl & E1000_CTRL_RST)) {
			wr(e, E1000_IMC, ~0u);
			rd(e, E1000_ICR);
			return 0;
		}
	}
	return -ETIMEDOUT;
}

static bool mac_valid(const uint8_t *m)
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6);	/* all-ones is multicast too */
}

static int eeprom_read(struct e1000 *e, unsigned int word, uint16_t *out)
{
	wr(e, E1000_EERD, E1000_EERD_START | word << E1000_EERD_ADDR_SHIFT);
	for (unsigned int i = 0; i < EERD_POLLS; i++) {
		uint32_t v = rd(e, E1000_EERD);

		if (v == ~0u)
			return -ENODEV;
		if (v & E1000_EERD_DONE) {
			*out = v >> E1000_EERD_DATA_SHIFT;
			return 0;
		}
		udelay(10);
	}
	return -ETIMEDOUT;
}

static int read_mac(struct e1000 *e, uint8_t *mac)
{
	uint32_t lo = rd(e, E1000_RAL0), hi = rd(e, E1000_RAH0);

	for (unsigned int i = 0; i < 4; i++)
		mac[i] = lo >> (8 * i);
	mac[4] = hi;
	mac[5] = hi >> 8;
	if (lo != ~0u && mac_valid(mac))
		return 0;
	for (unsigned int w = 0; w < 3; w++) {
		uint16_t v;
		int ret = eeprom_read(e, w, &v);

		if (ret)
			return ret;
		mac[2 * w] = v;
		mac[2 * w + 1] = v >> 8;
	}
	return mac_valid(mac) ? 0 : -EINVAL;
}

static uint32_t rctl_value(const struct e1000 *e)
{
	uint32_t v = E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_BSIZE_2048;

	return e->promisc ? v | E1000_RCTL_UPE | E1000_RCTL_MPE : v;
}

/* After a reset: link, our address, no multicast filter bits. */
static void hw_setup(struct e1000 *e)
{
	const uint8_t *m = e->nd.mac;

	wr(e, E1000_CTRL, (rd(e, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE) &
	   ~E1000_CTRL_PHY_RST);
	wr(e, E1000_RAL0, m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24);
	wr(e, E1000_RAH0, m[4] | m[5] << 8 | E1000_RAH_AV);
	for (unsigned int i = 0; i < E1000_MTA_WORDS; i++)
		wr(e, E1000_MTA + 4 * i, 0);
}

/* Fresh rings (buffers kept) and RX/TX/interrupts on; frames in flight are lost. */
static void rings_start(struct e1000 *e)
{
	e->nd.stats.tx_dropped += (e->tx_tail - e->tx_clean) % RING_SIZE;
	for (unsigned int i = 0; i < RING_SIZE; i++) {
		e->rx[i] = (struct e1000_rx_desc){ .addr = buf_bus(&e->rxb, i) };
		e->tx[i] = (struct e1000_tx_desc){ .addr = buf_bus(&e->txb, i) };
	}
	e->rx_next = e->tx_tail = e->tx_clean = 0;
	e->rx_discard = false;
	__atomic_thread_fence(__ATOMIC_RELEASE);

	wr(e, E1000_RDBAL, (uint32_t)e->rx_bus);
	wr(e, E1000_RDBAH, e->rx_bus >> 32);
	wr(e, E1000_RDLEN, RING_BYTES);
	wr(e, E1000_RDH, 0);
	/* All but one descriptor: RDT == RDH would mean an empty ring. */
	wr(e, E1000_RDT, RING_SIZE - 1);
	wr(e, E1000_TDBAL, (uint32_t)e->tx_bus);
	wr(e, E1000_TDBAH, e->tx_bus >> 32);
	wr(e, E1000_TDLEN, RING_BYTES);
	wr(e, E1000_TDH, 0);
	wr(e, E1000_TDT, 0);
	wr(e, E1000_TIPG, E1000_TIPG_VALUE);
	wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | 0x10u << E1000_TCTL_CT_SHIFT |
	   0x40u << E1000_TCTL_COLD_SHIFT);
	wr(e, E1000_RCTL, rctl_value(e));
	wr(e, E1000_IMS, IRQ_CAUSES);
}

static void update_link(struct e1000 *e)
{
	uint32_t status = rd(e, E1000_STATUS);

	if (status != ~0u)
		netdev_set_link(&e->nd, status & E1000_STATUS_LU);
}

/* The device said something impossible: one line, then a reset and fresh rings. */
static void fault(struct e1000 *e, const char *what, uint32_t value)
{
	int ret;

	e->nd.stats.resets++;
	if (++e->faults_in_row > FAULTS_IN_ROW_MAX) {
		pr_err("e1000: %s: %s (%#x), %u resets in a row did not help, device stopped\n",
		       e->pdev->name, what, value, FAULTS_IN_ROW_MAX);
		hw_reset(e);
		e->dead = true;
		netdev_set_link(&e->nd, false);
		return;
	}
	pr_warn("e1000: %s: %s (%#x), resetting the device\n", e->pdev->name, what, value);
	ret = hw_reset(e);
	if (ret) {
		pr_err("e1000: %s: reset failed (%d), device stopped\n", e->pdev->name, ret);
		e->dead = true;
		netdev_set_link(&e->nd, false);
		return;
	}
	hw_setup(e);
	if (e->open)
		rings_start(e);
	update_link(e);
}

static void e1000_irq(void *ctx)
{
	struct e1000 *e = ctx;
	uint32_t icr = rd(e, E1000_ICR);

	if (icr == ~0u) {
		__atomic_store_n(&e->irq_gone, true, __ATOMIC_RELEASE);
	} else {
		/* Causes not enabled in IMS do not assert the line: another device's interrupt. */
		if (!(icr & (IRQ_CAUSES | ~E1000_ICR_KNOWN)))
			return;
		__atomic_fetch_or(&e->irq_causes, icr, __ATOMIC_RELEASE);
	}
	netdev_notify(&e->nd);
}

/* 0, or -EIO after a fault (the rings were started afresh or the device stopped). */
static int tx_reclaim(struct e1000 *e)
{
	unsigned int queued = (e->tx_tail - e->tx_clean) % RING_SIZE;
	uint32_t tdh = rd(e, E1000_TDH);

	if (tdh >= RING_SIZE || (tdh - e->tx_clean) % RING_SIZE > queued) {
		fault(e, "TDH outside the queued descriptors", tdh);
		return -EIO;
	}
	if (tx_desc_get(e, e->tx_tail).status & E1000_TXD_STAT_DD) {
		fault(e, "DD on a TX descriptor not handed over", e->tx_tail);
		return -EIO;
	}
	while (e->tx_clean != e->tx_tail) {
		struct e1000_tx_desc d = tx_desc_get(e, e->tx_clean);

		if (!(d.status & E1000_TXD_STAT_DD))
			break;
		e->nd.stats.tx_packets++;
		e->nd.stats.tx_bytes += e->tx_len[e->tx_clean];
		e->faults_in_row = 0;
		e->tx[e->tx_clean].status = 0;
		e->tx_clean = (e->tx_clean + 1) % RING_SIZE;
	}
	return 0;
}

static int e1000_xmit(struct netdev *nd, const void *frame, size_t len,
		      const struct netdev_tx_meta *meta)
{
	struct e1000 *e = nd->priv;
	unsigned int i;

	(void)meta;	/* no checksum offload: features is 0 */
	if (len < FRAME_MIN || len > NETDEV_FRAME_MAX)
		return -EINVAL;
	if (e->dead || !e->open)
		return -EIO;
	if ((e->tx_tail + 1) % RING_SIZE == e->tx_clean && tx_reclaim(e))
		return e->dead ? -EIO : -EAGAIN;
	if ((e->tx_tail + 1) % RING_SIZE == e->tx_clean)
		return -EAGAIN;
	i = e->tx_tail;
	memcpy(buf_va(&e->txb, i), frame, len);
	e->tx_len[i] = len;
	e->tx[i] = (struct e1000_tx_desc){
		.addr = buf_bus(&e->txb, i),
		.length = len,
		.cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS,
	};
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->tx_tail = (i + 1) % RING_SIZE;
	wr(e, E1000_TDT, e->tx_tail);
	return 0;
}

/* Frames delivered; *faulted when the device said something impossible. */
static unsigned int rx_poll(struct e1000 *e, unsigned int budget, bool *faulted)
{
	unsigned int done = 0, last = RING_SIZE, held = (e->rx_next + RING_SIZE - 1) % RING_SIZE;
	uint32_t rdh = rd(e, E1000_RDH);
	struct netdev_rx_meta meta = { .csum_valid = false };

	*faulted = true;
	if (rdh >= RING_SIZE) {
		fault(e, "RDH outside the ring", rdh);
		return 0;
	}
	if (rx_desc_get(e, held).status & E1000_RXD_STAT_DD) {
		fault(e, "DD on an RX descriptor not handed over", held);
		return 0;
	}
	while (done < budget) {
		unsigned int i = e->rx_next;
		struct e1000_rx_desc d = rx_desc_get(e, i);

		if (!(d.status & E1000_RXD_STAT_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (d.length > BUF_SIZE) {
			fault(e, "RX length larger than the buffer", d.length);
			return done;
		}
		if (!(d.status & E1000_RXD_STAT_EOP)) {
			/* A frame larger than one buffer: drop it up to its EOP. */
			if (!e->rx_discard)
				e->nd.stats.rx_dropped++;
			e->rx_discard = true;
		} else if (e->rx_discard) {
			e->rx_discard = false;
		} else if ((d.errors & E1000_RXD_ERR_FRAME) || d.length < FRAME_MIN) {
			e->nd.stats.rx_errors++;
		} else if (!e->nd.rx) {
			e->nd.stats.rx_dropped++;
		} else {
			e->nd.rx(e->nd.rx_ctx, buf_va(&e->rxb, i), d.length, &meta);
			e->nd.stats.rx_packets++;
			e->nd.stats.rx_bytes += d.length;
			e->faults_in_row = 0;
			done++;
		}
		e->rx[i] = (struct e1000_rx_desc){ .addr = buf_bus(&e->rxb, i) };
		last = i;
		e->rx_next = (i + 1) % RING_SIZE;
	}
	if (last != RING_SIZE) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr(e, E1000_RDT, last);
	}
	*faulted = false;
	return done;
}

static unsigned int e1000_poll(struct netdev *nd, unsigned int budget)
{
	struct e1000 *e = nd->priv;
	uint32_t causes;
	bool faulted;

	if (e->dead || !e->open)
		return 0;
	causes = __atomic_exchange_n(&e->irq_causes, 0, __ATOMIC_ACQUIRE);
	if (__atomic_exchange_n(&e->irq_gone, false, __ATOMIC_ACQUIRE) &&
	    rd(e, E1000_STATUS) == ~0u) {
		fault(e, "registers read all-ones, device gone", ~0u);
		return 0;
	}
	if (causes & ~E1000_ICR_KNOWN) {
		fault(e, "ICR bits the device does not have", causes & ~E1000_ICR_KNOWN);
		return 0;
	}
	if (causes & E1000_ICR_LSC) {
		uint32_t status = rd(e, E1000_STATUS);

		if (status == ~0u) {
			fault(e, "STATUS reads all-ones, device gone", status);
			return 0;
		}
		netdev_set_link(nd, status & E1000_STATUS_LU);
	}
	if (causes & E1000_ICR_RXO)
		nd->stats.rx_dropped++;	/* the device dropped at least one frame */
	if (tx_reclaim(e))
		return 0;
	return rx_poll(e, budget, &faulted);
}

static void rings_free(struct e1000 *e)
{
	bufs_free(&e->rxb);
	bufs_free(&e->txb);
	dma_free(e->rx, RING_BYTES);
	dma_free(e->tx, RING_BYTES);
	e->rx = NULL;
	e->tx = NULL;
}

static int e1000_open(struct netdev *nd)
{
	struct e1000 *e = nd->priv;

	if (e->dead)
		return -EIO;
	if (e->open)
		return -EBUSY;
	e->rx = dma_alloc(RING_BYTES, &e->rx_bus);
	e->tx = dma_alloc(RING_BYTES, &e->tx_bus);
	if (!e->rx || !e->tx || bufs_alloc(&e->rxb) || bufs_alloc(&e->txb)) {
		rings_free(e);
		return -ENOMEM;
	}
	e->tx_tail = e->tx_clean = 0;
	__atomic_store_n(&e->irq_causes, 0, __ATOMIC_RELAXED);
	e->open = true;
	rings_start(e);
	update_link(e);
	return 0;
}

static void e1000_close(struct netdev *nd)
{
	struct e1000 *e = nd->priv;

	if (!e->open)
		return;
	e->open = false;
	/* The buffers go back to the allocator: the device must stop using them first. */
	if (!e->dead && !hw_reset(e))
		hw_setup(e);
	rings_free(e);
}

static int e1000_set_promisc(struct netdev *nd, bool on)
{
	struct e1000 *e = nd->priv;

	if (e->dead)
		return -EIO;
	e->promisc = on;
	if (e->open)
		wr(e, E1000_RCTL, rctl_value(e));
	return 0;
}

static const struct netdev_ops e1000_ops = {
	.open = e1000_open,
	.xmit = e1000_xmit,
	.poll = e1000_poll,
	.close = e1000_close,
	.set_promisc = e1000_set_promisc,
};

static int e1000_probe(struct pci_dev *d)
{
	struct e1000 *e;
	int ret = pci_enable_device(d);

	if (ret)
		return ret;
	if (d->bar[0].io || d->bar[0].size < E1000_MMIO_MIN) {
		pr_err("e1000: %s: BAR 0 is not %u KiB of MMIO\n", d->name, E1000_MMIO_MIN / 1024);
		ret = -ENODEV;
		goto disable;
	}
	e = kzalloc(sizeof(*e));
	if (!e) {
		ret = -ENOMEM;
		goto disable;
	}
	e->pdev = d;
	ret = hw_reset(e);
	if (ret) {
		pr_err("e1000: %s: reset failed (%d)\n", d->name, ret);
		goto free;
	}
	ret = read_mac(e, e->nd.mac);
	if (ret) {
		pr_err("e1000: %s: no valid MAC address (%d)\n", d->name, ret);
		goto free;
	}
	hw_setup(e);
	ret = pci_irq_single(d, e1000_irq, e);
	if (ret) {
		pr_err("e1000: %s: no interrupt (%d)\n", d->name, ret);
		goto free;
	}
	e->nd.driver = "e1000";
	strlcpy(e->nd.bus_id, d->name, sizeof(e->nd.bus_id));
	e->nd.mtu = NETDEV_MTU;
	e->nd.link_up = rd(e, E1000_STATUS) & E1000_STATUS_LU;
	e->nd.ops = &e1000_ops;
	e->nd.priv = e;
	ret = netdev_register(&e->nd);
	if (ret) {
		pr_err("e1000: %s: netdev_register: %d\n", d->name, ret);
		goto irq;
	}
	d->drvdata = e;
	return 0;
irq:
	pci_irq_release(d);
free:
	kfree(e);
disable:
	pci_disable_device(d);
	return ret;
}

static const struct pci_device_id e1000_ids[] = {
	{ .vendor = E1000_VENDOR_INTEL, .device = E1000_DEV_82540EM },
	{ .vendor = E1000_VENDOR_INTEL, .device = E1000_DEV_82545EM },
	{ 0 },
};

PCI_DRIVER(e1000) = {
	.name = "e1000",
	.ids = e1000_ids,
	.probe = e1000_probe,
};
