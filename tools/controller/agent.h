/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_AGENT_H
#define CTL_AGENT_H

/*
 * The controller's agent listener: TLS on OpenSSL 3, one thread per
 * connection (at most AGENT_CONN_MAX), implementing enrolment and sessions
 * as /work/shared/contract.md describes.
 */
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "hub.h"
#include "metrics.h"
#include "store.h"

#define AGENT_CONN_MAX 64
#define AGENT_HEARTBEAT_MS 2000
#define AGENT_FIRST_FRAME_MS 10000	/* ENROL or HELLO must come within this */

struct agent_srv {
	struct store *st;
	struct ctl_metrics *metrics;
	struct hub *hub;		/* queued tasks' wake-ups, consoles' viewers */
	SSL_CTX *tls;
	X509 *ca;
	EVP_PKEY *ca_key;
	unsigned int heartbeat_ms;
	int listen_fd;
	atomic_bool stop;
	atomic_int conns;
	pthread_mutex_t lock;		/* sessions[] */
	struct {
		char host[64];
		unsigned int count;
	} sessions[AGENT_CONN_MAX];
};

/*
 * Loads dir's ca.crt, ca.key, server.crt, server.key, sets up TLS and
 * listens on addr ("IP:PORT"): 0, or a negative errno with err.
 */
int agent_srv_init(struct agent_srv *a, const char *dir, const char *addr, char *err,
		   size_t errlen);
/* Accepts until a->stop, then waits for every connection thread to finish. */
void agent_srv_run(struct agent_srv *a);
void agent_srv_free(struct agent_srv *a);

#endif
