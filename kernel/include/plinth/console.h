/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_CONSOLE_H
#define PLINTH_CONSOLE_H

/*
 * Input typed on Plinth's own console, the serial port its log goes to.
 * The kernel names the driver (kernel/main.c); the layers above read it
 * without knowing which one it is (vmm/core/console_router.c).
 */
#include <plinth/types.h>

/* read takes up to len waiting bytes without blocking and says how many. */
void console_input_set(size_t (*read)(uint8_t *buf, size_t len));
/* Up to len bytes typed since the last call; 0 without a driver. */
size_t console_input_read(uint8_t *buf, size_t len);

#endif
