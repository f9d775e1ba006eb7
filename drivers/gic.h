/*
 * The physical GIC, as the rest of the hypervisor sees it: acknowledge and
 * end interrupts, enable and route them, send SGIs, and read/write the list
 * registers of the virtual CPU interface in a version-neutral form
 * (struct gic_lr). vgic/ uses nothing else of the hardware.
 */
#ifndef DRIVERS_GIC_H
#define DRIVERS_GIC_H

#include "core/dt.h"

#define GIC_SPURIOUS   1023
#define GIC_NR_SGIS    16
#define GIC_NR_PRIVATE 32

/* SGIs the hypervisor sends itself. */
#define SGI_KICK 0 /* make a CPU leave its guest or idle loop and look at its vCPU */
#define SGI_HALT 1 /* the hypervisor panicked: stop this CPU for good (core/panic.c) */

/* List register state */
#define GIC_LR_PENDING 1
#define GIC_LR_ACTIVE  2

struct gic_lr {
	uint32_t virq;    /* the INTID the guest sees */
	uint32_t pirq;    /* hw only: the physical INTID the guest's EOI deactivates */
	uint8_t priority; /* 8-bit GIC priority, lower is more urgent */
	uint8_t state;    /* GIC_LR_PENDING | GIC_LR_ACTIVE, 0 = invalid */
	bool hw;
	bool group1;
	uint8_t source; /* GICv2 SGIs: the requesting vCPU */
	bool eoi_irq;   /* not hw: a maintenance interrupt when the guest EOIs it */
};

/* Encoding of a list register, per GIC version (drivers/gic_lr.c, pure). */
uint64_t gic_v3_lr_encode(const struct gic_lr *lr);
void gic_v3_lr_decode(uint64_t v, struct gic_lr *lr);
uint32_t gic_v2_lr_encode(const struct gic_lr *lr);
void gic_v2_lr_decode(uint32_t v, struct gic_lr *lr);

/* Boot CPU: distributor set-up. Maps the GIC's frames. */
void gic_init(const struct dt_gic *dt);
/* Every CPU (boot CPU included): its redistributor, CPU and virtual CPU interface. */
void gic_cpu_init(void);
/* Has gic_init() run (may SGIs be sent)? */
bool gic_ready(void);
/*
 * This CPU's interfaces stop signalling anything, physical or virtual, so a
 * WFI sleeps for good (a halted CPU; see core/panic.c).
 */
void gic_cpu_quiesce(void);

uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);        /* priority drop only (EOImode = 1) */
void gic_deactivate(uint32_t intid); /* the interrupt may fire again */
void gic_irq_enable(uint32_t intid);
void gic_irq_disable(uint32_t intid);
/* Route SPI @intid to physical CPU @pcpu. */
void gic_spi_route(uint32_t intid, unsigned int pcpu);
void gic_send_sgi(unsigned int pcpu, unsigned int sgi);

unsigned int gic_version(void);
unsigned int gic_nr_lrs(void);
void gic_read_lr(unsigned int i, struct gic_lr *lr);
void gic_write_lr(unsigned int i, const struct gic_lr *lr);
/*
 * The list registers that hold nothing (ICH_ELRSR_EL2, GICH_ELRSR0): bit n is
 * set when list register n is invalid and owes no EOI maintenance interrupt.
 * One register read instead of reading a list register back.
 */
uint32_t gic_empty_lrs(void);
/* Ask for a maintenance interrupt when the list registers run (nearly) empty. */
void gic_set_underflow_irq(bool on);
/* Reset the virtual CPU interface for a vCPU starting afresh on this CPU. */
void gic_vcpu_if_reset(void);
/*
 * The maintenance interrupt came: the driver's own part, before the vGIC
 * refills the list registers (ending the physical interrupts of hardware-linked
 * ones it emulates, see drivers/gic_v2.c).
 */
void gic_maintenance(void);

#endif
