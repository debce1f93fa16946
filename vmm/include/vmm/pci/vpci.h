/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PCI_VPCI_H
#define VMM_PCI_VPCI_H

/*
 * A partition's virtual PCI bus (vmm/pci/vpci.c, vmm/pci/vpci_msix.c): bus 0,
 * function 0 of up to 32 slots, slot 0 the host bridge (8086:1237, class
 * 060000). It owns everything a guest sees of a device's PCI function:
 * configuration space, BARs, the capability list, MSI-X and INTx. A device
 * model owns only what its BARs decode, through its access handler.
 *
 * Setting up:
 *   vpci_bus_init(bus, &cfg)              windows, GSIs, interrupt callbacks
 *   vpci_dev_init(dev, &id, handler, opaque, intx)
 *   vpci_dev_set_bar(dev, n, type, size, prefetch)
 *   vpci_dev_add_cap(...) / vpci_dev_add_cap_hooked(...) / vpci_dev_add_msix(...)
 *   vpci_bus_add(bus, dev, slot)          places BARs, programs command and line
 * The vpci_dev_* calls are the device owner's, before vpci_bus_add(); the
 * device is then frozen (no more BARs or capabilities; they return -EBUSY).
 * vpci_bus_add() takes the bus lock and publishes the device last, so it may
 * run while vCPUs use the bus.
 *
 * The host bridge (slot 0) has no BARs, capabilities or interrupt; its
 * command register keeps I/O, memory, bus master, parity and SERR enables
 * (stored, no effect; memory and bus master at power-on), its latency timer
 * is writable, its status reads fast back-to-back, DEVSEL medium.
 *
 * Configuration access: both mechanisms end in vpci_cfg_read/vpci_cfg_write.
 *   - mechanism #1: vpci_cf8_read/vpci_cf8_write for ports 0xcf8-0xcff
 *     (CONFIG_ADDRESS is 32-bit only, bits 1:0 read 0; byte accesses at
 *     0xcf9 are the reset controller's, which the caller routes elsewhere);
 *   - ECAM: vpci_ecam_access with an offset into the window,
 *     bus << 20 | dev << 15 | fn << 12 | reg; only bus 0 exists.
 * Absent functions read all ones and drop writes, as a master abort does;
 * so do misaligned accesses and sizes other than 1, 2, 4. A present
 * function's extended space (0x100-0xfff) reads 0.
 *
 * Config space of a device: the type 0 header from its id, with per-byte
 * write masks: writable are the command register's I/O, memory, bus master
 * and INTx-disable bits, the BARs' address bits and the interrupt line;
 * everything else is read-only. Status shows the capabilities-list bit when
 * there are capabilities and, live, the INTx level (bit 3). Capabilities
 * start at 0x40, dword aligned, in the order they were added.
 *
 * BARs: I/O (size >= 4), 32-bit memory, 64-bit memory (two BAR registers,
 * n and n + 1), optionally prefetchable; sizes powers of two, memory BARs at
 * least 4 KiB so no two devices share a guest page. Writing all ones sizes
 * them as on hardware. vpci_bus_add() places them like firmware: naturally
 * aligned, bottom up, I/O BARs in the bus's I/O window, memory BARs (64-bit
 * ones too, upper half 0) in its 32-bit memory window, and enables I/O and
 * memory decoding. The slot's INTx is wired to GSI gsi_base + slot % gsi_count,
 * which it writes to the interrupt line (0xff for a device without INTx).
 *
 * Decoding (vpci_mmio_access, vpci_io_access): the first BAR in slot order,
 * then BAR order, whose current value and size contain the access, with the
 * command register's memory (I/O) enable set. MSI-X table and PBA accesses
 * are served by vpci; everything else goes to the device's handler with
 * the offset inside the BAR. -ENOENT when no BAR decodes the address.
 *
 * Locking: bus->lock serialises configuration space and MSI-X/INTx state.
 * The decode path takes no lock: it reads each BAR register and the command
 * register as one aligned 32-bit load (configuration writes store whole
 * dwords atomically), so it sees either the old or the new value of each.
 * A 64-bit BAR is read as two loads and may be seen half reprogrammed; the
 * offset handed to the device is still checked against the BAR's size, and
 * whatever address a racing guest reprogram produces only ever reaches that
 * guest's own devices: a guest that reprograms a BAR while using it gets what
 * it asked for. Devices are never removed, so the slot pointers are stable.
 *
 * MSI-X messages go to cfg.msi exactly as the guest programmed them into
 * the table: the callback must validate the address (one outside the
 * LAPIC's 0xfee00000 page is not an interrupt) and the data.
 *
 * Reset: vpci_bus_reset() puts every function's configuration space back to
 * what vpci_bus_add() left (BARs as placed, command, interrupt line), MSI-X
 * disabled with every vector masked and nothing pending, INTx deasserted, and
 * CONFIG_ADDRESS to 0. Device state, including what hooked capabilities hold,
 * is the device's own to reset.
 *
 * Interrupt callbacks and lock order: cfg.intx is called with bus->lock
 * held (so line transitions reach the interrupt controller in the order they
 * happen); cfg.msi is called with no vpci lock held. Both may take the
 * partition's irq_lock; neither may call back into vpci. The order is
 * therefore (pc.lock or a device's own locks) -> bus->lock -> irq_lock, and
 * nothing may take bus->lock while holding irq_lock. Device BAR handlers and
 * capability hooks are called without bus->lock, so they may take their own
 * locks and raise interrupts (vpci_msix_raise, vpci_intx_set) freely.
 */
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <vmm/pci/pci_regs.h>

