// SPDX-License-Identifier: GPL-2.0
/*
 * A hosted stand-in for Plinth's agent, for the controller's scenario
 * tests (tests/controller/run.sh): it speaks the contract with the shared
 * codec over OpenSSL, and in its abuse modes breaks it on purpose.
 *
 *   fake-agent MODE --server IP:PORT --pin HEX --host-id ID --state DIR [options]
 *   enrol --token T       ENROL with a CSR (CN = host id); keeps DIR/cert.pem
 *   session [--boot-id B] [--replay] [--hold-ms N] [--hello-host-id OTHER]
 *                         HELLO, STATE (2 partitions), 3 EVENTs after WELCOME's
 *                         events_acked (--replay: all of them again), heartbeats (for
 *                         N ms more with --hold-ms), GOODBYE
 *   silent                HELLO, then nothing: the controller must drop it
 *   oversized-frame | malformed | forged-cert | wrong-pin
 *   serve [--no-virt] [--corrupt-upload] [--result-delay-ms N] [--op-log FILE]
 *         [--bad-stream] [--run-ms N]
 *                         the agent side of contract2 (fake-agent-serve.c), reconnecting,
 *                         until SIGTERM or N ms (default 120000)
 *
 * Exit codes: fake-agent.h's FA_*.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <plinth/mgmt/session.h>
#include "../ca.h"
#include "../mio.h"
#include "fake-agent.h"

struct opts {
	const char *mode, *server, *pin, *host, *dir, *token, *boot;
	const char *hello_id;	/* HELLO's host id when not --host-id: an identity test */
	bool replay;
	unsigned int hold_ms;	/* stay up this long after the exchange is done */
};

static struct mio m;

/* A frame other than the one wanted: GOODBYE is a refusal, anything else a failure. */
static int unexpected(const struct mgmt_frame *f, const char *wanted)
{
	struct mgmt_goodbye bye;

	if (f->type == MGMT_GOODBYE && !mio_decode(&m, f, &bye)) {
		printf("fake-agent: refused by the controller: %s (reason %u)\n", bye.text,
		       bye.reason);
		return FA_REFUSED;
	}
	printf("fake-agent: expected %s, got %s\n", wanted, mgmt_type_name(f->type));
	return FA_FAIL;
}

/* The next frame within ms, or an exit code after printing why there is none. */
static int recv_frame(struct mgmt_frame *f, int ms)
{
	int r = mio_recv(&m, f, ms);

	if (r == 1)
		return -1;
	printf("fake-agent: %s\n", r == 0 ? "no answer from the controller" : m.error);
	return FA_FAIL;
}

/*
 * Sends a message; when that fails the controller may have said GOODBYE and
 * closed just before: what it said is read and reported. 0, or an exit code.
 */
static int send_msg(enum mgmt_type type, const void *msg)
{
	struct mgmt_frame f;

	if (!mio_send(&m, type, msg))
		return 0;
	while (mio_recv(&m, &f, 500) == 1)
		if (f.type == MGMT_GOODBYE)
			return unexpected(&f, "no GOODBYE");
	printf("fake-agent: sending %s failed (%s)\n", mgmt_type_name(type), m.error);
	return FA_FAIL;
}

static int open_conn(const struct opts *o, EVP_PKEY *key, X509 *cert, SSL **ssl, int *fd)
{
	int rc = fa_connect(o->server, o->pin, key, cert, ssl, fd);

	if (rc == FA_OK && mio_init(&m, *ssl, *fd))
		rc = FA_FAIL;
	return rc;
}

static int do_enrol(const struct opts *o)
{
	struct mgmt_enrol *e = calloc(1, sizeof(*e));
	struct mgmt_enrolled *out = calloc(1, sizeof(*out));
	EVP_PKEY *key = fa_key(o->dir);
	struct mgmt_frame f;
	char path[4096];
	SSL *ssl = NULL;
	int fd = -1, n, rc;

	if (!e || !out || !key)
		return FA_FAIL;
	rc = open_conn(o, NULL, NULL, &ssl, &fd);
	if (rc)
		return rc;
	snprintf(e->token, sizeof(e->token), "%s", o->token ? o->token : "");
	n = fa_csr(key, o->host, e->csr, sizeof(e->csr));
	e->csr_len = (uint32_t)(n > 0 ? n : 0);
	rc = FA_FAIL;
	if (n > 0 && !mio_send(&m, MGMT_ENROL, e) && (rc = recv_frame(&f, 5000)) < 0) {
		rc = f.type == MGMT_ENROLLED ? FA_OK : unexpected(&f, "ENROLLED");
		if (rc == FA_OK && mio_decode(&m, &f, out))
			rc = FA_FAIL;
	}
	if (rc == FA_OK) {
		const unsigned char *p = out->cert;
		X509 *cert = d2i_X509(NULL, &p, out->cert_len);

		snprintf(path, sizeof(path), "%s/cert.pem", o->dir);
		rc = cert && !pem_save_cert(path, cert) ? FA_OK : FA_FAIL;
		X509_free(cert);
		if (rc == FA_OK)
			printf("fake-agent: enrolled as %s\n", out->host_id);
	}
	fa_close(ssl, fd);
	EVP_PKEY_free(key);
	free(e);
	free(out);
	return rc;
}

