/*
 * The GICv3 as its specification describes it, where the hypervisor had
 * shortcuts (checked by vCPU 0):
 *
 * - every redistributor comes out of reset asleep: GICR_WAKER reads
 *   ProcessorSleep | ChildrenAsleep until its CPU wakes it;
 * - Group 0 and Group 1 are apart (one security state, GICD_CTLR.DS = 1): a
 *   Group 0 SGI is delivered only with both its enables on (GICD_CTLR
 *   EnableGrp0, ICC_IGRPEN0_EL1), as a FIQ acknowledged through ICC_IAR0_EL1,
 *   never through ICC_IAR1_EL1;
 * - ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 generate Group 0 SGIs (they raised
 *   UNDEF), and an SGI its target has in Group 1 is not forwarded by them.
 */
#include "gicv3.h"
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"

#define GROUP_SGI    9  /* configured Group 0 */
#define GROUP1_SGI   10 /* stays Group 1 */
#define SGI_PRIORITY 0x80
#define WAKER_ASLEEP (GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP)

#define write_igrpen0(v) write_sysreg(s3_0_c12_c12_6, (v)) /* ICC_IGRPEN0_EL1 */
#define fiq_enable()     __asm__ volatile("msr daifclr, #1" : : : "memory")
#define fiq_disable()    __asm__ volatile("msr daifset, #1" : : : "memory")

/* Before any vCPU has touched its redistributor: every one reads asleep. */
void test_gicr_waker_reset(void)
{
	for (unsigned int n = 0; n < nr_vcpus; n++) {
		uint32_t waker = gic_read32(gicr_rd_base(n) + GICR_WAKER);

		if ((waker & WAKER_ASLEEP) != WAKER_ASLEEP) {
			fail("gicr-waker",
			     "redistributor %u: GICR_WAKER 0x%x out of reset, expected "
			     "ProcessorSleep and ChildrenAsleep (0x%x)",
			     n, waker, WAKER_ASLEEP);
			return;
		}
	}
	pass("gicr-waker");
}

static bool sgi_pending(unsigned int intid)
{
	return gic_read32(gicr_sgi_base(0) + GICR_ISPENDR0) & (1U << intid);
}

/* Unmask IRQs and FIQs for IRQ_SETTLE_MS, then mask them again. */
static void irq_fiq_window(void)
{
	fiq_enable();
	local_irq_enable();
	isb();
	timer_delay_ms(IRQ_SETTLE_MS);
	local_irq_disable();
	fiq_disable();
}

/* Nothing taken (IRQ or FIQ) since irq_log_reset(); SGI @intid reads @pending. */
static bool nothing_taken(const char *step, unsigned int intid, bool pending)
{
	char buf[64];

	if (irqs.count || irqs.fiqs) {
		fail("gicv3-groups", "%s: %u IRQ(s) (%s) and %u FIQ(s) taken, expected none", step,
		     irqs.count, irq_log_str(buf, sizeof(buf)), irqs.fiqs);
		return false;
	}
	if (sgi_pending(intid) != pending) {
		fail("gicv3-groups", "%s: SGI %u reads %spending in GICR_ISPENDR0", step, intid,
		     pending ? "not " : "");
		return false;
	}
	return true;
}

/* SGI @intid was taken once, as a FIQ (Group 0), and no IRQ. */
static bool taken_as_fiq(const char *step, unsigned int intid)
{
	char buf[64];

	if (irqs.fiqs == 1 && irqs.fiq_intid[0] == intid && !irqs.count && !sgi_pending(intid))
		return true;
	fail("gicv3-groups",
	     "%s: %u FIQ(s) (first INTID %u) and %u IRQ(s) (%s), expected SGI %u "
	     "once through ICC_IAR0_EL1",
	     step, irqs.fiqs, irqs.fiqs ? irqs.fiq_intid[0] : 0, irqs.count,
	     irq_log_str(buf, sizeof(buf)), intid);
	return false;
}

static bool groups_steps(uint64_t self)
{
	/* Group 0 disabled in the distributor and the CPU interface. */
	irq_log_reset();
	gicv3_send_sgi(self, GROUP_SGI); /* ICC_SGI1R_EL1 may raise a Group 0 SGI */
	irq_fiq_window();
	if (!nothing_taken("Group 0 SGI from ICC_SGI1R_EL1, Group 0 disabled", GROUP_SGI, true))
		return false;

	gic_write32(GICD_BASE + GICD_CTLR,
	            GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ARE_NS);
	irq_fiq_window();
	if (!nothing_taken("GICD_CTLR.EnableGrp0 set, ICC_IGRPEN0_EL1 still 0", GROUP_SGI, true))
		return false;

	write_igrpen0(1);
	isb();
	irq_fiq_window();
	if (!taken_as_fiq("both Group 0 enables set", GROUP_SGI))
		return false;

	for (unsigned int alt = 0; alt < 2; alt++) {
		const char *reg = alt ? "ICC_ASGI1R_EL1" : "ICC_SGI0R_EL1";

		irq_log_reset();
		gicv3_send_sgi0(self, GROUP_SGI, alt);
		irq_fiq_window();
		if (!taken_as_fiq(reg, GROUP_SGI))
			return false;
		/* A Group 1 SGI is not forwarded by the Group 0 generation registers. */
		irq_log_reset();
		gicv3_send_sgi0(self, GROUP1_SGI, alt);
		irq_fiq_window();
		if (!nothing_taken(alt ? "Group 1 SGI from ICC_ASGI1R_EL1"
		                       : "Group 1 SGI from ICC_SGI0R_EL1",
		                   GROUP1_SGI, false))
			return false;
	}
	return true;
}

void test_gicv3_groups(void)
{
	uint64_t self = read_sysreg(mpidr_el1);
	bool ok;

	for (unsigned int sgi = GROUP_SGI; sgi <= GROUP1_SGI; sgi++) {
		gicv3_private_set_priority(0, sgi, SGI_PRIORITY);
		gicv3_private_enable(0, sgi);
	}
	gic_write32(gicr_sgi_base(0) + GICR_IGROUPR0, ~(1U << GROUP_SGI));
	write_sysreg(s3_0_c12_c8_3, 0); /* ICC_BPR0_EL1: finest grouping */
	ok = groups_steps(self);
	/* Back to all Group 1, Group 0 off, nothing left pending. */
	write_igrpen0(0);
	isb();
	gic_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ENABLE_G1A | GICD_CTLR_ARE_NS);
	gic_write32(gicr_sgi_base(0) + GICR_ICPENDR0, (1U << GROUP_SGI) | (1U << GROUP1_SGI));
	gicv3_private_group1(0);
	if (ok)
		pass("gicv3-groups");
}
