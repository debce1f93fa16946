// SPDX-License-Identifier: GPL-2.0
/*
 * The image store (kernel/image/image_store.c) over a fake frame allocator: a malloc'd arena
 * of pages at a made-up physical address, first fit, with every frame's owner checked on free
 * and the free count compared after every path. Hashes come from OpenSSL (sha256_host.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/image_store.h>
#include <plinth/sha256.h>
#include "log_capture.h"

#define ARENA_PAGES 128 /* more than IMAGE_STORE_SLOTS one-page images */
#define ARENA_BASE 0x40000000ULL

static uint8_t *arena;
static uint8_t used[ARENA_PAGES];
static size_t free_frames;
static int fail_allocs; /* the next this many allocations fail */
static unsigned int bad_frees;
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;

static int fake_alloc(void *ctx, size_t pages, paddr_t *pa)
{
	int ret = -ENOMEM;

	(void)ctx;
	pthread_mutex_lock(&arena_lock);
	if (fail_allocs > 0) {
		fail_allocs--;
		goto out;
	}
	for (size_t start = 0; pages && start + pages <= ARENA_PAGES; start++) {
		size_t n = 0;

		while (n < pages && !used[start + n])
			n++;
		if (n < pages) {
			start += n;
			continue;
		}
		memset(&used[start], 1, pages);
		/* Stale bytes, as real frames have: the store must not rely on zeroed memory. */
		memset(arena + start * PAGE_SIZE, 0xa5, pages * PAGE_SIZE);
		free_frames -= pages;
		*pa = ARENA_BASE + start * PAGE_SIZE;
		ret = 0;
		break;
	}
out:
	pthread_mutex_unlock(&arena_lock);
	return ret;
}

static void fake_free(void *ctx, paddr_t pa, size_t pages)
{
	size_t start = (pa - ARENA_BASE) / PAGE_SIZE;

	(void)ctx;
	pthread_mutex_lock(&arena_lock);
	if (pa < ARENA_BASE || pa % PAGE_SIZE || start + pages > ARENA_PAGES) {
		bad_frees++;
	} else {
		for (size_t i = start; i < start + pages; i++) {
			if (!used[i])
				bad_frees++;
			used[i] = 0;
		}
		free_frames += pages;
	}
	pthread_mutex_unlock(&arena_lock);
}

static void *fake_map(void *ctx, paddr_t pa)
{
	(void)ctx;
	assert_true(pa >= ARENA_BASE && pa < ARENA_BASE + ARENA_PAGES * PAGE_SIZE);
	return arena + (pa - ARENA_BASE);
}

static const struct image_store_ops fake_ops = {
	.alloc_pages = fake_alloc,
	.free_pages = fake_free,
	.map = fake_map,
};

static struct image_store store;

static int setup_capacity(uint64_t capacity)
{
	arena = aligned_alloc(PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
	if (!arena)
		return -1;
	memset(used, 0, sizeof(used));
	free_frames = ARENA_PAGES;
	fail_allocs = 0;
	bad_frees = 0;
	log_capture_clear();
	return image_store_init(&store, &fake_ops, capacity);
}

static int setup(void **state)
{
	(void)state;
	return setup_capacity(ARENA_PAGES * PAGE_SIZE);
}

static int setup_small(void **state)
{
	(void)state;
	return setup_capacity(4 * PAGE_SIZE + 100); /* rounded down to 4 pages */
}

/* Every test leaves the store empty: all frames back, nothing held, reserved or in flight. */
static int teardown(void **state)
{
	struct image_store_stats st;

	(void)state;
	image_store_get_stats(&store, &st);
	assert_int_equal(free_frames, ARENA_PAGES);
	assert_int_equal(bad_frees, 0);
	assert_int_equal(st.images, 0);
	assert_int_equal(st.uploads, 0);
	assert_int_equal(st.bytes_held, 0);
	assert_int_equal(st.bytes_reserved, 0);
	free(arena);
	arena = NULL;
	return 0;
}

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + seed * 7 + i / 251);
}

static void hex_of(const uint8_t *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256(data, len, d);
	sha256_to_hex(d, hex);
}

