// SPDX-License-Identifier: GPL-2.0
/*
 * plinthctl: the command line client of plinth-controller's REST API
 * (libcurl, jansson). Human output is aligned tables; --json prints the
 * server's JSON as it came. An error prints the server's field and message
 * and exits 1.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "plinthctl.h"

struct buf {
	char *p;
	size_t len;
};

static size_t on_data(char *d, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->len + sz * n + 1);

	if (!p)
		return 0;
	memcpy(p + b->len, d, sz * n);
	b->p = p;
	b->len += sz * n;
	b->p[b->len] = '\0';
	return sz * n;
}

/*
 * Calls the API: the parsed JSON answer (NULL after printing why), with
 * *raw the body text when wanted. HTTP errors print the server's error.
 */
json_t *call(struct ctl *c, const char *method, const char *path, const char *body,
		    char **raw)
{
	char url[2048], hdr[512], idem[300];
	struct curl_slist *h = NULL;
	struct buf b = { 0 };
	json_error_t jerr;
	json_t *j, *e;
	CURL *curl;
	CURLcode rc;
	long status = 0;

	curl = curl_easy_init();
	if (!curl)
		return NULL;
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", c->token ? c->token : "");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (c->idem && strcmp(method, "GET")) {
		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", c->idem);
		h = curl_slist_append(h, idem);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "plinthctl: %s: %s\n", url, curl_easy_strerror(rc));
		free(b.p);
		return NULL;
	}
	j = b.p ? json_loads(b.p, 0, &jerr) : NULL;
	if (status >= 400) {
		e = json_object_get(json_object_get(j, "error"), "message");
		fprintf(stderr, "plinthctl: error (HTTP %ld): ", status);
		if (json_string_value(json_object_get(json_object_get(j, "error"), "field")))
			fprintf(stderr, "%s: ", json_string_value(json_object_get(
							json_object_get(j, "error"), "field")));
		fprintf(stderr, "%s\n", e ? json_string_value(e) : "no error message");
		json_decref(j);
		free(b.p);
		return NULL;
	}
	if (!j)
		fprintf(stderr, "plinthctl: the server's answer is not JSON\n");
	if (raw)
		*raw = b.p;
	else
		free(b.p);
	return j;
}

/* The JSON of a call, printed raw with --json: true when the caller should print it itself. */
json_t *get(struct ctl *c, const char *method, const char *path, const char *body,
		   bool *human)
{
	char *raw = NULL;
	json_t *j = call(c, method, path, body, c->json ? &raw : NULL);

	*human = !c->json;
	if (j && raw)
		fputs(raw, stdout);
	free(raw);
	return j;
}

const char *s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

const char *num(json_t *o, const char *k, char *buf, size_t len)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static int cmd_token_create(struct ctl *c)
{
	char body[64], t[32];
	bool human;
	json_t *j;

	snprintf(body, sizeof(body), "{\"ttl_s\": %s}", c->ttl ? c->ttl : "3600");
	if (c->ttl && (!c->ttl[0] || c->ttl[strspn(c->ttl, "0123456789")])) {
		/* Not a number: send it as a string so the server names the field. */
		snprintf(body, sizeof(body), "{\"ttl_s\": \"%.40s\"}", c->ttl);
	}
	j = get(c, "POST", "/v1/enrol-tokens", body, &human);
	if (!j)
		return 1;
	if (human) {
		json_t *task = json_object_get(j, "task");

		if (json_object_get(j, "token")) {
			printf("token:   %s\nexpires: %s\n", s(j, "token"),
			       fmt_time(json_integer_value(json_object_get(j, "expires_at")), t,
					sizeof(t)));
		} else {
			printf("(a repeated request: the token was shown only the first time)\n");
		}
		printf("task:    %lld\n",
		       (long long)json_integer_value(json_object_get(task, "id")));
	}
	json_decref(j);
	return 0;
}

