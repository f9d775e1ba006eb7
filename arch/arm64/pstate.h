/*
 * PSTATE on exception entry: what an exception taken to EL1 leaves in
 * PSTATE, as AArch64.TakeException (Arm ARM) computes it. Pure, so the host
 * unit tests check it bit by bit (tests/unit/test_pstate.c).
 */
#ifndef ARCH_ARM64_PSTATE_H
#define ARCH_ARM64_PSTATE_H

#include "arch/arm64/cpufeature.h"

/* SPSR_ELx / PSTATE bits (AArch64 layout; the AArch32 one shares NZCV, DIT and PAN). */
#define PSR_NZCV   (0xfUL << 28)
#define PSR_TCO    BIT(25)
#define PSR_DIT    BIT(24)
#define PSR_UAO    BIT(23)
#define PSR_PAN    BIT(22)
#define PSR_SS     BIT(21)
#define PSR_IL     BIT(20)
#define PSR_ALLINT BIT(13)
#define PSR_SSBS   BIT(12)
#define PSR_BTYPE  (3UL << 10)

/* SCTLR_EL1 bits that decide part of it. */
#define SCTLR_EL1_SPAN      BIT(23)
#define SCTLR_EL1_DSSBS     BIT(44)
#define SCTLR_EL1_SPINTMASK BIT(62)

/*
 * The PSTATE an exception taken to EL1 (EL1h) enters with, from the PSTATE
 * it interrupted (@old, as SPSR_EL2 holds it: AArch64 or AArch32 EL0), the
 * guest's @sctlr_el1, and what the hardware implements (@hw).
 */
uint64_t pstate_exception_entry(uint64_t old, uint64_t sctlr_el1,
                                const struct exception_entry_hw *hw);

#endif
