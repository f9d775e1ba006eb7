/*
 * Polled PL011 transmit. With the MMU off every access is Device memory, so
 * registers are touched only with aligned 32-bit loads and stores.
 */
#include <stdint.h>
#include "uart.h"

#ifndef UART_BASE
#define UART_BASE 0x09000000UL /* QEMU virt PL011, passed through by the hypervisor */
#endif

#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_BUSY (1U << 3)
#define PL011_FR_TXFF (1U << 5)

static inline uint32_t pl011_read(unsigned long reg)
{
	return *(volatile uint32_t *)(UART_BASE + reg);
}

static inline void pl011_write(unsigned long reg, uint32_t val)
{
	*(volatile uint32_t *)(UART_BASE + reg) = val;
}

static void uart_putc_raw(char c)
{
	while (pl011_read(PL011_FR) & PL011_FR_TXFF)
		;
	pl011_write(PL011_DR, (unsigned char)c);
}

/* Terminals and the boot tests expect "\r\n" line endings. */
void uart_putc(char c)
{
	if (c == '\n')
		uart_putc_raw('\r');
	uart_putc_raw(c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

/* Wait until the last character has left, e.g. before powering off. */
void uart_flush(void)
{
	while (pl011_read(PL011_FR) & PL011_FR_BUSY)
		;
}
