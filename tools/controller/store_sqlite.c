// SPDX-License-Identifier: GPL-2.0
/*
 * The store on SQLite: one connection, WAL mode, every operation under one
 * mutex (the controller's load is a few hosts and API calls, and one lock
 * keeps read-modify-write operations such as token use atomic). The schema
 * is an ordered list of migrations applied in one transaction at open: a
 * later schema is one more entry in migrations[].
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store.h"

struct sq {
	struct store base;
	sqlite3 *db;
	pthread_mutex_t lock;
};

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE hosts ("
	" id TEXT PRIMARY KEY, key_sha256 TEXT NOT NULL, enrolled_at INTEGER NOT NULL,"
	" revoked INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0,"
	" boot_id TEXT NOT NULL DEFAULT '', up INTEGER NOT NULL DEFAULT 0,"
	" rtt_us INTEGER NOT NULL DEFAULT -1, version TEXT NOT NULL DEFAULT '',"
	" cpus INTEGER NOT NULL DEFAULT 0, cpus_free INTEGER NOT NULL DEFAULT 0,"
	" memory INTEGER NOT NULL DEFAULT 0, memory_free INTEGER NOT NULL DEFAULT 0,"
	" nics INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE enrol_tokens ("
	" sha256 TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used_at INTEGER,"
	" used_by TEXT);"
	"CREATE TABLE api_tokens ("
	" sha256 TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')));"
	"CREATE TABLE partitions ("
	" host_id TEXT NOT NULL REFERENCES hosts(id), name TEXT NOT NULL,"
	" state INTEGER NOT NULL, vcpus INTEGER NOT NULL, memory INTEGER NOT NULL,"
	" from_config INTEGER NOT NULL, PRIMARY KEY (host_id, name));"
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, host_id TEXT NOT NULL, boot_id TEXT NOT NULL,"
	" agent_seq INTEGER NOT NULL, partition TEXT NOT NULL, state INTEGER NOT NULL,"
	" text TEXT NOT NULL, time INTEGER NOT NULL, UNIQUE (host_id, boot_id, agent_seq));"
	"CREATE TABLE tasks ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, target TEXT NOT NULL,"
	" state INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,"
	" total INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL, finished_at INTEGER NOT NULL DEFAULT 0,"
	" expires_at INTEGER NOT NULL DEFAULT 0, token_sha TEXT NOT NULL, idem_key TEXT,"
	" UNIQUE (token_sha, idem_key));",
	/* 2: images, and tasks that are operations on a host's partition */
	"CREATE TABLE images ("
	" sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, name TEXT NOT NULL,"
	" path TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"ALTER TABLE tasks ADD COLUMN host TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tasks ADD COLUMN partition TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tasks ADD COLUMN op TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE tasks ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX tasks_by_host_state ON tasks (host, state);",
};

const int store_sqlite_schema_latest = (int)(sizeof(migrations) / sizeof(migrations[0]));

static struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* Prepares sql and binds the text/int arguments described by fmt ('s', 'i'). */
static sqlite3_stmt *prep(struct sq *q, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "controller: store: %s: %s\n", sql, sqlite3_errmsg(q->db));
		return NULL;
	}
	va_start(ap, fmt);
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 's') {
			const char *v = va_arg(ap, const char *);

			if (v)
				sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
	va_end(ap);
	return st;
}

/* Runs a statement that returns no rows: 0, -EEXIST on a constraint, -EIO otherwise. */
static int run(sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == SQLITE_CONSTRAINT ? -EEXIST : -EIO;
}

