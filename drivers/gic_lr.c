/*
 * List register encodings (GICv3 ICH_LR<n>_EL2, GICv2 GICH_LR<n>): pure bit
 * packing, unit-tested on the host for both versions.
 */
#include "drivers/gic.h"

/* ICH_LR<n>_EL2 */
#define V3_LR_VINTID_MASK  0xffffffffUL
#define V3_LR_PINTID_SHIFT 32
#define V3_LR_PINTID_MASK  0x1fffUL
#define V3_LR_PRIO_SHIFT   48
#define V3_LR_EOI          BIT(41)
#define V3_LR_GROUP        BIT(60)
#define V3_LR_HW           BIT(61)
#define V3_LR_STATE_SHIFT  62

uint64_t gic_v3_lr_encode(const struct gic_lr *lr)
{
	uint64_t v = lr->virq & V3_LR_VINTID_MASK;

	v |= (uint64_t)lr->priority << V3_LR_PRIO_SHIFT;
	v |= (uint64_t)(lr->state & 3) << V3_LR_STATE_SHIFT;
	if (lr->group1)
		v |= V3_LR_GROUP;
	if (lr->hw)
		v |= V3_LR_HW | ((lr->pirq & V3_LR_PINTID_MASK) << V3_LR_PINTID_SHIFT);
	else if (lr->eoi_irq)
		v |= V3_LR_EOI;
	return v;
}

void gic_v3_lr_decode(uint64_t v, struct gic_lr *lr)
{
	lr->virq = (uint32_t)(v & V3_LR_VINTID_MASK);
	lr->priority = (uint8_t)(v >> V3_LR_PRIO_SHIFT);
	lr->state = (uint8_t)((v >> V3_LR_STATE_SHIFT) & 3);
	lr->group1 = v & V3_LR_GROUP;
	lr->hw = v & V3_LR_HW;
	lr->pirq = lr->hw ? (uint32_t)((v >> V3_LR_PINTID_SHIFT) & V3_LR_PINTID_MASK) : 0;
	lr->source = 0;
	lr->eoi_irq = !lr->hw && (v & V3_LR_EOI);
}

/* GICH_LR<n> (GICv2): priority is 5 bits, in the top of the 8-bit field. */
#define V2_LR_VIRQ_MASK   0x3ffU
#define V2_LR_PIRQ_SHIFT  10
#define V2_LR_PIRQ_MASK   0x3ffU
#define V2_LR_CPUID_SHIFT 10
#define V2_LR_CPUID_MASK  0x7U
#define V2_LR_EOI         BIT(19)
#define V2_LR_PRIO_SHIFT  23
#define V2_LR_STATE_SHIFT 28
#define V2_LR_GROUP1      BIT(30)
#define V2_LR_HW          BIT(31)

uint32_t gic_v2_lr_encode(const struct gic_lr *lr)
{
	uint32_t v = lr->virq & V2_LR_VIRQ_MASK;

	v |= (uint32_t)(lr->priority >> 3) << V2_LR_PRIO_SHIFT;
	v |= (uint32_t)(lr->state & 3) << V2_LR_STATE_SHIFT;
	if (lr->group1)
		v |= V2_LR_GROUP1;
	if (lr->hw)
		v |= V2_LR_HW | ((lr->pirq & V2_LR_PIRQ_MASK) << V2_LR_PIRQ_SHIFT);
	else if (lr->virq < GIC_NR_SGIS)
		v |= (uint32_t)(lr->source & V2_LR_CPUID_MASK) << V2_LR_CPUID_SHIFT;
	if (!lr->hw && lr->eoi_irq)
		v |= V2_LR_EOI;
	return v;
}

void gic_v2_lr_decode(uint32_t v, struct gic_lr *lr)
{
	lr->virq = v & V2_LR_VIRQ_MASK;
	lr->priority = (uint8_t)(((v >> V2_LR_PRIO_SHIFT) & 0x1f) << 3);
	lr->state = (uint8_t)((v >> V2_LR_STATE_SHIFT) & 3);
	lr->group1 = v & V2_LR_GROUP1;
	lr->hw = v & V2_LR_HW;
	lr->pirq = lr->hw ? (v >> V2_LR_PIRQ_SHIFT) & V2_LR_PIRQ_MASK : 0;
	lr->source = (!lr->hw && lr->virq < GIC_NR_SGIS)
	                 ? (uint8_t)((v >> V2_LR_CPUID_SHIFT) & V2_LR_CPUID_MASK)
	                 : 0;
	lr->eoi_irq = !lr->hw && (v & V2_LR_EOI);
}
