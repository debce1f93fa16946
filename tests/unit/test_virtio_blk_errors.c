// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk backend refusing requests: sectors outside the disk or
 * overflowing, a read-only disk, DISCARD / WRITE_ZEROES limits and flags,
 * unknown types, malformed chains (answered IOERR when a status byte
 * exists, else the device fails once), and buffers outside guest RAM.
 * Every refused request leaves the store and the guest's data untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <plinth/bytes.h>
#include <plinth/errno.h>
#include <vmm/virtio/blk.h>
#include "vblk_fixture.h"
#include <cmocka.h>

#define STORE_SIZE	KIB(64)
#define CAPACITY	(STORE_SIZE / 512)

static struct vblk_fx fx;
static uint8_t *pristine;

static void start(bool readonly)
{
	vblk_fx_init(&fx, STORE_SIZE, readonly, 1, "x");
	vblk_fx_start_queue(&fx, 0, 64, false);
	memcpy(pristine, fx.store, STORE_SIZE);
}

static int setup(void **state)
{
	(void)state;
	pristine = malloc(STORE_SIZE);
	if (!pristine)
		return -1;
	start(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vblk_fx_free(&fx);
	free(pristine);
	return 0;
}

static uint8_t *g(uint64_t gpa)
{
	return fx.ram.mem + (gpa - VBLK_RAM_BASE);
}

static struct vblk_buf rd(uint64_t gpa, uint32_t len)
{
	return (struct vblk_buf){ gpa, len, false };
}

static struct vblk_buf wr(uint64_t gpa, uint32_t len)
{
	return (struct vblk_buf){ gpa, len, true };
}

static void assert_store_untouched(void)
{
	assert_memory_equal(fx.store, pristine, STORE_SIZE);
}

/* A readable buffer of n DISCARD / WRITE_ZEROES ranges. */
static struct vblk_buf ranges(unsigned int n, const uint64_t *sector, const uint32_t *count,
			      const uint32_t *flags)
{
	uint64_t at = vblk_fx_alloc(&fx, 16 * (uint64_t)n);

	for (unsigned int i = 0; i < n; i++) {
		vq_ram_put64(&fx.ram, at + 16 * i, sector[i]);
		vq_ram_put32(&fx.ram, at + 16 * i + 8, count[i]);
		vq_ram_put32(&fx.ram, at + 16 * i + 12, flags ? flags[i] : 0);
	}
	return rd(at, 16 * n);
}

static void assert_zero(uint64_t sector, uint64_t count)
{
	for (uint64_t i = sector * 512; i < (sector + count) * 512; i++)
		assert_int_equal(fx.store[i], 0);
}

static void test_out_of_range(void **state)
{
	uint64_t d = vblk_fx_alloc(&fx, 1024);
	struct vblk_buf in = wr(d, 1024), out = rd(d, 1024);
	static const uint64_t bad[] = { CAPACITY, CAPACITY - 1, CAPACITY + 1, UINT64_MAX,
					UINT64_MAX - 1, 1ULL << 55, 1ULL << 63 };
	struct virtio_blk_stats st;
	uint32_t len;

	(void)state;
	memset(g(d), 0x3c, 1024);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, bad[i], &in, 1, &len),
				 VIRTIO_BLK_S_IOERR);
		assert_int_equal(len, 1);
		assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, bad[i], &out, 1, &len),
				 VIRTIO_BLK_S_IOERR);
	}
	for (int i = 0; i < 1024; i++)
		assert_int_equal(g(d)[i], 0x3c);
	assert_store_untouched();
	/* Exactly up to the end is fine. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, CAPACITY - 2, &in, 1, &len), 0);
	virtio_blk_stats(fx.blk, &st);
	assert_int_equal(st.ioerr, 2 * ARRAY_SIZE(bad));
	assert_int_equal(st.reads, 1);
	assert_int_equal(st.writes, 0);
	assert_int_equal(fx.fails, 0);
}

static void test_readonly(void **state)
{
	uint64_t d = vblk_fx_alloc(&fx, 512);
	struct vblk_buf out, in;
	uint64_t s = 1;
	uint32_t c = 1;
	struct vblk_buf r;

	(void)state;
	vblk_fx_free(&fx);
	start(true);
	d = vblk_fx_alloc(&fx, 512);
	out = rd(d, 512);
	in = wr(d, 512);
	r = ranges(1, &s, &c, NULL);
	memset(g(d), 0x77, 512);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 0, &out, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_store_untouched();
	/* Reads, FLUSH and GET_ID still work. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 4, &in, 1, NULL), 0);
	assert_memory_equal(g(d), fx.store + 4 * 512, 512);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, &in, 1, NULL), 0);
	assert_memory_equal(g(d), "x\0\0", 3);
	assert_int_equal(fx.fails, 0);
}

static void test_discard_write_zeroes(void **state)
{
	uint64_t s[VIRTIO_BLK_MAX_DWZ_SEG + 1];
	uint32_t c[VIRTIO_BLK_MAX_DWZ_SEG + 1], fl[2];
	struct vblk_buf r;
	struct virtio_blk_stats st;

	(void)state;
	/* One range, then several: zeroed, the neighbours kept. */
	s[0] = 2;
	c[0] = 3;
	r = ranges(1, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL), 0);
	assert_zero(2, 3);
	assert_memory_equal(fx.store, pristine, 2 * 512);
	assert_memory_equal(fx.store + 5 * 512, pristine + 5 * 512, STORE_SIZE - 5 * 512);
	memcpy(fx.store, pristine, STORE_SIZE);
	for (int i = 0; i < VIRTIO_BLK_MAX_DWZ_SEG; i++) {
		s[i] = 4 * (uint64_t)i;
		c[i] = 1;
	}
	s[VIRTIO_BLK_MAX_DWZ_SEG - 1] = CAPACITY - 1;
	r = ranges(VIRTIO_BLK_MAX_DWZ_SEG, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL), 0);
	assert_zero(0, 1);
	assert_zero(56, 1);
	assert_zero(CAPACITY - 1, 1);
	assert_memory_equal(fx.store + 512, pristine + 512, 3 * 512);
	memcpy(fx.store, pristine, STORE_SIZE);
	/* WRITE_ZEROES may carry UNMAP; zero ranges and zero-length payloads are no-ops. */
	fl[0] = VIRTIO_BLK_WZ_F_UNMAP;
	c[0] = 0;
	r = ranges(1, s, c, fl);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL), 0);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, NULL, 0, NULL), 0);
	assert_store_untouched();

	/* Too many ranges. */
	for (int i = 0; i <= VIRTIO_BLK_MAX_DWZ_SEG; i++) {
		s[i] = (uint64_t)i;
		c[i] = 1;
	}
	r = ranges(VIRTIO_BLK_MAX_DWZ_SEG + 1, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* A bad range after a good one: nothing is applied. */
	s[0] = 0;
	c[0] = 1;
	s[1] = CAPACITY - 1;
	c[1] = 2;
	r = ranges(2, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	s[1] = UINT64_MAX;
	c[1] = 1;
	r = ranges(2, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* More sectors in one range than max_*_sectors, even on a big enough disk. */
	c[0] = VIRTIO_BLK_MAX_DWZ_SECTORS + 1;
	r = ranges(1, s, c, NULL);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* Unknown flags, and UNMAP on DISCARD, are UNSUPP. */
	c[0] = 1;
	fl[0] = 2;
	r = ranges(1, s, c, fl);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	fl[0] = VIRTIO_BLK_WZ_F_UNMAP;
	r = ranges(1, s, c, fl);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	/* A payload that is not whole ranges, or writable data besides the status. */
	r = ranges(1, s, c, NULL);
	r.len = 15;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_DISCARD, 0, &r, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	r.len = 16;
	{
		struct vblk_buf two[2] = { r, wr(vblk_fx_alloc(&fx, 8), 8) };

		assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, two, 2, NULL),
				 VIRTIO_BLK_S_IOERR);
	}
	assert_store_untouched();
	virtio_blk_stats(fx.blk, &st);
	assert_int_equal(st.discards, 2);
	assert_int_equal(st.write_zeroes, 2);
	assert_int_equal(st.ioerr, 6);
	assert_int_equal(st.unsupp, 3);
	assert_int_equal(fx.fails, 0);
}

