// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol state across frames and reconnects (plinth/mgmt/session.h).
 * Every input here is the peer's claim (a credit, an ack, an op id), so
 * each is checked against what this end itself issued.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/mgmt/session.h>
#include <plinth/string.h>

int mgmt_credit_grant(struct mgmt_credit *c, uint32_t bytes)
{
	if ((uint64_t)mgmt_credit_avail(c) + bytes > MGMT_CREDIT_MAX)
		return -EOVERFLOW;
	c->granted += bytes;
	return 0;
}

int mgmt_credit_spend(struct mgmt_credit *c, uint32_t n)
{
	if (n > mgmt_credit_avail(c))
		return -EPROTO;
	c->used += n;
	return 0;
}

uint32_t mgmt_credit_topup(const struct mgmt_credit *c, uint32_t window)
{
	uint32_t avail = mgmt_credit_avail(c);

	if (window > MGMT_CREDIT_MAX)
		window = MGMT_CREDIT_MAX;
	return avail <= window / 2 ? window - avail : 0;
}

void mgmt_backoff_init(struct mgmt_backoff *b, uint32_t base_ms, uint32_t max_ms)
{
	b->base_ms = base_ms ? base_ms : 1;
	b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
	b->attempt = 0;
}

uint32_t mgmt_backoff_next(struct mgmt_backoff *b, uint32_t rnd)
{
	uint64_t d = b->base_ms;

	for (uint32_t i = 0; i < b->attempt && d < b->max_ms; i++)
		d *= 2;
	if (d > b->max_ms)
		d = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	return (uint32_t)(d - (d / 2 ? rnd % (d / 2 + 1) : 0));
}

void mgmt_backoff_reset(struct mgmt_backoff *b)
{
	b->attempt = 0;
}

void mgmt_evlog_init(struct mgmt_evlog *l)
{
	memset(l, 0, sizeof(*l));
	l->next_seq = 1;
}

static struct mgmt_event *slot(struct mgmt_evlog *l, uint64_t seq)
{
	return &l->ev[seq % MGMT_EVLOG_SIZE];
}

uint64_t mgmt_evlog_add(struct mgmt_evlog *l, const char *partition, uint32_t state,
			const char *text)
{
	uint64_t seq = l->next_seq++;
	struct mgmt_event *e = slot(l, seq);

	/* The slot's previous event, seq - SIZE, is overwritten: lost unless acknowledged. */
	if (seq > MGMT_EVLOG_SIZE && seq - MGMT_EVLOG_SIZE > l->acked)
		l->dropped++;
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	strlcpy(e->partition, partition, sizeof(e->partition));
	e->state = state;
	strlcpy(e->text, text, sizeof(e->text));
	return seq;
}

int mgmt_evlog_ack(struct mgmt_evlog *l, uint64_t seq)
{
	if (seq >= l->next_seq)
		return -EINVAL;
	if (seq > l->acked)
		l->acked = seq;
	return 0;
}

const struct mgmt_event *mgmt_evlog_after(const struct mgmt_evlog *l, uint64_t after)
{
	uint64_t first = l->acked + 1, oldest;

	/* Only what the ring still holds: the last MGMT_EVLOG_SIZE issued. */
	oldest = l->next_seq > MGMT_EVLOG_SIZE ? l->next_seq - MGMT_EVLOG_SIZE : 1;
	if (first < oldest)
		first = oldest;
	if (after + 1 > first)
		first = after + 1;
	if (first >= l->next_seq)
		return NULL;
	return &l->ev[first % MGMT_EVLOG_SIZE];
}

void mgmt_opcache_init(struct mgmt_opcache *c)
{
	memset(c, 0, sizeof(*c));
}

static struct mgmt_opcache_entry *lookup(struct mgmt_opcache *c, const char *op_id)
{
	for (unsigned int i = 0; i < MGMT_OPCACHE_SIZE; i++)
		if (c->e[i].used && !strcmp(c->e[i].op_id, op_id))
			return &c->e[i];
	return NULL;
}

int mgmt_opcache_begin(struct mgmt_opcache *c, const char *op_id,
		       const struct mgmt_result **res)
{
	struct mgmt_opcache_entry *e = lookup(c, op_id), *victim = NULL;

	*res = NULL;
	if (e && !e->done)
		return MGMT_OP_RUNNING;
	if (e) {
		*res = &e->res;
		return MGMT_OP_DONE;
	}
	for (unsigned int i = 0; i < MGMT_OPCACHE_SIZE; i++) {
		e = &c->e[i];
		if (!e->used) {
			victim = e;
			break;
		}
		if (e->done && (!victim || e->order < victim->order))
			victim = e;
	}
	if (!victim)
		return -EBUSY;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->order = ++c->clock;
	strlcpy(victim->op_id, op_id, sizeof(victim->op_id));
	return MGMT_OP_NEW;
}

int mgmt_opcache_finish(struct mgmt_opcache *c, const struct mgmt_result *res)
{
	struct mgmt_opcache_entry *e = lookup(c, res->op_id);

	if (!e || e->done)
		return -ENOENT;
	e->res = *res;
	e->done = true;
	return 0;
}
