/* SPDX-License-Identifier: GPL-2.0 */
/* Kept apart from string.c: the host tests link this one beside libc. */
#include <plinth/string.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
