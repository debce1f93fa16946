// SPDX-License-Identifier: GPL-2.0
/*
 * Management protocol state (kernel/mgmt/session.c): stream credits and a
 * peer that overspends, reconnect back-off and its jitter bounds, the
 * event log across acks, replays and overflow, and the operation record
 * that keeps a repeated operation id from running twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <plinth/errno.h>
#include <plinth/mgmt/session.h>
#include "log_capture.h"

static void test_credit(void **state)
{
	struct mgmt_credit c = { 0 };

	(void)state;
	assert_int_equal(mgmt_credit_spend(&c, 1), -EPROTO);
	assert_int_equal(mgmt_credit_grant(&c, 1000), 0);
	assert_int_equal(mgmt_credit_spend(&c, 600), 0);
	assert_int_equal(mgmt_credit_avail(&c), 400);
	assert_int_equal(mgmt_credit_spend(&c, 401), -EPROTO);
	assert_int_equal(mgmt_credit_avail(&c), 400);	/* a refused spend changes nothing */
	/* Top-up only once half the window is used, and back to the window. */
	assert_int_equal(mgmt_credit_topup(&c, 1000), 600);
	assert_int_equal(mgmt_credit_topup(&c, 800), 400);
	assert_int_equal(mgmt_credit_topup(&c, 790), 0);
	assert_int_equal(mgmt_credit_grant(&c, 600), 0);
	assert_int_equal(mgmt_credit_avail(&c), 1000);
	/* Outstanding credit is bounded, whatever the peer asks for. */
	assert_int_equal(mgmt_credit_grant(&c, MGMT_CREDIT_MAX), -EOVERFLOW);
	assert_int_equal(mgmt_credit_grant(&c, MGMT_CREDIT_MAX - 1000), 0);
	assert_int_equal(mgmt_credit_grant(&c, 1), -EOVERFLOW);
	assert_int_equal(mgmt_credit_topup(&c, 0xffffffffu), 0);
	/* Long streams: the counters are 64-bit, the window is what matters. */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(mgmt_credit_spend(&c, MGMT_CREDIT_MAX), 0);
		assert_int_equal(mgmt_credit_grant(&c, MGMT_CREDIT_MAX), 0);
	}
	assert_int_equal(mgmt_credit_avail(&c), MGMT_CREDIT_MAX);
}

static void test_backoff(void **state)
{
	struct mgmt_backoff b;
	uint32_t want = 500;

	(void)state;
	mgmt_backoff_init(&b, 500, 60000);
	for (int i = 0; i < 20; i++) {
		/* The largest and smallest jitter bound each step. */
		struct mgmt_backoff lo = b, hi = b;

		assert_int_equal(mgmt_backoff_next(&lo, 0), want);
		assert_int_equal(mgmt_backoff_next(&hi, want / 2), want - want / 2);
		uint32_t d = mgmt_backoff_next(&b, 0x9e3779b9u * (uint32_t)i);

		assert_true(d >= want - want / 2 && d <= want);
		want = want * 2 > 60000 ? 60000 : want * 2;
	}
	mgmt_backoff_reset(&b);
	assert_int_equal(mgmt_backoff_next(&b, 0), 500);
	/* Nonsense limits still give a sane delay. */
	mgmt_backoff_init(&b, 0, 0);
	assert_int_equal(mgmt_backoff_next(&b, 12345), 1);
}

static void test_evlog_ack_and_replay(void **state)
{
	struct mgmt_evlog l;
	const struct mgmt_event *e;

	(void)state;
	mgmt_evlog_init(&l);
	assert_null(mgmt_evlog_after(&l, 0));
	assert_int_equal(mgmt_evlog_add(&l, "web", MGMT_PART_RUNNING, "started"), 1);
	assert_int_equal(mgmt_evlog_add(&l, "web", MGMT_PART_STOPPED, "powered off"), 2);
	assert_int_equal(mgmt_evlog_add(&l, "db", MGMT_PART_RUNNING, "started"), 3);
	e = mgmt_evlog_after(&l, 0);
	assert_int_equal(e->seq, 1);
	assert_string_equal(e->partition, "web");
	assert_int_equal(mgmt_evlog_after(&l, 2)->seq, 3);
	assert_null(mgmt_evlog_after(&l, 3));
	/* Acks move forward only; one for an event never issued is refused. */
	assert_int_equal(mgmt_evlog_ack(&l, 4), -EINVAL);
	assert_int_equal(mgmt_evlog_ack(&l, 2), 0);
	assert_int_equal(mgmt_evlog_ack(&l, 1), 0);
	assert_int_equal(l.acked, 2);
	/* After a reconnect the replay starts after the ack, whatever was sent. */
	assert_int_equal(mgmt_evlog_after(&l, 0)->seq, 3);
	assert_int_equal(mgmt_evlog_ack(&l, 3), 0);
	assert_null(mgmt_evlog_after(&l, 0));
}

