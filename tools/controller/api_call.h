/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_API_CALL_H
#define CTL_API_CALL_H

/* One REST call in progress, shared by the handlers in api.c and api_ops.c. */
#include "api.h"

#define ROUTE_SEGS 3		/* '*' segments a route pattern may have */
#define ROUTE_SEG_MAX 128

struct call {
	struct api *a;
	const struct api_req *req;
	struct api_resp *resp;
	char token_sha[SHA256_HEX_LEN];
	char role[ST_NAME_MAX];
	char seg[ROUTE_SEGS][ROUTE_SEG_MAX];	/* what the route's '*' segments matched */
};

/* Sends j (consumed) with status. */
void reply(struct call *c, int status, json_t *j);
void reply_error(struct call *c, int status, const char *field, const char *msg);
/*
 * Records a mutating call's task (t's kind, target, host, partition and op
 * set by the caller): true with *t queued, or false after replying (the
 * idempotent repeat, or a store failure).
 */
bool task_begin(struct call *c, struct task_rec *t);
/* Finishes a task the controller did itself; error NULL for success. */
void task_end(struct call *c, struct task_rec *t, const char *error);

/* api_ops.c: images and partition operations. */
void images_list(struct call *c);
void image_show(struct call *c);
void image_post(struct call *c);
/* POST /v1/images, its len body bytes read through rd. */
void image_upload(struct call *c, uint64_t len, api_read_fn rd, void *ctx);
void partition_create(struct call *c);
void partition_start(struct call *c);
void partition_stop(struct call *c);
void partition_reboot(struct call *c);
void partition_delete(struct call *c);

#endif