static void host_rows(struct table *t, json_t *arr)
{
	size_t i;
	json_t *h;

	json_array_foreach(arr, i, h) {
		json_t *f = json_object_get(h, "facts");
		char cpus[32], mem[32], rtt[32], seen[32];
		json_t *r = json_object_get(h, "rtt_us");

		snprintf(cpus, sizeof(cpus), "%lld/%lld",
			 (long long)json_integer_value(json_object_get(f, "cpus_free")),
			 (long long)json_integer_value(json_object_get(f, "cpus")));
		fmt_bytes((uint64_t)json_integer_value(json_object_get(f, "memory")), mem,
			  sizeof(mem));
		if (json_is_integer(r))
			snprintf(rtt, sizeof(rtt), "%.1f ms", (double)json_integer_value(r) / 1000);
		else
			snprintf(rtt, sizeof(rtt), "-");
		const char *row[] = { s(h, "id"), s(h, "state"), s(h, "boot_id"), cpus, mem, rtt,
				      fmt_time(json_integer_value(json_object_get(h, "last_seen")),
					       seen, sizeof(seen)) };
		table_row(t, row);
	}
}

static void part_rows(struct table *t, json_t *arr)
{
	size_t i;
	json_t *p;

	json_array_foreach(arr, i, p) {
		uint64_t bytes = (uint64_t)json_integer_value(json_object_get(p, "memory"));
		bool cfg = json_is_true(json_object_get(p, "from_config"));
		char vcpus[16], mem[32];
		const char *row[] = { s(p, "host"), s(p, "name"), s(p, "state"),
				      num(p, "vcpus", vcpus, sizeof(vcpus)),
				      fmt_bytes(bytes, mem, sizeof(mem)), cfg ? "yes" : "no" };
		table_row(t, row);
	}
}

static const char *const host_head[] = { "ID", "STATE", "BOOT", "CPUS FREE", "MEMORY", "RTT",
					 "LAST SEEN" };
static const char *const part_head[] = { "HOST", "NAME", "STATE", "VCPUS", "MEMORY",
					 "FROM CONFIG" };

static int cmd_host(struct ctl *c, const char *sub)
{
	char path[256];
	struct table t;
	bool human;
	json_t *j;

	if (!strcmp(sub, "list")) {
		j = get(c, "GET", "/v1/hosts", NULL, &human);
		if (j && human) {
			table_init(&t, 7, host_head);
			host_rows(&t, json_object_get(j, "hosts"));
			table_print(&t);
		}
	} else if (c->npos != 3) {
		fprintf(stderr, "plinthctl: host %s needs a host id\n", sub);
		return 2;
	} else if (!strcmp(sub, "show")) {
		json_t *h, *f;
		char mem[32], t1[32];

		snprintf(path, sizeof(path), "/v1/hosts/%s", c->pos[2]);
		j = get(c, "GET", path, NULL, &human);
		if (j && human) {
			h = json_object_get(j, "host");
			f = json_object_get(h, "facts");
			printf("id:        %s\nstate:     %s\nboot:      %s\nversion:   %s\n",
			       s(h, "id"), s(h, "state"), s(h, "boot_id"), s(f, "version"));
			printf("cpus:      %lld (%lld free)\nmemory:    %s\nenrolled:  %s\n",
			       (long long)json_integer_value(json_object_get(f, "cpus")),
			       (long long)json_integer_value(json_object_get(f, "cpus_free")),
			       fmt_bytes((uint64_t)json_integer_value(json_object_get(f, "memory")),
					 mem, sizeof(mem)),
			       fmt_time(json_integer_value(json_object_get(h, "enrolled_at")), t1,
					sizeof(t1)));
			printf("key:       %s\n\n", s(h, "key_sha256"));
			table_init(&t, 6, part_head);
			part_rows(&t, json_object_get(j, "partitions"));
			table_print(&t);
		}
	} else if (!strcmp(sub, "revoke")) {
		snprintf(path, sizeof(path), "/v1/hosts/%s/revoke", c->pos[2]);
		j = get(c, "POST", path, NULL, &human);
		if (j && human)
			printf("host %s revoked (task %lld)\n", c->pos[2],
			       (long long)json_integer_value(
				       json_object_get(json_object_get(j, "task"), "id")));
	} else {
		fprintf(stderr, "plinthctl: host list|show ID|revoke ID\n");
		return 2;
	}
	json_decref(j);
	return j ? 0 : 1;
}

static int cmd_vm_list(struct ctl *c)
{
	char path[256];
	struct table t;
	bool human;
	json_t *j;

	snprintf(path, sizeof(path), "/v1/partitions%s%s", c->host ? "?host=" : "",
		 c->host ? c->host : "");
	j = get(c, "GET", path, NULL, &human);
	if (j && human) {
		table_init(&t, 6, part_head);
		part_rows(&t, json_object_get(j, "partitions"));
		table_print(&t);
	}
	json_decref(j);
	return j ? 0 : 1;
}

