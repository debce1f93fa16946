// SPDX-License-Identifier: GPL-2.0
/* The state REST threads and agent sessions share: wake-ups per host and watched consoles. */
#include <civetweb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hub.h"

void hub_init(struct hub *h)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
}

void hub_free(struct hub *h)
{
	while (h->hosts) {
		struct hub_host *n = h->hosts->next;

		free(h->hosts);
		h->hosts = n;
	}
	while (h->consoles) {
		struct hub_console *n = h->consoles->next;

		while (h->consoles->viewers) {
			struct hub_viewer *v = h->consoles->viewers->next;

			free(h->consoles->viewers);
			h->consoles->viewers = v;
		}
		free(h->consoles);
		h->consoles = n;
	}
	pthread_mutex_destroy(&h->lock);
}

static struct hub_host *host_entry(struct hub *h, const char *host, bool create)
{
	struct hub_host *e;

	for (e = h->hosts; e; e = e->next)
		if (!strcmp(e->host, host))
			return e;
	if (!create || !(e = calloc(1, sizeof(*e))))
		return NULL;
	snprintf(e->host, sizeof(e->host), "%s", host);
	e->next = h->hosts;
	h->hosts = e;
	return e;
}

void hub_kick(void *hub, const char *host)
{
	struct hub *h = hub;
	struct hub_host *e;

	pthread_mutex_lock(&h->lock);
	e = host_entry(h, host, true);
	if (e)
		e->gen++;
	pthread_mutex_unlock(&h->lock);
}

uint64_t hub_generation(struct hub *h, const char *host)
{
	struct hub_host *e;
	uint64_t gen;

	pthread_mutex_lock(&h->lock);
	e = host_entry(h, host, false);
	gen = e ? e->gen : 0;
	pthread_mutex_unlock(&h->lock);
	return gen;
}

static void send_ws(struct mg_connection *conn, const void *p, size_t n)
{
	mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_BINARY, p, n);
}

int hub_console_join(struct hub *h, const char *host, const char *part,
		     struct mg_connection *conn, bool admin)
{
	struct hub_viewer *v = calloc(1, sizeof(*v));
	struct hub_console *c;

	if (!v)
		return -ENOMEM;
	v->conn = conn;
	v->admin = admin;
	pthread_mutex_lock(&h->lock);
	for (c = h->consoles; c; c = c->next)
		if (!strcmp(c->host, host) && !strcmp(c->part, part))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			pthread_mutex_unlock(&h->lock);
			free(v);
			return -ENOMEM;
		}
		snprintf(c->host, sizeof(c->host), "%s", host);
		snprintf(c->part, sizeof(c->part), "%s", part);
		c->next = h->consoles;
		h->consoles = c;
	}
	/* A stream already open sent its history before this viewer came: replay ours. */
	if (c->channel && c->history_len)
		send_ws(conn, c->history, c->history_len);
	c->closed = false;
	v->next = c->viewers;
	c->viewers = v;
	c->nviewers++;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static void unlink_console(struct hub *h, struct hub_console *c)
{
	for (struct hub_console **pp = &h->consoles; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			free(c);
			return;
		}
	}
}

void hub_console_leave(struct hub *h, struct mg_connection *conn)
{
	pthread_mutex_lock(&h->lock);
	for (struct hub_console *c = h->consoles; c; c = c->next) {
		for (struct hub_viewer **pp = &c->viewers; *pp; pp = &(*pp)->next) {
			struct hub_viewer *v = *pp;

			if (v->conn != conn)
				continue;
			*pp = v->next;
			free(v);
			c->nviewers--;
			/* With a stream open, the session closes it and frees the console. */
			if (!c->nviewers && !c->channel)
				unlink_console(h, c);
			pthread_mutex_unlock(&h->lock);
			return;
		}
	}
	pthread_mutex_unlock(&h->lock);
}

static struct hub_viewer *find_viewer(struct hub *h, struct mg_connection *conn,
				      struct hub_console **cp)
{
	for (struct hub_console *c = h->consoles; c; c = c->next)
		for (struct hub_viewer *v = c->viewers; v; v = v->next)
			if (v->conn == conn) {
				*cp = c;
				return v;
			}
	return NULL;
}

int hub_console_keys(struct hub *h, struct mg_connection *conn, const void *p, size_t n)
{
	struct hub_console *c;
	struct hub_viewer *v;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	v = find_viewer(h, conn, &c);
	if (!v || !v->admin)
		rc = -EACCES;
	else if (n > HUB_KEYS_MAX - c->nkeys)
		rc = -ENOBUFS;
	else {
		memcpy(c->keys + c->nkeys, p, n);
		c->nkeys += n;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

void hub_console_output(struct hub_console *c, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (struct hub_viewer *v = c->viewers; v; v = v->next)
		send_ws(v->conn, p, n);
	if (n >= HUB_HISTORY) {
		memcpy(c->history, b + n - HUB_HISTORY, HUB_HISTORY);
		c->history_len = HUB_HISTORY;
		return;
	}
	if (c->history_len + n > HUB_HISTORY) {
		size_t drop = c->history_len + n - HUB_HISTORY;

		memmove(c->history, c->history + drop, c->history_len - drop);
		c->history_len -= drop;
	}
	memcpy(c->history + c->history_len, b, n);
	c->history_len += n;
}

void hub_console_stream_ended(struct hub *h, struct hub_console *c, const char *why)
{
	char msg[256];

	c->channel = 0;
	c->nkeys = 0;
	c->history_len = 0;
	if (why) {
		/* The agent ended it (no such partition, ...): viewers are told; it stays shut. */
		int n = snprintf(msg, sizeof(msg), "\r\n[plinth: console closed: %s]\r\n", why);

		for (struct hub_viewer *v = c->viewers; v; v = v->next) {
			send_ws(v->conn, msg, (size_t)n);
			mg_websocket_write(v->conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "", 0);
		}
		c->closed = true;
	}
	if (!c->nviewers)
		unlink_console(h, c);
}
