/*
 * vCPU set-up and first entry. vCPUs are pinned 1:1 to physical CPUs, so a
 * vCPU's EL1 registers live in the CPU itself while it runs and are never
 * switched; only the EL2 controls that describe the VM are loaded here.
 */
#include "arch/arm64/cpu_state.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/traps.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/psci.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"

/* Traps and routing every guest of this hypervisor runs with. */
#define HCR_GUEST_FLAGS (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_RW)

struct vcpu *vcpu_create(struct vm *vm, unsigned int id, unsigned int pcpu)
{
	struct vcpu *v = hyp_alloc(sizeof(*v), 64);

	v->id = id;
	v->vm = vm;
	v->pcpu = pcpu;
	/* Uniprocessor bit clear, MT clear, one cluster: Aff0 = vCPU id. */
	v->vmpidr = BIT(31) | id;
	v->hcr = HCR_GUEST_FLAGS;
	v->power = VCPU_OFF;
	pcpus[pcpu].vcpu = v;
	v->power_lock = (spinlock_t)SPINLOCK_INIT;
	return v;
}

struct cpu_user_regs *guest_cpu_user_regs(void)
{
	return (struct cpu_user_regs *)(this_cpu()->stack_top - sizeof(struct cpu_user_regs));
}

/*
 * What @v gets of its CPU: decided on that CPU, whose ID registers are the
 * ones that count (the CPUs of a big.LITTLE system differ).
 */
static void vcpu_decide_features(struct vcpu *v)
{
	struct cpu_id_regs id;

	cpu_read_id_regs(&id);
	cpufeature_decide(&id, v->vm->vgic.version == 3, v->vm->s2.va_bits, &v->features);
	cpufeature_el2_controls(&v->features, &v->el2);
	v->hcr = HCR_GUEST_FLAGS | v->el2.hcr;
}

/* The EL2 controls that make this CPU run @v's VM. */
static void vcpu_load_el2_state(const struct vcpu *v)
{
	WRITE_SYSREG(vm_vtcr(), vtcr_el2);
	WRITE_SYSREG(v->vm->vttbr, vttbr_el2);
	WRITE_SYSREG(v->hcr, hcr_el2);
	WRITE_SYSREG(READ_SYSREG(midr_el1), vpidr_el2);
	WRITE_SYSREG(v->vmpidr, vmpidr_el2);
	WRITE_SYSREG(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, cnthctl_el2);
	WRITE_SYSREG(0, cntvoff_el2);
	cpu_load_guest_controls(&v->features, &v->el2);
	/* Whatever the firmware left in the TLBs for this VMID is not ours. */
	__asm__ volatile("tlbi vmalls12e1" : : : "memory");
	dsb(nsh);
	isb();
}

/*
 * EL1 as a CPU coming out of reset would have it (booting.rst: MMU off), with
 * every register the architecture leaves UNKNOWN at reset zeroed too: a
 * vCPU's previous life (or another guest) on this CPU must not show through
 * its exception, fault, address-translation or timer-compare registers.
 */
static void vcpu_reset_el1_state(void)
{
	WRITE_SYSREG(SCTLR_EL1_RESET, sctlr_el1);
	WRITE_SYSREG(0, elr_el1);
	WRITE_SYSREG(0, spsr_el1);
	WRITE_SYSREG(0, esr_el1);
	WRITE_SYSREG(0, far_el1);
	WRITE_SYSREG(0, par_el1);
	WRITE_SYSREG(0, afsr0_el1);
	WRITE_SYSREG(0, afsr1_el1);
	WRITE_SYSREG(0, amair_el1);
	WRITE_SYSREG(0, csselr_el1);
	WRITE_SYSREG(0, cntv_cval_el0);
	WRITE_SYSREG(0, cntp_cval_el0);
	WRITE_SYSREG(0, tcr_el1);
	WRITE_SYSREG(0, ttbr0_el1);
	WRITE_SYSREG(0, ttbr1_el1);
	WRITE_SYSREG(0, mair_el1);
	WRITE_SYSREG(0, vbar_el1);
	WRITE_SYSREG(0, cpacr_el1);
	WRITE_SYSREG(0, sp_el1);
	WRITE_SYSREG(0, sp_el0);
	WRITE_SYSREG(0, tpidr_el1);
	WRITE_SYSREG(0, tpidr_el0);
	WRITE_SYSREG(0, tpidrro_el0);
	WRITE_SYSREG(0, contextidr_el1);
	WRITE_SYSREG(0, cntkctl_el1);
	WRITE_SYSREG(0, cntv_ctl_el0);
	WRITE_SYSREG(0, cntp_ctl_el0);
	WRITE_SYSREG(0, mdscr_el1);
	isb();
}

