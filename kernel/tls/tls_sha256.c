/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plinth/sha256.h over mbedTLS, so the kernel carries one SHA-256. mbedTLS's software SHA-256
 * can fail only on NULL arguments, and only with MBEDTLS_CHECK_PARAMS, which
 * kernel/tls/port/mbedtls_config.h leaves unset: hence no return values. Needs no heap and no
 * entropy, so it may be called before tls_platform_init().
 */
#include <plinth/sha256.h>
#include "mbedtls/sha256.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(struct sha256_ctx),
	       "struct sha256_ctx is too small for mbedTLS's context");
_Static_assert(_Alignof(mbedtls_sha256_context) <= _Alignof(struct sha256_ctx),
	       "struct sha256_ctx is less aligned than mbedTLS's context");

static mbedtls_sha256_context *md(struct sha256_ctx *ctx)
{
	return (mbedtls_sha256_context *)ctx->opaque;
}

void sha256_init(struct sha256_ctx *ctx)
{
	mbedtls_sha256_init(md(ctx));
	mbedtls_sha256_starts_ret(md(ctx), 0);
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	mbedtls_sha256_update_ret(md(ctx), data, len);
}

void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	mbedtls_sha256_finish_ret(md(ctx), digest);
	mbedtls_sha256_free(md(ctx)); /* zeroes the state */
}

void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
}