/* The host bridge at 00:00.0: an Intel 440FX, which every OS knows needs no driver. */
#define PCI_HOST_VENDOR		0x8086
#define PCI_HOST_DEVICE		0x1237
#define PCI_HOST_REVISION	0x02
#define PCI_CLASS_HOST_BRIDGE	0x060000

#define VPCI_SLOTS		PCI_SLOTS
#define VPCI_MAX_CAPS		8
#define VPCI_MSIX_MAX_VECTORS	64	/* per device: enough for virtio-net with 31 queue pairs */

struct vpci_bus;

enum vpci_bar_type {
	VPCI_BAR_NONE,
	VPCI_BAR_IO,
	VPCI_BAR_MEM32,
	VPCI_BAR_MEM64,	/* occupies BAR registers n and n + 1 */
};

/*
 * A device's BAR handler: size (1, 2, 4, or 8 for memory) bytes at off
 * inside BAR bar (off + size <= the BAR's size, checked); little-endian in
 * *value. Returns 0 or a negative errno, passed back to the caller of
 * vpci_*_access (which typically treats a failed read as all ones).
 */
typedef int (*vpci_bar_fn)(void *opaque, unsigned int bar, uint64_t off, unsigned int size,
			   bool write, uint64_t *value);

/*
 * Hooks of a capability whose registers the device implements (virtio's
 * PCI_CFG access capability). off is inside the capability (0 = its ID
 * byte), size 1, 2 or 4, aligned, and never crosses the capability's
 * dword-rounded length. For a read, *value arrives holding the stored bytes
 * (the body given at add time, ID and next pointer included), which the
 * hook may replace; vpci then puts the ID and next pointer back, so those
 * two bytes are always vpci's. For a write, the hook gets the guest's value
 * unmasked and must ignore bytes 0-1 itself. Called without bus->lock.
 */
struct vpci_cap_hooks {
	void (*read)(void *opaque, unsigned int off, unsigned int size, uint32_t *value);
	void (*write)(void *opaque, unsigned int off, unsigned int size, uint32_t value);
	void *opaque;
};

struct vpci_id {
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor;
	uint16_t subsys;
	uint8_t revision;
	uint32_t class_code;	/* base << 16 | sub << 8 | prog-if */
};

struct vpci_msix_entry {
	uint32_t addr_lo;
	uint32_t addr_hi;
	uint32_t data;
	uint32_t ctrl;		/* bit 0: masked */
};

