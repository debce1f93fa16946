/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_MGMT_SESSION_H
#define PLINTH_MGMT_SESSION_H

/*
 * The state the management protocol keeps across frames and reconnects,
 * as plain data structures both ends use (kernel/mgmt/): stream credits,
 * reconnect back-off, the agent's numbered event log and its record of
 * operations already run. None of it touches the network or a clock: the
 * caller passes times and random numbers in, so all of it is host-tested.
 */
#include <plinth/mgmt/msg.h>
#include <plinth/types.h>

/*
 * Flow control of one direction of a stream: the receiver grants bytes
 * (MGMT_CHAN_OPEN's credit, then MGMT_CHAN_CREDIT), the sender spends
 * them on MGMT_DATA. A sender past its credit breaks the protocol.
 */
#define MGMT_CREDIT_MAX (16u << 20)	/* outstanding at most: bounds the receiver's buffering */

struct mgmt_credit {
	uint64_t granted, used;
};

static inline uint32_t mgmt_credit_avail(const struct mgmt_credit *c)
{
	return (uint32_t)(c->granted - c->used);
}

/* More credit: 0, or -EOVERFLOW when more than MGMT_CREDIT_MAX would be outstanding. */
int mgmt_credit_grant(struct mgmt_credit *c, uint32_t bytes);
/* n bytes arrived or are to be sent: 0, or -EPROTO past the credit. */
int mgmt_credit_spend(struct mgmt_credit *c, uint32_t n);
/*
 * On the receiving side, after the application consumed what arrived: how
 * much to grant now to keep window bytes outstanding (0: not yet, to send
 * one MGMT_CHAN_CREDIT per half window rather than one per frame).
 */
uint32_t mgmt_credit_topup(const struct mgmt_credit *c, uint32_t window);

/*
 * Reconnect delays: exponential from base_ms to max_ms with jitter (each
 * delay is uniform in [d/2, d]), so a controller restart is not met by
 * every host at the same instant.
 */
struct mgmt_backoff {
	uint32_t base_ms, max_ms;
	uint32_t attempt;
};

void mgmt_backoff_init(struct mgmt_backoff *b, uint32_t base_ms, uint32_t max_ms);
/* The delay before the next attempt; rnd is a fresh random number. */
uint32_t mgmt_backoff_next(struct mgmt_backoff *b, uint32_t rnd);
/* A session came up: start from base_ms again. */
void mgmt_backoff_reset(struct mgmt_backoff *b);

/*
 * The agent's events, numbered from 1 each boot, kept until the controller
 * acknowledges them and replayed after a reconnect. When the log is full
 * the oldest unacknowledged event is dropped and counted: the full state
 * report after every reconnect still tells the controller where things are.
 */
#define MGMT_EVLOG_SIZE 64

struct mgmt_evlog {
	struct mgmt_event ev[MGMT_EVLOG_SIZE];
	uint64_t next_seq;		/* the seq the next event gets */
	uint64_t acked;			/* every seq up to this is stored by the controller */
	uint64_t dropped;		/* events lost to a full log */
};

void mgmt_evlog_init(struct mgmt_evlog *l);
/* Records an event: its seq. */
uint64_t mgmt_evlog_add(struct mgmt_evlog *l, const char *partition, uint32_t state,
			const char *text);
/* 0; -EINVAL for a seq never issued (acks only move forward; an old one is ignored). */
int mgmt_evlog_ack(struct mgmt_evlog *l, uint64_t seq);
/* The first event still held with a seq above after, or NULL: what to (re)send next. */
const struct mgmt_event *mgmt_evlog_after(const struct mgmt_evlog *l, uint64_t after);

/*
 * Operations by id, so one the controller sends again (it did not see the
 * result before the connection broke) is not run twice: a running one is
 * left running, a finished one gets its first result again. Finished
 * entries are forgotten oldest first; running ones never are.
 */
#define MGMT_OPCACHE_SIZE 64

enum mgmt_op_seen {
	MGMT_OP_NEW,		/* run it: mgmt_opcache_begin() recorded it */
	MGMT_OP_RUNNING,	/* already running: its result will come */
	MGMT_OP_DONE,		/* finished: *res is its result */
};

struct mgmt_opcache_entry {
	char op_id[MGMT_ID_MAX];
	bool used, done;
	uint64_t order;		/* when it was recorded, for eviction */
	struct mgmt_result res;
};

struct mgmt_opcache {
	struct mgmt_opcache_entry e[MGMT_OPCACHE_SIZE];
	uint64_t clock;
};

void mgmt_opcache_init(struct mgmt_opcache *c);
/* What to do with op_id; -EBUSY when every entry is a running operation. */
int mgmt_opcache_begin(struct mgmt_opcache *c, const char *op_id,
		       const struct mgmt_result **res);
/* The operation ended with res (res->op_id names it): 0, or -ENOENT if it was not begun. */
int mgmt_opcache_finish(struct mgmt_opcache *c, const struct mgmt_result *res);

#endif
