/*
 * The test guest's GIC, whichever version the hypervisor gave it (its
 * ID_AA64PFR0_EL1.GIC field says whether the GICv3 system registers exist):
 * the checks that hold for both use these, for the calling vCPU's private
 * interrupts.
 */
#include "gicv2.h"
#include "gicv3.h"
#include "sysreg.h"
#include "testguest.h"

static bool v3;

unsigned int tg_cpu(void)
{
	return mpidr_aff0(read_sysreg(mpidr_el1));
}

/* The calling secondary vCPU's CPU interface (vCPU 0's is set up by main.c). */
bool tg_gic_cpu_setup(void)
{
	if (!v3) {
		gicv2_enable();
		return true;
	}
	if (!gicv3_enable_sre() || !gicv3_redist_wake(tg_cpu(), TIMEOUT_MS))
		return false;
	gicv3_private_group1(tg_cpu());
	gicv3_cpu_if_enable();
	return true;
}

bool tg_gic_is_v3(void)
{
	return v3;
}

bool tg_gic_detect(void)
{
	v3 = ((read_sysreg(s3_0_c0_c4_0) >> 24) & 0xf) != 0; /* ID_AA64PFR0_EL1.GIC */
	return v3;
}

void tg_gic_set_priority(unsigned int intid, uint8_t priority)
{
	if (v3)
		gicv3_private_set_priority(tg_cpu(), intid, priority);
	else
		gic_write8(GICD_BASE + GICD_IPRIORITYR + intid, priority);
}

void tg_gic_enable(unsigned int intid)
{
	if (v3)
		gicv3_private_enable(tg_cpu(), intid);
	else
		gic_write32(GICD_BASE + GICD_ISENABLER, 1U << intid);
}

void tg_gic_disable(unsigned int intid)
{
	if (v3)
		gicv3_private_disable(tg_cpu(), intid);
	else
		gic_write32(GICD_BASE + GICD_ICENABLER, 1U << intid);
}

bool tg_gic_pending(unsigned int intid)
{
	unsigned long reg = v3 ? gicr_sgi_base(tg_cpu()) + GICR_ISPENDR0 : GICD_BASE + GICD_ISPENDR;

	return gic_read32(reg) & (1U << intid);
}

const char *tg_gic_pend_reg(void)
{
	return v3 ? "GICR_ISPENDR0" : "GICD_ISPENDR0";
}

void tg_gic_sgi_self(unsigned int intid)
{
	if (v3) {
		gicv3_send_sgi(read_sysreg(mpidr_el1), intid);
	} else {
		gic_write32(GICD_BASE + GICD_SGIR, GICD_SGIR_SELF | intid);
		dsb(sy);
	}
}

static void (*v2_handler)(unsigned int intid);

static void v2_record(unsigned int intid, unsigned int source)
{
	if (irqs.count < IRQ_LOG_MAX)
		irqs.source[irqs.count] = (uint8_t)source;
	v2_handler(intid);
}

void tg_gic_handle_irqs(void (*handle)(unsigned int intid))
{
	if (v3) {
		gicv3_handle_irqs(handle);
	} else {
		v2_handler = handle;
		gicv2_handle_irqs(v2_record);
	}
}
