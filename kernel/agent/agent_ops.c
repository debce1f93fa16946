/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Operations from the controller (agent_core.h): each op id runs once per
 * boot. The controller sends an op again when it did not see the result
 * (the connection broke in between), so the record (mgmt_opcache) outlives
 * connections and a repeat gets the first RESULT again instead of a second
 * run: a second START must not start a partition the first one started and
 * something else has stopped since.
 */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include "agent_core.h"

static const char *const op_names[MGMT_OP_KIND_COUNT] = {
	[MGMT_OP_CREATE] = "create",
	[MGMT_OP_START] = "start",
	[MGMT_OP_STOP] = "stop",
	[MGMT_OP_REBOOT] = "reboot",
	[MGMT_OP_DELETE] = "delete",
};

const char *agent_op_name(uint32_t kind)
{
	return kind < MGMT_OP_KIND_COUNT && op_names[kind] ? op_names[kind] : "unknown";
}

struct progress_ctx {
	const struct agent_io *io;
	const char *op_id;
};

/* A PROGRESS that finds the queue full is skipped: the next one, or the RESULT, says more. */
static void progress(void *ctx, uint64_t done, uint64_t total, const char *text)
{
	const struct progress_ctx *pc = ctx;
	struct mgmt_progress pr;

	memset(&pr, 0, sizeof(pr));
	strlcpy(pr.op_id, pc->op_id, sizeof(pr.op_id));
	pr.done = done;
	pr.total = total;
	strlcpy(pr.text, text ? text : "", sizeof(pr.text));
	pc->io->send(MGMT_CHANNEL_CONTROL, MGMT_PROGRESS, &pr);
}

static void run(const struct agent_backend *b, const struct agent_io *io,
		const struct mgmt_op *op, struct mgmt_result *res)
{
	struct progress_ctx pc = { .io = io, .op_id = op->op_id };

	if (!b || !b->op) {
		res->status = -ENOTSUP;
		res->error = MGMT_ERR_INVALID;
		snprintf(res->text, sizeof(res->text), "operation %s not supported by this host",
			 agent_op_name(op->kind));
		return;
	}
	b->op(op, res, progress, &pc);
	/* The backend owns status and text; the id is the agent's, whatever it did. */
	strlcpy(res->op_id, op->op_id, sizeof(res->op_id));
	if (res->status > 0)
		res->status = -res->status;
	if (res->status && res->error == MGMT_ERR_NONE)
		res->error = MGMT_ERR_INTERNAL;
	if (res->error >= MGMT_ERR_COUNT)
		res->error = MGMT_ERR_INTERNAL;
}

int agent_ops_handle(struct mgmt_opcache *cache, const struct agent_backend *b,
		     const struct agent_io *io, const struct mgmt_op *op)
{
	const struct mgmt_result *first;
	struct mgmt_result res;
	int seen = mgmt_opcache_begin(cache, op->op_id, &first);

	memset(&res, 0, sizeof(res));
	strlcpy(res.op_id, op->op_id, sizeof(res.op_id));
	switch (seen) {
	case MGMT_OP_NEW:
		run(b, io, op, &res);
		mgmt_opcache_finish(cache, &res);
		if (res.status)
			pr_info("agent: op %s: %s '%s' failed (%d): %s\n", op->op_id,
				agent_op_name(op->kind), op->partition, res.status, res.text);
		else
			pr_info("agent: op %s: %s '%s': %s\n", op->op_id, agent_op_name(op->kind),
				op->partition, res.text[0] ? res.text : "done");
		break;
	case MGMT_OP_DONE:
		res = *first;
		pr_info("agent: op %s seen before: its first result again (status %d)\n", op->op_id,
			res.status);
		break;
	case MGMT_OP_RUNNING:
		/* Its result is on the way: one RESULT per run, not one per request. */
		pr_info("agent: op %s is still running\n", op->op_id);
		return 0;
	default:
		/* Every entry a running op: none can be, as ops finish inside run(). */
		res.status = -EBUSY;
		res.error = MGMT_ERR_CAPACITY;
		strlcpy(res.text, "too many operations in progress", sizeof(res.text));
		break;
	}
	return io->send(MGMT_CHANNEL_CONTROL, MGMT_RESULT, &res);
}
