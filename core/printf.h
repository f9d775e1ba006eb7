/*
 * Formatted output: printk() to the console, snprintk() into a buffer.
 * Conversions: %s %c %d %i %u %x %X %p %%, with the l/ll/z length modifiers,
 * a field width, '0' padding and '-' left alignment.
 */
#ifndef CORE_PRINTF_H
#define CORE_PRINTF_H

#include <stdarg.h>
#include "core/compiler.h"

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int printk(const char *fmt, ...) __printf(1, 2);

#endif
