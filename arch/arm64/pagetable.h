/*
 * Translation tables with a 4 KiB granule, for both the hypervisor's own
 * stage-1 map and a VM's stage-2 map: the walk is the same, only the
 * attribute bits differ. Mapping picks the largest block (1 GiB, 2 MiB) that
 * fits and never replaces an existing entry: overlapping maps are a bug in
 * the caller and are refused.
 */
#ifndef ARCH_ARM64_PAGETABLE_H
#define ARCH_ARM64_PAGETABLE_H

#include "core/compiler.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096UL

/* Descriptor bits common to both stages */
#define PTE_VALID     BIT(0)
#define PTE_TABLE     BIT(1) /* at levels 0-2: next-level table; at level 3: page */
#define PTE_AF        BIT(10)
#define PTE_SH_INNER  (3UL << 8)
#define PTE_ADDR_MASK GENMASK(47, 12)

/* Stage 1 (EL2): MAIR_EL2 indices set up by mmu.c */
#define MAIR_IDX_DEVICE_nGnRnE 0
#define MAIR_IDX_NORMAL        1
#define MAIR_IDX_DEVICE_nGnRE  2
#define MAIR_IDX_NORMAL_NC     3
#define PTE_ATTRIDX(i)         ((uint64_t)(i) << 2)
#define PTE_AP_RO              BIT(7)
#define PTE_AP_EL2             BIT(6) /* AP[1] is RES1 in the EL2 regime */
#define PTE_XN                 BIT(54)

/* Stage 2 */
#define S2_MEMATTR_DEVICE_nGnRE (0x1UL << 2)
#define S2_MEMATTR_NORMAL_WB    (0xfUL << 2)
#define S2_AP_RW                (3UL << 6)
#define S2_XN                   BIT(54)

/*
 * The root resolves the va_bits - (12 + 9 * (3 - start_level)) input bits
 * above the start level: 1 to 9 in one table, 10 to 13 in 2 to 16 tables
 * concatenated (stage 2 only, see arch/arm64/stage2.h). The caller allocates
 * the root that large; pt_map and pt_lookup refuse any other shape.
 */
struct pagetable {
	uint64_t *root;
	unsigned int start_level;               /* 0, 1 or 2 */
	unsigned int va_bits;                   /* input address size, at most 48 */
	void *(*alloc_table)(void);             /* returns a zeroed, 4 KiB-aligned page */
	uint64_t (*virt_to_phys)(const void *); /* address of a table for the descriptor */
	void *(*phys_to_virt)(uint64_t);
};

/*
 * Map [va, va + size) to [pa, pa + size) with the descriptor attribute bits
 * @attrs. All three must be page aligned. Returns 0, or -1 if part of the
 * range is already mapped, out of range, or a table could not be allocated;
 * on -1 the part of the range before the problem may already be mapped
 * (callers treat a failure as fatal, so nothing is rolled back).
 */
int pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs);

/* The output address @va maps to, or -1 if nothing is mapped there. */
uint64_t pt_lookup(const struct pagetable *pt, uint64_t va);

#endif
