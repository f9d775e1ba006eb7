/* ARM PL011 UART: polled transmit for the console, interrupt-driven receive. */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include "core/compiler.h"

void pl011_putc(uintptr_t base, char c);
/* The next received character, or -1 if the receive FIFO is empty. */
int pl011_getc(uintptr_t base);
/* Interrupt on received characters (and receive timeout); the rest masked. */
void pl011_enable_rx_irq(uintptr_t base);

#endif
