/*
 * Translation table construction (arch/arm64/pagetable.c) on the host. Tables
 * come from a static pool of 4 KiB pages and are given fake, realistic
 * physical addresses (POOL_PA + index * 4 KiB), so every descriptor holds a
 * 48-bit output address and a walk only works if the code translates with the
 * pagetable's own virt_to_phys/phys_to_virt. The tests read the descriptors
 * back with an independent walker (walk_entry) rather than trusting
 * pt_lookup alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "arch/arm64/pagetable.h"

#define POOL_PAGES 64
#define POOL_PA    0x10000000UL
#define ENTRIES    512

#define DESC_TYPE_MASK 3UL
#define DESC_BLOCK     1UL /* levels 1-2 */
#define DESC_TABLE     3UL /* levels 0-2 */
#define DESC_PAGE      3UL /* level 3 */

#define NO_MAP ((uint64_t)-1)

/* Stage-2 normal memory, and the hypervisor's stage-1 data attributes, as mmu.c/vm.c use them. */
#define S2_ATTRS (S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER)
#define S1_ATTRS (PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AP_EL2 | PTE_XN)
#define S2_DEV   (S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN)

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned int pool_used;
static int allocs_left; /* < 0: unlimited */

static void *pool_alloc(void)
{
	void *p;

	if (allocs_left == 0 || pool_used == POOL_PAGES)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	p = pool[pool_used++];
	memset(p, 0, PAGE_SIZE);
	return p;
}

static uint64_t pool_v2p(const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)pool;

	if ((const uint8_t *)p < &pool[0][0] || off >= (uintptr_t)pool_used * PAGE_SIZE ||
	    off % PAGE_SIZE)
		fail_msg("virt_to_phys(%p): not a table handed out by the pool", p);
	return POOL_PA + off;
}

static void *pool_p2v(uint64_t pa)
{
	if (pa < POOL_PA || pa >= POOL_PA + (uint64_t)pool_used * PAGE_SIZE || pa % PAGE_SIZE)
		fail_msg("phys_to_virt(0x%lx): not a table handed out by the pool",
		         (unsigned long)pa);
	return pool[(pa - POOL_PA) / PAGE_SIZE];
}

static struct pagetable pt;

static void pt_setup(unsigned int start_level, unsigned int va_bits)
{
	pool_used = 0;
	allocs_left = -1;
	pt = (struct pagetable){
	    .start_level = start_level,
	    .va_bits = va_bits,
	    .alloc_table = pool_alloc,
	    .virt_to_phys = pool_v2p,
	    .phys_to_virt = pool_p2v,
	};
	pt.root = pool_alloc();
}

/* Tables allocated by pt_map, not counting the root. */
static unsigned int tables_allocated(void)
{
	return pool_used - 1;
}

