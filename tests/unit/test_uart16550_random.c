/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A model under random register traffic, host input, ticks and resets:
 * after every step the harness checks that nothing crashed, IIR is the
 * highest priority interrupt enabled in IER and pending in the state, the
 * line is at (enabled interrupt pending && OUT2), and no received byte is
 * lost, duplicated or reordered (uart16550_harness.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "uart16550_harness.h"

#define SEEDS 8
#define STEPS 250000

/* xorshift64: the same sequence on every host, so a failure reproduces. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void run_seed(uint64_t seed, unsigned long *seen)
{
	struct uart16550_harness *h = malloc(sizeof(*h));
	uint64_t s = seed;
	const char *err;

	assert_non_null(h);
	err = harness_init(h);
	if (err)
		fail_msg("init: %s", err);
	for (unsigned long i = 0; i < STEPS; i++) {
		uint64_t r = next(&s);
		uint8_t op = (uint8_t)r, a = (uint8_t)(r >> 8), b = (uint8_t)(r >> 16);

		err = harness_step(h, op, a, b);
		if (err)
			fail_msg("seed %llu step %lu (op %#x a %#x b %#x): %s",
				 (unsigned long long)seed, i, op, a, b, err);
	}
	for (unsigned int id = 0; id < 16; id++)
		seen[id] += h->iir_seen[id];
	free(h);
}

static void test_random_traffic_keeps_invariants(void **state)
{
	unsigned long seen[16] = { 0 };

	(void)state;
	for (uint64_t seed = 1; seed <= SEEDS; seed++)
		run_seed(seed * 0x9e3779b97f4a7c15ull, seen);
	/* The traffic reached every kind of interrupt, or the checks proved little. */
	assert_true(seen[VUART_IIR_NO_INT] > 0);
	assert_true(seen[VUART_IIR_RLSI] > 0);
	assert_true(seen[VUART_IIR_RDI] > 0);
	assert_true(seen[VUART_IIR_TIMEOUT] > 0);
	assert_true(seen[VUART_IIR_THRI] > 0);
	assert_true(seen[VUART_IIR_MSI] > 0);
	print_message("IIR reads: none %lu, RLS %lu, RDA %lu, timeout %lu, THRE %lu, MS %lu\n",
		      seen[VUART_IIR_NO_INT], seen[VUART_IIR_RLSI], seen[VUART_IIR_RDI],
		      seen[VUART_IIR_TIMEOUT], seen[VUART_IIR_THRI], seen[VUART_IIR_MSI]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_traffic_keeps_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
