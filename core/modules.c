/* Boot module checks (see modules.h). Host-testable: plain memory reads only. */
#include "core/modules.h"

#define ARM64_IMAGE_MAGIC_OFFSET 0x38
#define ARM64_IMAGE_MAGIC        0x644d5241u /* "ARM\x64", little endian */
#define ARM64_IMAGE_HEADER_SIZE  64

struct module_desc {
	const char *kind;
	const struct dt_region *r;
};

/* Do @a and [start, end) share a byte? Compared on last bytes: a region may end at 2^64. */
static bool overlaps(const struct dt_region *a, uint64_t start, uint64_t end)
{
	return end > start && a->base <= end - 1 && start <= a->base + (a->size - 1);
}

static int module_fail(struct dt_error *err, const struct module_desc *m, const char *problem,
                       uint64_t value)
{
	return dt_error(err, "boot module %s at 0x%lx (%lu bytes): %s 0x%lx", m->kind,
	                (unsigned long)m->r->base, (unsigned long)m->r->size, problem,
	                (unsigned long)value);
}

/* The RAM bank holding all of @m, or NULL. */
static const struct dt_region *module_bank(const struct dt_host *host, const struct dt_region *m)
{
	for (unsigned int i = 0; i < host->nr_mem; i++) {
		const struct dt_region *b = &host->mem[i];

		if (m->base >= b->base && m->base - b->base < b->size &&
		    m->size <= b->size - (m->base - b->base))
			return b;
	}
	return NULL;
}

static int module_check_place(const struct dt_host *host, const struct module_desc *m,
                              uint64_t hyp_start, uint64_t hyp_end, struct dt_error *err)
{
	if (!module_bank(host, m->r))
		return module_fail(err, m, "is not inside RAM; it would end at",
		                   m->r->base + m->r->size);
	if (overlaps(m->r, hyp_start, hyp_end))
		return module_fail(err, m, "overlaps the hypervisor image, which starts at",
		                   hyp_start);
	return 0;
}

/* A byte at a time: a module need not be aligned, and the MMU may treat it as Device. */
static uint32_t read_le32(uint64_t addr)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)addr;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int module_check_kernel(const struct module_desc *m, struct dt_error *err)
{
	uint32_t magic;

	if (m->r->size < ARM64_IMAGE_HEADER_SIZE)
		return module_fail(err, m, "is too small for an arm64 Image header: size",
		                   m->r->size);
	magic = read_le32(m->r->base + ARM64_IMAGE_MAGIC_OFFSET);
	if (magic != ARM64_IMAGE_MAGIC)
		return module_fail(err, m, "is not an arm64 Image (no \"ARM\\x64\" at 0x38): found",
		                   magic);
	return 0;
}

#define FDT_HEADER_SIZE 40

static int module_check_dtb(const struct module_desc *m, struct dt_error *err)
{
	uint32_t size;

	/* libfdt and the boot protocol want an 8-byte aligned DTB. */
	if (!IS_ALIGNED(m->r->base, 8))
		return module_fail(err, m, "is not 8-byte aligned, as a DTB must be: address",
		                   m->r->base);
	if (m->r->size < FDT_HEADER_SIZE)
		return module_fail(err, m, "is too small for a DTB header: size", m->r->size);
	size = dt_blob_size((const void *)(uintptr_t)m->r->base);
	if (!size)
		return module_fail(err, m, "is not a device tree (bad header); first word",
		                   read_le32(m->r->base));
	if (size > m->r->size)
		return module_fail(err, m, "holds a DTB larger than the module: totalsize", size);
	return 0;
}

int modules_check_set(const struct dt_host *host, const struct dt_modules *mods, uint64_t hyp_start,
                      uint64_t hyp_end, struct dt_error *err)
{
	const struct module_desc all[] = {
	    {"kernel", &mods->kernel},
	    {"ramdisk", &mods->ramdisk},
	    {"device-tree", &mods->dtb},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(all); i++) {
		const struct module_desc *m = &all[i];

		if (!m->r->size)
			continue;
		if (module_check_place(host, m, hyp_start, hyp_end, err))
			return -1;
		for (unsigned int j = 0; j < i; j++) {
			if (all[j].r->size &&
			    overlaps(m->r, all[j].r->base, all[j].r->base + all[j].r->size))
				return dt_error(
				    err,
				    "boot module %s at 0x%lx (%lu bytes) overlaps module %s "
				    "at 0x%lx",
				    m->kind, (unsigned long)m->r->base, (unsigned long)m->r->size,
				    all[j].kind, (unsigned long)all[j].r->base);
		}
	}
	if (mods->kernel.size && module_check_kernel(&all[0], err))
		return -1;
	if (mods->dtb.size && module_check_dtb(&all[2], err))
		return -1;
	return 0;
}

int modules_check(const struct dt_host *host, uint64_t hyp_start, uint64_t hyp_end,
                  struct dt_error *err)
{
	return modules_check_set(host, &host->modules, hyp_start, hyp_end, err);
}
