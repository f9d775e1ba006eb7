/*
 * Stage-2 geometry (arch/arm64/stage2.c) and the tables pagetable.c builds
 * with it, checked the way the MMU would use them: the VTCR_EL2 value is
 * decoded here against the Arm ARM's start-level rules, and every mapping is
 * read back by hw_walk(), a walker that knows nothing of pagetable.c. It
 * starts from the VTTBR_EL2 base address (ignoring the BADDR bits below the
 * root's size, as the hardware does), takes the start level from VTCR.SL0
 * and the root's index width from T0SZ, and follows descriptors, faulting
 * where the hardware would.
 *
 * Tables come from a static pool given fake physical addresses below 4 GiB
 * (POOL_PA + offset), so they are reachable with every PA size tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "arch/arm64/pagetable.h"
#include "arch/arm64/stage2.h"

#define POOL_PAGES 256
#define POOL_PA    0x80000000UL
#define NO_MAP     ((uint64_t)-1)
#define S2_ATTRS   (S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER)
#define VMID       1UL

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(65536)));
static unsigned int pool_used;

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

static void *pool_alloc(void)
{
	if (pool_used == POOL_PAGES)
		return NULL;
	memset(pool[pool_used], 0, PAGE_SIZE);
	return pool[pool_used++];
}

/*
 * A zeroed root of @size bytes at @skew bytes past a @size-aligned address
 * (skew 0: aligned as the architecture requires). One page is left unused
 * first so the pool's own 64 KiB alignment does not hide a wrong alignment.
 */
static uint64_t *pool_alloc_root(uint64_t size, uint64_t skew)
{
	unsigned int first = (unsigned int)((ALIGN_UP(PAGE_SIZE, size) + skew) / PAGE_SIZE);

	assert_true(first + size / PAGE_SIZE <= POOL_PAGES);
	pool_used = first + (unsigned int)(size / PAGE_SIZE);
	memset(pool[first], 0, size);
	return (uint64_t *)pool[first];
}

struct vm_tables {
	struct stage2_geometry geo;
	struct pagetable pt;
	uint64_t vttbr;
};

static struct vm_tables vt;

/* Tables for a VM as core/vm.c sets them up: geometry, an aligned root, VTTBR with a VMID. */
static void setup_tables(unsigned int ipa_bits, unsigned int pa_bits, uint64_t skew)
{
	pool_used = 0;
	assert_int_equal(stage2_geometry(ipa_bits, pa_bits, &vt.geo), 0);
	vt.pt = (struct pagetable){
	    .start_level = vt.geo.start_level,
	    .va_bits = vt.geo.ipa_bits,
	    .alloc_table = pool_alloc,
	    .virt_to_phys = pool_v2p,
	    .phys_to_virt = pool_p2v,
	};
	vt.pt.root = pool_alloc_root(vt.geo.root_size, skew);
	vt.vttbr = (VMID << 48) | pool_v2p(vt.pt.root);
}

/* ------------------------------------------------------------------------ */
/* An independent stage-2 walker                                            */
/* ------------------------------------------------------------------------ */

enum walk_result { WALK_OK, FAULT_BAD_SETUP, FAULT_TRANSLATION, FAULT_ADDRESS_SIZE, FAULT_AF };

struct walk {
	enum walk_result result;
	int level; /* where it stopped */
	uint64_t oa;
	uint64_t desc;
};

static unsigned int shift_of(int level)
{
	return 12 + 9 * (unsigned int)(3 - level);
}

/* VTCR_EL2.PS to bits, as in the Arm ARM's PS table. */
static unsigned int ps_to_bits(uint64_t ps)
{
	static const unsigned int bits[] = {32, 36, 40, 42, 44, 48, 52};

	return ps < ARRAY_SIZE(bits) ? bits[ps] : 0;
}

