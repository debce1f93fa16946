/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console line assembly (vmm/include/vmm/console_line.h). The buffer holds
 * at most CONSOLE_LINE_MAX characters plus the NUL: a line is emitted as soon
 * as it reaches that length, so the buffer is never full when a byte arrives
 * and the NUL always fits.
 */
#include <plinth/string.h>
#include <vmm/console_line.h>

void console_line_init(struct console_line *cl)
{
	memset(cl, 0, sizeof(*cl));
}

static void flush(struct console_line *cl, console_line_emit_fn emit, void *ctx)
{
	/* An empty line would only print the partition's name. */
	if (!cl->len)
		return;
	cl->buf[cl->len] = '\0';
	emit(ctx, cl->buf, cl->len);
	cl->len = 0;
}

void console_line_feed(struct console_line *cl, const char *s, size_t len,
		       console_line_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			flush(cl, emit, ctx);
			continue;
		}
		if (c == '\r')
			continue;
		/* Guest bytes go to Plinth's log: no escape sequences get through. */
		cl->buf[cl->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		if (cl->len == CONSOLE_LINE_MAX)
			flush(cl, emit, ctx);
	}
}
