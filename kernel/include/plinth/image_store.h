/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_IMAGE_STORE_H
#define PLINTH_IMAGE_STORE_H

/*
 * The in-memory image store: kernels, initrds and disk images a controller
 * uploads over the management link, each held in physically contiguous
 * frames and named by its SHA-256. An image is published only after its
 * bytes hashed to the name it was announced under, so a partition can boot
 * only from verified memory; the VMM's loaders read it as a boot_module
 * whose name is the hash.
 *
 * One spinlock covers the table; bytes are copied and hashed outside it, by
 * the one thread that owns an upload. The frame allocator is reached through
 * image_store_ops so the store builds and is tested on the host; hashing
 * goes through plinth/sha256.h.
 */
#include <plinth/boot_info.h>
#include <plinth/sha256.h>
#include <plinth/spinlock.h>
#include <plinth/types.h>

/* Images held and uploads in flight together: a kernel, initrd and disk for 32 partitions. */
#define IMAGE_STORE_SLOTS 96
/* Enough for every reason the store writes (the callers' err buffers). */
#define IMAGE_REASON_MAX 128
/* The kernel's store may hold this fraction of the memory free when it is set up. */
#define IMAGE_STORE_MEM_DIVISOR 2

struct image_store_ops {
	/* pages physically contiguous, page-aligned frames at *pa; 0 or -ENOMEM. */
	int (*alloc_pages)(void *ctx, size_t pages, paddr_t *pa);
	void (*free_pages)(void *ctx, paddr_t pa, size_t pages);
	/* A linear mapping of a run alloc_pages handed out. */
	void *(*map)(void *ctx, paddr_t pa);
	void *ctx;
};

enum image_state {
	IMAGE_FREE = 0,
	IMAGE_UPLOADING, /* slot and memory reserved, bytes arriving */
	IMAGE_READY,     /* verified and published */
};

struct image_store;

struct image {
	/* name: the SHA-256 in lower-case hex; what the VMM's loaders take. */
	struct boot_module module;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t pages;
	uint32_t refs; /* image_get()s not yet put; under the store's lock */
	enum image_state state;
	struct image_store *store;
};

/*
 * Memory is counted in whole pages, as it is held: bytes_held for published
 * images, bytes_reserved for uploads in flight; capacity bounds their sum.
 */
struct image_store_stats {
	uint64_t capacity;
	uint64_t bytes_held;
	uint64_t bytes_reserved;
	uint32_t images;
	uint32_t uploads; /* in flight */
	uint64_t uploads_done;
	uint64_t uploads_deduped; /* begun for an image already held: -EEXIST */
	uint64_t uploads_refused; /* refused at begin, or failed at commit */
	uint64_t uploads_aborted;
};

struct image_store {
	spinlock_t lock;
	struct image_store_ops ops;
	struct image_store_stats st;
	struct image slots[IMAGE_STORE_SLOTS];
};

/* Owned by the thread that began it; img is NULL once committed or aborted. */
struct image_upload {
	struct image *img;
	uint8_t *dst;
	uint64_t size;
	uint64_t written;
	int failed; /* a write past the declared size poisons the upload */
	struct sha256_ctx hash;
};

/* capacity: bytes of memory the store may hold, rounded down to pages. -EINVAL for bad ops. */
int image_store_init(struct image_store *s, const struct image_store_ops *ops,
		     uint64_t capacity);

/*
 * Reserves a slot and size bytes of contiguous memory for the image named
 * sha256_hex (64 hex digits, either case). On failure err holds the reason:
 * -EINVAL  malformed hash or size 0;
 * -EFBIG   larger than the store's whole capacity;
 * -EEXIST  already held: the caller may skip the upload;
 * -EBUSY   another upload of this image is in flight;
 * -ENOSPC  the capacity or the table is used up by other images;
 * -ENOMEM  no contiguous run of frames that large.
 */
int image_upload_begin(struct image_store *s, const char *sha256_hex, uint64_t size,
		       struct image_upload *up, char *err, size_t errlen);
/*
 * The next len bytes, hashed as they are copied. -EFBIG past the declared
 * size (nothing copied; commit will refuse), -EINVAL on a closed upload.
 */
int image_upload_write(struct image_upload *up, const void *data, size_t len);
/*
 * Publishes the image if every declared byte arrived and they hash to its
 * name. Otherwise frees its memory and slot and explains in err: -EIO (short:
 * "got N of M bytes"), -EBADMSG (hash mismatch, both hashes' first 16 hex
 * digits), -EFBIG (a write went past the size), -EINVAL (closed upload).
 */
int image_upload_commit(struct image_upload *up, char *err, size_t errlen);
/* The link dropped: frees the upload's memory and slot. A closed upload is left alone. */
void image_upload_abort(struct image_upload *up);

/* A referenced published image, or NULL (absent, or a malformed hash). */
struct image *image_get(struct image_store *s, const char *sha256_hex);
void image_put(struct image *img);
/* -EINVAL malformed hash, -ENOENT not held, -EBUSY referenced (or still uploading). */
int image_delete(struct image_store *s, const char *sha256_hex);
/*
 * Calls fn for each published image, with the store's lock held: fn must not
 * call into the store. Returns how many images it was called for.
 */
unsigned int image_list(struct image_store *s, void (*fn)(const struct image *img, void *ctx),
			void *ctx);
void image_store_get_stats(struct image_store *s, struct image_store_stats *st);

/* The kernel's store over the global frame allocator (kernel/image/image_kernel.c). */
extern struct image_store kernel_images;
/* Capacity: 1/IMAGE_STORE_MEM_DIVISOR of the frames free now. */
int image_store_setup(void);

#endif