static unsigned int shift_of(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

/*
 * The descriptor for @va at @level, following table descriptors from the root
 * (independently of pagetable.c). Fails the test if an intermediate level does
 * not hold a table descriptor.
 */
static uint64_t walk_entry(uint64_t va, unsigned int level)
{
	uint64_t *table = pt.root;

	for (unsigned int l = pt.start_level;; l++) {
		uint64_t e = table[(va >> shift_of(l)) % ENTRIES];

		if (l == level)
			return e;
		if ((e & DESC_TYPE_MASK) != DESC_TABLE)
			fail_msg("va 0x%lx: level %u entry 0x%lx is not a table", (unsigned long)va,
			         l, (unsigned long)e);
		/* A table descriptor holds the next table's address and nothing else. */
		assert_int_equal(e & ~(PTE_ADDR_MASK | DESC_TYPE_MASK), 0);
		table = pool_p2v(e & PTE_ADDR_MASK);
	}
}

static void assert_block(uint64_t va, unsigned int level, uint64_t pa, uint64_t attrs)
{
	uint64_t e = walk_entry(va, level);

	assert_int_equal(e & DESC_TYPE_MASK, DESC_BLOCK);
	assert_int_equal(e & PTE_ADDR_MASK, pa);
	assert_int_equal(e, pa | attrs | PTE_AF | PTE_VALID);
}

static void assert_page(uint64_t va, uint64_t pa, uint64_t attrs)
{
	uint64_t e = walk_entry(va, 3);

	assert_int_equal(e & DESC_TYPE_MASK, DESC_PAGE);
	assert_int_equal(e & PTE_ADDR_MASK, pa);
	assert_int_equal(e, pa | attrs | PTE_AF | PTE_TABLE | PTE_VALID);
}

/* pt_lookup agrees with a linear map va -> pa at a few offsets of [va, va + size). */
static void assert_linear(uint64_t va, uint64_t pa, uint64_t size)
{
	const uint64_t offs[] = {
	    0,       8, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 0x123, size / 2, size - PAGE_SIZE,
	    size - 1};

	for (unsigned int i = 0; i < ARRAY_SIZE(offs); i++) {
		if (offs[i] < size)
			assert_int_equal(pt_lookup(&pt, va + offs[i]), pa + offs[i]);
	}
}

static bool root_is_empty(void)
{
	for (unsigned int i = 0; i < ENTRIES; i++)
		if (pt.root[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Block and page selection                                                 */
/* ------------------------------------------------------------------------ */

static void test_l2_block(void **state)
{
	const uint64_t va = 0x80200000, pa = 0x40200000;

	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, va, pa, MiB(2), S2_ATTRS), 0);
	assert_block(va, 2, pa, S2_ATTRS);
	assert_int_equal(tables_allocated(), 1); /* the level-2 table only */

	assert_linear(va, pa, MiB(2));
	assert_int_equal(pt_lookup(&pt, va - 1), NO_MAP);
	assert_int_equal(pt_lookup(&pt, va + MiB(2)), NO_MAP);
	/* The neighbouring level-2 entries stay empty. */
	assert_int_equal(walk_entry(va - MiB(2), 2), 0);
	assert_int_equal(walk_entry(va + MiB(2), 2), 0);
}

static void test_l2_blocks_4mib_count_tables(void **state)
{
	(void)state;
	pt_setup(1, 39);
	/* 2 MiB aligned, not 1 GiB aligned: two level-2 blocks in one new table. */
	assert_int_equal(pt_map(&pt, MiB(6), 0x48000000 + MiB(2), MiB(4), S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 1);
	assert_block(MiB(6), 2, 0x48000000 + MiB(2), S2_ATTRS);
	assert_block(MiB(8), 2, 0x48000000 + MiB(4), S2_ATTRS);
	assert_linear(MiB(6), 0x48000000 + MiB(2), MiB(4));

	/* The same from level 0: one level-1 and one level-2 table. */
	pt_setup(0, 48);
	assert_int_equal(pt_map(&pt, MiB(6), 0x48000000 + MiB(2), MiB(4), S1_ATTRS), 0);
	assert_int_equal(tables_allocated(), 2);
	assert_block(MiB(6), 2, 0x48000000 + MiB(2), S1_ATTRS);
	assert_block(MiB(8), 2, 0x48000000 + MiB(4), S1_ATTRS);
}

static void test_l1_block(void **state)
{
	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(2), GiB(1), S2_ATTRS), 0);
	/* Straight into the root: no table at all. */
	assert_int_equal(tables_allocated(), 0);
	assert_block(GiB(1), 1, GiB(2), S2_ATTRS);
	assert_linear(GiB(1), GiB(2), GiB(1));
	assert_int_equal(pt_lookup(&pt, GiB(1) + MiB(777) + 0x42), GiB(2) + MiB(777) + 0x42);
	assert_int_equal(pt_lookup(&pt, GiB(2)), NO_MAP);
	assert_int_equal(pt_lookup(&pt, GiB(1) - 1), NO_MAP);

	/* From level 0 with a 48-bit PA: one level-1 table, four 1 GiB blocks. */
	pt_setup(0, 48);
	assert_int_equal(pt_map(&pt, GiB(4), 0x800000000000UL, GiB(4), S1_ATTRS), 0);
	assert_int_equal(tables_allocated(), 1);
	for (unsigned int i = 0; i < 4; i++)
		assert_block(GiB(4) + GiB(i), 1, 0x800000000000UL + GiB(i), S1_ATTRS);
	assert_linear(GiB(4), 0x800000000000UL, GiB(4));
	assert_int_equal(pt_lookup(&pt, GiB(8)), NO_MAP);
}

static void test_l1_block_needs_pa_alignment(void **state)
{
	(void)state;
	/* va 1 GiB aligned but pa only 2 MiB aligned: 512 level-2 blocks instead. */
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(2) + MiB(2), GiB(1), S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 1);
	for (uint64_t off = 0; off < GiB(1); off += MiB(2))
		assert_block(GiB(1) + off, 2, GiB(2) + MiB(2) + off, S2_ATTRS);
	assert_linear(GiB(1), GiB(2) + MiB(2), GiB(1));
}

