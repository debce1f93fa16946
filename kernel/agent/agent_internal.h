/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_AGENT_INTERNAL_H
#define PLINTH_AGENT_INTERNAL_H

/*
 * Shared by the files of the management agent (kernel/agent/), all of them on
 * the network thread except agent_event() (agent_events.c). The agent holds
 * at most one connection to its controller at a time:
 *
 *	agent.c		the connection's life: dial, back off, dispatch, time out
 *	agent_tls.c	TLS over an lwIP tcp_pcb, and framed messages over that
 *	agent_pin.c	trusting the controller by its CA key's pin
 *	agent_key.c	the host's key, its CSR and the certificate for it
 *	agent_enrol.c	a connection without a certificate: ENROL, ENROLLED
 *	agent_session.c	a connection with one: HELLO, WELCOME, STATE, events, heartbeats,
 *			then operations and streams (agent_core.h: agent_ops.c, agent_streams.c)
 *	agent_goodbye.c	the controller's GOODBYE, in either
 *	agent_events.c	the event log, from any CPU
 *	agent_id.c	the host id
 */
#include <plinth/agent.h>
#include <plinth/config.h>
#include <plinth/mgmt/msg.h>
#include <plinth/mgmt/session.h>
#include <plinth/mgmt/wire.h>
#include "agent_core.h"
#include "lwip/tcp.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#define AGENT_TX_SIZE (32 * 1024)	/* framed bytes waiting for TLS: a full state and more */
#define AGENT_READ_CHUNK 4096

/* One TLS connection over TCP (agent_tls.c). */
struct agent_tls {
	struct tcp_pcb *pcb;		/* NULL once lwIP freed it (an error) or we closed it */
	bool connected;			/* TCP is up */
	bool peer_closed;		/* FIN received: what is queued is all there is */
	err_t tcp_error;		/* the lwIP error that ended the pcb, ERR_OK if none */
	struct pbuf *rxq;		/* received, not yet read by mbedTLS (acked as read) */
	size_t rxq_len;
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	bool handshake_done;
	uint8_t tx[AGENT_TX_SIZE];	/* whole frames, not yet taken by mbedtls_ssl_write() */
	size_t tx_len;
	size_t tx_inflight;		/* bytes given to a write that returned WANT_WRITE */
};

/* Why the controller is trusted or not (agent_pin.c), for the log. */
struct agent_pin {
	uint8_t want[CONFIG_PIN_SIZE];
	uint32_t controller;		/* the address dialled, host order: the server cert's SAN */
	bool checked, matched;
	uint8_t got[CONFIG_PIN_SIZE];	/* the presented top certificate's SPKI hash */
	char problem[96];		/* a chain that cannot be judged by its pin, or "" */
};

enum agent_phase {
	AGENT_IDLE,		/* no connection: waiting to dial */
	AGENT_HANDSHAKE,	/* TCP, then TLS, in progress */
	AGENT_ENROLLING,	/* ENROL sent, waiting for ENROLLED */
	AGENT_HELLO,		/* HELLO sent, waiting for WELCOME */
	AGENT_SESSION,		/* WELCOME received */
};

struct agent {
	struct agent_config cfg;
	bool enabled, started;
	char host_id[MGMT_ID_MAX];
	char boot_id[MGMT_ID_MAX];
	char controller[24];		/* "10.0.2.100:7443" */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	bool have_key;
	mbedtls_x509_crt cert;		/* issued for key by the controller */
	bool have_cert;
	struct mgmt_backoff backoff;

	enum agent_phase phase;
	bool enrol;			/* this connection has no client certificate */
	struct agent_tls tls;
	struct agent_pin pin;
	struct mgmt_rx rx;
	uint64_t dial_ns, handshake_ns, last_rx_ns;
	bool kick_pending, tick_armed;
	/* Session */
	uint32_t heartbeat_ms;
	uint64_t hb_seq, next_hb_ns;
	uint64_t ev_sent;		/* the last event seq sent on this connection */
	struct agent_streams streams;	/* this connection's; none survives it */
	struct mgmt_opcache ops;	/* every op id of this boot: across connections */
};

extern struct agent agent;

