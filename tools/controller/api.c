// SPDX-License-Identifier: GPL-2.0
/*
 * REST routing, bearer-token roles and the handlers. A viewer token may
 * GET; an admin token may also POST and DELETE. Every mutating call
 * records a task and returns it; with an Idempotency-Key the same key from
 * the same token returns the task it made first instead of acting again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_call.h"
#include "util.h"

void reply(struct call *c, int status, json_t *j)
{
	c->resp->status = status;
	c->resp->content_type = "application/json";
	c->resp->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
}

void reply_error(struct call *c, int status, const char *field, const char *msg)
{
	reply(c, status, api_error(field, "%s", msg));
}

static void append_json(void *ctx, json_t *item)
{
	json_array_append_new(ctx, item);
}

static void host_item(void *ctx, const struct host_rec *h)
{
	append_json(ctx, api_host_json(h));
}

static void part_item(void *ctx, const struct part_rec *p)
{
	append_json(ctx, api_part_json(p));
}

static void event_item(void *ctx, const struct event_rec *e)
{
	append_json(ctx, api_event_json(e));
}

static void task_item(void *ctx, const struct task_rec *t)
{
	append_json(ctx, api_task_json(t));
}

static bool auth(struct call *c)
{
	const char *h = c->req->authorization;
	struct store *st = c->a->st;

	if (!h || strncmp(h, "Bearer ", 7) || !h[7]) {
		reply_error(c, 401, NULL, "an API token is required (Authorization: Bearer ...)");
		return false;
	}
	sha256_hex(h + 7, strlen(h + 7), c->token_sha);
	if (st->ops->api_token_role(st, c->token_sha, c->role)) {
		reply_error(c, 401, NULL, "unknown API token");
		return false;
	}
	if (strcmp(c->req->method, "GET") && strcmp(c->role, "admin")) {
		reply_error(c, 403, NULL, "this call needs an admin token");
		return false;
	}
	return true;
}

bool task_begin(struct call *c, struct task_rec *t)
{
	struct store *st = c->a->st;
	bool existed;

	t->created_at = c->a->now();
	if (st->ops->task_create(st, c->token_sha, c->req->idem_key, t, &existed)) {
		reply_error(c, 500, NULL, "cannot record the task");
		return false;
	}
	if (existed) {
		reply(c, 200, json_pack("{s:o, s:b}", "task", api_task_json(t), "replayed", 1));
		return false;
	}
	return true;
}

/* A task the controller runs itself, started: true with *t running, or false after replying. */
static bool task_begin_local(struct call *c, const char *kind, const char *target,
			     struct task_rec *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
	snprintf(t->target, sizeof(t->target), "%s", target);
	if (!task_begin(c, t))
		return false;
	t->state = TASK_RUNNING;
	c->a->st->ops->task_update(c->a->st, t);
	return true;
}

void task_end(struct call *c, struct task_rec *t, const char *error)
{
	t->state = error ? TASK_FAILED : TASK_SUCCEEDED;
	snprintf(t->error_kind, sizeof(t->error_kind), "%s", error ? "internal" : "");
	snprintf(t->error, sizeof(t->error), "%s", error ? error : "");
	if (!t->total)
		t->done = t->total = 1;
	t->finished_at = c->a->now();
	c->a->st->ops->task_update(c->a->st, t);
}

static void enrol_token_create(struct call *c)
{
	struct store *st = c->a->st;
	char token[65], sha[SHA256_HEX_LEN];
	struct task_rec t;
	int64_t ttl;
	json_t *err = api_parse_enrol_token(c->req->body, c->req->body_len, &ttl);

	if (err) {
		reply(c, 400, err);
		return;
	}
	if (!task_begin_local(c, "enrol-token.create", "", &t))
		return;
	t.expires_at = c->a->now() + ttl;
	if (random_hex(token, 32)) {
		task_end(c, &t, "no random numbers");
		reply(c, 500, json_pack("{s:o}", "task", api_task_json(&t)));
		return;
	}
	sha256_hex(token, strlen(token), sha);
	/* Only the hash is kept: the token is shown in this response and never again. */
	if (st->ops->enrol_token_add(st, sha, t.expires_at)) {
		task_end(c, &t, "cannot store the token");
		reply(c, 500, json_pack("{s:o}", "task", api_task_json(&t)));
		return;
	}
	task_end(c, &t, NULL);
	reply(c, 201, json_pack("{s:s, s:I, s:o}", "token", token, "expires_at",
				(json_int_t)t.expires_at, "task", api_task_json(&t)));
}

