/*
 * The virtual timer. The guest programs CNTV_* directly (EL1 owns them); the
 * timer's PPI is taken by the hypervisor (all physical interrupts come to EL2)
 * and handed straight back as a hardware-linked virtual interrupt, so the
 * guest's EOI deactivates the physical one and the timer can fire again
 * without another trap.
 */
#include "arch/arm64/sysregs.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"

static unsigned int vtimer_ppi;

void vtimer_init(unsigned int virt_ppi)
{
	vtimer_ppi = virt_ppi;
}

void vtimer_vcpu_start(struct vcpu *v)
{
	(void)v;
	WRITE_SYSREG(0, cntv_ctl_el0);
	/* A timer interrupt of the vCPU's previous life may still be active: end it. */
	gic_deactivate(vtimer_ppi);
	gic_irq_enable(vtimer_ppi);
}

void vtimer_vcpu_stop(struct vcpu *v)
{
	(void)v;
	WRITE_SYSREG(0, cntv_ctl_el0);
	gic_irq_disable(vtimer_ppi);
	gic_deactivate(vtimer_ppi);
}

void vtimer_handle_irq(struct vcpu *v)
{
	if (v && vcpu_power_state(v) == VCPU_ON) {
		vgic_inject_hw(v, vtimer_ppi);
		return;
	}
	/* No running vCPU here: silence the timer rather than let it fire forever. */
	WRITE_SYSREG(0, cntv_ctl_el0);
	gic_deactivate(vtimer_ppi);
}