static int exec(struct sq *q, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "controller: store: %s\n", msg ? msg : "error");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int version_locked(struct sq *q)
{
	sqlite3_stmt *st = prep(q, "SELECT MAX(version) FROM schema_version", "");
	int v = -EIO;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct sq *q, char *err, size_t errlen)
{
	int v;

	if (exec(q, "BEGIN IMMEDIATE") ||
	    exec(q, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
		goto fail;
	v = version_locked(q);
	if (v < 0)
		goto fail;
	if (v > store_sqlite_schema_latest) {
		snprintf(err, errlen, "database schema %d is newer than this controller's %d", v,
			 store_sqlite_schema_latest);
		exec(q, "ROLLBACK");
		return -EINVAL;
	}
	for (; v < store_sqlite_schema_latest; v++)
		if (exec(q, migrations[v]) ||
		    run(prep(q, "INSERT INTO schema_version VALUES (?)", "i", (int64_t)v + 1)))
			goto fail;
	if (exec(q, "COMMIT") == 0)
		return 0;
fail:
	snprintf(err, errlen, "schema migration failed: %s", sqlite3_errmsg(q->db));
	exec(q, "ROLLBACK");
	return -EIO;
}

#define LOCKED(q, expr)                                                                      \
	({                                                                                   \
		pthread_mutex_lock(&(q)->lock);                                              \
		__typeof__(expr) r_ = (expr);                                                \
		pthread_mutex_unlock(&(q)->lock);                                            \
		r_;                                                                          \
	})

static void sq_close(struct store *s)
{
	struct sq *q = SQ(s);

	sqlite3_close(q->db);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static int sq_schema_version(struct store *s)
{
	return LOCKED(SQ(s), version_locked(SQ(s)));
}

static int sq_api_token_add(struct store *s, const char *sha, const char *role)
{
	struct sq *q = SQ(s);

	return LOCKED(q, run(prep(q, "INSERT INTO api_tokens VALUES (?, ?)", "ss", sha, role)));
}

static int api_token_role_locked(struct sq *q, const char *sha, char *role)
{
	sqlite3_stmt *st = prep(q, "SELECT role FROM api_tokens WHERE sha256 = ?", "s", sha);
	int rc = -ENOENT;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		copy_col(st, 0, role, ST_NAME_MAX);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_api_token_role(struct store *s, const char *sha, char *role)
{
	return LOCKED(SQ(s), api_token_role_locked(SQ(s), sha, role));
}

static int sq_enrol_token_add(struct store *s, const char *sha, int64_t expires)
{
	struct sq *q = SQ(s);

	return LOCKED(q, run(prep(q, "INSERT INTO enrol_tokens (sha256, expires_at) VALUES (?, ?)",
				  "si", sha, expires)));
}

static int token_use_locked(struct sq *q, const char *sha, const char *host, int64_t now)
{
	sqlite3_stmt *st = prep(q, "SELECT expires_at, used_at FROM enrol_tokens WHERE sha256 = ?",
				"s", sha);
	int rc;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = ST_TOKEN_UNKNOWN;
	else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		rc = ST_TOKEN_USED;
	else if (sqlite3_column_int64(st, 0) <= now)
		rc = ST_TOKEN_EXPIRED;
	else
		rc = 0;
	sqlite3_finalize(st);
	if (rc)
		return rc;
	return run(prep(q, "UPDATE enrol_tokens SET used_at = ?, used_by = ? WHERE sha256 = ?",
			"iss", now, host, sha));
}

static int sq_enrol_token_use(struct store *s, const char *sha, const char *host, int64_t now)
{
	return LOCKED(SQ(s), token_use_locked(SQ(s), sha, host, now));
}

static int sq_host_enrol(struct store *s, const char *id, const char *key, int64_t now)
{
	struct sq *q = SQ(s);

	return LOCKED(q, run(prep(q,
		"INSERT INTO hosts (id, key_sha256, enrolled_at) VALUES (?, ?, ?)"
		" ON CONFLICT (id) DO UPDATE SET key_sha256 = excluded.key_sha256,"
		" enrolled_at = excluded.enrolled_at, revoked = 0", "ssi", id, key, now)));
}

#define HOST_COLS "id, key_sha256, enrolled_at, revoked, last_seen, boot_id, up, rtt_us," \
		  " version, cpus, cpus_free, memory, memory_free, nics"

static void host_row(sqlite3_stmt *st, struct host_rec *h)
{
	memset(h, 0, sizeof(*h));
	copy_col(st, 0, h->id, sizeof(h->id));
	copy_col(st, 1, h->key_sha256, sizeof(h->key_sha256));
	h->enrolled_at = sqlite3_column_int64(st, 2);
	h->revoked = sqlite3_column_int(st, 3);
	h->last_seen = sqlite3_column_int64(st, 4);
	copy_col(st, 5, h->boot_id, sizeof(h->boot_id));
	h->up = sqlite3_column_int(st, 6);
	h->rtt_us = sqlite3_column_int64(st, 7);
	copy_col(st, 8, h->facts.version, sizeof(h->facts.version));
	h->facts.cpus = (uint32_t)sqlite3_column_int64(st, 9);
	h->facts.cpus_free = (uint32_t)sqlite3_column_int64(st, 10);
	h->facts.memory = (uint64_t)sqlite3_column_int64(st, 11);
	h->facts.memory_free = (uint64_t)sqlite3_column_int64(st, 12);
	h->facts.nics = (uint32_t)sqlite3_column_int64(st, 13);
}

static int host_get_locked(struct sq *q, const char *id, struct host_rec *h)
{
	sqlite3_stmt *st = prep(q, "SELECT " HOST_COLS " FROM hosts WHERE id = ?", "s", id);
	int rc = -ENOENT;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		host_row(st, h);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_host_get(struct store *s, const char *id, struct host_rec *h)
{
	return LOCKED(SQ(s), host_get_locked(SQ(s), id, h));
}

static int host_list_locked(struct sq *q, host_cb cb, void *ctx)
{
	sqlite3_stmt *st = prep(q, "SELECT " HOST_COLS " FROM hosts ORDER BY id", "");
	struct host_rec h;

	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		host_row(st, &h);
		cb(ctx, &h);
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_host_list(struct store *s, host_cb cb, void *ctx)
{
	return LOCKED(SQ(s), host_list_locked(SQ(s), cb, ctx));
}

/* Runs an UPDATE of one host: 0, or -ENOENT when no such host. */
static int host_update(struct sq *q, sqlite3_stmt *st)
{
	int rc = run(st);

	if (!rc && sqlite3_changes(q->db) == 0)
		rc = -ENOENT;
	return rc;
}

static int sq_host_revoke(struct store *s, const char *id)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q, "UPDATE hosts SET revoked = 1 WHERE id = ?", "s",
					     id)));
}

static int sq_host_up(struct store *s, const char *id, const char *boot,
		      const struct host_facts *f, int64_t now)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q,
		"UPDATE hosts SET up = 1, last_seen = ?, boot_id = ?, version = ?, cpus = ?,"
		" cpus_free = ?, memory = ?, memory_free = ?, nics = ? WHERE id = ?", "issiiiiis",
		now, boot, f->version, (int64_t)f->cpus, (int64_t)f->cpus_free,
		(int64_t)f->memory, (int64_t)f->memory_free, (int64_t)f->nics, id)));
}

