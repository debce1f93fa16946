/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_VIRTIO_PCI_H
#define VMM_VIRTIO_VIRTIO_PCI_H

/*
 * The virtio 1.x modern PCI transport (virtio spec 4.1): the guest-visible
 * registers of one virtio device behind its BARs and vendor capabilities.
 * The PCI bus model (vmm/pci/) owns configuration space, BAR placement and
 * MSI-X; it calls virtio_pci_bar_access() for BARs 0 and 4, appends the
 * capability bodies of virtio_pci_caps(), routes accesses to the PCI_CFG
 * capability through virtio_pci_cfg_cap_read/write(), and gives us the
 * interrupt callbacks of struct virtio_pci_irq.
 *
 * Fixed layout:
 *  BAR 0, I/O, virtio_pci_io_bar_size() bytes: notify region, queue q at
 *         2 * q (notify_off_multiplier 2). The first notify capability, so
 *         Linux uses it: an I/O exit is the cheapest to decode.
 *  BAR 1, 32-bit memory, 4 KiB: MSI-X table at 0, PBA at 0x800 (the PCI
 *         model serves it).
 *  BAR 4, 64-bit memory (BARs 4+5), 16 KiB: common config at 0, ISR at
 *         0x1000, device config at 0x2000, notify region at 0x3000 (queue q
 *         at 0x3000 + 4 * q, notify_off_multiplier 4).
 *
 * Locking, outermost first: cfg_lock (the PCI_CFG window) -> lock (the
 * common configuration) -> the queue locks in index order. queue_irq() runs
 * with a queue lock held and config_irq()/fail() may too, so none of them
 * takes lock: the ISR, status and config vector they touch are atomics.
 * The device's features_ok, driver_ok, config_read and config_write run
 * under lock (so they may take queue locks), reset under lock and every
 * queue lock.
 *
 * config_irq() is also how a device says its configuration space changed:
 * it moves config_generation (4.1.4.3) before interrupting the driver, so a
 * device calls it after every change (a NEEDS_RESET interrupt does not).
 *
 * A device keeps its chain-length limit in queues[q].vq.cfg.max_chain_bytes
 * (set before virtio_pci_init()); the transport keeps it across resets and
 * owns every other field of vq.cfg. A device touching a queue outside
 * queue_notify (virtio-net receive) checks queues[q].enabled under its lock.
 */
#include <plinth/spinlock.h>
#include <plinth/types.h>
#include <plinth/virtio_pci_regs.h>
#include <vmm/virtio/virtio.h>

/* BARs. */
#define VIRTIO_PCI_BAR_NOTIFY_IO	0	/* I/O */
#define VIRTIO_PCI_BAR_MSIX		1	/* 32-bit memory */
#define VIRTIO_PCI_BAR_REGS		4	/* 64-bit memory, uses BAR 5 too */
#define VIRTIO_PCI_MSIX_BAR_SIZE	0x1000
#define VIRTIO_PCI_MSIX_TABLE_OFF	0x000
#define VIRTIO_PCI_MSIX_PBA_OFF		0x800
#define VIRTIO_PCI_REGS_BAR_SIZE	0x4000

/* Regions of BAR 4. */
#define VIRTIO_PCI_COMMON_OFF		0x0000
#define VIRTIO_PCI_COMMON_SIZE		0x3c
#define VIRTIO_PCI_ISR_OFF		0x1000
#define VIRTIO_PCI_ISR_SIZE		4
#define VIRTIO_PCI_DEVICE_OFF		0x2000
#define VIRTIO_PCI_DEVICE_MAX		0x1000
#define VIRTIO_PCI_NOTIFY_OFF		0x3000
#define VIRTIO_PCI_NOTIFY_MULT		4	/* in BAR 4 */
#define VIRTIO_PCI_IO_NOTIFY_MULT	2	/* in BAR 0 */
/* 2 * q must fit a 256-byte I/O BAR, 4 * q the 4 KiB notify region. */
#define VIRTIO_PCI_MAX_QUEUES		128

/* In virtio_pci_caps() order. */
#define VIRTIO_PCI_NUM_CAPS		6
#define VIRTIO_PCI_CAP_IDX_PCI_CFG	5

/* A capability without its first two bytes (cap_vndr, cap_next). */
struct virtio_pci_cap_body {
	uint8_t len;		/* bytes in data: cap_len - 2 */
	uint8_t data[VIRTIO_PCI_NOTIFY_CAP_LEN - 2]; /* from cap_len onwards */
};

struct virtio_pci_ids {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys;
	uint8_t revision;
	uint32_t class_code;	/* base << 16 | sub << 8 | prog-if */
};

