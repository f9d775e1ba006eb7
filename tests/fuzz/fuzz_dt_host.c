/*
 * libFuzzer target: the host device-tree parser (core/dt.c dt_parse_host(),
 * as tests/unit/test_dt.c calls it) on arbitrary blobs, then the boot-module
 * checks (core/modules.c modules_check()) on the /chosen modules it found.
 *
 * The input is the blob, copied into an 8-byte aligned buffer of exactly its
 * size (so ASan sees any read past it). A header whose totalsize is larger
 * than the input is cut down to it: the hypervisor only ever parses a DTB
 * that lies whole in memory. Seeds: the QEMU and Raspberry Pi 4 DTBs.
 *
 * Invariants of dt_parse_host(): it returns 0 or -1; -1 comes with a
 * message and an all-zero result; 0 with 1-8 RAM banks and 1-8 CPUs (unique
 * MPIDRs), a GIC of version 2 or 3 with GICD and GICR/GICC, regions that do
 * not wrap, every string NUL-terminated, non-empty modules that do not wrap
 * and a kernel whenever there is any module.
 *
 * modules_check() reads the first bytes of the kernel and DTB modules, so it
 * is given RAM it can read: the parsed host is moved into a buffer of
 * FAKE_RAM bytes (bank 0 of the DT at its start, the modules and the
 * hypervisor image at the same offsets from it). Its invariants: 0 only if
 * every module lies in that RAM, clear of the image and of each other, the
 * kernel has the arm64 Image magic and the DTB module holds a whole DTB (its
 * reads stay inside the RAM: ASan); -1 with a message.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "core/dt.h"
#include "core/modules.h"
#include "fuzz_input.h"

#define FAKE_RAM 65536

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool region_ok(const struct dt_region *r)
{
	return !r->size || r->base + (r->size - 1) >= r->base;
}

static void check_parsed(const struct dt_host *h)
{
	FUZZ_CHECK(h->nr_mem >= 1 && h->nr_mem <= DT_MAX_MEM_BANKS, "nr_mem %u", h->nr_mem);
	for (unsigned int i = 0; i < h->nr_mem; i++)
		FUZZ_CHECK(h->mem[i].size && region_ok(&h->mem[i]), "bank %u wraps or is empty", i);
	FUZZ_CHECK(h->nr_cpus >= 1 && h->nr_cpus <= DT_MAX_CPUS, "nr_cpus %u", h->nr_cpus);
	for (unsigned int i = 0; i < h->nr_cpus; i++)
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(h->cpus[i].mpidr != h->cpus[j].mpidr,
			           "CPUs %u and %u share an MPIDR", j, i);
	FUZZ_CHECK(h->gic.version == 2 || h->gic.version == 3, "GIC version %u", h->gic.version);
	FUZZ_CHECK(region_ok(&h->gic.gicd) && region_ok(&h->gic.gicc) && region_ok(&h->gic.gich) &&
	               region_ok(&h->gic.gicv) && region_ok(&h->gic.gicr) &&
	               region_ok(&h->uart.reg) && region_ok(&h->pm_wdt),
	           "a device region wraps");
	FUZZ_CHECK(h->nr_reserved <= DT_MAX_RESERVED, "nr_reserved %u", h->nr_reserved);
	FUZZ_CHECK(terminated(h->model, sizeof(h->model)) &&
	               terminated(h->gic.compatible, sizeof(h->gic.compatible)) &&
	               terminated(h->uart.path, sizeof(h->uart.path)) &&
	               terminated(h->modules.bootargs, sizeof(h->modules.bootargs)),
	           "a string is not terminated");
	FUZZ_CHECK(region_ok(&h->modules.kernel) && region_ok(&h->modules.ramdisk) &&
	               region_ok(&h->modules.dtb),
	           "a module wraps");
	FUZZ_CHECK(h->modules.kernel.size || (!h->modules.ramdisk.size && !h->modules.dtb.size),
	           "modules but no kernel");
}

static bool inside(const struct dt_region *r, uint64_t base, uint64_t size)
{
	return r->base >= base && r->base - base < size && r->size <= size - (r->base - base);
}

static bool overlap(const struct dt_region *a, const struct dt_region *b)
{
	return a->size && b->size && a->base <= b->base + (b->size - 1) &&
	       b->base <= a->base + (a->size - 1);
}

/* modules_check() on @h moved into @ram, with the image at @hyp_off for @hyp_size bytes. */
static void check_modules(const struct dt_host *parsed, uint8_t *ram, uint64_t hyp_off,
                          uint64_t hyp_size)
{
	struct dt_host h = *parsed;
	uint64_t base = (uint64_t)(uintptr_t)ram, delta = base - parsed->mem[0].base;
	struct dt_region *mods[] = {&h.modules.kernel, &h.modules.ramdisk, &h.modules.dtb};
	struct dt_region hyp = {base + hyp_off, hyp_size};
	struct dt_error err = {{0}};
	int ret;

	h.nr_mem = 1;
	h.mem[0] = (struct dt_region){base, FAKE_RAM};
	for (unsigned int i = 0; i < ARRAY_SIZE(mods); i++)
		if (mods[i]->size)
			mods[i]->base += delta;
	ret = modules_check(&h, hyp.base, hyp.base + hyp.size, &err);
	FUZZ_CHECK(ret == 0 || ret == -1, "modules_check returned %d", ret);
	FUZZ_CHECK(terminated(err.msg, sizeof(err.msg)), "message not terminated");
	if (ret != 0) {
		FUZZ_CHECK(err.msg[0], "modules_check failed without a message");
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(mods); i++) {
		if (!mods[i]->size)
			continue;
		FUZZ_CHECK(inside(mods[i], base, FAKE_RAM), "module %u outside RAM accepted", i);
		FUZZ_CHECK(!overlap(mods[i], &hyp), "module %u over the image accepted", i);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(!overlap(mods[i], mods[j]), "modules %u and %u overlap", j, i);
	}
	if (h.modules.kernel.size)
		FUZZ_CHECK(h.modules.kernel.size >= 64 &&
		               memcmp((const void *)(uintptr_t)(h.modules.kernel.base + 0x38),
		                      "ARM\x64", 4) == 0,
		           "a kernel without the Image magic accepted");
	if (h.modules.dtb.size) {
		const void *dtb = (const void *)(uintptr_t)h.modules.dtb.base;

		FUZZ_CHECK(h.modules.dtb.base % 8 == 0 && fdt_magic(dtb) == FDT_MAGIC &&
		               fdt_totalsize(dtb) <= h.modules.dtb.size,
		           "a DTB module without a whole DTB accepted");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct dt_host host;
	struct dt_error err = {{0}};
	uint8_t *blob;
	int ret;

	if (size < 16)
		return 0;
	/* The last 16 bytes place the hypervisor image in the fake RAM. */
	size -= 16;
	blob = aligned_alloc(8, (size + 7) & ~(size_t)7);
	memcpy(blob, data, size);
	if (size >= sizeof(struct fdt_header) && fdt_magic(blob) == FDT_MAGIC &&
	    fdt_totalsize(blob) > size)
		fdt_set_totalsize(blob, (uint32_t)size);

	ret = dt_parse_host(size >= sizeof(struct fdt_header) ? blob : NULL, &host, &err);
	FUZZ_CHECK(ret == 0 || ret == -1, "dt_parse_host returned %d", ret);
	FUZZ_CHECK(terminated(err.msg, sizeof(err.msg)), "message not terminated");
	if (ret != 0) {
		static const struct dt_host zero;

		FUZZ_CHECK(err.msg[0], "dt_parse_host failed without a message");
		FUZZ_CHECK(memcmp(&host, &zero, sizeof(host)) == 0, "a failed parse left data");
	} else {
		struct fuzz_in tail = {data + size, 16};
		uint64_t hyp_off = fin_u64(&tail) % (2 * FAKE_RAM),
			 hyp_size = fin_u64(&tail) % 4096;

		check_parsed(&host);
		if (!ram) {
			ram = aligned_alloc(4096, FAKE_RAM);
			for (unsigned int i = 0; i < FAKE_RAM; i++)
				ram[i] = (uint8_t)(i * 7);
			memcpy(ram + 0x38, "ARM\x64", 4); /* an Image at the start of RAM, */
			fdt_create_empty_tree(ram + 0x1000, 512); /* a DTB 4 KiB in */
		}
		check_modules(&host, ram, hyp_off, hyp_size);
	}
	free(blob);
	return 0;
}
