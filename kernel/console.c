/* SPDX-License-Identifier: GPL-2.0 */
/* Plinth's console input (kernel/include/plinth/console.h). */
#include <plinth/console.h>

static size_t (*input_read)(uint8_t *buf, size_t len);

void console_input_set(size_t (*read)(uint8_t *buf, size_t len))
{
	__atomic_store_n(&input_read, read, __ATOMIC_RELEASE);
}

size_t console_input_read(uint8_t *buf, size_t len)
{
	size_t (*read)(uint8_t *, size_t) = __atomic_load_n(&input_read, __ATOMIC_ACQUIRE);

	return read ? read(buf, len) : 0;
}
