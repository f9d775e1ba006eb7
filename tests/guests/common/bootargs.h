#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stdbool.h>

/* The value of "@key=" in the DT's /chosen/bootargs, as a string up to a space, or NULL. */
const char *bootarg(unsigned long dtb, const char *key);

/* @s (decimal, or hex with 0x) up to a space or its end into *@out; false if it is none or empty.
 */
bool parse_number(const char *s, unsigned long *out);

#endif
