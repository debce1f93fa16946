/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streams on channels 1..65535 (agent_core.h): the controller opens one
 * with CHAN_OPEN on a channel it picks; what is done with it depends on
 * its kind, through the table below. A kind the table lacks is refused
 * with CHAN_CLOSE{-EPROTONOSUPPORT}.
 *
 * Both directions are flow-controlled by credits (mgmt_credit): this end
 * sends DATA only within what the controller granted (CHAN_OPEN's credit,
 * then its CHAN_CREDITs), and a controller DATA past what this end granted
 * breaks the protocol. Either side may close a stream with CHAN_CLOSE.
 * This end's close ends it at once, unanswered; frames the controller sent
 * before it saw that close are dropped (the channel lingers in a short
 * list), not taken as protocol errors. The controller's close is answered
 * with one CHAN_CLOSE, which for an upload carries its verdict.
 *
 * CONSOLE: a partition's console. Its history (what its console ring still
 * holds) and then its new output go out as DATA; bytes the ring overwrote
 * before they were sent become a "[... N bytes lost]" marker in the
 * stream. DATA from the controller is keystrokes, handed to the partition
 * as it takes them; the keystroke credit is topped up only as it does, so
 * a guest that does not read its UART slows the typist, not the agent.
 * A partition that stops keeps its stream: its last output is sent, and
 * the controller closes it.
 *
 * UPLOAD: an image into the image store (plinth/image_store.h), named by
 * its SHA-256 and size in CHAN_OPEN. One already held is answered with
 * CHAN_CLOSE{-EEXIST} at once (nothing to send); otherwise the credit
 * (AGENT_UPLOAD_WINDOW, topped up as bytes are stored) starts the bytes.
 * The controller's CHAN_CLOSE{0} after the last byte is answered with the
 * store's verdict: 0 once the hash matched and the image is published.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include "agent_core.h"

/* "[... 18446744073709551615 bytes lost]" */
#define LOST_MARKER_MAX 40

struct stream_kind {
	/* Answers the CHAN_OPEN: 0 open, 1 refused (it sent the CHAN_CLOSE), or -ENOBUFS. */
	int (*open)(struct agent_streams *t, struct agent_stream *s,
		    const struct mgmt_chan_open *o);
	/* DATA from the controller, within its credit (NULL: the kind takes none). */
	int (*data)(struct agent_streams *t, struct agent_stream *s, const uint8_t *p, size_t len);
	/* Sends what there is within the credit: 0, or -ENOBUFS. */
	int (*tick)(struct agent_streams *t, struct agent_stream *s);
	/*
	 * The controller closed the stream with status: the answer's status and
	 * text (NULL: 0, "closed"). The slot is freed after.
	 */
	int32_t (*closed)(struct agent_streams *t, struct agent_stream *s, int32_t status,
			  char *text, size_t textlen);
};

static const char *const kind_names[MGMT_STREAM_KIND_COUNT] = {
	[MGMT_STREAM_CONSOLE] = "console",
	[MGMT_STREAM_UPLOAD] = "upload",
};

static const struct stream_kind *kind_of(uint32_t kind);

static int fail(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static const char *kind_name(uint32_t kind)
{
	return kind < MGMT_STREAM_KIND_COUNT && kind_names[kind] ? kind_names[kind] : "unknown";
}

void agent_streams_reset(struct agent_streams *t, const struct agent_backend *b,
			 const struct agent_io *io, struct image_store *images)
{
	for (unsigned int i = 0; i < AGENT_STREAMS_MAX; i++)
		if (t->s[i].channel && t->s[i].kind == MGMT_STREAM_UPLOAD)
			image_upload_abort(&t->s[i].up);
	memset(t, 0, sizeof(*t));
	t->backend = b;
	t->io = io;
	t->images = images;
}

unsigned int agent_streams_open(const struct agent_streams *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < AGENT_STREAMS_MAX; i++)
		n += t->s[i].channel != 0;
	return n;
}

static struct agent_stream *find(struct agent_streams *t, uint16_t channel)
{
	for (unsigned int i = 0; i < AGENT_STREAMS_MAX; i++)
		if (t->s[i].channel == channel)
			return &t->s[i];
	return NULL;
}

static int linger_index(const struct agent_streams *t, uint16_t channel)
{
	for (unsigned int i = 0; i < AGENT_LINGER_MAX; i++)
		if (t->linger[i] == channel)
			return (int)i;
	return -1;
}

static void unlinger(struct agent_streams *t, uint16_t channel)
{
	int i = linger_index(t, channel);

	if (i >= 0)
		t->linger[i] = 0;
}

/* This end closes channel (open or being refused): CHAN_CLOSE, and late frames are dropped. */
static int close_channel(struct agent_streams *t, uint16_t channel, int32_t status,
			 const char *fmt, ...) __printf(4, 5);

