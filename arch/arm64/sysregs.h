/* System register access and the EL2 register bits this hypervisor uses. */
#ifndef ARCH_ARM64_SYSREGS_H
#define ARCH_ARM64_SYSREGS_H

#include "core/compiler.h"

#define READ_SYSREG(name)                                      \
	({                                                     \
		uint64_t _v;                                   \
		__asm__ volatile("mrs %0, " #name : "=r"(_v)); \
		_v;                                            \
	})

#define WRITE_SYSREG(v, name) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

#define isb()       __asm__ volatile("isb" : : : "memory")
#define dsb(opt)    __asm__ volatile("dsb " #opt : : : "memory")
#define wfi()       __asm__ volatile("wfi" : : : "memory")
#define wfe()       __asm__ volatile("wfe" : : : "memory")
#define sev()       __asm__ volatile("sev" : : : "memory")
#define cpu_relax() __asm__ volatile("yield" : : : "memory")

static inline void local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

/* HCR_EL2 */
#define HCR_VM     BIT(0) /* stage-2 translation */
#define HCR_SWIO   BIT(1) /* set/way invalidate -> clean+invalidate */
#define HCR_FMO    BIT(3) /* physical FIQ to EL2, virtual FIQ enabled */
#define HCR_IMO    BIT(4) /* physical IRQ to EL2, virtual IRQ enabled */
#define HCR_AMO    BIT(5) /* physical SError to EL2, virtual SError enabled */
#define HCR_VF     BIT(6) /* virtual FIQ pending */
#define HCR_VI     BIT(7) /* virtual IRQ pending */
#define HCR_VSE    BIT(8) /* virtual SError pending */
#define HCR_FB     BIT(9) /* broadcast TLB/cache maintenance to the inner shareable domain */
#define HCR_BSU_IS (1UL << 10)
#define HCR_TWI    BIT(13)
#define HCR_TWE    BIT(14)
#define HCR_TSC    BIT(19) /* trap SMC */
#define HCR_TACR   BIT(21)
#define HCR_RW     BIT(31) /* EL1 is AArch64 */

/* SCTLR_EL2 (nVHE layout) */
#define SCTLR_EL2_M   BIT(0)
#define SCTLR_EL2_A   BIT(1)
#define SCTLR_EL2_C   BIT(2)
#define SCTLR_EL2_SA  BIT(3)
#define SCTLR_EL2_I   BIT(12)
#define SCTLR_EL2_WXN BIT(19)
#define SCTLR_EL2_EE  BIT(25)
#define SCTLR_EL2_RES1 \
	(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* SCTLR_EL1 value a guest is entered with: MMU and caches off, RES1 bits set. */
#define SCTLR_EL1_RESET (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* CNTHCTL_EL2 (nVHE): EL1 may use the physical counter and timer. */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN  BIT(1)

/* HPFAR_EL2.FIPA holds IPA[47:12] in bits [43:4]. */
static inline uint64_t hpfar_to_ipa(uint64_t hpfar, uint64_t far)
{
	return ((hpfar & GENMASK(43, 4)) << 8) | (far & 0xfff);
}

/* MPIDR affinity fields (Aff3 lives in bits 39:32). */
#define MPIDR_AFF_MASK (GENMASK(23, 0) | GENMASK(39, 32))

static inline unsigned int current_el(void)
{
	return (unsigned int)((READ_SYSREG(CurrentEL) >> 2) & 3);
}

#endif
