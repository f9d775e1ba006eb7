/*
 * A physical CPU's side of a vCPU's features (see cpufeature.h): its ID
 * registers, the EL2 controls that give the features, and the clearing of
 * every register a guest can leave something in. vCPUs are pinned, so a
 * guest's FP/SVE, pointer-authentication keys, MTE, PMU and debug state live
 * in the CPU itself; cpu_reset_guest_state() is what makes a vCPU that starts
 * (first boot, CPU_ON after CPU_OFF, a VM reset) begin with none of it.
 */
#ifndef ARCH_ARM64_CPU_STATE_H
#define ARCH_ARM64_CPU_STATE_H

#include "arch/arm64/cpufeature.h"

void cpu_read_id_regs(struct cpu_id_regs *id);

/* This CPU's ID register (op0 3, op1 0, CRn 0, @crm 1-7, @op2), as the hardware has it. */
uint64_t cpu_read_idreg(unsigned int crm, unsigned int op2);

/* CPTR_EL2, ZCR_EL2, MDCR_EL2, HCRX_EL2 and the fine-grained traps for a vCPU. */
void cpu_load_guest_controls(const struct guest_features *f, const struct guest_el2_controls *c);

/* Clear FP/SIMD/SVE, PAuth keys, MTE, PMU and debug state. Call with the controls loaded. */
void cpu_reset_guest_state(const struct guest_features *f);

/* Mask everything, silence this CPU's timers and sleep in WFI for ever (a halt). */
void cpu_park(void) __noreturn;
#endif