static int close_channel(struct agent_streams *t, uint16_t channel, int32_t status,
			 const char *fmt, ...)
{
	struct mgmt_chan_close c;
	struct agent_stream *s = find(t, channel);
	va_list ap;

	memset(&c, 0, sizeof(c));
	c.status = status;
	va_start(ap, fmt);
	vsnprintf(c.text, sizeof(c.text), fmt, ap);
	va_end(ap);
	if (s)
		memset(s, 0, sizeof(*s));
	t->linger[t->linger_next] = channel;
	t->linger_next = (t->linger_next + 1) % AGENT_LINGER_MAX;
	pr_info("agent: stream on channel %u closed (%d): %s\n", channel, status, c.text);
	return t->io->send(channel, MGMT_CHAN_CLOSE, &c);
}

static int chan_open(struct agent_streams *t, const struct mgmt_frame *f, char *err,
		     size_t errlen)
{
	struct mgmt_chan_open o;
	const struct stream_kind *k;
	struct agent_stream *s;
	int ret;

	if (mgmt_decode(MGMT_CHAN_OPEN, f->payload, f->len, &o, err, errlen))
		return -EPROTO;
	if (find(t, f->channel))
		return fail(err, errlen, "CHAN_OPEN on channel %u, which is open", f->channel);
	/* The controller may open a channel again once it saw it closed. */
	unlinger(t, f->channel);
	k = kind_of(o.kind);
	if (!k)
		return close_channel(t, f->channel, -EPROTONOSUPPORT,
				     "stream kind %s not supported", kind_name(o.kind));
	s = find(t, 0);
	if (!s)
		return close_channel(t, f->channel, -EMFILE, "too many streams (%u open)",
				     AGENT_STREAMS_MAX);
	memset(s, 0, sizeof(*s));
	if (mgmt_credit_grant(&s->tx, o.credit))
		return fail(err, errlen, "CHAN_OPEN's credit of %u bytes is more than %u", o.credit,
			    MGMT_CREDIT_MAX);
	s->channel = f->channel;
	s->kind = o.kind;
	ret = k->open(t, s, &o);
	return ret < 0 ? ret : 0;
}

static int chan_credit(struct agent_stream *s, const struct mgmt_frame *f, char *err,
		       size_t errlen)
{
	struct mgmt_chan_credit c;

	if (mgmt_decode(MGMT_CHAN_CREDIT, f->payload, f->len, &c, err, errlen))
		return -EPROTO;
	if (mgmt_credit_grant(&s->tx, c.bytes))
		return fail(err, errlen, "CHAN_CREDIT of %u bytes on channel %u: more than %u "
			    "outstanding", c.bytes, f->channel, MGMT_CREDIT_MAX);
	return 0;
}

static int data(struct agent_streams *t, struct agent_stream *s, const struct mgmt_frame *f,
		char *err, size_t errlen)
{
	const struct stream_kind *k = kind_of(s->kind);

	if (!k->data)
		return fail(err, errlen, "DATA on channel %u: a %s stream takes none", f->channel,
			    kind_name(s->kind));
	if (mgmt_credit_spend(&s->rx, f->len))
		return fail(err, errlen, "DATA of %u bytes on channel %u past its credit (%u left)",
			    f->len, f->channel, mgmt_credit_avail(&s->rx));
	return k->data(t, s, f->payload, f->len);
}

static int chan_close(struct agent_streams *t, struct agent_stream *s,
		      const struct mgmt_frame *f, char *err, size_t errlen)
{
	const struct stream_kind *k = kind_of(s->kind);
	struct mgmt_chan_close c, answer;

	if (mgmt_decode(MGMT_CHAN_CLOSE, f->payload, f->len, &c, err, errlen))
		return -EPROTO;
	pr_info("agent: %s stream on channel %u closed by the controller (%d)%s%s\n",
		kind_name(s->kind), f->channel, c.status, c.text[0] ? ": " : "", c.text);
	memset(&answer, 0, sizeof(answer));
	strlcpy(answer.text, "closed", sizeof(answer.text));
	if (k->closed)
		answer.status = k->closed(t, s, c.status, answer.text, sizeof(answer.text));
	memset(s, 0, sizeof(*s));
	return t->io->send(f->channel, MGMT_CHAN_CLOSE, &answer);
}