static void test_pages(void **state)
{
	(void)state;
	pt_setup(1, 39);
	/* Three pages, nothing 2 MiB aligned: a level-2 and a level-3 table. */
	assert_int_equal(pt_map(&pt, 0x1000, 0x40005000, 0x3000, S2_DEV), 0);
	assert_int_equal(tables_allocated(), 2);
	for (unsigned int i = 0; i < 3; i++)
		assert_page(0x1000 + i * PAGE_SIZE, 0x40005000 + i * PAGE_SIZE, S2_DEV);
	assert_int_equal(walk_entry(0x0, 3), 0);
	assert_int_equal(walk_entry(0x4000, 3), 0);
	assert_int_equal(pt_lookup(&pt, 0x1abc), 0x40005abc);
	assert_int_equal(pt_lookup(&pt, 0x3fff), 0x40007fff);
	assert_int_equal(pt_lookup(&pt, 0x4000), NO_MAP);
	assert_int_equal(pt_lookup(&pt, 0xfff), NO_MAP);
}

static void test_block_sized_but_misaligned_pa_uses_pages(void **state)
{
	(void)state;
	pt_setup(1, 39);
	/* va 2 MiB aligned, pa only page aligned: 512 pages. */
	assert_int_equal(pt_map(&pt, MiB(2), 0x40001000, MiB(2), S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 2);
	for (uint64_t off = 0; off < MiB(2); off += PAGE_SIZE)
		assert_page(MiB(2) + off, 0x40001000 + off, S2_ATTRS);
	assert_linear(MiB(2), 0x40001000, MiB(2));

	/* Aligned start, one page short of a block: pages too. */
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, MiB(2), MiB(4), MiB(2) - PAGE_SIZE, S2_ATTRS), 0);
	assert_page(MiB(2), MiB(4), S2_ATTRS);
	assert_page(MiB(4) - 2 * PAGE_SIZE, MiB(6) - 2 * PAGE_SIZE, S2_ATTRS);
	assert_int_equal(walk_entry(MiB(4) - PAGE_SIZE, 3), 0);
	assert_int_equal(pt_lookup(&pt, MiB(4) - PAGE_SIZE), NO_MAP);
}

static void test_odd_size_block_plus_page(void **state)
{
	(void)state;
	pt_setup(1, 39);
	/* 2 MiB + 4 KiB from an aligned start: one block, then one page. */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(1) + MiB(2), MiB(2) + PAGE_SIZE, S2_ATTRS), 0);
	assert_block(MiB(2), 2, GiB(1) + MiB(2), S2_ATTRS);
	assert_page(MiB(4), GiB(1) + MiB(4), S2_ATTRS);
	assert_int_equal(walk_entry(MiB(4) + PAGE_SIZE, 3), 0);
	assert_int_equal(tables_allocated(), 2); /* level 2, and level 3 for the page */
	assert_linear(MiB(2), GiB(1) + MiB(2), MiB(2) + PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, MiB(4) + PAGE_SIZE), NO_MAP);
}

