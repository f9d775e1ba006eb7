/*
 * EL2 stage-1 translation: identity mapped, 48-bit VA, 4 KiB granule.
 *
 * The boot CPU builds the first tables with its MMU off, from a small pool in
 * BSS (the page allocator is not usable before the DT is read). Because those
 * writes bypass the caches, the image is invalidated from the data cache before
 * the MMU is switched on, so no stale line can hide them.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/pagetable.h"
#include "arch/arm64/sysregs.h"
#include "core/lib.h"
#include "core/mm.h"

#define BOOT_TABLES 16

/* Linker script symbols */
extern char _start_image[], _etext[], _erodata[], _end[];

struct mmu_boot_regs mmu_boot_regs;

static uint64_t boot_tables[BOOT_TABLES][512] __aligned(PAGE_SIZE);
static unsigned int boot_tables_used;
static uint64_t *hyp_root;

static void *boot_alloc_table(void)
{
	if (boot_tables_used < BOOT_TABLES)
		return boot_tables[boot_tables_used++];
	return page_alloc_zeroed();
}

static uint64_t identity_v2p(const void *p)
{
	return (uint64_t)p;
}

static void *identity_p2v(uint64_t pa)
{
	return (void *)pa;
}

static struct pagetable hyp_pt = {
    .start_level = 0,
    .va_bits = 48,
    .alloc_table = boot_alloc_table,
    .virt_to_phys = identity_v2p,
    .phys_to_virt = identity_p2v,
};

#define ATTR_NORMAL (PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AP_EL2)
#define ATTR_TEXT   (ATTR_NORMAL | PTE_AP_RO)
#define ATTR_RODATA (ATTR_NORMAL | PTE_AP_RO | PTE_XN)
#define ATTR_DATA   (ATTR_NORMAL | PTE_XN)
#define ATTR_DEVICE (PTE_ATTRIDX(MAIR_IDX_DEVICE_nGnRE) | PTE_AP_EL2 | PTE_XN)

unsigned int mmu_pa_bits(void)
{
	static const unsigned int bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned int range = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;

	return range < ARRAY_SIZE(bits) ? MIN(bits[range], 48u) : 48u;
}

static unsigned int pa_bits_to_ps(unsigned int bits)
{
	switch (bits) {
	case 32:
		return 0;
	case 36:
		return 1;
	case 40:
		return 2;
	case 42:
		return 3;
	case 44:
		return 4;
	default:
		return 5;
	}
}

static void map_or_panic(uint64_t pa, uint64_t size, uint64_t attrs, const char *what)
{
	if (pt_map(&hyp_pt, pa, pa, size, attrs))
		panic("cannot map %s at 0x%lx (+0x%lx) in the hypervisor's tables", what, pa, size);
}

static void mmu_compute_boot_regs(void)
{
	mmu_boot_regs.mair =
	    (0x00UL << (8 * MAIR_IDX_DEVICE_nGnRnE)) | (0xffUL << (8 * MAIR_IDX_NORMAL)) |
	    (0x04UL << (8 * MAIR_IDX_DEVICE_nGnRE)) | (0x44UL << (8 * MAIR_IDX_NORMAL_NC));
	/* T0SZ=16 (48-bit VA), walks inner-shareable write-back, 4K granule, PS from PARange. */
	mmu_boot_regs.tcr = 16UL | (1UL << 8) | (1UL << 10) | (3UL << 12) |
	                    ((uint64_t)pa_bits_to_ps(mmu_pa_bits()) << 16) | BIT(23) | BIT(31);
	mmu_boot_regs.ttbr = (uint64_t)hyp_root;
	mmu_boot_regs.sctlr =
	    SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I | SCTLR_EL2_SA | SCTLR_EL2_WXN;
}

static void mmu_enable(void)
{
	WRITE_SYSREG(mmu_boot_regs.mair, mair_el2);
	WRITE_SYSREG(mmu_boot_regs.tcr, tcr_el2);
	WRITE_SYSREG(mmu_boot_regs.ttbr, ttbr0_el2);
	isb();
	__asm__ volatile("tlbi alle2" : : : "memory");
	dsb(nsh);
	icache_inval_all();
	WRITE_SYSREG(mmu_boot_regs.sctlr, sctlr_el2);
	isb();
}

void mmu_init_boot(void)
{
	uint64_t start = (uint64_t)_start_image;

	hyp_root = boot_alloc_table();
	hyp_pt.root = hyp_root;
	map_or_panic(start, (uint64_t)_etext - start, ATTR_TEXT, "text");
	map_or_panic((uint64_t)_etext, (uint64_t)(_erodata - _etext), ATTR_RODATA, "rodata");
	map_or_panic((uint64_t)_erodata, (uint64_t)(_end - _erodata), ATTR_DATA, "data");
	map_or_panic(ALIGN_DOWN(PLATFORM_EARLY_UART, PAGE_SIZE), PAGE_SIZE, ATTR_DEVICE,
	             "the early UART");
	mmu_compute_boot_regs();

	/* Everything above was written with the caches off: drop any stale line. */
	dcache_inval_range(_start_image, (size_t)(_end - _start_image));
	mmu_enable();

	/* Secondary CPUs read these with their MMU off. */
	dcache_clean_range(&mmu_boot_regs, sizeof(mmu_boot_regs));
}

static void publish_new_entries(void)
{
	/* New entries only replace invalid ones: a barrier suffices, no TLB maintenance. */
	dsb(ishst);
	isb();
}

void mmu_map_device(uint64_t pa, uint64_t size)
{
	uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE);
	uint64_t end = ALIGN_UP(pa + size, PAGE_SIZE);

	for (uint64_t p = start; p < end; p += PAGE_SIZE) {
		if (pt_lookup(&hyp_pt, p) == (uint64_t)-1)
			map_or_panic(p, PAGE_SIZE, ATTR_DEVICE, "a device");
	}
	publish_new_entries();
}

void mmu_map_ram(uint64_t pa, uint64_t size)
{
	uint64_t img_start = (uint64_t)_start_image, img_end = (uint64_t)_end;
	uint64_t start = ALIGN_UP(pa, PAGE_SIZE), end = ALIGN_DOWN(pa + size, PAGE_SIZE);

	/* The image is already mapped W^X: map what lies before and after it. */
	if (start < img_start)
		map_or_panic(start, MIN(end, img_start) - start, ATTR_DATA, "RAM");
	if (end > img_end)
		map_or_panic(MAX(start, img_end), end - MAX(start, img_end), ATTR_DATA, "RAM");
	publish_new_entries();
}
