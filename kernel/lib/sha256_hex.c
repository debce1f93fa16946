/* SPDX-License-Identifier: GPL-2.0 */
/* Hex form of SHA-256 digests: how images are named on the management link and in reports. */
#include <plinth/errno.h>
#include <plinth/sha256.h>
#include <plinth/string.h>

void sha256_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 0xf];
	}
	out[SHA256_HEX_LEN] = '\0';
}

int sha256_from_hex(const char *hex, uint8_t digest[SHA256_DIGEST_SIZE])
{
	uint8_t tmp[SHA256_DIGEST_SIZE];

	if (!hex)
		return -EINVAL;
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		/* A NUL within the digits is not a hex digit either, so reading stops there. */
		int hi = hex_value(hex[2 * i]);
		int lo = hi < 0 ? -1 : hex_value(hex[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	if (hex[SHA256_HEX_LEN] != '\0')
		return -EINVAL;
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		digest[i] = tmp[i];
	return 0;
}
