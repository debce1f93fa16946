/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_VNET_FIXTURE_H
#define TESTS_VNET_FIXTURE_H

/*
 * A guest with a virtio-net NIC on fake RAM, for the virtio-net tests and
 * fuzz target: plays the transport (feature negotiation, queue setup,
 * notifications under the queue lock, interrupts and failures recorded) and
 * the guest driver (receive buffers posted, packets sent as chains, used
 * buffers read back).
 */
#include <vmm/virtio/net.h>
#include "vq_ram.h"

#define VG_RAM_BASE	0x100000ULL
#define VG_RAM_SIZE	MIB(8)
#define VG_QSIZE	256u
#define VG_BUF_AT	(VG_RAM_BASE + 0x40000)

struct vnet_guest {
	struct vq_ram ram;
	struct virtio_net *net;
	struct virtio_transport_ops tops;
	unsigned int irqs[VIRTIO_NET_QUEUES], fails;
	const char *fail_reason;
	/* The driver's side of each queue. */
	uint16_t avail_idx[VIRTIO_NET_QUEUES], used_seen[VIRTIO_NET_QUEUES];
	uint16_t next_desc[VIRTIO_NET_QUEUES];
	uint8_t chain_nseg[VIRTIO_NET_QUEUES][VG_QSIZE];
	uint64_t buf_next;	/* bump allocator for buffers, wraps */
	unsigned int rx_outstanding;	/* RX descriptors posted, not yet read back */
	/*
	 * The test scribbled on the receive ring: what the device wrote need
	 * not match the driver's view, so vg_recv() skips what it cannot
	 * parse instead of aborting.
	 */
	bool lenient;
};

/* The device clock the NICs read (tests move it). */
extern uint64_t vg_now;

/*
 * A NIC on sw with features (masked by what is offered; VERSION_1 added),
 * queues of VG_QSIZE, DRIVER_OK set. Asserts features_ok accepted them.
 */
void vg_init(struct vnet_guest *g, struct vswitch *sw, const char *name, const uint8_t mac[6],
	     uint64_t features);
void vg_free(struct vnet_guest *g);

/*
 * A device reset as the transport does it (every queue lock held, queues
 * reset, failure cleared), then renegotiation of features (asserted
 * accepted), the rings zeroed and re-enabled, DRIVER_OK again. Counters of
 * the device and its switch port restart at 0.
 */
void vg_reset(struct vnet_guest *g, uint64_t features);

/* Negotiation alone: the device's features_ok() answer for features. */
int vg_features_ok(struct vnet_guest *g, uint64_t features);

/* The transport's notify of queue q: under its lock, skipped once failed. */
void vg_notify(struct vnet_guest *g, unsigned int q);

/*
 * Makes a chain available on queue q: nseg descriptors of lens[i] bytes
 * (data[i] copied in if not NULL), writable or not. Returns the head.
 */
uint16_t vg_add_chain(struct vnet_guest *g, unsigned int q, unsigned int nseg,
		      const uint32_t *lens, const uint8_t *const *data, bool writable);

/* Posts n receive chains of size bytes, each split into nseg descriptors. */
void vg_post_rx(struct vnet_guest *g, unsigned int n, uint32_t size, unsigned int nseg);

/* Sends hdr (12 bytes) + frame as a chain of nseg descriptors and notifies TX. */
void vg_send(struct vnet_guest *g, const uint8_t *hdr, const uint8_t *frame, uint32_t len,
	     unsigned int nseg);

/* A virtio_net_hdr_v1 in hdr. */
void vg_hdr(uint8_t *hdr, uint8_t flags, uint8_t gso, uint16_t hdr_len, uint16_t gso_size,
	    uint16_t csum_start, uint16_t csum_offset);

/*
 * The next received packet: header + data gathered over its num_buffers
 * used chains into out (up to max bytes). Returns its length, or 0 if none;
 * *nbufs says how many chains it took.
 */
uint32_t vg_recv(struct vnet_guest *g, uint8_t *out, uint32_t max, unsigned int *nbufs);

/* Used elements on queue q the driver has not read yet. */
unsigned int vg_used_pending(struct vnet_guest *g, unsigned int q);

#endif
