// SPDX-License-Identifier: GPL-2.0
/*
 * Table-driven codec of the management protocol's control messages
 * (plinth/mgmt/msg.h). Tags are per message and never reused: a field
 * that goes away keeps its number retired, so old peers are not misled.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mgmt/msg.h>
#include <plinth/mgmt/tlv.h>
#include <plinth/string.h>

enum field_type {
	F_U64,
	F_U32,
	F_S32,
	F_STR,
	F_LIST,		/* repeated nested records: elem describes one */
	F_BLOB,		/* raw bytes into an array; their count in a uint32_t at count_off */
};

struct field_desc {
	uint8_t tag;
	uint8_t type;
	bool required;
	uint16_t off;		/* in the message structure */
	uint16_t size;		/* F_STR, F_BLOB: the array; F_LIST: one element */
	uint64_t min, max;	/* F_U32/F_U64: accepted range (max 0: any) */
	const char *name;
	/* F_LIST, F_BLOB */
	const struct mgmt_msg_desc *elem;
	uint16_t count_off;	/* a uint32_t in the structure */
	uint16_t count_max;
};

struct mgmt_msg_desc {
	const char *name;
	const struct field_desc *fields;
	unsigned int nfields;
	size_t size;
};

#define FLD(t, st, member, ty, req, lo, hi)                                                   \
	{ .tag = (t), .type = (ty), .required = (req), .off = offsetof(st, member),            \
	  .size = sizeof(((st *)0)->member), .min = (lo), .max = (hi), .name = #member }
#define U64(t, st, m, req) FLD(t, st, m, F_U64, req, 0, 0)
#define U32(t, st, m, req) FLD(t, st, m, F_U32, req, 0, 0xffffffffu)
#define ENUM(t, st, m, count) FLD(t, st, m, F_U32, true, 1, (count) - 1)
#define S32(t, st, m, req) FLD(t, st, m, F_S32, req, 0, 0)
#define STR(t, st, m, req) FLD(t, st, m, F_STR, req, 0, 0)
#define BLOB(t, st, m, n)                                                                     \
	{ .tag = (t), .type = F_BLOB, .required = true, .off = offsetof(st, m),                \
	  .size = sizeof(((st *)0)->m), .name = #m, .count_off = offsetof(st, n) }
#define DESC(st, label, f) { .name = label, .fields = f, .nfields = ARRAY_SIZE(f), .size = sizeof(st) }

static const struct field_desc hello_f[] = {
	STR(1, struct mgmt_hello, host_id, true),
	STR(2, struct mgmt_hello, boot_id, true),
	FLD(3, struct mgmt_hello, proto, F_U32, true, 1, 0xffffffffu),
	STR(4, struct mgmt_hello, version, false),
	U32(5, struct mgmt_hello, cpus, true),
	U32(6, struct mgmt_hello, cpus_free, true),
	U64(7, struct mgmt_hello, memory, true),
	U64(8, struct mgmt_hello, memory_free, true),
	U32(9, struct mgmt_hello, nics, false),
};

static const struct field_desc welcome_f[] = {
	FLD(1, struct mgmt_welcome, heartbeat_ms, F_U32, true, 100, 600000),
	U64(2, struct mgmt_welcome, events_acked, true),
};

static const struct field_desc heartbeat_f[] = {
	U64(1, struct mgmt_heartbeat, seq, true),
	U64(2, struct mgmt_heartbeat, sent_ns, true),
	FLD(3, struct mgmt_heartbeat, reply, F_U32, false, 0, 1),
};

static const struct field_desc op_f[] = {
	STR(1, struct mgmt_op, op_id, true),
	ENUM(2, struct mgmt_op, kind, MGMT_OP_KIND_COUNT),
	STR(3, struct mgmt_op, partition, true),
	U64(4, struct mgmt_op, memory, false),
	U32(5, struct mgmt_op, vcpus, false),
	STR(6, struct mgmt_op, kernel_sha, false),
	STR(7, struct mgmt_op, initrd_sha, false),
	STR(8, struct mgmt_op, disk_sha, false),
	STR(9, struct mgmt_op, cmdline, false),
	STR(10, struct mgmt_op, net_switch, false),
};

static const struct field_desc progress_f[] = {
	STR(1, struct mgmt_progress, op_id, true),
	U64(2, struct mgmt_progress, done, true),
	U64(3, struct mgmt_progress, total, false),
	STR(4, struct mgmt_progress, text, false),
};

static const struct field_desc result_f[] = {
	STR(1, struct mgmt_result, op_id, true),
	S32(2, struct mgmt_result, status, true),
	FLD(3, struct mgmt_result, error, F_U32, false, 0, MGMT_ERR_COUNT - 1),
	STR(4, struct mgmt_result, text, false),
};

static const struct field_desc event_f[] = {
	FLD(1, struct mgmt_event, seq, F_U64, true, 1, 0),
	STR(2, struct mgmt_event, partition, true),
	ENUM(3, struct mgmt_event, state, MGMT_PART_STATE_COUNT),
	STR(4, struct mgmt_event, text, false),
};

static const struct field_desc event_ack_f[] = {
	U64(1, struct mgmt_event_ack, seq, true),
};

static const struct field_desc part_f[] = {
	STR(1, struct mgmt_part, name, true),
	ENUM(2, struct mgmt_part, state, MGMT_PART_STATE_COUNT),
	U32(3, struct mgmt_part, vcpus, true),
	U64(4, struct mgmt_part, memory, true),
	FLD(5, struct mgmt_part, from_config, F_U32, false, 0, 1),
};

static const struct mgmt_msg_desc part_desc = DESC(struct mgmt_part, "partition", part_f);

static const struct field_desc state_f[] = {
	FLD(1, struct mgmt_state, events_next, F_U64, true, 1, 0),
	{ .tag = 2, .type = F_LIST, .off = offsetof(struct mgmt_state, parts),
	  .size = sizeof(struct mgmt_part), .name = "parts", .elem = &part_desc,
	  .count_off = offsetof(struct mgmt_state, count), .count_max = MGMT_STATE_MAX },
};

static const struct field_desc chan_open_f[] = {
	ENUM(1, struct mgmt_chan_open, kind, MGMT_STREAM_KIND_COUNT),
	STR(2, struct mgmt_chan_open, partition, false),
	STR(3, struct mgmt_chan_open, sha256, false),
	U64(4, struct mgmt_chan_open, size, false),
	U32(5, struct mgmt_chan_open, credit, true),
};

static const struct field_desc chan_credit_f[] = {
	FLD(1, struct mgmt_chan_credit, bytes, F_U32, true, 1, 0xffffffffu),
};

static const struct field_desc chan_close_f[] = {
	S32(1, struct mgmt_chan_close, status, true),
	STR(2, struct mgmt_chan_close, text, false),
};

static const struct field_desc goodbye_f[] = {
	STR(1, struct mgmt_goodbye, text, false),
	FLD(2, struct mgmt_goodbye, reason, F_U32, false, 0, MGMT_BYE_COUNT - 1),
};

static const struct field_desc enrol_f[] = {
	STR(1, struct mgmt_enrol, token, false),
	BLOB(2, struct mgmt_enrol, csr, csr_len),
};

static const struct field_desc enrolled_f[] = {
	STR(1, struct mgmt_enrolled, host_id, true),
	BLOB(2, struct mgmt_enrolled, cert, cert_len),
};

static const struct mgmt_msg_desc descs[MGMT_TYPE_COUNT] = {
	[MGMT_HELLO] = DESC(struct mgmt_hello, "HELLO", hello_f),
	[MGMT_WELCOME] = DESC(struct mgmt_welcome, "WELCOME", welcome_f),
	[MGMT_HEARTBEAT] = DESC(struct mgmt_heartbeat, "HEARTBEAT", heartbeat_f),
	[MGMT_OP] = DESC(struct mgmt_op, "OP", op_f),
	[MGMT_PROGRESS] = DESC(struct mgmt_progress, "PROGRESS", progress_f),
	[MGMT_RESULT] = DESC(struct mgmt_result, "RESULT", result_f),
	[MGMT_EVENT] = DESC(struct mgmt_event, "EVENT", event_f),
	[MGMT_EVENT_ACK] = DESC(struct mgmt_event_ack, "EVENT_ACK", event_ack_f),
	[MGMT_STATE] = DESC(struct mgmt_state, "STATE", state_f),
	[MGMT_CHAN_OPEN] = DESC(struct mgmt_chan_open, "CHAN_OPEN", chan_open_f),
	[MGMT_CHAN_CREDIT] = DESC(struct mgmt_chan_credit, "CHAN_CREDIT", chan_credit_f),
	[MGMT_CHAN_CLOSE] = DESC(struct mgmt_chan_close, "CHAN_CLOSE", chan_close_f),
	[MGMT_GOODBYE] = DESC(struct mgmt_goodbye, "GOODBYE", goodbye_f),
	[MGMT_ENROL] = DESC(struct mgmt_enrol, "ENROL", enrol_f),
	[MGMT_ENROLLED] = DESC(struct mgmt_enrolled, "ENROLLED", enrolled_f),
};

const struct mgmt_msg_desc *mgmt_msg_desc(enum mgmt_type type)
{
	return (unsigned int)type < MGMT_TYPE_COUNT && descs[type].name ? &descs[type] : NULL;
}

size_t mgmt_msg_size(enum mgmt_type type)
{
	const struct mgmt_msg_desc *d = mgmt_msg_desc(type);

	return d ? d->size : 0;
}

static void encode_fields(const struct mgmt_msg_desc *d, const uint8_t *m, struct tlv_writer *w)
{
	for (unsigned int i = 0; i < d->nfields; i++) {
		const struct field_desc *f = &d->fields[i];
		const uint8_t *v = m + f->off;

		switch (f->type) {
		case F_U64:
			tlv_put_u64(w, f->tag, *(const uint64_t *)v);
			break;
		case F_U32:
			tlv_put_u64(w, f->tag, *(const uint32_t *)v);
			break;
		case F_S32:
			tlv_put_u64(w, f->tag, (uint32_t)*(const int32_t *)v);
			break;
		case F_STR:
			/* An empty optional string is the same as none: leave it out. */
			if (((const char *)v)[0] || f->required)
				tlv_put_bytes(w, f->tag, v, strnlen((const char *)v, f->size));
			break;
		case F_BLOB: {
			uint32_t n = *(const uint32_t *)(m + f->count_off);

			/* A count past the array is the caller's bug: the message does not fit. */
			if (n > f->size)
				w->overflow = true;
			else
				tlv_put_bytes(w, f->tag, v, n);
			break;
		}
		case F_LIST: {
			uint32_t n = *(const uint32_t *)(m + f->count_off);

			for (uint32_t k = 0; k < n && k < f->count_max; k++) {
				size_t mark = tlv_begin(w, f->tag);

				encode_fields(f->elem, v + (size_t)k * f->size, w);
				tlv_end(w, mark);
			}
			break;
		}
		}
	}
}

long mgmt_encode(enum mgmt_type type, const void *msg, uint8_t *buf, size_t cap)
{
	const struct mgmt_msg_desc *d = mgmt_msg_desc(type);
	struct tlv_writer w;

	if (!d)
		return -EINVAL;
	tlv_writer_init(&w, buf, MIN(cap, (size_t)MGMT_PAYLOAD_MAX));
	encode_fields(d, msg, &w);
	return w.overflow ? -EMSGSIZE : (long)w.len;
}

static const struct field_desc *find(const struct mgmt_msg_desc *d, uint8_t tag,
				     unsigned int *idx)
{
	for (unsigned int i = 0; i < d->nfields; i++) {
		if (d->fields[i].tag == tag) {
			*idx = i;
			return &d->fields[i];
		}
	}
	return NULL;
}

static int bad(char *err, size_t errlen, const char *msg, const char *field, const char *why)
{
	snprintf(err, errlen, "%s: field %s %s", msg, field, why);
	return -EBADMSG;
}

static int decode_fields(const struct mgmt_msg_desc *d, struct tlv_reader *r, uint8_t *m,
			 const char *label, char *err, size_t errlen, unsigned int depth)
{
	uint32_t seen = 0;
	struct tlv_field t;
	unsigned int i;
	int ret;

	while ((ret = tlv_next(r, &t)) == 1) {
		const struct field_desc *f = find(d, t.tag, &i);
		uint8_t *v;
		uint64_t x;

		if (!f)
			continue;	/* a newer peer's field */
		v = m + f->off;
		if (f->type != F_LIST && (seen & (1u << i)))
			return bad(err, errlen, label, f->name, "given twice");
		seen |= 1u << i;
		switch (f->type) {
		case F_U64:
		case F_U32:
			if (tlv_get_u64(&t, &x) || x < f->min || (f->max && x > f->max))
				return bad(err, errlen, label, f->name, "out of range");
			if (f->type == F_U64)
				*(uint64_t *)v = x;
			else
				*(uint32_t *)v = (uint32_t)x;
			break;
		case F_S32:
			if (tlv_get_u64(&t, &x) || x > 0xffffffffu)
				return bad(err, errlen, label, f->name, "out of range");
			*(int32_t *)v = (int32_t)(uint32_t)x;
			break;
		case F_STR:
			if (tlv_get_str(&t, (char *)v, f->size))
				return bad(err, errlen, label, f->name,
					   "too long or holds a control byte");
			break;
		case F_BLOB:
			if (t.len == 0 || t.len > f->size)
				return bad(err, errlen, label, f->name, "empty or too long");
			memcpy(v, t.val, t.len);
			*(uint32_t *)(m + f->count_off) = t.len;
			break;
		case F_LIST: {
			uint32_t *n = (uint32_t *)(m + f->count_off);
			struct tlv_reader inner;

			if (*n >= f->count_max || depth > 0)
				return bad(err, errlen, label, f->name, "has too many entries");
			tlv_open(&t, &inner);
			ret = decode_fields(f->elem, &inner, v + (size_t)*n * f->size,
					    f->elem->name, err, errlen, depth + 1);
			if (ret)
				return ret;
			(*n)++;
			break;
		}
		}
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: a field runs past the end of the message", label);
		return -EBADMSG;
	}
	for (i = 0; i < d->nfields; i++)
		if (d->fields[i].required && !(seen & (1u << i)))
			return bad(err, errlen, label, d->fields[i].name, "missing");
	return 0;
}

int mgmt_decode(enum mgmt_type type, const uint8_t *p, size_t len, void *msg, char *err,
		size_t errlen)
{
	const struct mgmt_msg_desc *d = mgmt_msg_desc(type);
	struct tlv_reader r;

	if (!d) {
		snprintf(err, errlen, "%s frames carry no message", mgmt_type_name(type));
		return -EBADMSG;
	}
	memset(msg, 0, d->size);
	tlv_reader_init(&r, p, len);
	return decode_fields(d, &r, msg, d->name, err, errlen, 0);
}
