/*
 * Minimal GICv3 driver for the test guests: the distributor and
 * redistributors through MMIO, the CPU interface through the ICC_* system
 * registers. Only what the guests use: group 1 non-secure interrupts,
 * affinity routing, SGIs and PPIs of the calling CPU.
 */
#ifndef GUEST_GICV3_H
#define GUEST_GICV3_H

#include <stdbool.h>
#include <stdint.h>

/* QEMU virt's layout, which the hypervisor gives its guests too. */
#ifndef GICD_BASE
#define GICD_BASE 0x08000000UL
#endif
#ifndef GICR_BASE
#define GICR_BASE 0x080a0000UL
#endif
#define GICR_STRIDE     0x20000UL /* RD frame, then SGI frame */
#define GICR_SGI_OFFSET 0x10000UL

#define GIC_NR_SGIS         16
#define GIC_NR_PRIVATE      32
#define GIC_INTID_SPECIAL   1020 /* 1020-1023: no interrupt to acknowledge */
#define GIC_PRIORITY_LOWEST 0xff

/* Distributor. */
#define GICD_CTLR               0x0000
#define GICD_TYPER              0x0004
#define GICD_IIDR               0x0008
#define GICD_PIDR2              0xffe8
#define GICD_CTLR_ENABLE_G0     (1U << 0)
#define GICD_CTLR_ENABLE_G1A    (1U << 1)
#define GICD_CTLR_ARE_NS        (1U << 4)
#define GICD_TYPER_ITLINES(t)   ((t)&0x1fU)         /* 32 * (N + 1) interrupts */
#define GICD_TYPER_CPUNUMBER(t) (((t) >> 5) & 0x7U) /* PEs without affinity routing, - 1 */
#define GICD_TYPER_ESPI         (1U << 8)           /* extended SPI range implemented */
#define GIC_PIDR2_ARCHREV(p)    (((p) >> 4) & 0xfU)

/* Redistributor, RD frame. */
#define GICR_TYPER                 0x0008
#define GICR_WAKER                 0x0014
#define GICR_TYPER_LAST            (1UL << 4)
#define GICR_TYPER_AFFINITY(t)     ((t) >> 32)
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)

/* Redistributor, SGI frame: the distributor's registers for SGIs and PPIs. */
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0   0x0200
#define GICR_ICPENDR0   0x0280
#define GICR_IPRIORITYR 0x0400

#define ICC_SRE_EL1_SRE (1UL << 0)

/*
 * MMIO accessors. The hypervisor emulates the GIC frames from the syndrome
 * of the trapped access, which only describes single loads and stores
 * without writeback: the asm pins that form, whatever the compiler would
 * otherwise pick. With the MMU off memory is Device, so keep them aligned.
 */
static inline uint32_t gic_read32(unsigned long addr)
{
	uint32_t val;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint64_t gic_read64(unsigned long addr)
{
	uint64_t val;

	__asm__ volatile("ldr %0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline void gic_write32(unsigned long addr, uint32_t val)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
}

static inline void gic_write8(unsigned long addr, uint8_t val)
{
	__asm__ volatile("strb %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
}

/* Frames of the redistributor of the CPU with MPIDR Aff0 @cpu (one per CPU, in order). */
static inline unsigned long gicr_rd_base(unsigned int cpu)
{
	return GICR_BASE + cpu * GICR_STRIDE;
}

static inline unsigned long gicr_sgi_base(unsigned int cpu)
{
	return gicr_rd_base(cpu) + GICR_SGI_OFFSET;
}

/* Use the ICC_* system registers (ICC_SRE_EL1.SRE); false if it does not stick. */
bool gicv3_enable_sre(void);
/* Enable group 1 in the distributor, with affinity routing. */
void gicv3_dist_enable(void);
/* Wake @cpu's redistributor; false if it still reports ChildrenAsleep after @timeout_ms. */
bool gicv3_redist_wake(unsigned int cpu, unsigned int timeout_ms);
/* Make all SGIs and PPIs of @cpu group 1 (the only group a non-secure guest handles). */
void gicv3_private_group1(unsigned int cpu);
/* Priority (lower is more urgent) and enable of private interrupt @intid of @cpu. */
void gicv3_private_set_priority(unsigned int cpu, unsigned int intid, uint8_t priority);
void gicv3_private_enable(unsigned int cpu, unsigned int intid);
void gicv3_private_disable(unsigned int cpu, unsigned int intid);
/* Unmask every priority, no preemption grouping, and enable group 1 in the CPU interface. */
void gicv3_cpu_if_enable(void);

/* Send SGI @intid to the CPU with affinity @mpidr (ICC_SGI1R_EL1). */
void gicv3_send_sgi(uint64_t mpidr, unsigned int intid);
/* The same through ICC_SGI0R_EL1 (Group 0 SGIs) or, if @alt, ICC_ASGI1R_EL1. */
void gicv3_send_sgi0(uint64_t mpidr, unsigned int intid, bool alt);
/* ICC_SGI1R_EL1's value for SGI @intid to the CPU with affinity @mpidr. */
uint64_t gicv3_sgir_value(uint64_t mpidr, unsigned int intid);

/*
 * The body of an IRQ handler: acknowledge interrupts until none is left,
 * calling @handle(intid) for each before its EOI (which, with the default
 * EOImode 0, also deactivates it).
 */
void gicv3_handle_irqs(void (*handle)(unsigned int intid));
/* The same for a FIQ: Group 0 interrupts, through ICC_IAR0_EL1 and ICC_EOIR0_EL1. */
void gicv3_handle_fiqs(void (*handle)(unsigned int intid));

#endif
