// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's REST layer (tools/controller/api*.c) without sockets:
 * validation that names the field, bearer-token roles (viewer reads, admin
 * also writes), the JSON shapes plinthctl reads, tasks and idempotency
 * keys, 404/405, and the /metrics text, over a real SQLite store; images
 * uploaded (content-addressed files, the size limit), partitions created
 * and operated on as queued tasks (every field checked by name), task
 * errors as {kind, message}, tokens for the streaming endpoints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/controller/api.h"
#include "../../tools/controller/util.h"

#define ADMIN "admin-token-for-tests"
#define VIEWER "viewer-token-for-tests"
#define NOW 1800000000

static char path[64], images[64];
static char kicked[64];
static int kicks;
static struct ctl_metrics metrics;
static struct api api;
static struct api_resp resp;
static json_t *body;

static int64_t fixed_now(void)
{
	return NOW;
}

static void add_token(const char *token, const char *role)
{
	char sha[SHA256_HEX_LEN];

	sha256_hex(token, strlen(token), sha);
	assert_int_equal(api.st->ops->api_token_add(api.st, sha, role), 0);
}

static void kick(void *ctx, const char *host)
{
	assert_ptr_equal(ctx, &kicks);
	snprintf(kicked, sizeof(kicked), "%s", host);
	kicks++;
}

static int setup(void **state)
{
	char err[256];
	int fd;

	(void)state;
	snprintf(images, sizeof(images), "/tmp/test_ctl_img.XXXXXX");
	assert_non_null(mkdtemp(images));
	kicks = 0;
	kicked[0] = '\0';
	snprintf(path, sizeof(path), "/tmp/test_ctl_api.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	api = (struct api){ .metrics = &metrics, .now = fixed_now, .images_dir = images,
			    .kick = kick, .kick_ctx = &kicks };
	api.st = store_sqlite_open(path, err, sizeof(err));
	assert_non_null(api.st);
	add_token(ADMIN, "admin");
	add_token(VIEWER, "viewer");
	return 0;
}

static int teardown(void **state)
{
	char p[96];

	(void)state;
	json_decref(body);
	body = NULL;
	free(resp.body);
	resp.body = NULL;
	api.st->ops->close(api.st);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "rm -rf '%s'", images);
	assert_int_equal(system(p), 0);
	return 0;
}

/* One request; the reply's status, its JSON in body. */
static int req_n(const char *method, const char *target, const char *token, const char *idem,
		 const char *data, size_t len);

static int req(const char *method, const char *target, const char *token, const char *idem,
	       const char *data)
{
	return req_n(method, target, token, idem, data, data ? strlen(data) : 0);
}

static int req_n(const char *method, const char *target, const char *token, const char *idem,
		 const char *data, size_t len)
{
	char auth[128], p[256];
	char *q;
	struct api_req r = { .method = method, .path = p, .idem_key = idem, .body = data,
			     .body_len = len };

	snprintf(p, sizeof(p), "%s", target);
	q = strchr(p, '?');
	if (q) {
		*q = '\0';
		r.query = q + 1;
	}
	if (token) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		r.authorization = auth;
	}
	json_decref(body);
	free(resp.body);
	api_handle(&api, &r, &resp);
	body = strcmp(resp.content_type, "application/json") ? NULL :
	       json_loads(resp.body, 0, NULL);
	return resp.status;
}

static const char *err_field(void)
{
	return json_string_value(json_object_get(json_object_get(body, "error"), "field"));
}

static void test_validation_names_fields(void **state)
{
	json_t *e;
	int64_t v;

	(void)state;
	assert_null(api_parse_enrol_token(NULL, 0, &v));
	assert_int_equal(v, ENROL_TTL_DEFAULT);
	assert_null(api_parse_enrol_token("{\"ttl_s\": 60}", 13, &v));
	assert_int_equal(v, 60);
	assert_null(api_parse_enrol_token("{\"ttl_s\": 604800}", 17, &v));
	assert_int_equal(v, 604800);
	static const char *const bad[] = { "{\"ttl_s\": 59}", "{\"ttl_s\": 604801}",
					   "{\"ttl_s\": \"60\"}", "{\"ttl_s\": 3.5}" };
	for (size_t i = 0; i < 4; i++) {
		e = api_parse_enrol_token(bad[i], strlen(bad[i]), &v);
		assert_non_null(e);
		assert_string_equal(json_string_value(json_object_get(json_object_get(e, "error"),
								      "field")), "ttl_s");
		json_decref(e);
	}
	e = api_parse_enrol_token("{ttl", 4, &v);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "error"),
							      "field")), "body");
	json_decref(e);
	assert_null(api_parse_after("after=12", &v));
	assert_int_equal(v, 12);
	assert_null(api_parse_after(NULL, &v));
	assert_int_equal(v, 0);
	static const char *const bad_after[] = { "after=", "after=-1", "after=1x", "after=+3" };
	for (size_t i = 0; i < 4; i++) {
		e = api_parse_after(bad_after[i], &v);
		assert_non_null(e);
		json_decref(e);
	}
	e = api_check_idem_key("has space");
	assert_non_null(e);
	json_decref(e);
	assert_null(api_check_idem_key("abc-123"));
}

