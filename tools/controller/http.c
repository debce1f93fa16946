// SPDX-License-Identifier: GPL-2.0
/*
 * The REST API on civetweb. Most requests are read whole (at most 64 KiB)
 * and handed to api_handle(); three are streams: POST /v1/images (the body
 * goes to disk as it comes, up to the upload limit), GET /v1/events/stream
 * (Server-Sent Events) and the console WebSocket.
 */
#include <civetweb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "http.h"
#include "util.h"
#include "web.h"

#define BODY_MAX 65536

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
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

static void send_error(struct mg_connection *conn, int status, const char *field,
		       const char *msg)
{
	json_t *j = api_error(field, "%s", msg);
	char *body = json_dumps(j, JSON_COMPACT);

	send_resp(conn, status, "application/json", body);
	free(body);
	json_decref(j);
}

static long conn_read(void *ctx, void *buf, size_t n)
{
	return mg_read(ctx, buf, n);
}

static int upload(struct mg_connection *conn, struct http_srv *h, struct api_req *req,
		  long long len)
{
	struct api_resp resp;

	if (len < 0) {
		send_error(conn, 411, "Content-Length", "an image upload needs a Content-Length");
		return 411;
	}
	req->image_name = mg_get_header(conn, "X-Image-Name");
	api_upload(h->api, req, (uint64_t)len, conn_read, conn, &resp);
	send_resp(conn, resp.status, resp.content_type, resp.body);
	free(resp.body);
	return resp.status;
}

static void sse_item(void *ctx, const struct event_rec *e)
{
	json_array_append_new(ctx, api_event_json(e));
}

/* GET /v1/events/stream: every stored event after Last-Event-ID or ?after=, then new ones. */
static int sse(struct mg_connection *conn, struct http_srv *h, const struct api_req *req)
{
	const char *last = mg_get_header(conn, "Last-Event-ID");
	char role[ST_NAME_MAX], q[48];
	uint64_t quiet = 0;
	int64_t after;
	json_t *err;

	if (api_stream_role(h->api, req->authorization, req->query, role)) {
		send_error(conn, 401, NULL, "an API token is required (Authorization: Bearer ...)");
		return 401;
	}
	/* Last-Event-ID is what a reconnecting EventSource sends: it wins over the URL's. */
	if (last)
		snprintf(q, sizeof(q), "after=%.32s", last);
	err = api_parse_after(last ? q : req->query, &after);
	if (err) {
		char *body = json_dumps(err, JSON_COMPACT);

		send_resp(conn, 400, "application/json", body);
		free(body);
		json_decref(err);
		return 400;
	}
	mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			"Cache-Control: no-store\r\nConnection: close\r\n\r\n");
	while (!atomic_load(&h->stopping)) {
		json_t *arr = json_array(), *e;
		size_t i;
		int bad = 0;

		h->api->st->ops->event_list(h->api->st, after, 100, sse_item, arr);
		json_array_foreach(arr, i, e) {
			char *data = json_dumps(e, JSON_COMPACT);

			after = json_integer_value(json_object_get(e, "seq"));
			if (!data || mg_printf(conn, "id: %lld\ndata: %s\n\n", (long long)after,
					       data) <= 0)
				bad = 1;
			free(data);
			if (bad)
				break;
		}
		if (json_array_size(arr))
			quiet = 0;
		json_decref(arr);
		if (bad)
			break;
		if (++quiet * SSE_POLL_MS >= SSE_KEEPALIVE_S * 1000u) {
			quiet = 0;
			if (mg_printf(conn, ": keepalive\n\n") <= 0)
				break;
		}
		usleep(SSE_POLL_MS * 1000);
	}
	return 200;
}

