// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the management protocol's receive path as the agent
 * and the controller run it on bytes from the network. The input is the
 * stream, fed in chunks whose sizes come from its first byte; every frame
 * is checked, and every control message the codec accepts must encode
 * again and decode to the same structure (a codec that accepts what it
 * would not write, or writes what it would not accept, aborts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/mgmt/msg.h>
#include <plinth/mgmt/wire.h>

static uint8_t rxbuf[MGMT_PAYLOAD_MAX];
static uint8_t again[MGMT_PAYLOAD_MAX];
/* Room for every message; handle() checks, so a message added later cannot overrun it. */
static union {
	struct mgmt_hello hello;
	struct mgmt_welcome welcome;
	struct mgmt_heartbeat hb;
	struct mgmt_op op;
	struct mgmt_progress progress;
	struct mgmt_result res;
	struct mgmt_event ev;
	struct mgmt_event_ack ack;
	struct mgmt_state st;
	struct mgmt_chan_open co;
	struct mgmt_chan_credit cc;
	struct mgmt_chan_close cl;
	struct mgmt_goodbye bye;
	struct mgmt_enrol enrol;
	struct mgmt_enrolled enrolled;
} m1, m2;

static void handle(const struct mgmt_frame *f)
{
	char err[160];
	long n;

	if (mgmt_frame_check(f, err, sizeof(err)) || f->type == MGMT_DATA)
		return;
	if (mgmt_msg_size(f->type) > sizeof(m1))
		abort();	/* the harness's union lacks a message */
	/* The decoder clears its own structure only: compare whole unions from a clean start. */
	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	if (mgmt_decode(f->type, f->payload, f->len, &m1, err, sizeof(err)))
		return;
	n = mgmt_encode(f->type, &m1, again, sizeof(again));
	if (n < 0 || mgmt_decode(f->type, again, (size_t)n, &m2, err, sizeof(err)) ||
	    memcmp(&m1, &m2, sizeof(m1)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgmt_rx rx;
	size_t chunk;

	if (!size)
		return 0;
	chunk = 1 + data[0] % 64;
	data++;
	size--;
	mgmt_rx_init(&rx, rxbuf);
	while (size) {
		size_t n = chunk < size ? chunk : size;
		struct mgmt_frame f;
		bool done;
		long used = mgmt_rx_feed(&rx, data, n, &f, &done);

		if (used < 0)
			return 0;
		if ((size_t)used > n)
			abort();
		if (done)
			handle(&f);
		data += used;
		size -= (size_t)used;
	}
	return 0;
}