/* Begin, write in chunks of `chunk`, commit: the commit's (or first failure's) result. */
static int upload(const char *hex, const uint8_t *data, size_t len, size_t chunk, char *err)
{
	struct image_upload up;
	int ret = image_upload_begin(&store, hex, len, &up, err, IMAGE_REASON_MAX);

	for (size_t off = 0; ret == 0 && off < len; off += chunk)
		ret = image_upload_write(&up, data + off, len - off < chunk ? len - off : chunk);
	if (ret == 0)
		return image_upload_commit(&up, err, IMAGE_REASON_MAX);
	image_upload_abort(&up);
	return ret;
}

static void test_hex_helpers(void **state)
{
	static const char abc[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	uint8_t d[SHA256_DIGEST_SIZE], back[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_LEN + 1], upper[SHA256_HEX_LEN + 1];

	(void)state;
	sha256("abc", 3, d);
	sha256_to_hex(d, hex);
	assert_string_equal(hex, abc);
	assert_int_equal(sha256_from_hex(abc, back), 0);
	assert_memory_equal(back, d, sizeof(d));
	for (size_t i = 0; i <= SHA256_HEX_LEN; i++)
		upper[i] = (char)(abc[i] >= 'a' && abc[i] <= 'f' ? abc[i] - 32 : abc[i]);
	memset(back, 0, sizeof(back));
	assert_int_equal(sha256_from_hex(upper, back), 0);
	assert_memory_equal(back, d, sizeof(d));

	memcpy(hex, abc, sizeof(hex));
	hex[63] = '\0'; /* 63 digits */
	assert_int_equal(sha256_from_hex(hex, back), -EINVAL);
	hex[63] = 'g';
	assert_int_equal(sha256_from_hex(hex, back), -EINVAL);
	hex[10] = '\0'; /* a NUL mid-digits */
	assert_int_equal(sha256_from_hex(hex, back), -EINVAL);
	char longer[SHA256_HEX_LEN + 2];

	memcpy(longer, abc, SHA256_HEX_LEN);
	longer[SHA256_HEX_LEN] = '0';
	longer[SHA256_HEX_LEN + 1] = '\0';
	assert_int_equal(sha256_from_hex(longer, back), -EINVAL);
	assert_int_equal(sha256_from_hex("", back), -EINVAL);
	assert_int_equal(sha256_from_hex(NULL, back), -EINVAL);
	/* Refusals leave the digest alone. */
	assert_memory_equal(back, d, sizeof(d));
}

static unsigned int listed;
static char listed_name[BOOT_NAME_MAX];

static void count_image(const struct image *img, void *ctx)
{
	(void)ctx;
	listed++;
	snprintf(listed_name, sizeof(listed_name), "%s", img->module.name);
}

static void test_upload_and_get(void **state)
{
	size_t len = 3 * PAGE_SIZE + 100;
	uint8_t *data = malloc(len);
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image *img;

	(void)state;
	fill(data, len, 1);
	hex_of(data, len, hex);
	assert_int_equal(upload(hex, data, len, 1000, err), 0);
	assert_int_equal(free_frames, ARENA_PAGES - 4);

	img = image_get(&store, hex);
	assert_non_null(img);
	assert_string_equal(img->module.name, hex);
	assert_int_equal(img->module.size, len);
	assert_int_equal(img->module.phys % PAGE_SIZE, 0);
	const uint8_t *mem = fake_map(NULL, img->module.phys);

	assert_memory_equal(mem, data, len);
	for (size_t i = len; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(mem[i], 0); /* the last page's tail holds no stale bytes */

	image_store_get_stats(&store, &st);
	assert_int_equal(st.images, 1);
	assert_int_equal(st.bytes_held, 4 * PAGE_SIZE);
	assert_int_equal(st.bytes_reserved, 0);
	assert_int_equal(st.uploads_done, 1);
	assert_int_equal(st.uploads_refused, 0);
	listed = 0;
	assert_int_equal(image_list(&store, count_image, NULL), 1);
	assert_int_equal(listed, 1);
	assert_string_equal(listed_name, hex);

	image_put(img);
	assert_int_equal(image_delete(&store, hex), 0);
	assert_int_equal(image_delete(&store, hex), -ENOENT);
	assert_null(image_get(&store, hex));
	assert_int_equal(image_list(&store, count_image, NULL), 0);
	free(data);
}

static void test_one_byte_and_whole_pages(void **state)
{
	uint8_t one = 0x42, *page = malloc(2 * PAGE_SIZE);
	char hex1[SHA256_HEX_LEN + 1], hex2[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX];

	(void)state;
	fill(page, 2 * PAGE_SIZE, 2);
	hex_of(&one, 1, hex1);
	hex_of(page, 2 * PAGE_SIZE, hex2);
	assert_int_equal(upload(hex1, &one, 1, 1, err), 0);
	assert_int_equal(upload(hex2, page, 2 * PAGE_SIZE, 2 * PAGE_SIZE, err), 0);
	assert_int_equal(free_frames, ARENA_PAGES - 3);
	assert_int_equal(image_delete(&store, hex1), 0);
	assert_int_equal(image_delete(&store, hex2), 0);
	free(page);
}

static void test_dedupe(void **state)
{
	uint8_t data[5000];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image_upload up;

	(void)state;
	fill(data, sizeof(data), 3);
	hex_of(data, sizeof(data), hex);
	assert_int_equal(upload(hex, data, sizeof(data), 777, err), 0);
	size_t after_first = free_frames;

	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &up, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "already held"));
	assert_non_null(strstr(err, "image "));
	/* The same hash in upper case names the same image. */
	for (char *c = hex; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 32);
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &up, err, sizeof(err)),
			 -EEXIST);
	assert_null(up.img);
	assert_int_equal(free_frames, after_first);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_deduped, 2);
	assert_int_equal(st.uploads_refused, 0);
	assert_int_equal(st.images, 1);
	assert_int_equal(image_delete(&store, hex), 0);
}

