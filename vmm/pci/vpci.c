// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual PCI bus (vmm/include/vmm/pci/vpci.h): configuration space,
 * BAR placement and decode, both configuration mechanisms, INTx. MSI-X is
 * in vpci_msix.c.
 */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/pci/vpci.h>

#define ENDPOINT_CMD_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
			       PCI_COMMAND_INTX_DISABLE)
/* The host bridge keeps pci_host.c's behaviour: these bits are stored and have no effect. */
#define HOST_CMD_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
			   PCI_COMMAND_PARITY | PCI_COMMAND_SERR)

static uint32_t cfg_load(const struct vpci_dev *dev, unsigned int reg)
{
	return __atomic_load_n(&dev->cfg.d[reg / 4], __ATOMIC_RELAXED);
}

/* Whole dwords only: the lock-free decode path must never see a torn BAR or command. */
static void cfg_store(struct vpci_dev *dev, unsigned int reg, uint32_t v)
{
	__atomic_store_n(&dev->cfg.d[reg / 4], v, __ATOMIC_RELAXED);
}

static uint16_t cfg_command(const struct vpci_dev *dev)
{
	return (uint16_t)cfg_load(dev, PCI_COMMAND);
}

/* Set-up time only (no guest yet): plain byte stores. */
static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void fill_header(struct vpci_dev *dev, const struct vpci_id *id)
{
	uint8_t *c = dev->cfg.b;

	put16(c, PCI_VENDOR_ID, id->vendor);
	put16(c, PCI_DEVICE_ID, id->device);
	c[PCI_REVISION_ID] = id->revision;
	c[PCI_CLASS_PROG] = (uint8_t)id->class_code;
	put16(c, PCI_CLASS_PROG + 1, (uint16_t)(id->class_code >> 8));
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put16(c, PCI_SUBSYSTEM_VENDOR_ID, id->subsys_vendor);
	put16(c, PCI_SUBSYSTEM_ID, id->subsys);
}

