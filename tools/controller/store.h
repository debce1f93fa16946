/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_STORE_H
#define CTL_STORE_H

/*
 * The controller's persistent state behind one interface: a struct of
 * operations, so the daemon, the REST layer and the tests never see SQL
 * (store_sqlite.c is the implementation today). Every operation is safe
 * to call from any thread. Errors are negative errno values.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_ID_MAX 64
#define ST_NAME_MAX 32
#define ST_TEXT_MAX 192
#define ST_HASH_MAX 65
#define ST_OP_MAX 2048		/* an operation's arguments, as JSON */
#define ST_PATH_MAX 512

struct host_facts {
	char version[ST_NAME_MAX];
	uint32_t cpus, cpus_free, nics;
	uint64_t memory, memory_free;
};

struct host_rec {
	char id[ST_ID_MAX];
	char key_sha256[ST_HASH_MAX];
	int64_t enrolled_at, last_seen;
	bool revoked, up;
	char boot_id[ST_ID_MAX];
	int64_t rtt_us;		/* -1: not measured yet */
	struct host_facts facts;
};

struct part_rec {
	char host_id[ST_ID_MAX];
	char name[ST_NAME_MAX];
	uint32_t state;		/* enum mgmt_part_state */
	uint32_t vcpus;
	uint64_t memory;
	bool from_config;
};

struct event_rec {
	int64_t seq;		/* global, assigned by the store */
	char host_id[ST_ID_MAX];
	char boot_id[ST_ID_MAX];
	uint64_t agent_seq;
	char partition[ST_NAME_MAX];
	uint32_t state;
	char text[ST_TEXT_MAX];
	int64_t time;
};

enum task_state { TASK_QUEUED, TASK_RUNNING, TASK_SUCCEEDED, TASK_FAILED };

struct task_rec {
	int64_t id;
	char kind[ST_NAME_MAX];		/* "enrol-token.create", "host.revoke", "create" */
	char target[ST_ID_MAX + ST_NAME_MAX];	/* what it acts on: a host id, "host/name" */
	char host[ST_ID_MAX];		/* an operation on a host's partition: the host */
	char partition[ST_NAME_MAX];
	/*
	 * An operation an agent runs: its arguments as a JSON object ("" for a
	 * task the controller finishes itself). Kept so the operation can be
	 * sent again, with the same id, after a reconnect or a restart.
	 */
	char op[ST_OP_MAX];
	enum task_state state;
	uint64_t done, total;
	char error_kind[ST_NAME_MAX];	/* "no_virt", "upload_failed", ...; "" with no error */
	char error[ST_TEXT_MAX];
	int64_t created_at, finished_at;	/* 0: not finished */
	int64_t expires_at;		/* enrol-token.create: the token's expiry */
};

/* An image, stored content-addressed: path is <state>/images/<sha256>. */
struct image_rec {
	char sha256[ST_HASH_MAX];
	uint64_t size;
	char name[ST_ID_MAX];
	char path[ST_PATH_MAX];
	int64_t created_at;
};

/* enrol_token_use() results besides 0. */
#define ST_TOKEN_UNKNOWN (-2)	/* -ENOENT */
#define ST_TOKEN_USED (-114)	/* -EALREADY */
#define ST_TOKEN_EXPIRED (-110)	/* -ETIMEDOUT */

struct store;

typedef void (*host_cb)(void *ctx, const struct host_rec *h);
typedef void (*part_cb)(void *ctx, const struct part_rec *p);
typedef void (*event_cb)(void *ctx, const struct event_rec *e);
typedef void (*task_cb)(void *ctx, const struct task_rec *t);
typedef void (*image_cb)(void *ctx, const struct image_rec *i);

struct store_ops {
	void (*close)(struct store *s);
	int (*schema_version)(struct store *s);

	int (*api_token_add)(struct store *s, const char *sha256, const char *role);
	/* The role of a token hash into role (ST_NAME_MAX): 0 or -ENOENT. */
	int (*api_token_role)(struct store *s, const char *sha256, char *role);

	int (*enrol_token_add)(struct store *s, const char *sha256, int64_t expires_at);
	/* Marks a token used by host at now: 0 or ST_TOKEN_*. Atomic: one use only. */
	int (*enrol_token_use)(struct store *s, const char *sha256, const char *host, int64_t now);

	/* Records a host enrolled with key (new or re-enrolled: not revoked any more). */
	int (*host_enrol)(struct store *s, const char *id, const char *key_sha256, int64_t now);
	int (*host_get)(struct store *s, const char *id, struct host_rec *h);
	int (*host_list)(struct store *s, host_cb cb, void *ctx);
	int (*host_revoke)(struct store *s, const char *id);
	int (*host_up)(struct store *s, const char *id, const char *boot_id,
		       const struct host_facts *f, int64_t now);
	int (*host_down)(struct store *s, const char *id, int64_t now);
	int (*host_rtt)(struct store *s, const char *id, int64_t rtt_us, int64_t now);
	/* At start-up: no session survived the last run. */
	int (*hosts_all_down)(struct store *s);

	/* The host's partitions become exactly parts[0..n). */
	int (*parts_replace)(struct store *s, const char *host, const struct part_rec *parts,
			     size_t n);
	/* An EVENT moved one partition: 0, or -ENOENT when the host has no such partition. */
	int (*part_set_state)(struct store *s, const char *host, const char *name,
			      uint32_t state);
	/* host NULL: every host's. */
	int (*part_list)(struct store *s, const char *host, part_cb cb, void *ctx);

	/* 1 stored (e->seq set), 0 already stored (a replay). */
	int (*event_add)(struct store *s, struct event_rec *e);
	/* The highest agent seq stored for host and boot, 0 if none. */
	int (*event_last)(struct store *s, const char *host, const char *boot, uint64_t *seq);
	int (*event_list)(struct store *s, int64_t after, unsigned int limit, event_cb cb,
			  void *ctx);

	/*
	 * A new queued task, or with an idempotency key the one this token
	 * already made with it (*existed true).
	 */
	int (*task_create)(struct store *s, const char *token_sha, const char *idem_key,
			   struct task_rec *t, bool *existed);
	int (*task_update)(struct store *s, const struct task_rec *t);
	int (*task_get)(struct store *s, int64_t id, struct task_rec *t);
	int (*task_list)(struct store *s, task_cb cb, void *ctx);
	/* The host's operations not finished (queued or running), oldest first. */
	int (*task_pending)(struct store *s, const char *host, task_cb cb, void *ctx);
	/* Tasks by state: counts[TASK_QUEUED..TASK_FAILED]. */
	int (*task_counts)(struct store *s, uint64_t counts[4]);

	/* 1 recorded, 0 already known by its sha256 (*i is then the stored one). */
	int (*image_add)(struct store *s, struct image_rec *i);
	int (*image_get)(struct store *s, const char *sha256, struct image_rec *i);
	int (*image_list)(struct store *s, image_cb cb, void *ctx);
};

struct store {
	const struct store_ops *ops;
};

/* Opens (creating and migrating as needed) the database at path. NULL with err on failure. */
struct store *store_sqlite_open(const char *path, char *err, size_t errlen);

/* How many migrations store_sqlite.c knows: the schema_version after open. */
extern const int store_sqlite_schema_latest;

#endif