static int cmd_event_list(struct ctl *c)
{
	static const char *const head[] = { "SEQ", "TIME", "HOST", "PARTITION", "STATE", "TEXT" };
	char path[256];
	struct table t;
	bool human;
	json_t *j, *e;
	size_t i;

	snprintf(path, sizeof(path), "/v1/events?after=%s", c->after ? c->after : "0");
	j = get(c, "GET", path, NULL, &human);
	if (j && human) {
		table_init(&t, 6, head);
		json_array_foreach(json_object_get(j, "events"), i, e) {
			int64_t when = json_integer_value(json_object_get(e, "time"));
			char seq[32], tm[32];
			const char *row[] = { num(e, "seq", seq, sizeof(seq)),
					      fmt_time(when, tm, sizeof(tm)), s(e, "host"),
					      s(e, "partition"), s(e, "state"), s(e, "text") };
			table_row(&t, row);
		}
		table_print(&t);
	}
	json_decref(j);
	return j ? 0 : 1;
}

static const char *task_error(json_t *k, char *buf, size_t len);

static void task_row(struct table *t, json_t *k)
{
	json_t *p = json_object_get(k, "progress");
	char id[32], prog[48], tm[32], err[300];

	snprintf(prog, sizeof(prog), "%lld/%lld",
		 (long long)json_integer_value(json_object_get(p, "done")),
		 (long long)json_integer_value(json_object_get(p, "total")));
	const char *row[] = { num(k, "id", id, sizeof(id)), s(k, "kind"), s(k, "target"),
			      s(k, "state"), prog,
			      fmt_time(json_integer_value(json_object_get(k, "created_at")), tm,
				       sizeof(tm)),
			      task_error(k, err, sizeof(err)) };
	table_row(t, row);
}

static const char *const task_head[] = { "ID", "KIND", "TARGET", "STATE", "PROGRESS", "CREATED",
					 "ERROR" };

/* "kind: message" of a task's error, "" when none. */
static const char *task_error(json_t *k, char *buf, size_t len)
{
	json_t *e = json_object_get(k, "error");

	if (!json_is_object(e))
		return "";
	snprintf(buf, len, "%s: %s", s(e, "kind"), s(e, "message"));
	return buf;
}

int task_wait(struct ctl *c, long long id)
{
	double timeout = c->timeout ? atof(c->timeout) : 60;
	bool tty = isatty(2) && !c->json;
	struct timespec t0, now;
	char path[128], err[300];
	useconds_t pause = 5000;
	json_t *j, *k;

	snprintf(path, sizeof(path), "/v1/tasks/%lld", id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const char *state;

		j = call(c, "GET", path, NULL, NULL);
		if (!j)
			return 1;
		k = json_object_get(j, "task");
		state = s(k, "state");
		if (tty)
			progress_bar((uint64_t)json_integer_value(json_object_get(
					     json_object_get(k, "progress"), "done")),
				     (uint64_t)json_integer_value(json_object_get(
					     json_object_get(k, "progress"), "total")), state);
		if (!strcmp(state, "succeeded") || !strcmp(state, "failed")) {
			int rc = strcmp(state, "succeeded") ? 1 : 0;

			if (tty)
				fputc('\n', stderr);
			if (c->json) {
				json_dumpf(j, stdout, JSON_COMPACT);
				putchar('\n');
			} else {
				printf("task %lld %s\n", id, state);
			}
			if (rc)
				fprintf(stderr, "error: %s\n", task_error(k, err, sizeof(err)));
			json_decref(j);
			return rc;
		}
		json_decref(j);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 > timeout) {
			if (tty)
				fputc('\n', stderr);
			fprintf(stderr, "plinthctl: task %lld still %s after %g s\n", id, state,
				timeout);
			return 3;
		}
		/* Most tasks end within milliseconds: look again soon, then less often. */
		usleep(pause);
		if (pause < 200000)
			pause *= 2;
	}
}

