/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONSOLE_LINE_H
#define VMM_CONSOLE_LINE_H

/*
 * Assembles a guest's console bytes into log lines. A line ends at '\n' or
 * when the buffer is full, so a long line comes out in pieces with no byte
 * lost; '\r' is dropped, other unprintable bytes show as '?', and empty lines
 * are not emitted.
 */
#include <plinth/types.h>

#define CONSOLE_LINE_SIZE 256 /* bytes, with the terminating NUL */
#define CONSOLE_LINE_MAX (CONSOLE_LINE_SIZE - 1) /* characters in one emitted line */

/*
 * The buffer is the last member so that an overrun would leave the object:
 * the host tests allocate exactly sizeof(struct console_line) for ASan to see it.
 */
struct console_line {
	size_t len;
	char buf[CONSOLE_LINE_SIZE];
};

/* Called with each complete line: NUL-terminated, len (1..CONSOLE_LINE_MAX) characters. */
typedef void (*console_line_emit_fn)(void *ctx, const char *line, size_t len);

void console_line_init(struct console_line *cl);
/* Feeds len bytes; emit runs once per line they complete, in order. */
void console_line_feed(struct console_line *cl, const char *s, size_t len,
		       console_line_emit_fn emit, void *ctx);

#endif
