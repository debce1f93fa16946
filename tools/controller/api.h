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

#define ENROL_TTL_MIN 60
#define ENROL_TTL_MAX 604800
#define ENROL_TTL_DEFAULT 3600
#define IDEM_KEY_MAX 128
#define EVENTS_PAGE 1000

struct api {
	struct store *st;
	struct ctl_metrics *metrics;
	int64_t (*now)(void);		/* unix seconds; tests pass their own */
};

struct api_req {
	const char *method;
	const char *path;
	const char *query;		/* after '?', or NULL */
	const char *authorization;	/* the header's value, or NULL */
	const char *idem_key;		/* Idempotency-Key, or NULL */
	const char *body;
	size_t body_len;
};

struct api_resp {
	int status;
	const char *content_type;
	char *body;			/* malloc'd; the caller frees it */
};

void api_handle(struct api *a, const struct api_req *req, struct api_resp *resp);

/* Validation, shared by the handlers and the tests: NULL, or the error object to send. */
json_t *api_error(const char *field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_t *api_parse_enrol_token(const char *body, size_t len, int64_t *ttl);
json_t *api_parse_after(const char *query, int64_t *after);
json_t *api_parse_host_filter(const char *query, char *host, size_t len);
json_t *api_check_idem_key(const char *key);

/* Response shapes. */
json_t *api_host_json(const struct host_rec *h);
json_t *api_part_json(const struct part_rec *p);
json_t *api_event_json(const struct event_rec *e);
json_t *api_task_json(const struct task_rec *t);
const char *api_part_state_name(uint32_t state);

/* The Prometheus text for /metrics, malloc'd. */
char *api_metrics_text(struct api *a);

#endif