struct vpci_msix {
	uint16_t nvec;		/* 0: the device has no MSI-X */
	uint8_t cap;		/* its capability's config offset */
	uint8_t bar;
	uint32_t table_off;
	uint32_t pba_off;
	struct vpci_msix_entry table[VPCI_MSIX_MAX_VECTORS];
	uint64_t pending[VPCI_MSIX_MAX_VECTORS / 64];
};

struct vpci_bar {
	uint8_t type;		/* enum vpci_bar_type */
	bool prefetch;
	uint64_t size;
	uint64_t placed;	/* where vpci_bus_add() put it, restored on reset */
};

struct vpci_cap {
	uint8_t off;
	uint8_t len;		/* as given, ID and next included */
	struct vpci_cap_hooks hooks;	/* read/write NULL: a plain read-only capability */
};

struct vpci_dev {
	/* Set up by the device model (vpci_dev_*), read-only once on the bus. */
	vpci_bar_fn access;
	void *opaque;
	bool intx;		/* uses INTA# */
	struct vpci_bar bars[PCI_NUM_BARS];
	struct vpci_cap caps[VPCI_MAX_CAPS];
	unsigned int ncaps;
	unsigned int cap_end;	/* next free config offset for a capability */
	/* Owned by the bus, under bus->lock. */
	struct vpci_bus *bus;	/* NULL until vpci_bus_add() */
	unsigned int slot;
	unsigned int gsi;
	uint8_t nbars;		/* implemented BARs, their indices in decode_bars[] */
	uint8_t decode_bars[PCI_NUM_BARS];
	bool intx_level;	/* what the device drives */
	bool intx_out;		/* what the GSI sees: level unless INTx is disabled */
	/* Configuration space; whole-dword atomic stores, see "Locking". */
	union {
		uint8_t b[PCI_CFG_SPACE_SIZE];
		uint32_t d[PCI_CFG_SPACE_SIZE / 4];
	} cfg;
	uint8_t wmask[PCI_CFG_SPACE_SIZE];
	uint8_t cfg_reset[PCI_CFG_SPACE_SIZE];	/* as placed, for vpci_bus_reset() */
	struct vpci_msix msix;
};

struct vpci_bus_config {
	uint32_t io_base, io_size;	/* I/O window for I/O BARs */
	uint32_t mem_base, mem_size;	/* 32-bit memory window for memory BARs */
	unsigned int gsi_base;		/* slot s's INTx: gsi_base + s % gsi_count */
	unsigned int gsi_count;		/* >= 1 */
	void (*msi)(void *ctx, uint64_t addr, uint32_t data);
	void (*intx)(void *ctx, unsigned int gsi, bool level);
	void *ctx;
};

struct vpci_bus {
	spinlock_t lock;
	struct vpci_bus_config cfg;
	uint32_t cf8;			/* CONFIG_ADDRESS, under lock */
	uint32_t io_next, mem_next;	/* placement cursors (set-up time) */
	struct vpci_dev *slots[VPCI_SLOTS];
	/* Bit s: slots[s] is set up; stored with release after it, read with acquire. */
	uint32_t present;
	struct vpci_dev host;		/* slot 0 */
};

/* Bus set-up. -EINVAL for an empty GSI range or windows that wrap. */
int vpci_bus_init(struct vpci_bus *bus, const struct vpci_bus_config *cfg);
/*
 * Puts dev in slot (1-31): places its BARs (-ENOSPC if a window is too
 * small; nothing changes then), enables decoding, wires INTx. -EBUSY for an
 * occupied slot or a device already on a bus, -EINVAL for slot 0 or >= 32.
 */
int vpci_bus_add(struct vpci_bus *bus, struct vpci_dev *dev, unsigned int slot);
/* Every function back to its state right after vpci_bus_add(); INTx outputs deasserted. */
void vpci_bus_reset(struct vpci_bus *bus);

/* Device set-up (before vpci_bus_add). */
void vpci_dev_init(struct vpci_dev *dev, const struct vpci_id *id, vpci_bar_fn access,
		   void *opaque, bool intx);
/*
 * BAR n: I/O size >= 4, memory >= 4096, powers of two; a 64-bit BAR needs
 * n <= 4 and n + 1 free. -EINVAL for a bad size, type or index, -EBUSY when
 * the register is taken or the device is already on a bus.
 */
