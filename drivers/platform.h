/*
 * Machine-wide controls: how to power off and reset this board. With a PSCI
 * firmware at EL3 it is asked; platforms without one provide their own way.
 */
#ifndef DRIVERS_PLATFORM_H
#define DRIVERS_PLATFORM_H

#include "core/dt.h"

/* Record what the host DT says about the firmware. */
void platform_init(const struct dt_host *host);

/* Start physical CPU @mpidr at @entry with x0 = @context. Returns a PSCI status. */
long platform_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

void platform_system_off(void) __noreturn;
void platform_system_reset(void) __noreturn;

#endif