static void host_revoke(struct call *c)
{
	const char *id = c->seg[0];
	struct store *st = c->a->st;
	struct task_rec t;
	struct host_rec h;

	if (!host_id_valid(id))
		return reply_error(c, 400, "id", "must be a host id ([a-z0-9-]{1,63})");
	if (st->ops->host_get(st, id, &h)) {
		reply_error(c, 404, "id", "no such host");
		return;
	}
	if (!task_begin_local(c, "host.revoke", id, &t))
		return;
	task_end(c, &t, st->ops->host_revoke(st, id) ? "cannot store the revocation" : NULL);
	reply(c, t.state == TASK_SUCCEEDED ? 200 : 500,
	      json_pack("{s:o}", "task", api_task_json(&t)));
}

static void host_show(struct call *c)
{
	const char *id = c->seg[0];
	struct store *st = c->a->st;
	struct host_rec h;
	json_t *parts;

	if (!host_id_valid(id))
		return reply_error(c, 400, "id", "must be a host id ([a-z0-9-]{1,63})");
	if (st->ops->host_get(st, id, &h)) {
		reply_error(c, 404, "id", "no such host");
		return;
	}
	parts = json_array();
	st->ops->part_list(st, id, part_item, parts);
	reply(c, 200, json_pack("{s:o, s:o}", "host", api_host_json(&h), "partitions", parts));
}

static void list_partitions(struct call *c)
{
	char host[ST_ID_MAX];
	json_t *err = api_parse_host_filter(c->req->query, host, sizeof(host)), *arr;

	if (err) {
		reply(c, 400, err);
		return;
	}
	arr = json_array();
	c->a->st->ops->part_list(c->a->st, host[0] ? host : NULL, part_item, arr);
	reply(c, 200, json_pack("{s:o}", "partitions", arr));
}

static void list_events(struct call *c)
{
	int64_t after;
	json_t *err = api_parse_after(c->req->query, &after), *arr, *last;

	if (err) {
		reply(c, 400, err);
		return;
	}
	arr = json_array();
	c->a->st->ops->event_list(c->a->st, after, EVENTS_PAGE, event_item, arr);
	last = json_array_size(arr) ? json_object_get(json_array_get(arr, json_array_size(arr) - 1),
						      "seq") : NULL;
	reply(c, 200, json_pack("{s:o, s:I}", "events", arr, "last",
				last ? json_integer_value(last) : (json_int_t)after));
}

static void task_show(struct call *c)
{
	const char *idstr = c->seg[0];
	struct task_rec t;
	char *end;
	long long id = strtoll(idstr, &end, 10);

	if (!idstr[0] || *end || id <= 0) {
		reply_error(c, 400, "id", "must be a task number");
		return;
	}
	if (c->a->st->ops->task_get(c->a->st, id, &t)) {
		reply_error(c, 404, "id", "no such task");
		return;
	}
	reply(c, 200, json_pack("{s:o}", "task", api_task_json(&t)));
}

static void hosts_list(struct call *c)
{
	json_t *arr = json_array();

	c->a->st->ops->host_list(c->a->st, host_item, arr);
	reply(c, 200, json_pack("{s:o}", "hosts", arr));
}

static void tasks_list(struct call *c)
{
	json_t *arr = json_array();

	c->a->st->ops->task_list(c->a->st, task_item, arr);
	reply(c, 200, json_pack("{s:o}", "tasks", arr));
}