static void test_range_crossing_2mib_boundaries(void **state)
{
	/*
	 * [0x1fd000, 0x603000): 3 pages, two 2 MiB blocks, 3 pages. pa keeps the
	 * same offset within 2 MiB so the middle can use blocks.
	 */
	const uint64_t va = 0x1fd000, pa = 0x801fd000, size = 0x603000 - 0x1fd000;

	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, va, pa, size, S2_ATTRS), 0);
	/* Level-2 table, and one level-3 table at each end. */
	assert_int_equal(tables_allocated(), 3);

	for (unsigned int i = 0; i < 3; i++)
		assert_page(va + i * PAGE_SIZE, pa + i * PAGE_SIZE, S2_ATTRS);
	assert_block(MiB(2), 2, 0x80200000, S2_ATTRS);
	assert_block(MiB(4), 2, 0x80400000, S2_ATTRS);
	for (unsigned int i = 0; i < 3; i++)
		assert_page(MiB(6) + i * PAGE_SIZE, 0x80600000 + i * PAGE_SIZE, S2_ATTRS);

	/* Several addresses in every piece */
	assert_int_equal(pt_lookup(&pt, 0x1fd000), 0x801fd000);
	assert_int_equal(pt_lookup(&pt, 0x1fe010), 0x801fe010);
	assert_int_equal(pt_lookup(&pt, 0x1fffff), 0x801fffff);
	assert_int_equal(pt_lookup(&pt, 0x200000), 0x80200000);
	assert_int_equal(pt_lookup(&pt, 0x2abcde), 0x802abcde);
	assert_int_equal(pt_lookup(&pt, 0x3fffff), 0x803fffff);
	assert_int_equal(pt_lookup(&pt, 0x400000), 0x80400000);
	assert_int_equal(pt_lookup(&pt, 0x5ff008), 0x805ff008);
	assert_int_equal(pt_lookup(&pt, 0x600000), 0x80600000);
	assert_int_equal(pt_lookup(&pt, 0x601234), 0x80601234);
	assert_int_equal(pt_lookup(&pt, 0x602fff), 0x80602fff);
	/* Just outside */
	assert_int_equal(pt_lookup(&pt, 0x1fcfff), NO_MAP);
	assert_int_equal(pt_lookup(&pt, 0x603000), NO_MAP);
	assert_int_equal(pt_lookup(&pt, 0x0), NO_MAP);
}

static void test_range_crossing_1gib_boundaries(void **state)
{
	/* [1 GiB - 2 MiB, 2 GiB + 4 KiB): a 2 MiB block, a 1 GiB block, a page. */
	const uint64_t va = GiB(1) - MiB(2), pa = GiB(3) - MiB(2),
		       size = GiB(1) + MiB(2) + PAGE_SIZE;

	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, va, pa, size, S2_ATTRS), 0);
	assert_block(va, 2, pa, S2_ATTRS);
	assert_block(GiB(1), 1, GiB(3), S2_ATTRS);
	assert_page(GiB(2), GiB(4), S2_ATTRS);
	/* Level 2 under GiB 0, level 2 and level 3 under GiB 2 */
	assert_int_equal(tables_allocated(), 3);

	assert_int_equal(pt_lookup(&pt, va + 0x1234), pa + 0x1234);
	assert_int_equal(pt_lookup(&pt, GiB(1) - 1), GiB(3) - 1);
	assert_int_equal(pt_lookup(&pt, GiB(1)), GiB(3));
	assert_int_equal(pt_lookup(&pt, GiB(1) + MiB(513) + 7), GiB(3) + MiB(513) + 7);
	assert_int_equal(pt_lookup(&pt, GiB(2) - 1), GiB(4) - 1);
	assert_int_equal(pt_lookup(&pt, GiB(2) + 0xfff), GiB(4) + 0xfff);
	assert_int_equal(pt_lookup(&pt, GiB(2) + PAGE_SIZE), NO_MAP);
	assert_int_equal(pt_lookup(&pt, va - 1), NO_MAP);
}