static int sq_host_down(struct store *s, const char *id, int64_t now)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q, "UPDATE hosts SET up = 0, last_seen = ?"
						" WHERE id = ?", "is", now, id)));
}

static int sq_host_rtt(struct store *s, const char *id, int64_t rtt_us, int64_t now)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q,
		"UPDATE hosts SET rtt_us = ?, last_seen = ? WHERE id = ?", "iis", rtt_us, now,
		id)));
}

static int sq_hosts_all_down(struct store *s)
{
	struct sq *q = SQ(s);

	return LOCKED(q, exec(q, "UPDATE hosts SET up = 0"));
}

static int parts_replace_locked(struct sq *q, const char *host, const struct part_rec *p,
				size_t n)
{
	int rc;

	if (exec(q, "BEGIN IMMEDIATE"))
		return -EIO;
	rc = run(prep(q, "DELETE FROM partitions WHERE host_id = ?", "s", host));
	for (size_t i = 0; i < n && !rc; i++)
		rc = run(prep(q, "INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?)", "ssiiii", host,
			      p[i].name, (int64_t)p[i].state, (int64_t)p[i].vcpus,
			      (int64_t)p[i].memory, (int64_t)p[i].from_config));
	if (rc) {
		exec(q, "ROLLBACK");
		return rc;
	}
	return exec(q, "COMMIT");
}

static int sq_parts_replace(struct store *s, const char *host, const struct part_rec *p,
			    size_t n)
{
	return LOCKED(SQ(s), parts_replace_locked(SQ(s), host, p, n));
}

