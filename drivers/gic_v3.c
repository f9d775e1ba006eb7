/*
 * GICv3 backend: distributor and redistributors by MMIO, the CPU interface and
 * the virtual CPU interface (ICH_*) by system registers.
 *
 * EOImode is 1: writing EOIR only drops the running priority, and an interrupt
 * stays active until DIR (or the guest's EOI of a hardware-linked list
 * register) deactivates it. That is what lets a device's interrupt be handed
 * to a guest without the hypervisor seeing it again before the guest is done.
 */
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "drivers/gic_ops.h"

#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ICPENDR    0x0280
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0c00
#define GICD_IROUTER    0x6000
#define GICD_CTLR_RWP   BIT(31)
#define GICD_CTLR_ARE   BIT(4)
#define GICD_CTLR_G1A   BIT(1)
#define GICD_CTLR_G1    BIT(0)

#define GICR_TYPER           0x0008
#define GICR_WAKER           0x0014
#define GICR_TYPER_LAST      BIT(4)
#define GICR_TYPER_VLPIS     BIT(1)
#define GICR_WAKER_SLEEP     BIT(1)
#define GICR_WAKER_ASLEEP    BIT(2)
#define GICR_SGI_BASE        0x10000
#define GICR_FRAME_SIZE      0x20000
#define GICR_FRAME_SIZE_VLPI 0x40000

#define ICC_SRE_SRE      BIT(0)
#define ICC_SRE_DFB      BIT(1)
#define ICC_SRE_DIB      BIT(2)
#define ICC_SRE_ENABLE   BIT(3)
#define ICC_CTLR_EOIMODE BIT(1)

#define ICH_HCR_EN  BIT(0)
#define ICH_HCR_UIE BIT(1)

#define HYP_IRQ_PRIORITY 0xa0

static uintptr_t gicd;
static uintptr_t gicr_base;
static uint64_t gicr_size;
static unsigned int nr_irqs;
static unsigned int maint_irq;
static uintptr_t this_gicr[NR_CPUS];

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline uint64_t rd64(uintptr_t a)
{
	return *(volatile uint64_t *)a;
}

static inline void wr64(uintptr_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

static void gicd_wait_rwp(void)
{
	while (rd32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		cpu_relax();
}

static void gic_v3_init(const struct dt_gic *dt)
{
	gicd = dt->gicd.base;
	gicr_base = dt->gicr.base;
	gicr_size = dt->gicr.size;
	maint_irq = dt->maint_irq;
	mmu_map_device(dt->gicd.base, dt->gicd.size);
	mmu_map_device(dt->gicr.base, dt->gicr.size);

	nr_irqs = MIN(32 * ((rd32(gicd + GICD_TYPER) & 0x1f) + 1), 1020u);
	wr32(gicd + GICD_CTLR, 0);
	gicd_wait_rwp();
	/* Every SPI: non-secure group 1, disabled, inactive, idle, to the boot CPU. */
	for (unsigned int i = 32; i < nr_irqs; i += 32) {
		wr32(gicd + GICD_IGROUPR + i / 8, ~0u);
		wr32(gicd + GICD_ICENABLER + i / 8, ~0u);
		wr32(gicd + GICD_ICPENDR + i / 8, ~0u);
		wr32(gicd + GICD_ICACTIVER + i / 8, ~0u);
	}
	for (unsigned int i = 32; i < nr_irqs; i += 4)
		wr32(gicd + GICD_IPRIORITYR + i, 0x01010101u * HYP_IRQ_PRIORITY);
	for (unsigned int i = 32; i < nr_irqs; i++)
		wr64(gicd + GICD_IROUTER + 8 * i, READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK);
	gicd_wait_rwp();
	wr32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_G1A | GICD_CTLR_G1);
	gicd_wait_rwp();
}

/* Find this CPU's redistributor: the frame whose GICR_TYPER names our affinity. */
static uintptr_t gicr_find_own_frame(void)
{
	uint64_t mpidr = READ_SYSREG(mpidr_el1);
	uint64_t aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);

	for (uintptr_t f = gicr_base; f < gicr_base + gicr_size;) {
		uint64_t typer = rd64(f + GICR_TYPER);

		if ((typer >> 32) == aff)
			return f;
		if (typer & GICR_TYPER_LAST)
			break;
		f += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_SIZE_VLPI : GICR_FRAME_SIZE;
	}
	panic("no GICv3 redistributor for MPIDR 0x%lx", mpidr);
}