static void test_range_crossing_512gib_at_level0(void **state)
{
	/* Two pages either side of the first level-0 boundary: two whole walks. */
	const uint64_t va = GiB(512) - PAGE_SIZE;

	(void)state;
	pt_setup(0, 48);
	assert_int_equal(pt_map(&pt, va, 0x123456000UL, 2 * PAGE_SIZE, S1_ATTRS), 0);
	assert_int_equal(tables_allocated(), 6); /* levels 1, 2, 3 twice */
	assert_page(va, 0x123456000UL, S1_ATTRS);
	assert_page(GiB(512), 0x123457000UL, S1_ATTRS);
	assert_int_equal(pt_lookup(&pt, va + 0xabc), 0x123456abcUL);
	assert_int_equal(pt_lookup(&pt, GiB(512) + 0xabc), 0x123457abcUL);
	assert_int_equal(pt_lookup(&pt, va - 1), NO_MAP);
	assert_int_equal(pt_lookup(&pt, GiB(512) + PAGE_SIZE), NO_MAP);
}

static void test_second_map_reuses_tables(void **state)
{
	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, 0x1000, 0x40001000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 2);
	/* Same level-3 table */
	assert_int_equal(pt_map(&pt, 0x5000, 0x40005000, PAGE_SIZE, S2_DEV), 0);
	assert_int_equal(tables_allocated(), 2);
	/* Same level-2 table, new block next to the pages */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(1), MiB(2), S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 2);
	/* Adjacent below and above existing mappings: not an overlap */
	assert_int_equal(pt_map(&pt, 0x0, 0x50000000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(pt_map(&pt, 0x2000, 0x50002000, 0x3000, S2_ATTRS), 0);
	assert_int_equal(pt_map(&pt, MiB(4), 0x60000000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(pt_map(&pt, MiB(2) - PAGE_SIZE, 0x70000000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 3);

	assert_page(0x1000, 0x40001000, S2_ATTRS);
	assert_page(0x5000, 0x40005000, S2_DEV);
	assert_block(MiB(2), 2, GiB(1), S2_ATTRS);
	assert_int_equal(pt_lookup(&pt, 0x0), 0x50000000);
	assert_int_equal(pt_lookup(&pt, 0x3008), 0x50003008);
	assert_int_equal(pt_lookup(&pt, MiB(4)), 0x60000000);
	assert_int_equal(pt_lookup(&pt, MiB(2) - 1), 0x70000fff);
}

/* ------------------------------------------------------------------------ */
/* Refused maps                                                             */
/* ------------------------------------------------------------------------ */

static void test_overlap_block(void **state)
{
	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, MiB(2), GiB(1), MiB(2), S2_ATTRS), 0);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(2), GiB(1), S2_ATTRS), 0);
	unsigned int tables = tables_allocated();

	/* A page inside the 2 MiB block */
	assert_int_equal(pt_map(&pt, MiB(3), 0x90000000, PAGE_SIZE, S2_ATTRS), -1);
	/* The same block again */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(1), MiB(2), S2_ATTRS), -1);
	/* Pages and a block inside the 1 GiB block */
	assert_int_equal(pt_map(&pt, GiB(1) + 0x5000, 0x5000, 0x2000, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, GiB(1) + MiB(4), MiB(4), MiB(2), S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(2), GiB(1), S2_ATTRS), -1);
	/* The last page of the 1 GiB block */
	assert_int_equal(pt_map(&pt, GiB(2) - PAGE_SIZE, 0, PAGE_SIZE, S2_ATTRS), -1);
	/* A 1 GiB block over a level-2 table holding a block */
	assert_int_equal(pt_map(&pt, 0, GiB(4), GiB(1), S2_ATTRS), -1);

	/* Nothing was split or replaced. */
	assert_int_equal(tables_allocated(), tables);
	assert_block(MiB(2), 2, GiB(1), S2_ATTRS);
	assert_block(GiB(1), 1, GiB(2), S2_ATTRS);
	assert_int_equal(pt_lookup(&pt, MiB(3)), GiB(1) + MiB(1));
	assert_int_equal(pt_lookup(&pt, GiB(1) + 0x5000), GiB(2) + 0x5000);
}

