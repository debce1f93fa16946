/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS over one lwIP tcp_pcb, without blocking: mbedTLS's BIO callbacks read
 * from a queue of received pbufs and write into lwIP's send buffer, and say
 * WANT_READ / WANT_WRITE when there is nothing to read or no room. Received
 * bytes are acknowledged to the controller (tcp_recved) only as mbedTLS
 * takes them, so the TCP window bounds the queue. Every callback only
 * records what happened and kicks the agent: mbedTLS runs from lwIP's
 * timer list, never nested in lwIP's input path.
 */
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include "agent_internal.h"
#include "mbedtls/net_sockets.h"

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct agent_tls *t = arg;

	(void)pcb;
	t->connected = err == ERR_OK;
	agent_kick();
	return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct agent_tls *t = arg;

	(void)pcb;
	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		t->peer_closed = true;
	} else {
		if (t->rxq)
			pbuf_cat(t->rxq, p);
		else
			t->rxq = p;
		t->rxq_len += p->tot_len;
	}
	agent_kick();
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)pcb;
	(void)len;
	agent_kick();
	return ERR_OK;
}

static void on_error(void *arg, err_t err)
{
	struct agent_tls *t = arg;

	/* lwIP has freed the pcb already. */
	t->pcb = NULL;
	t->tcp_error = err;
	agent_kick();
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct agent_tls *t = ctx;
	u16_t room;

	if (!t->pcb)
		return MBEDTLS_ERR_NET_CONN_RESET;
	room = tcp_sndbuf(t->pcb);
	if (len > room)
		len = room;
	if (!len)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (tcp_write(t->pcb, buf, (u16_t)len, TCP_WRITE_FLAG_COPY) != ERR_OK)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	tcp_output(t->pcb);
	return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct agent_tls *t = ctx;
	size_t n;

	if (!t->rxq_len) {
		if (t->peer_closed)
			return 0;	/* end of stream: mbedTLS says CONN_EOF */
		return t->pcb ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_NET_CONN_RESET;
	}
	n = MIN(len, t->rxq_len);
	if (n > 0xffff)
		n = 0xffff;
	pbuf_copy_partial(t->rxq, buf, (u16_t)n, 0);
	t->rxq = pbuf_free_header(t->rxq, (u16_t)n);
	t->rxq_len -= n;
	if (t->pcb)
		tcp_recved(t->pcb, (u16_t)n);
	return (int)n;
}

int agent_tls_open(struct agent_tls *t, uint32_t addr, uint16_t port)
{
	ip_addr_t ip;
	int ret;

	mbedtls_ssl_init(&t->ssl);
	ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
	if (ret)
		return ret;
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	t->pcb = tcp_new();
	if (!t->pcb)
		return -ENOMEM;
	tcp_arg(t->pcb, t);
	tcp_recv(t->pcb, on_recv);
	tcp_sent(t->pcb, on_sent);
	tcp_err(t->pcb, on_error);
	/* Heartbeats are small and answered at once: no Nagle delay on them. */
	tcp_nagle_disable(t->pcb);
	ip_addr_set_ip4_u32(&ip, lwip_htonl(addr));
	if (tcp_connect(t->pcb, &ip, port, on_connected) != ERR_OK) {
		tcp_abort(t->pcb);
		t->pcb = NULL;
		return -ENETDOWN;
	}
	return 0;
}

int agent_tls_handshake(struct agent_tls *t)
{
	int ret;

	if (!t->connected)
		return -EAGAIN;
	ret = mbedtls_ssl_handshake(&t->ssl);
	if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
		return -EAGAIN;
	t->handshake_done = ret == 0;
	return ret;
}

int agent_tls_read(struct agent_tls *t, uint8_t *buf, size_t cap)
{
	int ret = mbedtls_ssl_read(&t->ssl, buf, cap);

	if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
		return -EAGAIN;
	/* The controller's close_notify, or its FIN: either way the stream ended. */
	if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF)
		return 0;
	return ret;
}

size_t agent_tls_room(const struct agent_tls *t)
{
	return sizeof(t->tx) - t->tx_len;
}

