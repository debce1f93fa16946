// SPDX-License-Identifier: GPL-2.0
/*
 * The REST calls on images and partitions. Images are stored by the
 * controller itself (the task is finished when the reply goes out);
 * partition operations are queued tasks the agent link (agent_ops.c)
 * sends to their host when it is up, and finishes from its RESULT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_call.h"
#include "util.h"

static void image_item(void *ctx, const struct image_rec *i)
{
	json_array_append_new(ctx, api_image_json(i));
}

void images_list(struct call *c)
{
	json_t *arr = json_array();

	c->a->st->ops->image_list(c->a->st, image_item, arr);
	reply(c, 200, json_pack("{s:o}", "images", arr));
}

void image_show(struct call *c)
{
	struct image_rec i;

	if (!sha256_hex_valid(c->seg[0]))
		return reply_error(c, 400, "sha256", "must be 64 lowercase hex digits");
	if (c->a->st->ops->image_get(c->a->st, c->seg[0], &i))
		return reply_error(c, 404, "sha256", "no image with that sha256");
	reply(c, 200, json_pack("{s:o}", "image", api_image_json(&i)));
}

struct mem_body {
	const char *p;
	size_t left;
};

static long mem_read(void *ctx, void *buf, size_t n)
{
	struct mem_body *m = ctx;

	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}

void image_post(struct call *c)
{
	struct mem_body m = { .p = c->req->body, .left = c->req->body ? c->req->body_len : 0 };

	image_upload(c, m.left, mem_read, &m);
}

static bool image_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n >= ST_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '/')
			return false;
	return true;
}

void image_upload(struct call *c, uint64_t len, api_read_fn rd, void *ctx)
{
	uint64_t max = c->a->upload_max ? c->a->upload_max : UPLOAD_MAX_DEFAULT;
	const char *name = c->req->image_name ? c->req->image_name : "";
	struct image_rec img = { 0 };
	char err[160], msg[96];
	struct task_rec t = { 0 };
	int added;

	if (!len)
		return reply_error(c, 400, "body", "an image of at least one byte is required");
	if (len > max) {
		snprintf(msg, sizeof(msg), "larger than the upload limit of %llu bytes",
			 (unsigned long long)max);
		return reply_error(c, 413, "body", msg);
	}
	if (!image_name_valid(name))
		return reply_error(c, 400, "X-Image-Name",
				   "must be printable ASCII without '/', under 64 characters");
	if (!c->a->images_dir)
		return reply_error(c, 500, NULL, "no image directory");
	if (image_ingest(c->a->images_dir, rd, ctx, len, img.sha256, err, sizeof(err)))
		return reply_error(c, 400, "body", err);
	img.size = len;
	snprintf(img.name, sizeof(img.name), "%s", name);
	snprintf(img.path, sizeof(img.path), "%s/%s", c->a->images_dir, img.sha256);
	img.created_at = c->a->now();
	added = c->a->st->ops->image_add(c->a->st, &img);
	if (added < 0)
		return reply_error(c, 500, NULL, "cannot record the image");
	snprintf(t.kind, sizeof(t.kind), "image.upload");
	snprintf(t.target, sizeof(t.target), "%.16s", img.sha256);
	if (!task_begin(c, &t))
		return;
	t.done = t.total = len;
	task_end(c, &t, NULL);
	reply(c, added ? 201 : 200,
	      json_pack("{s:o, s:o}", "image", api_image_json(&img), "task", api_task_json(&t)));
}

/* Queues an operation for its host's agent link and replies 202 with the task. */
static void queue_op(struct call *c, struct task_rec *t)
{
	if (!task_begin(c, t))
		return;
	if (c->a->kick)
		c->a->kick(c->a->kick_ctx, t->host);
	reply(c, 202, json_pack("{s:o}", "task", api_task_json(t)));
}

void partition_create(struct call *c)
{
	struct task_rec t = { 0 };
	json_t *err = api_parse_partition(c->a->st, c->req->body, c->req->body_len, &t);

	if (err)
		return reply(c, 400, err);
	queue_op(c, &t);
}

static void partition_op(struct call *c, const char *kind)
{
	const char *host = c->seg[0], *name = c->seg[1];
	struct task_rec t = { 0 };
	struct host_rec h;

	if (!host_id_valid(host))
		return reply_error(c, 400, "host", "must be a host id ([a-z0-9-]{1,63})");
	if (!part_name_valid(name))
		return reply_error(c, 400, "name", "must be a partition name ([a-z0-9-]{1,31})");
	if (c->a->st->ops->host_get(c->a->st, host, &h))
		return reply_error(c, 404, "host", "no such host");
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.target, sizeof(t.target), "%.63s/%.31s", host, name);
	snprintf(t.host, sizeof(t.host), "%.63s", host);
	snprintf(t.partition, sizeof(t.partition), "%.31s", name);
	snprintf(t.op, sizeof(t.op), "{\"kind\":\"%s\"}", kind);
	queue_op(c, &t);
}

void partition_start(struct call *c)
{
	partition_op(c, "start");
}

void partition_stop(struct call *c)
{
	partition_op(c, "stop");
}

void partition_reboot(struct call *c)
{
	partition_op(c, "reboot");
}

void partition_delete(struct call *c)
{
	partition_op(c, "delete");
}