static void test_unknown_and_malformed_with_status(void **state)
{
	uint64_t d = vblk_fx_alloc(&fx, 1024);
	struct vblk_buf in = wr(d, 1024), out = rd(d, 1024);
	struct vblk_buf odd_in = wr(d, 511), odd_out = rd(d, 513);
	struct vblk_buf mixed[2] = { rd(d, 512), wr(d + 512, 512) };
	uint64_t st = vblk_fx_alloc(&fx, 1);
	struct vblk_buf shorthdr[2] = { rd(vblk_fx_hdr(&fx, VIRTIO_BLK_T_FLUSH, 0), 15), wr(st, 1) };
	uint32_t id, len;

	(void)state;
	memset(g(d), 0x11, 1024);
	assert_int_equal(vblk_fx_req(&fx, 0, 2, 0, NULL, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(vblk_fx_req(&fx, 0, 99, 0, &in, 1, &len), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(len, 1);
	assert_int_equal(vblk_fx_req(&fx, 0, 0xffffffff, 0, &out, 1, NULL), VIRTIO_BLK_S_UNSUPP);
	/* IN with readable data, OUT with writable data, GET_ID with readable data. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, mixed, 2, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 0, mixed, 2, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_GET_ID, 0, mixed, 2, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* Data that is not whole sectors. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, &odd_in, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 0, &odd_out, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(g(d)[i], 0x11);
	/* A header shorter than 16 bytes, with a status to answer in. */
	vblk_fx_offer(&fx, 0, vblk_fx_chain(&fx, 0, shorthdr, 2));
	vblk_fx_notify(&fx, 0);
	assert_true(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(len, 1);
	assert_int_equal(g(st)[0], VIRTIO_BLK_S_IOERR);
	assert_store_untouched();
	assert_int_equal(fx.fails, 0);
	/* The queue goes on. */
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, &in, 1, NULL), VIRTIO_BLK_S_OK);
}

/* No writable byte for a status: the device fails, once, and stops. */
static void test_no_status_fails_device(void **state)
{
	struct vblk_buf only_hdr = rd(vblk_fx_hdr(&fx, VIRTIO_BLK_T_FLUSH, 0), 16);
	struct vblk_buf out[2] = { rd(vblk_fx_hdr(&fx, VIRTIO_BLK_T_OUT, 0), 16),
				   rd(vblk_fx_alloc(&fx, 512), 512) };
	uint32_t id, len;

	(void)state;
	vblk_fx_offer(&fx, 0, vblk_fx_chain(&fx, 0, &only_hdr, 1));
	vblk_fx_offer(&fx, 0, vblk_fx_chain(&fx, 0, out, 2));
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
	assert_non_null(fx.fail_reason);
	assert_true(fx.blk->dev.failed);
	assert_false(vblk_fx_next_used(&fx, 0, &id, &len));
	assert_int_equal(fx.irqs[0], 0);
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
	assert_store_untouched();
}

/* A corrupt ring: the walker's reason reaches the transport, once. */
static void test_ring_error_fails_device(void **state)
{
	(void)state;
	vblk_fx_offer(&fx, 0, 64);	/* a head outside the 64-entry table */
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
	assert_string_equal(fx.fail_reason, vq_reason(&fx.blk->queues[0].vq));
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
}

/* Data buffers outside guest RAM (the walker refuses them) or straddling its end. */
static void test_buffer_outside_ram(void **state)
{
	struct vblk_buf bad[] = { wr(0, 512), wr(VBLK_RAM_END - 256, 512), rd(0x1000, 512) };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vblk_fx_free(&fx);
		start(false);
		assert_int_equal(vblk_fx_req(&fx, 0, bad[i].writable ? VIRTIO_BLK_T_IN :
					     VIRTIO_BLK_T_OUT, 0, &bad[i], 1, NULL), -1);
		assert_int_equal(fx.fails, 1);
		assert_store_untouched();
	}
}

/*
 * Guest RAM that faults while data moves (the walker's check passed, as
 * when RAM changes under a request): the device fails rather than
 * answering, and moves nothing past the fault.
 */
static bool lenient_in_ram(void *ctx, gpa_t at, uint64_t len)
{
	(void)ctx;
	return len && at.v + len >= at.v;
}

static void test_fault_during_transfer(void **state)
{
	struct vblk_buf in[2] = { wr(vblk_fx_alloc(&fx, 512), 512), wr(0x2000, 512) };
	struct vblk_buf out = rd(0x2000, 512);
	uint64_t s = 0x3000;
	struct vblk_buf hdr_out = rd(s, 16), st = wr(vblk_fx_alloc(&fx, 1), 1);
	struct vblk_buf chain[2] = { hdr_out, st };

	(void)state;
	fx.ram.ops.in_ram = lenient_in_ram;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, in, 2, NULL), -1);
	assert_int_equal(fx.fails, 1);
	vblk_fx_free(&fx);
	start(false);
	fx.ram.ops.in_ram = lenient_in_ram;
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_OUT, 0, &out, 1, NULL), -1);
	assert_int_equal(fx.fails, 1);
	assert_store_untouched();
	/* A header outside RAM. */
	vblk_fx_free(&fx);
	start(false);
	fx.ram.ops.in_ram = lenient_in_ram;
	vblk_fx_offer(&fx, 0, vblk_fx_chain(&fx, 0, chain, 2));
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
	/* A status byte outside RAM. */
	vblk_fx_free(&fx);
	start(false);
	fx.ram.ops.in_ram = lenient_in_ram;
	chain[0] = rd(vblk_fx_hdr(&fx, VIRTIO_BLK_T_FLUSH, 0), 16);
	chain[1] = wr(0x4000, 1);
	vblk_fx_offer(&fx, 0, vblk_fx_chain(&fx, 0, chain, 2));
	vblk_fx_notify(&fx, 0);
	assert_int_equal(fx.fails, 1);
	assert_int_equal(vq_ram_get16(&fx.ram, vblk_fx_used(0) + 2), 0);
}

