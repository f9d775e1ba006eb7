/*
 * SMCCC 1.1 dispatch for guest calls, by owner. PSCI and the Arm architecture
 * calls are answered here, over HVC and SMC alike. Any other SMC goes to EL3
 * only if the VM's configuration allows that owner range (the secure world is
 * never exposed by default); any other HVC is ours, and unknown.
 */
#include "core/psci.h"
#include "core/hypsvc.h"
#include "core/smccc.h"
#include "core/vm.h"
#include "vcpu/vcpu.h"

static bool smccc_is_workaround(uint32_t fid)
{
	return fid == SMCCC_ARCH_WORKAROUND_1 || fid == SMCCC_ARCH_WORKAROUND_2 ||
	       fid == SMCCC_ARCH_WORKAROUND_3;
}

/*
 * ARCH_FEATURES: what the guest may call. For the Spectre workarounds the
 * answer is EL3's (they protect against what runs there), as reported at boot.
 */
static uint64_t smccc_arch_features(uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return SMCCC_RET_SUCCESS;
	case SMCCC_ARCH_WORKAROUND_1:
	case SMCCC_ARCH_WORKAROUND_2:
	case SMCCC_ARCH_WORKAROUND_3:
		return (uint64_t)firmware_arch_feature(fid);
	default:
		return SMCCC_RET_NOT_SUPPORTED;
	}
}

static void smccc_arch_call(struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	if (fid == SMCCC_VERSION) {
		r->a[0] = SMCCC_VERSION_1_1;
	} else if (fid == SMCCC_ARCH_FEATURES) {
		r->a[0] = smccc_arch_features((uint32_t)r->a[1]);
	} else if (smccc_is_workaround(fid) && firmware_arch_feature(fid) >= 0) {
		/* The mitigation itself runs in EL3. */
		firmware_smc(r);
	} else {
		r->a[0] = SMCCC_RET_NOT_SUPPORTED;
	}
}

bool smccc_owner_forwarded(uint64_t owners, uint32_t fid)
{
	return owners & (1UL << SMCCC_OWNER(fid));
}

static void smccc_forward_or_refuse(struct vcpu *v, enum smccc_conduit conduit,
                                    struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	if (conduit == SMCCC_CONDUIT_SMC && firmware_present() &&
	    smccc_owner_forwarded(v->vm->cfg->smc_forward_owners, fid)) {
		firmware_smc(r);
		return;
	}
	r->a[0] = SMCCC_RET_NOT_SUPPORTED;
}

void smccc_handle_call(struct vcpu *v, enum smccc_conduit conduit, struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	/* SMCCC: the function ID is W0; bits 63:32 of X0 are not part of it. */
	r->a[0] = fid;
	if (!(fid & SMCCC_FAST_CALL)) {
		/* Yielding calls belong to a Trusted OS: forwarded only where allowed. */
		smccc_forward_or_refuse(v, conduit, r);
		return;
	}
	switch (SMCCC_OWNER(fid)) {
	case SMCCC_OWNER_ARCH:
		smccc_arch_call(r);
		break;
	case SMCCC_OWNER_STANDARD:
		if (SMCCC_NUMBER(fid) <= PSCI_FN_MAX)
			psci_handle_call(v, r);
		else
			r->a[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	case SMCCC_OWNER_VENDOR_HYP:
		/* Ours, over either conduit: never EL3's. */
		hypsvc_call(v, r);
		break;
	default:
		smccc_forward_or_refuse(v, conduit, r);
		break;
	}
}
