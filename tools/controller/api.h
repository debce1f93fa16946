/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_API_H
#define CTL_API_H

/*
 * The REST API (/v1, JSON) and /metrics as functions of a parsed request:
 * no sockets here (http.c feeds civetweb's requests in), so validation,
 * role checks and response shapes are unit-tested directly.
 */
#include <jansson.h>
#include <stdbool.h>
#include "metrics.h"
#include "store.h"
#include "util.h"

#define ENROL_TTL_MIN 60
#define ENROL_TTL_MAX 604800
#define ENROL_TTL_DEFAULT 3600
#define IDEM_KEY_MAX 128
#define EVENTS_PAGE 1000
#define UPLOAD_MAX_DEFAULT (1ull << 30)	/* POST /v1/images bodies, bytes */
#define PART_VCPUS_MAX 64
#define PART_MEM_MIB_MIN 16
#define PART_MEM_MIB_MAX 1048576

struct api {
	struct store *st;
	struct ctl_metrics *metrics;
	int64_t (*now)(void);		/* unix seconds; tests pass their own */
	const char *images_dir;		/* <state>/images: image files by sha256 */
	uint64_t upload_max;		/* bytes; 0 means UPLOAD_MAX_DEFAULT */
	/* An operation for host was queued: wake its session (NULL in tests). */
	void (*kick)(void *ctx, const char *host);
	void *kick_ctx;
};

struct api_req {
	const char *method;
	const char *path;
	const char *query;		/* after '?', or NULL */
	const char *authorization;	/* the header's value, or NULL */
	const char *idem_key;		/* Idempotency-Key, or NULL */
	const char *image_name;		/* X-Image-Name, or NULL */
	const char *body;
	size_t body_len;
};

struct api_resp {
	int status;
	const char *content_type;
	char *body;			/* malloc'd; the caller frees it */
};

void api_handle(struct api *a, const struct api_req *req, struct api_resp *resp);

/* Reads up to n bytes of a request body: how many, 0 at its end, <0 on an error. */
typedef long (*api_read_fn)(void *ctx, void *buf, size_t n);

/*
 * POST /v1/images with a body of len bytes read through rd as it goes
 * (http.c streams it to disk; api_handle passes a buffered body here too).
 */
void api_upload(struct api *a, const struct api_req *req, uint64_t len, api_read_fn rd,
		void *ctx, struct api_resp *resp);

/*
 * For the streaming endpoints (SSE, console): the role of the token in an
 * Authorization header or, for browsers, ?token=. 0, or -EACCES.
 */
int api_stream_role(struct api *a, const char *authorization, const char *query,
		    char role[ST_NAME_MAX]);

/*
 * Writes len bytes read through rd to dir/<sha256> (a temporary file,
 * fsync'd, renamed; the same bytes again replace nothing): 0 with the hex
 * sha256, or a negative errno with err.
 */
int image_ingest(const char *dir, api_read_fn rd, void *ctx, uint64_t len,
		 char sha[SHA256_HEX_LEN], char *err, size_t errlen);

/* Validation, shared by the handlers and the tests: NULL, or the error object to send. */
json_t *api_error(const char *field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_t *api_parse_enrol_token(const char *body, size_t len, int64_t *ttl);
json_t *api_parse_after(const char *query, int64_t *after);
json_t *api_parse_host_filter(const char *query, char *host, size_t len);
json_t *api_check_idem_key(const char *key);
/* The value of name in a query string: true with it in out. */
bool api_query_get(const char *query, const char *name, char *out, size_t len);
/* POST /v1/partitions: t's host, partition and op (the JSON the agent link sends) filled. */
json_t *api_parse_partition(struct store *st, const char *body, size_t len, struct task_rec *t);
json_t *api_image_json(const struct image_rec *i);

/* Response shapes. */
json_t *api_host_json(const struct host_rec *h);
json_t *api_part_json(const struct part_rec *p);
json_t *api_event_json(const struct event_rec *e);
json_t *api_task_json(const struct task_rec *t);
const char *api_part_state_name(uint32_t state);

/* The Prometheus text for /metrics, malloc'd. */
char *api_metrics_text(struct api *a);

#endif