static void test_duplicate_in_flight(void **state)
{
	uint8_t data[3000];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_upload first, second;

	(void)state;
	fill(data, sizeof(data), 4);
	hex_of(data, sizeof(data), hex);
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &first, err, sizeof(err)),
			 0);
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &second, err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, "already being uploaded"));
	/* Not yet published: invisible to get and list, and not deletable. */
	assert_null(image_get(&store, hex));
	assert_int_equal(image_list(&store, count_image, NULL), 0);
	assert_int_equal(image_delete(&store, hex), -EBUSY);
	assert_int_equal(image_upload_write(&first, data, sizeof(data)), 0);
	assert_int_equal(image_upload_commit(&first, err, sizeof(err)), 0);
	assert_int_equal(image_delete(&store, hex), 0);
}

static void test_wrong_hash(void **state)
{
	uint8_t data[6000], other[6000];
	char hex[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	char want[80];
	struct image_store_stats st;

	(void)state;
	fill(data, sizeof(data), 5);
	memcpy(other, data, sizeof(other));
	other[4321] ^= 0x10; /* one bit flipped on the way */
	hex_of(data, sizeof(data), hex);
	hex_of(other, sizeof(other), got);
	assert_int_equal(upload(hex, other, sizeof(other), 1460, err), -EBADMSG);
	snprintf(want, sizeof(want), "SHA-256 mismatch: expected %.16s, got %.16s", hex, got);
	assert_string_equal(err, want);
	assert_null(image_get(&store, hex));
	assert_null(image_get(&store, got));
	assert_int_equal(free_frames, ARENA_PAGES);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_refused, 1);
	assert_int_equal(st.uploads_done, 0);
	/* Refused bytes leave no trace: the right ones are accepted afterwards. */
	assert_int_equal(upload(hex, data, sizeof(data), 1460, err), 0);
	assert_int_equal(image_delete(&store, hex), 0);
}

static void test_short_upload(void **state)
{
	uint8_t data[9000];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_upload up;

	(void)state;
	fill(data, sizeof(data), 6);
	hex_of(data, sizeof(data), hex);
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &up, err, sizeof(err)), 0);
	assert_int_equal(free_frames, ARENA_PAGES - 3);
	assert_int_equal(image_upload_write(&up, data, 8999), 0);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), -EIO);
	assert_string_equal(err, "got 8999 of 9000 bytes");
	assert_null(up.img);
	assert_null(image_get(&store, hex));
	assert_int_equal(free_frames, ARENA_PAGES);
	/* Closed: writes and a second commit are refused, abort does nothing. */
	assert_int_equal(image_upload_write(&up, data, 1), -EINVAL);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), -EINVAL);
	image_upload_abort(&up);
	assert_int_equal(free_frames, ARENA_PAGES);
}

