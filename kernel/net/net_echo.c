/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test services of Plinth's network stack, on with selftest = 1: TCP echo
 * on port 7, which the network tests stream through in both directions,
 * and TCP port 8, a connection to which ends a test run (net_stack.c).
 *
 * The echo is flow-controlled end to end: received bytes are acknowledged
 * to the sender (tcp_recved) only once tcp_write took their copy, so a fast
 * sender is held back by its window instead of filling Plinth's memory.
 */
#include <plinth/log.h>
#include "lwip/tcp.h"
#include "net_internal.h"

#define ECHO_PORT 7
#define EXIT_PORT 8

struct echo_conn {
	struct tcp_pcb *pcb;
	struct pbuf *held;	/* received, not yet written back */
	uint64_t echoed;
	bool peer_closed;
	char peer[24];
};

static bool exit_requested;

bool net_test_exit_requested(void)
{
	return __atomic_load_n(&exit_requested, __ATOMIC_ACQUIRE);
}

static void conn_free(struct echo_conn *c)
{
	if (c->held)
		pbuf_free(c->held);
	mem_free(c);
}

static void conn_close(struct echo_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	pr_info("net: echo: connection from %s closed, %lu bytes echoed\n", c->peer, c->echoed);
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	conn_free(c);
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

/* Writes back as much of what is held as the send buffer takes. */
static void conn_flush(struct echo_conn *c)
{
	while (c->held) {
		u16_t room = tcp_sndbuf(c->pcb);
		u16_t n = c->held->len < room ? c->held->len : room;

		if (!n)
			break;
		if (tcp_write(c->pcb, c->held->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		c->echoed += n;
		tcp_recved(c->pcb, n);
		c->held = pbuf_free_header(c->held, n);
	}
	tcp_output(c->pcb);
	if (!c->held && c->peer_closed)
		conn_close(c);
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct echo_conn *c = arg;

	(void)pcb;
	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		c->peer_closed = true;
		conn_flush(c);
		return ERR_OK;
	}
	if (c->held)
		pbuf_cat(c->held, p);
	else
		c->held = p;
	conn_flush(c);
	return ERR_OK;
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	conn_flush(arg);
	return ERR_OK;
}

static void echo_err(void *arg, err_t err)
{
	struct echo_conn *c = arg;

	/* lwIP has freed the pcb already. */
	pr_info("net: echo: connection from %s failed (lwIP error %d) after %lu bytes\n", c->peer,
		(int)err, c->echoed);
	conn_free(c);
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return ERR_MEM;
	c->pcb = pcb;
	snprintf(c->peer, sizeof(c->peer), "%s:%u", ip4addr_ntoa(ip_2_ip4(&pcb->remote_ip)),
		 pcb->remote_port);
	tcp_arg(pcb, c);
	tcp_recv(pcb, echo_recv);
	tcp_sent(pcb, echo_sent);
	tcp_err(pcb, echo_err);
	return ERR_OK;
}

static err_t exit_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	pr_info("net: test exit requested from %s:%u\n", ip4addr_ntoa(ip_2_ip4(&pcb->remote_ip)),
		pcb->remote_port);
	__atomic_store_n(&exit_requested, true, __ATOMIC_RELEASE);
	tcp_abort(pcb);
	return ERR_ABRT;
}

static void listen_on(u16_t port, tcp_accept_fn fn)
{
	struct tcp_pcb *pcb = tcp_new();
	struct tcp_pcb *l;

	if (!pcb || tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK) {
		pr_err("net: cannot listen on TCP port %u\n", port);
		if (pcb)
			tcp_close(pcb);
		return;
	}
	l = tcp_listen(pcb);
	if (!l) {
		pr_err("net: cannot listen on TCP port %u\n", port);
		tcp_close(pcb);
		return;
	}
	tcp_accept(l, fn);
}

void net_echo_start(void)
{
	listen_on(ECHO_PORT, echo_accept);
	listen_on(EXIT_PORT, exit_accept);
	pr_info("net: echo: listening on port %u; a connection to port %u ends a test run\n",
		ECHO_PORT, EXIT_PORT);
}
