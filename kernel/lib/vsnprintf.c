/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding printf-family formatter, C99 semantics without floating
 * point. Also linked into the UEFI loader, so it depends on nothing but
 * compiler-provided headers and <plinth/log.h>.
 */
#include <plinth/log.h>

#define F_LEFT	0x01u
#define F_ZERO	0x02u
#define F_PLUS	0x04u
#define F_SPACE	0x08u
#define F_ALT	0x10u

#define INT_MAX_VAL 0x7fffffff

enum length {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

struct out {
	char *buf;
	size_t size;
	size_t pos;	/* characters that would have been written so far */
};

struct spec {
	unsigned int flags;
	int width;
	int prec;	/* -1 when absent */
	enum length len;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

/* Only the part that fits is touched, so a huge width costs nothing. */
static void put_repeat(struct out *o, char c, size_t n)
{
	while (n && o->pos + 1 < o->size) {
		o->buf[o->pos++] = c;
		n--;
	}
	o->pos += n;
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	while (n && o->pos + 1 < o->size) {
		o->buf[o->pos++] = *s++;
		n--;
	}
	o->pos += n;
}

static size_t pad_for(int width, size_t body)
{
	return (size_t)width > body ? (size_t)width - body : 0;
}

static void put_padded(struct out *o, const struct spec *sp, const char *s,
		       size_t n)
{
	size_t pad = pad_for(sp->width, n);

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put_mem(o, s, n);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	/* With a precision the string need not be terminated: never look past it. */
	if (sp->prec >= 0) {
		while (n < (size_t)sp->prec && s[n])
			n++;
	} else {
		while (s[n])
			n++;
	}
	put_padded(o, sp, s, n);
}

static void put_number(struct out *o, const struct spec *sp, uintmax_t mag,
		       bool neg, unsigned int base, bool upper, bool force_prefix)
{
	const char *xdigits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];	/* 22 octal digits hold 64 bits */
	char prefix[2];
	size_t nd = 0, np = 0, zeros, pad, prec;

	while (mag) {
		digits[nd++] = xdigits[mag % base];
		mag /= base;
	}

	prec = sp->prec < 0 ? 1 : (size_t)sp->prec;
	zeros = prec > nd ? prec - nd : 0;

	if (neg)
		prefix[np++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[np++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[np++] = ' ';

	if (base == 16 && ((sp->flags & F_ALT && nd) || force_prefix)) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	/* '#' with octal means "the first digit is a zero", not a prefix. */
	if (base == 8 && sp->flags & F_ALT && !zeros)
		zeros = 1;

	pad = pad_for(sp->width, np + zeros + nd);
	if (sp->flags & F_ZERO && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put_mem(o, prefix, np);
	put_repeat(o, '0', zeros);
	while (nd)
		put(o, digits[--nd]);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

static intmax_t fetch_signed(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Saturates instead of overflowing on absurd widths in the format. */
static int parse_decimal(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		int d = *(*fmt)++ - '0';

		v = v > (INT_MAX_VAL - d) / 10 ? INT_MAX_VAL : v * 10 + d;
	}
	return v;
}

static const char *parse_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->len = LEN_NONE;

	for (;; fmt++) {
		if (*fmt == '-')
			sp->flags |= F_LEFT;
		else if (*fmt == '0')
			sp->flags |= F_ZERO;
		else if (*fmt == '+')
			sp->flags |= F_PLUS;
		else if (*fmt == ' ')
			sp->flags |= F_SPACE;
		else if (*fmt == '#')
			sp->flags |= F_ALT;
		else
			break;
	}

	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		fmt++;
		/* A negative '*' width is a '-' flag plus a positive width. */
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w < -INT_MAX_VAL ? INT_MAX_VAL : -w;
		}
		sp->width = w;
	} else {
		sp->width = parse_decimal(&fmt);
	}

	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			int p = va_arg(*ap, int);

			fmt++;
			sp->prec = p < 0 ? -1 : p;
		} else {
			sp->prec = parse_decimal(&fmt);
		}
	}

	switch (*fmt) {
	case 'h':
		fmt++;
		sp->len = LEN_H;
		if (*fmt == 'h') {
			fmt++;
			sp->len = LEN_HH;
		}
		break;
	case 'l':
		fmt++;
		sp->len = LEN_L;
		if (*fmt == 'l') {
			fmt++;
			sp->len = LEN_LL;
		}
		break;
	case 'z':
		fmt++;
		sp->len = LEN_Z;
		break;
	case 't':
		fmt++;
		sp->len = LEN_T;
		break;
	case 'j':
		fmt++;
		sp->len = LEN_J;
		break;
	default:
		break;
	}
	return fmt;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = buf ? size : 0, .pos = 0 };
	va_list args;

	/* Helpers take a va_list pointer; only a copy makes that portable. */
	va_copy(args, ap);

	while (*fmt) {
		const char *start = fmt;
		struct spec sp;
		intmax_t sv;
		char c;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);

		switch (*fmt) {
		case 'd':
		case 'i':
			sv = fetch_signed(sp.len, &args);
			put_number(&o, &sp,
				   sv < 0 ? (uintmax_t)0 - (uintmax_t)sv :
					    (uintmax_t)sv,
				   sv < 0, 10, false, false);
			break;
		case 'u':
			sp.flags &= ~(F_PLUS | F_SPACE);
			put_number(&o, &sp, fetch_unsigned(sp.len, &args),
				   false, 10, false, false);
			break;
		case 'x':
		case 'X':
			sp.flags &= ~(F_PLUS | F_SPACE);
			put_number(&o, &sp, fetch_unsigned(sp.len, &args),
				   false, 16, *fmt == 'X', false);
			break;
		case 'o':
			sp.flags &= ~(F_PLUS | F_SPACE);
			put_number(&o, &sp, fetch_unsigned(sp.len, &args),
				   false, 8, false, false);
			break;
		case 'p':
			/* Fixed "0x" + 16 digits so addresses line up in logs. */
			sp.flags &= ~(F_PLUS | F_SPACE | F_ZERO);
			sp.prec = 16;
			put_number(&o, &sp,
				   (uintptr_t)va_arg(args, void *),
				   false, 16, false, true);
			break;
		case 's':
			put_string(&o, &sp, va_arg(args, const char *));
			break;
		case 'c':
			c = (char)va_arg(args, int);
			put_padded(&o, &sp, &c, 1);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			/* A format ending inside a conversion is shown as written. */
			put_mem(&o, start, (size_t)(fmt - start));
			continue;
		default:
			put_mem(&o, start, (size_t)(fmt + 1 - start));
			break;
		}
		fmt++;
	}
	va_end(args);

	if (o.size)
		o.buf[o.pos < o.size ? o.pos : o.size - 1] = '\0';
	return o.pos > INT_MAX_VAL ? INT_MAX_VAL : (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
