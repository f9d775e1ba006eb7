/* Physical CPU bring-up. */
#ifndef CORE_SMP_H
#define CORE_SMP_H

#include "core/dt.h"

/* Start every CPU of the host DT; they end up idle, waiting for a vCPU. */
void smp_boot_secondaries(const struct dt_host *host);

/*
 * Work one CPU asks of another, done there on its next SGI_KICK (or at once
 * on the calling CPU): what only that CPU can do, for it is its vCPU's.
 */
#define PCPU_WORK_TRAP_VECTOR 0x1U /* count its guest's exits, or not, as its VM says */
#define PCPU_WORK_SHOW_VCPU   0x2U /* print its vCPU's registers (the console's 'r' key) */
#define PCPU_WORK_START_VM    0x4U /* start its vCPU's VM, which is off (vm_restart()) */

/* Ask @cpu to do @work (PCPU_WORK_*); the calling CPU does it at once. */
void smp_cpu_work(unsigned int cpu, unsigned int work);
/* Ask, and wait up to @timeout_ms for @cpu to have done it: false if it did not. */
bool smp_cpu_work_wait(unsigned int cpu, unsigned int work, unsigned int timeout_ms);
/* On SGI_KICK: do what this CPU was asked. */
void smp_do_work(void);

#endif
