/* Minimal GICv2 driver for the test guests (see gicv2.h). */
#include "gicv2.h"
#include "sysreg.h"

void gicv2_enable(void)
{
	gic_write32(GICD_BASE + GICD_CTLR, 1); /* EnableGrp0 */
	gic_write32(GICC_BASE + GICC_PMR, 0xf0);
	gic_write32(GICC_BASE + GICC_BPR, 0);
	gic_write32(GICC_BASE + GICC_CTLR, 1); /* EnableGrp0, FIQEn clear: IRQs */
}

void gicv2_handle_irqs(void (*handle)(unsigned int intid, unsigned int source))
{
	for (;;) {
		uint32_t iar = gic_read32(GICC_BASE + GICC_IAR);

		if (GICC_IAR_INTID(iar) >= GIC_INTID_SPECIAL)
			break;
		handle(GICC_IAR_INTID(iar), GICC_IAR_SOURCE(iar));
		gic_write32(GICC_BASE + GICC_EOIR, iar); /* with its source, as the GIC wants */
	}
}
