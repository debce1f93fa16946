/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_AGENT_CORE_H
#define PLINTH_AGENT_CORE_H

/*
 * The parts of the agent that decide rather than move bytes, kept apart
 * from lwIP and mbedTLS so they build and are tested on the host
 * (tests/unit/test_agent_streams.c):
 *
 *	agent_ops.c	operations: the record of op ids (mgmt_opcache), the backend's op
 *	agent_streams.c	streams on channels 1..65535: the table, credits, the kinds
 *
 * They send through struct agent_io, which the session (agent_session.c)
 * points at the TLS connection, and a test at a capture.
 */
#include <plinth/agent.h>
#include <plinth/image_store.h>
#include <plinth/mgmt/session.h>
#include <plinth/mgmt/wire.h>

/* Where frames go: one connection's send queue. */
struct agent_io {
	/* Queues a control message on a channel (0: control): 0, or -ENOBUFS when full. */
	int (*send)(uint16_t channel, enum mgmt_type type, const void *msg);
	/* Queues a DATA frame of len bytes: 0, or -ENOBUFS. */
	int (*send_data)(uint16_t channel, const void *buf, size_t len);
	/* Bytes the send queue can still take. */
	size_t (*room)(void);
};

/*
 * An OP frame's message: runs it through the backend unless its op id was
 * seen before in this boot, and queues PROGRESS and the RESULT. 0, or
 * -ENOBUFS when the RESULT did not fit (the connection should then end:
 * the controller sends the op again on the next one and gets the result).
 */
int agent_ops_handle(struct mgmt_opcache *cache, const struct agent_backend *b,
		     const struct agent_io *io, const struct mgmt_op *op);

#define AGENT_STREAMS_MAX 8		/* open at once; one more is refused with -EMFILE */
#define AGENT_LINGER_MAX 16		/* channels closed here whose late frames are dropped */
#define AGENT_KEYS_WINDOW 4096		/* keystroke bytes the controller may have in flight */
#define AGENT_DATA_CHUNK 4096		/* console bytes per DATA frame */
/* Send-queue room console DATA leaves free, so control frames (a RESULT) always fit. */
#define AGENT_CONTROL_RESERVE 4096
#define AGENT_UPLOAD_WINDOW (256u << 10)	/* image bytes the controller may have in flight */

struct agent_stream {
	uint16_t channel;		/* 0: the slot is free */
	uint32_t kind;			/* enum mgmt_stream_kind */
	char partition[MGMT_NAME_MAX];
	struct mgmt_credit tx;		/* what the controller lets this end send */
	struct mgmt_credit rx;		/* what this end lets the controller send */
	uint64_t off;			/* CONSOLE: the next console byte to send */
	bool gone;			/* CONSOLE: the partition went away; said once */
	size_t in_len;			/* CONSOLE: keystrokes the partition has not taken yet */
	uint8_t in[AGENT_KEYS_WINDOW];
	struct image_upload up;		/* UPLOAD: into the image store */
};

struct agent_streams {
	const struct agent_backend *backend;
	struct image_store *images;	/* where UPLOAD streams go */
	const struct agent_io *io;
	struct agent_stream s[AGENT_STREAMS_MAX];
	/*
	 * Channels this end closed while frames of the controller's may be on
	 * the way (its keystrokes, its own CHAN_CLOSE crossing ours): those
	 * are dropped instead of being protocol errors. Oldest overwritten.
	 */
	uint16_t linger[AGENT_LINGER_MAX];
	unsigned int linger_next;
	unsigned int next_tick;		/* the slot the next tick starts at, for fairness */
};

/* A new connection: no stream open. */
/* A new connection: streams of the last one end (an unfinished upload is dropped). */
void agent_streams_reset(struct agent_streams *t, const struct agent_backend *b,
			 const struct agent_io *io, struct image_store *images);
/*
 * A CHAN_OPEN, CHAN_CREDIT, CHAN_CLOSE or DATA frame. 0; -EPROTO for a
 * frame that breaks the stream rules, with the reason in err (the
 * connection must end); -ENOBUFS when an answer did not fit.
 */
int agent_streams_frame(struct agent_streams *t, const struct mgmt_frame *f, char *err,
			size_t errlen);
/* Periodic: sends what the streams have within their credits. 0 or -ENOBUFS. */
int agent_streams_tick(struct agent_streams *t);
/* Open streams (for the log and tests). */
unsigned int agent_streams_open(const struct agent_streams *t);

#endif