void vcpu_start(struct vcpu *v, uint64_t entry, uint64_t x0)
{
	struct cpu_user_regs *regs = guest_cpu_user_regs();

	local_irq_disable();
	vcpu_decide_features(v);
	vcpu_load_el2_state(v);
	vcpu_reset_el1_state();
	cpu_reset_guest_state(&v->features); /* nothing from the CPU's previous guest */
	gic_vcpu_if_reset();
	vgic_cpu_reset(v);
	vtimer_vcpu_start(v);
	vpmu_vcpu_start(v);
	vcpu_fault_reset(&v->fault); /* a started vCPU has no fault history */
	traps_count_guest_exits(READ_ONCE(v->vm->counting));
	spin_lock(&v->power_lock);
	WRITE_ONCE(v->power, VCPU_ON);
	spin_unlock(&v->power_lock);

	memset(regs, 0, sizeof(*regs));
	regs->pc = entry;
	regs->cpsr = PSR_MODE_EL1h | PSR_DAIF;
	regs->x[0] = x0;
	enter_guest(regs);
}

/*
 * On @v's CPU: a vCPU that is on has exited to get here (the SGI that asked
 * is an exit), so its frame and EL1 registers are its own, as it left them.
 */
void vcpu_show_state(struct vcpu *v)
{
	enum vcpu_power power = vcpu_power_state(v);

	if (power != VCPU_ON) {
		printk("hyp: %s vcpu%u on CPU%u: %s\n", v->vm->name, v->id, v->pcpu,
		       power == VCPU_OFF ? "off" : "starting");
		return;
	}
	printk("hyp: %s vcpu%u on CPU%u:\n", v->vm->name, v->id, v->pcpu);
	show_guest_registers(guest_cpu_user_regs());
}

long vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context)
{
	long ret;

	spin_lock(&v->power_lock);
	switch (v->power) {
	case VCPU_OFF:
		v->on_entry = entry;
		v->on_context = context;
		WRITE_ONCE(v->power, VCPU_ON_PENDING);
		ret = PSCI_RET_SUCCESS;
		break;
	case VCPU_ON_PENDING:
		ret = PSCI_RET_ON_PENDING;
		break;
	default:
		ret = PSCI_RET_ALREADY_ON;
		break;
	}
	spin_unlock(&v->power_lock);
	if (ret == PSCI_RET_SUCCESS)
		gic_send_sgi(v->pcpu, SGI_KICK); /* wake its CPU from the idle loop */
	return ret;
}

void vcpu_request_stop(struct vcpu *v)
{
	__atomic_store_n(&v->stop_request, true, __ATOMIC_RELEASE);
	dsb(ish);
	if (v->pcpu != smp_processor_id())
		gic_send_sgi(v->pcpu, SGI_KICK);
}

/* Exactly one acknowledgement per request, whoever gets here first. */
static void vcpu_ack_stop(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->stop_request, false, __ATOMIC_ACQ_REL))
		vm_vcpu_stopped(v);
}

void vcpu_stop(struct vcpu *v)
{
	bool was_on;

	spin_lock(&v->power_lock);
	was_on = v->power == VCPU_ON;
	WRITE_ONCE(v->power, VCPU_OFF); /* a CPU_ON still pending is cancelled */
	spin_unlock(&v->power_lock);
	if (was_on) {
		vtimer_vcpu_stop(v);
		vpmu_vcpu_stop(v);
		vgic_cpu_off(v);
	}
	vcpu_ack_stop(v);
	vcpu_idle_loop(v);
}

void vcpu_power_off(struct vcpu *v)
{
	vtimer_vcpu_stop(v);
	vpmu_vcpu_stop(v);
	vgic_cpu_off(v); /* its list registers' interrupts go back to their targets */
	spin_lock(&v->power_lock);
	WRITE_ONCE(v->power, VCPU_OFF);
	spin_unlock(&v->power_lock);
	vcpu_idle_loop(v);
}

/*
 * The physical CPU of an off vCPU sleeps here. The state is checked with
 * interrupts masked, and WFI still wakes on a pending interrupt, so a CPU_ON's
 * kick cannot slip between the check and the sleep.
 */
void vcpu_idle_loop(struct vcpu *v)
{
	local_irq_disable();
	for (;;) {
		uint64_t entry, context;
		bool start = false;

		if (READ_ONCE(v->stop_request)) {
			spin_lock(&v->power_lock);
			WRITE_ONCE(v->power, VCPU_OFF); /* no pending CPU_ON survives a VM stop */
			spin_unlock(&v->power_lock);
			vcpu_ack_stop(v);
		}
		spin_lock(&v->power_lock);
		if (v->power == VCPU_ON_PENDING) {
			entry = v->on_entry;
			context = v->on_context;
			start = true;
		}
		spin_unlock(&v->power_lock);
		if (start)
			vcpu_start(v, entry, context);
		wfi();
		local_irq_enable(); /* take the kick (hyp_irq) */
		local_irq_disable();
	}
}