/* The Arm ARM's checks on VTCR_EL2 for the 4 KiB granule; the start level, or -1. */
static int vtcr_start_level(uint64_t vtcr)
{
	unsigned int n = 64 - (unsigned int)(vtcr & 0x3f);
	unsigned int sl0 = (vtcr >> 6) & 3;
	unsigned int pa_bits = ps_to_bits((vtcr >> 16) & 7);
	int level, start_bits;

	if (((vtcr >> 14) & 3) != 0 || sl0 == 3 || pa_bits == 0 || pa_bits == 52)
		return -1; /* not 4 KiB; SL0=3 needs FEAT_LPA2; 52-bit PS too */
	level = 2 - (int)sl0;
	start_bits = (int)n - (int)shift_of(level);
	if (start_bits < 1 || start_bits > 13)
		return -1; /* more than 16 tables, or none, at the start level */
	if (level == 0 && pa_bits <= 42)
		return -1; /* a level-0 start needs a PA size above 42 bits */
	if (n > pa_bits)
		return -1; /* IPA larger than PA: CONSTRAINED UNPREDICTABLE, taken as a fault */
	return level;
}

static uint64_t read_desc(uint64_t pa)
{
	uint64_t table = ALIGN_DOWN(pa, PAGE_SIZE);

	if (table < POOL_PA || table >= POOL_PA + (uint64_t)pool_used * PAGE_SIZE)
		fail_msg("walk reads a descriptor at PA 0x%lx, outside every table",
		         (unsigned long)pa);
	return ((uint64_t *)pool_p2v(table))[(pa % PAGE_SIZE) / 8];
}

static struct walk walk_fault(enum walk_result r, int level)
{
	return (struct walk){.result = r, .level = level, .oa = NO_MAP};
}

static struct walk hw_walk(uint64_t vtcr, uint64_t vttbr, uint64_t ipa)
{
	unsigned int n = 64 - (unsigned int)(vtcr & 0x3f);
	unsigned int pa_bits = ps_to_bits((vtcr >> 16) & 7);
	int level = vtcr_start_level(vtcr);
	unsigned int index_bits;
	uint64_t base;

	if (level < 0)
		return walk_fault(FAULT_BAD_SETUP, 0);
	if (ipa >> n)
		return walk_fault(FAULT_TRANSLATION, level);
	index_bits = n - shift_of(level);
	/* BADDR is VTTBR[47:1]; the bits below the root's size are not used. */
	base = vttbr & GENMASK(47, 1) & ~((8UL << index_bits) - 1);
	if (base >> pa_bits)
		return walk_fault(FAULT_ADDRESS_SIZE, level);
	for (;; level++, index_bits = 9) {
		uint64_t index = (ipa >> shift_of(level)) & ((1UL << index_bits) - 1);
		uint64_t desc = read_desc(base + 8 * index);
		uint64_t oa = desc & GENMASK(47, 12);
		uint64_t mask = (1UL << shift_of(level)) - 1;

		if (!(desc & 1) || (level == 3 && (desc & 3) != 3))
			return walk_fault(FAULT_TRANSLATION, level);
		if (oa >> pa_bits)
			return walk_fault(FAULT_ADDRESS_SIZE, level);
		if (level < 3 && (desc & 3) == 3) {
			base = oa;
			continue;
		}
		if (level == 0)
			return walk_fault(FAULT_TRANSLATION,
			                  level); /* no level-0 blocks at 4 KiB */
		if (!(desc & PTE_AF))
			return walk_fault(FAULT_AF, level);
		if (oa & mask)
			fail_msg(
			    "block descriptor 0x%lx at level %d has address bits below its size",
			    (unsigned long)desc, level);
		return (struct walk){
		    .result = WALK_OK, .level = level, .oa = oa | (ipa & mask), .desc = desc};
	}
}

static struct walk vm_walk(uint64_t ipa)
{
	return hw_walk(vt.geo.vtcr, vt.vttbr, ipa);
}