static int part_list_locked(struct sq *q, const char *host, part_cb cb, void *ctx)
{
	sqlite3_stmt *st = prep(q,
		"SELECT host_id, name, state, vcpus, memory, from_config FROM partitions"
		" WHERE ?1 IS NULL OR host_id = ?1 ORDER BY host_id, name", "s", host);
	struct part_rec p;

	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		copy_col(st, 0, p.host_id, sizeof(p.host_id));
		copy_col(st, 1, p.name, sizeof(p.name));
		p.state = (uint32_t)sqlite3_column_int64(st, 2);
		p.vcpus = (uint32_t)sqlite3_column_int64(st, 3);
		p.memory = (uint64_t)sqlite3_column_int64(st, 4);
		p.from_config = sqlite3_column_int(st, 5);
		cb(ctx, &p);
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_part_list(struct store *s, const char *host, part_cb cb, void *ctx)
{
	return LOCKED(SQ(s), part_list_locked(SQ(s), host, cb, ctx));
}

static int event_add_locked(struct sq *q, struct event_rec *e)
{
	sqlite3_stmt *st = prep(q, "SELECT 1 FROM events WHERE host_id = ? AND boot_id = ? AND"
				   " agent_seq = ?", "ssi", e->host_id, e->boot_id,
				(int64_t)e->agent_seq);
	int found, rc;

	if (!st)
		return -EIO;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	/*
	 * A replayed event is a no-op, not a duplicate. Looked up first rather than
	 * left to the unique constraint, which would still use up a global seq.
	 */
	if (found)
		return 0;
	rc = run(prep(q, "INSERT INTO events (host_id, boot_id, agent_seq, partition, state, text,"
			 " time) VALUES (?, ?, ?, ?, ?, ?, ?)", "ssisisi", e->host_id, e->boot_id,
		      (int64_t)e->agent_seq, e->partition, (int64_t)e->state, e->text, e->time));
	if (rc)
		return rc;
	e->seq = sqlite3_last_insert_rowid(q->db);
	return 1;
}

static int sq_event_add(struct store *s, struct event_rec *e)
{
	return LOCKED(SQ(s), event_add_locked(SQ(s), e));
}

static int event_last_locked(struct sq *q, const char *host, const char *boot, uint64_t *seq)
{
	sqlite3_stmt *st = prep(q, "SELECT COALESCE(MAX(agent_seq), 0) FROM events"
				   " WHERE host_id = ? AND boot_id = ?", "ss", host, boot);

	if (!st)
		return -EIO;
	*seq = sqlite3_step(st) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

static int sq_event_last(struct store *s, const char *host, const char *boot, uint64_t *seq)
{
	return LOCKED(SQ(s), event_last_locked(SQ(s), host, boot, seq));
}

static int event_list_locked(struct sq *q, int64_t after, unsigned int limit, event_cb cb,
			     void *ctx)
{
	sqlite3_stmt *st = prep(q,
		"SELECT seq, host_id, boot_id, agent_seq, partition, state, text, time FROM events"
		" WHERE seq > ? ORDER BY seq LIMIT ?", "ii", after, (int64_t)limit);
	struct event_rec e;

	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.seq = sqlite3_column_int64(st, 0);
		copy_col(st, 1, e.host_id, sizeof(e.host_id));
		copy_col(st, 2, e.boot_id, sizeof(e.boot_id));
		e.agent_seq = (uint64_t)sqlite3_column_int64(st, 3);
		copy_col(st, 4, e.partition, sizeof(e.partition));
		e.state = (uint32_t)sqlite3_column_int64(st, 5);
		copy_col(st, 6, e.text, sizeof(e.text));
		e.time = sqlite3_column_int64(st, 7);
		cb(ctx, &e);
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_event_list(struct store *s, int64_t after, unsigned int limit, event_cb cb,
			 void *ctx)
{
	return LOCKED(SQ(s), event_list_locked(SQ(s), after, limit, cb, ctx));
}

#define TASK_COLS "id, kind, target, state, done, total, error, created_at, finished_at," \
		  " expires_at, host, partition, op, error_kind"

static void task_row(sqlite3_stmt *st, struct task_rec *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, t->kind, sizeof(t->kind));
	copy_col(st, 2, t->target, sizeof(t->target));
	t->state = (enum task_state)sqlite3_column_int(st, 3);
	t->done = (uint64_t)sqlite3_column_int64(st, 4);
	t->total = (uint64_t)sqlite3_column_int64(st, 5);
	copy_col(st, 6, t->error, sizeof(t->error));
	t->created_at = sqlite3_column_int64(st, 7);
	t->finished_at = sqlite3_column_int64(st, 8);
	t->expires_at = sqlite3_column_int64(st, 9);
	copy_col(st, 10, t->host, sizeof(t->host));
	copy_col(st, 11, t->partition, sizeof(t->partition));
	copy_col(st, 12, t->op, sizeof(t->op));
	copy_col(st, 13, t->error_kind, sizeof(t->error_kind));
}

/* One task by a WHERE clause on its statement: 0 or -ENOENT. */
static int task_one(sqlite3_stmt *st, struct task_rec *t)
{
	int rc = -ENOENT;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		task_row(st, t);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int task_create_locked(struct sq *q, const char *token, const char *key,
			      struct task_rec *t, bool *existed)
{
	int rc;

	*existed = false;
	if (key && !task_one(prep(q, "SELECT " TASK_COLS " FROM tasks WHERE token_sha = ? AND"
				     " idem_key = ?", "ss", token, key), t)) {
		*existed = true;
		return 0;
	}
	rc = run(prep(q, "INSERT INTO tasks (kind, target, state, created_at, expires_at,"
			 " token_sha, idem_key, host, partition, op)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssiiisssss", t->kind,
		      t->target, (int64_t)TASK_QUEUED, t->created_at, t->expires_at, token, key,
		      t->host, t->partition, t->op));
	if (rc)
		return rc;
	t->id = sqlite3_last_insert_rowid(q->db);
	t->state = TASK_QUEUED;
	return 0;
}

static int sq_task_create(struct store *s, const char *token, const char *key,
			  struct task_rec *t, bool *existed)
{
	return LOCKED(SQ(s), task_create_locked(SQ(s), token, key, t, existed));
}

static int sq_task_update(struct store *s, const struct task_rec *t)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q,
		"UPDATE tasks SET state = ?, done = ?, total = ?, error = ?, finished_at = ?,"
		" expires_at = ?, error_kind = ? WHERE id = ?", "iiisiisi", (int64_t)t->state,
		(int64_t)t->done, (int64_t)t->total, t->error, t->finished_at, t->expires_at,
		t->error_kind, t->id)));
}

