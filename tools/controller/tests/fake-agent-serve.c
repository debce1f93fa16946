// SPDX-License-Identifier: GPL-2.0
/*
 * The test agent's "serve" mode: the agent side of contract2.md, so the
 * controller's operations, uploads and consoles can be tested without
 * Plinth. It keeps a session up, reconnecting with back-off when it drops,
 * and keeps across reconnects what Plinth keeps across them: a partition
 * table, the images it stored, its event log and its op cache (so an OP
 * sent again is answered with its first RESULT, not run twice).
 *
 * Options: --no-virt (CREATE and START fail as on a host without VT-x),
 * --corrupt-upload (a byte of every upload flips: the hash check fails),
 * --result-delay-ms N (RESULTs are held back, to cut the connection before
 * one goes), --op-log FILE (a line per operation actually run),
 * --bad-stream (the first session sends DATA on a channel never opened).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <plinth/mgmt/session.h>
#include "../ca.h"
#include "../mio.h"
#include "../util.h"
#include "fake-agent.h"

#define PARTS_MAX 8
#define STREAMS_MAX 8
#define UPLOAD_WINDOW (256u << 10)
#define KEYS_WINDOW 4096u
#define PENDING_MAX 16
#define BANNER "fake console ready\r\n"

struct fpart {
	char name[MGMT_NAME_MAX];
	uint32_t state, vcpus, from_config;
	uint64_t memory;
};

struct fstream {
	uint16_t ch;			/* 0: free */
	uint32_t kind;
	struct mgmt_credit in, out;	/* what the controller may send us, and we it */
	/* UPLOAD */
	FILE *f;
	char tmp[4200], sha[MGMT_SHA_MAX];
	uint64_t size, got;
	EVP_MD_CTX *h;
	bool flipped;
	/* CONSOLE */
	char part[MGMT_NAME_MAX];
};

struct pending {
	struct mgmt_result res;
	uint64_t due_ns;
	bool used;
};

static const struct fa_serve_opts *O;
static struct mio m;
static struct fpart parts[PARTS_MAX];
static unsigned int nparts;
static struct fstream streams[STREAMS_MAX];
static struct pending pend[PENDING_MAX];
static struct mgmt_opcache ops;
static struct mgmt_evlog evlog;
static volatile sig_atomic_t stop;
static bool bad_sent;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static struct fpart *part_find(const char *name)
{
	for (unsigned int i = 0; i < nparts; i++)
		if (!strcmp(parts[i].name, name))
			return &parts[i];
	return NULL;
}

static int send_state(void)
{
	struct mgmt_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->events_next = evlog.next_seq;
	s->count = nparts;
	for (unsigned int i = 0; i < nparts; i++) {
		snprintf(s->parts[i].name, sizeof(s->parts[i].name), "%s", parts[i].name);
		s->parts[i].state = parts[i].state;
		s->parts[i].vcpus = parts[i].vcpus;
		s->parts[i].memory = parts[i].memory;
		s->parts[i].from_config = parts[i].from_config;
	}
	rc = mio_send(&m, MGMT_STATE, s);
	free(s);
	return rc;
}

/* Records an event and sends it (it is sent again after a reconnect until acked). */
static int event(const char *part, uint32_t state, const char *text)
{
	uint64_t seq = mgmt_evlog_add(&evlog, part, state, text);

	return mio_send(&m, MGMT_EVENT, mgmt_evlog_after(&evlog, seq - 1));
}

static bool image_held(const char *sha)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/images/%s", O->dir, sha);
	return access(path, R_OK) == 0;
}