void vpci_dev_init(struct vpci_dev *dev, const struct vpci_id *id, vpci_bar_fn access,
		   void *opaque, bool intx)
{
	memset(dev, 0, sizeof(*dev));
	dev->access = access;
	dev->opaque = opaque;
	dev->intx = intx;
	dev->cap_end = PCI_STD_HEADER_SIZE;
	fill_header(dev, id);
	put16(dev->wmask, PCI_COMMAND, ENDPOINT_CMD_WRITABLE);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->cfg.b[PCI_INTERRUPT_LINE] = PCI_INTERRUPT_LINE_NONE;
	dev->cfg.b[PCI_INTERRUPT_PIN] = intx ? PCI_INTERRUPT_PIN_INTA : 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int vpci_dev_set_bar(struct vpci_dev *dev, unsigned int n, enum vpci_bar_type type,
		     uint64_t size, bool prefetch)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * n;
	uint64_t mask;
	uint32_t flags;

	if (dev->bus)
		return -EBUSY;
	if (n >= PCI_NUM_BARS || !is_pow2(size) || (type == VPCI_BAR_MEM64 && n + 1 >= PCI_NUM_BARS))
		return -EINVAL;
	if (dev->bars[n].type != VPCI_BAR_NONE ||
	    (type == VPCI_BAR_MEM64 && dev->bars[n + 1].type != VPCI_BAR_NONE))
		return -EBUSY;
	/* The register before n may be the upper half of a 64-bit BAR. */
	if (n > 0 && dev->bars[n - 1].type == VPCI_BAR_MEM64)
		return -EBUSY;
	switch (type) {
	case VPCI_BAR_IO:
		if (size < 4 || size > 0x10000 || prefetch)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_SPACE_IO;
		mask = ~(size - 1) & PCI_BASE_ADDRESS_IO_MASK;
		break;
	case VPCI_BAR_MEM32:
		if (size < 4096 || size > 0x80000000ull)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_MEM_TYPE_32;
		mask = ~(size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
		break;
	case VPCI_BAR_MEM64:
		if (size < 4096)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_MEM_TYPE_64;
		mask = ~(size - 1) & ~(uint64_t)0xf;
		break;
	default:
		return -EINVAL;
	}
	if (prefetch)
		flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	dev->bars[n] = (struct vpci_bar){ .type = (uint8_t)type, .prefetch = prefetch, .size = size };
	put32(dev->cfg.b, reg, flags);
	put32(dev->wmask, reg, (uint32_t)mask);
	if (type == VPCI_BAR_MEM64)
		put32(dev->wmask, reg + 4, (uint32_t)(mask >> 32));
	return 0;
}

static int add_cap(struct vpci_dev *dev, uint8_t cap_id, const void *body, unsigned int len,
		   const struct vpci_cap_hooks *hooks)
{
	unsigned int off = dev->cap_end, span = (len + 3) & ~3u;
	uint8_t *c = dev->cfg.b;

	if (dev->bus)
		return -EBUSY;
	if (len < 2 || !body)
		return -EINVAL;
	if (dev->ncaps == VPCI_MAX_CAPS || len > PCI_CFG_SPACE_SIZE - off)
		return -ENOSPC;
	memcpy(c + off, body, len);
	c[off + PCI_CAP_LIST_ID] = cap_id;
	c[off + PCI_CAP_LIST_NEXT] = 0; /* the list ends here until another is appended */
	if (dev->ncaps)
		c[dev->caps[dev->ncaps - 1].off + PCI_CAP_LIST_NEXT] = (uint8_t)off;
	else
		c[PCI_CAPABILITY_LIST] = (uint8_t)off;
	put16(c, PCI_STATUS, (uint16_t)(c[PCI_STATUS] | c[PCI_STATUS + 1] << 8 | PCI_STATUS_CAP_LIST));
	dev->caps[dev->ncaps] = (struct vpci_cap){ .off = (uint8_t)off, .len = (uint8_t)len };
	if (hooks)
		dev->caps[dev->ncaps].hooks = *hooks;
	dev->ncaps++;
	dev->cap_end = off + span;
	return (int)off;
}

int vpci_dev_add_cap(struct vpci_dev *dev, uint8_t cap_id, const void *body, unsigned int len)
{
	return add_cap(dev, cap_id, body, len, NULL);
}

int vpci_dev_add_cap_hooked(struct vpci_dev *dev, uint8_t cap_id, const void *body,
			    unsigned int len, const struct vpci_cap_hooks *hooks)
{
	if (!hooks || !hooks->read || !hooks->write)
		return -EINVAL;
	return add_cap(dev, cap_id, body, len, hooks);
}

static void host_bridge_init(struct vpci_dev *h)
{
	const struct vpci_id id = {
		.vendor = PCI_HOST_VENDOR,
		.device = PCI_HOST_DEVICE,
		.revision = PCI_HOST_REVISION,
		.class_code = PCI_CLASS_HOST_BRIDGE,
	};

	vpci_dev_init(h, &id, NULL, NULL, false);
	put16(h->cfg.b, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put16(h->wmask, PCI_COMMAND, HOST_CMD_WRITABLE);
	put16(h->cfg.b, PCI_STATUS, PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM);
	h->wmask[PCI_LATENCY_TIMER] = 0xff;
	/* A host bridge has no interrupt: line and pin read 0. */
	h->cfg.b[PCI_INTERRUPT_LINE] = 0;
	h->wmask[PCI_INTERRUPT_LINE] = 0;
	memcpy(h->cfg_reset, h->cfg.b, sizeof(h->cfg_reset));
}

int vpci_bus_init(struct vpci_bus *bus, const struct vpci_bus_config *cfg)
{
	if (!cfg->gsi_count || cfg->io_base + (uint64_t)cfg->io_size > 0x10000 ||
	    cfg->mem_base + (uint64_t)cfg->mem_size > 0x100000000ull)
		return -EINVAL;
	memset(bus, 0, sizeof(*bus));
	spin_lock_init(&bus->lock);
	bus->cfg = *cfg;
	bus->io_next = cfg->io_base;
	bus->mem_next = cfg->mem_base;
	host_bridge_init(&bus->host);
	bus->host.bus = bus;
	bus->slots[0] = &bus->host;
	bus->present = 1;
	return 0;
}

/* Bottom-up, naturally aligned: where firmware would put a BAR of size in [base, base + len). */
static int place(uint64_t *next, uint64_t end, uint64_t size, uint64_t *at)
{
	uint64_t a = (*next + size - 1) & ~(size - 1);

	if (a < *next || a > end || size > end - a)
		return -ENOSPC;
	*at = a;
	*next = a + size;
	return 0;
}

static int place_bars(struct vpci_bus *bus, struct vpci_dev *dev)
{
	uint64_t io = bus->io_next, mem = bus->mem_next;
	uint64_t io_end = bus->cfg.io_base + (uint64_t)bus->cfg.io_size;
	uint64_t mem_end = bus->cfg.mem_base + (uint64_t)bus->cfg.mem_size;
	uint64_t at[PCI_NUM_BARS] = { 0 };

	for (unsigned int n = 0; n < PCI_NUM_BARS; n++) {
		struct vpci_bar *b = &dev->bars[n];
		int ret = 0;

		if (b->type == VPCI_BAR_IO)
			ret = place(&io, io_end, b->size, &at[n]);
		else if (b->type != VPCI_BAR_NONE)
			ret = place(&mem, mem_end, b->size, &at[n]);
		if (ret)
			return ret;
	}
	/* Everything fits: commit. */
	bus->io_next = (uint32_t)io;
	bus->mem_next = (uint32_t)mem;
	for (unsigned int n = 0; n < PCI_NUM_BARS; n++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * n;
		struct vpci_bar *b = &dev->bars[n];

		if (b->type == VPCI_BAR_NONE)
			continue;
		b->placed = at[n];
		put32(dev->cfg.b, reg, (uint32_t)(dev->cfg.b[reg] & 0xf) | (uint32_t)at[n]);
		if (b->type == VPCI_BAR_MEM64)
			put32(dev->cfg.b, reg + 4, (uint32_t)(at[n] >> 32));
	}
	return 0;
}

int vpci_bus_add(struct vpci_bus *bus, struct vpci_dev *dev, unsigned int slot)
{
	uint16_t cmd = 0;
	int ret;

	if (slot == 0 || slot >= VPCI_SLOTS)
		return -EINVAL;
	spin_lock(&bus->lock);
	ret = bus->slots[slot] || dev->bus ? -EBUSY : place_bars(bus, dev);
	if (ret) {
		spin_unlock(&bus->lock);
		return ret;
	}
	dev->nbars = 0;
	for (unsigned int n = 0; n < PCI_NUM_BARS; n++) {
		if (dev->bars[n].type == VPCI_BAR_NONE)
			continue;
		cmd |= dev->bars[n].type == VPCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		dev->decode_bars[dev->nbars++] = (uint8_t)n;
	}
	put16(dev->cfg.b, PCI_COMMAND, cmd);
	dev->slot = slot;
	dev->gsi = bus->cfg.gsi_base + slot % bus->cfg.gsi_count;
	if (dev->intx)
		dev->cfg.b[PCI_INTERRUPT_LINE] = (uint8_t)dev->gsi;
	memcpy(dev->cfg_reset, dev->cfg.b, sizeof(dev->cfg_reset));
	vpci_msix_reset(dev);
	dev->bus = bus;
	bus->slots[slot] = dev;
	/* The decode path finds the device through this bit, without the lock: publish it last. */
	__atomic_store_n(&bus->present, bus->present | 1u << slot, __ATOMIC_RELEASE);
	spin_unlock(&bus->lock);
	return 0;
}

/* Lock held: the INTx status bit and the GSI follow the level and the INTx-disable bit. */
static void intx_update(struct vpci_bus *bus, struct vpci_dev *dev)
{
	uint32_t d = cfg_load(dev, PCI_COMMAND);
	bool out = dev->intx_level && !(d & PCI_COMMAND_INTX_DISABLE);

	if (dev->intx_level)
		d |= (uint32_t)PCI_STATUS_INTERRUPT << 16;
	else
		d &= ~((uint32_t)PCI_STATUS_INTERRUPT << 16);
	cfg_store(dev, PCI_COMMAND, d);
	if (out != dev->intx_out) {
		dev->intx_out = out;
		if (bus->cfg.intx)
			bus->cfg.intx(bus->cfg.ctx, dev->gsi, out);
	}
}

void vpci_intx_set(struct vpci_dev *dev, bool level)
{
	struct vpci_bus *bus = dev->bus;

	if (!bus || !dev->intx)
		return;
	spin_lock(&bus->lock);
	dev->intx_level = level;
	intx_update(bus, dev);
	spin_unlock(&bus->lock);
}

void vpci_bus_reset(struct vpci_bus *bus)
{
	spin_lock(&bus->lock);
	bus->cf8 = 0;
	for (unsigned int s = 0; s < VPCI_SLOTS; s++) {
		struct vpci_dev *dev = bus->slots[s];

		if (!dev)
			continue;
		for (unsigned int reg = 0; reg < PCI_CFG_SPACE_SIZE; reg += 4)
			cfg_store(dev, reg, dev->cfg_reset[reg] | dev->cfg_reset[reg + 1] << 8 |
					    dev->cfg_reset[reg + 2] << 16 |
					    (uint32_t)dev->cfg_reset[reg + 3] << 24);
		vpci_msix_reset(dev);
		dev->intx_level = false;
		intx_update(bus, dev);
	}
	spin_unlock(&bus->lock);
}

static struct vpci_dev *lookup(struct vpci_bus *bus, unsigned int slot, unsigned int fn)
{
	if (slot >= VPCI_SLOTS || fn != 0 ||
	    !(__atomic_load_n(&bus->present, __ATOMIC_ACQUIRE) & 1u << slot))
		return NULL;
	return bus->slots[slot];
}

static bool cfg_size_ok(unsigned int reg, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && reg % size == 0 &&
	       reg < PCI_CFG_SPACE_EXP_SIZE;
}

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* The hooked capability containing reg, if any. Capabilities never share a dword. */
static const struct vpci_cap *hooked_cap(const struct vpci_dev *dev, unsigned int reg)
{
	for (unsigned int i = 0; i < dev->ncaps; i++) {
		const struct vpci_cap *c = &dev->caps[i];

		if (c->hooks.read && reg >= c->off && reg < c->off + ((c->len + 3u) & ~3u))
			return c;
	}
	return NULL;
}

uint32_t vpci_cfg_read(struct vpci_bus *bus, unsigned int slot, unsigned int fn,
		       unsigned int reg, unsigned int size)
{
	struct vpci_dev *dev = lookup(bus, slot, fn);
	const struct vpci_cap *cap;
	uint32_t v, mask = size_mask(size);
	unsigned int shift = (reg & 3) * 8;

	if (!dev || !cfg_size_ok(reg, size))
		return mask;
	if (reg >= PCI_CFG_SPACE_SIZE)
		return 0;
	spin_lock(&bus->lock);
	v = (cfg_load(dev, reg) >> shift) & mask;
	spin_unlock(&bus->lock);
	cap = hooked_cap(dev, reg);
	if (cap) {
		uint32_t id_next = dev->cfg.b[cap->off] | dev->cfg.b[cap->off + 1] << 8;
		uint64_t wide;

		cap->hooks.read(cap->hooks.opaque, reg - cap->off, size, &v);
		/* ID and next pointer are vpci's whatever the hook said. */
		wide = (uint64_t)(v & mask) << shift;
		if ((reg & ~3u) == cap->off)
			wide = (wide & ~0xffffull) | id_next;
		v = (uint32_t)(wide >> shift) & mask;
	}
	return v;
}

void vpci_cfg_write(struct vpci_bus *bus, unsigned int slot, unsigned int fn, unsigned int reg,
		    unsigned int size, uint32_t value)
{
	struct vpci_dev *dev = lookup(bus, slot, fn);
	const struct vpci_cap *cap;
	unsigned int dw = reg & ~3u, shift = (reg & 3) * 8;
	uint32_t wm, old, v, mask = size_mask(size);

	if (!dev || !cfg_size_ok(reg, size) || reg >= PCI_CFG_SPACE_SIZE)
		return;
	wm = (dev->wmask[dw] | dev->wmask[dw + 1] << 8 | dev->wmask[dw + 2] << 16 |
	      (uint32_t)dev->wmask[dw + 3] << 24) & (mask << shift);
	spin_lock(&bus->lock);
	old = cfg_load(dev, dw);
	v = (old & ~wm) | ((value << shift) & wm);
	cfg_store(dev, dw, v);
	if (dw == PCI_COMMAND && ((old ^ v) & PCI_COMMAND_INTX_DISABLE))
		intx_update(bus, dev);
	spin_unlock(&bus->lock);
	cap = hooked_cap(dev, reg);
	if (cap)
		cap->hooks.write(cap->hooks.opaque, reg - cap->off, size, value & mask);
	/* Clearing the function mask or setting enable may release pending vectors. */
	if (dev->msix.nvec && dw == dev->msix.cap)
		vpci_msix_flush(dev);
}

/* CONFIG_ADDRESS aimed at a function on bus 0? Reserved bits 30:24 must be 0. */
static bool cf8_target(uint32_t a, unsigned int *slot, unsigned int *fn, unsigned int *reg)
{
	*slot = (a >> 11) & 0x1f;
	*fn = (a >> 8) & 7;
	*reg = a & 0xfc;
	return (a & PCI_CONFIG_ENABLE) && !(a & 0x7fff0000);
}

static bool cf8_data_ok(uint16_t port, unsigned int size)
{
	unsigned int off = port - PCI_CONFIG_DATA_PORT;

	return port >= PCI_CONFIG_DATA_PORT && (size == 1 || size == 2 || size == 4) && off < 4 &&
	       off % size == 0;
}

static uint32_t cf8_address(struct vpci_bus *bus)
{
	uint32_t a;

	spin_lock(&bus->lock);
	a = bus->cf8;
	spin_unlock(&bus->lock);
	return a;
}

uint32_t vpci_cf8_read(struct vpci_bus *bus, uint16_t port, unsigned int size)
{
	unsigned int slot, fn, reg;
	uint32_t a;

	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
		return cf8_address(bus);
	if (!cf8_data_ok(port, size))
		return size_mask(size);
	a = cf8_address(bus);
	if (!cf8_target(a, &slot, &fn, &reg))
		return size_mask(size);
	return vpci_cfg_read(bus, slot, fn, reg + (port - PCI_CONFIG_DATA_PORT), size);
}

void vpci_cf8_write(struct vpci_bus *bus, uint16_t port, unsigned int size, uint32_t value)
{
	unsigned int slot, fn, reg;

	if (port == PCI_CONFIG_ADDRESS_PORT && size == 4) {
		spin_lock(&bus->lock);
		bus->cf8 = value & ~3u; /* configuration addresses are dword aligned */
		spin_unlock(&bus->lock);
		return;
	}
	if (!cf8_data_ok(port, size) || !cf8_target(cf8_address(bus), &slot, &fn, &reg))
		return;
	vpci_cfg_write(bus, slot, fn, reg + (port - PCI_CONFIG_DATA_PORT), size, value);
}

int vpci_ecam_access(struct vpci_bus *bus, uint64_t off, unsigned int size, bool write,
		     uint64_t *value)
{
	unsigned int slot = (off >> PCI_ECAM_DEV_SHIFT) & 0x1f;
	unsigned int fn = (off >> PCI_ECAM_FN_SHIFT) & 7;
	unsigned int reg = off & (PCI_CFG_SPACE_EXP_SIZE - 1);
	bool ok = off < PCI_ECAM_BUS_SIZE && (size == 1 || size == 2 || size == 4);

	if (write) {
		if (ok)
			vpci_cfg_write(bus, slot, fn, reg, size, (uint32_t)*value);
		return 0;
	}
	if (!ok) {
		*value = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return 0;
	}
	*value = vpci_cfg_read(bus, slot, fn, reg, size);
	return 0;
}

/* The base address BAR n decodes at now, from its register(s), read once each. */
static uint64_t bar_base(const struct vpci_dev *dev, unsigned int n, uint8_t type)
{
	uint32_t lo = cfg_load(dev, PCI_BASE_ADDRESS_0 + 4 * n);

	if (type == VPCI_BAR_IO)
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	if (type == VPCI_BAR_MEM64)
		return (uint64_t)cfg_load(dev, PCI_BASE_ADDRESS_0 + 4 * (n + 1)) << 32 |
		       (lo & PCI_BASE_ADDRESS_MEM_MASK);
	return lo & PCI_BASE_ADDRESS_MEM_MASK;
}

/* Slot order, then BAR order: the first BAR that decodes addr wins. */
static int decode(struct vpci_bus *bus, bool io, uint64_t addr, unsigned int size, bool write,
		  uint64_t *value)
{
	uint32_t present = __atomic_load_n(&bus->present, __ATOMIC_ACQUIRE);

	while (present) {
		struct vpci_dev *dev = bus->slots[__builtin_ctz(present)];
		uint16_t cmd = cfg_command(dev);

		present &= present - 1;
		if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
			continue;
		for (unsigned int i = 0; i < dev->nbars; i++) {
			unsigned int bar = dev->decode_bars[i];
			const struct vpci_bar *b = &dev->bars[bar];
			uint64_t base, off;
			int ret;

			if ((b->type == VPCI_BAR_IO) != io)
				continue;
			base = bar_base(dev, bar, b->type);
			if (addr < base || addr - base >= b->size || size > b->size - (addr - base))
				continue;
			off = addr - base;
			if (!io && vpci_msix_access(dev, bar, off, size, write, value))
				return 0;
			if (!dev->access)
				return -ENOENT;
			ret = dev->access(dev->opaque, bar, off, size, write, value);
			/* The caller gets exactly size bytes, whatever the handler left above them. */
			if (!write && size < 8)
				*value &= (1ull << (size * 8)) - 1;
			return ret;
		}
	}
	return -ENOENT;
}

int vpci_mmio_access(struct vpci_bus *bus, uint64_t gpa, unsigned int size, bool write,
		     uint64_t *value)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	return decode(bus, false, gpa, size, write, value);
}

int vpci_io_access(struct vpci_bus *bus, uint16_t port, unsigned int size, bool write,
		   uint64_t *value)
{
	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	return decode(bus, true, port, size, write, value);
}