static void test_bad_requests_over_http(void **state)
{
	(void)state;
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, NULL, "{\"ttl_s\": 5}"), 400);
	assert_string_equal(err_field(), "ttl_s");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(body, "error"),
								 "message")), "60"));
	assert_int_equal(req("GET", "/v1/events?after=x", VIEWER, NULL, NULL), 400);
	assert_string_equal(err_field(), "after");
	assert_int_equal(req("GET", "/v1/partitions?host=Bad_Id", VIEWER, NULL, NULL), 400);
	assert_string_equal(err_field(), "host");
	assert_int_equal(req("GET", "/v1/tasks/abc", VIEWER, NULL, NULL), 400);
	assert_string_equal(err_field(), "id");
	assert_int_equal(req("POST", "/v1/hosts/UPPER/revoke", ADMIN, NULL, NULL), 400);
	assert_string_equal(err_field(), "id");
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, "with space", NULL), 400);
	assert_string_equal(err_field(), "Idempotency-Key");
	/* A refused request made no task. */
	assert_int_equal(req("GET", "/v1/tasks", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "tasks")), 0);
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(req("GET", "/v1/hosts", NULL, NULL, NULL), 401);
	assert_non_null(json_object_get(json_object_get(body, "error"), "message"));
	assert_int_equal(req("GET", "/v1/hosts", "not-a-token", NULL, NULL), 401);
	assert_int_equal(req("GET", "/metrics", NULL, NULL, NULL), 401);
	assert_int_equal(req("GET", "/v1/hosts", VIEWER, NULL, NULL), 200);
	assert_int_equal(req("GET", "/metrics", VIEWER, NULL, NULL), 200);
	assert_int_equal(req("POST", "/v1/enrol-tokens", VIEWER, NULL, NULL), 403);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(body, "error"),
								 "message")), "admin"));
	assert_int_equal(req("POST", "/v1/hosts/h-a/revoke", VIEWER, NULL, NULL), 403);
	assert_int_equal(req("DELETE", "/v1/hosts", VIEWER, NULL, NULL), 403);
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, NULL, NULL), 201);
}

static void test_paths(void **state)
{
	(void)state;
	assert_int_equal(req("GET", "/v1/nothing", VIEWER, NULL, NULL), 404);
	assert_non_null(json_object_get(body, "error"));
	assert_int_equal(req("GET", "/index.html", NULL, NULL, NULL), 404);
	assert_non_null(json_object_get(body, "error"));
	assert_int_equal(req("GET", "/v1/hosts/h-none", VIEWER, NULL, NULL), 404);
	assert_int_equal(req("GET", "/v1/tasks/77", VIEWER, NULL, NULL), 404);
	assert_int_equal(req("POST", "/v1/hosts/h-none/revoke", ADMIN, NULL, NULL), 404);
	assert_int_equal(req("POST", "/v1/hosts", ADMIN, NULL, NULL), 405);
	assert_int_equal(req("GET", "/v1/enrol-tokens", ADMIN, NULL, NULL), 405);
}

