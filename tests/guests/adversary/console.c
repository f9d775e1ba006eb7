/*
 * The adversary's console: the PL011 the DT names (so the same guest runs on
 * QEMU virt and the Raspberry Pi 4), lines formatted into a buffer first and
 * written under a lock, so that the vCPUs' lines never interleave.
 */
#include "adv.h"

#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_BUSY (1U << 3)
#define PL011_FR_TXFF (1U << 5)

static volatile uint32_t console_lock;

static void lock(void)
{
	uint32_t tmp, busy;

	__asm__ volatile("1:	ldaxr	%w0, [%2]\n"
	                 "	cbnz	%w0, 1b\n"
	                 "	mov	%w0, #1\n"
	                 "	stxr	%w1, %w0, [%2]\n"
	                 "	cbnz	%w1, 1b\n"
	                 : "=&r"(tmp), "=&r"(busy)
	                 : "r"(&console_lock)
	                 : "memory");
}

static void unlock(void)
{
	__asm__ volatile("stlr wzr, [%0]" : : "r"(&console_lock) : "memory");
}

static void putc_raw(char ch)
{
	volatile uint32_t *fr = (volatile uint32_t *)(plat.uart + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(plat.uart + PL011_DR);

	while (*fr & PL011_FR_TXFF)
		;
	*dr = (unsigned char)ch;
}

void adv_console_flush(void)
{
	while (*(volatile uint32_t *)(plat.uart + PL011_FR) & PL011_FR_BUSY)
		;
}

struct sink {
	char *buf;
	unsigned long size, len;
};

static void emit(struct sink *s, char ch)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = ch;
	s->len++;
}

static void emit_number(struct sink *s, uint64_t v, bool neg, unsigned int base, unsigned int width,
                        bool zero)
{
	char digits[24];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		width = width ? width - 1 : 0;
	if (neg && zero)
		emit(s, '-');
	for (unsigned int i = n; i < width; i++)
		emit(s, zero ? '0' : ' ');
	if (neg && !zero)
		emit(s, '-');
	while (n)
		emit(s, digits[--n]);
}

/* %s %c %d %u %x %p %%, with l/ll/z, a width and '0' padding. */
int adv_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap)
{
	struct sink s = {buf, size, 0};

	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		bool zero = false;
		uint64_t u;
		int64_t v;
		const char *str;

		if (*fmt != '%') {
			emit(&s, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			zero = true;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			emit_number(&s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, width, zero);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			emit_number(&s, u, false, *fmt == 'u' ? 10 : 16, width, zero);
			break;
		case 'p':
			emit(&s, '0');
			emit(&s, 'x');
			emit_number(&s, (uint64_t)va_arg(ap, void *), false, 16, width, zero);
			break;
		case 's':
			for (str = va_arg(ap, const char *); str && *str; str++)
				emit(&s, *str);
			break;
		case 'c':
			emit(&s, (char)va_arg(ap, int));
			break;
		case '\0':
			fmt--;
			break;
		default:
			emit(&s, *fmt);
			break;
		}
	}
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

void adv_vprintf(const char *fmt, va_list ap)
{
	char line[256];

	adv_vsnprintf(line, sizeof(line), fmt, ap);
	lock();
	for (const char *p = line; *p; p++) {
		if (*p == '\n')
			putc_raw('\r');
		putc_raw(*p);
	}
	unlock();
}

void adv_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	adv_vprintf(fmt, ap);
	va_end(ap);
}