static int handler(struct mg_connection *conn, void *data)
{
	struct http_srv *h = data;
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
	if (!strcmp(req.method, "POST") && !strcmp(req.path, "/v1/images"))
		return upload(conn, h, &req, ri->content_length);
	if (!strcmp(req.method, "GET") && !strcmp(req.path, "/v1/events/stream"))
		return sse(conn, h, &req);
	if (ri->content_length > BODY_MAX) {
		send_error(conn, 413, "body", "larger than 64 KiB");
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
	api_handle(h->api, &req, &resp);
	send_resp(conn, resp.status, resp.content_type, resp.body);
	free(resp.body);
	free(body);
	return resp.status;
}

/* A console viewer: which console, and whether it may type. */
struct viewer {
	char host[64], part[32];
	bool admin;
};

static int ws_connect(const struct mg_connection *conn, void *data)
{
	struct http_srv *h = data;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	char host[128], part[128], tail[16], role[ST_NAME_MAX];
	struct viewer *v;

	if (sscanf(ri->local_uri, "/v1/partitions/%127[^/]/%127[^/]/%15s", host, part, tail) != 3 ||
	    strcmp(tail, "console") || !host_id_valid(host) || !part_name_valid(part))
		return 1;
	if (api_stream_role(h->api, mg_get_header(conn, "Authorization"), ri->query_string,
			    role)) {
		ctl_log("console %s/%s: refused a viewer without a valid token", host, part);
		return 1;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return 1;
	snprintf(v->host, sizeof(v->host), "%.63s", host);
	snprintf(v->part, sizeof(v->part), "%.31s", part);
	v->admin = !strcmp(role, "admin");
	mg_set_user_connection_data(conn, v);
	return 0;
}

static void ws_ready(struct mg_connection *conn, void *data)
{
	struct http_srv *h = data;
	struct viewer *v = mg_get_user_connection_data(conn);

	if (v && hub_console_join(h->hub, v->host, v->part, conn, v->admin))
		mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "", 0);
}

static int ws_data(struct mg_connection *conn, int flags, char *data, size_t len, void *cbdata)
{
	static const char no_typing[] = "\r\n[plinth: typing needs an admin token]\r\n";
	static const char full[] = "\r\n[plinth: keystrokes dropped: the host is not reading]\r\n";
	struct http_srv *h = cbdata;
	int op = flags & 0xf, rc;

	if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
		return 0;
	if (op != MG_WEBSOCKET_OPCODE_TEXT && op != MG_WEBSOCKET_OPCODE_BINARY &&
	    op != MG_WEBSOCKET_OPCODE_CONTINUATION)
		return 1;
	rc = len ? hub_console_keys(h->hub, conn, data, len) : 0;
	if (rc == -EACCES)
		mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_BINARY, no_typing,
				   sizeof(no_typing) - 1);
	else if (rc == -ENOBUFS)
		mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_BINARY, full, sizeof(full) - 1);
	return 1;
}

static void ws_close(const struct mg_connection *conn, void *data)
{
	struct http_srv *h = data;
	struct viewer *v = mg_get_user_connection_data(conn);

	hub_console_leave(h->hub, (struct mg_connection *)conn);
	free(v);
}

int http_start(struct http_srv *h, const char *listen, char *err, size_t errlen)
{
	const char *options[] = { "listening_ports", listen, "num_threads", HTTP_THREADS,
				  "request_timeout_ms", "10000",
				  /* Consoles sit idle for long; pings find dead viewers. */
				  "websocket_timeout_ms", "3600000", "enable_websocket_ping_pong",
				  "yes", NULL };
	struct mg_callbacks cb = { 0 };

	atomic_store(&h->stopping, false);
	mg_init_library(MG_FEATURES_WEBSOCKET);
	h->ctx = mg_start(&cb, h, options);
	if (!h->ctx) {
		snprintf(err, errlen, "--api-listen %s: cannot listen", listen);
		return -1;
	}
	mg_set_request_handler(h->ctx, "/", handler, h);
	mg_set_websocket_handler(h->ctx, "/v1/partitions/*/*/console$", ws_connect, ws_ready,
				 ws_data, ws_close, h);
	return 0;
}

void http_stop(struct http_srv *h)
{
	atomic_store(&h->stopping, true);
	mg_stop(h->ctx);
	mg_exit_library();
}
