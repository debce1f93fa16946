// SPDX-License-Identifier: GPL-2.0
/* The scheduler's run-queue policy (kernel/sched/runq.c): order, slices, sleepers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <plinth/runq.h>

#define SLICE 100

static void fresh(struct runq *rq, struct sched_entity *se, unsigned int n)
{
	runq_init(rq, SLICE);
	memset(se, 0, n * sizeof(*se));
}

/* Round robin: started threads run in order, a yielding one goes behind the others. */
static void test_round_robin(void **state)
{
	struct sched_entity se[3], *cur;
	struct runq rq;

	(void)state;
	fresh(&rq, se, 3);
	assert_null(runq_pick(&rq, 0));
	for (int i = 0; i < 3; i++)
		runq_enqueue(&rq, &se[i]);
	assert_int_equal(rq.queued, 3);
	cur = runq_pick(&rq, 0);
	assert_ptr_equal(cur, &se[0]);
	assert_int_equal(cur->state, SE_RUNNING);
	for (int turn = 1; turn < 7; turn++) {
		runq_put(cur, turn * 10);
		runq_enqueue(&rq, cur);
		cur = runq_pick(&rq, turn * 10);
		assert_ptr_equal(cur, &se[turn % 3]);
	}
	assert_int_equal(rq.queued, 2);
}

/* Alone, a thread is never asked to give up the CPU; with a waiter, after one slice. */
static void test_slice_only_with_waiters(void **state)
{
	struct sched_entity se[2], *cur;
	struct runq rq;

	(void)state;
	fresh(&rq, se, 2);
	runq_enqueue(&rq, &se[0]);
	cur = runq_pick(&rq, 1000);
	assert_false(runq_slice_over(&rq, cur, 1000 + 10 * SLICE));
	runq_enqueue(&rq, &se[1]);
	assert_false(runq_slice_over(&rq, cur, 1000));
	assert_false(runq_slice_over(&rq, cur, 1000 + SLICE - 1));
	assert_true(runq_slice_over(&rq, cur, 1000 + SLICE));
}

/* CPU time is counted only while running: a blocked thread accrues none. */
static void test_runtime_accounting(void **state)
{
	struct sched_entity se[2], *cur;
	struct runq rq;

	(void)state;
	fresh(&rq, se, 2);
	runq_enqueue(&rq, &se[0]);
	runq_enqueue(&rq, &se[1]);
	cur = runq_pick(&rq, 0);               /* se0 runs 0..50 */
	runq_put(cur, 50);
	runq_block(&rq, cur, 0);
	cur = runq_pick(&rq, 50);              /* se1 runs 50..1050 */
	runq_put(cur, 1050);
	assert_true(runq_wake(&rq, &se[0]));
	runq_enqueue(&rq, cur);
	cur = runq_pick(&rq, 1050);            /* se0 again, 1050..1060 */
	assert_ptr_equal(cur, &se[0]);
	runq_put(cur, 1060);
	assert_int_equal(se[0].runtime, 60);
	assert_int_equal(se[1].runtime, 1000);
}

/* Sleepers wake by deadline, ties in the order they slept, and join the tail. */
static void test_sleepers_expire_in_deadline_order(void **state)
{
	struct sched_entity se[5];
	struct runq rq;

	(void)state;
	fresh(&rq, se, 5);
	runq_block(&rq, &se[0], 300);
	runq_block(&rq, &se[1], 100);
	runq_block(&rq, &se[2], 200);
	runq_block(&rq, &se[3], 100);
	runq_block(&rq, &se[4], 0); /* no deadline: only a wake-up */
	assert_int_equal(runq_next_deadline(&rq), 100);
	assert_int_equal(runq_expire(&rq, 99), 0);
	assert_int_equal(runq_expire(&rq, 200), 3);
	assert_ptr_equal(runq_pick(&rq, 200), &se[1]);
	assert_ptr_equal(runq_pick(&rq, 200), &se[3]);
	assert_ptr_equal(runq_pick(&rq, 200), &se[2]);
	assert_null(runq_pick(&rq, 200));
	assert_int_equal(runq_next_deadline(&rq), 300);
	assert_int_equal(runq_expire(&rq, 1000000), 1);
	assert_int_equal(runq_next_deadline(&rq), 0);
	assert_int_equal(se[4].state, SE_BLOCKED);
}

