/*
 * Per physical CPU state. TPIDR_EL2 points at the running CPU's struct pcpu
 * from its first instructions on (boot/head.S), so this_cpu() is one mrs.
 */
#ifndef CORE_PERCPU_H
#define CORE_PERCPU_H

/*
 * Physical CPUs the hypervisor takes: what QEMU virt with a GICv3 and the
 * boards it runs on have. Each costs a HYP_STACK_SIZE stack and a struct pcpu.
 */
#define NR_CPUS        16
#define HYP_STACK_SIZE 16384

#ifndef __ASSEMBLY__
#include "arch/arm64/sysregs.h"

struct vcpu;

struct pcpu {
	unsigned int id;        /* logical index: the position of the CPU in the host DT */
	uint64_t mpidr;         /* physical MPIDR affinity */
	uint64_t stack_top;     /* read by boot/head.S on secondary entry */
	struct vcpu *vcpu;      /* the vCPU pinned to this CPU, if any */
	bool online;            /* set by the CPU itself once it runs C with the MMU on */
	bool spin_table;        /* started from a spin-table (else by PSCI CPU_ON) */
	bool halted;            /* parked for good after a panic (core/panic.c) */
	unsigned int work;      /* PCPU_WORK_* asked of it by another CPU (core/smp.c) */
	unsigned int work_done; /* how many times it did what was asked */
};

extern struct pcpu pcpus[NR_CPUS];
extern unsigned int nr_pcpus;

static inline struct pcpu *this_cpu(void)
{
	return (struct pcpu *)READ_SYSREG(tpidr_el2);
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->id;
}
#endif

#endif
