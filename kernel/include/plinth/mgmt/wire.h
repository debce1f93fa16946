/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MGMT_WIRE_H
#define PLINTH_MGMT_WIRE_H

/*
 * The management protocol between Plinth's agent and its controller, on
 * the wire: frames over one TLS connection, built and parsed by the same
 * code at both ends (kernel/mgmt/ is built freestanding into Plinth and
 * hosted into tools/controller).
 *
 * A frame is an 8-byte header and a payload:
 *
 *	0  u32  payload length, big endian, 0..MGMT_PAYLOAD_MAX
 *	4  u8   type (enum mgmt_type)
 *	5  u8   flags, 0 (a peer that sets one speaks a version we do not)
 *	6  u16  channel, big endian
 *	8  payload
 *
 * Channel 0 carries control messages. Other channels carry one stream
 * each (a console, an image upload): MGMT_CHAN_OPEN, MGMT_CHAN_CREDIT,
 * MGMT_CHAN_CLOSE and MGMT_DATA travel on the stream's own channel, and
 * data is flow-controlled by credits (plinth/mgmt/credit.h), so a busy
 * stream never holds up control. A control payload is a sequence of TLV fields
 * (plinth/mgmt/tlv.h); a MGMT_DATA payload is the stream's raw bytes.
 *
 * Anything that breaks these rules is a protocol error: the receiver logs
 * why and closes the connection, and the agent reconnects.
 */
#include <plinth/types.h>

#define MGMT_PROTO_VERSION	1
#define MGMT_HDR_SIZE		8
/* Big enough for a full state report of CONFIG_MAX_PARTITIONS; streams send less per frame. */
#define MGMT_PAYLOAD_MAX	65536u
#define MGMT_CHANNEL_CONTROL	0

enum mgmt_type {
	MGMT_HELLO = 1,		/* agent: who it is, what it has */
	MGMT_WELCOME,		/* controller: accepted; session parameters */
	MGMT_HEARTBEAT,		/* either: liveness and round-trip time */
	MGMT_OP,		/* controller: do something (idempotent by op id) */
	MGMT_PROGRESS,		/* agent: how far an operation is */
	MGMT_RESULT,		/* agent: how an operation ended */
	MGMT_EVENT,		/* agent: something happened (numbered, replayed until acked) */
	MGMT_EVENT_ACK,		/* controller: events up to a number are stored */
	MGMT_STATE,		/* agent: everything, after every (re)connect */
	MGMT_CHAN_OPEN,		/* either: a stream on a new channel */
	MGMT_CHAN_CREDIT,	/* either: the peer may send this many more bytes on a channel */
	MGMT_CHAN_CLOSE,	/* either: a stream ends */
	MGMT_DATA,		/* either: stream bytes, on the stream's channel */
	MGMT_GOODBYE,		/* either: closing, and why */
	MGMT_ENROL,		/* agent, first on a connection without a client certificate */
	MGMT_ENROLLED,		/* controller: the agent's certificate; the connection then closes */
	MGMT_TYPE_COUNT
};

struct mgmt_frame {
	uint8_t type;
	uint8_t flags;
	uint16_t channel;
	uint32_t len;
	const uint8_t *payload;	/* len bytes, valid until the next frame */
};

/* "HELLO", ...; "unknown" for anything else. */
const char *mgmt_type_name(unsigned int type);

/* Writes the header of a frame with len payload bytes; -EMSGSIZE past MGMT_PAYLOAD_MAX. */
int mgmt_put_header(uint8_t hdr[MGMT_HDR_SIZE], enum mgmt_type type, uint16_t channel,
		    uint32_t len);

/*
 * Reassembles frames from a byte stream (TLS records split and join
 * frames at will). The caller owns buf, of MGMT_PAYLOAD_MAX bytes.
 */
struct mgmt_rx {
	uint8_t hdr[MGMT_HDR_SIZE];
	uint32_t have;		/* bytes of the current frame (header included) so far */
	uint32_t len;		/* its payload length, once the header is in */
	uint8_t *buf;
	char error[96];		/* why mgmt_rx_feed() failed */
};

void mgmt_rx_init(struct mgmt_rx *rx, uint8_t *buf);

/*
 * Takes up to n bytes. Returns how many it consumed, having stopped after
 * the first complete frame (*f filled, *done true) so the caller handles
 * it before feeding the rest; or -EBADMSG for a header that breaks the
 * rules, with the reason in rx->error. After an error the stream is lost.
 */
long mgmt_rx_feed(struct mgmt_rx *rx, const uint8_t *data, size_t n, struct mgmt_frame *f,
		  bool *done);

/*
 * Whether a complete frame may be handled at all: a known type, no flags,
 * control types on channel 0 and the stream types (CHAN_*, DATA) off it. 0, or -EPROTO with the
 * reason in err.
 */
int mgmt_frame_check(const struct mgmt_frame *f, char *err, size_t errlen);

#endif