static void test_overlap_page(void **state)
{
	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, MiB(2) + 0x3000, 0x40003000, PAGE_SIZE, S2_ATTRS), 0);
	unsigned int tables = tables_allocated();

	/* The same page */
	assert_int_equal(pt_map(&pt, MiB(2) + 0x3000, 0x50000000, PAGE_SIZE, S2_ATTRS), -1);
	/* A range ending on it */
	assert_int_equal(pt_map(&pt, MiB(2) + 0x3000, 0x50000000, 0x4000, S2_ATTRS), -1);
	/* A 2 MiB block over the level-3 table holding it */
	assert_int_equal(pt_map(&pt, MiB(2), 0x60000000, MiB(2), S2_ATTRS), -1);
	/* A 1 GiB block over the level-1 entry leading to it */
	assert_int_equal(pt_map(&pt, 0, GiB(1), GiB(1), S2_ATTRS), -1);

	assert_int_equal(tables_allocated(), tables);
	assert_page(MiB(2) + 0x3000, 0x40003000, S2_ATTRS);
	assert_int_equal(pt_lookup(&pt, MiB(2) + 0x3abc), 0x40003abc);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, 0x1001, 0x2000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2800, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, 0x800, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, PAGE_SIZE + 1, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, MiB(2) + 8, MiB(2), MiB(2), S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, 0, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0, 0, 0, S2_ATTRS), -1);
	/* Nothing was touched */
	assert_int_equal(tables_allocated(), 0);
	assert_true(root_is_empty());
}

