/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_AGENT_CONN_H
#define CTL_AGENT_CONN_H

/* One agent connection, shared by the listener (agent.c) and the session (agent_session.c). */
#include "agent.h"
#include "mio.h"

struct conn {
	struct agent_srv *a;
	int fd;
	SSL *ssl;
	char peer[64];		/* "IP:PORT", for log lines */
	struct mio m;
};

/* Logs the refusal, sends GOODBYE{reason, text}. */
void conn_refuse(struct conn *c, const char *what, uint32_t reason, const char *text);
/* Logs "agent P: protocol error: why", counts it, sends GOODBYE{PROTOCOL, why}. */
void conn_protocol_error(struct conn *c, const char *why);
/* A session on a connection whose client certificate verified against the CA. */
void agent_session(struct conn *c, X509 *peer);

#endif
