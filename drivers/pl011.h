/* ARM PL011 UART: polled transmit for the console, receive for later use. */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include "core/compiler.h"

void pl011_putc(uintptr_t base, char c);

#endif
