// SPDX-License-Identifier: GPL-2.0
/*
 * plinth/sha256.h for host tests over OpenSSL: an implementation independent of the kernel's
 * (mbedTLS, kernel/tls/tls_sha256.c), so a test that hashes with it checks the code under test
 * rather than agreeing with itself. OpenSSL 3 deprecates the low-level SHA256_* calls; the API
 * level below keeps them, and they need no allocation (an abandoned context leaks nothing).
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/sha.h>
#include <plinth/sha256.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct sha256_ctx),
	       "struct sha256_ctx is too small for OpenSSL's context");

void sha256_init(struct sha256_ctx *ctx)
{
	SHA256_Init((SHA256_CTX *)ctx->opaque);
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)ctx->opaque, data, len);
}

void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	SHA256_Final(digest, (SHA256_CTX *)ctx->opaque);
}

void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	SHA256(data, len, digest);
}
