/* SPDX-License-Identifier: GPL-2.0 */
/* Byte log that keeps the newest bytes (kernel/include/plinth/byte_ring.h). */
#include <plinth/byte_ring.h>
#include <plinth/errno.h>
#include <plinth/string.h>

int byte_ring_init(struct byte_ring *r, uint8_t *buf, size_t size)
{
	if (!r || !buf || !size || (size & (size - 1)))
		return -EINVAL;
	r->buf = buf;
	r->size = size;
	r->head = 0;
	return 0;
}

void byte_ring_write(struct byte_ring *r, const void *data, size_t len)
{
	const uint8_t *p = data;

	/* Only the last size bytes can survive: skip what would be overwritten at once. */
	if (len > r->size) {
		r->head += len - r->size;
		p += len - r->size;
		len = r->size;
	}
	while (len) {
		size_t at = (size_t)(r->head & (r->size - 1));
		size_t n = MIN(len, r->size - at);

		memcpy(r->buf + at, p, n);
		r->head += n;
		p += n;
		len -= n;
	}
}

uint64_t byte_ring_head(const struct byte_ring *r)
{
	return r->head;
}

uint64_t byte_ring_tail(const struct byte_ring *r)
{
	return r->head > r->size ? r->head - r->size : 0;
}

size_t byte_ring_read(const struct byte_ring *r, uint64_t *off, void *out, size_t len,
		      uint64_t *lost)
{
	uint64_t tail = byte_ring_tail(r);
	uint8_t *q = out;
	size_t done = 0;

	if (lost)
		*lost = 0;
	if (*off < tail) {
		if (lost)
			*lost = tail - *off;
		*off = tail;
	}
	if (*off > r->head)
		*off = r->head;
	len = (size_t)MIN((uint64_t)len, r->head - *off);
	while (done < len) {
		size_t at = (size_t)(*off & (r->size - 1));
		size_t n = MIN(len - done, r->size - at);

		memcpy(q + done, r->buf + at, n);
		done += n;
		*off += n;
	}
	return done;
}
