// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "mio.h"
#include "util.h"

int mio_init(struct mio *m, SSL *ssl, int fd)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = MIO_IO_TIMEOUT_MS * 1000 };

	memset(m, 0, sizeof(*m));
	m->ssl = ssl;
	m->fd = fd;
	m->rxbuf = malloc(MGMT_PAYLOAD_MAX);
	m->txbuf = malloc(MGMT_HDR_SIZE + MGMT_PAYLOAD_MAX);
	if (!m->rxbuf || !m->txbuf) {
		mio_free(m);
		return -ENOMEM;
	}
	mgmt_rx_init(&m->rx, m->rxbuf);
	/* A peer that stops mid-record must not hold a thread past its deadline. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

void mio_free(struct mio *m)
{
	free(m->rxbuf);
	free(m->txbuf);
	m->rxbuf = m->txbuf = NULL;
}

const char *mio_tls_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	buf[0] = '\0';
	if (e)
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int mio_send_raw(struct mio *m, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t deadline = now_mono_ns() + 5000000000ull;

	while (n) {
		int w = SSL_write(m->ssl, b, (int)n);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (SSL_get_error(m->ssl, w) == SSL_ERROR_WANT_WRITE && now_mono_ns() < deadline)
			continue;
		snprintf(m->error, sizeof(m->error), "write failed");
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int mio_send(struct mio *m, enum mgmt_type type, const void *msg)
{
	return mio_send_chan(m, type, MGMT_CHANNEL_CONTROL, msg);
}

int mio_send_data(struct mio *m, uint16_t channel, const void *p, size_t n)
{
	if (n > MGMT_PAYLOAD_MAX || mgmt_put_header(m->txbuf, MGMT_DATA, channel, (uint32_t)n)) {
		snprintf(m->error, sizeof(m->error), "DATA of %zu bytes does not fit a frame", n);
		return -EIO;
	}
	memcpy(m->txbuf + MGMT_HDR_SIZE, p, n);
	return mio_send_raw(m, m->txbuf, MGMT_HDR_SIZE + n);
}

int mio_send_chan(struct mio *m, enum mgmt_type type, uint16_t channel, const void *msg)
{
	long n = mgmt_encode(type, msg, m->txbuf + MGMT_HDR_SIZE, MGMT_PAYLOAD_MAX);

	if (n < 0 || mgmt_put_header(m->txbuf, type, channel, (uint32_t)n)) {
		snprintf(m->error, sizeof(m->error), "%s does not encode", mgmt_type_name(type));
		return -EIO;
	}
	return mio_send_raw(m, m->txbuf, MGMT_HDR_SIZE + (size_t)n);
}

/* Reads what TLS has into m->in: 1 got some, 0 nothing yet, <0 closed or failed. */
static int fill(struct mio *m, int wait_ms)
{
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	char tls[160];
	int r, e;

	if (!SSL_pending(m->ssl) && poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	r = SSL_read(m->ssl, m->in, sizeof(m->in));
	if (r > 0) {
		m->in_len = (size_t)r;
		m->in_off = 0;
		return 1;
	}
	e = SSL_get_error(m->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !ERR_peek_error())) {
		snprintf(m->error, sizeof(m->error), "connection closed by the peer");
		ERR_clear_error();
		return -EPIPE;
	}
	snprintf(m->error, sizeof(m->error), "TLS error: %s", mio_tls_error(tls, sizeof(tls)));
	return -EIO;
}

int mio_recv(struct mio *m, struct mgmt_frame *f, int timeout_ms)
{
	uint64_t deadline = now_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	bool looked = false;	/* timeout 0 still reads what the socket already has */

	for (;;) {
		while (m->in_off < m->in_len) {
			bool done;
			long used = mgmt_rx_feed(&m->rx, m->in + m->in_off, m->in_len - m->in_off,
						 f, &done);

			if (used < 0) {
				snprintf(m->error, sizeof(m->error), "%s", m->rx.error);
				return -EBADMSG;
			}
			m->in_off += (size_t)used;
			if (done)
				return mgmt_frame_check(f, m->error, sizeof(m->error)) ? -EPROTO
										       : 1;
		}
		uint64_t now = now_mono_ns();
		int left, r;

		if (now >= deadline && looked)
			return 0;
		looked = true;
		left = now >= deadline ? 0 : (int)((deadline - now) / 1000000u);
		r = fill(m, left < MIO_IO_TIMEOUT_MS ? left : MIO_IO_TIMEOUT_MS);
		if (r < 0)
			return r;
	}
}

int mio_decode_sized(struct mio *m, const struct mgmt_frame *f, void *msg, size_t size)
{
	if (mgmt_msg_size(f->type) != size) {
		/* A frame handed to the wrong handler: never decode it over another structure. */
		snprintf(m->error, sizeof(m->error), "%s frame where another was expected",
			 mgmt_type_name(f->type));
		return -EBADMSG;
	}
	return mgmt_decode(f->type, f->payload, f->len, msg, m->error, sizeof(m->error));
}