int vpci_dev_set_bar(struct vpci_dev *dev, unsigned int n, enum vpci_bar_type type,
		     uint64_t size, bool prefetch);
/*
 * Appends a capability: body (len bytes, 2 <= len, its first two bytes are
 * overwritten with cap_id and the next pointer) read-only to the guest.
 * Returns its config offset, -ENOSPC if it does not fit below 0x100 or the
 * device has VPCI_MAX_CAPS, -EINVAL for len < 2, -EBUSY once on a bus.
 */
int vpci_dev_add_cap(struct vpci_dev *dev, uint8_t cap_id, const void *body, unsigned int len);
/* The same, with the capability's registers implemented by hooks (see struct vpci_cap_hooks). */
int vpci_dev_add_cap_hooked(struct vpci_dev *dev, uint8_t cap_id, const void *body,
			    unsigned int len, const struct vpci_cap_hooks *hooks);

/*
 * MSI-X with nvec (1..VPCI_MSIX_MAX_VECTORS) vectors, its table at table_off
 * and its PBA at pba_off inside memory BAR bar (set with vpci_dev_set_bar
 * first; both 8-byte aligned, inside the BAR, not overlapping). Returns the
 * capability's offset or a negative errno (-EINVAL, -ENOSPC, -EBUSY, -EEXIST
 * for a second MSI-X). At reset MSI-X is disabled and every vector masked.
 */
int vpci_dev_add_msix(struct vpci_dev *dev, unsigned int nvec, unsigned int bar,
		      uint32_t table_off, uint32_t pba_off);
/*
 * Signals vector: delivered through cfg.msi if MSI-X is enabled and neither
 * the function nor the vector is masked, else left pending until unmasked.
 * Ignored for vector >= nvec or a device not on a bus. Any context.
 */
void vpci_msix_raise(struct vpci_dev *dev, unsigned int vector);
bool vpci_msix_enabled(struct vpci_dev *dev);
/* The device's INTA# level; reaches the GSI unless the command register disables INTx. */
void vpci_intx_set(struct vpci_dev *dev, bool level);

/* Configuration access: slot < 32, fn < 8, reg < 0x1000, size 1/2/4 aligned to reg. */
uint32_t vpci_cfg_read(struct vpci_bus *bus, unsigned int slot, unsigned int fn,
		       unsigned int reg, unsigned int size);
void vpci_cfg_write(struct vpci_bus *bus, unsigned int slot, unsigned int fn, unsigned int reg,
		    unsigned int size, uint32_t value);
/* Mechanism #1: port 0xcf8-0xcff (0xcf9 bytes excepted, see above). */
uint32_t vpci_cf8_read(struct vpci_bus *bus, uint16_t port, unsigned int size);
void vpci_cf8_write(struct vpci_bus *bus, uint16_t port, unsigned int size, uint32_t value);
/* ECAM: off inside the window (any size of window, buses past 0 are absent). Always 0. */
int vpci_ecam_access(struct vpci_bus *bus, uint64_t off, unsigned int size, bool write,
		     uint64_t *value);

/* BAR decode: 0, the handler's error, or -ENOENT when nothing decodes. -EINVAL for bad sizes. */
int vpci_mmio_access(struct vpci_bus *bus, uint64_t gpa, unsigned int size, bool write,
		     uint64_t *value);
int vpci_io_access(struct vpci_bus *bus, uint16_t port, unsigned int size, bool write,
		   uint64_t *value);

/*
 * Between vpci.c and vpci_msix.c, not for device models. vpci_msix_access
 * (no lock held) serves an access at off inside BAR bar if it touches the
 * table or PBA and returns true. vpci_msix_reset (bus->lock held, or set-up
 * time) masks every vector and clears pending. vpci_msix_flush (no lock
 * held) sends pending vectors that have become deliverable.
 */
bool vpci_msix_access(struct vpci_dev *dev, unsigned int bar, uint64_t off, unsigned int size,
		      bool write, uint64_t *value);
void vpci_msix_reset(struct vpci_dev *dev);
void vpci_msix_flush(struct vpci_dev *dev);

#endif
