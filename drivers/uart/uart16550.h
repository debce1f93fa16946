/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <plinth/types.h>

/* Returns -ENODEV when nothing answers at the port, -EINVAL for a bad baud rate. */
int uart16550_init(uint16_t port, uint32_t baud);
void uart16550_write(const char *s, size_t len);
/*
 * Takes up to len received bytes without waiting (polled: LSR.DR says a byte
 * is there); returns how many. 0 before init. Receive errors are not
 * reported: a byte with a parity or framing error is passed on as it is.
 */
size_t uart16550_read(uint8_t *buf, size_t len);

#endif
