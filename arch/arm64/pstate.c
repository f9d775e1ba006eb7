/*
 * PSTATE on exception entry (see pstate.h). Following AArch64.TakeException:
 * the condition flags and DIT are kept; the mode becomes EL1h with every
 * interrupt masked; IL, SS, UAO and BTYPE are cleared; PAN is set unless
 * SCTLR_EL1.SPAN says keep it; SSBS comes from SCTLR_EL1.DSSBS; TCO is set
 * with MTE; ALLINT is set unless SCTLR_EL1.SPINTMASK. A field the hardware
 * does not implement stays 0 (it is RES0).
 */
#include "arch/arm64/pstate.h"
#include "arch/arm64/regs.h"

uint64_t pstate_exception_entry(uint64_t old, uint64_t sctlr_el1,
                                const struct exception_entry_hw *hw)
{
	uint64_t pstate = (old & (PSR_NZCV | PSR_DIT)) | PSR_DAIF | PSR_MODE_EL1h;

	if (hw->pan && (!(sctlr_el1 & SCTLR_EL1_SPAN) || (old & PSR_PAN)))
		pstate |= PSR_PAN;
	if (hw->ssbs && (sctlr_el1 & SCTLR_EL1_DSSBS))
		pstate |= PSR_SSBS;
	if (hw->mte)
		pstate |= PSR_TCO;
	if (hw->nmi && !(sctlr_el1 & SCTLR_EL1_SPINTMASK))
		pstate |= PSR_ALLINT;
	/* UAO (FEAT_UAO), BTYPE (FEAT_BTI), IL and SS are cleared: not taken from @old. */
	return pstate;
}
