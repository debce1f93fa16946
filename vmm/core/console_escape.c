/* SPDX-License-Identifier: GPL-2.0 */
/* Ctrl-A commands of Plinth's serial console (vmm/include/vmm/console_escape.h). */
#include <vmm/console_escape.h>

const char console_escape_help[] = "Ctrl-A n: next partition, Ctrl-A 1..9: partition N, "
				   "Ctrl-A 0: Plinth only, Ctrl-A Ctrl-A: a Ctrl-A, Ctrl-A h: help";

struct console_cmd console_escape_feed(struct console_escape *e, uint8_t c)
{
	struct console_cmd cmd = { .action = CONSOLE_INPUT, .byte = c };

	if (!e->armed) {
		if (c == CONSOLE_ESCAPE_PREFIX) {
			e->armed = true;
			cmd.action = CONSOLE_NONE;
		}
		return cmd;
	}
	e->armed = false;
	if (c == CONSOLE_ESCAPE_PREFIX)
		return cmd; /* the literal Ctrl-A */
	if (c >= '1' && c <= '9') {
		cmd.action = CONSOLE_SELECT;
		cmd.index = (unsigned int)(c - '0');
	} else if (c == '0') {
		cmd.action = CONSOLE_PLINTH;
	} else if (c == 'n' || c == 'N') {
		cmd.action = CONSOLE_NEXT;
	} else if (c == 'h' || c == 'H' || c == '?') {
		cmd.action = CONSOLE_HELP;
	} else {
		cmd.action = CONSOLE_UNKNOWN;
	}
	return cmd;
}
