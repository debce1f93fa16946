/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image store's table (see plinth/image_store.h). A begun upload owns an
 * IMAGE_UPLOADING slot, which is what keeps a second upload of the same hash
 * out and reserves the slot and capacity its commit will need, so a commit
 * can fail only on the image's own bytes.
 */
#include <plinth/errno.h>
#include <plinth/image_store.h>
#include <plinth/log.h>
#include <plinth/string.h>

#define SHORT_HEX 16 /* digits of a hash quoted in a reason */

static void reason(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static void reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t page_bytes(size_t pages)
{
	return (uint64_t)pages * PAGE_SIZE;
}

int image_store_init(struct image_store *s, const struct image_store_ops *ops,
		     uint64_t capacity)
{
	if (!s || !ops || !ops->alloc_pages || !ops->free_pages || !ops->map)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	spin_lock_init(&s->lock);
	s->ops = *ops;
	s->st.capacity = ALIGN_DOWN(capacity, PAGE_SIZE);
	for (size_t i = 0; i < IMAGE_STORE_SLOTS; i++)
		s->slots[i].store = s;
	return 0;
}

/* The slot holding or uploading digest, else NULL; *free_slot gets a free one if any. */
static struct image *find_locked(struct image_store *s, const uint8_t *digest,
				 struct image **free_slot)
{
	struct image *found = NULL;

	if (free_slot)
		*free_slot = NULL;
	for (size_t i = 0; i < IMAGE_STORE_SLOTS; i++) {
		struct image *img = &s->slots[i];

		if (img->state == IMAGE_FREE) {
			if (free_slot && !*free_slot)
				*free_slot = img;
		} else if (!found && !memcmp(img->digest, digest, SHA256_DIGEST_SIZE)) {
			found = img;
		}
	}
	return found;
}

/* Under the lock: checks everything a begin needs except memory, and takes the slot. */
static int reserve_locked(struct image_store *s, const uint8_t *digest, const char *hex,
			  uint64_t size, struct image **out, char *err, size_t errlen)
{
	uint64_t need = ALIGN_UP(size, PAGE_SIZE), used = s->st.bytes_held + s->st.bytes_reserved;
	struct image *free_slot, *img = find_locked(s, digest, &free_slot);

	if (img && img->state == IMAGE_READY) {
		reason(err, errlen, "image %.*s already held", SHORT_HEX, hex);
		return -EEXIST;
	}
	if (img) {
		reason(err, errlen, "image %.*s is already being uploaded", SHORT_HEX, hex);
		return -EBUSY;
	}
	if (used + need > s->st.capacity) {
		reason(err, errlen, "store full: %lu of %lu bytes in use, %lu more needed", used,
		       s->st.capacity, need);
		return -ENOSPC;
	}
	if (!free_slot) {
		reason(err, errlen, "image table full (%u images and uploads)", IMAGE_STORE_SLOTS);
		return -ENOSPC;
	}
	img = free_slot;
	img->state = IMAGE_UPLOADING;
	memcpy(img->digest, digest, SHA256_DIGEST_SIZE);
	img->pages = need / PAGE_SIZE;
	img->refs = 0;
	img->module.phys = 0;
	img->module.size = size;
	sha256_to_hex(digest, img->module.name);
	s->st.bytes_reserved += need;
	s->st.uploads++;
	*out = img;
	return 0;
}

/* Gives an uploading slot back; the caller frees its memory after this, outside the lock. */
static void unreserve_locked(struct image_store *s, struct image *img)
{
	s->st.bytes_reserved -= page_bytes(img->pages);
	s->st.uploads--;
	img->state = IMAGE_FREE;
}

int image_upload_begin(struct image_store *s, const char *sha256_hex, uint64_t size,
		       struct image_upload *up, char *err, size_t errlen)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct image *img = NULL;
	paddr_t pa;
	int ret;

	if (up)
		memset(up, 0, sizeof(*up));
	if (!s || !up) {
		reason(err, errlen, "no store or upload");
		return -EINVAL;
	}
	if (sha256_from_hex(sha256_hex, digest) < 0) {
		reason(err, errlen, "malformed SHA-256: want %u hex digits", SHA256_HEX_LEN);
		ret = -EINVAL;
	} else if (size == 0) {
		reason(err, errlen, "empty image");
		ret = -EINVAL;
	} else if (size > s->st.capacity) {
		/* Checked before any rounding, so ALIGN_UP below cannot wrap. */
		reason(err, errlen, "image of %lu bytes exceeds the store's capacity of %lu bytes",
		       size, s->st.capacity);
		ret = -EFBIG;
	} else {
		spin_lock(&s->lock);
		ret = reserve_locked(s, digest, sha256_hex, size, &img, err, errlen);
		if (ret == -EEXIST)
			s->st.uploads_deduped++;
		spin_unlock(&s->lock);
	}
	if (ret == 0 && s->ops.alloc_pages(s->ops.ctx, img->pages, &pa) < 0) {
		reason(err, errlen, "no %zu contiguous pages free for %lu bytes", img->pages, size);
		spin_lock(&s->lock);
		unreserve_locked(s, img);
		spin_unlock(&s->lock);
		ret = -ENOMEM;
	}
	if (ret < 0) {
		if (ret != -EEXIST) {
			spin_lock(&s->lock);
			s->st.uploads_refused++;
			spin_unlock(&s->lock);
		}
		return ret;
	}
	/* Only this thread knows the slot until it is READY: phys needs no lock. */
	img->module.phys = pa;
	up->img = img;
	up->dst = s->ops.map(s->ops.ctx, pa);
	up->size = size;
	sha256_init(&up->hash);
	return 0;
}