static void test_va_bits_limit(void **state)
{
	const uint64_t top39 = 1UL << 39, top48 = 1UL << 48;

	(void)state;
	pt_setup(1, 39);
	assert_int_equal(pt_map(&pt, top39, 0x40000000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, top39 + GiB(1), 0x40000000, GiB(1), S2_ATTRS), -1);
	/* Straddling the top */
	assert_int_equal(pt_map(&pt, top39 - PAGE_SIZE, 0x40000000, 2 * PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, top39 - GiB(1), GiB(1), GiB(2), S2_ATTRS), -1);
	/* Wrapping around 2^64 */
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000UL, 0x40000000, 0x2000, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, 0xfffffffffffff000UL, 0x40000000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(tables_allocated(), 0);
	assert_true(root_is_empty());
	/* The very last page and the last 1 GiB fit. */
	assert_int_equal(pt_map(&pt, top39 - PAGE_SIZE, 0x40000000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(pt_lookup(&pt, top39 - 1), 0x40000fff);
	assert_int_equal(pt_map(&pt, top39 - GiB(2), GiB(1), GiB(1), S2_ATTRS), 0);
	assert_block(top39 - GiB(2), 1, GiB(1), S2_ATTRS);

	pt_setup(0, 48);
	assert_int_equal(pt_map(&pt, top48, 0x40000000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, top48 - PAGE_SIZE, 0x40000000, 2 * PAGE_SIZE, S2_ATTRS), -1);
	assert_true(root_is_empty());
	assert_int_equal(pt_map(&pt, top48 - PAGE_SIZE, 0x40000000, PAGE_SIZE, S1_ATTRS), 0);
	assert_page(top48 - PAGE_SIZE, 0x40000000, S1_ATTRS);
	assert_int_equal(pt_lookup(&pt, top48 - 1), 0x40000fff);

	/* A 40-bit space from level 0 (a stage-1 shape: a root of two entries): index 1 is usable.
	 */
	pt_setup(0, 40);
	assert_int_equal(pt_map(&pt, top39, GiB(2), GiB(1), S2_ATTRS), 0);
	assert_block(top39, 1, GiB(2), S2_ATTRS);
	assert_int_equal(pt_map(&pt, 1UL << 40, GiB(2), PAGE_SIZE, S2_ATTRS), -1);
}

static void test_start_levels(void **state)
{
	static const struct {
		unsigned int start_level, va_bits;
	} cfgs[] = {{0, 48}, {1, 39}, {0, 40}, {1, 32}};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		const uint64_t va = 0xc0000000 - MiB(2) - 0x3000; /* < 4 GiB for the 32-bit space */

		pt_setup(cfgs[i].start_level, cfgs[i].va_bits);
		/* pages, a 2 MiB block, then a 1 GiB block */
		assert_int_equal(pt_map(&pt, va, 0x880000000UL - MiB(2) - 0x3000,
		                        0x3000 + MiB(2) + GiB(1), S2_ATTRS),
		                 0);
		assert_page(va, 0x880000000UL - MiB(2) - 0x3000, S2_ATTRS);
		assert_block(0xc0000000 - MiB(2), 2, 0x880000000UL - MiB(2), S2_ATTRS);
		assert_block(0xc0000000, 1, 0x880000000UL, S2_ATTRS);
		/* levels 2 and 3, plus level 1 when starting at level 0 */
		assert_int_equal(tables_allocated(), 2 + (cfgs[i].start_level == 0));
		assert_linear(va, 0x880000000UL - MiB(2) - 0x3000, 0x3000 + MiB(2) + GiB(1));
		assert_int_equal(pt_lookup(&pt, va - 1), NO_MAP);
		assert_int_equal(pt_lookup(&pt, 0x100000000UL), NO_MAP);
	}
}

/*
 * The root resolves 1 to 13 bits (one table, or up to 16 concatenated): other
 * shapes would index past any root the caller could have allocated.
 */
static void test_root_shape_limits(void **state)
{
	static const struct {
		unsigned int start_level, va_bits;
	} bad[] = {{1, 30}, {1, 44}, {0, 39}, {0, 52}, {2, 21}, {2, 35}, {3, 21}};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		pt_setup(bad[i].start_level, bad[i].va_bits);
		assert_int_equal(pt_map(&pt, 0, GiB(1), PAGE_SIZE, S2_ATTRS), -1);
		assert_int_equal(pt_lookup(&pt, 0), NO_MAP);
		assert_true(root_is_empty());
	}
	/* The limits themselves: 43 bits from level 1 is 16 tables, 31 bits is one entry in use. */
	pt_setup(1, 43);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), S2_ATTRS), 0);
	assert_block(GiB(1), 1, GiB(1), S2_ATTRS);
	pt_setup(1, 31);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), S2_ATTRS), 0);
	assert_int_equal(pt_map(&pt, GiB(2), GiB(1), GiB(1), S2_ATTRS), -1);
}

