// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X for the virtual PCI bus (vmm/include/vmm/pci/vpci.h): the
 * capability, the vector table and the pending bit array inside a memory
 * BAR, and delivery through the bus's msi callback.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/pci/vpci.h>

static uint16_t msg_control(const struct vpci_dev *dev)
{
	return (uint16_t)(__atomic_load_n(&dev->cfg.d[dev->msix.cap / 4], __ATOMIC_RELAXED) >> 16);
}

static uint32_t pba_bytes(unsigned int nvec)
{
	return (nvec + 63) / 64 * 8;
}

int vpci_dev_add_msix(struct vpci_dev *dev, unsigned int nvec, unsigned int bar,
		      uint32_t table_off, uint32_t pba_off)
{
	uint8_t body[PCI_MSIX_CAP_SIZE] = { 0 };
	uint64_t tsize = (uint64_t)nvec * PCI_MSIX_ENTRY_SIZE, psize = pba_bytes(nvec), bsize;
	uint32_t v;
	int off;

	if (dev->bus)
		return -EBUSY;
	if (dev->msix.nvec)
		return -EEXIST;
	if (!nvec || nvec > VPCI_MSIX_MAX_VECTORS || bar >= PCI_NUM_BARS ||
	    (dev->bars[bar].type != VPCI_BAR_MEM32 && dev->bars[bar].type != VPCI_BAR_MEM64))
		return -EINVAL;
	bsize = dev->bars[bar].size;
	/* The low 3 bits of both offset registers are the BIR: offsets are 8-byte aligned. */
	if ((table_off | pba_off) & PCI_MSIX_BIR || table_off > bsize || tsize > bsize - table_off ||
	    pba_off > bsize || psize > bsize - pba_off ||
	    (table_off < pba_off + psize && pba_off < table_off + tsize))
		return -EINVAL;
	v = (nvec - 1) & PCI_MSIX_FLAGS_QSIZE;
	body[PCI_MSIX_FLAGS] = (uint8_t)v;
	body[PCI_MSIX_FLAGS + 1] = (uint8_t)(v >> 8);
	v = table_off | bar;
	memcpy(body + PCI_MSIX_TABLE, &v, 4);
	v = pba_off | bar;
	memcpy(body + PCI_MSIX_PBA, &v, 4);
	off = vpci_dev_add_cap(dev, PCI_CAP_ID_MSIX, body, sizeof(body));
	if (off < 0)
		return off;
	/* Enable and function mask are the only writable bits of the capability. */
	dev->wmask[off + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	dev->msix.nvec = (uint16_t)nvec;
	dev->msix.cap = (uint8_t)off;
	dev->msix.bar = (uint8_t)bar;
	dev->msix.table_off = table_off;
	dev->msix.pba_off = pba_off;
	vpci_msix_reset(dev);
	return off;
}

void vpci_msix_reset(struct vpci_dev *dev)
{
	for (unsigned int v = 0; v < VPCI_MSIX_MAX_VECTORS; v++)
		dev->msix.table[v] = (struct vpci_msix_entry){ .ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT };
	memset(dev->msix.pending, 0, sizeof(dev->msix.pending));
}

bool vpci_msix_enabled(struct vpci_dev *dev)
{
	return dev->msix.nvec && (msg_control(dev) & PCI_MSIX_FLAGS_ENABLE);
}

/* Lock held. */
static bool deliverable(const struct vpci_dev *dev, unsigned int v)
{
	uint16_t ctl = msg_control(dev);

	return (ctl & PCI_MSIX_FLAGS_ENABLE) && !(ctl & PCI_MSIX_FLAGS_MASKALL) &&
	       !(dev->msix.table[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static bool is_pending(const struct vpci_dev *dev, unsigned int v)
{
	return (dev->msix.pending[v / 64] >> (v % 64)) & 1;
}

static void send(struct vpci_bus *bus, uint64_t addr, uint32_t data)
{
	if (bus->cfg.msi)
		bus->cfg.msi(bus->cfg.ctx, addr, data);
}

void vpci_msix_raise(struct vpci_dev *dev, unsigned int vector)
{
	struct vpci_bus *bus = dev->bus;
	const struct vpci_msix_entry *e;
	uint64_t addr;
	uint32_t data;

	if (!bus || vector >= dev->msix.nvec)
		return;
	spin_lock(&bus->lock);
	if (!deliverable(dev, vector)) {
		dev->msix.pending[vector / 64] |= 1ull << (vector % 64);
		spin_unlock(&bus->lock);
		return;
	}
	e = &dev->msix.table[vector];
	addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;
	data = e->data;
	spin_unlock(&bus->lock);
	send(bus, addr, data);
}

/*
 * Sends every pending vector that is now deliverable, one per lock hold, so
 * the callback runs without bus->lock. Each is cleared before it is sent:
 * a raise racing with the flush either finds it pending (and is merged, as
 * on hardware) or delivers on its own.
 */
void vpci_msix_flush(struct vpci_dev *dev)
{
	struct vpci_bus *bus = dev->bus;

	if (!bus)
		return;
	for (;;) {
		unsigned int v;
		uint64_t addr = 0;
		uint32_t data = 0;

		spin_lock(&bus->lock);
		for (v = 0; v < dev->msix.nvec; v++)
			if (is_pending(dev, v) && deliverable(dev, v))
				break;
		if (v < dev->msix.nvec) {
			const struct vpci_msix_entry *e = &dev->msix.table[v];

			dev->msix.pending[v / 64] &= ~(1ull << (v % 64));
			addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;
			data = e->data;
		}
		spin_unlock(&bus->lock);
		if (v >= dev->msix.nvec)
			return;
		send(bus, addr, data);
	}
}

static uint32_t *entry_dword(struct vpci_dev *dev, uint64_t off)
{
	struct vpci_msix_entry *e = &dev->msix.table[off / PCI_MSIX_ENTRY_SIZE];

	switch (off % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		return &e->addr_lo;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		return &e->addr_hi;
	case PCI_MSIX_ENTRY_DATA:
		return &e->data;
	default:
		return &e->ctrl;
	}
}

/* Lock held; off is dword aligned inside the table. */
static void table_write32(struct vpci_dev *dev, uint64_t off, uint32_t v)
{
	if (off % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL)
		v &= PCI_MSIX_ENTRY_CTRL_MASKBIT; /* the other bits are reserved */
	*entry_dword(dev, off) = v;
}

static void table_access(struct vpci_dev *dev, uint64_t off, unsigned int size, bool write,
			 uint64_t *value)
{
	struct vpci_bus *bus = dev->bus;

	spin_lock(&bus->lock);
	if (write) {
		table_write32(dev, off, (uint32_t)*value);
		if (size == 8)
			table_write32(dev, off + 4, (uint32_t)(*value >> 32));
	} else {
		*value = *entry_dword(dev, off);
		if (size == 8)
			*value |= (uint64_t)*entry_dword(dev, off + 4) << 32;
	}
	spin_unlock(&bus->lock);
	/* Clearing a vector's mask bit delivers what it held pending. */
	if (write)
		vpci_msix_flush(dev);
}

static void pba_read(struct vpci_dev *dev, uint64_t off, unsigned int size, uint64_t *value)
{
	struct vpci_bus *bus = dev->bus;
	uint64_t word;

	spin_lock(&bus->lock);
	word = dev->msix.pending[off / 8];
	spin_unlock(&bus->lock);
	*value = size == 8 ? word : (uint32_t)(word >> (off % 8 * 8));
}

/*
 * An access at off inside BAR bar: true if it hit the table or the PBA,
 * which vpci serves itself. Only aligned dword and qword accesses have an
 * effect there; any other reads all ones and writes nothing. No lock held.
 */
bool vpci_msix_access(struct vpci_dev *dev, unsigned int bar, uint64_t off, unsigned int size,
		      bool write, uint64_t *value)
{
	const struct vpci_msix *m = &dev->msix;
	uint64_t toff = off - m->table_off, poff = off - m->pba_off;
	bool in_table, in_pba, ok;

	if (!m->nvec || bar != m->bar)
		return false;
	/* Any overlap is ours: the device never sees a byte of the table or PBA. */
	in_table = off < m->table_off + (uint64_t)m->nvec * PCI_MSIX_ENTRY_SIZE &&
		   off + size > m->table_off;
	in_pba = off < (uint64_t)m->pba_off + pba_bytes(m->nvec) && off + size > m->pba_off;
	if (!in_table && !in_pba)
		return false;
	/* Both start 8-byte aligned: an aligned dword or qword that overlaps one lies inside it. */
	ok = (size == 4 || size == 8) && off % size == 0;
	if (!ok) {
		if (!write)
			*value = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return true;
	}
	if (in_table)
		table_access(dev, toff, size, write, value);
	else if (!write)
		pba_read(dev, poff, size, value);
	return true;
}