static void fill_state(struct mgmt_state *s)
{
	static const struct mgmt_part parts[] = {
		{ .name = "web", .state = MGMT_PART_RUNNING, .vcpus = 2, .memory = 1ull << 30,
		  .from_config = 1 },
		{ .name = "db", .state = MGMT_PART_STOPPED, .vcpus = 1, .memory = 512ull << 20 },
	};

	memset(s, 0, sizeof(*s));
	s->events_next = 4;
	s->count = 2;
	memcpy(s->parts, parts, sizeof(parts));
}

/* The session after WELCOME: events, heartbeats both ways, GOODBYE. */
static int session_run(const struct opts *o, const struct mgmt_welcome *w)
{
	static struct mgmt_evlog log;
	struct mgmt_state st;
	uint64_t hb_ns = (uint64_t)w->heartbeat_ms * 1000000u, deadline, next_hb, rtt_us = 0;
	uint64_t my_seq = 0, my_sent = 0, after = o->replay ? 0 : w->events_acked, hold;
	unsigned int answered = 0;
	const struct mgmt_event *ev;
	struct mgmt_goodbye bye = { .reason = MGMT_BYE_NONE, .text = "session done" };
	struct mgmt_frame f;
	int rc;

	fill_state(&st);
	if ((rc = send_msg(MGMT_STATE, &st)))
		return rc;
	mgmt_evlog_init(&log);
	mgmt_evlog_add(&log, "web", MGMT_PART_RUNNING, "web started");
	mgmt_evlog_add(&log, "db", MGMT_PART_CREATED, "db created");
	mgmt_evlog_add(&log, "db", MGMT_PART_STOPPED, "db stopped");
	if (!o->replay)
		mgmt_evlog_ack(&log, w->events_acked < 3 ? w->events_acked : 3);
	while ((ev = mgmt_evlog_after(&log, after))) {
		if ((rc = send_msg(MGMT_EVENT, ev)))
			return rc;
		after = ev->seq;
	}
	hold = now_mono_ns() + (uint64_t)o->hold_ms * 1000000u;
	deadline = hold + 10 * hb_ns + 5000000000ull;
	next_hb = now_mono_ns();
	while (log.acked < 3 || answered < 1 || !rtt_us || now_mono_ns() < hold) {
		struct mgmt_heartbeat hb;
		struct mgmt_event_ack ack;
		uint64_t now = now_mono_ns();

		if (now >= deadline) {
			printf("fake-agent: session incomplete (acked %llu, answered %u)\n",
			       (unsigned long long)log.acked, answered);
			return FA_FAIL;
		}
		if (now >= next_hb) {
			hb = (struct mgmt_heartbeat){ .seq = ++my_seq, .sent_ns = now };
			my_sent = now;
			if ((rc = send_msg(MGMT_HEARTBEAT, &hb)))
				return rc;
			next_hb = now + hb_ns;
		}
		rc = mio_recv(&m, &f, 50);
		if (rc == 0)
			continue;
		if (rc < 0) {
			printf("fake-agent: connection lost (%s)\n", m.error);
			return FA_FAIL;
		}
		if (f.type == MGMT_EVENT_ACK && !mio_decode(&m, &f, &ack)) {
			if (mgmt_evlog_ack(&log, ack.seq)) {
				printf("fake-agent: EVENT_ACK of seq %llu never sent\n",
				       (unsigned long long)ack.seq);
				return FA_FAIL;
			}
		} else if (f.type == MGMT_HEARTBEAT && !mio_decode(&m, &f, &hb)) {
			if (hb.reply && hb.seq == my_seq && hb.sent_ns == my_sent) {
				rtt_us = (now_mono_ns() - my_sent) / 1000 + 1;
			} else if (!hb.reply) {
				hb.reply = 1;
				if ((rc = send_msg(MGMT_HEARTBEAT, &hb)))
					return rc;
				answered++;
			}
		} else {
			return unexpected(&f, "EVENT_ACK or HEARTBEAT");
		}
	}
	printf("fake-agent: events acked up to %llu\nfake-agent: rtt %llu us\n",
	       (unsigned long long)log.acked, (unsigned long long)rtt_us);
	mio_send(&m, MGMT_GOODBYE, &bye);
	return FA_OK;
}

