/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session over mutual TLS: HELLO with the host's facts, WELCOME with the
 * heartbeat period and the last event the controller stored for this boot,
 * then the full state and every event after that one, each acknowledged
 * with EVENT_ACK. Both ends send HEARTBEAT every heartbeat_ms and answer
 * the other's; a controller silent for three periods is dead. Then the
 * controller's operations and streams (agent_core.h).
 */
#include <asm/percpu.h>
#include <plinth/errno.h>
#include <plinth/frame_alloc.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/netdev.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/version.h>
#include "agent_internal.h"

#define SILENT_PERIODS 3
/* Room an EVENT frame may need: header and the largest strings. */
#define EVENT_FRAME_MAX (MGMT_HDR_SIZE + 64 + MGMT_NAME_MAX + MGMT_TEXT_MAX)

void agent_host_facts(struct mgmt_hello *h)
{
	const struct agent_backend *b = agent_backend();
	unsigned int used = b ? b->cpus_used() : 0;

	/* CPU 0 is Plinth's own (plinth/sched.h): partitions get the others. */
	h->cpus = cpus_online > 1 ? cpus_online - 1 : 0;
	h->cpus_free = used < h->cpus ? h->cpus - used : 0;
	h->memory = phys_frames.total_usable * PAGE_SIZE;
	h->memory_free = frame_alloc_free_count(&phys_frames) * PAGE_SIZE;
	h->nics = 0;
	/* NICs on a bus; a switch's virtual ports have no bus id. */
	for (const struct netdev *nd = netdev_first(); nd; nd = nd->next)
		h->nics += nd->bus_id[0] != '\0';
}

void agent_session_begin(void)
{
	static struct mgmt_hello h;

	memset(&h, 0, sizeof(h));
	strlcpy(h.host_id, agent.host_id, sizeof(h.host_id));
	strlcpy(h.boot_id, agent.boot_id, sizeof(h.boot_id));
	h.proto = MGMT_PROTO_VERSION;
	strlcpy(h.version, PLINTH_VERSION, sizeof(h.version));
	agent_host_facts(&h);
	if (agent_tls_send(&agent.tls, MGMT_HELLO, &h)) {
		agent_lost("HELLO does not fit");
		return;
	}
	pr_debug("agent: HELLO sent: boot %s, %u CPUs (%u free), %lu MiB (%lu MiB free), %u NICs\n",
		 h.boot_id, h.cpus, h.cpus_free, h.memory >> 20, h.memory_free >> 20, h.nics);
	agent.phase = AGENT_HELLO;
}

static int io_send(uint16_t channel, enum mgmt_type type, const void *msg)
{
	return agent_tls_send_on(&agent.tls, channel, type, msg);
}

static int io_send_data(uint16_t channel, const void *buf, size_t len)
{
	return agent_tls_send_data(&agent.tls, channel, buf, len);
}

static size_t io_room(void)
{
	return agent_tls_room(&agent.tls);
}

static const struct agent_io io = {
	.send = io_send,
	.send_data = io_send_data,
	.room = io_room,
};

/* Events not yet sent on this connection, as far as the send queue has room. */
static void send_events(void)
{
	struct mgmt_event ev;

	while (agent_tls_room(&agent.tls) >= EVENT_FRAME_MAX &&
	       agent_events_after(agent.ev_sent, &ev)) {
		if (agent_tls_send(&agent.tls, MGMT_EVENT, &ev))
			return;
		agent.ev_sent = ev.seq;
	}
}

static void send_heartbeat(uint64_t now)
{
	struct mgmt_heartbeat hb = { .seq = ++agent.hb_seq, .sent_ns = now };

	/* A full queue skips a beat; the controller's patience is three of them. */
	agent_tls_send(&agent.tls, MGMT_HEARTBEAT, &hb);
	agent.next_hb_ns = now + (uint64_t)agent.heartbeat_ms * NSEC_PER_MSEC;
}

/* The full report: after WELCOME, and whenever the set of partitions changed. */
static int send_state(void)
{
	static struct mgmt_state st;

	agent_fill_state(&st);
	if (agent_tls_send(&agent.tls, MGMT_STATE, &st)) {
		agent_lost("STATE does not fit");
		return -ENOBUFS;
	}
	return 0;
}

