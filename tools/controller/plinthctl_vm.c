// SPDX-License-Identifier: GPL-2.0
/*
 * plinthctl's image and partition commands: uploads (streamed from the
 * file, with a progress bar on a terminal), `vm create` (uploading any
 * image given as a file first) and the partition operations, which wait
 * for their task unless --no-wait.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "plinthctl.h"

struct upload {
	FILE *f;
	char *resp;
	size_t resp_len;
};

static size_t up_read(char *buf, size_t sz, size_t n, void *arg)
{
	struct upload *u = arg;

	return fread(buf, 1, sz * n, u->f);
}

static size_t up_write(char *d, size_t sz, size_t n, void *arg)
{
	struct upload *u = arg;
	char *p = realloc(u->resp, u->resp_len + sz * n + 1);

	if (!p)
		return 0;
	memcpy(p + u->resp_len, d, sz * n);
	u->resp = p;
	u->resp_len += sz * n;
	p[u->resp_len] = '\0';
	return sz * n;
}

static int up_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	if (ultotal)
		progress_bar((uint64_t)ulnow, (uint64_t)ultotal, "uploading");
	return 0;
}

/* POSTs the file at path as an image: 0 with its sha256 in sha (65), else 1 after saying why. */
static int upload_file(struct ctl *c, const char *path, const char *name, char *sha,
		       json_t **answer)
{
	char url[2048], auth[512], xname[300], pathcopy[4096];
	struct curl_slist *h = NULL;
	struct upload u = { 0 };
	bool tty = isatty(2) && !c->json;
	struct stat st;
	long status = 0;
	CURLcode rc;
	json_t *j, *e;
	CURL *curl;

	u.f = fopen(path, "rb");
	if (!u.f || fstat(fileno(u.f), &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "plinthctl: %s: not a readable file\n", path);
		if (u.f)
			fclose(u.f);
		return 1;
	}
	snprintf(pathcopy, sizeof(pathcopy), "%s", path);
	curl = curl_easy_init();
	snprintf(url, sizeof(url), "%s/v1/images", c->url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token ? c->token : "");
	snprintf(xname, sizeof(xname), "X-Image-Name: %.250s", name ? name : basename(pathcopy));
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, xname);
	h = curl_slist_append(h, "Content-Type: application/octet-stream");
	h = curl_slist_append(h, "Expect:");
	if (c->idem) {
		char idem[300];

		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", c->idem);
		h = curl_slist_append(h, idem);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, up_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, up_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &u);
	if (tty) {
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, up_progress);
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	fclose(u.f);
	if (tty)
		fputc('\n', stderr);
	if (rc != CURLE_OK && !status) {
		fprintf(stderr, "plinthctl: %s: %s\n", url, curl_easy_strerror(rc));
		free(u.resp);
		return 1;
	}
	j = u.resp ? json_loads(u.resp, 0, NULL) : NULL;
	if (status >= 400 || !j) {
		e = json_object_get(j, "error");
		fprintf(stderr, "plinthctl: error (HTTP %ld): %s%s%s\n", status, s(e, "field"),
			s(e, "field")[0] ? ": " : "", e ? s(e, "message") : "no error message");
		json_decref(j);
		free(u.resp);
		return 1;
	}
	snprintf(sha, 65, "%s", s(json_object_get(j, "image"), "sha256"));
	if (answer)
		*answer = j;
	else
		json_decref(j);
	free(u.resp);
	return 0;
}

static bool is_sha(const char *v)
{
	return strlen(v) == 64 && strspn(v, "0123456789abcdef") == 64;
}

/* An image argument: a sha256 as it is, or a file uploaded first (its sha256). */
static int image_arg(struct ctl *c, const char *v, char *sha)
{
	if (is_sha(v) && access(v, F_OK)) {
		snprintf(sha, 65, "%s", v);
		return 0;
	}
	if (upload_file(c, v, NULL, sha, NULL))
		return 1;
	if (!c->json)
		fprintf(stderr, "uploaded %s as %s\n", v, sha);
	return 0;
}

