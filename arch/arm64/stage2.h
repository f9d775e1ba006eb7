/*
 * The shape of a VM's stage-2 tables with the 4 KiB granule: at which level
 * the walk starts, how many tables are concatenated at that level, and the
 * VTCR_EL2 value that tells the MMU so. Pure arithmetic, host-testable.
 */
#ifndef ARCH_ARM64_STAGE2_H
#define ARCH_ARM64_STAGE2_H

#include "core/compiler.h"

struct stage2_geometry {
	unsigned int ipa_bits;    /* input size: VTCR_EL2.T0SZ = 64 - ipa_bits */
	unsigned int start_level; /* 0 or 1 */
	unsigned int root_tables; /* 4 KiB tables concatenated at the start level, 1 to 16 */
	uint64_t root_size;       /* bytes; the root must also be aligned to this */
	uint64_t vtcr;            /* VTCR_EL2 for these tables and a PA size of pa_bits */
};

/*
 * The geometry for an IPA space of @ipa_bits (32 to 48) on a CPU whose PA size
 * is @pa_bits (a ID_AA64MMFR0_EL1.PARange size up to 48: 32, 36, 40, 42, 44 or
 * 48). Returns 0, or -1 for sizes outside those ranges or an IPA size larger
 * than the PA size (Arm ARM: CONSTRAINED UNPREDICTABLE; QEMU faults).
 */
int stage2_geometry(unsigned int ipa_bits, unsigned int pa_bits, struct stage2_geometry *geo);

#endif
