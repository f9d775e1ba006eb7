/*
 * The guest's virtual PSCI 1.1. The guest never reaches the firmware's PSCI:
 * its CPUs are vCPUs, and turning the machine off or resetting it is the
 * hypervisor's decision (vm_system_off/reset: the machine's for the VM that
 * owns it, that VM's alone for any other). Both SMC32 and SMC64 forms are accepted, over HVC and
 * SMC.
 */
#include "core/printf.h"
#include "core/psci.h"
#include "core/vm.h"
#include "vcpu/vcpu.h"

#define PSCI_MIGRATE_INFO_TYPE_NOT_PRESENT 2 /* no Trusted OS needing migration */

/*
 * power_state in the original format (DEN0022 5.4.2: PSCI_FEATURES says so):
 * StateID 15:0, StateType 16, PowerLevel 25:24; every other bit is reserved.
 */
#define PSCI_POWER_STATE_VALID (0xffffU | (1U << 16) | (3U << 24))

/* An SMC32 call passes 32-bit arguments: ignore whatever is above. */
static uint64_t psci_arg(const struct smccc_regs *r, unsigned int n)
{
	uint32_t fid = (uint32_t)r->a[0];

	return (fid & SMCCC_64BIT) ? r->a[n] : (uint32_t)r->a[n];
}

static bool psci_trace;

void psci_set_trace(bool on)
{
	psci_trace = on;
}

const char *psci_ret_name(long ret)
{
	static const char *const names[] = {
	    "SUCCESS",    "NOT_SUPPORTED",    "INVALID_PARAMETERS", "DENIED",   "ALREADY_ON",
	    "ON_PENDING", "INTERNAL_FAILURE", "NOT_PRESENT",        "DISABLED", "INVALID_ADDRESS",
	};

	return ret <= 0 && -ret < (long)ARRAY_SIZE(names) ? names[-ret] : "?";
}

static void psci_trace_cpu_on(const struct vcpu *v, const struct smccc_regs *r, long ret)
{
	if (psci_trace)
		printk("hyp: %s vcpu%u: PSCI CPU_ON(0x%lx, 0x%lx, 0x%lx) = %ld (%s)\n", v->vm->name,
		       v->id, psci_arg(r, 1), psci_arg(r, 2), psci_arg(r, 3), ret,
		       psci_ret_name(ret));
}

static bool psci_is_implemented(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
	case PSCI_SYSTEM_RESET2_64:
	case PSCI_FEATURES:
	case SMCCC_VERSION: /* PSCI_FEATURES(SMCCC_VERSION) announces SMCCC >= 1.1 */
		return true;
	default:
		return false;
	}
}

static long psci_cpu_on(struct vcpu *caller, uint64_t target_mpidr, uint64_t entry,
                        uint64_t context)
{
	struct vm *vm = caller->vm;
	struct vcpu *target = vm_vcpu_by_mpidr(vm, target_mpidr);

	if (!target)
		return PSCI_RET_INVALID_PARAMETERS;
	if (!vm_ipa_is_ram(vm, entry, 4) || (entry & 3))
		return PSCI_RET_INVALID_ADDRESS;
	return vcpu_power_on(target, entry, context);
}

/* Affinity fields of an MPIDR at and above @level (0-3). */
static uint64_t psci_affinity_mask(unsigned int level)
{
	static const uint64_t masks[] = {
	    0xff00ffffffUL, /* Aff3..Aff0 */
	    0xff00ffff00UL, /* Aff3..Aff1 */
	    0xff00ff0000UL, /* Aff3..Aff2 */
	    0xff00000000UL, /* Aff3 */
	};
	return masks[level];
}

static long psci_affinity_info(struct vcpu *caller, uint64_t target, uint32_t level)
{
	struct vm *vm = caller->vm;
	bool found = false, pending = false;
	uint64_t mask;

	if (level > 3)
		return PSCI_RET_INVALID_PARAMETERS;
	mask = psci_affinity_mask((unsigned int)level);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if ((v->vmpidr & mask) != (target & mask))
			continue;
		found = true;
		switch (vcpu_power_state(v)) {
		case VCPU_ON:
			return VCPU_ON;
		case VCPU_ON_PENDING:
			pending = true;
			break;
		default:
			break;
		}
	}
	if (!found)
		return PSCI_RET_INVALID_PARAMETERS;
	return pending ? VCPU_ON_PENDING : VCPU_OFF;
}

/*
 * power_state is 32 bits in both forms (only the entry point and context are
 * 64-bit in SMC64). A valid one is treated as standby: the vCPU returns at
 * once, as if woken by an interrupt; its state is untouched, which every
 * power state allows.
 */
static long psci_cpu_suspend(uint32_t power_state)
{
	if (power_state & ~PSCI_POWER_STATE_VALID)
		return PSCI_RET_INVALID_PARAMETERS;
	return PSCI_RET_SUCCESS;
}

static long psci_system_reset2(struct vcpu *v, uint32_t type)
{
	/*
	 * reset_type is 32 bits in both forms (DEN0022: uint32 reset_type; only
	 * the cookie is 64-bit in SMC64), so bits 63:32 of x1 are ignored. Only
	 * the architectural warm reset (0); vendor resets (bit 31) are not offered.
	 */
	if (type != 0)
		return PSCI_RET_INVALID_PARAMETERS;
	vm_system_reset(v); /* does not return */
}

void psci_handle_call(struct vcpu *v, struct smccc_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];
	long ret;

	switch (fid) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_1;
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_64:
		ret = psci_cpu_suspend((uint32_t)r->a[1]);
		break;
	case PSCI_CPU_OFF:
		if (psci_trace)
			printk("hyp: %s vcpu%u: PSCI CPU_OFF\n", v->vm->name, v->id);
		vcpu_power_off(v); /* does not return */
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(v, psci_arg(r, 1), psci_arg(r, 2), psci_arg(r, 3));
		psci_trace_cpu_on(v, r, ret);
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_64:
		/* lowest_affinity_level is uint32 in the SMC64 form too (DEN0022). */
		ret = psci_affinity_info(v, psci_arg(r, 1), (uint32_t)r->a[2]);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = PSCI_MIGRATE_INFO_TYPE_NOT_PRESENT;
		break;
	case PSCI_SYSTEM_OFF:
		vm_system_off(v); /* the machine's, or this VM's alone: does not return */
	case PSCI_SYSTEM_RESET:
		vm_system_reset(v); /* does not return */
	case PSCI_SYSTEM_RESET2:
	case PSCI_SYSTEM_RESET2_64:
		ret = psci_system_reset2(v, (uint32_t)r->a[1]);
		break;
	case PSCI_FEATURES:
		/* CPU_SUSPEND's feature flags are 0: original power_state format. */
		ret = psci_is_implemented((uint32_t)r->a[1]) ? PSCI_RET_SUCCESS
		                                             : PSCI_RET_NOT_SUPPORTED;
		break;
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	r->a[0] = (uint64_t)ret;
}
