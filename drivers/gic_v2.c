/*
 * GICv2 (GIC-400) backend: distributor, CPU interface (GICC) and virtual
 * interface control (GICH), all by MMIO. The guest's CPU interface is the
 * hardware's GICV frame, mapped at its GICC address by stage 2.
 *
 * As on GICv3, EOImode is 1: EOIR drops the priority, DIR (or the guest's
 * EOI of a hardware-linked list register) deactivates.
 *
 * QEMU's GICv2 model (GICD_IIDR 0x43b) has a flaw: when a guest's EOI of a
 * hardware-linked list register deactivates the physical interrupt, the
 * model re-evaluates only the virtual interface, not the physical one. A
 * level interrupt that rose again while it was active (a timer the guest
 * re-armed to expire at once) is then pending and enabled but not signalled
 * until some other GIC event; a vCPU idle in WFI sleeps through its own timer.
 * On that model a hardware-linked list register is written as a software one
 * that asks for a maintenance interrupt on EOI, and the driver deactivates
 * the physical interrupt itself (GICC_DIR, which the model does follow) when
 * it finds that register completed. The vGIC sees the semantics of a
 * hardware-linked register either way.
 */
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "drivers/gic_ops.h"

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ICPENDR    0x280
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00

#define GICC_CTLR            0x0000
#define GICC_PMR             0x0004
#define GICC_BPR             0x0008
#define GICC_IAR             0x000c
#define GICC_EOIR            0x0010
#define GICC_DIR             0x1000
#define GICC_CTLR_ENABLE     (BIT(0) | BIT(1))
#define GICC_CTLR_BYPASS_DIS (0xfu << 5)
#define GICC_CTLR_EOIMODE    BIT(9)

#define GICH_HCR         0x000
#define GICH_VTR         0x004
#define GICH_VMCR        0x008
#define GICH_EISR0       0x020
#define GICH_ELRSR0      0x030
#define GICH_APR         0x0f0
#define GICH_LR0         0x100
#define GICH_HCR_EN      BIT(0)
#define GICH_LR_STATE(v) (((v) >> 28) & 3)
#define GICH_HCR_UIE     BIT(1)

#define HYP_IRQ_PRIORITY 0xa0

#define QEMU_GICV2_IIDR 0x0000043bu /* ARM's JEP106 code, product and revision 0 */
#define GICV2_MAX_LRS   64

static uintptr_t gicd, gicc, gich;
static unsigned int nr_irqs;
static unsigned int maint_irq;
/* Per physical CPU: its CPU interface number, as a GICD_ITARGETSR/SGIR mask. */
static uint8_t cpu_if_mask[NR_CPUS];
/* Per physical CPU: the last GICC_IAR value (an SGI's EOI must name its source too). */
static uint32_t last_iar[NR_CPUS];
/*
 * QEMU's model: hardware-linked list registers are emulated (see the top of
 * this file). Per physical CPU, the registers holding one, and its physical INTID.
 */
static bool hw_lr_emulated;
static uint64_t emulated_hw_lrs[NR_CPUS];
static uint16_t emulated_hw_pirq[NR_CPUS][GICV2_MAX_LRS];

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline void wr8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static void gic_v2_init(const struct dt_gic *dt)
{
	if (!dt->gich.size || !dt->gicv.size)
		panic("GICv2 without GICH/GICV frames in the DT: no virtualization support");
	gicd = dt->gicd.base;
	gicc = dt->gicc.base;
	gich = dt->gich.base;
	maint_irq = dt->maint_irq;
	mmu_map_device(dt->gicd.base, dt->gicd.size);
	mmu_map_device(dt->gicc.base, dt->gicc.size);
	mmu_map_device(dt->gich.base, dt->gich.size);

	nr_irqs = MIN(32 * ((rd32(gicd + GICD_TYPER) & 0x1f) + 1), 1020u);
	hw_lr_emulated = rd32(gicd + GICD_IIDR) == QEMU_GICV2_IIDR;
	if (hw_lr_emulated)
		printk("hyp: GIC: QEMU's GICv2 model: the hypervisor ends the physical "
		       "interrupt of a hardware-linked one when the guest's EOI reaches it\n");
	wr32(gicd + GICD_CTLR, 0);
	/* Every SPI: disabled, inactive, idle, to the boot CPU (its mask: ITARGETSR0 is banked). */
	for (unsigned int i = 32; i < nr_irqs; i += 32) {
		wr32(gicd + GICD_ICENABLER + i / 8, ~0u);
		wr32(gicd + GICD_ICPENDR + i / 8, ~0u);
		wr32(gicd + GICD_ICACTIVER + i / 8, ~0u);
	}
	for (unsigned int i = 32; i < nr_irqs; i += 4) {
		wr32(gicd + GICD_IPRIORITYR + i, 0x01010101u * HYP_IRQ_PRIORITY);
		wr32(gicd + GICD_ITARGETSR + i, 0x01010101u * (rd32(gicd + GICD_ITARGETSR) & 0xff));
	}
	wr32(gicd + GICD_CTLR, 1);
}