static void gicr_wake(uintptr_t rd)
{
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		cpu_relax();
}

static void gic_v3_cpu_init(void)
{
	uintptr_t rd = gicr_find_own_frame();
	uintptr_t sgi = rd + GICR_SGI_BASE;

	this_gicr[smp_processor_id()] = rd;
	gicr_wake(rd);
	/* SGIs and PPIs: group 1; only the kick SGI and the maintenance PPI enabled. */
	wr32(sgi + GICD_IGROUPR, ~0u);
	wr32(sgi + GICD_ICENABLER, ~0u);
	wr32(sgi + GICD_ICPENDR, ~0u);
	wr32(sgi + GICD_ICACTIVER, ~0u);
	for (unsigned int i = 0; i < 32; i += 4)
		wr32(sgi + GICD_IPRIORITYR + i, 0x01010101u * HYP_IRQ_PRIORITY);
	wr32(sgi + GICD_ISENABLER,
	     (1u << SGI_KICK) | (1u << SGI_HALT) | (maint_irq ? 1u << maint_irq : 0));

	WRITE_SYSREG(ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE, icc_sre_el2);
	isb();
	WRITE_SYSREG(0xff, icc_pmr_el1);
	WRITE_SYSREG(0, icc_bpr1_el1);
	WRITE_SYSREG(ICC_CTLR_EOIMODE, icc_ctlr_el1);
	WRITE_SYSREG(1, icc_igrpen1_el1);
	isb();

	gic_v3_ops.vcpu_if_reset();
	WRITE_SYSREG(ICH_HCR_EN, ich_hcr_el2);
	isb();
}

/* Group 1 off for this CPU, and no virtual interrupts: nothing reaches the core. */
static void gic_v3_cpu_quiesce(void)
{
	WRITE_SYSREG(0, icc_igrpen1_el1);
	WRITE_SYSREG(0, ich_hcr_el2);
	isb();
}

static uint32_t gic_v3_ack(void)
{
	uint32_t intid = (uint32_t)READ_SYSREG(icc_iar1_el1) & 0xffffff;

	dsb(sy);
	return intid;
}

static void gic_v3_eoi(uint32_t intid)
{
	WRITE_SYSREG(intid, icc_eoir1_el1);
	isb();
}

static void gic_v3_deactivate(uint32_t intid)
{
	WRITE_SYSREG(intid, icc_dir_el1);
	isb();
}

static void gic_v3_irq_enable(uint32_t intid, bool on)
{
	uintptr_t base = intid < 32 ? this_gicr[smp_processor_id()] + GICR_SGI_BASE : gicd;
	unsigned int reg = on ? GICD_ISENABLER : GICD_ICENABLER;

	wr32(base + reg + (intid / 32) * 4, 1u << (intid % 32));
	if (intid >= 32)
		gicd_wait_rwp();
}

static void gic_v3_spi_route(uint32_t intid, uint64_t mpidr, unsigned int pcpu)
{
	(void)pcpu;
	wr64(gicd + GICD_IROUTER + 8 * intid, mpidr & MPIDR_AFF_MASK);
}

static void gic_v3_send_sgi(uint64_t mpidr, unsigned int pcpu, unsigned int sgi)
{
	uint64_t v = ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
	             ((mpidr >> 8) & 0xff) << 16 | (uint64_t)(sgi & 0xf) << 24 |
	             (1UL << (mpidr & 0xf));

	(void)pcpu;
	dsb(ishst); /* whatever the target is kicked about must be visible first */
	WRITE_SYSREG(v, icc_sgi1r_el1);
	isb();
}

static unsigned int gic_v3_nr_lrs(void)
{
	return (unsigned int)(READ_SYSREG(ich_vtr_el2) & 0x1f) + 1;
}

#define LR_CASE(n, stmt) \
	case n:          \
		stmt;    \
		break