static void welcome(const struct mgmt_frame *f)
{
	static struct mgmt_welcome w;
	uint64_t now = agent_now_ns();

	if (agent_decode(f, &w))
		return;
	if (agent_events_ack(w.events_acked)) {
		agent_protocol_error("WELCOME acknowledges event %lu, which this boot never issued",
				     w.events_acked);
		return;
	}
	agent.heartbeat_ms = w.heartbeat_ms;
	agent.phase = AGENT_SESSION;
	agent.ev_sent = w.events_acked;
	agent.hb_seq = 0;
	/* Streams are the connection's: the controller opens them again on this one. */
	agent_streams_reset(&agent.streams, agent_backend(), &io, &kernel_images);
	mgmt_backoff_reset(&agent.backoff);
	pr_info("agent: session up with %s (heartbeat %u ms)\n", agent.controller, w.heartbeat_ms);
	pr_debug("agent: session up %lu ms after dialling, events acked %lu\n",
		 (now - agent.dial_ns) / NSEC_PER_MSEC, w.events_acked);
	if (send_state())
		return;
	send_events();
	send_heartbeat(now);
}

static void heartbeat(const struct mgmt_frame *f, uint64_t now)
{
	static struct mgmt_heartbeat hb;

	if (agent_decode(f, &hb))
		return;
	if (hb.reply) {
		if (hb.seq != agent.hb_seq || hb.sent_ns > now)
			pr_debug("agent: heartbeat answer %lu (sent %lu) is not the last one\n",
				 hb.seq, agent.hb_seq);
		else
			pr_debug("agent: heartbeat %lu round trip %lu us\n", hb.seq,
				 (now - hb.sent_ns) / NSEC_PER_USEC);
		return;
	}
	hb.reply = 1;
	agent_tls_send(&agent.tls, MGMT_HEARTBEAT, &hb);
}

static void event_ack(const struct mgmt_frame *f)
{
	static struct mgmt_event_ack a;

	if (agent_decode(f, &a))
		return;
	if (a.seq > agent.ev_sent || agent_events_ack(a.seq)) {
		agent_protocol_error("EVENT_ACK for event %lu, which was not sent", a.seq);
		return;
	}
	pr_debug("agent: events up to %lu stored by the controller\n", a.seq);
	send_events();
}

static void operation(const struct mgmt_frame *f)
{
	static struct mgmt_op op;

	if (agent_decode(f, &op))
		return;
	/* Recorded as done: the controller sends it again on the next connection and gets it. */
	if (agent_ops_handle(&agent.ops, agent_backend(), &io, &op)) {
		agent_lost("no room to send the result of op %s", op.op_id);
		return;
	}
	/* The controller learns of partitions that came or went from the report, not the result. */
	if (op.kind == MGMT_OP_CREATE || op.kind == MGMT_OP_DELETE)
		send_state();
}

static void stream_frame(const struct mgmt_frame *f)
{
	char err[128];
	int ret = agent_streams_frame(&agent.streams, f, err, sizeof(err));

	if (ret == -EPROTO)
		agent_protocol_error("%s", err);
	else if (ret)
		agent_lost("no room to answer a %s on channel %u", mgmt_type_name(f->type),
			   f->channel);
}

void agent_session_frame(const struct mgmt_frame *f)
{
	uint64_t now = agent_now_ns();

	if (f->type == MGMT_GOODBYE) {
		agent_goodbye(f);
		return;
	}
	if (agent.phase == AGENT_HELLO) {
		if (f->type == MGMT_WELCOME)
			welcome(f);
		else
			agent_protocol_error("%s frame before WELCOME", mgmt_type_name(f->type));
		return;
	}
	switch (f->type) {
	case MGMT_HEARTBEAT:
		heartbeat(f, now);
		break;
	case MGMT_EVENT_ACK:
		event_ack(f);
		break;
	case MGMT_OP:
		operation(f);
		break;
	case MGMT_CHAN_OPEN:
	case MGMT_CHAN_CREDIT:
	case MGMT_CHAN_CLOSE:
	case MGMT_DATA:
		stream_frame(f);
		break;
	default:
		agent_protocol_error("unexpected %s frame in a session", mgmt_type_name(f->type));
	}
}

void agent_session_tick(uint64_t now)
{
	uint64_t silent = now - agent.last_rx_ns;

	if (silent > (uint64_t)SILENT_PERIODS * agent.heartbeat_ms * NSEC_PER_MSEC) {
		agent_lost("the controller was silent for %lu ms", silent / NSEC_PER_MSEC);
		return;
	}
	if (now >= agent.next_hb_ns)
		send_heartbeat(now);
	send_events();
	/* Console output after control: the streams leave room for it (AGENT_CONTROL_RESERVE). */
	if (agent_streams_tick(&agent.streams))
		agent_lost("no room to close a stream");
}
