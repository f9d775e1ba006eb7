/*
 * The hypervisor's own address space: an identity map (VA == PA) built by the
 * boot CPU, with the image mapped W^X, device registers as Device-nGnRE and
 * RAM as normal memory. Every CPU uses the same tables.
 */
#ifndef ARCH_ARM64_MMU_H
#define ARCH_ARM64_MMU_H

#include "core/compiler.h"

/* Values the other CPUs load before turning their MMU on (boot/head.S). */
struct mmu_boot_regs {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr;
	uint64_t sctlr;
};
extern struct mmu_boot_regs mmu_boot_regs;

/* Boot CPU, MMU off: map the image and the early UART, then turn the MMU on. */
void mmu_init_boot(void);
/* Map a device's registers (Device-nGnRE, never executable). */
void mmu_map_device(uint64_t pa, uint64_t size);
/* Map RAM read-write, never executable. Parts already mapped (the image) are skipped. */
void mmu_map_ram(uint64_t pa, uint64_t size);

/* Physical address bits of this machine (ID_AA64MMFR0_EL1.PARange), capped at 48. */
unsigned int mmu_pa_bits(void);

#endif
