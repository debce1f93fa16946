/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console input: prints "ASK", reads one line from the emulated UART by
 * polling its line status (data ready) and prints "GOT <line>", then powers
 * off. The bytes come from Plinth's own serial console, routed to this
 * partition while it has the console (vmm/core/console_router.c); the test
 * types them (tests/boot/echo.script).
 */
#include "guest.h"

/* 16550 registers seen from the guest; the guest library has no UART header of its own. */
#define UART_RBR 0
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define LINE_BYTES 64

void guest_main(const struct boot_block *bb)
{
	char line[LINE_BYTES];
	size_t n = 0;

	(void)bb;
	gprintf("ASK\n");
	for (;;) {
		char c;

		while (!(inb(GUEST_UART_PORT + UART_LSR) & UART_LSR_DR))
			cpu_relax();
		c = (char)inb(GUEST_UART_PORT + UART_RBR);
		if (c == '\r' || c == '\n')
			break;
		if (n < LINE_BYTES - 1)
			line[n++] = c;
	}
	line[n] = '\0';
	gprintf("GOT %s\n", line);
	check(n > 0, "echo-line", "an empty line arrived");
	guest_exit();
}