static int do_session(const struct opts *o, bool silent)
{
	struct mgmt_hello hello = { .proto = MGMT_PROTO_VERSION, .version = "fake-agent 1",
				    .cpus = 4, .cpus_free = 1, .memory = 8ull << 30,
				    .memory_free = 6ull << 30, .nics = 1 };
	EVP_PKEY *key = fa_key(o->dir);
	struct mgmt_welcome w;
	struct mgmt_frame f;
	char path[4096];
	X509 *cert;
	SSL *ssl = NULL;
	int fd = -1, rc;

	snprintf(path, sizeof(path), "%s/cert.pem", o->dir);
	cert = pem_load_cert(path);
	if (!key || !cert) {
		printf("fake-agent: %s: no certificate (enrol first)\n", path);
		return FA_FAIL;
	}
	rc = open_conn(o, key, cert, &ssl, &fd);
	if (rc)
		goto out;
	snprintf(hello.host_id, sizeof(hello.host_id), "%s", o->hello_id ? o->hello_id : o->host);
	snprintf(hello.boot_id, sizeof(hello.boot_id), "%s", o->boot);
	rc = FA_FAIL;
	if (mio_send(&m, MGMT_HELLO, &hello) || (rc = recv_frame(&f, 5000)) >= 0)
		goto out;
	if (f.type != MGMT_WELCOME || mio_decode(&m, &f, &w)) {
		rc = unexpected(&f, "WELCOME");
		goto out;
	}
	printf("fake-agent: session up with %s (heartbeat %u ms, events acked %llu)\n", o->server,
	       w.heartbeat_ms, (unsigned long long)w.events_acked);
	if (!silent) {
		rc = session_run(o, &w);
		goto out;
	}
	/* Say nothing, answer nothing: the controller must give up after 3 heartbeats. */
	uint64_t t0 = now_mono_ns();

	while ((rc = mio_recv(&m, &f, 100)) >= 0 && now_mono_ns() - t0 < 20000000000ull)
		;
	printf("fake-agent: controller dropped the silent session after %llu ms\n",
	       (unsigned long long)((now_mono_ns() - t0) / 1000000u));
	rc = rc < 0 ? FA_OK : FA_FAIL;
out:
	if (ssl)
		fa_close(ssl, fd);
	mio_free(&m);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* Sends raw bytes on an enrolment connection and expects a GOODBYE back. */
static int do_abuse(const struct opts *o, const uint8_t *bytes, size_t n)
{
	struct mgmt_frame f;
	SSL *ssl = NULL;
	int fd = -1, rc = open_conn(o, NULL, NULL, &ssl, &fd);

	if (rc)
		return rc;
	rc = FA_FAIL;
	if (!mio_send_raw(&m, bytes, n) && (rc = recv_frame(&f, 5000)) < 0)
		rc = unexpected(&f, "GOODBYE");
	fa_close(ssl, fd);
	mio_free(&m);
	return rc;
}

static int do_forged(const struct opts *o)
{
	EVP_PKEY *key = ca_new_key();
	X509 *cert = key ? fa_forged_cert(key, o->host) : NULL;
	struct mgmt_hello hello = { .proto = MGMT_PROTO_VERSION, .boot_id = "forged" };
	struct mgmt_frame f;
	SSL *ssl = NULL;
	int fd = -1, rc = FA_FAIL;

	if (cert)
		rc = open_conn(o, key, cert, &ssl, &fd);
	if (rc == FA_OK) {
		/* TLS 1.2: a refused client certificate fails the handshake; if not, HELLO must. */
		snprintf(hello.host_id, sizeof(hello.host_id), "%s", o->host);
		rc = FA_FAIL;
		if (!mio_send(&m, MGMT_HELLO, &hello) && (rc = recv_frame(&f, 5000)) < 0)
			rc = unexpected(&f, "GOODBYE");
		fa_close(ssl, fd);
		mio_free(&m);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: fake-agent enrol|session|silent|oversized-frame|malformed|"
			"forged-cert|wrong-pin|serve\n"
			"  --server IP:PORT --pin HEX --host-id ID --state DIR\n"
			"  [--token T] [--boot-id B] [--replay] [--hold-ms N] "
			"[--hello-host-id ID]\n"
			"  serve: [--no-virt] [--corrupt-upload] [--result-delay-ms N] "
			"[--op-log FILE] [--bad-stream] [--run-ms N]\n");
	return FA_FAIL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "pin", required_argument, NULL, 'p' },
		{ "host-id", required_argument, NULL, 'h' },
		{ "state", required_argument, NULL, 'd' },
		{ "token", required_argument, NULL, 't' },
		{ "boot-id", required_argument, NULL, 'b' },
		{ "replay", no_argument, NULL, 'r' }, { "hold-ms", required_argument, NULL, 'H' },
		{ "hello-host-id", required_argument, NULL, 'I' },
		{ "no-virt", no_argument, NULL, 'V' },
		{ "corrupt-upload", no_argument, NULL, 'C' },
		{ "result-delay-ms", required_argument, NULL, 'D' },
		{ "op-log", required_argument, NULL, 'L' },
		{ "run-ms", required_argument, NULL, 'R' },
		{ "bad-stream", no_argument, NULL, 'X' }, { 0 },
	};
	struct opts o = { .boot = "boot-1" };
	struct fa_serve_opts so = { .run_ms = 120000 };
	uint8_t raw[MGMT_HDR_SIZE + 8];
	int c;

	if (argc < 2)
		return usage();
	o.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.server = optarg; break;
		case 'p': o.pin = optarg; break;
		case 'h': o.host = optarg; break;
		case 'd': o.dir = optarg; break;
		case 't': o.token = optarg; break;
		case 'b': o.boot = optarg; break;
		case 'r': o.replay = true; break;
		case 'I': o.hello_id = optarg; break;
		case 'H': o.hold_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'V': so.no_virt = true; break;
		case 'C': so.corrupt_upload = true; break;
		case 'D': so.result_delay_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'L': so.op_log = optarg; break;
		case 'X': so.bad_stream = true; break;
		case 'R': so.run_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (!o.server || !o.pin || !o.host || !o.dir || optind != argc)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A controller that closed first must not kill us while we say goodbye. */
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(o.mode, "enrol"))
		return do_enrol(&o);
	if (!strcmp(o.mode, "serve")) {
		so.server = o.server;
		so.pin = o.pin;
		so.host = o.host;
		so.dir = o.dir;
		so.boot = o.boot;
		return fa_serve(&so);
	}
	if (!strcmp(o.mode, "session") || !strcmp(o.mode, "silent"))
		return do_session(&o, !strcmp(o.mode, "silent"));
	if (!strcmp(o.mode, "oversized-frame")) {
		/* Only the header: a length past the limit must be refused before any payload. */
		mgmt_put_header(raw, MGMT_ENROL, 0, 0);
		raw[0] = (uint8_t)((MGMT_PAYLOAD_MAX + 1) >> 24);
		raw[1] = (uint8_t)((MGMT_PAYLOAD_MAX + 1) >> 16);
		raw[2] = (uint8_t)((MGMT_PAYLOAD_MAX + 1) >> 8);
		raw[3] = (uint8_t)(MGMT_PAYLOAD_MAX + 1);
		return do_abuse(&o, raw, MGMT_HDR_SIZE);
	}
	if (!strcmp(o.mode, "malformed")) {
		/* ENROL whose one field claims 256 bytes and has 2: it runs past the message. */
		static const uint8_t tlv[] = { 2, 0x01, 0x00, 0xaa, 0xbb };

		mgmt_put_header(raw, MGMT_ENROL, 0, sizeof(tlv));
		memcpy(raw + MGMT_HDR_SIZE, tlv, sizeof(tlv));
		return do_abuse(&o, raw, MGMT_HDR_SIZE + sizeof(tlv));
	}
	if (!strcmp(o.mode, "forged-cert"))
		return do_forged(&o);
	if (!strcmp(o.mode, "wrong-pin")) {
		SSL *ssl;
		int fd, rc = fa_connect(o.server, o.pin, NULL, NULL, &ssl, &fd);

		if (rc == FA_OK) {
			printf("fake-agent: the pin matched the controller's CA\n");
			fa_close(ssl, fd);
		}
		return rc;
	}
	return usage();
}