static void test_overlong_write(void **state)
{
	uint8_t data[4097];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image_upload up;

	(void)state;
	fill(data, sizeof(data), 7);
	hex_of(data, 4096, hex);
	/* Declared 4096, sent 4097 in one write: nothing copied, the upload is poisoned. */
	assert_int_equal(image_upload_begin(&store, hex, 4096, &up, err, sizeof(err)), 0);
	assert_int_equal(image_upload_write(&up, data, sizeof(data)), -EFBIG);
	assert_int_equal(image_upload_write(&up, data, 4096), -EFBIG);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "data sent past the declared 4096 bytes");
	assert_int_equal(free_frames, ARENA_PAGES);

	/* All 4096, then one byte more: still refused, even though the first 4096 hash right. */
	assert_int_equal(image_upload_begin(&store, hex, 4096, &up, err, sizeof(err)), 0);
	assert_int_equal(image_upload_write(&up, data, 4096), 0);
	assert_int_equal(image_upload_write(&up, data + 4096, 1), -EFBIG);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), -EFBIG);
	assert_null(image_get(&store, hex));
	assert_int_equal(free_frames, ARENA_PAGES);
	/* A zero-length write is not past the end. */
	assert_int_equal(image_upload_begin(&store, hex, 4096, &up, err, sizeof(err)), 0);
	assert_int_equal(image_upload_write(&up, data, 4096), 0);
	assert_int_equal(image_upload_write(&up, data, 0), 0);
	assert_int_equal(image_upload_write(&up, NULL, 1), -EINVAL);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), 0);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_refused, 2);
	assert_int_equal(st.uploads_done, 1);
	assert_int_equal(image_delete(&store, hex), 0);
}

static void test_abort(void **state)
{
	uint8_t data[10000];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image_upload up;

	(void)state;
	fill(data, sizeof(data), 8);
	hex_of(data, sizeof(data), hex);
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &up, err, sizeof(err)), 0);
	assert_int_equal(image_upload_write(&up, data, 5000), 0);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads, 1);
	assert_int_equal(st.bytes_reserved, 3 * PAGE_SIZE);
	image_upload_abort(&up);
	assert_int_equal(free_frames, ARENA_PAGES);
	image_upload_abort(&up); /* twice is harmless */
	assert_int_equal(image_upload_write(&up, data, 1), -EINVAL);
	assert_int_equal(image_upload_commit(&up, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no upload in progress");
	image_upload_abort(NULL);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_aborted, 1);
	assert_int_equal(st.uploads_refused, 0);
	/* The hash is free again: a fresh upload after the link comes back succeeds. */
	assert_int_equal(upload(hex, data, sizeof(data), 4000, err), 0);
	assert_int_equal(image_delete(&store, hex), 0);
}

static void test_delete_while_referenced(void **state)
{
	uint8_t data[100];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image *a, *b;

	(void)state;
	fill(data, sizeof(data), 9);
	hex_of(data, sizeof(data), hex);
	assert_int_equal(upload(hex, data, sizeof(data), 64, err), 0);
	a = image_get(&store, hex);
	b = image_get(&store, hex);
	assert_ptr_equal(a, b);
	assert_int_equal(a->refs, 2);
	assert_int_equal(image_delete(&store, hex), -EBUSY);
	image_put(a);
	assert_int_equal(image_delete(&store, hex), -EBUSY);
	assert_int_equal(free_frames, ARENA_PAGES - 1);
	image_put(b);
	assert_int_equal(log_lines, 0);
	image_put(b); /* one put too many is reported, not counted below zero */
	assert_int_equal(log_lines, 1);
	assert_non_null(strstr(log_captured, "without a reference"));
	assert_int_equal(a->refs, 0);
	image_put(NULL);
	assert_int_equal(image_delete(&store, hex), 0);
	assert_int_equal(image_delete(&store, "nothex"), -EINVAL);
}

