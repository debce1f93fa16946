/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_LOG_H
#define PLINTH_LOG_H

#include <plinth/types.h>
#include <stdarg.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Freestanding formatter (kernel/lib/vsnprintf.c). Same contract as C99. */
#ifdef PLINTH_HOST_TEST
#define vsnprintf plinth_vsnprintf
#define snprintf plinth_snprintf
#endif
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Writes "[   12.345678] cpu3 INFO  " into buf (always NUL-terminated when
 * size > 0) and returns the number of characters written, excluding NUL.
 */
size_t log_format_prefix(char *buf, size_t size, uint64_t uptime_ns,
			 unsigned int cpu, enum log_level level);
const char *log_level_name(enum log_level level);

void log_set_level(enum log_level level);
void log_set_sink(void (*sink)(const char *s, size_t len));
/*
 * Bytes of a guest's console shown as they come (console_raw), under the log
 * lock. A log line that follows raw bytes not ending a line starts on a new
 * line, so Plinth's lines keep their prefix at the start of a line.
 */
void log_guest_raw(const char *s, size_t len);
/* Called once GS points at per-CPU data, so lines can carry the CPU number. */
void log_percpu_ready(void);
void log_write(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_vwrite(enum log_level level, const char *fmt, va_list ap);
/* Raw text to the console without prefix, for multi-line dumps. */
void log_raw(const char *fmt, ...) __printf(1, 2);

#define pr_err(...) log_write(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

#endif
