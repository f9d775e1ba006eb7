/*
 * The PMU's overflow interrupt. The PMU is the guest's own (arch/arm64/pmu.c
 * keeps it out of EL2), and so is its interrupt, a PPI: taken by the
 * hypervisor like every physical interrupt and handed straight back
 * hardware-linked, as the timers are. Its output is a level, the Arm ARM's
 * PMU interrupt request: an overflow flag set (PMOVSSET_EL0) whose interrupt
 * is enabled (PMINTENSET_EL1); the vGIC samples it, so clearing the
 * overflow ends the interrupt's pending state.
 */
#include "arch/arm64/sysregs.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"

static unsigned int vpmu_ppi;

void vpmu_init(unsigned int ppi)
{
	vpmu_ppi = ppi;
}

bool vpmu_owns_irq(uint32_t intid)
{
	return vpmu_ppi && intid == vpmu_ppi;
}

/* The vGIC's sampler: on the vCPU's own CPU, whose PMU is the guest's. */
static bool vpmu_line_level(uint32_t intid)
{
	(void)intid;
	return (READ_SYSREG(pmovsset_el0) & READ_SYSREG(pmintenset_el1)) != 0;
}

void vpmu_vcpu_start(struct vcpu *v)
{
	if (!vpmu_ppi || !v->features.pmu)
		return;
	/* An overflow interrupt of the vCPU's previous life may still be active: end it. */
	gic_deactivate(vpmu_ppi);
	vgic_map_level(v, vpmu_ppi, vpmu_line_level);
	gic_irq_enable(vpmu_ppi);
}

void vpmu_vcpu_stop(struct vcpu *v)
{
	if (!vpmu_ppi || !v->features.pmu)
		return;
	gic_irq_disable(vpmu_ppi);
	gic_deactivate(vpmu_ppi);
}

void vpmu_handle_irq(struct vcpu *v, uint32_t intid)
{
	if (v && vcpu_power_state(v) == VCPU_ON && v->features.pmu) {
		vgic_inject_hw(v, intid);
		return;
	}
	/* No running vCPU here: keep the line from firing forever. */
	gic_irq_disable(intid);
	gic_deactivate(intid);
}