static void test_malformed(void **state)
{
	char err[IMAGE_REASON_MAX] = "", hex[SHA256_HEX_LEN + 1];
	struct image_store_stats st;
	struct image_upload up;
	uint8_t data[16] = { 0 };

	(void)state;
	hex_of(data, sizeof(data), hex);
	assert_int_equal(image_upload_begin(&store, "abc", 16, &up, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "malformed SHA-256: want 64 hex digits");
	assert_int_equal(image_upload_begin(&store, NULL, 16, &up, err, sizeof(err)), -EINVAL);
	assert_int_equal(image_upload_begin(&store, hex, 0, &up, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty image");
	assert_int_equal(image_upload_begin(&store, hex, 16, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(image_upload_begin(NULL, hex, 16, &up, err, sizeof(err)), -EINVAL);
	/* No err buffer: refused all the same. */
	assert_int_equal(image_upload_begin(&store, hex, 0, &up, NULL, 0), -EINVAL);
	assert_null(image_get(&store, "abc"));
	assert_null(image_get(&store, NULL));
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_refused, 4);
	assert_int_equal(free_frames, ARENA_PAGES);
	assert_int_equal(image_store_init(&store, NULL, PAGE_SIZE), -EINVAL);
}

static void test_capacity(void **state)
{
	uint8_t *data = malloc(5 * PAGE_SIZE);
	char hex[SHA256_HEX_LEN + 1], hex2[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image_upload up;

	(void)state;
	fill(data, 5 * PAGE_SIZE, 10);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.capacity, 4 * PAGE_SIZE);
	hex_of(data, 4 * PAGE_SIZE + 1, hex);
	assert_int_equal(image_upload_begin(&store, hex, 4 * PAGE_SIZE + 1, &up, err, sizeof(err)),
			 -EFBIG);
	assert_string_equal(err,
			    "image of 16385 bytes exceeds the store's capacity of 16384 bytes");
	assert_int_equal(image_upload_begin(&store, hex, UINT64_MAX, &up, err, sizeof(err)),
			 -EFBIG);

	/* Three pages held leave room for one more, counted in whole pages. */
	hex_of(data, 3 * PAGE_SIZE - 10, hex);
	assert_int_equal(upload(hex, data, 3 * PAGE_SIZE - 10, 4096, err), 0);
	hex_of(data + 1, PAGE_SIZE + 1, hex2);
	assert_int_equal(image_upload_begin(&store, hex2, PAGE_SIZE + 1, &up, err, sizeof(err)),
			 -ENOSPC);
	assert_string_equal(err, "store full: 12288 of 16384 bytes in use, 8192 more needed");
	/* In-flight uploads count too. */
	hex_of(data + 1, PAGE_SIZE, hex2);
	assert_int_equal(image_upload_begin(&store, hex2, PAGE_SIZE, &up, err, sizeof(err)), 0);
	char hex3[SHA256_HEX_LEN + 1];
	struct image_upload up3;

	hex_of(data + 2, 1, hex3);
	assert_int_equal(image_upload_begin(&store, hex3, 1, &up3, err, sizeof(err)), -ENOSPC);
	image_upload_abort(&up);
	assert_int_equal(image_upload_begin(&store, hex3, 1, &up3, err, sizeof(err)), 0);
	image_upload_abort(&up3);
	/* Deleting makes room. */
	assert_int_equal(image_delete(&store, hex), 0);
	hex_of(data, 4 * PAGE_SIZE, hex);
	assert_int_equal(upload(hex, data, 4 * PAGE_SIZE, 3000, err), 0);
	assert_int_equal(image_delete(&store, hex), 0);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_refused, 4);
	free(data);
}

static void test_out_of_memory(void **state)
{
	uint8_t data[200];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	struct image_store_stats st;
	struct image_upload up;

	(void)state;
	fill(data, sizeof(data), 11);
	hex_of(data, sizeof(data), hex);
	fail_allocs = 1;
	assert_int_equal(image_upload_begin(&store, hex, sizeof(data), &up, err, sizeof(err)),
			 -ENOMEM);
	assert_string_equal(err, "no 1 contiguous pages free for 200 bytes");
	assert_null(up.img);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads, 0);
	assert_int_equal(st.bytes_reserved, 0);
	assert_int_equal(st.uploads_refused, 1);
	assert_int_equal(free_frames, ARENA_PAGES);
	/* The slot was given back: the same hash can be uploaded once memory is there. */
	assert_int_equal(upload(hex, data, sizeof(data), 50, err), 0);
	assert_int_equal(image_delete(&store, hex), 0);

	/* Fragmented: enough free frames in total, no run long enough. */
	struct image_upload pins[ARENA_PAGES / 2];
	char phex[SHA256_HEX_LEN + 1];
	uint8_t b;

	for (unsigned int i = 0; i < ARENA_PAGES; i++) {
		paddr_t pa;

		b = (uint8_t)i;
		hex_of(&b, 1, phex);
		/* First fit: even frames go to one-page uploads, odd ones are taken here. */
		if (i % 2 == 0)
			assert_int_equal(image_upload_begin(&store, phex, 1, &pins[i / 2], err,
							    sizeof(err)), 0);
		else
			assert_int_equal(fake_alloc(NULL, 1, &pa), 0);
	}
	assert_int_equal(free_frames, 0);
	for (unsigned int i = 1; i < ARENA_PAGES; i += 2)
		fake_free(NULL, ARENA_BASE + i * PAGE_SIZE, 1);
	assert_int_equal(free_frames, ARENA_PAGES / 2);
	assert_int_equal(image_upload_begin(&store, hex, 2 * PAGE_SIZE, &up, err, sizeof(err)),
			 -ENOMEM);
	for (unsigned int i = 0; i < ARENA_PAGES / 2; i++)
		image_upload_abort(&pins[i]);
	assert_int_equal(free_frames, ARENA_PAGES);
}

static void test_table_full(void **state)
{
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX] = "";
	uint32_t v;

	(void)state;
	for (v = 0; v < IMAGE_STORE_SLOTS; v++) {
		hex_of((uint8_t *)&v, sizeof(v), hex);
		assert_int_equal(upload(hex, (uint8_t *)&v, sizeof(v), 4, err), 0);
	}
	hex_of((uint8_t *)&v, sizeof(v), hex);
	assert_int_equal(upload(hex, (uint8_t *)&v, sizeof(v), 4, err), -ENOSPC);
	assert_string_equal(err, "image table full (96 images and uploads)");
	listed = 0;
	assert_int_equal(image_list(&store, count_image, NULL), IMAGE_STORE_SLOTS);
	for (v = 0; v < IMAGE_STORE_SLOTS; v++) {
		hex_of((uint8_t *)&v, sizeof(v), hex);
		assert_int_equal(image_delete(&store, hex), 0);
	}
}

/* Two threads upload, get, put and delete their own images while a third lists and gets. */
#define RACE_ROUNDS 300

static bool race_stop;

static void *race_uploader(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	uint8_t data[3000];
	char hex[SHA256_HEX_LEN + 1], err[IMAGE_REASON_MAX];
	uintptr_t errors = 0;

	for (unsigned int r = 0; r < RACE_ROUNDS; r++) {
		fill(data, sizeof(data), id * 100000 + r);
		hex_of(data, sizeof(data), hex);
		if (upload(hex, data, sizeof(data), 512, err) != 0) {
			errors++;
			continue;
		}
		struct image *img = image_get(&store, hex);

		if (!img || memcmp(fake_map(NULL, img->module.phys), data, sizeof(data)))
			errors++;
		image_put(img);
		/* The lister may hold a reference for a moment. */
		while (image_delete(&store, hex) == -EBUSY)
			;
	}
	return (void *)errors;
}

static void race_lister_cb(const struct image *img, void *ctx)
{
	char *last = ctx;

	memcpy(last, img->module.name, SHA256_HEX_LEN + 1);
}

static void *race_lister(void *arg)
{
	char last[SHA256_HEX_LEN + 1];

	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
		if (image_list(&store, race_lister_cb, last) == 0)
			continue;
		image_put(image_get(&store, last)); /* may be gone by now: NULL is fine */
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t up1, up2, lister;
	void *e1, *e2;
	struct image_store_stats st;

	(void)state;
	race_stop = false;
	assert_int_equal(pthread_create(&lister, NULL, race_lister, NULL), 0);
	assert_int_equal(pthread_create(&up1, NULL, race_uploader, (void *)1), 0);
	assert_int_equal(pthread_create(&up2, NULL, race_uploader, (void *)2), 0);
	pthread_join(up1, &e1);
	pthread_join(up2, &e2);
	__atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
	pthread_join(lister, NULL);
	assert_int_equal((uintptr_t)e1, 0);
	assert_int_equal((uintptr_t)e2, 0);
	image_store_get_stats(&store, &st);
	assert_int_equal(st.uploads_done, 2 * RACE_ROUNDS);
	assert_int_equal(log_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_helpers),
		cmocka_unit_test_setup_teardown(test_upload_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_and_whole_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedupe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_upload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_while_referenced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
