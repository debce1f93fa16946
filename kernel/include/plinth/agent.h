/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_AGENT_H
#define PLINTH_AGENT_H

/*
 * The management agent (kernel/agent/): with an [agent] section in
 * plinth.cfg, Plinth dials out to its controller over mutual TLS, enrols
 * when it has no certificate, then reports the host, its partitions and
 * their changes (docs: the agent <-> controller contract of issue 10). It
 * runs on the network thread, inside lwIP's callbacks and timers.
 *
 * The kernel does not know partitions (vmm/ sits above it): the layer that
 * runs them registers a backend that describes them, and reports their
 * changes with agent_event().
 */
#include <plinth/mgmt/msg.h>
#include <plinth/types.h>

/* An operation's way to send PROGRESS{done, total, text} while it runs (ctx: the agent's). */
typedef void agent_progress_fn(void *ctx, uint64_t done, uint64_t total, const char *text);

/*
 * Every function is called on the network thread, inside the agent's tick
 * or its frame handling, and must not block: what takes long goes on
 * elsewhere (a partition stops on its own vCPUs) and its end is told with
 * agent_event().
 */
struct agent_backend {
	/* Fills st->parts and st->count: the partitions there are now. */
	void (*state)(struct mgmt_state *st);
	/* How many CPUs run at least one vCPU of a partition that has not stopped. */
	unsigned int (*cpus_used)(void);
	/*
	 * Runs one operation from the controller: res (zeroed, op_id set)
	 * gets its status (0 or a negative errno), error (enum mgmt_error)
	 * and text. The agent calls it once per op id (of the last
	 * MGMT_OPCACHE_SIZE in a boot), however often the controller sends
	 * it, and repeats the first result. progress(ctx, ...) sends a
	 * PROGRESS before the RESULT.
	 */
	void (*op)(const struct mgmt_op *op, struct mgmt_result *res, agent_progress_fn *progress,
		   void *ctx);
	/*
	 * A partition's console output by absolute offset: up to len bytes
	 * from *off into buf, *off advanced and *lost set to the bytes the
	 * console overwrote before they were read. The number copied, or
	 * -ENOENT when there is no such partition (len 0: only that check).
	 */
	long (*console_read)(const char *partition, uint64_t *off, void *buf, size_t len,
			     uint64_t *lost);
	/* Keystrokes for its console: how many it took now (the rest comes again), or -ENOENT. */
	long (*console_input)(const char *partition, const void *buf, size_t len);
};

/* Once, before partitions start; the backend's functions must stay valid for good. */
void agent_set_backend(const struct agent_backend *backend);

/*
 * A partition moved to state (enum mgmt_part_state): numbered, kept and sent
 * to the controller until it acknowledges it. From any CPU; never blocks
 * for long (a spinlock around a copy). Without an [agent] it does nothing.
 */
void agent_event(const char *partition, uint32_t state, const char *text);

/*
 * From the network stack (kernel/net/), on its thread, once its interface
 * has an address: starts dialling out. mac is that interface's, which gives
 * the default host id.
 */
void agent_net_up(const uint8_t mac[6]);

/*
 * The host id: configured (a [a-z0-9-]{1,63} string from plinth.cfg) if set,
 * else "h-" and the 12 lowercase hex digits of mac. out has MGMT_ID_MAX bytes.
 */
void agent_host_id(const char *configured, const uint8_t mac[6], char out[MGMT_ID_MAX]);

/* "create", "start", ... for an enum mgmt_op_kind; "unknown" for anything else. */
const char *agent_op_name(uint32_t kind);

#endif
