/*
 * The guest's virtual PSCI. The guest never reaches the firmware's PSCI: its
 * CPUs are vCPUs, and turning the machine off is the hypervisor's decision.
 */
#include "core/psci.h"
#include "core/vm.h"
#include "vcpu/vcpu.h"

static bool psci_function_supported(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_FEATURES:
	case PSCI_SYSTEM_OFF:
	case SMCCC_VERSION: /* PSCI_FEATURES(SMCCC_VERSION) announces SMCCC >= 1.1 */
		return true;
	default:
		return false;
	}
}

void psci_handle_call(struct vcpu *v, struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	switch (fid) {
	case PSCI_VERSION:
		r->a[0] = PSCI_VERSION_1_1;
		break;
	case PSCI_FEATURES:
		r->a[0] =
		    (uint64_t)(psci_function_supported((uint32_t)r->a[1]) ? PSCI_RET_SUCCESS
		                                                          : PSCI_RET_NOT_SUPPORTED);
		break;
	case PSCI_SYSTEM_OFF:
		vm_system_off(v->vm); /* returns only if the VM may not turn the machine off */
		r->a[0] = (uint64_t)PSCI_RET_DENIED;
		break;
	default:
		r->a[0] = (uint64_t)PSCI_RET_NOT_SUPPORTED;
		break;
	}
}
