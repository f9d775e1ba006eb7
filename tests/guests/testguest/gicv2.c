/*
 * The GICv2 distributor as its specification describes it (checked by vCPU 0
 * on a GICv2 VM):
 *
 * - an SGI is pending per source CPU: GICD_SPENDSGIRn sets a source's
 *   pending state, GICD_CPENDSGIRn clears it, and each pending source is
 *   delivered once, its CPU ID in GICC_IAR;
 * - the SGI bits of GICD_ISPENDR0 and GICD_ICPENDR0 are read-only;
 * - an SPI whose GICD_ITARGETSRn byte is 0 is forwarded to no CPU interface,
 *   until a target is set.
 */
#include "gicv2.h"
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"

#define SOURCES_SGI  3
#define PENDBITS_SGI 4
#define SGI_PRIORITY 0x80
#define NOTARGET_SPI 100 /* an SPI nothing is wired to */

/* The SPENDSGIR/CPENDSGIR byte of SGI @intid, for vCPU 0. */
static unsigned long sgi_pend_byte(unsigned long reg, unsigned int intid)
{
	return GICD_BASE + reg + intid;
}

static uint8_t read_sgi_sources(unsigned int intid)
{
	return (uint8_t)(gic_read32(GICD_BASE + GICD_SPENDSGIR + (intid & ~3U)) >>
	                 (8 * (intid & 3)));
}

/* The sources the log shows for SGI @intid, as a mask; false if another INTID came. */
static bool logged_sources(unsigned int intid, uint8_t *mask, bool *twice)
{
	*mask = 0;
	*twice = false;
	for (unsigned int i = 0; i < irqs.count && i < IRQ_LOG_MAX; i++) {
		if (irqs.intid[i] != intid)
			return false;
		*twice |= *mask & (1U << irqs.source[i]);
		*mask |= (uint8_t)(1U << irqs.source[i]);
	}
	return true;
}

void test_gicv2_sgi_sources(void)
{
	/* Up to three sources, the VM's own CPU interfaces (there may be only 2). */
	unsigned int n = nr_vcpus < 3 ? nr_vcpus : 3;
	uint8_t all = (uint8_t)((1U << n) - 1), top = (uint8_t)(1U << (n - 1));
	uint8_t mid = (uint8_t)(1U << (n - 2)), got = 0, pend;
	bool twice;

	tg_gic_set_priority(SOURCES_SGI, SGI_PRIORITY);
	tg_gic_enable(SOURCES_SGI);
	irq_log_reset();
	/* Pending from CPUs 0 to n - 1 at once: n interrupts. */
	gic_write8(sgi_pend_byte(GICD_SPENDSGIR, SOURCES_SGI), all);
	pend = read_sgi_sources(SOURCES_SGI);
	irq_wait(n, IRQ_TIMEOUT_MS);
	if (pend != all || !logged_sources(SOURCES_SGI, &got, &twice) || got != all || twice ||
	    irqs.count != n) {
		fail("gicv2-sgi-sources",
		     "GICD_SPENDSGIR set sources 0x%02x of SGI %u: read back "
		     "0x%x, %u interrupt(s) from sources 0x%x",
		     all, SOURCES_SGI, pend, irqs.count, got);
		return;
	}
	/* The two highest sources set, the lower one cleared by GICD_CPENDSGIR: one comes. */
	irq_log_reset();
	gic_write8(sgi_pend_byte(GICD_SPENDSGIR, SOURCES_SGI), top | mid);
	gic_write8(sgi_pend_byte(GICD_CPENDSGIR, SOURCES_SGI), mid);
	pend = read_sgi_sources(SOURCES_SGI);
	irq_wait(1, IRQ_TIMEOUT_MS);
	if (pend != top || irqs.count != 1 || irqs.intid[0] != SOURCES_SGI ||
	    irqs.source[0] != n - 1) {
		fail("gicv2-sgi-sources",
		     "after GICD_CPENDSGIR cleared source %u: read 0x%x, "
		     "%u interrupt(s), the first from source %u",
		     n - 2, pend, irqs.count, irqs.count ? irqs.source[0] : 0);
		return;
	}
	pass("gicv2-sgi-sources");
}

void test_gicv2_sgi_pend_bits(void)
{
	const uint32_t bit = 1U << PENDBITS_SGI;

	tg_gic_set_priority(PENDBITS_SGI, SGI_PRIORITY);
	tg_gic_enable(PENDBITS_SGI);
	irq_log_reset();
	gic_write32(GICD_BASE + GICD_ISPENDR, bit);
	if (tg_gic_pending(PENDBITS_SGI)) {
		gic_write8(sgi_pend_byte(GICD_CPENDSGIR, PENDBITS_SGI), 0xff);
		fail("gicv2-sgi-pend-bits", "a write of GICD_ISPENDR0 made SGI %u pending",
		     PENDBITS_SGI);
		return;
	}
	tg_gic_sgi_self(PENDBITS_SGI);
	gic_write32(GICD_BASE + GICD_ICPENDR, bit);
	if (!tg_gic_pending(PENDBITS_SGI)) {
		fail("gicv2-sgi-pend-bits", "a write of GICD_ICPENDR0 cleared SGI %u",
		     PENDBITS_SGI);
		return;
	}
	irq_wait(1, IRQ_TIMEOUT_MS);
	if (irqs.count != 1 || irqs.intid[0] != PENDBITS_SGI) {
		fail("gicv2-sgi-pend-bits", "SGI %u sent to itself: %u interrupt(s)", PENDBITS_SGI,
		     irqs.count);
		return;
	}
	pass("gicv2-sgi-pend-bits");
}

void test_gicv2_no_target(void)
{
	unsigned long pend = GICD_BASE + GICD_ISPENDR + 4 * (NOTARGET_SPI / 32);
	uint32_t bit = 1U << (NOTARGET_SPI % 32);

	gic_write8(GICD_BASE + GICD_IPRIORITYR + NOTARGET_SPI, SGI_PRIORITY);
	gic_write8(GICD_BASE + GICD_ITARGETSR + NOTARGET_SPI, 0);
	gic_write32(GICD_BASE + GICD_ISENABLER + 4 * (NOTARGET_SPI / 32), bit);
	irq_log_reset();
	gic_write32(pend, bit);
	irq_wait(1, IRQ_SETTLE_MS);
	if (irqs.count || !(gic_read32(pend) & bit)) {
		fail("gicv2-no-target",
		     "SPI %u with GICD_ITARGETSR 0: %u interrupt(s) taken, "
		     "pending %d",
		     NOTARGET_SPI, irqs.count, (gic_read32(pend) & bit) != 0);
		gic_write32(GICD_BASE + GICD_ICPENDR + 4 * (NOTARGET_SPI / 32), bit);
		return;
	}
	gic_write8(GICD_BASE + GICD_ITARGETSR + NOTARGET_SPI, 0x01);
	irq_wait(1, IRQ_TIMEOUT_MS);
	if (irqs.count != 1 || irqs.intid[0] != NOTARGET_SPI) {
		fail("gicv2-no-target", "SPI %u once targeted at CPU 0: %u interrupt(s)",
		     NOTARGET_SPI, irqs.count);
		return;
	}
	gic_write32(GICD_BASE + GICD_ICENABLER + 4 * (NOTARGET_SPI / 32), bit);
	pass("gicv2-no-target");
}