static void test_enrol_token_shape_and_idempotency(void **state)
{
	char sha[SHA256_HEX_LEN];
	json_t *task;
	json_int_t id;
	const char *tok;

	(void)state;
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, "k1", "{\"ttl_s\": 120}"), 201);
	tok = json_string_value(json_object_get(body, "token"));
	assert_non_null(tok);
	assert_int_equal(strlen(tok), 64);
	assert_int_equal(json_integer_value(json_object_get(body, "expires_at")), NOW + 120);
	task = json_object_get(body, "task");
	id = json_integer_value(json_object_get(task, "id"));
	assert_string_equal(json_string_value(json_object_get(task, "kind")), "enrol-token.create");
	assert_string_equal(json_string_value(json_object_get(task, "state")), "succeeded");
	assert_int_equal(json_integer_value(json_object_get(task, "finished_at")), NOW);
	assert_true(json_is_null(json_object_get(task, "error")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(task, "progress"),
							    "total")), 1);
	/* The token works once, by its hash. */
	sha256_hex(tok, strlen(tok), sha);
	assert_int_equal(api.st->ops->enrol_token_use(api.st, sha, "h-a", NOW + 1), 0);
	/* The same key again: the same task, no second token. */
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, "k1", "{\"ttl_s\": 120}"), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "task"), "id")),
			 id);
	assert_true(json_is_true(json_object_get(body, "replayed")));
	assert_null(json_object_get(body, "token"));
	assert_int_equal(req("GET", "/v1/tasks", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "tasks")), 1);
	/* Without a key, or with another, a new task. */
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, NULL, NULL), 201);
	assert_int_equal(json_integer_value(json_object_get(body, "expires_at")),
			 NOW + ENROL_TTL_DEFAULT);
	assert_int_equal(req("POST", "/v1/enrol-tokens", ADMIN, "k2", NULL), 201);
	assert_int_equal(req("GET", "/v1/tasks", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "tasks")), 3);
	assert_int_equal(req("GET", "/v1/tasks/1", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "task"), "id")),
			 1);
}

static void test_host_shapes_and_revoke(void **state)
{
	struct host_facts f = { .version = "1.0", .cpus = 8, .cpus_free = 3, .memory = 1ull << 34,
				.memory_free = 1ull << 33, .nics = 2 };
	struct part_rec p[2] = { { .name = "web", .state = 2, .vcpus = 2, .memory = 1u << 30,
				   .from_config = 1 },
				 { .name = "db", .state = 4, .vcpus = 1, .memory = 1u << 29 } };
	json_t *h, *facts;

	(void)state;
	assert_int_equal(api.st->ops->host_enrol(api.st, "h-a", "abcd", NOW - 5), 0);
	assert_int_equal(api.st->ops->host_up(api.st, "h-a", "boot-7", &f, NOW), 0);
	assert_int_equal(api.st->ops->parts_replace(api.st, "h-a", p, 2), 0);
	assert_int_equal(req("GET", "/v1/hosts", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "hosts")), 1);
	h = json_array_get(json_object_get(body, "hosts"), 0);
	assert_string_equal(json_string_value(json_object_get(h, "id")), "h-a");
	assert_string_equal(json_string_value(json_object_get(h, "state")), "up");
	assert_string_equal(json_string_value(json_object_get(h, "boot_id")), "boot-7");
	assert_true(json_is_null(json_object_get(h, "rtt_us")));
	facts = json_object_get(h, "facts");
	assert_int_equal(json_integer_value(json_object_get(facts, "cpus")), 8);
	assert_int_equal(json_integer_value(json_object_get(facts, "memory")), 1ll << 34);
	assert_string_equal(json_string_value(json_object_get(facts, "version")), "1.0");
	assert_int_equal(req("GET", "/v1/partitions?host=h-a", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "partitions")), 2);
	h = json_array_get(json_object_get(body, "partitions"), 1);
	assert_string_equal(json_string_value(json_object_get(h, "name")), "web");
	assert_string_equal(json_string_value(json_object_get(h, "state")), "running");
	assert_true(json_is_true(json_object_get(h, "from_config")));
	assert_int_equal(req("GET", "/v1/hosts/h-a", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "partitions")), 2);
	assert_int_equal(req("POST", "/v1/hosts/h-a/revoke", ADMIN, "r1", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "task"),
							      "target")), "h-a");
	assert_int_equal(req("GET", "/v1/hosts/h-a", VIEWER, NULL, NULL), 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "host"),
							      "state")), "revoked");
}

