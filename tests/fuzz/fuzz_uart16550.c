/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libFuzzer target for the 16550A model: every three input bytes are one
 * operation (register read or write, host input, tick, reset) for the
 * shared harness (tests/unit/uart16550_harness.h), whose checks run after
 * each one. A broken invariant aborts, so libFuzzer keeps the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include "uart16550_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, size_t step)
{
	fprintf(stderr, "uart16550: step %zu: %s\n", step, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uart16550_harness h;
	const char *err = harness_init(&h);

	if (err)
		die(err, 0);
	for (size_t i = 0; i + 3 <= size; i += 3) {
		err = harness_step(&h, data[i], data[i + 1], data[i + 2]);
		if (err)
			die(err, i / 3);
	}
	return 0;
}