int cmd_image(struct ctl *c, const char *sub)
{
	static const char *const head[] = { "SHA256", "SIZE", "NAME", "CREATED" };
	struct table t;
	bool human;
	json_t *j, *i;
	size_t k;

	if (!strcmp(sub, "upload") && c->npos == 3) {
		char sha[65];

		if (upload_file(c, c->pos[2], c->name, sha, &j))
			return 1;
		if (c->json) {
			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
		} else {
			printf("%s\n", sha);
		}
		json_decref(j);
		return 0;
	}
	if (!strcmp(sub, "list") && c->npos == 2) {
		j = get(c, "GET", "/v1/images", NULL, &human);
		if (j && human) {
			table_init(&t, 4, head);
			json_array_foreach(json_object_get(j, "images"), k, i) {
				char size[32], tm[32];
				const char *row[] = {
					s(i, "sha256"),
					fmt_bytes((uint64_t)json_integer_value(json_object_get(i,
						"size")), size, sizeof(size)),
					s(i, "name"),
					fmt_time(json_integer_value(json_object_get(i,
						"created_at")), tm, sizeof(tm)) };
				table_row(&t, row);
			}
			table_print(&t);
		}
		json_decref(j);
		return j ? 0 : 1;
	}
	fprintf(stderr, "plinthctl: image upload FILE [--name N] | image list\n");
	return 2;
}

/* A task answer: waited for, or with --no-wait its id printed. */
static int task_answer(struct ctl *c, json_t *j)
{
	json_t *t = json_object_get(j, "task");
	long long id = (long long)json_integer_value(json_object_get(t, "id"));
	int rc = 0;

	if (c->no_wait) {
		if (c->json) {
			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
		} else {
			printf("task %lld %s\n", id, s(t, "state"));
		}
	} else {
		rc = task_wait(c, id);
	}
	json_decref(j);
	return rc;
}

/* An integer option as JSON: a number, or the text as given so the server names the field. */
static json_t *int_opt(const char *v)
{
	char *end;
	long long n;

	if (!v)
		return json_null();
	n = strtoll(v, &end, 10);
	return *v && !*end ? json_integer(n) : json_string(v);
}

int cmd_vm_create(struct ctl *c)
{
	char kernel[65] = "", initrd[65] = "";
	json_t *body, *j;
	char *text;

	if (!c->kernel) {
		fprintf(stderr, "plinthctl: vm create needs --kernel SHA|FILE\n");
		return 2;
	}
	if (image_arg(c, c->kernel, kernel) || (c->initrd && image_arg(c, c->initrd, initrd)))
		return 1;
	body = json_pack("{s:s, s:s, s:o, s:o, s:s}", "host", c->host ? c->host : "", "name",
			 c->name ? c->name : "", "vcpus", int_opt(c->vcpus), "memory_mib",
			 int_opt(c->memory), "kernel", kernel);
	if (initrd[0])
		json_object_set_new(body, "initrd", json_string(initrd));
	if (c->cmdline)
		json_object_set_new(body, "cmdline", json_string(c->cmdline));
	if (c->sw)
		json_object_set_new(body, "switch", json_string(c->sw));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	j = call(c, "POST", "/v1/partitions", text, NULL);
	free(text);
	return j ? task_answer(c, j) : 1;
}

int cmd_vm_op(struct ctl *c, const char *op)
{
	const char *target = c->pos[2], *slash = strchr(target, '/');
	char path[512];
	json_t *j;

	if (strcmp(op, "start") && strcmp(op, "stop") && strcmp(op, "reboot") &&
	    strcmp(op, "delete")) {
		fprintf(stderr, "plinthctl: vm start|stop|reboot|delete|console HOST/NAME\n");
		return 2;
	}
	if (!slash || slash == target || !slash[1] || strchr(slash + 1, '/')) {
		fprintf(stderr, "plinthctl: %s: not HOST/NAME\n", target);
		return 2;
	}
	if (!strcmp(op, "delete")) {
		snprintf(path, sizeof(path), "/v1/partitions/%s", target);
		j = call(c, "DELETE", path, NULL, NULL);
	} else {
		snprintf(path, sizeof(path), "/v1/partitions/%s/%s", target, op);
		j = call(c, "POST", path, NULL, NULL);
	}
	return j ? task_answer(c, j) : 1;
}