static uint64_t ich_lr_read(unsigned int i)
{
	uint64_t v = 0;

	switch (i) {
		LR_CASE(0, v = READ_SYSREG(ich_lr0_el2));
		LR_CASE(1, v = READ_SYSREG(ich_lr1_el2));
		LR_CASE(2, v = READ_SYSREG(ich_lr2_el2));
		LR_CASE(3, v = READ_SYSREG(ich_lr3_el2));
		LR_CASE(4, v = READ_SYSREG(ich_lr4_el2));
		LR_CASE(5, v = READ_SYSREG(ich_lr5_el2));
		LR_CASE(6, v = READ_SYSREG(ich_lr6_el2));
		LR_CASE(7, v = READ_SYSREG(ich_lr7_el2));
		LR_CASE(8, v = READ_SYSREG(ich_lr8_el2));
		LR_CASE(9, v = READ_SYSREG(ich_lr9_el2));
		LR_CASE(10, v = READ_SYSREG(ich_lr10_el2));
		LR_CASE(11, v = READ_SYSREG(ich_lr11_el2));
		LR_CASE(12, v = READ_SYSREG(ich_lr12_el2));
		LR_CASE(13, v = READ_SYSREG(ich_lr13_el2));
		LR_CASE(14, v = READ_SYSREG(ich_lr14_el2));
		LR_CASE(15, v = READ_SYSREG(ich_lr15_el2));
	}
	return v;
}

static void ich_lr_write(unsigned int i, uint64_t v)
{
	switch (i) {
		LR_CASE(0, WRITE_SYSREG(v, ich_lr0_el2));
		LR_CASE(1, WRITE_SYSREG(v, ich_lr1_el2));
		LR_CASE(2, WRITE_SYSREG(v, ich_lr2_el2));
		LR_CASE(3, WRITE_SYSREG(v, ich_lr3_el2));
		LR_CASE(4, WRITE_SYSREG(v, ich_lr4_el2));
		LR_CASE(5, WRITE_SYSREG(v, ich_lr5_el2));
		LR_CASE(6, WRITE_SYSREG(v, ich_lr6_el2));
		LR_CASE(7, WRITE_SYSREG(v, ich_lr7_el2));
		LR_CASE(8, WRITE_SYSREG(v, ich_lr8_el2));
		LR_CASE(9, WRITE_SYSREG(v, ich_lr9_el2));
		LR_CASE(10, WRITE_SYSREG(v, ich_lr10_el2));
		LR_CASE(11, WRITE_SYSREG(v, ich_lr11_el2));
		LR_CASE(12, WRITE_SYSREG(v, ich_lr12_el2));
		LR_CASE(13, WRITE_SYSREG(v, ich_lr13_el2));
		LR_CASE(14, WRITE_SYSREG(v, ich_lr14_el2));
		LR_CASE(15, WRITE_SYSREG(v, ich_lr15_el2));
	}
}

static void gic_v3_read_lr(unsigned int i, struct gic_lr *lr)
{
	gic_v3_lr_decode(ich_lr_read(i), lr);
}

static void gic_v3_write_lr(unsigned int i, const struct gic_lr *lr)
{
	ich_lr_write(i, gic_v3_lr_encode(lr));
}

static void gic_v3_set_underflow_irq(bool on)
{
	/*
	 * Underflow only: it fires once at most one list register is still valid.
	 * NPIE ("no pending") would fire at once, forever, when every register
	 * holds an active interrupt the guest is still handling.
	 */
	uint64_t hcr = READ_SYSREG(ich_hcr_el2) & ~ICH_HCR_UIE;

	WRITE_SYSREG(hcr | (on ? ICH_HCR_UIE : 0), ich_hcr_el2);
}

static uint32_t gic_v3_empty_lrs(void)
{
	return (uint32_t)READ_SYSREG(ich_elrsr_el2);
}

static void gic_v3_vcpu_if_reset(void)
{
	for (unsigned int i = 0; i < gic_v3_nr_lrs(); i++)
		ich_lr_write(i, 0);
	WRITE_SYSREG(0, ich_vmcr_el2);
	WRITE_SYSREG(0, ich_ap0r0_el2);
	WRITE_SYSREG(0, ich_ap1r0_el2);
	isb();
}

const struct gic_ops gic_v3_ops = {
    .version = 3,
    .init = gic_v3_init,
    .cpu_init = gic_v3_cpu_init,
    .cpu_quiesce = gic_v3_cpu_quiesce,
    .ack = gic_v3_ack,
    .eoi = gic_v3_eoi,
    .deactivate = gic_v3_deactivate,
    .irq_enable = gic_v3_irq_enable,
    .spi_route = gic_v3_spi_route,
    .send_sgi = gic_v3_send_sgi,
    .nr_lrs = gic_v3_nr_lrs,
    .read_lr = gic_v3_read_lr,
    .write_lr = gic_v3_write_lr,
    .empty_lrs = gic_v3_empty_lrs,
    .set_underflow_irq = gic_v3_set_underflow_irq,
    .vcpu_if_reset = gic_v3_vcpu_if_reset,
};
