// SPDX-License-Identifier: GPL-2.0
/*
 * Request validation and response shapes of the REST API. Each validator
 * names the offending field, so a client can point at it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "util.h"

json_t *api_error(const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_pack("{s:s}", "message", msg);
	if (field)
		json_object_set_new(e, "field", json_string(field));
	return json_pack("{s:o}", "error", e);
}

json_t *api_parse_enrol_token(const char *body, size_t len, int64_t *ttl)
{
	json_error_t jerr;
	json_t *root, *v;

	*ttl = ENROL_TTL_DEFAULT;
	if (!body || !len)
		return NULL;
	root = json_loadb(body, len, 0, &jerr);
	if (!root)
		return api_error("body", "not JSON: %s", jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return api_error("body", "must be a JSON object");
	}
	v = json_object_get(root, "ttl_s");
	if (v && !json_is_integer(v)) {
		json_decref(root);
		return api_error("ttl_s", "must be an integer number of seconds");
	}
	if (v) {
		json_int_t t = json_integer_value(v);

		if (t < ENROL_TTL_MIN || t > ENROL_TTL_MAX) {
			json_decref(root);
			return api_error("ttl_s", "must be between %d and %d seconds, not %lld",
					 ENROL_TTL_MIN, ENROL_TTL_MAX, (long long)t);
		}
		*ttl = t;
	}
	json_decref(root);
	return NULL;
}

/* Unescaped only as far as ids and tokens need (none). */
bool api_query_get(const char *query, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);

	for (const char *p = query; p && *p;) {
		const char *end = strchr(p, '&');
		size_t plen = end ? (size_t)(end - p) : strlen(p);

		if (plen > n && !strncmp(p, name, n) && p[n] == '=') {
			snprintf(out, len, "%.*s", (int)(plen - n - 1), p + n + 1);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

json_t *api_parse_after(const char *query, int64_t *after)
{
	char v[32];
	char *end;
	long long x;

	*after = 0;
	if (!api_query_get(query, "after", v, sizeof(v)))
		return NULL;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (!v[0] || *end || errno || x < 0 || !isdigit((unsigned char)v[0]))
		return api_error("after", "must be a non-negative event number");
	*after = x;
	return NULL;
}

json_t *api_parse_host_filter(const char *query, char *host, size_t len)
{
	host[0] = '\0';
	if (!api_query_get(query, "host", host, len))
		return NULL;
	if (!host_id_valid(host))
		return api_error("host", "must be a host id ([a-z0-9-]{1,63})");
	return NULL;
}

json_t *api_check_idem_key(const char *key)
{
	size_t n;

	if (!key)
		return NULL;
	n = strlen(key);
	if (n < 1 || n > IDEM_KEY_MAX)
		return api_error("Idempotency-Key", "must be 1 to %d characters", IDEM_KEY_MAX);
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return api_error("Idempotency-Key",
					 "must be printable ASCII without spaces");
	return NULL;
}

static const char *host_state(const struct host_rec *h)
{
	return h->revoked ? "revoked" : h->up ? "up" : "down";
}

json_t *api_host_json(const struct host_rec *h)
{
	json_t *j = json_pack("{s:s, s:s, s:b, s:b, s:I, s:I, s:s, s:s,"
			      " s:{s:s, s:I, s:I, s:I, s:I, s:I}}",
		"id", h->id, "state", host_state(h), "up", h->up, "revoked", h->revoked,
		"enrolled_at", (json_int_t)h->enrolled_at, "last_seen", (json_int_t)h->last_seen,
		"boot_id", h->boot_id, "key_sha256", h->key_sha256,
		"facts", "version", h->facts.version, "cpus", (json_int_t)h->facts.cpus,
		"cpus_free", (json_int_t)h->facts.cpus_free, "memory", (json_int_t)h->facts.memory,
		"memory_free", (json_int_t)h->facts.memory_free, "nics", (json_int_t)h->facts.nics);

	json_object_set_new(j, "rtt_us", h->rtt_us >= 0 ? json_integer(h->rtt_us) : json_null());
	return j;
}

static const char *const part_states[] = { "unknown", "created", "running", "stopping",
					   "stopped", "deleted" };

const char *api_part_state_name(uint32_t state)
{
	return state < sizeof(part_states) / sizeof(part_states[0]) ? part_states[state]
								     : "unknown";
}

json_t *api_part_json(const struct part_rec *p)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "host", p->host_id, "name", p->name,
			 "state", api_part_state_name(p->state), "vcpus", (json_int_t)p->vcpus,
			 "memory", (json_int_t)p->memory, "from_config", p->from_config);
}

json_t *api_event_json(const struct event_rec *e)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "seq", (json_int_t)e->seq,
			 "host", e->host_id, "boot_id", e->boot_id, "agent_seq",
			 (json_int_t)e->agent_seq, "partition", e->partition, "state",
			 api_part_state_name(e->state), "text", e->text, "time",
			 (json_int_t)e->time);
}

static const char *const task_states[] = { "queued", "running", "succeeded", "failed" };