int agent_streams_frame(struct agent_streams *t, const struct mgmt_frame *f, char *err,
			size_t errlen)
{
	struct agent_stream *s;

	if (f->channel == MGMT_CHANNEL_CONTROL)
		return fail(err, errlen, "%s on the control channel", mgmt_type_name(f->type));
	if (f->type == MGMT_CHAN_OPEN)
		return chan_open(t, f, err, errlen);
	s = find(t, f->channel);
	if (!s) {
		int i = linger_index(t, f->channel);

		if (i < 0)
			return fail(err, errlen, "%s on channel %u, which is not open",
				    mgmt_type_name(f->type), f->channel);
		/* Sent before the controller saw this end's close; its own close ends that. */
		if (f->type == MGMT_CHAN_CLOSE)
			t->linger[i] = 0;
		return 0;
	}
	switch (f->type) {
	case MGMT_CHAN_CREDIT:
		return chan_credit(s, f, err, errlen);
	case MGMT_DATA:
		return data(t, s, f, err, errlen);
	case MGMT_CHAN_CLOSE:
		return chan_close(t, s, f, err, errlen);
	default:
		return fail(err, errlen, "%s on channel %u", mgmt_type_name(f->type), f->channel);
	}
}

int agent_streams_tick(struct agent_streams *t)
{
	unsigned int first = t->next_tick;

	t->next_tick = (t->next_tick + 1) % AGENT_STREAMS_MAX;
	for (unsigned int n = 0; n < AGENT_STREAMS_MAX; n++) {
		struct agent_stream *s = &t->s[(first + n) % AGENT_STREAMS_MAX];
		int ret;

		if (!s->channel)
			continue;
		ret = kind_of(s->kind)->tick(t, s);
		if (ret)
			return ret;
	}
	return 0;
}

/* CONSOLE */

static int console_open(struct agent_streams *t, struct agent_stream *s,
			const struct mgmt_chan_open *o)
{
	const struct agent_backend *b = t->backend;
	struct mgmt_chan_credit c = { .bytes = AGENT_KEYS_WINDOW };
	uint64_t off = 0;

	if (!o->partition[0])
		return close_channel(t, s->channel, -EINVAL, "no partition named") ?: 1;
	if (!b || !b->console_read)
		return close_channel(t, s->channel, -ENOTSUP,
				     "consoles are not supported by this host") ?: 1;
	if (b->console_read(o->partition, &off, NULL, 0, NULL) < 0)
		return close_channel(t, s->channel, -ENOENT, "no partition %s", o->partition) ?: 1;
	strlcpy(s->partition, o->partition, sizeof(s->partition));
	mgmt_credit_grant(&s->rx, AGENT_KEYS_WINDOW);
	pr_info("agent: console of '%s' open on channel %u (credit %u bytes)\n", s->partition,
		s->channel, mgmt_credit_avail(&s->tx));
	return t->io->send(s->channel, MGMT_CHAN_CREDIT, &c);
}

/* Hands waiting keystrokes to the partition, and grants the controller what it took. */
static int console_keys(struct agent_streams *t, struct agent_stream *s)
{
	const struct agent_backend *b = t->backend;
	struct mgmt_chan_credit c;
	long took = (long)s->in_len;

	if (s->in_len && b->console_input)
		took = b->console_input(s->partition, s->in, s->in_len);
	/* Without a partition or a way in, keystrokes have nowhere to go: dropped. */
	if (took < 0 || (size_t)took > s->in_len)
		took = (long)s->in_len;
	memmove(s->in, s->in + took, s->in_len - (size_t)took);
	s->in_len -= (size_t)took;
	c.bytes = mgmt_credit_topup(&s->rx, AGENT_KEYS_WINDOW - (uint32_t)s->in_len);
	if (!c.bytes)
		return 0;
	if (t->io->send(s->channel, MGMT_CHAN_CREDIT, &c))
		return -ENOBUFS;
	mgmt_credit_grant(&s->rx, c.bytes);
	return 0;
}

static int console_data(struct agent_streams *t, struct agent_stream *s, const uint8_t *p,
			size_t len)
{
	/* The credit granted never exceeds the room left: AGENT_KEYS_WINDOW - in_len. */
	if (len > sizeof(s->in) - s->in_len)
		len = sizeof(s->in) - s->in_len;
	memcpy(s->in + s->in_len, p, len);
	s->in_len += len;
	return console_keys(t, s);
}

/*
 * One DATA frame of console output, at most chunk bytes: its length, 0
 * when there is nothing (or too little credit for a lost-bytes marker),
 * -ENOENT when the partition is gone.
 */
static long console_fill(struct agent_streams *t, struct agent_stream *s, uint8_t *out,
			 size_t chunk)
{
	uint64_t lost = 0;
	char marker[LOST_MARKER_MAX];
	long n = t->backend->console_read(s->partition, &s->off, out, chunk, &lost);
	size_t mlen, keep;

	if (n < 0)
		return n;
	if (!lost)
		return n;
	mlen = (size_t)snprintf(marker, sizeof(marker), "[... %lu bytes lost]", lost);
	if (mlen > chunk) {
		/* Read again once the credit allows the marker; the gap is found again then. */
		s->off -= (uint64_t)n + lost;
		return 0;
	}
	/* What does not fit after the marker is read again next time. */
	keep = MIN((size_t)n, chunk - mlen);
	s->off -= (uint64_t)n - keep;
	memmove(out + mlen, out, keep);
	memcpy(out, marker, mlen);
	return (long)(mlen + keep);
}

