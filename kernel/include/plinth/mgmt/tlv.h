/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MGMT_TLV_H
#define PLINTH_MGMT_TLV_H

/*
 * The fields of a control payload: a sequence of
 *
 *	u8   tag (its meaning depends on the message)
 *	u16  length of the value, big endian
 *	     value: an unsigned number (1, 2, 4 or 8 bytes, big endian),
 *	     a string (UTF-8 bytes, no NUL), raw bytes, or a nested sequence
 *
 * A reader skips tags it does not know, so either end may add fields; a
 * known tag whose value has the wrong shape is an error, as is a field
 * that runs past its container.
 */
#include <plinth/types.h>

struct tlv_writer {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;		/* something did not fit: the whole message is void */
};

void tlv_writer_init(struct tlv_writer *w, uint8_t *buf, size_t cap);
void tlv_put_u64(struct tlv_writer *w, uint8_t tag, uint64_t v);
void tlv_put_bytes(struct tlv_writer *w, uint8_t tag, const void *p, size_t len);
void tlv_put_str(struct tlv_writer *w, uint8_t tag, const char *s);
/* A nested sequence: tlv_begin()'s result goes to tlv_end() once its fields are written. */
size_t tlv_begin(struct tlv_writer *w, uint8_t tag);
void tlv_end(struct tlv_writer *w, size_t mark);

struct tlv_reader {
	const uint8_t *p;
	size_t len, off;
};

struct tlv_field {
	uint8_t tag;
	uint16_t len;
	const uint8_t *val;
};

void tlv_reader_init(struct tlv_reader *r, const uint8_t *p, size_t len);
/* The next field: 1, 0 at the end, -EBADMSG when a field runs past the end. */
int tlv_next(struct tlv_reader *r, struct tlv_field *f);
/* The fields inside a nested field. */
void tlv_open(const struct tlv_field *f, struct tlv_reader *inner);

/* Typed values: 0, or -EBADMSG when the field does not have that shape. */
int tlv_get_u64(const struct tlv_field *f, uint64_t *v);
int tlv_get_u32(const struct tlv_field *f, uint32_t *v);
/* Copies a string of at most size - 1 bytes, with no NUL or control byte, into dst. */
int tlv_get_str(const struct tlv_field *f, char *dst, size_t size);

#endif