static void test_events_and_metrics(void **state)
{
	struct host_facts f = { .cpus = 1 };
	char *m;

	(void)state;
	assert_int_equal(api.st->ops->host_enrol(api.st, "h-a", "k", NOW), 0);
	assert_int_equal(api.st->ops->host_enrol(api.st, "h-b", "k", NOW), 0);
	assert_int_equal(api.st->ops->host_up(api.st, "h-a", "b", &f, NOW), 0);
	assert_int_equal(api.st->ops->host_rtt(api.st, "h-a", 1500, NOW), 0);
	for (uint64_t s = 1; s <= 3; s++) {
		struct event_rec e = { .agent_seq = s, .state = 2, .time = NOW };

		snprintf(e.host_id, sizeof(e.host_id), "h-a");
		snprintf(e.boot_id, sizeof(e.boot_id), "b");
		snprintf(e.partition, sizeof(e.partition), "web");
		assert_int_equal(api.st->ops->event_add(api.st, &e), 1);
	}
	assert_int_equal(req("GET", "/v1/events?after=1", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "events")), 2);
	assert_int_equal(json_integer_value(json_object_get(body, "last")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
				 json_object_get(body, "events"), 0), "seq")), 2);
	atomic_store(&metrics.protocol_errors, 2);
	assert_int_equal(req("GET", "/metrics", VIEWER, NULL, NULL), 200);
	m = resp.body;
	assert_non_null(strstr(m, "\nplinth_hosts{state=\"up\"} 1\n"));
	assert_non_null(strstr(m, "\nplinth_hosts{state=\"down\"} 1\n"));
	assert_non_null(strstr(m, "\nplinth_hosts{state=\"revoked\"} 0\n"));
	assert_non_null(strstr(m, "\nplinth_agent_rtt_seconds{host=\"h-a\"} 0.001500\n"));
	assert_null(strstr(m, "host=\"h-b\""));
	assert_non_null(strstr(m, "\nplinth_protocol_errors_total 2\n"));
	assert_non_null(strstr(m, "\nplinth_upload_bytes_total 0\n"));
	assert_non_null(strstr(m, "\nplinth_partitions{state=\"running\"} 0\n"));
	assert_non_null(strstr(m, "# TYPE plinth_agent_connections_total counter\n"));
}

static const char *err_msg(void)
{
	return json_string_value(json_object_get(json_object_get(body, "error"), "message"));
}

/* Uploads n bytes of pattern c as an image: its sha256 (static). */
static const char *upload(char c, size_t n, int want)
{
	static char sha[SHA256_HEX_LEN];
	char *data = malloc(n);

	memset(data, c, n);
	assert_int_equal(req_n("POST", "/v1/images", ADMIN, NULL, data, n), want);
	sha256_hex(data, n, sha);
	free(data);
	return sha;
}

static void test_image_upload(void **state)
{
	char file[160], sha[SHA256_HEX_LEN], p[160];
	json_t *img;
	FILE *f;

	(void)state;
	snprintf(sha, sizeof(sha), "%s", upload('k', 100000, 201));
	img = json_object_get(body, "image");
	assert_string_equal(json_string_value(json_object_get(img, "sha256")), sha);
	assert_int_equal(json_integer_value(json_object_get(img, "size")), 100000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "task"),
							      "kind")), "image.upload");
	/* Stored whole under its hash, and nothing else left in the directory. */
	snprintf(file, sizeof(file), "%s/%s", images, sha);
	f = fopen(file, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_int_equal(ftell(f), 100000);
	fclose(f);
	snprintf(p, sizeof(p), "test $(ls -A '%s' | wc -l) = 1", images);
	assert_int_equal(system(p), 0);
	/* The same bytes: the same image. */
	upload('k', 100000, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "image"),
							      "sha256")), sha);
	assert_int_equal(req("GET", "/v1/images", VIEWER, NULL, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(body, "images")), 1);
	snprintf(p, sizeof(p), "/v1/images/%s", sha);
	assert_int_equal(req("GET", p, VIEWER, NULL, NULL), 200);
	assert_int_equal(req("GET", "/v1/images/xyz", VIEWER, NULL, NULL), 400);
	assert_string_equal(err_field(), "sha256");
	snprintf(p, sizeof(p), "/v1/images/%064d", 0);
	assert_int_equal(req("GET", p, VIEWER, NULL, NULL), 404);
	/* Over the limit, empty, or from a viewer: refused, nothing stored. */
	api.upload_max = 1000;
	upload('x', 1001, 413);
	assert_string_equal(err_field(), "body");
	assert_non_null(strstr(err_msg(), "1000 bytes"));
	assert_int_equal(req_n("POST", "/v1/images", ADMIN, NULL, "", 0), 400);
	assert_int_equal(req_n("POST", "/v1/images", VIEWER, NULL, "abc", 3), 403);
	snprintf(p, sizeof(p), "test $(ls -A '%s' | wc -l) = 1", images);
	assert_int_equal(system(p), 0);
}

