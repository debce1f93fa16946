/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

/*
 * virtio-blk device backend (virtio 1.x, 5.2) over a RAM disk: a contiguous
 * byte buffer in Plinth's memory. Transport-independent: it plugs into
 * whatever exposes a struct virtio_dev (vmm/include/vmm/virtio/virtio.h).
 *
 * Requests complete synchronously inside queue_notify, so nothing is ever
 * in flight across a reset. Data moves straight between guest RAM and the
 * store through the partition's virtq_mem_ops, never through a bounce
 * buffer and never twice, so a racing vCPU can only change what it reads
 * or writes, not where.
 *
 * What the device does with a bad request (the spec lets it fail one):
 *  - a chain with no device-writable byte at its end has nowhere to put a
 *    status, so it is a driver bug: virtio_dev_fail();
 *  - otherwise a structural error (header not 16 readable bytes, readable
 *    data on IN/GET_ID/FLUSH, writable data on OUT/FLUSH/DISCARD/
 *    WRITE_ZEROES, IN/OUT data not whole sectors, a DISCARD/WRITE_ZEROES
 *    payload not whole 16-byte segments) is answered IOERR, an unknown type
 *    UNSUPP, and the queue goes on;
 *  - sectors outside the disk (or overflowing), writes to a read-only disk,
 *    too many DISCARD/WRITE_ZEROES segments or sectors: IOERR, nothing moved;
 *    unknown segment flags, or UNMAP on a DISCARD (5.2.6.2): UNSUPP;
 *  - a ring error from the walker, or guest RAM that faults while data
 *    moves: virtio_dev_fail() with the reason, the queue stops.
 */
#include <plinth/types.h>
#include <vmm/virtio/virtio.h>

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* Request types (5.2.6). */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

/* Status byte values (5.2.6). */
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

/* DISCARD / WRITE_ZEROES segment flags. */
#define VIRTIO_BLK_WZ_F_UNMAP		1u

/* Requests address 512-byte sectors whatever blk_size says (5.2.6). */
#define VIRTIO_BLK_SECTOR_SIZE		512u
#define VIRTIO_BLK_SECTOR_SHIFT		9
#define VIRTIO_BLK_REQ_HDR_SIZE		16u	/* type le32, reserved le32, sector le64 */
#define VIRTIO_BLK_DWZ_SEG_SIZE		16u	/* sector le64, num_sectors le32, flags le32 */
#define VIRTIO_BLK_ID_BYTES		20u

/* Byte offsets in struct virtio_blk_config (5.2.4). */
#define VIRTIO_BLK_CFG_CAPACITY			0	/* le64, in sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX			8	/* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX			12	/* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY			16	/* cylinders le16, heads u8, sectors u8 */
#define VIRTIO_BLK_CFG_BLK_SIZE			20	/* le32 */
#define VIRTIO_BLK_CFG_TOPOLOGY			24	/* exp u8, align u8, min_io le16, opt_io le32 */
#define VIRTIO_BLK_CFG_WRITEBACK		32	/* u8 */
#define VIRTIO_BLK_CFG_NUM_QUEUES		34	/* le16 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS	36	/* le32 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG		40	/* le32 */
#define VIRTIO_BLK_CFG_DISCARD_ALIGN		44	/* le32, in sectors */
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS		48	/* le32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SEG		52	/* le32 */
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP		56	/* u8, then 3 unused bytes */
#define VIRTIO_BLK_CONFIG_SIZE			60

/*
 * This device's limits. SEG_MAX counts data buffers (the header and the
 * status take two more, as Linux and QEMU count it); the chain's segment
 * array lives on the notifying vCPU's stack, so it stays at 1 KiB.
 */
#define VIRTIO_BLK_MAX_QUEUES		64
#define VIRTIO_BLK_QUEUE_SIZE		256
#define VIRTIO_BLK_SEG_MAX		62
#define VIRTIO_BLK_CHAIN_SEGS		(VIRTIO_BLK_SEG_MAX + 2)
#define VIRTIO_BLK_MAX_DWZ_SEG		16	/* DISCARD / WRITE_ZEROES ranges per request */
#define VIRTIO_BLK_MAX_DWZ_SECTORS	(1u << 22)	/* 2 GiB per range */
#define VIRTIO_BLK_SERIAL_MAX		VIRTIO_BLK_ID_BYTES

/* Per-queue counters; virtio_blk_stats() sums them. */
struct virtio_blk_stats {
	uint64_t reads, writes, flushes, discards, write_zeroes, get_ids;
	uint64_t bytes_read, bytes_written;	/* sectors moved, in bytes */
	uint64_t ioerr, unsupp;			/* requests answered so */
};

struct virtio_blk_params {
	const char *name;	/* for log lines: "virtio-blk vda"; must outlive the device */
	uint8_t *data;		/* the store, size bytes, owned by the caller */
	uint64_t size;		/* a non-zero multiple of 512 */
	bool readonly;
	const char *serial;	/* GET_ID string, at most 20 bytes; NULL for none */
	unsigned int num_queues; /* 1..VIRTIO_BLK_MAX_QUEUES, one per vCPU */
};

struct virtio_blk {
	struct virtio_dev dev;	/* first, so the transport's pointer converts back */
	uint8_t *data;
	uint64_t size;
	uint64_t capacity;	/* size in sectors */
	bool readonly;
	char serial[VIRTIO_BLK_SERIAL_MAX]; /* NUL-padded, not terminated at 20 */
	/*
	 * Fixed arrays, so the device needs no allocator of its own: the
	 * caller places the whole struct (kzalloc in Plinth, calloc in tests).
	 * stats[q] is written only under queue q's lock.
	 */
	struct virtio_queue queues[VIRTIO_BLK_MAX_QUEUES];
	struct virtio_blk_stats stats[VIRTIO_BLK_MAX_QUEUES];
};

/*
 * Sets up b as a device for p (b->dev.mem and the transport fields are the
 * caller's and transport's to fill afterwards). 0, or -EINVAL with *why set
 * to a one-line reason when why is not NULL.
 */
int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p, const char **why);

static inline struct virtio_blk *to_virtio_blk(struct virtio_dev *d)
{
	return (struct virtio_blk *)d;
}

/* Sums the per-queue counters (racy against running queues; for log lines). */
void virtio_blk_stats(const struct virtio_blk *b, struct virtio_blk_stats *out);

/*
 * Executes one request popped into seg[0..c->nseg) from queue q and writes
 * its status byte: 0 with *written the bytes written to writable buffers
 * (data + status, for vq_push()), or a negative errno after
 * virtio_dev_fail() (vmm/virtio/blk_req.c).
 */
int virtio_blk_request(struct virtio_blk *b, unsigned int q, const struct virtq_seg *seg,
		       const struct virtq_chain *c, uint32_t *written);

#endif
