/*
 * Stage-2 geometry for the 4 KiB granule, from the Arm ARM (DDI 0487, VTCR_EL2
 * and "Concatenated translation tables for the initial stage 2 lookup"):
 *
 * - VTCR_EL2.SL0 names the start level: 0 is level 2, 1 is level 1, 2 is
 *   level 0 (3 is reserved without FEAT_LPA2).
 * - The start level resolves the input bits above it: with N = 64 - T0SZ,
 *   N - (12 + 9 * (3 - level)) bits. That must be 1 to 13: up to 9 bits fill one
 *   table, up to 4 more are resolved by concatenating up to 16 tables, which
 *   must then be aligned to their total size.
 * - Starting at level 0 needs a PA size above 42 bits.
 *
 * Within those rules this starts at level 1 whenever it can (IPA sizes up to 43
 * bits, with up to 16 tables), since a level-1 start is one fewer memory access
 * per TLB miss than a level-0 start, and at level 0 only above that.
 */
#include "arch/arm64/stage2.h"

#define GRANULE_SHIFT      12
#define BITS_PER_LEVEL     9
#define MAX_START_BITS     (BITS_PER_LEVEL + 4) /* 16 concatenated tables */
#define MIN_IPA_BITS       32
#define MAX_IPA_BITS       48 /* 52 needs FEAT_LPA2, not supported */
#define LEVEL0_MIN_PA_BITS 43

/* VTCR_EL2 fields */
#define VTCR_T0SZ(n)   ((uint64_t)(64 - (n)))
#define VTCR_SL0(l)    ((uint64_t)(2 - (l)) << 6)
#define VTCR_IRGN0_WB  (1UL << 8)  /* walks: inner write-back, read/write-allocate */
#define VTCR_ORGN0_WB  (1UL << 10) /* walks: outer write-back, read/write-allocate */
#define VTCR_SH0_INNER (3UL << 12)
#define VTCR_TG0_4K    (0UL << 14)
#define VTCR_PS(ps)    ((uint64_t)(ps) << 16)
#define VTCR_RES1      BIT(31)

/* The lowest input bit a level resolves: each of its entries covers 2^shift bytes. */
static unsigned int level_shift(unsigned int level)
{
	return GRANULE_SHIFT + BITS_PER_LEVEL * (3 - level);
}

/* VTCR_EL2.PS (and ID_AA64MMFR0_EL1.PARange) encoding of a PA size, or -1. */
static int ps_encoding(unsigned int pa_bits)
{
	static const unsigned int sizes[] = {32, 36, 40, 42, 44, 48};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (sizes[i] == pa_bits)
			return (int)i;
	}
	return -1;
}

/* The architecture's start-level check for an IPA size, start level and PA size. */
static bool start_level_is_valid(unsigned int ipa_bits, unsigned int level, unsigned int pa_bits)
{
	int start_bits = (int)ipa_bits - (int)level_shift(level);

	if (start_bits < 1 || start_bits > MAX_START_BITS)
		return false;
	return level != 0 || pa_bits >= LEVEL0_MIN_PA_BITS;
}

int stage2_geometry(unsigned int ipa_bits, unsigned int pa_bits, struct stage2_geometry *geo)
{
	int ps = ps_encoding(pa_bits);
	unsigned int level = 1;
	uint64_t root_entries;

	if (ps < 0 || ipa_bits < MIN_IPA_BITS || ipa_bits > MAX_IPA_BITS || ipa_bits > pa_bits)
		return -1;
	if (!start_level_is_valid(ipa_bits, level, pa_bits))
		level = 0;
	if (!start_level_is_valid(ipa_bits, level, pa_bits))
		return -1;

	root_entries = 1UL << (ipa_bits - level_shift(level));
	*geo = (struct stage2_geometry){
	    .ipa_bits = ipa_bits,
	    .start_level = level,
	    .root_size = MAX(root_entries * sizeof(uint64_t), 1UL << GRANULE_SHIFT),
	};
	geo->root_tables = (unsigned int)(geo->root_size >> GRANULE_SHIFT);
	geo->vtcr = VTCR_T0SZ(ipa_bits) | VTCR_SL0(level) | VTCR_IRGN0_WB | VTCR_ORGN0_WB |
	            VTCR_SH0_INNER | VTCR_TG0_4K | VTCR_PS(ps) | VTCR_RES1;
	return 0;
}
