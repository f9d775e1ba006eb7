/* The vendor-specific hypervisor service calls (see hypsvc.h). */
#include "core/hypsvc.h"
#include "core/vm.h"
#include "core/vm_stats.h"
#include "vcpu/vcpu.h"

static void hypsvc_doorbell(struct vcpu *v, struct smccc_regs *r)
{
	int rung = vm_doorbell_ring(v->vm, r->a[1]);

	if (rung < 0) {
		r->a[0] = SMCCC_RET_INVALID_PARAMETER;
		return;
	}
	r->a[0] = SMCCC_RET_SUCCESS;
	r->a[1] = (uint64_t)rung;
}

void hypsvc_call(struct vcpu *v, struct smccc_regs *r)
{
	switch ((uint32_t)r->a[0]) {
	case HYPSVC_UID:
		r->a[0] = HYPSVC_UID_0;
		r->a[1] = HYPSVC_UID_1;
		r->a[2] = HYPSVC_UID_2;
		r->a[3] = HYPSVC_UID_3;
		break;
	case HYPSVC_REVISION:
		r->a[0] = HYPSVC_REVISION_MAJOR;
		r->a[1] = HYPSVC_REVISION_MINOR;
		break;
	case HYPSVC_DOORBELL:
		hypsvc_doorbell(v, r);
		break;
	case HYPSVC_STATS:
		if (v->vm->cfg->stats) {
			vm_stats_print(v->vm);
			r->a[0] = SMCCC_RET_SUCCESS;
		} else {
			r->a[0] = SMCCC_RET_NOT_SUPPORTED; /* as if the call did not exist */
		}
		break;
	default:
		r->a[0] = SMCCC_RET_NOT_SUPPORTED;
		break;
	}
}
