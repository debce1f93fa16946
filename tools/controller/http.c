// SPDX-License-Identifier: GPL-2.0
/* The REST API on civetweb: each request is read whole and handed to api_handle(). */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "util.h"
#include "web.h"

#define BODY_MAX 65536

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	default: return "Internal Server Error";
	}
}

static void send_resp(struct mg_connection *conn, int status, const char *type, const char *body)
{
	size_t n = body ? strlen(body) : 0;

	mg_printf(conn, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			"Cache-Control: no-store\r\nConnection: close\r\n\r\n",
		  status, reason(status), type, n + (type[0] == 'a' ? 1 : 0));
	if (n)
		mg_write(conn, body, n);
	if (type[0] == 'a')
		mg_write(conn, "\n", 1);
}

static int handler(struct mg_connection *conn, void *data)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct api_resp resp;
	struct api_req req = {
		.method = ri->request_method,
		.path = ri->local_uri,
		.query = ri->query_string,
		.authorization = mg_get_header(conn, "Authorization"),
		.idem_key = mg_get_header(conn, "Idempotency-Key"),
	};
	char *body = NULL;
	size_t len = 0;
	int web = web_serve(conn, ri->request_method, ri->local_uri);

	if (web)
		return web;
	if (ri->content_length > BODY_MAX) {
		send_resp(conn, 413, "application/json",
			  "{\"error\":{\"field\":\"body\",\"message\":\"larger than 64 KiB\"}}");
		return 413;
	}
	if (ri->content_length > 0) {
		body = malloc((size_t)ri->content_length + 1);
		while (body && len < (size_t)ri->content_length) {
			int r = mg_read(conn, body + len, (size_t)ri->content_length - len);

			if (r <= 0)
				break;
			len += (size_t)r;
		}
		if (body)
			body[len] = '\0';
	}
	req.body = body;
	req.body_len = len;
	api_handle(data, &req, &resp);
	send_resp(conn, resp.status, resp.content_type, resp.body);
	free(resp.body);
	free(body);
	return resp.status;
}

struct mg_context *http_start(struct api *a, const char *listen, char *err, size_t errlen)
{
	const char *options[] = { "listening_ports", listen, "num_threads", "4",
				  "request_timeout_ms", "10000", NULL };
	struct mg_callbacks cb = { 0 };
	struct mg_context *ctx;

	mg_init_library(0);
	ctx = mg_start(&cb, a, options);
	if (!ctx) {
		snprintf(err, errlen, "--api-listen %s: cannot listen", listen);
		return NULL;
	}
	mg_set_request_handler(ctx, "/", handler, a);
	return ctx;
}

void http_stop(struct mg_context *ctx)
{
	mg_stop(ctx);
	mg_exit_library();
}
