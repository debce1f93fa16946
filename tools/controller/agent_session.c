// SPDX-License-Identifier: GPL-2.0
/*
 * One agent session (contract "Session"): the client certificate names
 * the host, HELLO must agree, WELCOME tells the agent which of this boot's
 * events are stored, then STATE, EVENTs (stored once each, acknowledged)
 * and heartbeats both ways until GOODBYE, silence or a protocol error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent_conn.h"
#include "agent_link.h"
#include "ca.h"
#include "util.h"

struct sess {
	struct conn *c;
	const char *host;
	char boot[MGMT_ID_MAX];
	uint64_t hb_seq, hb_sent_ns;	/* our last heartbeat */
	char why[MGMT_TEXT_MAX + 32];	/* why it ended */
	struct link link;		/* operations, uploads, consoles */
};

/* Several connections of one host (a reconnect racing the old one): down when the last ends. */
static void sessions_enter(struct agent_srv *a, const char *host)
{
	int free_slot = -1;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < AGENT_CONN_MAX; i++) {
		if (a->sessions[i].count && !strcmp(a->sessions[i].host, host)) {
			a->sessions[i].count++;
			pthread_mutex_unlock(&a->lock);
			return;
		}
		if (!a->sessions[i].count && free_slot < 0)
			free_slot = i;
	}
	/* conns is bounded by AGENT_CONN_MAX, so there is always a free slot. */
	snprintf(a->sessions[free_slot].host, sizeof(a->sessions[free_slot].host), "%s", host);
	a->sessions[free_slot].count = 1;
	pthread_mutex_unlock(&a->lock);
}

