/*
 * A tiny printf straight to the UART.
 * Conversions: %s %c %d %i %u %x %X %p %%, with the l/ll/z length modifiers,
 * a field width, '0' padding and '-' left alignment.
 */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>

void gvprintf(const char *fmt, va_list ap);
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