static void gic_v2_cpu_init(void)
{
	unsigned int cpu = smp_processor_id();

	/* The low byte of the banked ITARGETSR0 is this CPU's own interface mask. */
	cpu_if_mask[cpu] = (uint8_t)(rd32(gicd + GICD_ITARGETSR) & 0xff);
	wr32(gicd + GICD_ICENABLER, ~0u);
	wr32(gicd + GICD_ICPENDR, ~0u);
	wr32(gicd + GICD_ICACTIVER, ~0u);
	for (unsigned int i = 0; i < 32; i += 4)
		wr32(gicd + GICD_IPRIORITYR + i, 0x01010101u * HYP_IRQ_PRIORITY);
	wr32(gicd + GICD_ISENABLER,
	     (1u << SGI_KICK) | (1u << SGI_HALT) | (maint_irq ? 1u << maint_irq : 0));

	wr32(gicc + GICC_PMR, 0xff);
	wr32(gicc + GICC_BPR, 0);
	wr32(gicc + GICC_CTLR, GICC_CTLR_ENABLE | GICC_CTLR_BYPASS_DIS | GICC_CTLR_EOIMODE);

	gic_v2_ops.vcpu_if_reset();
	wr32(gich + GICH_HCR, GICH_HCR_EN);
}

/* This CPU's interface and its virtual interface off: nothing reaches the core. */
static void gic_v2_cpu_quiesce(void)
{
	wr32(gicc + GICC_CTLR, 0);
	wr32(gich + GICH_HCR, 0);
}

static uint32_t gic_v2_ack(void)
{
	uint32_t iar = rd32(gicc + GICC_IAR);

	last_iar[smp_processor_id()] = iar;
	return iar & 0x3ff;
}

/* An SGI is ended with the source CPU its IAR named; others with the INTID alone. */
static uint32_t gic_v2_iar_of(uint32_t intid)
{
	uint32_t iar = last_iar[smp_processor_id()];

	return (iar & 0x3ff) == intid ? iar : intid;
}

static void gic_v2_eoi(uint32_t intid)
{
	wr32(gicc + GICC_EOIR, gic_v2_iar_of(intid));
}

static void gic_v2_deactivate(uint32_t intid)
{
	wr32(gicc + GICC_DIR, gic_v2_iar_of(intid));
}

static void gic_v2_irq_enable(uint32_t intid, bool on)
{
	wr32(gicd + (on ? GICD_ISENABLER : GICD_ICENABLER) + (intid / 32) * 4, 1u << (intid % 32));
}

static void gic_v2_spi_route(uint32_t intid, uint64_t mpidr, unsigned int pcpu)
{
	(void)mpidr;
	wr8(gicd + GICD_ITARGETSR + intid, cpu_if_mask[pcpu]);
}

static void gic_v2_send_sgi(uint64_t mpidr, unsigned int pcpu, unsigned int sgi)
{
	(void)mpidr;
	dsb(ishst); /* whatever the target is kicked about must be visible first */
	wr32(gicd + GICD_SGIR, ((uint32_t)cpu_if_mask[pcpu] << 16) | (sgi & 0xf));
}

static unsigned int gic_v2_nr_lrs(void)
{
	return (rd32(gich + GICH_VTR) & 0x3f) + 1;
}

/*
 * QEMU's model: list register @i held an emulated hardware-linked interrupt.
 * If the guest has completed it, end the physical interrupt and empty the
 * register (its EOI maintenance request goes with it). Returns whether it did.
 */
static bool gic_v2_emulated_hw_lr_done(unsigned int cpu, unsigned int i, uint32_t v)
{
	if (!(emulated_hw_lrs[cpu] & (1ull << i)) || GICH_LR_STATE(v))
		return false;
	emulated_hw_lrs[cpu] &= ~(1ull << i);
	wr32(gich + GICH_LR0 + 4 * i, 0);
	wr32(gicc + GICC_DIR, emulated_hw_pirq[cpu][i]);
	return true;
}