static void fail(struct mgmt_result *r, int status, uint32_t error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct mgmt_result *r, int status, uint32_t error, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->error = error;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

/* Runs an operation on the fake partition table: its result in *r; events and STATE sent. */
static int run_op(const struct mgmt_op *op, struct mgmt_result *r)
{
	struct fpart *p = part_find(op->partition);
	int rc = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->op_id, sizeof(r->op_id), "%s", op->op_id);
	if (O->op_log) {
		FILE *f = fopen(O->op_log, "a");

		if (f) {
			fprintf(f, "%s %u %s\n", op->op_id, op->kind, op->partition);
			fclose(f);
		}
	}
	if ((op->kind == MGMT_OP_CREATE || op->kind == MGMT_OP_START) && O->no_virt) {
		fail(r, -ENOTSUP, MGMT_ERR_NO_VIRT, "no hardware virtualization on this host");
		return 0;
	}
	switch (op->kind) {
	case MGMT_OP_CREATE:
		if (p) {
			fail(r, -EEXIST, MGMT_ERR_EXISTS, "partition %s exists", op->partition);
		} else if (!image_held(op->kernel_sha)) {
			fail(r, -ENOENT, MGMT_ERR_NOT_FOUND, "image %.16s... not on this host",
			     op->kernel_sha);
		} else if (op->initrd_sha[0] && !image_held(op->initrd_sha)) {
			fail(r, -ENOENT, MGMT_ERR_NOT_FOUND, "image %.16s... not on this host",
			     op->initrd_sha);
		} else if (nparts == PARTS_MAX) {
			fail(r, -ENOSPC, MGMT_ERR_CAPACITY, "%d partitions already", PARTS_MAX);
		} else {
			p = &parts[nparts++];
			memset(p, 0, sizeof(*p));
			snprintf(p->name, sizeof(p->name), "%s", op->partition);
			p->state = MGMT_PART_CREATED;
			p->vcpus = op->vcpus;
			p->memory = op->memory;
			rc = event(p->name, p->state, "created");
			rc = rc ?: send_state();
		}
		return rc;
	case MGMT_OP_DELETE:
		if (!p) {
			fail(r, -ENOENT, MGMT_ERR_NOT_FOUND, "no partition %s", op->partition);
		} else if (p->state == MGMT_PART_RUNNING) {
			fail(r, -EBUSY, MGMT_ERR_STATE, "partition %s is running", p->name);
		} else {
			*p = parts[--nparts];
			rc = send_state();
		}
		return rc;
	default:
		break;
	}
	if (!p) {
		fail(r, -ENOENT, MGMT_ERR_NOT_FOUND, "no partition %s", op->partition);
	} else if (op->kind == MGMT_OP_START) {
		if (p->state == MGMT_PART_RUNNING)
			fail(r, -EALREADY, MGMT_ERR_STATE, "partition %s is running", p->name);
		else
			p->state = MGMT_PART_RUNNING;
	} else if (p->state != MGMT_PART_RUNNING) {
		fail(r, -EINVAL, MGMT_ERR_STATE, "partition %s is not running", p->name);
	} else if (op->kind == MGMT_OP_STOP) {
		p->state = MGMT_PART_STOPPED;
	}
	if (!r->status)
		rc = event(p->name, p->state, op->kind == MGMT_OP_REBOOT ? "rebooted" :
			   p->state == MGMT_PART_RUNNING ? "started" : "stopped");
	return rc;
}

static void pend_result(const struct mgmt_result *r, unsigned int delay_ms)
{
	for (int i = 0; i < PENDING_MAX; i++) {
		if (!pend[i].used) {
			pend[i].used = true;
			pend[i].res = *r;
			pend[i].due_ns = now_mono_ns() + (uint64_t)delay_ms * 1000000u;
			return;
		}
	}
}

static int on_op(const struct mgmt_frame *f)
{
	const struct mgmt_result *prev;
	struct mgmt_result r;
	struct mgmt_op op;
	int seen, rc;

	if (mio_decode(&m, f, &op))
		return -EBADMSG;
	seen = mgmt_opcache_begin(&ops, op.op_id, &prev);
	printf("fake-agent: OP %s kind %u %s (%s)\n", op.op_id, op.kind, op.partition,
	       seen == MGMT_OP_NEW ? "new" : seen == MGMT_OP_DONE ? "done before" : "running");
	if (seen == MGMT_OP_DONE) {
		pend_result(prev, 0);
		return 0;
	}
	if (seen != MGMT_OP_NEW)
		return 0;
	rc = run_op(&op, &r);
	mgmt_opcache_finish(&ops, &r);
	pend_result(&r, O->result_delay_ms);
	return rc;
}

static struct fstream *stream_get(uint16_t ch)
{
	for (int i = 0; i < STREAMS_MAX; i++)
		if (streams[i].ch == ch)
			return &streams[i];
	return NULL;
}

static void stream_drop(struct fstream *s)
{
	if (s->f) {
		fclose(s->f);
		unlink(s->tmp);
	}
	EVP_MD_CTX_free(s->h);
	memset(s, 0, sizeof(*s));
}

static int close_chan(uint16_t ch, int32_t status, const char *text)
{
	struct mgmt_chan_close c = { .status = status };

	snprintf(c.text, sizeof(c.text), "%s", text);
	return mio_send_chan(&m, MGMT_CHAN_CLOSE, ch, &c);
}

