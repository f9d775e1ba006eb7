/*
 * A tiny printf for the test guests: no buffering, no floating point, and
 * nothing that needs libgcc (AArch64 divides 64-bit numbers in hardware).
 */
#include <stdbool.h>
#include "printf.h"
#include "uart.h"

struct spec {
	unsigned int width;
	bool left;
	bool zero;
	int length; /* number of 'l's; 'z' counts as one (size_t is long) */
};

static void pad(char c, unsigned int n)
{
	while (n--)
		uart_putc(c);
}

static void put_string(const char *s, const struct spec *sp)
{
	unsigned int len = 0;

	if (!s)
		s = "(null)";
	while (s[len])
		len++;
	if (!sp->left && sp->width > len)
		pad(' ', sp->width - len);
	uart_puts(s);
	if (sp->left && sp->width > len)
		pad(' ', sp->width - len);
}

static void put_number(unsigned long long v, bool negative, unsigned int base, bool upper,
                       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 2^64 has 20 decimal digits */
	unsigned int n = 0, len;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + negative;

	if (sp->left || !sp->zero) {
		if (!sp->left && sp->width > len)
			pad(' ', sp->width - len);
		if (negative)
			uart_putc('-');
	} else {
		/* Zero padding goes between the sign and the digits. */
		if (negative)
			uart_putc('-');
		if (sp->width > len)
			pad('0', sp->width - len);
	}
	while (n)
		uart_putc(buf[--n]);
	if (sp->left && sp->width > len)
		pad(' ', sp->width - len);
}

void gvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = {0};
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (unsigned int)(*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				sp.length++;
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (sp.length >= 2)
				s = va_arg(ap, long long);
			else if (sp.length == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			/* Negate as unsigned so LLONG_MIN does not overflow. */
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			put_number(u, s < 0, 10, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (sp.length >= 2)
				u = va_arg(ap, unsigned long long);
			else if (sp.length == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			put_number(u, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', &sp);
			break;
		case 'p':
			uart_puts("0x");
			put_number((unsigned long)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 's':
			put_string(va_arg(ap, const char *), &sp);
			break;
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		case '%':
			uart_putc('%');
			break;
		case '\0':
			return; /* a lone '%' at the end of the format */
		default:
			/* Unknown conversion: show it rather than guess. */
			uart_putc('%');
			uart_putc(*fmt);
			break;
		}
	}
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
}
