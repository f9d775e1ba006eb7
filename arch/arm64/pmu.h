/*
 * The guest's PMU where the hardware cannot keep it out of EL2.
 *
 * A guest owns the PMU of its CPU. What it must not do is count the
 * hypervisor's own execution (a timing side channel into EL2): its filter
 * registers have an NSH bit that asks for counting at EL2. FEAT_PMUv3p1's
 * MDCR_EL2.HPMD stops the event counters at EL2 and FEAT_PMUv3p5's HCCD
 * the cycle counter; a PMU older than v3p5 lacks one or both. There every
 * PMU access of the guest traps (MDCR_EL2.TPM) and is done here on its
 * behalf, unchanged but for NSH, which the guest (it has no EL2) finds RES0,
 * as KVM makes it. AArch32 EL0 accesses are not emulated: they UNDEF.
 */
#ifndef ARCH_ARM64_PMU_H
#define ARCH_ARM64_PMU_H

#include "arch/arm64/esr.h"

/* Is @s a PMU register (op0 3, CRn 9 or 14)? */
bool pmu_is_sysreg(const struct esr_sysreg *s);

/*
 * Do the guest's trapped access @s to a PMU register: a read returns the
 * value in *@val, a write takes it from *@val. False for an access the
 * architecture makes UNDEFINED (a write to a read-only register, a counter
 * the PMU does not have), which the caller turns into an UNDEF.
 */
bool pmu_access(const struct esr_sysreg *s, uint64_t *val, unsigned int pmu_ver);

/* PMEVTYPER<n>_EL0 / PMCCFILTR_EL0: count at EL2 */
#define PMU_FILTER_NSH BIT(27)

#endif
