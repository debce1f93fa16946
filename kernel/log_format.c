/* SPDX-License-Identifier: GPL-2.0 */
/* Log line prefix, kept apart from the console code so the host can test it. */
#include <plinth/log.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_USEC 1000ull

const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "ERROR";
	case LOG_WARN:
		return "WARN";
	case LOG_INFO:
		return "INFO";
	case LOG_DEBUG:
		return "DEBUG";
	}
	return "?";
}

size_t log_format_prefix(char *buf, size_t size, uint64_t uptime_ns,
			 unsigned int cpu, enum log_level level)
{
	/* Microseconds are truncated, not rounded, so time never runs ahead. */
	unsigned long sec = (unsigned long)(uptime_ns / NSEC_PER_SEC);
	unsigned long usec =
		(unsigned long)(uptime_ns % NSEC_PER_SEC / NSEC_PER_USEC);
	int n;

	if (!buf || !size)
		return 0;
	n = snprintf(buf, size, "[%5lu.%06lu] cpu%u %-5s ", sec, usec, cpu,
		     log_level_name(level));
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}
