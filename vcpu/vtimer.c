/*
 * The EL1 timers: the virtual timer (CNTV_*) and the EL1 physical timer
 * (CNTP_*). A vCPU owns its physical CPU, so both are the guest's own: it
 * programs them directly (CNTHCTL_EL2.EL1PCEN lets it reach CNTP_*), and
 * each timer's PPI, taken by the hypervisor (every physical interrupt comes
 * to EL2), is handed straight back as a hardware-linked virtual interrupt of
 * the same INTID: the guest's EOI deactivates the physical one, so the timer
 * can fire again without another trap.
 *
 * A timer's output is a level (Arm ARM D11.2.4: ISTATUS && ENABLE && !IMASK).
 * Once the hypervisor has taken the physical interrupt the GIC no longer
 * follows that level, so the vGIC samples it (vtimer_line_level) and drops
 * the virtual interrupt's pending state when the guest has disabled or
 * masked the timer, or moved its compare value into the future.
 */
#include "arch/arm64/sysregs.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"

#define CNT_CTL_ENABLE  BIT(0)
#define CNT_CTL_IMASK   BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

static unsigned int vtimer_virt_ppi, vtimer_phys_ppi;

void vtimer_init(unsigned int virt_ppi, unsigned int phys_ppi)
{
	vtimer_virt_ppi = virt_ppi;
	vtimer_phys_ppi = phys_ppi;
}

bool vtimer_owns_irq(uint32_t intid)
{
	return intid == vtimer_virt_ppi || intid == vtimer_phys_ppi;
}

/* The timer's interrupt output, from its control register as the guest left it. */
static bool vtimer_ctl_asserts(uint64_t ctl)
{
	return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) ==
	       (CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
}

/* The vGIC's sampler: runs on the vCPU's own CPU, whose timers are the guest's. */
static bool vtimer_line_level(uint32_t intid)
{
	uint64_t ctl =
	    intid == vtimer_virt_ppi ? READ_SYSREG(cntv_ctl_el0) : READ_SYSREG(cntp_ctl_el0);

	return vtimer_ctl_asserts(ctl);
}

static void vtimer_ppi_start(struct vcpu *v, unsigned int ppi)
{
	/* A timer interrupt of the vCPU's previous life may still be active: end it. */
	gic_deactivate(ppi);
	vgic_map_level(v, ppi, vtimer_line_level);
	gic_irq_enable(ppi);
}

static void vtimer_ppi_stop(unsigned int ppi)
{
	gic_irq_disable(ppi);
	gic_deactivate(ppi);
}

void vtimer_vcpu_start(struct vcpu *v)
{
	WRITE_SYSREG(0, cntv_ctl_el0);
	WRITE_SYSREG(0, cntp_ctl_el0);
	vtimer_ppi_start(v, vtimer_virt_ppi);
	vtimer_ppi_start(v, vtimer_phys_ppi);
}

void vtimer_vcpu_stop(struct vcpu *v)
{
	(void)v;
	WRITE_SYSREG(0, cntv_ctl_el0);
	WRITE_SYSREG(0, cntp_ctl_el0);
	vtimer_ppi_stop(vtimer_virt_ppi);
	vtimer_ppi_stop(vtimer_phys_ppi);
}

void vtimer_handle_irq(struct vcpu *v, uint32_t intid)
{
	if (v && vcpu_power_state(v) == VCPU_ON) {
		vgic_inject_hw(v, intid);
		return;
	}
	/* No running vCPU here: silence the timer rather than let it fire forever. */
	if (intid == vtimer_virt_ppi)
		WRITE_SYSREG(0, cntv_ctl_el0);
	else
		WRITE_SYSREG(0, cntp_ctl_el0);
	gic_deactivate(intid);
}