static void test_evlog_overflow(void **state)
{
	static struct mgmt_evlog l;
	char text[24];

	(void)state;
	mgmt_evlog_init(&l);
	for (int i = 1; i <= MGMT_EVLOG_SIZE + 10; i++) {
		snprintf(text, sizeof(text), "e%d", i);
		mgmt_evlog_add(&l, "p", MGMT_PART_RUNNING, text);
	}
	/* Ten unacknowledged events were overwritten; the rest replay in order. */
	assert_int_equal(l.dropped, 10);
	assert_int_equal(mgmt_evlog_after(&l, 0)->seq, 11);
	for (uint64_t s = 11; s < l.next_seq; s++) {
		const struct mgmt_event *e = mgmt_evlog_after(&l, s - 1);

		assert_int_equal(e->seq, s);
		snprintf(text, sizeof(text), "e%lu", (unsigned long)s);
		assert_string_equal(e->text, text);
	}
	/* Acknowledged events may be overwritten without loss. */
	assert_int_equal(mgmt_evlog_ack(&l, l.next_seq - 1), 0);
	for (int i = 0; i < MGMT_EVLOG_SIZE; i++)
		mgmt_evlog_add(&l, "p", MGMT_PART_STOPPED, "x");
	assert_int_equal(l.dropped, 10);
	/* Long texts are cut to the message's field, never past it. */
	memset(text, 'y', sizeof(text));
	text[sizeof(text) - 1] = 0;
	mgmt_evlog_add(&l, "a-partition-name-longer-than-thirty-one", 1, text);
	assert_int_equal(strlen(mgmt_evlog_after(&l, l.next_seq - 2)->partition), MGMT_NAME_MAX - 1);
}

static void test_opcache(void **state)
{
	static struct mgmt_opcache c;
	const struct mgmt_result *r;
	struct mgmt_result res = { .op_id = "op-1", .status = -ENOSPC,
				   .error = MGMT_ERR_CAPACITY, .text = "no room" };
	char id[MGMT_ID_MAX];

	(void)state;
	mgmt_opcache_init(&c);
	assert_int_equal(mgmt_opcache_begin(&c, "op-1", &r), MGMT_OP_NEW);
	/* The same id again while it runs: not started twice. */
	assert_int_equal(mgmt_opcache_begin(&c, "op-1", &r), MGMT_OP_RUNNING);
	assert_null(r);
	assert_int_equal(mgmt_opcache_finish(&c, &res), 0);
	assert_int_equal(mgmt_opcache_finish(&c, &res), -ENOENT);
	/* After it finished: the first result, not a second run. */
	assert_int_equal(mgmt_opcache_begin(&c, "op-1", &r), MGMT_OP_DONE);
	assert_int_equal(r->status, -ENOSPC);
	assert_string_equal(r->text, "no room");
	strcpy(res.op_id, "never-begun");
	assert_int_equal(mgmt_opcache_finish(&c, &res), -ENOENT);
	/* Full of running operations: refused, nothing evicted. */
	for (int i = 2; i <= MGMT_OPCACHE_SIZE; i++) {
		snprintf(id, sizeof(id), "op-%d", i);
		assert_int_equal(mgmt_opcache_begin(&c, id, &r), MGMT_OP_NEW);
	}
	assert_int_equal(mgmt_opcache_begin(&c, "op-x", &r), MGMT_OP_NEW);	/* evicts op-1 */
	assert_int_equal(mgmt_opcache_begin(&c, "op-y", &r), -EBUSY);
	assert_int_equal(mgmt_opcache_begin(&c, "op-2", &r), MGMT_OP_RUNNING);
	/* Finished ones go oldest first. */
	for (int i = 2; i <= 4; i++) {
		snprintf(res.op_id, sizeof(res.op_id), "op-%d", i);
		assert_int_equal(mgmt_opcache_finish(&c, &res), 0);
	}
	assert_int_equal(mgmt_opcache_begin(&c, "op-y", &r), MGMT_OP_NEW);	/* evicts op-2 */
	assert_int_equal(mgmt_opcache_begin(&c, "op-3", &r), MGMT_OP_DONE);
	assert_int_equal(mgmt_opcache_begin(&c, "op-4", &r), MGMT_OP_DONE);
	assert_int_equal(mgmt_opcache_begin(&c, "op-2", &r), MGMT_OP_NEW);	/* evicts op-3 */
	assert_int_equal(mgmt_opcache_begin(&c, "op-z", &r), MGMT_OP_NEW);	/* evicts op-4 */
	assert_int_equal(mgmt_opcache_begin(&c, "op-w", &r), -EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_evlog_ack_and_replay),
		cmocka_unit_test(test_evlog_overflow),
		cmocka_unit_test(test_opcache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