/* [ipa, ipa + size) is mapped to [pa, ...) for the MMU and for pt_lookup, at a few offsets. */
static void assert_mapped(uint64_t ipa, uint64_t pa, uint64_t size)
{
	const uint64_t offs[] = {0,        8,        PAGE_SIZE - 1,    PAGE_SIZE,
	                         size / 2, size - 8, size - PAGE_SIZE, size - 1};

	for (unsigned int i = 0; i < ARRAY_SIZE(offs); i++) {
		struct walk w;

		if (offs[i] >= size)
			continue;
		w = vm_walk(ipa + offs[i]);

		if (w.result != WALK_OK || w.oa != pa + offs[i])
			fail_msg("%u-bit IPA 0x%lx: walk result %d level %d OA 0x%lx, want 0x%lx",
			         vt.geo.ipa_bits, (unsigned long)(ipa + offs[i]), w.result, w.level,
			         (unsigned long)w.oa, (unsigned long)(pa + offs[i]));
		assert_int_equal(w.desc & ~GENMASK(47, 12) & ~3UL, S2_ATTRS | PTE_AF);
		assert_int_equal(pt_lookup(&vt.pt, ipa + offs[i]), pa + offs[i]);
	}
}

static void assert_unmapped(uint64_t ipa)
{
	struct walk w = vm_walk(ipa);

	if (w.result != FAULT_TRANSLATION)
		fail_msg("%u-bit IPA 0x%lx: walk result %d OA 0x%lx, want a translation fault",
		         vt.geo.ipa_bits, (unsigned long)ipa, w.result, (unsigned long)w.oa);
	assert_int_equal(pt_lookup(&vt.pt, ipa), NO_MAP);
}

/* ------------------------------------------------------------------------ */
/* Geometry                                                                 */
/* ------------------------------------------------------------------------ */

/* Each PARange IPA size with a PA size a CPU has (QEMU: a53 40, a57 44, max 48). */
static const struct cfg {
	unsigned int ipa_bits, pa_bits, start_level, root_tables;
} cfgs[] = {
    {32, 32, 1, 1},
    {36, 36, 1, 1},
    {40, 40, 1, 2},
    {42, 42, 1, 8},
    {44, 44, 0, 1},
    {48, 48, 0, 1},
    /* A 40-bit IPA on a 48-bit CPU still starts at level 1; 43 bits is the most level 1 can take.
     */
    {40, 48, 1, 2},
    {43, 44, 1, 16},
};

static void test_geometry_table(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct stage2_geometry g;

		memset(&g, 0xa5, sizeof(g));
		assert_int_equal(stage2_geometry(cfgs[i].ipa_bits, cfgs[i].pa_bits, &g), 0);
		assert_int_equal(g.ipa_bits, cfgs[i].ipa_bits);
		assert_int_equal(g.start_level, cfgs[i].start_level);
		assert_int_equal(g.root_tables, cfgs[i].root_tables);
		assert_int_equal(g.root_size, cfgs[i].root_tables * PAGE_SIZE);
	}
}

static void test_vtcr_obeys_arm_rules(void **state)
{
	/* Every field this code sets: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS, RES1 bit 31. */
	const uint64_t known = GENMASK(18, 0) | BIT(31);

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct stage2_geometry g;
		uint64_t v;
		unsigned int n, start_bits;

		assert_int_equal(stage2_geometry(cfgs[i].ipa_bits, cfgs[i].pa_bits, &g), 0);
		v = g.vtcr;
		n = 64 - (unsigned int)(v & 0x3f);
		assert_int_equal(n, cfgs[i].ipa_bits);
		assert_int_equal(vtcr_start_level(v), (int)g.start_level);
		assert_int_equal(ps_to_bits((v >> 16) & 7), cfgs[i].pa_bits);
		assert_int_equal((v >> 8) & 3, 1);  /* IRGN0: write-back */
		assert_int_equal((v >> 10) & 3, 1); /* ORGN0: write-back */
		assert_int_equal((v >> 12) & 3, 3); /* SH0: inner shareable */
		assert_int_equal((v >> 14) & 3, 0); /* TG0: 4 KiB */
		assert_true(v & BIT(31));           /* RES1 */
		assert_int_equal(v & ~known, 0);    /* nothing else (VS, HA, HD...) */
		/* The root holds 2^start_bits entries, in whole 4 KiB tables, and is a power of
		 * two. */
		start_bits = n - shift_of((int)g.start_level);
		assert_int_equal(g.root_size, MAX(8UL << start_bits, PAGE_SIZE));
		assert_true(g.root_tables >= 1 && g.root_tables <= 16);
		assert_int_equal(g.root_size & (g.root_size - 1), 0);
	}

	/* The rules above reject what vm.c used to program for a 40-bit CPU: level 0, SL0=2. */
	assert_int_equal(vtcr_start_level(24 | (2UL << 6) | (2UL << 16) | BIT(31)), -1);
	/* ... and a 44-bit IPA from level 1 (14 bits at the start level: 32 tables). */
	assert_int_equal(vtcr_start_level(20 | (1UL << 6) | (4UL << 16) | BIT(31)), -1);
}

