/*
 * An emulated Arm PL011 UART (PrimeCell r1p5), as much of it as Linux's
 * amba-pl011 driver and earlycon use: the data, flag, control, line-control,
 * interrupt mask/status/clear registers, the baud-rate and FIFO-level
 * registers (stored, no effect), and the PrimeCell ID registers the AMBA bus
 * probes by. It is a pure model: no locks, no console, no interrupt
 * controller; the caller (core/vm_console.c) owns all three.
 *
 * Transmission is instantaneous: the TX FIFO is always empty, so a guest
 * never waits and TXRIS is set from reset and after every write to UARTDR
 * (cleared by UARTICR, as on hardware once the level is crossed). Reception
 * has a 32-byte FIFO (one holding register while LCR_H.FEN is clear).
 * Characters arrive at human speed, so the receive timeout is taken as
 * elapsed whenever the FIFO holds anything: RTRIS follows "not empty" and
 * RXRIS follows "at or above the IFLS trigger level".
 */
#ifndef CORE_VPL011_H
#define CORE_VPL011_H

#include "core/compiler.h"

#define VPL011_SIZE      0x1000u
#define VPL011_FIFO_SIZE 32u

/* Register offsets (PL011 TRM, table 3-1). */
#define VPL011_DR     0x000
#define VPL011_RSR    0x004 /* read: receive status; write: error clear (ECR) */
#define VPL011_FR     0x018
#define VPL011_ILPR   0x020
#define VPL011_IBRD   0x024
#define VPL011_FBRD   0x028
#define VPL011_LCR_H  0x02c
#define VPL011_CR     0x030
#define VPL011_IFLS   0x034
#define VPL011_IMSC   0x038
#define VPL011_RIS    0x03c
#define VPL011_MIS    0x040
#define VPL011_ICR    0x044
#define VPL011_DMACR  0x048
#define VPL011_PERIPH 0xfe0 /* PeriphID0-3, then PCellID0-3 at 0xff0 */

/* UARTFR */
#define VPL011_FR_CTS  (1u << 0)
#define VPL011_FR_BUSY (1u << 3)
#define VPL011_FR_RXFE (1u << 4)
#define VPL011_FR_TXFF (1u << 5)
#define VPL011_FR_RXFF (1u << 6)
#define VPL011_FR_TXFE (1u << 7)

/* UARTCR */
#define VPL011_CR_UARTEN (1u << 0)
#define VPL011_CR_LBE    (1u << 7)
#define VPL011_CR_TXE    (1u << 8)
#define VPL011_CR_RXE    (1u << 9)

#define VPL011_LCR_H_FEN (1u << 4)

/* UARTRIS/MIS/IMSC/ICR bits */
#define VPL011_INT_RX  (1u << 4)
#define VPL011_INT_TX  (1u << 5)
#define VPL011_INT_RT  (1u << 6)
#define VPL011_INT_OE  (1u << 10)
#define VPL011_INT_ALL 0x7ffu

/* UARTRSR / the error bits of UARTDR */
#define VPL011_RSR_OE (1u << 3)

struct vpl011 {
	uint8_t rx[VPL011_FIFO_SIZE];
	unsigned int rx_head; /* index of the oldest character */
	unsigned int rx_count;
	uint32_t ris_latched; /* TX and error interrupts: set by events, cleared by ICR */
	uint32_t imsc;
	uint32_t rsr;
	bool dr_overrun; /* the next character read from UARTDR carries OE */
	uint32_t cr;
	uint32_t lcr_h;
	uint32_t ifls;
	uint32_t ibrd, fbrd, ilpr, dmacr;
};

/* As after a hardware reset (also what a VM reset does to it). */
void vpl011_reset(struct vpl011 *u);

/*
 * A guest access of @size bytes at @offset into the UART's page. Reads set
 * *@data; a character the guest transmits lands in *@tx (left alone if none).
 * Returns false for an access the device cannot take (a size other than 1,
 * 2 or 4 bytes, or not aligned to its size): the caller aborts the guest's
 * access. Reserved offsets read as zero and ignore writes, as on hardware.
 */
bool vpl011_access(struct vpl011 *u, uint64_t offset, unsigned int size, bool write, uint64_t *data,
                   int *tx);

/* A character typed for this UART; false if it was lost (FIFO full, or receiver off). */
bool vpl011_rx_push(struct vpl011 *u, uint8_t ch);

/* Characters the receive FIFO can still take. */
unsigned int vpl011_rx_space(const struct vpl011 *u);

/* UARTRIS: what the device has to say, masked or not. */
uint32_t vpl011_raw_status(const struct vpl011 *u);

/* The UART's combined interrupt line (UARTINTR): any unmasked raw status bit. */
bool vpl011_irq_level(const struct vpl011 *u);

#endif
