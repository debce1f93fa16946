/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatted output to the emulated COM1. Each call formats a whole line
 * into a buffer first and sends it under a lock, so lines from two vCPUs
 * never interleave in Plinth's log.
 */
#include "guest.h"

#define LINE_MAX_LEN 256

static unsigned int failures;
static volatile uint32_t uart_lock;

static void uart_write(const char *s, size_t len)
{
	while (__atomic_exchange_n(&uart_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	/* Plinth's LSR always reads "THR empty": no polling, one exit per byte. */
	for (size_t i = 0; i < len; i++)
		outb(GUEST_UART_PORT, (uint8_t)s[i]);
	__atomic_store_n(&uart_lock, 0, __ATOMIC_RELEASE);
}

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned int base, bool upper,
		    bool neg, int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int total = n + (neg ? 1 : 0);

	if (neg && zero)
		put(o, '-');
	if (!left) {
		for (; width > total; width--)
			put(o, zero ? '0' : ' ');
	}
	if (neg && !zero)
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
	for (; width > total; width--)
		put(o, ' ');
}

/*
 * Supports %d %i %u %x %X %p %s %c %% with flags 0 and -, a width and the
 * length modifiers l, ll, z. Returns the length the full output needs.
 */
int vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		bool zero = false, left = false;
		int width = 0, longs = 0;

		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		if (left)
			zero = false;

		uint64_t u;
		int64_t s;

		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_num(&o, u, 10, false, s < 0, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', false,
				width, zero, left);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false,
				width, zero, left);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int n = 0;

			if (!str)
				str = "(null)";
			while (str[n])
				n++;
			for (int pad = width - n; !left && pad > 0; pad--)
				put(&o, ' ');
			for (int i = 0; i < n; i++)
				put(&o, str[i]);
			for (int pad = width - n; left && pad > 0; pad--)
				put(&o, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* lone '%' at the end */
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

/* Emits prefix + formatted text + newline as one line (truncated if long). */
static void emit_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	size_t n = 0;

	while (*prefix && n < sizeof(line) - 2)
		line[n++] = *prefix++;
	if (fmt) {
		int len = vfmt(line + n, sizeof(line) - 1 - n, fmt, ap);
		size_t room = sizeof(line) - 2 - n;

		n += (size_t)len < room ? (size_t)len : room;
	}
	line[n++] = '\n';
	uart_write(line, n);
}

static void emit(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_line(prefix, fmt, ap);
	va_end(ap);
}

void gprintf(const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vfmt(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	uart_write(line, (size_t)len);
}

void pass(const char *name)
{
	emit("PASS ", "%s", name);
}

static void vfail(const char *name, const char *fmt, va_list ap)
{
	char prefix[80];

	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	/* "FAIL name: " */
	size_t n = 0;
	const char *p = "FAIL ";

	while (*p)
		prefix[n++] = *p++;
	while (*name && n < sizeof(prefix) - 3)
		prefix[n++] = *name++;
	prefix[n++] = ':';
	prefix[n++] = ' ';
	prefix[n] = '\0';
	emit_line(prefix, fmt, ap);
}

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

bool check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		pass(name);
		return true;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
	return false;
}

void hostile(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_line("HOSTILE ", fmt, ap);
	va_end(ap);
}

unsigned int guest_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}
