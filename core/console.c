/* Console output: whole lines at a time under a lock, "\n" sent as "\r\n". */
#include "core/console.h"
#include "core/printf.h"
#include "core/spinlock.h"
#include "drivers/pl011.h"

static uintptr_t console_uart;
static bool console_locking;
static spinlock_t console_lock = SPINLOCK_INIT;

void console_init_early(void)
{
	console_uart = PLATFORM_EARLY_UART;
}

void console_set_uart(uintptr_t base)
{
	console_uart = base;
}

void console_enable_locking(void)
{
	console_locking = true;
}

static void console_write_locked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc(console_uart, '\r');
		pl011_putc(console_uart, s[i]);
	}
}

void console_write(const char *s, size_t n)
{
	if (!console_uart)
		return;
	if (console_locking)
		spin_lock(&console_lock);
	console_write_locked(s, n);
	if (console_locking)
		spin_unlock(&console_lock);
}

int printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}
