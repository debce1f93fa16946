/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_SHA256_H
#define PLINTH_SHA256_H

/*
 * SHA-256 for the rest of the kernel. The kernel has one implementation,
 * mbedTLS's (kernel/tls/tls_sha256.c); its headers are visible only under
 * kernel/tls/, so the context here is opaque storage that file checks is
 * large enough. The hex helpers (kernel/lib/sha256_hex.c) need no mbedTLS
 * and build on the host with the code that names images by their hash.
 */
#include <plinth/types.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_LEN (2 * SHA256_DIGEST_SIZE) /* digits, without the NUL */

struct sha256_ctx {
	/* mbedTLS's context is 108 bytes, OpenSSL's (the host tests') 112. */
	uint64_t opaque[16];
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest; the context must be initialised again before reuse. */
void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
/* One call for data already in memory. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

/* Lower-case digits and a NUL: out must hold SHA256_HEX_LEN + 1 bytes. */
void sha256_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char *out);
/*
 * Exactly SHA256_HEX_LEN hex digits (either case) and a NUL, else -EINVAL;
 * digest is written only on success.
 */
int sha256_from_hex(const char *hex, uint8_t digest[SHA256_DIGEST_SIZE]);

#endif