/* More data buffers than seg_max: the walker refuses the chain. */
static void test_too_many_segments(void **state)
{
	struct vblk_buf b[VIRTIO_BLK_SEG_MAX + 1];
	uint64_t d = vblk_fx_alloc(&fx, 512 * (VIRTIO_BLK_SEG_MAX + 1));

	(void)state;
	vblk_fx_free(&fx);
	vblk_fx_init(&fx, STORE_SIZE, false, 1, NULL);
	vblk_fx_start_queue(&fx, 0, 128, false);
	memcpy(pristine, fx.store, STORE_SIZE);
	d = vblk_fx_alloc(&fx, 512 * (VIRTIO_BLK_SEG_MAX + 1));
	for (int i = 0; i < VIRTIO_BLK_SEG_MAX; i++)
		b[i] = wr(d + 512 * (uint64_t)i, 512);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, b, VIRTIO_BLK_SEG_MAX, NULL), 0);
	assert_memory_equal(g(d), fx.store, 512 * VIRTIO_BLK_SEG_MAX);
	b[VIRTIO_BLK_SEG_MAX] = wr(d + 512 * (uint64_t)VIRTIO_BLK_SEG_MAX, 512);
	assert_int_equal(vblk_fx_req(&fx, 0, VIRTIO_BLK_T_IN, 0, b, VIRTIO_BLK_SEG_MAX + 1,
				     NULL), -1);
	assert_int_equal(fx.fails, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_write_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_malformed_with_status, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_status_fails_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_error_fails_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_during_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_segments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
