/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_HUB_H
#define CTL_HUB_H

/*
 * What the REST side (civetweb's threads) and the agent sessions (one
 * thread per connection) share: a wake-up count per host, bumped when an
 * operation is queued for it, and the consoles being watched. Each
 * partition's console has one entry, shared by all its viewers, and at
 * most one stream to the agent (opened by the host's session while the
 * console has viewers). Everything here is under the hub's one lock.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUB_KEYS_MAX 4096	/* keystrokes queued for the agent per console */
#define HUB_HISTORY 16384	/* recent output, replayed to a viewer joining an open stream */

struct mg_connection;

struct hub_viewer {
	struct mg_connection *conn;
	bool admin;			/* may type */
	struct hub_viewer *next;
};

struct hub_console {
	char host[64], part[32];
	struct hub_viewer *viewers;
	unsigned int nviewers;
	uint8_t keys[HUB_KEYS_MAX];
	size_t nkeys;
	uint8_t history[HUB_HISTORY];
	size_t history_len;
	/* Owned by the host's session: its stream's channel, 0 when none. */
	uint16_t channel;
	bool closed;			/* the agent ended the stream: shut until a new viewer */
	struct hub_console *next;
};

struct hub {
	pthread_mutex_t lock;
	struct hub_console *consoles;
	struct hub_host {
		char host[64];
		uint64_t gen;
		struct hub_host *next;
	} *hosts;
};

void hub_init(struct hub *h);
void hub_free(struct hub *h);

/* A task for host was queued (api.h's kick): its session looks at the store again. */
void hub_kick(void *hub, const char *host);
uint64_t hub_generation(struct hub *h, const char *host);

/* Viewers, from the WebSocket handlers: 0, or -ENOMEM. */
int hub_console_join(struct hub *h, const char *host, const char *part,
		     struct mg_connection *conn, bool admin);
void hub_console_leave(struct hub *h, struct mg_connection *conn);
/* Keystrokes from a viewer: 0, -EACCES for a viewer without admin, -ENOBUFS when full. */
int hub_console_keys(struct hub *h, struct mg_connection *conn, const void *p, size_t n);

/* The session side, with h->lock held. */
/* Output of the guest's console: to every viewer, and into the history. */
void hub_console_output(struct hub_console *c, const void *p, size_t n);
/* The stream ended (why: a reason for the viewers, or NULL); frees c when it has no viewers. */
void hub_console_stream_ended(struct hub *h, struct hub_console *c, const char *why);

#endif
