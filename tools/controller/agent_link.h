/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_AGENT_LINK_H
#define CTL_AGENT_LINK_H

/*
 * What a session does beyond part 1 of the contract (contract2.md): the
 * host's queued tasks sent as OPs once its STATE is in (and again, with the
 * same op id, on every later session until their RESULT), the image uploads
 * a CREATE needs first, and the console streams its viewers watch. All of
 * it runs on the session's thread, which alone uses the connection; other
 * threads reach it through the store and the hub (hub.h).
 */
#include <plinth/mgmt/session.h>
#include "agent_conn.h"

#define LINK_DATA_MAX 16384		/* payload of one DATA frame we send */
#define LINK_STREAMS_MAX 16		/* open at once on one connection */
#define LINK_CONSOLE_WINDOW 65536	/* console output the agent may send ahead */
#define LINK_PROGRESS_NS 200000000ull	/* upload progress reaches the store this often */

struct link_job;

struct link_stream {
	uint16_t ch;			/* 0: slot free */
	uint32_t kind;			/* enum mgmt_stream_kind */
	bool closing;			/* we sent CHAN_CLOSE: the agent's answer ends it */
	struct mgmt_credit out;		/* what we may send */
	struct mgmt_credit in;		/* what the agent may send */
	/* UPLOAD */
	struct link_job *job;
	int fd;
	uint64_t size, sent;
	char sha[MGMT_SHA_MAX];
	bool sending;			/* the agent granted credit: it lacks the image */
	/* CONSOLE */
	struct hub_console *con;
};

struct link {
	struct conn *c;
	const char *host;
	bool ready;			/* STATE came: operations may go */
	bool loaded;
	uint64_t gen;			/* the hub's wake-up count we last acted on */
	uint16_t last_ch;		/* channels go 1, 2, 3, ... and are never reused */
	struct link_job *jobs;
	struct link_stream streams[LINK_STREAMS_MAX];
	uint8_t *buf;			/* LINK_DATA_MAX */
};

int link_init(struct link *l, struct conn *c, const char *host);
/* The session ended: open streams are dropped, unfinished tasks wait for the next one. */
void link_free(struct link *l);
/* Sends what is due (OPs, CHAN_OPENs, at most one DATA frame): 0, or <0 (c->m.error). */
int link_tick(struct link *l);
/* How long the session may wait for a frame before the next tick (0: DATA can go now). */
int link_wait_ms(const struct link *l);
/*
 * RESULT, PROGRESS and the stream frames: 0 handled, 1 not one of these,
 * -EPROTO or -EBADMSG for a protocol error, -EIO (c->m.error says why).
 */
int link_frame(struct link *l, const struct mgmt_frame *f);

#endif