static int credit(struct fstream *s, uint32_t bytes)
{
	struct mgmt_chan_credit c = { .bytes = bytes };

	mgmt_credit_grant(&s->in, bytes);
	return mio_send_chan(&m, MGMT_CHAN_CREDIT, s->ch, &c);
}

/* Console output within the controller's credit (what does not fit is dropped). */
static int console_out(struct fstream *s, const void *p, size_t n)
{
	if (n > mgmt_credit_avail(&s->out))
		n = mgmt_credit_avail(&s->out);
	if (!n)
		return 0;
	mgmt_credit_spend(&s->out, (uint32_t)n);
	return mio_send_data(&m, s->ch, p, n);
}

static int on_open(const struct mgmt_frame *f)
{
	struct fstream *s = stream_get(0);
	struct mgmt_chan_open o;
	char text[MGMT_TEXT_MAX];

	if (mio_decode(&m, f, &o))
		return -EBADMSG;
	if (stream_get(f->channel)) {
		snprintf(m.error, sizeof(m.error), "CHAN_OPEN on channel %u, already open",
			 f->channel);
		return -EPROTO;
	}
	if (o.kind == MGMT_STREAM_UPLOAD && image_held(o.sha256))
		return close_chan(f->channel, -EEXIST, "image already held");
	if (o.kind == MGMT_STREAM_CONSOLE && !part_find(o.partition)) {
		snprintf(text, sizeof(text), "no partition %s", o.partition);
		return close_chan(f->channel, -ENOENT, text);
	}
	if (!s)
		return close_chan(f->channel, -EMFILE, "too many streams");
	memset(s, 0, sizeof(*s));
	s->ch = f->channel;
	s->kind = o.kind;
	mgmt_credit_grant(&s->out, o.credit);
	if (o.kind == MGMT_STREAM_CONSOLE) {
		printf("fake-agent: console %s open on channel %u\n", o.partition, s->ch);
		snprintf(s->part, sizeof(s->part), "%s", o.partition);
		return credit(s, KEYS_WINDOW) ?: console_out(s, BANNER, strlen(BANNER));
	}
	if (o.kind != MGMT_STREAM_UPLOAD) {
		memset(s, 0, sizeof(*s));
		return close_chan(f->channel, -EINVAL, "unknown stream kind");
	}
	snprintf(s->sha, sizeof(s->sha), "%s", o.sha256);
	s->size = o.size;
	snprintf(s->tmp, sizeof(s->tmp), "%s/images/.part-%u", O->dir, s->ch);
	s->f = fopen(s->tmp, "w");
	s->h = EVP_MD_CTX_new();
	if (!s->f || !s->h || !EVP_DigestInit_ex(s->h, EVP_sha256(), NULL)) {
		stream_drop(s);
		return close_chan(f->channel, -EIO, "cannot store the image");
	}
	printf("fake-agent: upload of %.16s... (%llu bytes) on channel %u\n", s->sha,
	       (unsigned long long)s->size, s->ch);
	return credit(s, UPLOAD_WINDOW);
}

