/*
 * SMCCC dispatch for guest calls. Each owner range has its own function; what
 * a VM may reach beyond PSCI and the architecture calls is its configuration's
 * business (configs/), never a default.
 */
#include "core/psci.h"
#include "core/smccc.h"

static bool smccc_arch_feature_supported(uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return true;
	default:
		return false;
	}
}

static void smccc_arch_call(struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	switch (fid) {
	case SMCCC_VERSION:
		r->a[0] = SMCCC_VERSION_1_1;
		break;
	case SMCCC_ARCH_FEATURES:
		r->a[0] = smccc_arch_feature_supported((uint32_t)r->a[1]) ? SMCCC_RET_SUCCESS
		                                                          : SMCCC_RET_NOT_SUPPORTED;
		break;
	default:
		r->a[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}

void smccc_handle_call(struct vcpu *v, enum smccc_conduit conduit, struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	(void)conduit;
	if (!(fid & SMCCC_FAST_CALL)) {
		/* Yielding calls are a trusted-OS matter; no VM is given one yet. */
		r->a[0] = SMCCC_RET_NOT_SUPPORTED;
		return;
	}
	switch (SMCCC_OWNER(fid)) {
	case SMCCC_OWNER_ARCH:
		smccc_arch_call(r);
		break;
	case SMCCC_OWNER_STANDARD:
		psci_handle_call(v, r);
		break;
	default:
		r->a[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}