static int sq_task_get(struct store *s, int64_t id, struct task_rec *t)
{
	struct sq *q = SQ(s);

	return LOCKED(q, task_one(prep(q, "SELECT " TASK_COLS " FROM tasks WHERE id = ?", "i", id),
				  t));
}

static int task_rows(sqlite3_stmt *st, task_cb cb, void *ctx)
{
	struct task_rec *t = malloc(sizeof(*t));

	if (!st || !t) {
		sqlite3_finalize(st);
		free(t);
		return st ? -ENOMEM : -EIO;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		task_row(st, t);
		cb(ctx, t);
	}
	sqlite3_finalize(st);
	free(t);
	return 0;
}

static int task_list_locked(struct sq *q, task_cb cb, void *ctx)
{
	return task_rows(prep(q, "SELECT " TASK_COLS " FROM tasks ORDER BY id", ""), cb, ctx);
}

static int sq_task_list(struct store *s, task_cb cb, void *ctx)
{
	return LOCKED(SQ(s), task_list_locked(SQ(s), cb, ctx));
}

static int sq_task_pending(struct store *s, const char *host, task_cb cb, void *ctx)
{
	struct sq *q = SQ(s);

	return LOCKED(q, task_rows(prep(q, "SELECT " TASK_COLS " FROM tasks WHERE host = ? AND"
					   " op != '' AND state IN (?, ?) ORDER BY id", "sii",
					host, (int64_t)TASK_QUEUED, (int64_t)TASK_RUNNING),
				   cb, ctx));
}