static size_t short_left;

/* A body of short_left bytes of 'a'. */
static long short_read(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	n = n < short_left ? n : short_left;
	memset(buf, 'a', n);
	short_left -= n;
	return (long)n;
}

static void test_image_ingest_short_body(void **state)
{
	char sha[SHA256_HEX_LEN], err[160], p[160];

	(void)state;
	/* A body that ends before its Content-Length: an error, and no file left behind. */
	short_left = 3;
	assert_int_not_equal(image_ingest(images, short_read, NULL, 10, sha, err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "3 of 10"));
	snprintf(p, sizeof(p), "test $(ls -A '%s' | wc -l) = 0", images);
	assert_int_equal(system(p), 0);
}

static void test_partition_create_validation(void **state)
{
	static const struct { const char *body, *field, *msg; } bad[] = {
		{ "[1]", "body", "JSON object" },
		{ "{\"name\":\"web\"}", "host", "host id" },
		{ "{\"host\":\"h-none\",\"name\":\"web\"}", "host", "no such host" },
		{ "{\"host\":\"h-a\",\"name\":\"Web!\"}", "name", "partition name" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":0,\"memory_mib\":64}", "vcpus",
		  "between 1 and 64" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":\"2\",\"memory_mib\":64}",
		  "vcpus", "integer" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2}", "memory_mib", "required" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,\"memory_mib\":15}",
		  "memory_mib", "between 16 and 1048576" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,\"memory_mib\":64}", "kernel",
		  "required" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,\"memory_mib\":64,"
		  "\"kernel\":\"abc\"}", "kernel", "sha256" },
		{ "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,\"memory_mib\":64,\"kernel\":"
		  "\"0000000000000000000000000000000000000000000000000000000000000000\"}", "kernel",
		  "no image with that sha256" },
	};
	char good[1024], sha[SHA256_HEX_LEN], big[700];
	json_t *task, *op;

	(void)state;
	assert_int_equal(api.st->ops->host_enrol(api.st, "h-a", "k", NOW), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(req("POST", "/v1/partitions", ADMIN, NULL, bad[i].body), 400);
		assert_string_equal(err_field(), bad[i].field);
		assert_non_null(strstr(err_msg(), bad[i].msg));
	}
	snprintf(sha, sizeof(sha), "%s", upload('k', 4096, 201));
	memset(big, 'a', 600);
	big[600] = '\0';
	snprintf(good, sizeof(good), "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,"
		 "\"memory_mib\":64,\"kernel\":\"%s\",\"cmdline\":\"%s\"}", sha, big);
	assert_int_equal(req("POST", "/v1/partitions", ADMIN, NULL, good), 400);
	assert_string_equal(err_field(), "cmdline");
	snprintf(good, sizeof(good), "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,"
		 "\"memory_mib\":64,\"kernel\":\"%s\",\"initrd\":\"%s\",\"switch\":\"Bad\"}",
		 sha, sha);
	assert_int_equal(req("POST", "/v1/partitions", ADMIN, NULL, good), 400);
	assert_string_equal(err_field(), "switch");
	assert_int_equal(kicks, 0);
	snprintf(good, sizeof(good), "{\"host\":\"h-a\",\"name\":\"web\",\"vcpus\":2,"
		 "\"memory_mib\":64,\"kernel\":\"%s\",\"cmdline\":\"console=ttyS0\"}", sha);
	assert_int_equal(req("POST", "/v1/partitions", VIEWER, NULL, good), 403);
	assert_int_equal(req("POST", "/v1/partitions", ADMIN, NULL, good), 202);
	task = json_object_get(body, "task");
	assert_string_equal(json_string_value(json_object_get(task, "kind")), "create");
	assert_string_equal(json_string_value(json_object_get(task, "state")), "queued");
	assert_string_equal(json_string_value(json_object_get(task, "host")), "h-a");
	assert_string_equal(json_string_value(json_object_get(task, "partition")), "web");
	assert_true(json_is_null(json_object_get(task, "error")));
	/* The host's session was told, and the task holds what the OP will carry. */
	assert_int_equal(kicks, 1);
	assert_string_equal(kicked, "h-a");
	{
		struct task_rec t;

		assert_int_equal(api.st->ops->task_get(api.st, json_integer_value(
						json_object_get(task, "id")), &t), 0);
		op = json_loads(t.op, 0, NULL);
		assert_non_null(op);
		assert_int_equal(json_integer_value(json_object_get(op, "memory")), 64ll << 20);
		assert_int_equal(json_integer_value(json_object_get(op, "vcpus")), 2);
		assert_string_equal(json_string_value(json_object_get(op, "kernel")), sha);
		assert_string_equal(json_string_value(json_object_get(op, "cmdline")),
				    "console=ttyS0");
		json_decref(op);
	}
}

