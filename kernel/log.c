/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Line-oriented log to the console. One lock keeps lines from different
 * CPUs whole; a CPU that faults while holding it (an exception report in
 * the middle of a line) writes through instead of deadlocking on itself.
 */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/time.h>

#define LOG_LINE_MAX 512
#define NO_OWNER 0xffffffffu

static spinlock_t log_lock = SPINLOCK_INIT;
static volatile uint32_t log_owner = NO_OWNER;
static enum log_level max_level = LOG_INFO;
static void (*log_sink)(const char *s, size_t len);
static bool percpu_ready;
static bool raw_mid_line; /* under log_lock: raw guest bytes left a line open */

void log_set_sink(void (*sink)(const char *s, size_t len))
{
	log_sink = sink;
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_percpu_ready(void)
{
	percpu_ready = true;
}

static unsigned int current_cpu(void)
{
	return percpu_ready ? this_cpu_index() : 0;
}

static uint64_t log_lock_acquire(bool *nested)
{
	uint64_t flags = irq_save();
	unsigned int cpu = current_cpu();

	*nested = log_owner == cpu;
	if (!*nested) {
		spin_lock(&log_lock);
		log_owner = cpu;
	}
	return flags;
}

static void log_lock_release(uint64_t flags, bool nested)
{
	if (!nested) {
		log_owner = NO_OWNER;
		spin_unlock(&log_lock);
	}
	irq_restore(flags);
}

static void emit(char *line, size_t len)
{
	if (len >= LOG_LINE_MAX)
		len = LOG_LINE_MAX - 1;
	if (log_sink)
		log_sink(line, len);
}

void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n;
	bool nested;
	uint64_t flags;

	if (level > max_level)
		return;
	n = log_format_prefix(line, sizeof(line), time_ns(), current_cpu(), level);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	line[n] = '\0';

	flags = log_lock_acquire(&nested);
	if (raw_mid_line) {
		emit((char *)"\n", 1);
		raw_mid_line = false;
	}
	emit(line, n);
	log_lock_release(flags, nested);
}

void log_guest_raw(const char *s, size_t len)
{
	bool nested;
	uint64_t flags;

	if (!len || !log_sink)
		return;
	flags = log_lock_acquire(&nested);
	log_sink(s, len);
	raw_mid_line = s[len - 1] != '\n';
	log_lock_release(flags, nested);
}

void log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}

void log_raw(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	bool nested;
	uint64_t flags;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	flags = log_lock_acquire(&nested);
	emit(line, (size_t)n);
	log_lock_release(flags, nested);
}
