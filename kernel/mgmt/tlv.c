// SPDX-License-Identifier: GPL-2.0
/*
 * TLV fields of management messages (plinth/mgmt/tlv.h). Numbers are
 * written in the fewest of 1, 2, 4 or 8 bytes and read from any of those
 * widths, so a small value costs little and a field can grow later.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/mgmt/tlv.h>
#include <plinth/string.h>

#define TLV_HDR 3
#define TLV_VAL_MAX 0xffffu

void tlv_writer_init(struct tlv_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

/* Room for a field of len value bytes: its offset, or SIZE_MAX (overflow set). */
static size_t reserve(struct tlv_writer *w, uint8_t tag, size_t len)
{
	size_t at = w->len;

	if (w->overflow || len > TLV_VAL_MAX || w->cap - w->len < TLV_HDR + len) {
		w->overflow = true;
		return SIZE_MAX;
	}
	w->buf[at] = tag;
	put_be16(w->buf + at + 1, (uint16_t)len);
	w->len += TLV_HDR + len;
	return at + TLV_HDR;
}

void tlv_put_u64(struct tlv_writer *w, uint8_t tag, uint64_t v)
{
	size_t n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
	size_t at = reserve(w, tag, n);

	if (at == SIZE_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		w->buf[at + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void tlv_put_bytes(struct tlv_writer *w, uint8_t tag, const void *p, size_t len)
{
	size_t at = reserve(w, tag, len);

	if (at != SIZE_MAX && len)
		memcpy(w->buf + at, p, len);
}

void tlv_put_str(struct tlv_writer *w, uint8_t tag, const char *s)
{
	tlv_put_bytes(w, tag, s, strlen(s));
}

size_t tlv_begin(struct tlv_writer *w, uint8_t tag)
{
	return reserve(w, tag, 0);
}

void tlv_end(struct tlv_writer *w, size_t mark)
{
	size_t len;

	if (mark == SIZE_MAX || w->overflow)
		return;
	len = w->len - mark;
	if (len > TLV_VAL_MAX) {
		w->overflow = true;
		return;
	}
	put_be16(w->buf + mark - 2, (uint16_t)len);
}

void tlv_reader_init(struct tlv_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

int tlv_next(struct tlv_reader *r, struct tlv_field *f)
{
	size_t left = r->len - r->off;

	if (!left)
		return 0;
	if (left < TLV_HDR)
		return -EBADMSG;
	f->tag = r->p[r->off];
	f->len = get_be16(r->p + r->off + 1);
	if (left - TLV_HDR < f->len)
		return -EBADMSG;
	f->val = r->p + r->off + TLV_HDR;
	r->off += TLV_HDR + f->len;
	return 1;
}

void tlv_open(const struct tlv_field *f, struct tlv_reader *inner)
{
	tlv_reader_init(inner, f->val, f->len);
}

int tlv_get_u64(const struct tlv_field *f, uint64_t *v)
{
	uint64_t x = 0;

	if (f->len != 1 && f->len != 2 && f->len != 4 && f->len != 8)
		return -EBADMSG;
	for (unsigned int i = 0; i < f->len; i++)
		x = x << 8 | f->val[i];
	*v = x;
	return 0;
}

int tlv_get_u32(const struct tlv_field *f, uint32_t *v)
{
	uint64_t x;

	if (tlv_get_u64(f, &x) || x > 0xffffffffu)
		return -EBADMSG;
	*v = (uint32_t)x;
	return 0;
}

int tlv_get_str(const struct tlv_field *f, char *dst, size_t size)
{
	if (!size || f->len > size - 1)
		return -EBADMSG;
	for (unsigned int i = 0; i < f->len; i++)
		/* Log lines and tables show these: no control bytes, no NUL. */
		if (f->val[i] < 0x20 || f->val[i] == 0x7f)
			return -EBADMSG;
	memcpy(dst, f->val, f->len);
	dst[f->len] = '\0';
	return 0;
}
