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

/* The value of name in a query string, unescaped only as far as ids need (none). */
static bool query_get(const char *query, const char *name, char *out, size_t len)
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
	if (!query_get(query, "after", v, sizeof(v)))
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
	if (!query_get(query, "host", host, len))
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
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:I}, s:I}", "id", (json_int_t)t->id,
			      "kind", t->kind, "target", t->target, "state",
			      task_states[t->state & 3], "progress", "done", (json_int_t)t->done,
			      "total", (json_int_t)t->total, "created_at",
			      (json_int_t)t->created_at);

	json_object_set_new(j, "finished_at",
			    t->finished_at ? json_integer(t->finished_at) : json_null());
	json_object_set_new(j, "error", t->error[0] ? json_string(t->error) : json_null());
	return j;
}