/* A wake-up before the deadline takes the sleeper off the list; waking twice is harmless. */
static void test_wake_before_deadline(void **state)
{
	struct sched_entity se[2];
	struct runq rq;

	(void)state;
	fresh(&rq, se, 2);
	runq_block(&rq, &se[0], 500);
	runq_block(&rq, &se[1], 700);
	assert_true(runq_wake(&rq, &se[0]));
	assert_false(runq_wake(&rq, &se[0])); /* runnable already: stays queued once */
	assert_int_equal(rq.queued, 1);
	assert_int_equal(runq_next_deadline(&rq), 700);
	assert_int_equal(runq_expire(&rq, 600), 0);
	assert_ptr_equal(runq_pick(&rq, 600), &se[0]);
	assert_false(runq_wake(&rq, &se[0])); /* running: nothing to do */
	assert_int_equal(rq.queued, 0);
}

/* Neither new nor dead threads are woken into the queue. */
static void test_wake_ignores_new_and_dead(void **state)
{
	struct sched_entity se[2];
	struct runq rq;

	(void)state;
	fresh(&rq, se, 2);
	se[0].state = SE_NEW;
	se[1].state = SE_DEAD;
	assert_false(runq_wake(&rq, &se[0]));
	assert_false(runq_wake(&rq, &se[1]));
	assert_int_equal(rq.queued, 0);
}

/* A sleeper whose deadline passed is a waiter like any other: the running thread's turn can end. */
static void test_expired_sleeper_ends_turn(void **state)
{
	struct sched_entity se[2], *cur;
	struct runq rq;

	(void)state;
	fresh(&rq, se, 2);
	runq_enqueue(&rq, &se[0]);
	cur = runq_pick(&rq, 0);
	runq_block(&rq, &se[1], 40);
	assert_false(runq_slice_over(&rq, cur, SLICE)); /* nobody runnable yet */
	runq_expire(&rq, SLICE);
	assert_true(runq_slice_over(&rq, cur, SLICE));
}

/* Many threads, random block/wake/yield: the queue stays consistent with the states. */
static void test_random_consistency(void **state)
{
	enum { N = 16 };
	struct sched_entity se[N], *cur = NULL;
	struct runq rq;
	uint64_t now = 1;
	uint32_t seed = 12345;

	(void)state;
	fresh(&rq, se, N);
	for (int i = 0; i < N; i++)
		runq_enqueue(&rq, &se[i]);
	for (int step = 0; step < 20000; step++) {
		unsigned int r, queued = 0, sleeping = 0;

		seed = seed * 1103515245 + 12345;
		r = seed >> 16;
		now += r % 7;
		runq_expire(&rq, now);
		if (!cur) {
			cur = runq_pick(&rq, now);
		} else if (r % 3 == 0) {
			runq_put(cur, now);
			runq_block(&rq, cur, r % 2 ? now + r % 50 : 0);
			cur = NULL;
		} else if (r % 3 == 1) {
			runq_put(cur, now);
			runq_enqueue(&rq, cur);
			cur = runq_pick(&rq, now);
		}
		runq_wake(&rq, &se[r % N]);
		for (struct sched_entity *e = rq.head; e; e = e->next) {
			assert_int_equal(e->state, SE_RUNNABLE);
			queued++;
		}
		assert_int_equal(queued, rq.queued);
		for (struct sched_entity *e = rq.sleepers; e; e = e->sleep_next) {
			assert_int_equal(e->state, SE_BLOCKED);
			assert_true(!e->sleep_next || e->deadline <= e->sleep_next->deadline);
			sleeping++;
		}
		for (int i = 0; i < N; i++)
			if (se[i].state == SE_BLOCKED && se[i].deadline)
				sleeping--;
		assert_int_equal(sleeping, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_slice_only_with_waiters),
		cmocka_unit_test(test_runtime_accounting),
		cmocka_unit_test(test_sleepers_expire_in_deadline_order),
		cmocka_unit_test(test_wake_before_deadline),
		cmocka_unit_test(test_wake_ignores_new_and_dead),
		cmocka_unit_test(test_expired_sleeper_ends_turn),
		cmocka_unit_test(test_random_consistency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