json_t *api_task_json(const struct task_rec *t)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I}, s:I}", "id",
			      (json_int_t)t->id, "kind", t->kind, "target", t->target, "host",
			      t->host, "partition", t->partition, "state",
			      task_states[t->state & 3], "progress", "done", (json_int_t)t->done,
			      "total", (json_int_t)t->total, "created_at",
			      (json_int_t)t->created_at);

	json_object_set_new(j, "finished_at",
			    t->finished_at ? json_integer(t->finished_at) : json_null());
	json_object_set_new(j, "error", t->state == TASK_FAILED || t->error[0] ?
			    json_pack("{s:s, s:s}", "kind", t->error_kind[0] ? t->error_kind :
				      "internal", "message", t->error) : json_null());
	return j;
}

json_t *api_image_json(const struct image_rec *i)
{
	return json_pack("{s:s, s:I, s:s, s:I}", "sha256", i->sha256, "size", (json_int_t)i->size,
			 "name", i->name, "created_at", (json_int_t)i->created_at);
}

/* An optional string field: NULL (absent, or a string into out) or the error. */
static json_t *opt_string(json_t *root, const char *field, char *out, size_t len)
{
	json_t *v = json_object_get(root, field);

	out[0] = '\0';
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return api_error(field, "must be a string");
	if (json_string_length(v) >= len)
		return api_error(field, "must be shorter than %zu bytes", len);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return NULL;
}

static json_t *int_field(json_t *root, const char *field, long long lo, long long hi,
			 long long *out)
{
	json_t *v = json_object_get(root, field);

	if (!v)
		return api_error(field, "is required");
	if (!json_is_integer(v))
		return api_error(field, "must be an integer");
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return api_error(field, "must be between %lld and %lld, not %lld", lo, hi, *out);
	return NULL;
}

/* An image field: absent (optional), or the sha256 of an image the controller holds. */
static json_t *image_field(struct store *st, json_t *root, const char *field, bool required,
			   char sha[ST_HASH_MAX])
{
	struct image_rec img;
	char v[80];
	json_t *err = opt_string(root, field, v, sizeof(v));

	sha[0] = '\0';
	if (err)
		return err;
	if (!v[0])
		return required ? api_error(field, "is required (an image's sha256)") : NULL;
	if (!sha256_hex_valid(v))
		return api_error(field, "must be an image's sha256 (64 lowercase hex digits)");
	if (st->ops->image_get(st, v, &img))
		return api_error(field, "no image with that sha256");
	memcpy(sha, v, ST_HASH_MAX);
	return NULL;
}

json_t *api_parse_partition(struct store *st, const char *body, size_t len, struct task_rec *t)
{
	char kernel[ST_HASH_MAX], initrd[ST_HASH_MAX], cmdline[512], sw[ST_NAME_MAX];
	long long vcpus, mib;
	struct host_rec h;
	json_error_t jerr;
	json_t *root, *err, *op;
	char *dump;

	root = body && len ? json_loadb(body, len, 0, &jerr) : NULL;
	if (!root)
		return api_error("body", "a JSON object is required%s%s", body && len ? ": " : "",
				 body && len ? jerr.text : "");
	if (!json_is_object(root)) {
		err = api_error("body", "must be a JSON object");
		goto out;
	}
	err = opt_string(root, "host", t->host, sizeof(t->host));
	if (!err && !host_id_valid(t->host))
		err = api_error("host", "must be a host id ([a-z0-9-]{1,63})");
	if (!err && st->ops->host_get(st, t->host, &h))
		err = api_error("host", "no such host");
	if (!err)
		err = opt_string(root, "name", t->partition, sizeof(t->partition));
	if (!err && !part_name_valid(t->partition))
		err = api_error("name", "must be a partition name ([a-z0-9-]{1,31})");
	/* One vCPU unless asked, as in plinth.cfg. */
	vcpus = 1;
	if (!err && !json_is_null(json_object_get(root, "vcpus")) && json_object_get(root, "vcpus"))
		err = int_field(root, "vcpus", 1, PART_VCPUS_MAX, &vcpus);
	if (!err)
		err = int_field(root, "memory_mib", PART_MEM_MIB_MIN, PART_MEM_MIB_MAX, &mib);
	if (!err)
		err = image_field(st, root, "kernel", true, kernel);
	if (!err)
		err = image_field(st, root, "initrd", false, initrd);
	if (!err)
		err = opt_string(root, "cmdline", cmdline, sizeof(cmdline));
	for (size_t i = 0; !err && cmdline[i]; i++)
		if ((unsigned char)cmdline[i] < 0x20 || (unsigned char)cmdline[i] > 0x7e)
			err = api_error("cmdline", "must be printable ASCII");
	if (!err)
		err = opt_string(root, "switch", sw, sizeof(sw));
	if (!err && sw[0] && !part_name_valid(sw))
		err = api_error("switch", "must be a switch name ([a-z0-9-]{1,31})");
	if (err)
		goto out;
	op = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "kind", "create", "memory",
		       (json_int_t)(mib << 20), "vcpus", (json_int_t)vcpus, "kernel", kernel,
		       "initrd", initrd, "cmdline", cmdline, "switch", sw);
	dump = json_dumps(op, JSON_COMPACT);
	json_decref(op);
	if (!dump || strlen(dump) >= sizeof(t->op)) {
		err = api_error("body", "too large");
	} else {
		memcpy(t->op, dump, strlen(dump) + 1);
		snprintf(t->kind, sizeof(t->kind), "create");
		snprintf(t->target, sizeof(t->target), "%.63s/%.31s", t->host,
			 t->partition);
	}
	free(dump);
out:
	json_decref(root);
	return err;
}
