/* Physical interrupts: who owns each one, and the handler that routes them. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "core/dt.h"

struct vm;

/* Remember the hypervisor's own interrupts (maintenance, virtual timer). */
void irq_init(const struct dt_host *host);
/* Hand SPI @intid to @vm: routed to the CPU of its vCPU 0 and enabled. */
void irq_assign_to_vm(uint32_t intid, struct vm *vm);
/* The hypervisor reads the host UART (the console multiplexer): take its interrupt. */
void irq_claim_console(const struct dt_host *host);
/* Acknowledge and route every pending physical interrupt (from guest_irq/hyp_irq). */
void irq_handle(void);

#endif
