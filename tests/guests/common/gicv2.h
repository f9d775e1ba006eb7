/*
 * Minimal GICv2 driver for the test guests: the distributor and the CPU
 * interface through MMIO, at QEMU virt's addresses (the hypervisor gives its
 * guests the same layout). Only what the guests use: Group 0 interrupts
 * signalled as IRQs (GICC_CTLR.FIQEn clear), as Linux runs a GICv2.
 */
#ifndef GUEST_GICV2_H
#define GUEST_GICV2_H

#include <stdbool.h>
#include <stdint.h>
#include "gicv3.h" /* the MMIO accessors and GICD_BASE */

#ifndef GICC_BASE
#define GICC_BASE 0x08010000UL
#endif

/* Distributor registers that differ from the GICv3 ones. */
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ISPENDR    0x0200
#define GICD_ICPENDR    0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR  0x0800
#define GICD_SGIR       0x0f00
#define GICD_CPENDSGIR  0x0f10
#define GICD_SPENDSGIR  0x0f20
#define GICD_PIDR2_V2   0x0fe8
#define GICD_SGIR_SELF  (2U << 24) /* TargetListFilter: the requesting CPU only */

/* CPU interface. */
#define GICC_CTLR 0x0000
#define GICC_PMR  0x0004
#define GICC_BPR  0x0008
#define GICC_IAR  0x000c
#define GICC_EOIR 0x0010

#define GICC_IAR_INTID(iar)  ((iar)&0x3ffU)
#define GICC_IAR_SOURCE(iar) (((iar) >> 10) & 7U)

/* Distributor and CPU interface on, every priority unmasked. */
void gicv2_enable(void);

/*
 * The body of an IRQ handler: acknowledge interrupts until none is left,
 * calling @handle(intid, source CPU) for each before its EOI.
 */
void gicv2_handle_irqs(void (*handle)(unsigned int intid, unsigned int source));

#endif
