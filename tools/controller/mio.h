/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_MIO_H
#define CTL_MIO_H

/*
 * Management protocol frames over an OpenSSL connection, for the hosted
 * ends (the controller, the test agent): the shared codec
 * (kernel/mgmt/ and its plinth/mgmt headers) does framing and messages, this does the
 * reads and writes with deadlines. One connection per struct mio, used
 * from one thread.
 */
#include <openssl/ssl.h>
#include <plinth/mgmt/msg.h>
#include <plinth/mgmt/wire.h>

struct mio {
	SSL *ssl;
	int fd;
	struct mgmt_rx rx;
	uint8_t *rxbuf;		/* MGMT_PAYLOAD_MAX: the frame being reassembled */
	uint8_t *txbuf;		/* MGMT_HDR_SIZE + MGMT_PAYLOAD_MAX */
	uint8_t in[16384];	/* read from TLS, not yet fed to rx */
	size_t in_len, in_off;
	char error[192];	/* why the last call failed */
};

/* A socket timeout that bounds every blocking TLS read or write (ms). */
#define MIO_IO_TIMEOUT_MS 200

/* Sets the socket's timeouts too: 0, or -ENOMEM. */
int mio_init(struct mio *m, SSL *ssl, int fd);
void mio_free(struct mio *m);

/* Encodes msg as a frame of type on channel 0 and sends it: 0, or -EIO (m->error). */
int mio_send(struct mio *m, enum mgmt_type type, const void *msg);
/* The same on a stream's channel (CHAN_OPEN, CHAN_CREDIT, CHAN_CLOSE). */
int mio_send_chan(struct mio *m, enum mgmt_type type, uint16_t channel, const void *msg);
/* A DATA frame of n bytes (at most MGMT_PAYLOAD_MAX) on channel. */
int mio_send_data(struct mio *m, uint16_t channel, const void *p, size_t n);
/* Raw bytes, for the tests' hostile frames. */
int mio_send_raw(struct mio *m, const void *p, size_t n);

/*
 * Waits up to timeout_ms (0: only what has already arrived) for the next
 * frame: 1 with *f (valid until the next call), 0 on timeout, -EPIPE when the peer closed, -EBADMSG or
 * -EPROTO for a frame that breaks the protocol (m->error holds the codec's
 * reason), -EIO for a TLS or socket error.
 */
int mio_recv(struct mio *m, struct mgmt_frame *f, int timeout_ms);

/* mgmt_decode() into msg: 0, or -EBADMSG with the reason in m->error. */
int mio_decode_sized(struct mio *m, const struct mgmt_frame *f, void *msg, size_t size);
/* msg must be of the frame type's structure: checked by size, -EBADMSG otherwise. */
#define mio_decode(m, f, msg) mio_decode_sized((m), (f), (msg), sizeof(*(msg)))

/* The first OpenSSL error queued, as text ("" when none), clearing the queue. */
const char *mio_tls_error(char *buf, size_t len);

#endif
