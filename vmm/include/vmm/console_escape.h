/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_CONSOLE_ESCAPE_H
#define VMM_CONSOLE_ESCAPE_H

/*
 * The escape commands of Plinth's serial console, in the style of QEMU's
 * character mux: every byte typed goes to the partition that has the
 * console, except Ctrl-A, which starts a command naming where input goes:
 *   Ctrl-A n        the next partition (after the last: the first)
 *   Ctrl-A 0        Plinth only: input goes nowhere, the log stays
 *   Ctrl-A 1..9     partition N (in the order they were created)
 *   Ctrl-A Ctrl-A   a literal Ctrl-A for the partition
 *   Ctrl-A h (or ?) the help line
 * Any other key after Ctrl-A is reported and dropped. Pure logic, built on
 * the host for its unit test; vmm/core/console_router.c acts on it.
 */
#include <plinth/types.h>

#define CONSOLE_ESCAPE_PREFIX 0x01 /* Ctrl-A */

enum console_action {
	CONSOLE_NONE,    /* consumed: the prefix itself */
	CONSOLE_INPUT,   /* .byte goes to the partition that has the console */
	CONSOLE_NEXT,    /* to the next partition */
	CONSOLE_PLINTH,  /* to Plinth only */
	CONSOLE_SELECT,  /* to partition .index (1-based) */
	CONSOLE_HELP,
	CONSOLE_UNKNOWN, /* Ctrl-A and .byte, which is no command: dropped */
};

struct console_cmd {
	enum console_action action;
	uint8_t byte;
	unsigned int index;
};

struct console_escape {
	bool armed; /* the last byte was the prefix */
};

static inline void console_escape_init(struct console_escape *e)
{
	e->armed = false;
}

/* Feeds one typed byte; says what to do with it. */
struct console_cmd console_escape_feed(struct console_escape *e, uint8_t c);

/* The commands, for the help line. */
extern const char console_escape_help[];

#endif