/*
 * The maintenance interrupt: on QEMU's model, end the emulated hardware-linked
 * interrupts the guest has completed (their EOI raised it) here, before the
 * vGIC folds the list registers under its lock, which then finds them empty.
 */
static void gic_v2_maintenance(void)
{
	unsigned int cpu = smp_processor_id();
	uint64_t done;

	if (!emulated_hw_lrs[cpu])
		return;
	done = rd32(gich + GICH_EISR0) | (uint64_t)rd32(gich + GICH_EISR0 + 4) << 32;
	for (done &= emulated_hw_lrs[cpu]; done; done &= done - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(done);

		gic_v2_emulated_hw_lr_done(cpu, i, rd32(gich + GICH_LR0 + 4 * i));
	}
}

static void gic_v2_read_lr(unsigned int i, struct gic_lr *lr)
{
	unsigned int cpu = smp_processor_id();
	uint32_t v = rd32(gich + GICH_LR0 + 4 * i);
	bool emulated = emulated_hw_lrs[cpu] & (1ull << i);

	gic_v2_emulated_hw_lr_done(cpu, i, v);
	gic_v2_lr_decode(v, lr);
	if (emulated) { /* as the vGIC wrote it */
		lr->hw = true;
		lr->pirq = emulated_hw_pirq[cpu][i];
		lr->eoi_irq = false;
	}
}

static void gic_v2_write_lr(unsigned int i, const struct gic_lr *lr)
{
	unsigned int cpu = smp_processor_id();
	struct gic_lr sw = *lr;

	if (!hw_lr_emulated) {
		wr32(gich + GICH_LR0 + 4 * i, gic_v2_lr_encode(lr));
		return;
	}
	/* A completed one being replaced still ends its physical interrupt. */
	if (emulated_hw_lrs[cpu] & (1ull << i))
		gic_v2_emulated_hw_lr_done(cpu, i, rd32(gich + GICH_LR0 + 4 * i));
	emulated_hw_lrs[cpu] &= ~(1ull << i);
	if (lr->hw && lr->state) {
		sw.hw = false;
		sw.eoi_irq = true;
		emulated_hw_pirq[cpu][i] = (uint16_t)lr->pirq;
		emulated_hw_lrs[cpu] |= 1ull << i;
	}
	wr32(gich + GICH_LR0 + 4 * i, gic_v2_lr_encode(&sw));
}

/*
 * On QEMU's model, an emulated hardware-linked register never counts as
 * empty: completed, it still owes its physical interrupt's deactivation,
 * which reading it (gic_v2_read_lr) or the maintenance interrupt does.
 */
static uint32_t gic_v2_empty_lrs(void)
{
	return rd32(gich + GICH_ELRSR0) & ~(uint32_t)emulated_hw_lrs[smp_processor_id()];
}

static void gic_v2_set_underflow_irq(bool on)
{
	uint32_t hcr = rd32(gich + GICH_HCR) & ~GICH_HCR_UIE;

	wr32(gich + GICH_HCR, hcr | (on ? GICH_HCR_UIE : 0));
}

static void gic_v2_vcpu_if_reset(void)
{
	unsigned int cpu = smp_processor_id();

	for (unsigned int i = 0; i < gic_v2_nr_lrs(); i++) {
		if (emulated_hw_lrs[cpu] & (1ull << i))
			gic_v2_emulated_hw_lr_done(cpu, i, rd32(gich + GICH_LR0 + 4 * i));
		wr32(gich + GICH_LR0 + 4 * i, 0);
	}
	emulated_hw_lrs[cpu] = 0;
	wr32(gich + GICH_APR, 0);
	wr32(gich + GICH_VMCR, 0);
}

const struct gic_ops gic_v2_ops = {
    .version = 2,
    .init = gic_v2_init,
    .cpu_init = gic_v2_cpu_init,
    .cpu_quiesce = gic_v2_cpu_quiesce,
    .ack = gic_v2_ack,
    .eoi = gic_v2_eoi,
    .deactivate = gic_v2_deactivate,
    .irq_enable = gic_v2_irq_enable,
    .spi_route = gic_v2_spi_route,
    .send_sgi = gic_v2_send_sgi,
    .nr_lrs = gic_v2_nr_lrs,
    .read_lr = gic_v2_read_lr,
    .write_lr = gic_v2_write_lr,
    .empty_lrs = gic_v2_empty_lrs,
    .set_underflow_irq = gic_v2_set_underflow_irq,
    .vcpu_if_reset = gic_v2_vcpu_if_reset,
    .maintenance = gic_v2_maintenance,
};
