/*
 * PL011 output for the test guests. The UART is passed through to the guest
 * and already initialised by firmware, so we only ever write DR and read FR.
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

void uart_putc(char c);
void uart_puts(const char *s);
void uart_flush(void);

#endif