/* A pattern's '*' matches one non-empty segment, copied into c->seg[]. */
struct route {
	const char *method, *pattern;
	void (*fn)(struct call *c);
};

static const struct route routes[] = {
	{ "GET", "/v1/hosts", hosts_list },
	{ "GET", "/v1/hosts/*", host_show },
	{ "POST", "/v1/hosts/*/revoke", host_revoke },
	{ "POST", "/v1/enrol-tokens", enrol_token_create },
	{ "GET", "/v1/partitions", list_partitions },
	{ "POST", "/v1/partitions", partition_create },
	{ "POST", "/v1/partitions/*/*/start", partition_start },
	{ "POST", "/v1/partitions/*/*/stop", partition_stop },
	{ "POST", "/v1/partitions/*/*/reboot", partition_reboot },
	{ "DELETE", "/v1/partitions/*/*", partition_delete },
	{ "GET", "/v1/images", images_list },
	{ "POST", "/v1/images", image_post },
	{ "GET", "/v1/images/*", image_show },
	{ "GET", "/v1/events", list_events },
	{ "GET", "/v1/tasks", tasks_list },
	{ "GET", "/v1/tasks/*", task_show },
};

static bool match(struct call *c, const char *pattern, const char *path)
{
	unsigned int n = 0;

	while (*pattern && *path) {
		if (*pattern == '*') {
			size_t len = strcspn(path, "/");

			if (!len || len >= ROUTE_SEG_MAX || n == ROUTE_SEGS)
				return false;
			memcpy(c->seg[n], path, len);
			c->seg[n++][len] = '\0';
			path += len;
			pattern++;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return !*pattern && !*path;
}

static void route(struct call *c)
{
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(c, routes[i].pattern, c->req->path))
			continue;
		if (!strcmp(routes[i].method, c->req->method))
			return routes[i].fn(c);
		path_known = true;
	}
	if (path_known)
		return reply_error(c, 405, NULL, "method not allowed on this path");
	reply_error(c, 404, NULL, "no such endpoint");
}

int api_stream_role(struct api *a, const char *authorization, const char *query,
		    char role[ST_NAME_MAX])
{
	char token[160], sha[SHA256_HEX_LEN];

	if (authorization && !strncmp(authorization, "Bearer ", 7) && authorization[7])
		snprintf(token, sizeof(token), "%s", authorization + 7);
	else if (!api_query_get(query, "token", token, sizeof(token)) || !token[0])
		return -EACCES;
	sha256_hex(token, strlen(token), sha);
	return a->st->ops->api_token_role(a->st, sha, role) ? -EACCES : 0;
}

void api_upload(struct api *a, const struct api_req *req, uint64_t len, api_read_fn rd,
		void *ctx, struct api_resp *resp)
{
	struct call c = { .a = a, .req = req, .resp = resp };
	json_t *err;

	memset(resp, 0, sizeof(*resp));
	if (!auth(&c))
		return;
	err = api_check_idem_key(req->idem_key);
	if (err)
		return reply(&c, 400, err);
	image_upload(&c, len, rd, ctx);
}

void api_handle(struct api *a, const struct api_req *req, struct api_resp *resp)
{
	struct call c = { .a = a, .req = req, .resp = resp };
	json_t *err;

	memset(resp, 0, sizeof(*resp));
	if (strncmp(req->path, "/v1/", 4) && strcmp(req->path, "/metrics"))
		return reply_error(&c, 404, NULL, "no such endpoint");
	if (!auth(&c))
		return;
	if (!strcmp(req->path, "/metrics")) {
		if (strcmp(req->method, "GET"))
			return reply_error(&c, 405, NULL, "method not allowed on this path");
		resp->status = 200;
		resp->content_type = "text/plain; version=0.0.4";
		resp->body = api_metrics_text(a);
		return;
	}
	err = api_check_idem_key(req->idem_key);
	if (err)
		return reply(&c, 400, err);
	route(&c);
}
