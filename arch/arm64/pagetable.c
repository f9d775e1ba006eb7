/* Table walks for pagetable.h. No system register access: host-testable. */
#include "arch/arm64/pagetable.h"

#define ENTRIES_PER_TABLE 512
#define MAX_ROOT_BITS     13 /* 9 bits per table, up to 16 tables concatenated */

static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

/*
 * The index of @va's entry in its table at @level. Below the start level a table has 512
 * entries, so the index is the 9 bits the level resolves. At the start level
 * the root may be several tables concatenated (stage 2, Arm ARM "Concatenated
 * translation tables"): the index is every input bit above the level's shift,
 * which pt_map and pt_lookup have already checked against va_bits.
 */
static uint64_t entry_index(const struct pagetable *pt, unsigned int level, uint64_t va)
{
	uint64_t index = va >> level_shift(level);

	return level == pt->start_level ? index : index % ENTRIES_PER_TABLE;
}

/* The root resolves 1 to 13 bits (Arm ARM: the stage-2 start-level rule). */
static bool shape_is_valid(const struct pagetable *pt)
{
	unsigned int shift = level_shift(pt->start_level);

	return pt->start_level <= 2 && pt->va_bits > shift &&
	       pt->va_bits <= shift + MAX_ROOT_BITS && pt->va_bits <= 48;
}

static bool va_in_range(const struct pagetable *pt, uint64_t va)
{
	return va < (1UL << pt->va_bits);
}

static bool entry_is_table(uint64_t e, unsigned int level)
{
	return (e & PTE_VALID) && (e & PTE_TABLE) && level < 3;
}

/* Blocks exist at levels 1 (1 GiB) and 2 (2 MiB); level 3 has pages. */
static bool can_use_block(unsigned int level, uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t block = 1UL << level_shift(level);

	return level >= 1 && IS_ALIGNED(va, block) && IS_ALIGNED(pa, block) && size >= block;
}

static uint64_t *next_table(struct pagetable *pt, uint64_t *entry)
{
	uint64_t *table;

	if (*entry & PTE_VALID)
		return pt->phys_to_virt(*entry & PTE_ADDR_MASK);
	table = pt->alloc_table();
	if (!table)
		return NULL;
	/* Make the zeroed table visible before a walker can follow the entry to it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*entry = pt->virt_to_phys(table) | PTE_TABLE | PTE_VALID;
	return table;
}

static int map_level(struct pagetable *pt, uint64_t *table, unsigned int level, uint64_t va,
                     uint64_t pa, uint64_t size, uint64_t attrs)
{
	while (size) {
		uint64_t block = 1UL << level_shift(level);
		uint64_t *entry = &table[entry_index(pt, level, va)];
		uint64_t chunk;

		if (level == 3 || (can_use_block(level, va, pa, size) && !(*entry & PTE_VALID))) {
			if (*entry & PTE_VALID)
				return -1; /* already mapped */
			*entry = pa | attrs | PTE_AF | PTE_VALID | (level == 3 ? PTE_TABLE : 0);
			chunk = block;
		} else {
			uint64_t *sub;

			if ((*entry & PTE_VALID) && !entry_is_table(*entry, level))
				return -1; /* inside an existing block */
			sub = next_table(pt, entry);
			if (!sub)
				return -1;
			chunk = MIN(size, ALIGN_DOWN(va + block, block) - va);
			if (map_level(pt, sub, level + 1, va, pa, chunk, attrs))
				return -1;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

/* Bits a caller may set in @attrs: everything but the type and output address. */
#define PTE_ATTR_MASK (GENMASK(11, 2) | GENMASK(63, 50))

int pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || !size)
		return -1;
	if (!shape_is_valid(pt) || va + size < va || !va_in_range(pt, va + size - 1))
		return -1;
	/* Output addresses are 48-bit; attributes must not alias address or type bits. */
	if (pa + size < pa || pa + size > (1UL << 48) || (attrs & ~PTE_ATTR_MASK))
		return -1;
	return map_level(pt, pt->root, pt->start_level, va, pa, size, attrs);
}

uint64_t pt_lookup(const struct pagetable *pt, uint64_t va)
{
	const uint64_t *table = pt->root;

	if (!shape_is_valid(pt) || !va_in_range(pt, va))
		return (uint64_t)-1;
	for (unsigned int level = pt->start_level; level <= 3; level++) {
		uint64_t e = table[entry_index(pt, level, va)];
		uint64_t mask = (1UL << level_shift(level)) - 1;

		if (!(e & PTE_VALID))
			return (uint64_t)-1;
		if (!entry_is_table(e, level))
			return (e & PTE_ADDR_MASK & ~mask) | (va & mask);
		table = pt->phys_to_virt(e & PTE_ADDR_MASK);
	}
	return (uint64_t)-1;
}