int image_upload_write(struct image_upload *up, const void *data, size_t len)
{
	if (!up || !up->img || (!data && len))
		return -EINVAL;
	if (up->failed)
		return up->failed;
	if (len > up->size - up->written) {
		up->failed = -EFBIG;
		return -EFBIG;
	}
	memcpy(up->dst + up->written, data, len);
	sha256_update(&up->hash, data, len);
	up->written += len;
	return 0;
}

/* Ends a failed or abandoned upload: the slot back under the lock, then the memory outside it. */
static void release(struct image_upload *up, bool refused)
{
	struct image *img = up->img;
	struct image_store *s = img->store;
	paddr_t pa = img->module.phys;
	size_t pages = img->pages;

	spin_lock(&s->lock);
	unreserve_locked(s, img);
	if (refused)
		s->st.uploads_refused++;
	else
		s->st.uploads_aborted++;
	spin_unlock(&s->lock);
	s->ops.free_pages(s->ops.ctx, pa, pages);
	up->img = NULL;
	up->dst = NULL;
}

int image_upload_commit(struct image_upload *up, char *err, size_t errlen)
{
	uint8_t got[SHA256_DIGEST_SIZE];
	char got_hex[SHA256_HEX_LEN + 1];
	struct image_store *s;
	struct image *img;

	if (!up || !up->img) {
		reason(err, errlen, "no upload in progress");
		return -EINVAL;
	}
	img = up->img;
	s = img->store;
	sha256_final(&up->hash, got);
	if (up->failed) {
		reason(err, errlen, "data sent past the declared %lu bytes", up->size);
		release(up, true);
		return -EFBIG;
	}
	if (up->written != up->size) {
		reason(err, errlen, "got %lu of %lu bytes", up->written, up->size);
		release(up, true);
		return -EIO;
	}
	if (memcmp(got, img->digest, SHA256_DIGEST_SIZE)) {
		sha256_to_hex(got, got_hex);
		reason(err, errlen, "SHA-256 mismatch: expected %.*s, got %.*s", SHORT_HEX,
		       img->module.name, SHORT_HEX, got_hex);
		release(up, true);
		return -EBADMSG;
	}
	/* Frames are not zeroed when allocated: a loader mapping whole pages sees no stale data. */
	memset(up->dst + up->size, 0, page_bytes(img->pages) - up->size);

	spin_lock(&s->lock);
	s->st.bytes_reserved -= page_bytes(img->pages);
	s->st.bytes_held += page_bytes(img->pages);
	s->st.uploads--;
	s->st.images++;
	s->st.uploads_done++;
	img->state = IMAGE_READY;
	spin_unlock(&s->lock);
	up->img = NULL;
	up->dst = NULL;
	return 0;
}

void image_upload_abort(struct image_upload *up)
{
	uint8_t unused[SHA256_DIGEST_SIZE];

	if (!up || !up->img)
		return;
	sha256_final(&up->hash, unused); /* ends the hash as commit would, zeroing its state */
	release(up, false);
}

struct image *image_get(struct image_store *s, const char *sha256_hex)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct image *img;

	if (!s || sha256_from_hex(sha256_hex, digest) < 0)
		return NULL;
	spin_lock(&s->lock);
	img = find_locked(s, digest, NULL);
	if (img && img->state == IMAGE_READY)
		img->refs++;
	else
		img = NULL;
	spin_unlock(&s->lock);
	return img;
}

void image_put(struct image *img)
{
	struct image_store *s;

	if (!img)
		return;
	s = img->store;
	spin_lock(&s->lock);
	if (img->state == IMAGE_READY && img->refs > 0)
		img->refs--;
	else
		pr_err("images: put of %.*s without a reference\n", SHORT_HEX, img->module.name);
	spin_unlock(&s->lock);
}

int image_delete(struct image_store *s, const char *sha256_hex)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct image *img;
	paddr_t pa;
	size_t pages;

	if (!s || sha256_from_hex(sha256_hex, digest) < 0)
		return -EINVAL;
	spin_lock(&s->lock);
	img = find_locked(s, digest, NULL);
	if (!img || img->refs || img->state != IMAGE_READY) {
		spin_unlock(&s->lock);
		return img ? -EBUSY : -ENOENT;
	}
	pa = img->module.phys;
	pages = img->pages;
	s->st.bytes_held -= page_bytes(pages);
	s->st.images--;
	img->state = IMAGE_FREE;
	spin_unlock(&s->lock);
	s->ops.free_pages(s->ops.ctx, pa, pages);
	return 0;
}

unsigned int image_list(struct image_store *s, void (*fn)(const struct image *img, void *ctx),
			void *ctx)
{
	unsigned int n = 0;

	if (!s || !fn)
		return 0;
	spin_lock(&s->lock);
	for (size_t i = 0; i < IMAGE_STORE_SLOTS; i++) {
		if (s->slots[i].state != IMAGE_READY)
			continue;
		fn(&s->slots[i], ctx);
		n++;
	}
	spin_unlock(&s->lock);
	return n;
}

void image_store_get_stats(struct image_store *s, struct image_store_stats *st)
{
	spin_lock(&s->lock);
	*st = s->st;
	spin_unlock(&s->lock);
}
