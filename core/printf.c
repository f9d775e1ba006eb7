/*
 * A small printf: enough for a hypervisor's console and nothing more.
 * It formats into a caller's buffer; printk() hands the result to the console.
 */
#include "core/printf.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past the end of buf */
};

struct fmt_spec {
	unsigned int width;
	bool left;
	bool zero;
	bool alt;
	int length; /* number of 'l's, or 2 for 'z' */
};

static void fmt_putc(struct fmt_out *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len] = c;
	out->len++;
}

static void fmt_pad(struct fmt_out *out, char c, unsigned int n)
{
	while (n--)
		fmt_putc(out, c);
}

static size_t fmt_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static void fmt_string(struct fmt_out *out, const char *s, const struct fmt_spec *spec)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = fmt_strnlen(s, 4096);
	if (!spec->left && spec->width > len)
		fmt_pad(out, ' ', spec->width - len);
	for (size_t i = 0; i < len; i++)
		fmt_putc(out, s[i]);
	if (spec->left && spec->width > len)
		fmt_pad(out, ' ', spec->width - len);
}

static void fmt_number(struct fmt_out *out, uint64_t v, bool negative, unsigned int base,
                       bool upper, const struct fmt_spec *spec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);

	len = n + (negative ? 1 : 0) + (spec->alt ? 2 : 0);
	if (!spec->left && !spec->zero && spec->width > len)
		fmt_pad(out, ' ', spec->width - len);
	if (negative)
		fmt_putc(out, '-');
	if (spec->alt) {
		fmt_putc(out, '0');
		fmt_putc(out, 'x');
	}
	if (!spec->left && spec->zero && spec->width > len)
		fmt_pad(out, '0', spec->width - len);
	while (n)
		fmt_putc(out, tmp[--n]);
	if (spec->left && spec->width > len)
		fmt_pad(out, ' ', spec->width - len);
}

static uint64_t fmt_arg_unsigned(va_list *ap, int length)
{
	if (length >= 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t fmt_arg_signed(va_list *ap, int length)
{
	if (length >= 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* Parse flags, width and length of one conversion; returns the conversion character. */
static const char *fmt_parse_spec(const char *p, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){0};
	for (;; p++) {
		if (*p == '-')
			spec->left = true;
		else if (*p == '0')
			spec->zero = true;
		else if (*p == '#')
			spec->alt = true;
		else
			break;
	}
	while (*p >= '0' && *p <= '9')
		spec->width = spec->width * 10 + (unsigned int)(*p++ - '0');
	while (*p == 'l' || *p == 'z') {
		spec->length += (*p == 'z') ? 2 : 1;
		p++;
	}
	return p;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out out = {.buf = buf, .size = size, .len = 0};
	struct fmt_spec spec;
	va_list args;

	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fmt_putc(&out, *p);
			continue;
		}
		p = fmt_parse_spec(p + 1, &spec);
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = fmt_arg_signed(&args, spec.length);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			fmt_number(&out, mag, v < 0, 10, false, &spec);
			break;
		}
		case 'u':
			fmt_number(&out, fmt_arg_unsigned(&args, spec.length), false, 10, false,
			           &spec);
			break;
		case 'x':
		case 'X':
			fmt_number(&out, fmt_arg_unsigned(&args, spec.length), false, 16, *p == 'X',
			           &spec);
			break;
		case 'p':
			spec.alt = true;
			fmt_number(&out, (uintptr_t)va_arg(args, void *), false, 16, false, &spec);
			break;
		case 'c':
			fmt_putc(&out, (char)va_arg(args, int));
			break;
		case 's':
			fmt_string(&out, va_arg(args, const char *), &spec);
			break;
		case '%':
			fmt_putc(&out, '%');
			break;
		case '\0':
			p--; /* a lone '%' at the end: print nothing more */
			break;
		default: /* unknown conversion: show it rather than guess */
			fmt_putc(&out, '%');
			fmt_putc(&out, *p);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[out.len < size ? out.len : size - 1] = '\0';
	return (int)out.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
