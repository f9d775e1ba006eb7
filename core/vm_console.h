/*
 * A VM's console when it does not own the physical UART: an emulated PL011
 * (core/vpl011.c) at the address and SPI of the host's UART, so the same
 * kernel command line ("console=ttyAMA0 earlycon") works in every VM. What
 * the guest transmits goes to the console multiplexer (core/console.c) as
 * that VM's lines; what the user types reaches it while it has the focus.
 */
#ifndef CORE_VM_CONSOLE_H
#define CORE_VM_CONSOLE_H

#include "core/dt_guest.h"
#include "core/vm.h"

/* Give @vm its emulated UART if its definition asks for one (construction). */
void vm_console_attach(struct vm *vm);
/* The guest DT's UART node and stdout-path for it. */
void vm_console_dt_params(const struct vm *vm, struct dt_guest_params *p);
/* The VM restarts: its UART as after power-on, its partial line dropped. */
void vm_console_reset(struct vm *vm);

#endif
