/*
 * Exception injection: make a guest take a synchronous exception at EL1 as
 * the hardware would have, by writing ELR/SPSR/ESR/FAR_EL1 and redirecting the
 * return to the guest's vector table (its VBAR_EL1 + the slot for where the
 * exception came from).
 */
#include "arch/arm64/esr.h"
#include "arch/arm64/pstate.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/traps.h"
#include "core/percpu.h"
#include "vcpu/vcpu.h"

/* Vector table offsets, Arm ARM D1.10.2. */
#define VECTOR_CUR_SP0 0x000
#define VECTOR_CUR_SPX 0x200
#define VECTOR_LOW_A64 0x400
#define VECTOR_LOW_A32 0x600

static bool from_el0(const struct cpu_user_regs *regs)
{
	return psr_el(regs->cpsr) == 0;
}

static uint64_t vector_offset(const struct cpu_user_regs *regs)
{
	if (regs->cpsr & PSR_MODE_32)
		return VECTOR_LOW_A32; /* AArch32 EL0 */
	switch (regs->cpsr & PSR_MODE_MASK) {
	case PSR_MODE_EL1h:
		return VECTOR_CUR_SPX;
	case PSR_MODE_EL1t:
		return VECTOR_CUR_SP0;
	default:
		return VECTOR_LOW_A64;
	}
}

static void inject_sync(struct cpu_user_regs *regs, uint64_t esr, uint64_t far)
{
	WRITE_SYSREG(regs->pc, elr_el1);
	WRITE_SYSREG(regs->cpsr, spsr_el1);
	WRITE_SYSREG(esr, esr_el1);
	WRITE_SYSREG(far, far_el1);
	regs->pc = READ_SYSREG(vbar_el1) + vector_offset(regs);
	/* As the CPU would enter EL1 itself: EL1h, masked, PAN, SSBS, TCO, ... */
	regs->cpsr = pstate_exception_entry(regs->cpsr, READ_SYSREG(sctlr_el1),
	                                    &this_cpu()->vcpu->features.entry);
}

void inject_data_abort(struct cpu_user_regs *regs, uint64_t far)
{
	unsigned int ec = from_el0(regs) ? EC_DABT_LOW : EC_DABT_CUR;
	uint64_t wnr = esr_iss(regs->esr) & BIT(6);
	/* IL as trapped: clear for a 16-bit T32 load/store of a guest's AArch32 EL0. */
	uint64_t esr = ((uint64_t)ec << ESR_EC_SHIFT) | (regs->esr & ESR_IL) | wnr | FSC_SEA;

	inject_sync(regs, esr, far);
}

void inject_insn_abort(struct cpu_user_regs *regs, uint64_t far)
{
	unsigned int ec = from_el0(regs) ? EC_IABT_LOW : EC_IABT_CUR;
	uint64_t esr = ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | FSC_SEA;

	inject_sync(regs, esr, far);
}

void inject_undef(struct cpu_user_regs *regs)
{
	inject_sync(regs, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0);
}
