/* Physical CPU bring-up. */
#ifndef CORE_SMP_H
#define CORE_SMP_H

#include "core/dt.h"

/* Start every CPU of the host DT; they end up idle, waiting for a vCPU. */
void smp_boot_secondaries(const struct dt_host *host);

#endif