static int console_tick(struct agent_streams *t, struct agent_stream *s)
{
	static uint8_t out[AGENT_DATA_CHUNK];
	int ret = s->in_len ? console_keys(t, s) : 0;

	while (!ret) {
		size_t room = t->io->room(), chunk = MIN(mgmt_credit_avail(&s->tx), sizeof(out));
		long n;

		if (room < MGMT_HDR_SIZE + AGENT_CONTROL_RESERVE + 1)
			break;
		chunk = MIN(chunk, room - MGMT_HDR_SIZE - AGENT_CONTROL_RESERVE);
		if (!chunk)
			break;
		n = console_fill(t, s, out, chunk);
		if (n == -ENOENT)
			return close_channel(t, s->channel, -ENOENT, "partition %s is gone",
					     s->partition);
		if (n <= 0)
			break;
		ret = t->io->send_data(s->channel, out, (size_t)n);
		if (!ret)
			mgmt_credit_spend(&s->tx, (uint32_t)n);
	}
	return ret;
}

/* UPLOAD */

static int upload_open(struct agent_streams *t, struct agent_stream *s,
		       const struct mgmt_chan_open *o)
{
	struct mgmt_chan_credit c = { .bytes = AGENT_UPLOAD_WINDOW };
	char why[IMAGE_REASON_MAX];
	int ret;

	if (!t->images)
		return close_channel(t, s->channel, -ENOTSUP,
				     "this host keeps no images") ?: 1;
	why[0] = '\0';
	ret = image_upload_begin(t->images, o->sha256, o->size, &s->up, why, sizeof(why));
	if (ret == -EEXIST)
		return close_channel(t, s->channel, -EEXIST, "image already held") ?: 1;
	if (ret)
		return close_channel(t, s->channel, ret, "%s", why[0] ? why : strerror(ret)) ?: 1;
	mgmt_credit_grant(&s->rx, AGENT_UPLOAD_WINDOW);
	pr_info("agent: upload of image %.16s... (%lu bytes) on channel %u\n", o->sha256, o->size,
		s->channel);
	return t->io->send(s->channel, MGMT_CHAN_CREDIT, &c);
}

static int upload_data(struct agent_streams *t, struct agent_stream *s, const uint8_t *p,
		       size_t len)
{
	struct mgmt_chan_credit c;
	uint16_t channel = s->channel;
	int ret = image_upload_write(&s->up, p, len);

	if (ret) {
		image_upload_abort(&s->up);
		return close_channel(t, channel, ret, "image upload: %s past the declared size",
				     strerror(ret));
	}
	/* Stored: the window opens again, a grant per half window. */
	c.bytes = mgmt_credit_topup(&s->rx, AGENT_UPLOAD_WINDOW);
	if (!c.bytes)
		return 0;
	if (t->io->send(channel, MGMT_CHAN_CREDIT, &c))
		return -ENOBUFS;
	mgmt_credit_grant(&s->rx, c.bytes);
	return 0;
}

static int upload_tick(struct agent_streams *t, struct agent_stream *s)
{
	(void)t;
	(void)s;
	return 0;	/* nothing goes out but credits, sent as bytes are stored */
}

static int32_t upload_closed(struct agent_streams *t, struct agent_stream *s, int32_t status,
			     char *text, size_t textlen)
{
	int ret;

	(void)t;
	if (status) {
		image_upload_abort(&s->up);
		snprintf(text, textlen, "upload dropped");
		return status;
	}
	ret = image_upload_commit(&s->up, text, textlen);
	if (!ret)
		snprintf(text, textlen, "image stored and verified");
	pr_info("agent: upload on channel %u: %s\n", s->channel, text);
	return ret;
}

static const struct stream_kind kinds[MGMT_STREAM_KIND_COUNT] = {
	[MGMT_STREAM_CONSOLE] = {
		.open = console_open,
		.data = console_data,
		.tick = console_tick,
	},
	[MGMT_STREAM_UPLOAD] = {
		.open = upload_open,
		.data = upload_data,
		.tick = upload_tick,
		.closed = upload_closed,
	},
};

static const struct stream_kind *kind_of(uint32_t kind)
{
	return kind < MGMT_STREAM_KIND_COUNT && kinds[kind].open ? &kinds[kind] : NULL;
}