static int task_counts_locked(struct sq *q, uint64_t counts[4])
{
	sqlite3_stmt *st = prep(q, "SELECT state, COUNT(*) FROM tasks GROUP BY state", "");

	if (!st)
		return -EIO;
	memset(counts, 0, 4 * sizeof(counts[0]));
	while (sqlite3_step(st) == SQLITE_ROW) {
		int state = sqlite3_column_int(st, 0);

		if (state >= 0 && state < 4)
			counts[state] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_task_counts(struct store *s, uint64_t counts[4])
{
	return LOCKED(SQ(s), task_counts_locked(SQ(s), counts));
}

#define IMAGE_COLS "sha256, size, name, path, created_at"

static void image_row(sqlite3_stmt *st, struct image_rec *i)
{
	memset(i, 0, sizeof(*i));
	copy_col(st, 0, i->sha256, sizeof(i->sha256));
	i->size = (uint64_t)sqlite3_column_int64(st, 1);
	copy_col(st, 2, i->name, sizeof(i->name));
	copy_col(st, 3, i->path, sizeof(i->path));
	i->created_at = sqlite3_column_int64(st, 4);
}

static int image_get_locked(struct sq *q, const char *sha, struct image_rec *i)
{
	sqlite3_stmt *st = prep(q, "SELECT " IMAGE_COLS " FROM images WHERE sha256 = ?", "s", sha);
	int rc = -ENOENT;

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		image_row(st, i);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_image_get(struct store *s, const char *sha, struct image_rec *i)
{
	return LOCKED(SQ(s), image_get_locked(SQ(s), sha, i));
}

static int image_add_locked(struct sq *q, struct image_rec *i)
{
	int rc;

	/* The same bytes uploaded again are the same image: the first record stays. */
	if (!image_get_locked(q, i->sha256, i))
		return 0;
	rc = run(prep(q, "INSERT INTO images VALUES (?, ?, ?, ?, ?)", "sissi", i->sha256,
		      (int64_t)i->size, i->name, i->path, i->created_at));
	return rc ? rc : 1;
}

static int sq_image_add(struct store *s, struct image_rec *i)
{
	return LOCKED(SQ(s), image_add_locked(SQ(s), i));
}

static int image_list_locked(struct sq *q, image_cb cb, void *ctx)
{
	sqlite3_stmt *st = prep(q, "SELECT " IMAGE_COLS " FROM images ORDER BY created_at, sha256",
				"");
	struct image_rec i;

	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		image_row(st, &i);
		cb(ctx, &i);
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_image_list(struct store *s, image_cb cb, void *ctx)
{
	return LOCKED(SQ(s), image_list_locked(SQ(s), cb, ctx));
}

static int sq_part_set_state(struct store *s, const char *host, const char *name,
			     uint32_t state)
{
	struct sq *q = SQ(s);

	return LOCKED(q, host_update(q, prep(q, "UPDATE partitions SET state = ? WHERE"
						" host_id = ? AND name = ?", "iss",
					     (int64_t)state, host, name)));
}

static const struct store_ops sqlite_ops = {
	.close = sq_close,
	.schema_version = sq_schema_version,
	.api_token_add = sq_api_token_add,
	.api_token_role = sq_api_token_role,
	.enrol_token_add = sq_enrol_token_add,
	.enrol_token_use = sq_enrol_token_use,
	.host_enrol = sq_host_enrol,
	.host_get = sq_host_get,
	.host_list = sq_host_list,
	.host_revoke = sq_host_revoke,
	.host_up = sq_host_up,
	.host_down = sq_host_down,
	.host_rtt = sq_host_rtt,
	.hosts_all_down = sq_hosts_all_down,
	.parts_replace = sq_parts_replace,
	.part_list = sq_part_list,
	.event_add = sq_event_add,
	.event_last = sq_event_last,
	.event_list = sq_event_list,
	.task_create = sq_task_create,
	.task_update = sq_task_update,
	.task_get = sq_task_get,
	.task_list = sq_task_list,
	.task_pending = sq_task_pending,
	.task_counts = sq_task_counts,
	.part_set_state = sq_part_set_state,
	.image_add = sq_image_add,
	.image_get = sq_image_get,
	.image_list = sq_image_list,
};

struct store *store_sqlite_open(const char *path, char *err, size_t errlen)
{
	struct sq *q = calloc(1, sizeof(*q));

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->base.ops = &sqlite_ops;
	pthread_mutex_init(&q->lock, NULL);
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 q->db ? sqlite3_errmsg(q->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 5000);
	/* WAL: readers never wait for the writer, and a kill -9 loses no committed row. */
	if (exec(q, "PRAGMA journal_mode = WAL") || exec(q, "PRAGMA synchronous = NORMAL") ||
	    exec(q, "PRAGMA foreign_keys = ON")) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(q->db));
		goto fail;
	}
	if (migrate(q, err, errlen))
		goto fail;
	return &q->base;
fail:
	sqlite3_close(q->db);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return NULL;
}
