/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polled 16550 console: the log must work with interrupts off and in fault
 * paths. Input is polled too (the console router asks from the boot CPU's
 * wait loop): Plinth drives no host interrupt controller line for the UART.
 */
#include "uart16550.h"
#include <asm/io.h>
#include <plinth/errno.h>

#define UART_CLOCK_DIV_BASE 115200
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define TX_SPIN_LIMIT 100000

static uint16_t uart_port;

int uart16550_init(uint16_t port, uint32_t baud)
{
	uint32_t divisor;

	if (!baud || UART_CLOCK_DIV_BASE % baud)
		return -EINVAL;
	divisor = UART_CLOCK_DIV_BASE / baud;

	/* The scratch register tells a real UART from an empty port. */
	outb(port + REG_SCR, 0x5a);
	if (inb(port + REG_SCR) != 0x5a)
		return -ENODEV;

	outb(port + REG_IER, 0x00);
	outb(port + REG_LCR, LCR_DLAB);
	outb(port + REG_DATA, divisor & 0xff);
	outb(port + REG_IER, divisor >> 8);
	outb(port + REG_LCR, 0x03);       /* 8N1 */
	outb(port + REG_FCR, 0xc7);       /* FIFO on, cleared, 14-byte threshold */
	outb(port + REG_MCR, 0x03);       /* DTR, RTS */
	uart_port = port;
	return 0;
}

static void put_byte(char c)
{
	/* Bounded wait: a wedged UART must not hang the log. */
	for (int i = 0; i < TX_SPIN_LIMIT; i++) {
		if (inb(uart_port + REG_LSR) & LSR_THRE)
			break;
	}
	outb(uart_port + REG_DATA, (uint8_t)c);
}

void uart16550_write(const char *s, size_t len)
{
	if (!uart_port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
}

size_t uart16550_read(uint8_t *buf, size_t len)
{
	size_t n = 0;

	if (!uart_port)
		return 0;
	while (n < len && (inb(uart_port + REG_LSR) & LSR_DR))
		buf[n++] = inb(uart_port + REG_DATA);
	return n;
}
