/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESTS_UNIT_UART16550_HARNESS_H
#define TESTS_UNIT_UART16550_HARNESS_H

/*
 * Drives a vuart16550 with arbitrary operations (register reads and writes,
 * host input, ticks, resets) and checks after each one that the device is
 * consistent: IIR reports the highest priority interrupt that is enabled
 * and pending, the line is at (some enabled interrupt pending && OUT2) and
 * was driven only on changes, the receiver returns exactly the bytes it
 * took, in order, and every byte written to THR reached tx() or, in
 * loopback, the receiver. Shared by the randomized unit test and the
 * libFuzzer target, so the checks need no test framework: a step returns
 * NULL or what went wrong.
 */
#include <vmm/dev/uart16550.h>

/* More than the FIFO: the shadow receiver must never need more. */
#define HARNESS_SHADOW_SIZE 32

struct uart16550_harness {
	struct vuart16550 uart;
	/* The fake interrupt line. */
	bool line;
	unsigned long line_calls;
	bool redundant_call; /* the line was driven to the level it already had */
	/* What tx() saw. */
	unsigned long tx_count;
	uint8_t tx_last;
	/* What the receiver should hold, oldest first, and what an empty RBR reads. */
	uint8_t shadow[HARNESS_SHADOW_SIZE];
	unsigned int shadow_len;
	uint8_t rbr_last;
	uint8_t push_seq; /* the next host input byte: a running counter */
	unsigned long iir_seen[16]; /* guest IIR reads, by interrupt ID: what was covered */
};

/* Sets h up around a freshly initialized device; NULL or what failed. */
const char *harness_init(struct uart16550_harness *h);

/* One operation decoded from three bytes of input, then the checks. */
const char *harness_step(struct uart16550_harness *h, uint8_t op, uint8_t a, uint8_t b);

/* Only the consistency checks, on the current state. */
const char *harness_check(const struct uart16550_harness *h);

#endif
