// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI Machine Language writer (vmm/include/vmm/aml.h).
 */
#include <plinth/bytes.h>
#include <plinth/string.h>
#include <vmm/aml.h>

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_EXT_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_PREFIX */
#define AML_ROOT_CHAR '\\'

/* Resource descriptor tags (ACPI 6.4). */
#define RES_IO 0x47		/* small, 7 bytes of body */
#define RES_END 0x79
#define RES_MEM32_FIXED 0x86
#define RES_DWORD_ADDR 0x87
#define RES_WORD_ADDR 0x88
#define ADDR_TYPE_MEM 0
#define ADDR_TYPE_IO 1
#define ADDR_TYPE_BUS 2
/* General flags: min and max fixed, positive decode, the bridge produces the window. */
#define ADDR_FLAGS_WINDOW 0x0c
#define ADDR_IO_ENTIRE_RANGE 0x03
#define ADDR_MEM_RW_NONCACHE 0x01

void aml_init(struct aml *a, uint8_t *buf, size_t size)
{
	a->buf = buf;
	a->size = buf ? size : 0;
	a->len = 0;
	a->overflow = false;
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len < a->size)
		a->buf[a->len] = b;
	else
		a->overflow = true;
	a->len++;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++)
		aml_byte(a, s[i]);
}

/* Inserts n bytes at pos, moving what follows (the object's body) up. */
static void insert(struct aml *a, size_t pos, const uint8_t *p, size_t n)
{
	if (a->overflow || a->len + n > a->size) {
		a->overflow = true;
		a->len += n;
		return;
	}
	memmove(a->buf + pos + n, a->buf + pos, a->len - pos);
	memcpy(a->buf + pos, p, n);
	a->len += n;
}

void aml_name(struct aml *a, const char *name)
{
	size_t n = 0;

	if (*name == AML_ROOT_CHAR) {
		aml_byte(a, AML_ROOT_CHAR);
		name++;
	}
	for (; n < 4 && name[n]; n++)
		aml_byte(a, (uint8_t)name[n]);
	for (; n < 4; n++)
		aml_byte(a, '_');
}

void aml_int(struct aml *a, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	if (v == 0) {
		aml_byte(a, AML_ZERO);
	} else if (v == 1) {
		aml_byte(a, AML_ONE);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_byte(a, (uint8_t)v);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_bytes(a, b, 2);
	} else if (v <= 0xffffffffu) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_bytes(a, b, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_bytes(a, b, 8);
	}
}

void aml_dword(struct aml *a, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	aml_byte(a, AML_DWORD_PREFIX);
	aml_bytes(a, b, 4);
}

static unsigned int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	return 0;
}

/*
 * Three letters of five bits each and four hex digits, stored so that the
 * bytes in memory read big-endian (ACPI 19.6.43: EISAID).
 */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = (uint32_t)(id[0] & 0x1f) << 26 | (uint32_t)(id[1] & 0x1f) << 21 |
		     (uint32_t)(id[2] & 0x1f) << 16;

	for (int i = 0; i < 4; i++)
		v |= hex_digit(id[3 + i]) << (12 - 4 * i);
	aml_dword(a, __builtin_bswap32(v));
}

void aml_name_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
}

size_t aml_scope_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = a->len;
	aml_name(a, name);
	return mark;
}

size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = a->len;
	aml_name(a, name);
	return mark;
}

size_t aml_package_begin(struct aml *a, uint8_t elements)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = a->len;
	aml_byte(a, elements);
	return mark;
}

/*
 * PkgLength (20.2.4): counts itself and everything up to the object's end,
 * in 1 to 4 bytes; the lead byte's bits 7:6 say how many follow.
 */
void aml_end(struct aml *a, size_t mark)
{
	size_t body = a->len - mark, total = 0;
	unsigned int n;
	uint8_t enc[4];

	for (n = 1; n <= 4; n++) {
		total = body + n;
		if (n == 1 ? total < 0x40 : total < (1ULL << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4) { /* 256 MiB of AML: the sizing pass will fail the table */
		a->overflow = true;
		return;
	}
	if (n == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
		for (unsigned int i = 1; i < n; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	insert(a, mark, enc, n);
}

size_t aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	return a->len;
}

void aml_buffer_end(struct aml *a, size_t mark)
{
	size_t content = a->len - mark;
	struct aml size_enc;
	uint8_t tmp[9];

	/* BufferSize is a TermArg before the bytes; encode it, then insert. */
	aml_init(&size_enc, tmp, sizeof(tmp));
	aml_int(&size_enc, content);
	insert(a, mark, tmp, size_enc.len);
	aml_end(a, mark);
}

static void addr_word(struct aml *a, uint8_t type, uint8_t specific, uint16_t min,
		      uint16_t max)
{
	uint8_t d[16];

	d[0] = RES_WORD_ADDR;
	put_le16(d + 1, 13);
	d[3] = type;
	d[4] = ADDR_FLAGS_WINDOW;
	d[5] = specific;
	put_le16(d + 6, 0);	/* granularity */
	put_le16(d + 8, min);
	put_le16(d + 10, max);
	put_le16(d + 12, 0);	/* translation offset */
	put_le16(d + 14, (uint16_t)(max - min + 1));
	aml_bytes(a, d, sizeof(d));
}

void aml_res_bus(struct aml *a, uint16_t min, uint16_t max)
{
	addr_word(a, ADDR_TYPE_BUS, 0, min, max);
}

void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max)
{
	addr_word(a, ADDR_TYPE_IO, ADDR_IO_ENTIRE_RANGE, min, max);
}

void aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
	uint8_t d[8];

	d[0] = RES_IO;
	d[1] = 0x01;		/* 16-bit decode */
	put_le16(d + 2, base);
	put_le16(d + 4, base);
	d[6] = 1;		/* alignment */
	d[7] = len;
	aml_bytes(a, d, sizeof(d));
}

void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max)
{
	uint8_t d[26];

	d[0] = RES_DWORD_ADDR;
	put_le16(d + 1, 23);
	d[3] = ADDR_TYPE_MEM;
	d[4] = ADDR_FLAGS_WINDOW;
	d[5] = ADDR_MEM_RW_NONCACHE;
	put_le32(d + 6, 0);
	put_le32(d + 10, min);
	put_le32(d + 14, max);
	put_le32(d + 18, 0);
	put_le32(d + 22, max - min + 1);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_mem32_fixed(struct aml *a, uint32_t base, uint32_t len)
{
	uint8_t d[12];

	d[0] = RES_MEM32_FIXED;
	put_le16(d + 1, 9);
	d[3] = 0x01;		/* read-write */
	put_le32(d + 4, base);
	put_le32(d + 8, len);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_end(struct aml *a)
{
	aml_byte(a, RES_END);
	aml_byte(a, 0);		/* checksum 0: the OS treats the list as valid */
}