/* agent.c */
/* Schedules a pass over the connection from lwIP's timer list (not inside a TCP callback). */
void agent_kick(void);
/* Ends the connection: logs why and when the next attempt comes. */
void agent_lost(const char *fmt, ...) __printf(1, 2);
/* A frame or message broke the protocol: log, GOODBYE{PROTOCOL, reason}, close. */
void agent_protocol_error(const char *fmt, ...) __printf(1, 2);
/* As agent_lost(), once what is queued (a GOODBYE either way) went out. */
void agent_lost_clean(const char *fmt, ...) __printf(1, 2);
/* The enrolment succeeded: close and dial again at once, now with a certificate. */
void agent_redial_now(void);
uint64_t agent_now_ns(void);

/* agent_tls.c */
int agent_tls_open(struct agent_tls *t, uint32_t addr, uint16_t port);
/* 0 done, -EAGAIN not yet, or an mbedTLS error (negative). */
int agent_tls_handshake(struct agent_tls *t);
/* Bytes read, -EAGAIN for none yet, 0 at the end of the stream, or an mbedTLS error. */
int agent_tls_read(struct agent_tls *t, uint8_t *buf, size_t cap);
/* Appends one message as a frame: 0, -ENOBUFS when the queue has no room, or -EMSGSIZE. */
int agent_tls_send(struct agent_tls *t, enum mgmt_type type, const void *msg);
/* The same on a stream's channel, and a DATA frame of len raw bytes there. */
int agent_tls_send_on(struct agent_tls *t, uint16_t channel, enum mgmt_type type,
		      const void *msg);
int agent_tls_send_data(struct agent_tls *t, uint16_t channel, const void *buf, size_t len);
size_t agent_tls_room(const struct agent_tls *t);
/* Hands queued frames to TLS and TCP: 0 (all or some left for later) or an mbedTLS error. */
int agent_tls_flush(struct agent_tls *t);
/* Frees everything; a clean close sends close_notify first when it can. */
void agent_tls_close(struct agent_tls *t, bool clean);
/* "-0x2700: X509 - Certificate verification failed" style text for an mbedTLS error. */
void agent_tls_strerror(int err, char *buf, size_t size);

/* agent_pin.c */
/* Sets the TLS configuration to trust only a chain whose CA key hashes to the pin. */
void agent_pin_configure(struct agent_pin *pin, mbedtls_ssl_config *conf);

/* agent_key.c */
int agent_key_init(void);
/* The CSR for the key, DER, subject CN = host id: its length or a negative error. */
int agent_key_csr(uint8_t *buf, size_t cap);
/* Takes an issued certificate: 0, or -EINVAL (not ours) with the reason in why. */
int agent_key_take_cert(const uint8_t *der, size_t len, char *why, size_t why_size);
uint32_t agent_random(void);

/* agent_goodbye.c: logs the controller's GOODBYE and ends the connection. */
void agent_goodbye(const struct mgmt_frame *f);

/* agent_enrol.c */
void agent_enrol_begin(void);
void agent_enrol_frame(const struct mgmt_frame *f);

/* agent_session.c */
void agent_session_begin(void);
void agent_session_frame(const struct mgmt_frame *f);
/* Periodic: heartbeats, silence, events to send. */
void agent_session_tick(uint64_t now);
/* The HELLO's host facts, from the kernel and the backend. */
void agent_host_facts(struct mgmt_hello *h);

/* agent_events.c */
/* The state report: the backend's partitions and the next event seq. */
void agent_fill_state(struct mgmt_state *st);
/* The controller stored every event up to seq: 0 or -EINVAL for one never issued. */
int agent_events_ack(uint64_t seq);
/* A copy of the first event after seq: true if there is one. */
bool agent_events_after(uint64_t seq, struct mgmt_event *ev);
const struct agent_backend *agent_backend(void);

/* Decodes a frame's message into msg, or ends the connection as a protocol error: 0 or -1. */
int agent_decode_sized(const struct mgmt_frame *f, void *msg, size_t size);
/* The frame's message into *msg, which must be of its type's structure (checked by size). */
#define agent_decode(f, msg) agent_decode_sized((f), (msg), sizeof(*(msg)))

#endif
