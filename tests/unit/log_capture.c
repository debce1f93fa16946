// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>
#include <plinth/log.h>
#include "log_capture.h"

char log_captured[16384];
unsigned int log_lines;

void log_capture_clear(void)
{
	log_captured[0] = '\0';
	log_lines = 0;
}

void log_write(enum log_level level, const char *fmt, ...)
{
	size_t used = strlen(log_captured);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(log_captured + used, sizeof(log_captured) - used, fmt, ap);
	va_end(ap);
	log_lines++;
}
