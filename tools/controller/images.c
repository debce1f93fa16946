// SPDX-License-Identifier: GPL-2.0
/*
 * Image files, content-addressed under the state directory: an upload is
 * hashed as it is written to a temporary file, which is fsync'd and then
 * renamed to its SHA-256, so a crash leaves either no image or a whole
 * one, never a partial file under an image's name.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api.h"

#define CHUNK 65536

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

int image_ingest(const char *dir, api_read_fn rd, void *ctx, uint64_t len,
		 char sha[SHA256_HEX_LEN], char *err, size_t errlen)
{
	unsigned char *buf = malloc(CHUNK), md[32];
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	char tmp[ST_PATH_MAX], path[ST_PATH_MAX];
	uint64_t got = 0;
	int fd = -1, rc = -ENOMEM;

	if (!buf || !h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/.upload-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (got < len) {
		size_t want = len - got < CHUNK ? (size_t)(len - got) : CHUNK;
		long n = rd(ctx, buf, want);

		if (n <= 0) {
			rc = -EIO;
			snprintf(err, errlen, "the body ended after %llu of %llu bytes",
				 (unsigned long long)got, (unsigned long long)len);
			goto fail;
		}
		EVP_DigestUpdate(h, buf, (size_t)n);
		rc = write_all(fd, buf, (size_t)n);
		if (rc) {
			snprintf(err, errlen, "writing the image: %s", strerror(-rc));
			goto fail;
		}
		got += (uint64_t)n;
	}
	if (fsync(fd)) {
		rc = -errno;
		snprintf(err, errlen, "fsync: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	EVP_DigestFinal_ex(h, md, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", md[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, sha);
	/* The same bytes again: the same name, and rename() replaces it whole. */
	if (rename(tmp, path)) {
		rc = -errno;
		snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = sync_dir(dir);
	if (rc)
		snprintf(err, errlen, "fsync %s: %s", dir, strerror(-rc));
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	EVP_MD_CTX_free(h);
	free(buf);
	return rc;
}