static void test_refused_sizes(void **state)
{
	static const struct {
		unsigned int ipa_bits, pa_bits;
	} bad[] = {
	    {31, 32}, {30, 48}, {49, 48}, {52, 52}, {48, 52}, /* below 32, above 48, FEAT_LPA2 */
	    {40, 41}, {40, 0},  {0, 0},   {64, 48},           /* PA sizes PARange cannot report */
	    {40, 36}, {44, 42}, {48, 44},                     /* IPA larger than PA */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct stage2_geometry g;

		if (stage2_geometry(bad[i].ipa_bits, bad[i].pa_bits, &g) != -1)
			fail_msg("%u-bit IPA, %u-bit PA accepted", bad[i].ipa_bits, bad[i].pa_bits);
	}
}

/* ------------------------------------------------------------------------ */
/* Tables built with the geometry, walked as the MMU would                  */
/* ------------------------------------------------------------------------ */

static void test_map_low_and_top(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		const uint64_t top = 1UL << cfgs[i].ipa_bits;
		/* RAM where QEMU virt has it: 2 MiB blocks, then three pages */
		const uint64_t ram = GiB(1), ram_pa = 0x42a00000, ram_size = MiB(16) + 0x3000;
		/* The last 2 MiB block and the page below it */
		const uint64_t hi = top - MiB(2) - PAGE_SIZE, hi_pa = 0x60000000 - PAGE_SIZE;

		setup_tables(cfgs[i].ipa_bits, cfgs[i].pa_bits, 0);
		assert_int_equal(pt_map(&vt.pt, ram, ram_pa, ram_size, S2_ATTRS), 0);
		assert_int_equal(pt_map(&vt.pt, hi, hi_pa, MiB(2) + PAGE_SIZE, S2_ATTRS), 0);

		assert_mapped(ram, ram_pa, ram_size);
		assert_int_equal(vm_walk(ram).level, 2);
		assert_int_equal(vm_walk(ram + MiB(16)).level, 3);
		assert_mapped(hi, hi_pa, MiB(2) + PAGE_SIZE);
		assert_int_equal(vm_walk(top - 1).level, 2);
		assert_unmapped(ram - 1);
		assert_unmapped(ram + ram_size);
		assert_unmapped(hi - 1);
		assert_unmapped(0);
	}
}