static void test_lookup_unmapped(void **state)
{
	(void)state;
	pt_setup(0, 48);
	/* Empty tables */
	assert_int_equal(pt_lookup(&pt, 0), NO_MAP);
	assert_int_equal(pt_lookup(&pt, 0x40000000), NO_MAP);
	assert_int_equal(pt_lookup(&pt, (1UL << 48) - 1), NO_MAP);

	assert_int_equal(pt_map(&pt, 0x40001000, 0x80001000, PAGE_SIZE, S1_ATTRS), 0);
	/* Holes at every level of the walk that exists */
	assert_int_equal(pt_lookup(&pt, 0x40000000), NO_MAP);            /* level 3 */
	assert_int_equal(pt_lookup(&pt, 0x40002000), NO_MAP);            /* level 3 */
	assert_int_equal(pt_lookup(&pt, 0x40200000), NO_MAP);            /* level 2 */
	assert_int_equal(pt_lookup(&pt, 0x80001000), NO_MAP);            /* level 1 */
	assert_int_equal(pt_lookup(&pt, GiB(512) + 0x40001000), NO_MAP); /* level 0 */
	assert_int_equal(pt_lookup(&pt, 0x40001fff), 0x80001fff);
	/* An address of all ones (what pt_lookup returns for "unmapped") is not mapped either */
	assert_int_equal(pt_lookup(&pt, NO_MAP & ((1UL << 48) - 1)), NO_MAP);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure                                                       */
/* ------------------------------------------------------------------------ */

static void test_alloc_failure(void **state)
{
	(void)state;
	pt_setup(1, 39);
	allocs_left = 0;
	assert_int_equal(pt_map(&pt, 0x1000, 0x40001000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(pt_map(&pt, MiB(2), 0x40200000, MiB(2), S2_ATTRS), -1);
	assert_true(root_is_empty());
	assert_int_equal(pt_lookup(&pt, 0x1000), NO_MAP);
	/* A 1 GiB block at the root needs no table: it still works. */
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), S2_ATTRS), 0);
	assert_block(GiB(1), 1, GiB(1), S2_ATTRS);

	/* The level-2 table can be had, the level-3 one cannot. */
	pt_setup(1, 39);
	allocs_left = 1;
	assert_int_equal(pt_map(&pt, 0x1000, 0x40001000, PAGE_SIZE, S2_ATTRS), -1);
	assert_int_equal(tables_allocated(), 1);
	assert_int_equal(pt_lookup(&pt, 0x1000), NO_MAP);
	/* The level-2 table left behind is empty and reused once memory is back. */
	allocs_left = -1;
	assert_int_equal(pt_map(&pt, 0x1000, 0x40001000, PAGE_SIZE, S2_ATTRS), 0);
	assert_int_equal(tables_allocated(), 2);
	assert_page(0x1000, 0x40001000, S2_ATTRS);

	/* Level 0 start: fail at each depth in turn. */
	for (int n = 0; n < 3; n++) {
		pt_setup(0, 48);
		allocs_left = n;
		assert_int_equal(pt_map(&pt, GiB(600) + 0x7000, 0x7000, PAGE_SIZE, S1_ATTRS), -1);
		assert_int_equal(tables_allocated(), n);
		assert_int_equal(pt_lookup(&pt, GiB(600) + 0x7000), NO_MAP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_l2_block),
	    cmocka_unit_test(test_l2_blocks_4mib_count_tables),
	    cmocka_unit_test(test_l1_block),
	    cmocka_unit_test(test_l1_block_needs_pa_alignment),
	    cmocka_unit_test(test_pages),
	    cmocka_unit_test(test_block_sized_but_misaligned_pa_uses_pages),
	    cmocka_unit_test(test_odd_size_block_plus_page),
	    cmocka_unit_test(test_range_crossing_2mib_boundaries),
	    cmocka_unit_test(test_range_crossing_1gib_boundaries),
	    cmocka_unit_test(test_range_crossing_512gib_at_level0),
	    cmocka_unit_test(test_second_map_reuses_tables),
	    cmocka_unit_test(test_overlap_block),
	    cmocka_unit_test(test_overlap_page),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_va_bits_limit),
	    cmocka_unit_test(test_start_levels),
	    cmocka_unit_test(test_root_shape_limits),
	    cmocka_unit_test(test_lookup_unmapped),
	    cmocka_unit_test(test_alloc_failure),
	};
	return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
