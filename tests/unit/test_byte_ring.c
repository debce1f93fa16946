/* SPDX-License-Identifier: GPL-2.0 */
/* The console byte ring: absolute offsets, wrap-around, lapped readers, oversized writes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/byte_ring.h>
#include <plinth/errno.h>

#define SIZE 16

struct fixture {
	struct byte_ring r;
	uint8_t *store; /* exactly SIZE bytes on the heap: ASan sees any overrun */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->store = malloc(SIZE);
	assert_non_null(f->store);
	assert_int_equal(byte_ring_init(&f->r, f->store, SIZE), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->store);
	free(f);
	return 0;
}

static void test_init_rejects_bad_sizes(void **state)
{
	struct byte_ring r;
	uint8_t buf[24];

	(void)state;
	assert_int_equal(byte_ring_init(&r, buf, 0), -EINVAL);
	assert_int_equal(byte_ring_init(&r, buf, 24), -EINVAL);
	assert_int_equal(byte_ring_init(&r, NULL, 16), -EINVAL);
	assert_int_equal(byte_ring_init(NULL, buf, 16), -EINVAL);
	assert_int_equal(byte_ring_init(&r, buf, 1), 0);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 0, lost = 99;
	char out[4];

	assert_int_equal(byte_ring_head(&f->r), 0);
	assert_int_equal(byte_ring_tail(&f->r), 0);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), &lost), 0);
	assert_int_equal(off, 0);
	assert_int_equal(lost, 0);
}

static void test_write_then_read_in_pieces(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 0;
	char out[SIZE + 1] = { 0 };

	byte_ring_write(&f->r, "hello, ", 7);
	byte_ring_write(&f->r, "world", 5);
	assert_int_equal(byte_ring_head(&f->r), 12);
	assert_int_equal(byte_ring_read(&f->r, &off, out, 5, NULL), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(off, 5);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), NULL), 7);
	assert_memory_equal(out, ", world", 7);
	assert_int_equal(off, 12);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), NULL), 0);
}

/* Writes that straddle the end of the store come back in order. */
static void test_wraps(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 10;
	char out[SIZE];

	byte_ring_write(&f->r, "0123456789", 10);
	byte_ring_write(&f->r, "abcdefghij", 10); /* head 20: store holds offsets 4..19 */
	assert_int_equal(byte_ring_tail(&f->r), 4);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), NULL), 10);
	assert_memory_equal(out, "abcdefghij", 10);
	off = 4;
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), NULL), 16);
	assert_memory_equal(out, "456789abcdefghij", 16);
}

/* A reader the writer lapped hears how much it missed and resumes at the oldest byte. */
static void test_lapped_reader(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 0, lost = 0;
	char out[SIZE];

	for (int i = 0; i < 5; i++)
		byte_ring_write(&f->r, "0123456789", 10); /* head 50, tail 34 */
	assert_int_equal(byte_ring_read(&f->r, &off, out, 4, &lost), 4);
	assert_int_equal(lost, 34);
	assert_int_equal(off, 38);
	assert_memory_equal(out, "4567", 4);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), &lost), 12);
	assert_int_equal(lost, 0);
	assert_memory_equal(out, "890123456789", 12);
}

/* More than the store in one write: only the newest SIZE bytes stay, offsets still count all. */
static void test_oversized_write(void **state)
{
	struct fixture *f = *state;
	const char *big = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"; /* 36 bytes */
	uint64_t off = 0, lost = 0;
	char out[SIZE];

	byte_ring_write(&f->r, "x", 1);
	byte_ring_write(&f->r, big, strlen(big));
	assert_int_equal(byte_ring_head(&f->r), 37);
	assert_int_equal(byte_ring_tail(&f->r), 21);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), &lost), SIZE);
	assert_int_equal(lost, 21);
	assert_memory_equal(out, big + 20, SIZE);
}

/* An offset never written is clamped to the head, not read from stale memory. */
static void test_offset_past_head(void **state)
{
	struct fixture *f = *state;
	uint64_t off = 1000, lost = 7;
	char out[4];

	byte_ring_write(&f->r, "abc", 3);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), &lost), 0);
	assert_int_equal(off, 3);
	assert_int_equal(lost, 0);
	byte_ring_write(&f->r, "d", 1);
	assert_int_equal(byte_ring_read(&f->r, &off, out, sizeof(out), NULL), 1);
	assert_int_equal(out[0], 'd');
}

/* A byte at a time against a model of the last SIZE bytes, across many laps. */
static void test_against_model(void **state)
{
	struct fixture *f = *state;
	static uint8_t all[5000];
	uint8_t out[SIZE];
	uint64_t off = 0, lost;

	srand(7);
	for (size_t i = 0; i < sizeof(all);) {
		size_t n = (size_t)(rand() % 23);

		if (n > sizeof(all) - i)
			n = sizeof(all) - i;
		for (size_t k = 0; k < n; k++)
			all[i + k] = (uint8_t)rand();
		byte_ring_write(&f->r, all + i, n);
		i += n;
		if (rand() % 3 == 0) {
			uint64_t before = off;
			size_t got = byte_ring_read(&f->r, &off, out, (size_t)(rand() % (SIZE + 1)),
						    &lost);

			assert_int_equal(before + lost + got, off);
			assert_true(off <= i);
			assert_true(off - got >= byte_ring_tail(&f->r));
			assert_memory_equal(out, all + off - got, got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_bad_sizes),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lapped_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offset_past_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