int agent_tls_send_on(struct agent_tls *t, uint16_t channel, enum mgmt_type type,
		      const void *msg)
{
	size_t room = agent_tls_room(t);
	long len;

	if (room < MGMT_HDR_SIZE)
		return -ENOBUFS;
	len = mgmt_encode(type, msg, t->tx + t->tx_len + MGMT_HDR_SIZE, room - MGMT_HDR_SIZE);
	if (len < 0)
		return len == -EMSGSIZE && room < sizeof(t->tx) ? -ENOBUFS : (int)len;
	mgmt_put_header(t->tx + t->tx_len, type, channel, (uint32_t)len);
	t->tx_len += MGMT_HDR_SIZE + (size_t)len;
	return 0;
}

int agent_tls_send(struct agent_tls *t, enum mgmt_type type, const void *msg)
{
	return agent_tls_send_on(t, MGMT_CHANNEL_CONTROL, type, msg);
}

int agent_tls_send_data(struct agent_tls *t, uint16_t channel, const void *buf, size_t len)
{
	if (agent_tls_room(t) < MGMT_HDR_SIZE + len)
		return -ENOBUFS;
	if (mgmt_put_header(t->tx + t->tx_len, MGMT_DATA, channel, (uint32_t)len))
		return -EMSGSIZE;
	memcpy(t->tx + t->tx_len + MGMT_HDR_SIZE, buf, len);
	t->tx_len += MGMT_HDR_SIZE + len;
	return 0;
}

int agent_tls_flush(struct agent_tls *t)
{
	while (t->tx_len) {
		/* After WANT_WRITE mbedTLS wants the same call again: same buffer, same length. */
		size_t n = t->tx_inflight ? t->tx_inflight : MIN(t->tx_len, (size_t)16384);
		int ret = mbedtls_ssl_write(&t->ssl, t->tx, n);

		if (ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ) {
			t->tx_inflight = n;
			return 0;
		}
		if (ret < 0)
			return ret;
		t->tx_inflight = 0;
		memmove(t->tx, t->tx + ret, t->tx_len - (size_t)ret);
		t->tx_len -= (size_t)ret;
	}
	return 0;
}

void agent_tls_close(struct agent_tls *t, bool clean)
{
	if (t->pcb) {
		/* Best effort: a close_notify that does not fit now is not waited for. */
		if (clean && t->handshake_done)
			mbedtls_ssl_close_notify(&t->ssl);
		tcp_arg(t->pcb, NULL);
		tcp_recv(t->pcb, NULL);
		tcp_sent(t->pcb, NULL);
		tcp_err(t->pcb, NULL);
		if (!clean || tcp_close(t->pcb) != ERR_OK)
			tcp_abort(t->pcb);
		t->pcb = NULL;
	}
	if (t->rxq)
		pbuf_free(t->rxq);
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	t->rxq = NULL;
	t->rxq_len = 0;
	t->connected = t->peer_closed = t->handshake_done = false;
	t->tcp_error = ERR_OK;
	t->tx_len = t->tx_inflight = 0;
}

void agent_tls_strerror(int err, char *buf, size_t size)
{
	static const struct {
		int err;
		const char *text;
	} names[] = {
		{ MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, "certificate verification failed" },
		{ MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, "the peer sent a fatal alert" },
		{ MBEDTLS_ERR_SSL_CONN_EOF, "the peer closed the connection" },
		{ MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY, "the peer closed the connection" },
		{ MBEDTLS_ERR_NET_CONN_RESET, "connection reset" },
		{ MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE, "no client certificate" },
		{ MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE, "bad certificate message" },
		{ MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN, "no cipher suite in common" },
		{ MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO, "bad ServerHello" },
		{ MBEDTLS_ERR_SSL_ALLOC_FAILED, "out of memory" },
		{ MBEDTLS_ERR_SSL_INVALID_MAC, "bad record MAC" },
		{ MBEDTLS_ERR_SSL_INVALID_RECORD, "invalid record" },
	};
	const char *text = "mbedTLS error";

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			text = names[i].text;
	snprintf(buf, size, "%s, -0x%04x", text, err < 0 ? -err : err);
}