static bool sessions_leave(struct agent_srv *a, const char *host)
{
	bool last = false;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < AGENT_CONN_MAX; i++) {
		if (a->sessions[i].count && !strcmp(a->sessions[i].host, host)) {
			last = --a->sessions[i].count == 0;
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return last;
}

static int on_heartbeat(struct sess *s, const struct mgmt_frame *f)
{
	struct mgmt_heartbeat hb;
	uint64_t now = now_mono_ns();

	if (mio_decode(&s->c->m, f, &hb))
		return -EBADMSG;
	if (!hb.reply) {
		hb.reply = 1;
		return mio_send(&s->c->m, MGMT_HEARTBEAT, &hb);
	}
	/* Only an answer to the heartbeat we sent last counts: the time is our own clock's. */
	if (hb.seq == s->hb_seq && hb.sent_ns == s->hb_sent_ns && now >= hb.sent_ns) {
		struct store *st = s->c->a->st;

		st->ops->host_rtt(st, s->host, (int64_t)((now - hb.sent_ns) / 1000), now_unix());
	}
	return 0;
}

static int on_state(struct sess *s, const struct mgmt_frame *f)
{
	struct mgmt_state *m = malloc(sizeof(*m));
	struct part_rec p[MGMT_STATE_MAX];
	struct store *st = s->c->a->st;
	int rc = -ENOMEM;

	if (!m)
		return rc;
	rc = mio_decode(&s->c->m, f, m) ? -EBADMSG : 0;
	if (!rc) {
		memset(p, 0, sizeof(p));
		for (uint32_t i = 0; i < m->count; i++) {
			snprintf(p[i].host_id, sizeof(p[i].host_id), "%s", s->host);
			snprintf(p[i].name, sizeof(p[i].name), "%s", m->parts[i].name);
			p[i].state = m->parts[i].state;
			p[i].vcpus = m->parts[i].vcpus;
			p[i].memory = m->parts[i].memory;
			p[i].from_config = m->parts[i].from_config;
		}
		st->ops->parts_replace(st, s->host, p, m->count);
		/* The host's state is known: its queued operations may go. */
		s->link.ready = true;
	}
	free(m);
	return rc;
}

static int on_event(struct sess *s, const struct mgmt_frame *f)
{
	struct mgmt_event ev;
	struct mgmt_event_ack ack;
	struct event_rec e = { 0 };
	struct store *st = s->c->a->st;

	if (mio_decode(&s->c->m, f, &ev))
		return -EBADMSG;
	snprintf(e.host_id, sizeof(e.host_id), "%s", s->host);
	snprintf(e.boot_id, sizeof(e.boot_id), "%s", s->boot);
	e.agent_seq = ev.seq;
	snprintf(e.partition, sizeof(e.partition), "%s", ev.partition);
	e.state = ev.state;
	snprintf(e.text, sizeof(e.text), "%s", ev.text);
	e.time = now_unix();
	/* A replay of a stored event is acknowledged again: the agent lost our first ack. */
	if (st->ops->event_add(st, &e) < 0)
		return 0;	/* not stored: no ack, the agent sends it again next session */
	/* The partition moved: its state is what the host says, not what an operation implied. */
	if (e.partition[0])
		st->ops->part_set_state(st, s->host, e.partition, e.state);
	ack.seq = ev.seq;
	return mio_send(&s->c->m, MGMT_EVENT_ACK, &ack);
}

/* Handles one frame: 0 go on, 1 the peer said goodbye, <0 end (s->why set). */
static int on_frame(struct sess *s, const struct mgmt_frame *f)
{
	struct mgmt_goodbye bye;
	int rc;

	switch (f->type) {
	case MGMT_HEARTBEAT:
		rc = on_heartbeat(s, f);
		break;
	case MGMT_STATE:
		rc = on_state(s, f);
		break;
	case MGMT_EVENT:
		rc = on_event(s, f);
		break;
	case MGMT_GOODBYE:
		if (mio_decode(&s->c->m, f, &bye)) {
			rc = -EBADMSG;
			break;
		}
		snprintf(s->why, sizeof(s->why), "goodbye: %s",
			 bye.text[0] ? bye.text : "no reason");
		return 1;
	default:
		rc = link_frame(&s->link, f);
		if (rc == 1) {
			snprintf(s->c->m.error, sizeof(s->c->m.error),
				 "unexpected %s frame in a session", mgmt_type_name(f->type));
			rc = -EPROTO;
		}
		break;
	}
	if (rc == -EBADMSG || rc == -EPROTO) {
		conn_protocol_error(s->c, s->c->m.error);
		snprintf(s->why, sizeof(s->why), "protocol error: %s", s->c->m.error);
	} else if (rc) {
		snprintf(s->why, sizeof(s->why), "%s", s->c->m.error);
	}
	return rc;
}

static bool still_admitted(struct sess *s)
{
	struct store *st = s->c->a->st;
	struct host_rec h;
	char text[MGMT_TEXT_MAX];

	if (st->ops->host_get(st, s->host, &h) || !h.revoked)
		return true;
	snprintf(text, sizeof(text), "host %s is revoked", s->host);
	conn_refuse(s->c, "session", MGMT_BYE_REVOKED, text);
	snprintf(s->why, sizeof(s->why), "revoked");
	return false;
}

static void run(struct sess *s)
{
	struct agent_srv *a = s->c->a;
	uint64_t hb_ns = (uint64_t)a->heartbeat_ms * 1000000u;
	uint64_t now = now_mono_ns(), last_rx = now, next_hb = now + hb_ns;
	struct mgmt_frame f;

	for (;;) {
		uint64_t wait;
		int r;

		now = now_mono_ns();
		if (atomic_load(&a->stop)) {
			struct mgmt_goodbye bye = { .reason = MGMT_BYE_SHUTDOWN,
						    .text = "controller shutting down" };

			mio_send(&s->c->m, MGMT_GOODBYE, &bye);
			snprintf(s->why, sizeof(s->why), "controller shutting down");
			return;
		}
		if (now - last_rx >= 3 * hb_ns) {
			snprintf(s->why, sizeof(s->why), "silent for %llu ms",
				 (unsigned long long)((now - last_rx) / 1000000u));
			return;
		}
		if (now >= next_hb) {
			struct mgmt_heartbeat hb = { .seq = ++s->hb_seq, .sent_ns = now };

			s->hb_sent_ns = now;
			if (mio_send(&s->c->m, MGMT_HEARTBEAT, &hb)) {
				snprintf(s->why, sizeof(s->why), "%s", s->c->m.error);
				return;
			}
			next_hb = now + hb_ns;
			/* Revocation takes effect in a live session too, within a heartbeat. */
			if (!still_admitted(s))
				return;
		}
		if (link_tick(&s->link)) {
			snprintf(s->why, sizeof(s->why), "%s", s->c->m.error);
			return;
		}
		wait = MIN(next_hb, last_rx + 3 * hb_ns) - now;
		wait = MIN(wait, (uint64_t)link_wait_ms(&s->link) * 1000000u);
		r = mio_recv(&s->c->m, &f, wait ? (int)(wait / 1000000u) + 1 : 0);
		if (r == 0)
			continue;
		if (r == -EBADMSG || r == -EPROTO) {
			conn_protocol_error(s->c, s->c->m.error);
			snprintf(s->why, sizeof(s->why), "protocol error: %s", s->c->m.error);
			return;
		}
		if (r < 0) {
			snprintf(s->why, sizeof(s->why), "%s", s->c->m.error);
			return;
		}
		last_rx = now_mono_ns();
		if (on_frame(s, &f))
			return;
	}
}

void agent_session(struct conn *c, X509 *peer)
{
	struct agent_srv *a = c->a;
	struct store *st = a->st;
	char host[MGMT_ID_MAX], key[SHA256_HEX_LEN], text[MGMT_TEXT_MAX];
	struct mgmt_welcome w = { .heartbeat_ms = a->heartbeat_ms };
	struct sess s = { .c = c, .host = host };
	struct host_facts facts = { 0 };
	struct mgmt_hello hello;
	struct mgmt_frame f;
	struct host_rec h;
	int r;

	if (cert_cn(peer, host, sizeof(host)) || !host_id_valid(host)) {
		conn_refuse(c, "session", MGMT_BYE_IDENTITY, "certificate CN is not a host id");
		return;
	}
	if (st->ops->host_get(st, host, &h)) {
		snprintf(text, sizeof(text), "host %s is not enrolled", host);
		conn_refuse(c, "session", MGMT_BYE_IDENTITY, text);
		return;
	}
	if (h.revoked) {
		snprintf(text, sizeof(text), "host %s is revoked", host);
		conn_refuse(c, "session", MGMT_BYE_REVOKED, text);
		return;
	}
	/* A certificate for a key the host since replaced by enrolling again no longer counts. */
	if (cert_pin(peer, key) || strcmp(key, h.key_sha256)) {
		snprintf(text, sizeof(text), "certificate key is not host %s's enrolled key", host);
		conn_refuse(c, "session", MGMT_BYE_IDENTITY, text);
		return;
	}
	r = mio_recv(&c->m, &f, AGENT_FIRST_FRAME_MS);
	if (r <= 0) {
		if (r == -EBADMSG || r == -EPROTO)
			conn_protocol_error(c, c->m.error);
		else
			ctl_log("agent %s: no HELLO from %s (%s)", c->peer, host,
				r ? c->m.error : "timed out");
		return;
	}
	if (f.type != MGMT_HELLO) {
		snprintf(text, sizeof(text), "%s frame before HELLO", mgmt_type_name(f.type));
		conn_protocol_error(c, text);
		return;
	}
	if (mio_decode(&c->m, &f, &hello)) {
		conn_protocol_error(c, c->m.error);
		return;
	}
	if (strcmp(hello.host_id, host)) {
		snprintf(text, sizeof(text), "HELLO host id %.64s is not the certificate's %s",
			 hello.host_id, host);
		conn_refuse(c, "session", MGMT_BYE_IDENTITY, text);
		return;
	}
	snprintf(s.boot, sizeof(s.boot), "%s", hello.boot_id);
	st->ops->event_last(st, host, s.boot, &w.events_acked);
	if (mio_send(&c->m, MGMT_WELCOME, &w))
		return;
	snprintf(facts.version, sizeof(facts.version), "%s", hello.version);
	facts.cpus = hello.cpus;
	facts.cpus_free = hello.cpus_free;
	facts.memory = hello.memory;
	facts.memory_free = hello.memory_free;
	facts.nics = hello.nics;
	if (link_init(&s.link, c, host)) {
		link_free(&s.link);
		return;
	}
	sessions_enter(a, host);
	st->ops->host_up(st, host, s.boot, &facts, now_unix());
	ctl_log("host %s up (boot %s)", host, s.boot);
	run(&s);
	link_free(&s.link);
	if (sessions_leave(a, host))
		st->ops->host_down(st, host, now_unix());
	ctl_log("host %s down (%s)", host, s.why);
}
