/*
 * The adversary's own use of its interrupt controller, GICv3 (distributor and
 * redistributors by MMIO, CPU interface by ICC system registers) or GICv2
 * (distributor, and the CPU interface the hypervisor maps at GICC), with the
 * addresses from the DT. gic_init_cpu() is also the re-initialisation after
 * the MMIO storm: it sets every register it relies on.
 */
#include "adv.h"
#include "sysreg.h"
#include "timer.h"

#define GICD_CTLR       0x0000
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ICPENDR    0x0280
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IGROUPR    0x0080
#define GICD_SGIR       0x0f00
#define GICR_WAKER      0x0014
#define GICR_SGI        0x10000
#define GICR_STRIDE     0x20000
#define GICC_CTLR       0x0000
#define GICC_PMR        0x0004
#define GICC_BPR        0x0008
#define GICC_IAR        0x000c
#define GICC_EOIR       0x0010

#define VTIMER_INTID 27
#define PTIMER_INTID 30
#define TIMEOUT_MS   200

static inline void w32(uint64_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static inline uint32_t r32(uint64_t a)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void w8(uint64_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static uint64_t gicr_sgi(unsigned int cpu)
{
	return plat.gicr + cpu * GICR_STRIDE + GICR_SGI;
}

void gic_init_cpu(struct adv_cpu *c, bool distributor)
{
	unsigned int n = c->id;

	if (plat.gic_version == 3) {
		uint64_t waker = plat.gicr + n * GICR_STRIDE + GICR_WAKER;
		uint64_t deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);

		write_sysreg(s3_0_c12_c12_5, read_sysreg(s3_0_c12_c12_5) | 1); /* ICC_SRE_EL1.SRE */
		isb();
		if (distributor)
			w32(plat.gicd + GICD_CTLR, (1U << 1) | (1U << 4)); /* EnableGrp1A, ARE_NS */
		w32(waker, r32(waker) & ~(1U << 1));
		while ((r32(waker) & (1U << 2)) && timer_now() < deadline)
			;
		w32(gicr_sgi(n) + 0x180, ~0U); /* ICENABLER0 */
		w32(gicr_sgi(n) + 0x280, ~0U); /* ICPENDR0 */
		w32(gicr_sgi(n) + 0x380, ~0U); /* ICACTIVER0 */
		w32(gicr_sgi(n) + GICD_IGROUPR, ~0U);
		for (unsigned int i = 0; i < 32; i += 4)
			w32(gicr_sgi(n) + GICD_IPRIORITYR + i, 0xa0a0a0a0U);
		w32(gicr_sgi(n) + 0x100,
		    0xffffU | (1U << VTIMER_INTID) | (1U << PTIMER_INTID)); /* ISENABLER0 */
		write_sysreg(s3_0_c4_c6_0, 0xff);                           /* ICC_PMR_EL1 */
		write_sysreg(s3_0_c12_c12_3, 0);                            /* ICC_BPR1_EL1 */
		write_sysreg(s3_0_c12_c12_4, 0); /* ICC_CTLR_EL1: EOImode 0 */
		write_sysreg(s3_0_c12_c12_7, 1); /* ICC_IGRPEN1_EL1 */
		isb();
	} else {
		if (distributor)
			w32(plat.gicd + GICD_CTLR, 1);
		w32(plat.gicd + GICD_ICENABLER, ~0U); /* banked: SGIs and PPIs */
		w32(plat.gicd + GICD_ICPENDR, ~0U);
		w32(plat.gicd + GICD_ICACTIVER, ~0U);
		/* Group 0, the group GICC_CTLR = 1 enables: the storm may have moved them. */
		w32(plat.gicd + GICD_IGROUPR, 0);
		for (unsigned int i = 0; i < 32; i += 4)
			w32(plat.gicd + GICD_IPRIORITYR + i, 0xa0a0a0a0U);
		w32(plat.gicd + GICD_ISENABLER,
		    0xffffU | (1U << VTIMER_INTID) | (1U << PTIMER_INTID));
		w32(plat.gicc + GICC_PMR, 0xf0);
		w32(plat.gicc + GICC_BPR, 0);
		w32(plat.gicc + GICC_CTLR, 1);
	}
}

/* The distributor's own state back to quiet: every SPI disabled, not pending, not active. */
void gic_quiesce(void)
{
	for (unsigned int i = 4; i < 128; i += 4) {
		w32(plat.gicd + GICD_ICENABLER + i, ~0U);
		w32(plat.gicd + GICD_ICPENDR + i, ~0U);
		w32(plat.gicd + GICD_ICACTIVER + i, ~0U);
	}
}

void gic_send_sgi_to(unsigned int target, unsigned int intid)
{
	if (plat.gic_version == 3) {
		uint64_t mpidr = vcpu_mpidr(target);
		uint64_t v = (1UL << (mpidr & 0xf)) | ((uint64_t)(intid & 0xf) << 24) |
		             (((mpidr >> 8) & 0xff) << 16) | (((mpidr >> 16) & 0xff) << 32) |
		             (((mpidr >> 32) & 0xff) << 48) | (((mpidr & 0xff) >> 4) << 44);

		write_sysreg(s3_0_c12_c11_5, v); /* ICC_SGI1R_EL1 */
		isb();
	} else {
		w32(plat.gicd + GICD_SGIR, (1U << (16 + target)) | (intid & 0xf));
	}
}

void gic_send_sgi_self(struct adv_cpu *c, unsigned int intid)
{
	gic_send_sgi_to(c->id, intid);
}

static void record_irq(struct adv_cpu *c, unsigned int intid)
{
	if (intid == VTIMER_INTID) {
		write_sysreg(cntv_ctl_el0, 0); /* a level: stop it before the EOI */
		isb();
	}
	if (intid == PTIMER_INTID) {
		write_sysreg(cntp_ctl_el0, 0);
		isb();
	}
	if (intid < ARRAY_SIZE(c->irqs))
		c->irqs[intid]++;
	c->irqs_total++;
}

void gic_handle_irqs(struct adv_cpu *c)
{
	for (unsigned int budget = 0; budget < 64; budget++) {
		uint32_t iar, intid;

		if (plat.gic_version == 3) {
			iar = (uint32_t)read_sysreg(s3_0_c12_c12_0); /* ICC_IAR1_EL1 */
			intid = iar & 0xffffff;
		} else {
			iar = r32(plat.gicc + GICC_IAR);
			intid = iar & 0x3ff;
		}
		if (intid >= 1020 && intid <= 1023)
			return;
		record_irq(c, intid);
		if (plat.gic_version == 3) {
			write_sysreg(s3_0_c12_c12_1, iar); /* ICC_EOIR1_EL1 */
			isb();
		} else {
			w32(plat.gicc + GICC_EOIR, iar);
		}
	}
}

/* Unmask IRQs until irqs[intid] grows past @before, or the timeout. */
static bool wait_irq(struct adv_cpu *c, unsigned int intid, uint64_t before)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);
	bool got;

	local_irq_enable();
	isb();
	while (c->irqs[intid] == before && timer_now() < deadline)
		;
	local_irq_disable();
	got = c->irqs[intid] != before;
	return got;
}

bool gic_check_sgi_self(struct adv_cpu *c, unsigned int intid)
{
	uint64_t before = c->irqs[intid];

	gic_send_sgi_self(c, intid);
	return wait_irq(c, intid, before);
}

/* The virtual (or, @phys, the EL1 physical) timer fires, whatever the storm did to it. */
bool gic_check_timer(struct adv_cpu *c, bool phys)
{
	unsigned int intid = phys ? PTIMER_INTID : VTIMER_INTID;
	uint64_t before = c->irqs[intid], cval = timer_now() + timer_ms_to_ticks(1);

	if (phys) {
		write_sysreg(cntp_cval_el0, cval);
		write_sysreg(cntp_ctl_el0, 1);
	} else {
		write_sysreg(cntv_cval_el0, cval);
		write_sysreg(cntv_ctl_el0, 1);
	}
	isb();
	return wait_irq(c, intid, before);
}
