/* C library subset (core/lib.c) and the panic entry point. */
#ifndef CORE_LIB_H
#define CORE_LIB_H

#include "core/compiler.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *s, char **end, int base);

/* Print the reason, the CPU and a backtrace-free register report, then stop this CPU. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Park this CPU for good, with nothing left to wake it (a panic's SGI_HALT). */
void halt_this_cpu(void) __noreturn;

#endif
