/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <plinth/types.h>

/* Returns -ENODEV when nothing answers at the port, -EINVAL for a bad baud rate. */
int uart16550_init(uint16_t port, uint32_t baud);
void uart16550_write(const char *s, size_t len);

#endif