static int upload_end(struct fstream *s)
{
	unsigned char md[32];
	char got[SHA256_HEX_LEN], path[4200], text[MGMT_TEXT_MAX];
	uint16_t ch = s->ch;

	EVP_DigestFinal_ex(s->h, md, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(got + 2 * i, 3, "%02x", md[i]);
	fclose(s->f);
	s->f = NULL;
	if (s->got != s->size || strcmp(got, s->sha)) {
		snprintf(text, sizeof(text), "hash mismatch: got %.16s..., want %.16s...", got,
			 s->sha);
		unlink(s->tmp);
		printf("fake-agent: upload on channel %u: %s\n", ch, text);
		stream_drop(s);
		return close_chan(ch, -EBADMSG, text);
	}
	snprintf(path, sizeof(path), "%s/images/%s", O->dir, s->sha);
	rename(s->tmp, path);
	printf("fake-agent: stored image %.16s...\n", s->sha);
	stream_drop(s);
	return close_chan(ch, 0, "");
}

static int on_stream(const struct mgmt_frame *f)
{
	struct fstream *s;
	struct mgmt_chan_credit cr;
	uint32_t more;

	if (f->type == MGMT_CHAN_OPEN)
		return on_open(f);
	s = stream_get(f->channel);
	if (!s) {
		/* Our CLOSE crossed the controller's: nothing left to do on it. */
		if (f->type == MGMT_CHAN_CLOSE)
			return 0;
		snprintf(m.error, sizeof(m.error), "%s on channel %u, which is not open",
			 mgmt_type_name(f->type), f->channel);
		return -EPROTO;
	}
	switch (f->type) {
	case MGMT_CHAN_CREDIT:
		if (mio_decode(&m, f, &cr))
			return -EBADMSG;
		return mgmt_credit_grant(&s->out, cr.bytes) ? -EPROTO : 0;
	case MGMT_CHAN_CLOSE:
		if (s->kind == MGMT_STREAM_UPLOAD)
			return upload_end(s);
		printf("fake-agent: console %s closed by the controller\n", s->part);
		stream_drop(s);
		return close_chan(f->channel, 0, "");
	case MGMT_DATA:
		if (mgmt_credit_spend(&s->in, f->len)) {
			snprintf(m.error, sizeof(m.error), "DATA past the credit on channel %u",
				 f->channel);
			return -EPROTO;
		}
		if (s->kind == MGMT_STREAM_UPLOAD) {
			uint8_t *p = (uint8_t *)f->payload;

			if (O->corrupt_upload && !s->flipped && f->len) {
				p[0] ^= 0x01;
				s->flipped = true;
			}
			EVP_DigestUpdate(s->h, p, f->len);
			fwrite(p, 1, f->len, s->f);
			s->got += f->len;
			more = mgmt_credit_topup(&s->in, UPLOAD_WINDOW);
		} else {
			char line[MGMT_PAYLOAD_MAX / 4];
			int n = snprintf(line, sizeof(line), "echo: %.*s", (int)f->len,
					 (const char *)f->payload);
			int rc = console_out(s, line, (size_t)n < sizeof(line) ? (size_t)n :
					     sizeof(line) - 1);

			if (rc)
				return rc;
			more = mgmt_credit_topup(&s->in, KEYS_WINDOW);
		}
		return more ? credit(s, more) : 0;
	default:
		snprintf(m.error, sizeof(m.error), "%s on a stream", mgmt_type_name(f->type));
		return -EPROTO;
	}
}

static int on_frame(const struct mgmt_frame *f, uint64_t *my_seq, uint64_t my_sent)
{
	struct mgmt_heartbeat hb;
	struct mgmt_event_ack ack;
	struct mgmt_goodbye bye;

	if (f->channel)
		return on_stream(f);
	switch (f->type) {
	case MGMT_OP:
		return on_op(f);
	case MGMT_EVENT_ACK:
		if (mio_decode(&m, f, &ack))
			return -EBADMSG;
		mgmt_evlog_ack(&evlog, ack.seq);
		return 0;
	case MGMT_HEARTBEAT:
		if (mio_decode(&m, f, &hb))
			return -EBADMSG;
		if (hb.reply)
			return 0;
		hb.reply = 1;
		return mio_send(&m, MGMT_HEARTBEAT, &hb);
	case MGMT_GOODBYE:
		if (!mio_decode(&m, f, &bye))
			snprintf(m.error, sizeof(m.error), "goodbye: %.170s", bye.text);
		return -EPIPE;
	default:
		(void)my_seq;
		(void)my_sent;
		snprintf(m.error, sizeof(m.error), "unexpected %s", mgmt_type_name(f->type));
		return -EPROTO;
	}
}

/* One session, until it breaks or we are told to stop: 0 stopped, <0 lost. */
static int session(EVP_PKEY *key, X509 *cert)
{
	struct mgmt_hello hello = { .proto = MGMT_PROTO_VERSION, .version = "fake-agent serve",
				    .cpus = 4, .cpus_free = 4, .memory = 8ull << 30,
				    .memory_free = 8ull << 30, .nics = 1 };
	uint64_t hb_ns, next_hb, my_seq = 0;
	const struct mgmt_event *ev;
	struct mgmt_welcome w;
	struct mgmt_frame f;
	SSL *ssl = NULL;
	int fd = -1, rc;

	if (fa_connect(O->server, O->pin, key, cert, &ssl, &fd) || mio_init(&m, ssl, fd)) {
		if (ssl)
			fa_close(ssl, fd);
		snprintf(m.error, sizeof(m.error), "cannot connect");
		return -EIO;
	}
	snprintf(hello.host_id, sizeof(hello.host_id), "%s", O->host);
	snprintf(hello.boot_id, sizeof(hello.boot_id), "%s", O->boot);
	rc = mio_send(&m, MGMT_HELLO, &hello);
	if (!rc && (rc = mio_recv(&m, &f, 5000)) == 1)
		rc = f.type == MGMT_WELCOME && !mio_decode(&m, &f, &w) ? 0 : -EPROTO;
	else if (!rc)
		rc = -ETIMEDOUT;
	if (rc)
		goto out;
	printf("fake-agent: session up (events acked %llu)\n", (unsigned long long)w.events_acked);
	mgmt_evlog_ack(&evlog, w.events_acked < evlog.next_seq ? w.events_acked : 0);
	rc = send_state();
	for (uint64_t after = w.events_acked; !rc && (ev = mgmt_evlog_after(&evlog, after));
	     after = ev->seq)
		rc = mio_send(&m, MGMT_EVENT, ev);
	if (!rc && O->bad_stream && !bad_sent) {
		bad_sent = true;
		rc = mio_send_data(&m, 9, "x", 1);
	}
	hb_ns = (uint64_t)w.heartbeat_ms * 1000000u;
	next_hb = now_mono_ns() + hb_ns;
	while (!rc && !stop) {
		uint64_t now = now_mono_ns();

		if (now >= next_hb) {
			struct mgmt_heartbeat hb = { .seq = ++my_seq, .sent_ns = now };

			rc = mio_send(&m, MGMT_HEARTBEAT, &hb);
			next_hb = now + hb_ns;
		}
		for (int i = 0; !rc && i < PENDING_MAX; i++) {
			if (pend[i].used && now >= pend[i].due_ns) {
				printf("fake-agent: RESULT %s status %d\n", pend[i].res.op_id,
				       pend[i].res.status);
				rc = mio_send(&m, MGMT_RESULT, &pend[i].res);
				pend[i].used = false;
			}
		}
		if (rc)
			break;
		rc = mio_recv(&m, &f, 20);
		if (rc == 1)
			rc = on_frame(&f, &my_seq, 0);
		else if (rc == 0)
			continue;
		if (rc == -EPROTO || rc == -EBADMSG) {
			struct mgmt_goodbye bye = { .reason = MGMT_BYE_PROTOCOL };

			printf("fake-agent: protocol error: %s\n", m.error);
			snprintf(bye.text, sizeof(bye.text), "%s", m.error);
			mio_send(&m, MGMT_GOODBYE, &bye);
		}
	}
	if (stop && !rc) {
		struct mgmt_goodbye bye = { .reason = MGMT_BYE_SHUTDOWN, .text = "stopping" };

		mio_send(&m, MGMT_GOODBYE, &bye);
	}
out:
	/* Streams do not outlive their connection; pending RESULTs wait in the op cache. */
	for (int i = 0; i < STREAMS_MAX; i++)
		if (streams[i].ch)
			stream_drop(&streams[i]);
	memset(pend, 0, sizeof(pend));
	fa_close(ssl, fd);
	mio_free(&m);
	return stop && !rc ? 0 : -EIO;
}

int fa_serve(const struct fa_serve_opts *o)
{
	struct mgmt_backoff b;
	char path[4200];
	EVP_PKEY *key = fa_key(o->dir);
	X509 *cert;
	uint64_t end = now_mono_ns() + (uint64_t)o->run_ms * 1000000u;

	O = o;
	snprintf(path, sizeof(path), "%s/cert.pem", o->dir);
	cert = pem_load_cert(path);
	if (!key || !cert) {
		printf("fake-agent: %s: no certificate (enrol first)\n", path);
		return FA_FAIL;
	}
	snprintf(path, sizeof(path), "%s/images", o->dir);
	mkdir(path, 0700);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	mgmt_opcache_init(&ops);
	mgmt_evlog_init(&evlog);
	mgmt_backoff_init(&b, 200, 1000);
	/* A partition from plinth.cfg, there from boot. */
	snprintf(parts[0].name, sizeof(parts[0].name), "cfg");
	parts[0].state = MGMT_PART_STOPPED;
	parts[0].vcpus = 1;
	parts[0].memory = 64ull << 20;
	parts[0].from_config = 1;
	nparts = 1;
	while (!stop && now_mono_ns() < end) {
		if (!session(key, cert))
			break;
		if (stop)
			break;
		uint32_t d = mgmt_backoff_next(&b, (uint32_t)rand());

		printf("fake-agent: connection lost (%s); reconnecting in %u ms\n", m.error, d);
		usleep(d * 1000u);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return FA_OK;
}
