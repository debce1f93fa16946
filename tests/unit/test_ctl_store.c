// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's SQLite store (tools/controller/store_sqlite.c) through
 * its struct of operations: migrations from an empty file and on re-open,
 * a refused newer schema, enrolment tokens used once and expiring, events
 * stored once however often they are replayed, tasks made once per
 * idempotency key and token, partitions replaced by each report; images
 * recorded once by content, operations' tasks kept (with their arguments)
 * until they finish, partitions moved by events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/controller/store.h"

static char path[64];
static struct store *st;
static char err[256];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_ctl_store.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);	/* SQLite creates it: the test is a migration from nothing */
	st = store_sqlite_open(path, err, sizeof(err));
	assert_non_null(st);
	return 0;
}

static int teardown(void **state)
{
	char p[96];

	(void)state;
	if (st)
		st->ops->close(st);
	st = NULL;
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

static void test_migrations_and_reopen(void **state)
{
	char role[ST_NAME_MAX];

	(void)state;
	assert_true(store_sqlite_schema_latest >= 1);
	assert_int_equal(st->ops->schema_version(st), store_sqlite_schema_latest);
	assert_int_equal(st->ops->api_token_add(st, "aa", "admin"), 0);
	/* The role is checked by the schema. */
	assert_int_not_equal(st->ops->api_token_add(st, "bb", "root"), 0);
	st->ops->close(st);
	st = store_sqlite_open(path, err, sizeof(err));
	assert_non_null(st);
	/* Re-opening applies nothing twice and keeps the data. */
	assert_int_equal(st->ops->schema_version(st), store_sqlite_schema_latest);
	assert_int_equal(st->ops->api_token_role(st, "aa", role), 0);
	assert_string_equal(role, "admin");
	assert_int_equal(st->ops->api_token_role(st, "bb", role), -2);
}

static void test_newer_schema_refused(void **state)
{
	sqlite3 *db;

	(void)state;
	st->ops->close(st);
	st = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES (999)", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_sqlite_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "newer than this controller"));
}

/*
 * A database made by the first schema is migrated to the latest with its
 * rows kept: schema 2 is made back into schema 1 by hand (the second
 * migration undone), with a task in it, then opened again. A third
 * migration must be undone here too.
 */
static void test_upgrade_from_schema_1(void **state)
{
	struct task_rec t;
	sqlite3 *db;

	(void)state;
	assert_true(store_sqlite_schema_latest >= 2);
	st->ops->close(st);
	st = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"DROP INDEX tasks_by_host_state; DROP TABLE images;"
		"ALTER TABLE tasks DROP COLUMN host; ALTER TABLE tasks DROP COLUMN partition;"
		"ALTER TABLE tasks DROP COLUMN op; ALTER TABLE tasks DROP COLUMN error_kind;"
		"DELETE FROM schema_version WHERE version > 1;"
		"INSERT INTO tasks (kind, target, state, created_at, token_sha, error)"
		" VALUES ('host.revoke', 'h-a', 3, 7, 'tok', 'cannot store the revocation');",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_sqlite_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(st->ops->schema_version(st), store_sqlite_schema_latest);
	assert_int_equal(st->ops->task_get(st, 1, &t), 0);
	assert_string_equal(t.kind, "host.revoke");
	assert_string_equal(t.error, "cannot store the revocation");
	assert_string_equal(t.host, "");
	assert_string_equal(t.op, "");
}

static void test_token_used_once(void **state)
{
	(void)state;
	assert_int_equal(st->ops->enrol_token_add(st, "t1", 1000), 0);
	assert_int_equal(st->ops->enrol_token_use(st, "t1", "h-a", 999), 0);
	assert_int_equal(st->ops->enrol_token_use(st, "t1", "h-b", 999), ST_TOKEN_USED);
	assert_int_equal(st->ops->enrol_token_use(st, "nope", "h-a", 999), ST_TOKEN_UNKNOWN);
	/* A token is void from its expiry on. */
	assert_int_equal(st->ops->enrol_token_add(st, "t2", 1000), 0);
	assert_int_equal(st->ops->enrol_token_use(st, "t2", "h-a", 1000), ST_TOKEN_EXPIRED);
	/* ... and an expired one stays unused: a later use is still "expired", not "used". */
	assert_int_equal(st->ops->enrol_token_use(st, "t2", "h-a", 2000), ST_TOKEN_EXPIRED);
}

static void test_hosts(void **state)
{
	struct host_facts f = { .version = "v1", .cpus = 4, .cpus_free = 2, .memory = 1u << 30,
				.memory_free = 1u << 29, .nics = 1 };
	struct host_rec h;

	(void)state;
	assert_int_equal(st->ops->host_get(st, "h-a", &h), -2);
	assert_int_equal(st->ops->host_revoke(st, "h-a"), -2);
	assert_int_equal(st->ops->host_enrol(st, "h-a", "k1", 10), 0);
	assert_int_equal(st->ops->host_up(st, "h-a", "boot-1", &f, 11), 0);
	assert_int_equal(st->ops->host_rtt(st, "h-a", 250, 12), 0);
	assert_int_equal(st->ops->host_get(st, "h-a", &h), 0);
	assert_true(h.up);
	assert_false(h.revoked);
	assert_string_equal(h.key_sha256, "k1");
	assert_string_equal(h.boot_id, "boot-1");
	assert_string_equal(h.facts.version, "v1");
	assert_int_equal(h.facts.cpus, 4);
	assert_int_equal(h.facts.memory, 1u << 30);
	assert_int_equal(h.rtt_us, 250);
	assert_int_equal(h.last_seen, 12);
	assert_int_equal(st->ops->host_revoke(st, "h-a"), 0);
	assert_int_equal(st->ops->hosts_all_down(st), 0);
	assert_int_equal(st->ops->host_get(st, "h-a", &h), 0);
	assert_true(h.revoked);
	assert_false(h.up);
	/* Enrolling again (with a fresh token) re-admits the host with its new key. */
	assert_int_equal(st->ops->host_enrol(st, "h-a", "k2", 20), 0);
	assert_int_equal(st->ops->host_get(st, "h-a", &h), 0);
	assert_false(h.revoked);
	assert_string_equal(h.key_sha256, "k2");
}

static void count_event(void *ctx, const struct event_rec *e)
{
	int *n = ctx;

	assert_int_equal(e->seq, e->agent_seq);
	(*n)++;
}

static struct event_rec ev(const char *boot, uint64_t seq)
{
	struct event_rec e = { .agent_seq = seq, .state = 2, .time = 5 };

	snprintf(e.host_id, sizeof(e.host_id), "h-a");
	snprintf(e.boot_id, sizeof(e.boot_id), "%s", boot);
	snprintf(e.partition, sizeof(e.partition), "web");
	snprintf(e.text, sizeof(e.text), "event %llu", (unsigned long long)seq);
	return e;
}

static void test_event_dedupe_on_replay(void **state)
{
	uint64_t last;
	int n = 0;

	(void)state;
	assert_int_equal(st->ops->host_enrol(st, "h-a", "k1", 10), 0);
	for (uint64_t s = 1; s <= 3; s++) {
		struct event_rec e = ev("boot-1", s);

		assert_int_equal(st->ops->event_add(st, &e), 1);
		assert_int_equal(e.seq, (int64_t)s);
	}
	/* The agent did not see the acks and sends all three again: nothing new. */
	for (uint64_t s = 1; s <= 3; s++) {
		struct event_rec e = ev("boot-1", s);

		assert_int_equal(st->ops->event_add(st, &e), 0);
	}
	assert_int_equal(st->ops->event_list(st, 0, 100, count_event, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(st->ops->event_last(st, "h-a", "boot-1", &last), 0);
	assert_int_equal(last, 3);
	/* A boot the store has not seen starts at 0, and its seq 1 is a new event. */
	assert_int_equal(st->ops->event_last(st, "h-a", "boot-2", &last), 0);
	assert_int_equal(last, 0);
	struct event_rec e = ev("boot-2", 1);

	assert_int_equal(st->ops->event_add(st, &e), 1);
	/* The global seq has no gap for the replays it refused. */
	assert_int_equal(e.seq, 4);
}

static void fourth_event(void *ctx, const struct event_rec *e)
{
	int *n = ctx;

	assert_int_equal(e->seq, 4);
	(*n)++;
}

static void test_events_after(void **state)
{
	int n = 0;

	(void)state;
	for (uint64_t s = 1; s <= 4; s++) {
		struct event_rec e = ev("boot-1", s);

		assert_int_equal(st->ops->event_add(st, &e), 1);
	}
	assert_int_equal(st->ops->event_list(st, 3, 100, fourth_event, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(st->ops->event_list(st, 0, 2, count_event, &n), 0);
	assert_int_equal(n, 2);
}

static void test_task_idempotency(void **state)
{
	struct task_rec a = { .kind = "host.revoke", .target = "h-a", .created_at = 7 }, b, c, d;
	bool existed;

	(void)state;
	b = a;
	c = a;
	d = a;
	assert_int_equal(st->ops->task_create(st, "tok1", "key-1", &a, &existed), 0);
	assert_false(existed);
	a.state = TASK_SUCCEEDED;
	a.finished_at = 8;
	assert_int_equal(st->ops->task_update(st, &a), 0);
	/* The same key from the same token: the first task, finished, not a new one. */
	assert_int_equal(st->ops->task_create(st, "tok1", "key-1", &b, &existed), 0);
	assert_true(existed);
	assert_int_equal(b.id, a.id);
	assert_int_equal(b.state, TASK_SUCCEEDED);
	assert_int_equal(b.finished_at, 8);
	/* Keys are per token. */
	assert_int_equal(st->ops->task_create(st, "tok2", "key-1", &c, &existed), 0);
	assert_false(existed);
	assert_int_not_equal(c.id, a.id);
	/* No key: every call is its own task. */
	assert_int_equal(st->ops->task_create(st, "tok1", NULL, &d, &existed), 0);
	assert_false(existed);
	assert_int_equal(st->ops->task_create(st, "tok1", NULL, &d, &existed), 0);
	assert_false(existed);
	assert_int_equal(st->ops->task_get(st, d.id, &b), 0);
	assert_string_equal(b.kind, "host.revoke");
	assert_int_equal(st->ops->task_get(st, 999, &b), -2);
}

static void count_part(void *ctx, const struct part_rec *p)
{
	int *n = ctx;

	assert_string_equal(p->host_id, "h-a");
	(*n)++;
}

static void test_parts_replaced(void **state)
{
	struct part_rec p[3] = { { .name = "a", .state = 2 }, { .name = "b", .state = 4 },
				 { .name = "c", .state = 1 } };
	int n = 0;

	(void)state;
	assert_int_equal(st->ops->host_enrol(st, "h-a", "k1", 10), 0);
	assert_int_equal(st->ops->parts_replace(st, "h-a", p, 3), 0);
	assert_int_equal(st->ops->parts_replace(st, "h-a", p + 1, 1), 0);
	assert_int_equal(st->ops->part_list(st, NULL, count_part, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(st->ops->part_list(st, "h-b", count_part, &n), 0);
	assert_int_equal(n, 0);
	/* Two partitions of one name in a report are refused whole: the old list stays. */
	p[2] = p[1];
	assert_int_not_equal(st->ops->parts_replace(st, "h-a", p, 3), 0);
	n = 0;
	assert_int_equal(st->ops->part_list(st, "h-a", count_part, &n), 0);
	assert_int_equal(n, 1);
}

static void image_count(void *ctx, const struct image_rec *i)
{
	int *n = ctx;

	assert_int_equal(strlen(i->sha256), 64);
	(*n)++;
}

static void test_images(void **state)
{
	struct image_rec a = { .size = 10, .name = "kernel", .path = "/s/images/aaaa",
			       .created_at = 5 }, b, got;
	int n = 0;

	(void)state;
	memset(a.sha256, 'a', 64);
	b = a;
	assert_int_equal(st->ops->image_add(st, &a), 1);
	/* The same content again: not a second image, and the first record comes back. */
	snprintf(b.name, sizeof(b.name), "other");
	b.created_at = 9;
	assert_int_equal(st->ops->image_add(st, &b), 0);
	assert_string_equal(b.name, "kernel");
	assert_int_equal(b.created_at, 5);
	assert_int_equal(st->ops->image_get(st, a.sha256, &got), 0);
	assert_int_equal(got.size, 10);
	assert_string_equal(got.path, "/s/images/aaaa");
	assert_int_equal(st->ops->image_get(st, "bbbb", &got), -2);
	memset(b.sha256, 'c', 64);
	assert_int_equal(st->ops->image_add(st, &b), 1);
	assert_int_equal(st->ops->image_list(st, image_count, &n), 0);
	assert_int_equal(n, 2);
}

struct pending {
	int64_t ids[8];
	int n;
};

static void pending_item(void *ctx, const struct task_rec *t)
{
	struct pending *p = ctx;

	assert_true(p->n < 8);
	assert_string_equal(t->host, "h-a");
	assert_non_null(strstr(t->op, "\"kind\""));
	p->ids[p->n++] = t->id;
}

static void test_tasks_pending_per_host(void **state)
{
	struct task_rec t[5], got;
	uint64_t counts[4];
	struct pending p = { 0 };
	bool existed;

	(void)state;
	for (int i = 0; i < 5; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		snprintf(t[i].kind, sizeof(t[i].kind), "start");
		snprintf(t[i].host, sizeof(t[i].host), "%s", i == 3 ? "h-b" : "h-a");
		snprintf(t[i].partition, sizeof(t[i].partition), "web");
		snprintf(t[i].op, sizeof(t[i].op), "{\"kind\":\"start\"}");
		t[i].created_at = 100 + i;
		assert_int_equal(st->ops->task_create(st, "tok", NULL, &t[i], &existed), 0);
	}
	/* A task the controller does itself has no op: never an agent's. */
	got = t[0];
	got.op[0] = '\0';
	assert_int_equal(st->ops->task_create(st, "tok", NULL, &got, &existed), 0);
	t[1].state = TASK_RUNNING;
	assert_int_equal(st->ops->task_update(st, &t[1]), 0);
	t[2].state = TASK_FAILED;
	snprintf(t[2].error_kind, sizeof(t[2].error_kind), "no_virt");
	snprintf(t[2].error, sizeof(t[2].error), "no hardware virtualization on this host");
	t[2].finished_at = 200;
	assert_int_equal(st->ops->task_update(st, &t[2]), 0);
	assert_int_equal(st->ops->task_pending(st, "h-a", pending_item, &p), 0);
	/* Queued and running ones, oldest first; finished ones and other hosts' are not. */
	assert_int_equal(p.n, 3);
	assert_int_equal(p.ids[0], t[0].id);
	assert_int_equal(p.ids[1], t[1].id);
	assert_int_equal(p.ids[2], t[4].id);
	assert_int_equal(st->ops->task_get(st, t[2].id, &got), 0);
	assert_string_equal(got.error_kind, "no_virt");
	assert_string_equal(got.partition, "web");
	assert_string_equal(got.op, "{\"kind\":\"start\"}");
	assert_int_equal(st->ops->task_counts(st, counts), 0);
	assert_int_equal(counts[TASK_QUEUED], 4);
	assert_int_equal(counts[TASK_RUNNING], 1);
	assert_int_equal(counts[TASK_FAILED], 1);
	assert_int_equal(counts[TASK_SUCCEEDED], 0);
}

static void test_part_set_state(void **state)
{
	struct part_rec p = { .name = "web", .state = 1, .vcpus = 1 };

	(void)state;
	assert_int_equal(st->ops->host_enrol(st, "h-a", "k1", 10), 0);
	assert_int_equal(st->ops->parts_replace(st, "h-a", &p, 1), 0);
	assert_int_equal(st->ops->part_set_state(st, "h-a", "web", 2), 0);
	assert_int_equal(st->ops->part_set_state(st, "h-a", "nope", 2), -2);
	assert_int_equal(st->ops->part_set_state(st, "h-b", "web", 2), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_schema_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_used_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_dedupe_on_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_idempotency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parts_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks_pending_per_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_set_state, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