/*
 * How the transport interrupts the driver: given by whoever wires it up.
 * The callbacks run with the transport lock and queue locks held, from the
 * vCPU accessing the device or from a device thread (virtio-net receive),
 * so they must not take a lock the PCI model holds while it calls
 * virtio_pci_bar_access() or the PCI_CFG hooks.
 */
struct virtio_pci_irq {
	/* Whether the driver enabled MSI-X (and did not mask it as a whole). */
	bool (*msix_enabled)(void *ctx);
	/* Send MSI-X vector (< nvec); the PCI model applies per-vector masks. */
	void (*msix)(void *ctx, uint16_t vector);
	/* Drive the INTx line (level-triggered). */
	void (*intx)(void *ctx, bool level);
	uint16_t nvec;		/* MSI-X table size: larger vectors are refused */
	void *ctx;
};

struct virtio_pci {
	struct virtio_dev *d;
	struct virtio_pci_irq irq;
	uint64_t offered;	/* device features, constant after init */
	spinlock_t lock;
	/* Under lock: */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint16_t queue_select;
	/* Atomics (read without lock by the interrupt and notify paths): */
	uint16_t msix_config;
	uint8_t status;
	uint8_t isr;
	uint8_t config_generation;
	bool fail_logged;	/* fail() logged since the last reset */
	/* The PCI_CFG window (4.1.4.9), under cfg_lock. */
	spinlock_t cfg_lock;
	uint8_t cfg_bar;
	uint32_t cfg_offset, cfg_length;
	uint8_t cfg_data[4];
};

/*
 * Binds vp to d: sets d->transport and d->transport_ctx and puts every
 * queue in its reset state. -EINVAL unless 1 <= num_queues <=
 * VIRTIO_PCI_MAX_QUEUES, every max_size is a power of two up to
 * VIRTQ_MAX_SIZE, config_size <= VIRTIO_PCI_DEVICE_MAX and the ops the
 * transport calls unconditionally are there. Queue locks are the device's
 * (zeroed memory is an unlocked lock).
 */
int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *d, const struct virtio_pci_irq *irq);

/* Device reset, as a status write of 0 does (the partition reboots). */
void virtio_pci_reset(struct virtio_pci *vp);

/* Size of the notify I/O BAR 0: a power of two >= max(4, 2 * num_queues). */
uint32_t virtio_pci_io_bar_size(const struct virtio_pci *vp);

/* Vendor, device, subsystem, revision and class of the device. */
void virtio_pci_get_ids(const struct virtio_pci *vp, struct virtio_pci_ids *ids);

/*
 * Fills caps[0..VIRTIO_PCI_NUM_CAPS) in the order the PCI model must chain
 * them: COMMON, NOTIFY (BAR 0), NOTIFY (BAR 4), ISR, DEVICE, PCI_CFG.
 * Returns VIRTIO_PCI_NUM_CAPS.
 */
unsigned int virtio_pci_caps(const struct virtio_pci *vp,
			     struct virtio_pci_cap_body caps[VIRTIO_PCI_NUM_CAPS]);

/*
 * A guest access to BAR 0 or BAR 4 at off, size 1, 2, 4 or 8 bytes,
 * little-endian in *value. 0 if the access lies in the BAR (registers that
 * do not exist, misaligned or wrong-width accesses read 0 and ignore
 * writes); -EINVAL (reads give 0) for another BAR, a bad size, or an
 * access that leaves the BAR.
 */
int virtio_pci_bar_access(struct virtio_pci *vp, unsigned int bar, uint64_t off,
			  unsigned int size, bool write, uint64_t *value);

/*
 * The driver notified queue q: hands it to the device if q exists and is
 * enabled, DRIVER_OK is set and the device has not failed. For a notify
 * fast path that decoded the queue from the address itself.
 */
void virtio_pci_notify(struct virtio_pci *vp, unsigned int q);

/*
 * Configuration-space accesses to the PCI_CFG capability
 * (caps[VIRTIO_PCI_CAP_IDX_PCI_CFG]), size 1, 2 or 4 at off_in_cap counted
 * from its cap_vndr byte, inside VIRTIO_PCI_CFG_CAP_LEN. Bytes 0-1 (cap_vndr,
 * cap_next) belong to the PCI model: they read 0 here for it to fill in.
 * bar, offset, length and pci_cfg_data are writable; touching pci_cfg_data
 * reads or writes `length` (1, 2 or 4, aligned, inside BAR 0 or 4) bytes of
 * the BAR at offset, else nothing (reads 0). -EINVAL outside the capability.
 */
int virtio_pci_cfg_cap_read(struct virtio_pci *vp, unsigned int off_in_cap, unsigned int size,
			    uint32_t *value);
int virtio_pci_cfg_cap_write(struct virtio_pci *vp, unsigned int off_in_cap, unsigned int size,
			     uint32_t value);

#endif
