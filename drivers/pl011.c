/*
 * PL011 transmit. The UART is left as the firmware or QEMU configured it
 * (baud rate, line control): the hypervisor only writes characters, and the
 * guest that owns the UART programs it as it likes.
 */
#include "drivers/pl011.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define FR_TXFF (1u << 5) /* transmit FIFO full */

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
