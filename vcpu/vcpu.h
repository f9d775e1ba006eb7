/* A virtual CPU, pinned to one physical CPU. */
#ifndef VCPU_VCPU_H
#define VCPU_VCPU_H

#include "arch/arm64/regs.h"
#include "core/vm.h"

struct vcpu {
	unsigned int id; /* index in its VM */
	struct vm *vm;
	uint64_t vmpidr; /* the MPIDR the guest reads */
	unsigned int pcpu;
	uint64_t hcr; /* HCR_EL2 while this vCPU runs */
};

struct vcpu *vcpu_create(struct vm *vm, unsigned int id, unsigned int pcpu);

/*
 * Start @v on the calling physical CPU at @entry (EL1h, MMU off) with x0 =
 * @x0. Does not return: the CPU is the vCPU's from now on.
 */
void vcpu_start(struct vcpu *v, uint64_t entry, uint64_t x0) __noreturn;

/* The frame of the guest running on this CPU: at the top of its stack. */
struct cpu_user_regs *guest_cpu_user_regs(void);

#endif