/* Mappings either side of each boundary between two concatenated root tables. */
static void test_map_across_root_tables(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		/* One root table covers 512 entries of the start level (512 GiB at level 1). */
		const uint64_t per_table = 512UL << shift_of((int)cfgs[i].start_level);

		if (cfgs[i].root_tables == 1)
			continue;
		setup_tables(cfgs[i].ipa_bits, cfgs[i].pa_bits, 0);
		/* Something at IPA 0 that a 512-entry wrap would alias. */
		assert_int_equal(pt_map(&vt.pt, 0, GiB(3), GiB(1), S2_ATTRS), 0);
		for (unsigned int t = 1; t < cfgs[i].root_tables; t++) {
			const uint64_t b = t * per_table; /* 40-bit: 0x80_0000_0000 */
			/* pages, a 2 MiB block below it; a 1 GiB block, a page above it */
			const uint64_t ipa = b - MiB(2) - PAGE_SIZE,
				       size = MiB(2) + GiB(1) + 2 * PAGE_SIZE;
			const uint64_t pa = GiB(4) * t - MiB(2) - PAGE_SIZE;

			assert_int_equal(pt_map(&vt.pt, ipa, pa, size, S2_ATTRS), 0);
			assert_mapped(ipa, pa, size);
			assert_int_equal(vm_walk(b).level, 1);
			assert_int_equal(vm_walk(b).oa, GiB(4) * t);
			assert_int_equal(vm_walk(b - 1).level, 2);
			assert_unmapped(ipa - 1);
			assert_unmapped(ipa + size);
			/* The 1 GiB block sits in root table t, entry 0. */
			assert_int_equal(vt.pt.root[512 * t] & GENMASK(47, 12), GiB(4) * t);
		}
		assert_mapped(0, GiB(3), GiB(1));
	}
}

static void test_out_of_range_refused(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cfgs); i++) {
		const uint64_t top = 1UL << cfgs[i].ipa_bits;

		setup_tables(cfgs[i].ipa_bits, cfgs[i].pa_bits, 0);
		assert_int_equal(pt_map(&vt.pt, top, GiB(1), PAGE_SIZE, S2_ATTRS), -1);
		assert_int_equal(pt_map(&vt.pt, top - PAGE_SIZE, GiB(1), 2 * PAGE_SIZE, S2_ATTRS),
		                 -1);
		assert_int_equal(pt_map(&vt.pt, top + GiB(1), GiB(1), GiB(1), S2_ATTRS), -1);
		assert_int_equal(pt_map(&vt.pt, 0xfffffffffffff000UL, GiB(1), 0x2000, S2_ATTRS),
		                 -1);
		for (uint64_t e = 0; e < vt.geo.root_size / 8; e++)
			assert_int_equal(vt.pt.root[e], 0);
		assert_int_equal(pool_used * PAGE_SIZE, ALIGN_UP(PAGE_SIZE, vt.geo.root_size) +
		                                            vt.geo.root_size); /* no table taken */
		assert_int_equal(pt_lookup(&vt.pt, top), NO_MAP);
		assert_int_equal(vm_walk(top).result, FAULT_TRANSLATION);

		/* The last page is in range, for the tables and for the MMU. */
		assert_int_equal(pt_map(&vt.pt, top - PAGE_SIZE, GiB(1), PAGE_SIZE, S2_ATTRS), 0);
		assert_mapped(top - PAGE_SIZE, GiB(1), PAGE_SIZE);
	}
}

/*
 * The walker's own check: a 40-bit root placed 4 KiB off its 8 KiB alignment
 * is walked from the wrong table, so the alignment the geometry asks for is
 * what makes the maps above work.
 */
static void test_misaligned_root_is_walked_wrong(void **state)
{
	(void)state;
	setup_tables(40, 40, PAGE_SIZE);
	assert_int_equal(pt_map(&vt.pt, 1UL << 39, GiB(2), GiB(1), S2_ATTRS), 0);
	assert_int_equal(pt_lookup(&vt.pt, 1UL << 39), GiB(2));
	assert_int_equal(vm_walk(1UL << 39).result, FAULT_TRANSLATION);

	setup_tables(40, 40, 0);
	assert_int_equal(pt_map(&vt.pt, 1UL << 39, GiB(2), GiB(1), S2_ATTRS), 0);
	assert_mapped(1UL << 39, GiB(2), GiB(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_geometry_table),
	    cmocka_unit_test(test_vtcr_obeys_arm_rules),
	    cmocka_unit_test(test_refused_sizes),
	    cmocka_unit_test(test_map_low_and_top),
	    cmocka_unit_test(test_map_across_root_tables),
	    cmocka_unit_test(test_out_of_range_refused),
	    cmocka_unit_test(test_misaligned_root_is_walked_wrong),
	};
	return cmocka_run_group_tests_name("stage2", tests, NULL, NULL);
}
