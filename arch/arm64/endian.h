/*
 * The byte order of a guest's data accesses, for emulated MMIO: a load or
 * store of a big-endian guest reaches a device register with its bytes
 * reversed, as it would reach RAM. Pure, unit-tested on the host.
 */
#ifndef ARCH_ARM64_ENDIAN_H
#define ARCH_ARM64_ENDIAN_H

#include "arch/arm64/regs.h"

#define SCTLR_EL1_E0E BIT(24) /* EL0 data accesses big-endian */
#define SCTLR_EL1_EE  BIT(25) /* EL1 data accesses (and table walks) big-endian */
#define PSR_AA32_E    BIT(9)  /* AArch32: data accesses big-endian (SETEND) */

/* Is the data access of a guest in PSTATE @cpsr big-endian, with its @sctlr_el1? */
static inline bool guest_data_big_endian(uint64_t cpsr, uint64_t sctlr_el1)
{
	if (cpsr & PSR_MODE_32)
		return cpsr & PSR_AA32_E; /* AArch32 EL0: its own CPSR.E */
	return psr_el(cpsr) == 0 ? (sctlr_el1 & SCTLR_EL1_E0E) : (sctlr_el1 & SCTLR_EL1_EE);
}

/* The low @size bytes of @v in the other order (1 byte: as it is). */
static inline uint64_t bswap_size(uint64_t v, unsigned int size)
{
	switch (size) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		return __builtin_bswap64(v);
	default:
		return v & 0xff;
	}
}

#endif