static void test_partition_ops(void **state)
{
	static const char *const ops[] = { "start", "stop", "reboot" };
	char p[128];
	struct task_rec t;

	(void)state;
	assert_int_equal(api.st->ops->host_enrol(api.st, "h-a", "k", NOW), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "/v1/partitions/h-a/web/%s", ops[i]);
		assert_int_equal(req("POST", p, ADMIN, NULL, NULL), 202);
		assert_string_equal(json_string_value(json_object_get(json_object_get(body, "task"),
								      "kind")), ops[i]);
		assert_int_equal(req("GET", p, ADMIN, NULL, NULL), 405);
	}
	assert_int_equal(req("DELETE", "/v1/partitions/h-a/web", ADMIN, "del-1", NULL), 202);
	assert_int_equal(req("DELETE", "/v1/partitions/h-a/web", ADMIN, "del-1", NULL), 200);
	assert_true(json_is_true(json_object_get(body, "replayed")));
	assert_int_equal(kicks, 4);
	assert_int_equal(req("POST", "/v1/partitions/h-a/Bad/start", ADMIN, NULL, NULL), 400);
	assert_string_equal(err_field(), "name");
	assert_int_equal(req("POST", "/v1/partitions/H/web/start", ADMIN, NULL, NULL), 400);
	assert_string_equal(err_field(), "host");
	assert_int_equal(req("POST", "/v1/partitions/h-none/web/start", ADMIN, NULL, NULL), 404);
	assert_int_equal(req("POST", "/v1/partitions/h-a/web/explode", ADMIN, NULL, NULL), 404);
	assert_int_equal(req("POST", "/v1/partitions/h-a/web/start", VIEWER, NULL, NULL), 403);
	/* A failed operation's task: its error as {kind, message}. */
	assert_int_equal(api.st->ops->task_get(api.st, 1, &t), 0);
	t.state = TASK_FAILED;
	snprintf(t.error_kind, sizeof(t.error_kind), "no_virt");
	snprintf(t.error, sizeof(t.error), "no hardware virtualization on this host");
	assert_int_equal(api.st->ops->task_update(api.st, &t), 0);
	assert_int_equal(req("GET", "/v1/tasks/1", VIEWER, NULL, NULL), 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
				    body, "task"), "error"), "kind")), "no_virt");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
				    body, "task"), "error"), "message")),
			    "no hardware virtualization on this host");
	assert_int_equal(req("GET", "/metrics", VIEWER, NULL, NULL), 200);
	assert_non_null(strstr(resp.body, "\nplinth_tasks{state=\"queued\"} 3\n"));
	assert_non_null(strstr(resp.body, "\nplinth_tasks{state=\"failed\"} 1\n"));
}

static void test_stream_tokens(void **state)
{
	char role[ST_NAME_MAX];

	(void)state;
	assert_int_equal(api_stream_role(&api, "Bearer " ADMIN, NULL, role), 0);
	assert_string_equal(role, "admin");
	assert_int_equal(api_stream_role(&api, NULL, "x=1&token=" VIEWER, role), 0);
	assert_string_equal(role, "viewer");
	assert_int_not_equal(api_stream_role(&api, NULL, "token=nope", role), 0);
	assert_int_not_equal(api_stream_role(&api, NULL, NULL, role), 0);
	assert_int_not_equal(api_stream_role(&api, "Basic abc", "tok=" ADMIN, role), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validation_names_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_over_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enrol_token_shape_and_idempotency, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_host_shapes_and_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_upload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_ingest_short_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition_create_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_tokens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
