/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_HTTP_H
#define CTL_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include "api.h"
#include "hub.h"

struct mg_context;

#define HTTP_THREADS "32"		/* event streams and consoles hold one each */
#define SSE_POLL_MS 200			/* how often an event stream looks for new events */
#define SSE_KEEPALIVE_S 15

struct http_srv {
	struct api *api;
	struct hub *hub;
	atomic_bool stopping;		/* event streams end */
	struct mg_context *ctx;
};

/* Serves h->api on listen ("IP:PORT"): 0, or -1 with err. */
int http_start(struct http_srv *h, const char *listen, char *err, size_t errlen);
void http_stop(struct http_srv *h);

#endif
