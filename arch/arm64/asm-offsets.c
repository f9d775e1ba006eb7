/*
 * Offsets for the assembly, generated from the C structs at build time: the
 * Makefile compiles this file to assembly and turns every "@@NAME value" line
 * into "#define NAME value" in build/<platform>/include/asm-offsets.h.
 */
#include "arch/arm64/regs.h"
#include "core/percpu.h"

#define DEFINE(sym, val)      __asm__ volatile("\n.ascii \"@@" #sym " %0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(UREGS_X0, cpu_user_regs, x[0]);
	OFFSET(UREGS_LR, cpu_user_regs, x[30]);
	OFFSET(UREGS_SP, cpu_user_regs, sp);
	OFFSET(UREGS_PC, cpu_user_regs, pc);
	OFFSET(UREGS_CPSR, cpu_user_regs, cpsr);
	OFFSET(UREGS_ESR, cpu_user_regs, esr);
	DEFINE(UREGS_SIZE, sizeof(struct cpu_user_regs));

	OFFSET(PCPU_STACK_TOP, pcpu, stack_top);
	OFFSET(PCPU_MPIDR, pcpu, mpidr);
	DEFINE(NR_CPUS, NR_CPUS);
	DEFINE(PCPU_SIZE, sizeof(struct pcpu));
	DEFINE(HYP_STACK_SIZE, HYP_STACK_SIZE);
}
