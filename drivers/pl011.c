/*
 * PL011 transmit and receive. The UART is left as the firmware or QEMU
 * configured it (baud rate, line control): the hypervisor only writes
 * characters, and reads them when it owns the input (the console
 * multiplexer); a guest that owns the UART programs it as it likes.
 */
#include "drivers/pl011.h"

#define UART_DR   0x00
#define UART_FR   0x18
#define UART_CR   0x30
#define UART_IMSC 0x38
#define UART_ICR  0x44

#define FR_RXFE  (1u << 4) /* receive FIFO empty */
#define FR_TXFF  (1u << 5) /* transmit FIFO full */
#define CR_RXE   (1u << 9)
#define IM_RX    (1u << 4)
#define IM_RT    (1u << 6)
#define IM_ERROR (0xfu << 7) /* framing, parity, break, overrun */

static inline uint32_t pl011_read(uintptr_t base, unsigned int reg)
{
	return *(volatile uint32_t *)(base + reg);
}

static inline void pl011_write(uintptr_t base, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(base + reg) = v;
}

void pl011_putc(uintptr_t base, char c)
{
	while (pl011_read(base, UART_FR) & FR_TXFF)
		;
	pl011_write(base, UART_DR, (uint8_t)c);
}

int pl011_getc(uintptr_t base)
{
	uint32_t dr;

	if (pl011_read(base, UART_FR) & FR_RXFE)
		return -1;
	dr = pl011_read(base, UART_DR);
	return (int)(dr & 0xff); /* a character with an error flag is still the character */
}

void pl011_enable_rx_irq(uintptr_t base)
{
	pl011_write(base, UART_ICR, IM_RX | IM_RT | IM_ERROR);
	pl011_write(base, UART_CR, pl011_read(base, UART_CR) | CR_RXE);
	pl011_write(base, UART_IMSC, IM_RX | IM_RT);
}
