/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_BYTE_RING_H
#define PLINTH_BYTE_RING_H

/*
 * A byte log of fixed size that keeps the newest bytes: a partition's
 * console output, kept for a reader that comes later (the management agent
 * streaming it). Every byte ever written has an absolute offset (the first
 * is 0); a reader keeps its own offset and asks for what follows it, so
 * any number of readers can follow the log without the writer knowing.
 * When the writer laps a slow reader, the reader learns how many bytes it
 * missed and goes on from the oldest byte still held.
 *
 * No locking inside: the owner serializes writes and reads (a partition's
 * ring is under its p->lock).
 */
#include <plinth/types.h>

struct byte_ring {
	uint8_t *buf;
	size_t size;   /* a power of two */
	uint64_t head; /* bytes ever written: the offset the next byte gets */
};

/* Uses buf (size bytes, a power of two, > 0) as the store; -EINVAL otherwise. */
int byte_ring_init(struct byte_ring *r, uint8_t *buf, size_t size);

/* Appends len bytes, dropping the oldest when full (only the last size bytes stay if len > size). */
void byte_ring_write(struct byte_ring *r, const void *data, size_t len);

/* The offset of the oldest byte held, and of the next one to be written. */
uint64_t byte_ring_tail(const struct byte_ring *r);
uint64_t byte_ring_head(const struct byte_ring *r);

/*
 * Copies up to len bytes starting at absolute offset *off into out and
 * advances *off past them; returns how many were copied (0 when *off is at
 * the head). An offset older than the tail first moves to the tail, and
 * *lost (if not NULL) gets the number of bytes skipped that way (else 0).
 * An offset beyond the head (never written) is moved back to the head.
 */
size_t byte_ring_read(const struct byte_ring *r, uint64_t *off, void *out, size_t len,
		      uint64_t *lost);

#endif
