// SPDX-License-Identifier: GPL-2.0
/*
 * Management protocol frames (plinth/mgmt/wire.h). The decoder is fed
 * whatever the TLS layer returns, from a peer that may be hostile or
 * broken: every header field is checked before a byte of payload is
 * stored, and the payload never exceeds the caller's MGMT_PAYLOAD_MAX.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mgmt/wire.h>
#include <plinth/string.h>

static const char *const type_names[MGMT_TYPE_COUNT] = {
	[MGMT_HELLO] = "HELLO",
	[MGMT_WELCOME] = "WELCOME",
	[MGMT_HEARTBEAT] = "HEARTBEAT",
	[MGMT_OP] = "OP",
	[MGMT_PROGRESS] = "PROGRESS",
	[MGMT_RESULT] = "RESULT",
	[MGMT_EVENT] = "EVENT",
	[MGMT_EVENT_ACK] = "EVENT_ACK",
	[MGMT_STATE] = "STATE",
	[MGMT_CHAN_OPEN] = "CHAN_OPEN",
	[MGMT_CHAN_CREDIT] = "CHAN_CREDIT",
	[MGMT_CHAN_CLOSE] = "CHAN_CLOSE",
	[MGMT_DATA] = "DATA",
	[MGMT_GOODBYE] = "GOODBYE",
	[MGMT_ENROL] = "ENROL",
	[MGMT_ENROLLED] = "ENROLLED",
};

const char *mgmt_type_name(unsigned int type)
{
	return type < MGMT_TYPE_COUNT && type_names[type] ? type_names[type] : "unknown";
}

int mgmt_put_header(uint8_t hdr[MGMT_HDR_SIZE], enum mgmt_type type, uint16_t channel,
		    uint32_t len)
{
	if (len > MGMT_PAYLOAD_MAX)
		return -EMSGSIZE;
	put_be32(hdr, len);
	hdr[4] = (uint8_t)type;
	hdr[5] = 0;
	put_be16(hdr + 6, channel);
	return 0;
}

void mgmt_rx_init(struct mgmt_rx *rx, uint8_t *buf)
{
	memset(rx, 0, sizeof(*rx));
	rx->buf = buf;
}

long mgmt_rx_feed(struct mgmt_rx *rx, const uint8_t *data, size_t n, struct mgmt_frame *f,
		  bool *done)
{
	size_t used = 0, take;

	*done = false;
	if (rx->error[0])
		return -EBADMSG;
	while (rx->have < MGMT_HDR_SIZE && used < n)
		rx->hdr[rx->have++] = data[used++];
	if (rx->have < MGMT_HDR_SIZE)
		return (long)used;
	if (rx->have == MGMT_HDR_SIZE) {
		rx->len = get_be32(rx->hdr);
		/* Refused before any payload is buffered: a length is a claim, not a fact. */
		if (rx->len > MGMT_PAYLOAD_MAX) {
			snprintf(rx->error, sizeof(rx->error),
				 "frame of %u bytes exceeds the %u-byte limit", rx->len,
				 MGMT_PAYLOAD_MAX);
			return -EBADMSG;
		}
	}
	take = MIN(n - used, (size_t)(MGMT_HDR_SIZE + rx->len - rx->have));
	memcpy(rx->buf + (rx->have - MGMT_HDR_SIZE), data + used, take);
	rx->have += (uint32_t)take;
	used += take;
	if (rx->have == MGMT_HDR_SIZE + rx->len) {
		f->len = rx->len;
		f->type = rx->hdr[4];
		f->flags = rx->hdr[5];
		f->channel = get_be16(rx->hdr + 6);
		f->payload = rx->buf;
		rx->have = 0;
		*done = true;
	}
	return (long)used;
}

static bool stream_type(unsigned int type)
{
	return type == MGMT_CHAN_OPEN || type == MGMT_CHAN_CREDIT || type == MGMT_CHAN_CLOSE ||
	       type == MGMT_DATA;
}

int mgmt_frame_check(const struct mgmt_frame *f, char *err, size_t errlen)
{
	if (!f->type || f->type >= MGMT_TYPE_COUNT) {
		snprintf(err, errlen, "unknown frame type %u", f->type);
		return -EPROTO;
	}
	if (f->flags) {
		snprintf(err, errlen, "%s frame with flags 0x%02x", mgmt_type_name(f->type),
			 f->flags);
		return -EPROTO;
	}
	if (stream_type(f->type) && f->channel == MGMT_CHANNEL_CONTROL) {
		snprintf(err, errlen, "%s frame on the control channel", mgmt_type_name(f->type));
		return -EPROTO;
	}
	if (!stream_type(f->type) && f->channel != MGMT_CHANNEL_CONTROL) {
		snprintf(err, errlen, "%s frame on stream channel %u", mgmt_type_name(f->type),
			 f->channel);
		return -EPROTO;
	}
	return 0;
}