static int cmd_task(struct ctl *c, const char *sub)
{
	struct table t;
	bool human;
	json_t *j, *k;
	size_t i;

	if (!strcmp(sub, "list")) {
		j = get(c, "GET", "/v1/tasks", NULL, &human);
		if (j && human) {
			table_init(&t, 7, task_head);
			json_array_foreach(json_object_get(j, "tasks"), i, k)
				task_row(&t, k);
			table_print(&t);
		}
		json_decref(j);
		return j ? 0 : 1;
	}
	if (!strcmp(sub, "wait") && c->npos == 3)
		return task_wait(c, atoll(c->pos[2]));
	fprintf(stderr, "plinthctl: task list|wait ID [--timeout S]\n");
	return 2;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: plinthctl [--url URL] [--token T] [--json] [--idempotency-key K] COMMAND\n"
		"  token create [--ttl S]     an enrolment token (shown once)\n"
		"  host list | host show ID | host revoke ID\n"
		"  vm list [--host ID]        partitions, as their hosts last reported them\n"
		"  vm create --host H --name N --vcpus N --memory MIB --kernel SHA|FILE\n"
		"            [--initrd SHA|FILE] [--cmdline S] [--switch S] [--no-wait]\n"
		"  vm start|stop|reboot|delete HOST/NAME [--no-wait] [--timeout S]\n"
		"  vm console HOST/NAME [--until REGEX] [--timeout S]   Ctrl-] quits\n"
		"  image upload FILE [--name N] | image list\n"
		"  event list [--after N]\n"
		"  task list | task wait ID [--timeout S]\n"
		"URL defaults to $PLINTH_URL or http://127.0.0.1:8080, T to $PLINTH_TOKEN.\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct ctl c = { .url = getenv("PLINTH_URL"), .token = getenv("PLINTH_TOKEN") };
	struct { const char *name; const char **dst; } vopts[] = {
		{ "--url", &c.url }, { "--token", &c.token }, { "--idempotency-key", &c.idem },
		{ "--ttl", &c.ttl }, { "--host", &c.host }, { "--after", &c.after },
		{ "--timeout", &c.timeout }, { "--name", &c.name }, { "--vcpus", &c.vcpus },
		{ "--memory", &c.memory }, { "--kernel", &c.kernel }, { "--initrd", &c.initrd },
		{ "--cmdline", &c.cmdline }, { "--switch", &c.sw }, { "--until", &c.until },
	};
	int rc;

	for (int i = 1; i < argc; i++) {
		bool known = false;

		if (!strcmp(argv[i], "--json")) {
			c.json = true;
			continue;
		}
		if (!strcmp(argv[i], "--no-wait")) {
			c.no_wait = true;
			continue;
		}
		for (size_t k = 0; k < sizeof(vopts) / sizeof(vopts[0]); k++) {
			if (!strcmp(argv[i], vopts[k].name)) {
				if (i + 1 >= argc)
					return usage();
				*vopts[k].dst = argv[++i];
				known = true;
			}
		}
		if (known)
			continue;
		if (argv[i][0] == '-' || c.npos == 4)
			return usage();
		c.pos[c.npos++] = argv[i];
	}
	if (!c.url || !c.url[0])
		c.url = "http://127.0.0.1:8080";
	if (c.npos < 2)
		return usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!strcmp(c.pos[0], "token") && !strcmp(c.pos[1], "create") && c.npos == 2)
		rc = cmd_token_create(&c);
	else if (!strcmp(c.pos[0], "host"))
		rc = cmd_host(&c, c.pos[1]);
	else if (!strcmp(c.pos[0], "vm") && !strcmp(c.pos[1], "list") && c.npos == 2)
		rc = cmd_vm_list(&c);
	else if (!strcmp(c.pos[0], "vm") && !strcmp(c.pos[1], "create") && c.npos == 2)
		rc = cmd_vm_create(&c);
	else if (!strcmp(c.pos[0], "vm") && !strcmp(c.pos[1], "console") && c.npos == 3)
		rc = cmd_vm_console(&c);
	else if (!strcmp(c.pos[0], "vm") && c.npos == 3)
		rc = cmd_vm_op(&c, c.pos[1]);
	else if (!strcmp(c.pos[0], "image"))
		rc = cmd_image(&c, c.pos[1]);
	else if (!strcmp(c.pos[0], "event") && !strcmp(c.pos[1], "list") && c.npos == 2)
		rc = cmd_event_list(&c);
	else if (!strcmp(c.pos[0], "task"))
		rc = cmd_task(&c, c.pos[1]);
	else
		rc = usage();
	curl_global_cleanup();
	return rc;
}
