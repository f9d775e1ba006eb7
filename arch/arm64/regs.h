/*
 * struct cpu_user_regs: the frame arch/arm64/entry.S saves on every exception
 * taken to EL2, and restores on the way out. It is the only contract between
 * the assembly and C: the assembly uses offsets generated from this struct
 * (arch/arm64/asm-offsets.c), handlers read and write it, nothing else.
 *
 * While a vCPU runs, its frame sits at the top of its physical CPU's stack, so
 * a trap from the guest lands exactly on it.
 */
#ifndef ARCH_ARM64_REGS_H
#define ARCH_ARM64_REGS_H

/*
 * What kind of exception a guest's exit was, for the exit statistics
 * (vcpu_stats_exit_enter(), called from the counting vector in entry.S).
 */
#define VCPU_EXIT_SYNC   0
#define VCPU_EXIT_IRQ    1
#define VCPU_EXIT_SERROR 2

#ifndef __ASSEMBLY__
#include "core/compiler.h"

struct cpu_user_regs {
	uint64_t x[31]; /* x0-x30; x[30] is the link register */
	uint64_t sp;    /* traps from EL2 only: the interrupted stack pointer */
	uint64_t pc;    /* ELR_EL2 */
	uint64_t cpsr;  /* SPSR_EL2 */
	uint64_t esr;   /* ESR_EL2 at the time of the trap */
	/*
	 * CNTPCT when a counted exit began (vcpu_stats_exit_enter()); unused
	 * otherwise. It also keeps the frame a multiple of 16 bytes.
	 */
	uint64_t entered_at;
};

_Static_assert(sizeof(struct cpu_user_regs) % 16 == 0, "frame must keep SP 16-byte aligned");
_Static_assert(offsetof(struct cpu_user_regs, sp) == offsetof(struct cpu_user_regs, x[30]) + 8,
               "entry.S stores x30 and sp with one stp");
_Static_assert(offsetof(struct cpu_user_regs, cpsr) == offsetof(struct cpu_user_regs, pc) + 8,
               "entry.S stores pc and cpsr with one stp");

/* PSTATE / SPSR fields */
#define PSR_MODE_MASK 0xfUL
#define PSR_MODE_EL0t 0x0UL
#define PSR_MODE_EL1t 0x4UL
#define PSR_MODE_EL1h 0x5UL
#define PSR_MODE_EL2t 0x8UL
#define PSR_MODE_EL2h 0x9UL
#define PSR_F         BIT(6)
#define PSR_I         BIT(7)
#define PSR_A         BIT(8)
#define PSR_D         BIT(9)
#define PSR_DAIF      (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_MODE_32   BIT(4)

static inline unsigned int psr_el(uint64_t cpsr)
{
	return (unsigned int)((cpsr >> 2) & 3);
}
#endif

#endif
