/* Minimal GICv3 driver for the test guests (see gicv3.h). */
#include "gicv3.h"
#include "sysreg.h"
#include "timer.h"

/* ICC_SGI1R_EL1 fields. */
#define ICC_SGI1R_TARGET_LIST(aff0) (1UL << ((aff0) % 16))
#define ICC_SGI1R_AFF1(mpidr)       ((((mpidr) >> 8) & 0xffUL) << 16)
#define ICC_SGI1R_INTID(intid)      (((unsigned long)(intid)&0xf) << 24)
#define ICC_SGI1R_AFF2(mpidr)       ((((mpidr) >> 16) & 0xffUL) << 32)
#define ICC_SGI1R_RS(aff0)          (((unsigned long)(aff0) / 16) << 44)
#define ICC_SGI1R_AFF3(mpidr)       ((((mpidr) >> 32) & 0xffUL) << 48)

bool gicv3_enable_sre(void)
{
	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | ICC_SRE_EL1_SRE);
	isb(); /* the ICC_* accesses that follow depend on it */
	return read_sysreg(icc_sre_el1) & ICC_SRE_EL1_SRE;
}

void gicv3_dist_enable(void)
{
	gic_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ENABLE_G1A | GICD_CTLR_ARE_NS);
}

bool gicv3_redist_wake(unsigned int cpu, unsigned int timeout_ms)
{
	unsigned long waker = gicr_rd_base(cpu) + GICR_WAKER;
	uint64_t deadline = timer_now() + timer_ms_to_ticks(timeout_ms);

	gic_write32(waker, gic_read32(waker) & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (gic_read32(waker) & GICR_WAKER_CHILDREN_ASLEEP) {
		if (timer_now() >= deadline)
			return false;
	}
	return true;
}

void gicv3_private_group1(unsigned int cpu)
{
	gic_write32(gicr_sgi_base(cpu) + GICR_IGROUPR0, ~0U);
}

void gicv3_private_set_priority(unsigned int cpu, unsigned int intid, uint8_t priority)
{
	/* One byte per interrupt; byte writes are allowed on IPRIORITYR. */
	gic_write8(gicr_sgi_base(cpu) + GICR_IPRIORITYR + intid, priority);
}

void gicv3_private_enable(unsigned int cpu, unsigned int intid)
{
	/* Write-1-to-set: other interrupts' enables are left alone. */
	gic_write32(gicr_sgi_base(cpu) + GICR_ISENABLER0, 1U << intid);
}

void gicv3_private_disable(unsigned int cpu, unsigned int intid)
{
	gic_write32(gicr_sgi_base(cpu) + GICR_ICENABLER0, 1U << intid);
}

void gicv3_cpu_if_enable(void)
{
	write_sysreg(icc_pmr_el1, GIC_PRIORITY_LOWEST);
	/* Finest grouping; the GIC may round it up to its minimum. */
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

uint64_t gicv3_sgir_value(uint64_t mpidr, unsigned int intid)
{
	unsigned long aff0 = mpidr & 0xff;

	return ICC_SGI1R_AFF3(mpidr) | ICC_SGI1R_RS(aff0) | ICC_SGI1R_AFF2(mpidr) |
	       ICC_SGI1R_INTID(intid) | ICC_SGI1R_AFF1(mpidr) | ICC_SGI1R_TARGET_LIST(aff0);
}

void gicv3_send_sgi(uint64_t mpidr, unsigned int intid)
{
	write_sysreg(icc_sgi1r_el1, gicv3_sgir_value(mpidr, intid));
	isb(); /* send it now, not whenever the write gets done */
}

void gicv3_send_sgi0(uint64_t mpidr, unsigned int intid, bool alt)
{
	if (alt)
		write_sysreg(s3_0_c12_c11_6, gicv3_sgir_value(mpidr, intid)); /* ICC_ASGI1R_EL1 */
	else
		write_sysreg(s3_0_c12_c11_7, gicv3_sgir_value(mpidr, intid)); /* ICC_SGI0R_EL1 */
	isb();
}

void gicv3_handle_fiqs(void (*handle)(unsigned int intid))
{
	for (;;) {
		unsigned int intid = read_sysreg(s3_0_c12_c8_0) & 0xffffff; /* ICC_IAR0_EL1 */

		if (intid >= GIC_INTID_SPECIAL)
			break;
		handle(intid);
		write_sysreg(s3_0_c12_c8_1, intid); /* ICC_EOIR0_EL1 */
		isb();
	}
}

void gicv3_handle_irqs(void (*handle)(unsigned int intid))
{
	for (;;) {
		unsigned int intid = read_sysreg(icc_iar1_el1) & 0xffffff;

		if (intid >= GIC_INTID_SPECIAL)
			break;
		handle(intid);
		write_sysreg(icc_eoir1_el1, intid);
		isb();
	}
}
