/*
 * Boot modules: the parser of Xen's multiboot binding under /chosen (in
 * dt_parse_host(), against copies of the QEMU virt DTB edited with libfdt),
 * and modules_check() against real host buffers standing in for RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "core/dt.h"
#include "dt_test_helpers.h"
#include "core/modules.h"

#define QEMU_V3_DTB "../dtbs/qemu-virt-gicv3.dtb"

/* Room for the properties and nodes a test adds to its copy. */
#define EDIT_ROOM 8192

/* The fake RAM bank of the modules_check() tests: a real, aligned host buffer. */
#define RAM_SIZE  (8UL << 20)
#define RAM_ALIGN (2UL << 20)

/* Where the modules and the hypervisor sit in it, as offsets from its start. */
#define KERNEL_OFF  0x010000UL
#define KERNEL_SIZE 0x100000UL
#define RAMDISK_OFF 0x200000UL
#define RAMDISK_SZ  0x100000UL
#define DTB_OFF     0x400000UL
#define DTB_SIZE    0x010000UL
#define HYP_OFF     0x600000UL
#define HYP_SIZE    0x100000UL

#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64", little endian */

/* The module nodes' compatible lists, as Xen's binding spells them. */
#define COMPAT_KERNEL  "multiboot,kernel\0multiboot,module"
#define COMPAT_RAMDISK "multiboot,ramdisk\0multiboot,module"
#define COMPAT_DTB     "multiboot,device-tree\0multiboot,module"
#define COMPAT_MODULE  "multiboot,module"

static void *qemu_v3; /* the DTB as read from disk */
static void *copy;    /* a test's editable copy, freed by free_copy() */
static uint8_t *ram;  /* the fake RAM bank, RAM_SIZE bytes */

/* ------------------------------------------------------------------------ */
/* Fixtures and helpers                                                     */
/* ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
	(void)state;
	qemu_v3 = read_dtb(QEMU_V3_DTB);
	ram = aligned_alloc(RAM_ALIGN, RAM_SIZE);
	return qemu_v3 && ram ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(qemu_v3);
	free(ram);
	return 0;
}

static int free_copy(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	return 0;
}

/* An editable copy of @src with EDIT_ROOM bytes to grow into. */
static void *dtb_copy(const void *src)
{
	return dt_test_copy(&copy, src, EDIT_ROOM);
}

static void add_node(void *fdt, const char *parent, const char *name)
{
	assert_true(fdt_add_subnode(fdt, node_at(fdt, parent), name) >= 0);
}

/* Parsing fails, says @needle and leaves nothing half-filled behind. */
static void parse_fails(const void *fdt, const char *needle)
{
	static const struct dt_host zero;
	struct dt_host host;
	struct dt_error err;

	memset(&host, 0xa5, sizeof(host));
	memset(&err, 0xa5, sizeof(err));
	assert_int_equal(dt_parse_host(fdt, &host, &err), -1);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	assert_contains(err.msg, needle);
	assert_memory_equal(&host, &zero, sizeof(host));
}

/* The QEMU DTB with /chosen in the binding's cells: #address-cells 2, #size-cells 2. */
static void *chosen_2_2(void)
{
	void *fdt = dtb_copy(qemu_v3);

	set_cells(fdt, "/chosen", "#address-cells", 2);
	set_cells(fdt, "/chosen", "#size-cells", 2);
	return fdt;
}

/*
 * Add /chosen/@name with compatible @compat (a string list of @compat_len
 * bytes, NULs included) and, in 2/2 cells, reg <@base @size>.
 */
static void add_module_n(void *fdt, const char *name, const char *compat, int compat_len,
                         uint64_t base, uint64_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/chosen/%s", name);
	add_node(fdt, "/chosen", name);
	assert_int_equal(fdt_setprop(fdt, node_at(fdt, path), "compatible", compat, compat_len), 0);
	set_cells(fdt, path, "reg", (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
	          (uint32_t)size);
}

/* add_module(fdt, name, COMPAT_..., base, size), the literal's terminating NUL included. */
#define add_module(fdt, name, compat, base, size) \
	add_module_n(fdt, name, compat, (int)sizeof(compat), base, size)

/* ------------------------------------------------------------------------ */
/* Parsing the multiboot binding                                            */
/* ------------------------------------------------------------------------ */

static void test_parse_kernel_ramdisk_bootargs(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@47000000", COMPAT_KERNEL, 0x47000000, 0x1234567);
	set_string(fdt, "/chosen/module@47000000", "bootargs", "console=ttyAMA0 rdinit=/init");
	add_module(fdt, "module@4a000000", COMPAT_RAMDISK, 0x4a000000, 0x89abc);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x47000000, 0x1234567);
	assert_region(&host.modules.ramdisk, 0x4a000000, 0x89abc);
	assert_region(&host.modules.dtb, 0, 0);
	assert_true(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "console=ttyAMA0 rdinit=/init");
	assert_true(modules_present(&host));
	/* The rest of the tree is parsed as before. */
	assert_int_equal(host.nr_mem, 1);
	assert_region(&host.mem[0], 0x40000000, 0x40000000);
}

static void test_parse_64bit_addresses_untranslated(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* Both cells of address and size are used; nothing goes through any ranges. */
	add_module(fdt, "module@880000000", COMPAT_KERNEL, 0x880000000ULL, 0x100000000ULL);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x880000000ULL, 0x100000000ULL);
	assert_region(&host.modules.ramdisk, 0, 0);
	assert_false(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "");
}

static void test_parse_device_tree_module(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	add_module(fdt, "module@49000000", COMPAT_DTB, 0x49000000, 0x2000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);
	assert_region(&host.modules.dtb, 0x49000000, 0x2000);
	assert_region(&host.modules.ramdisk, 0, 0);
	assert_false(host.modules.has_bootargs);
}

static void test_parse_all_three_any_order(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* fdt_add_subnode() puts new nodes first: these are seen dtb, ramdisk, kernel. */
	add_module(fdt, "kernel@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	add_module(fdt, "ramdisk@4a000000", COMPAT_RAMDISK, 0x4a000000, 0x400000);
	add_module(fdt, "dtb@49000000", COMPAT_DTB, 0x49000000, 0x2000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);
	assert_region(&host.modules.ramdisk, 0x4a000000, 0x400000);
	assert_region(&host.modules.dtb, 0x49000000, 0x2000);
}

static void test_parse_untyped_kernel_then_ramdisk(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* fdt_add_subnode() puts new nodes first: module@48000000 is seen first. */
	add_module(fdt, "module@4a000000", COMPAT_MODULE, 0x4a000000, 0x300000);
	set_string(fdt, "/chosen/module@4a000000", "bootargs", "not the kernel's");
	add_module(fdt, "module@48000000", COMPAT_MODULE, 0x48000000, 0x800000);
	set_string(fdt, "/chosen/module@48000000", "bootargs", "root=/dev/vda");
	assert_string_equal(
	    fdt_get_name(fdt, fdt_first_subnode(fdt, node_at(fdt, "/chosen")), NULL),
	    "module@48000000");
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);
	assert_region(&host.modules.ramdisk, 0x4a000000, 0x300000);
	assert_region(&host.modules.dtb, 0, 0);
	/* Bootargs belong to the kernel only: those on the ramdisk are not taken. */
	assert_true(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "root=/dev/vda");
}

static void test_parse_untyped_after_typed_ramdisk_is_kernel(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* Added last, so seen first: the typed ramdisk, then the untyped module. */
	add_module(fdt, "module@48000000", COMPAT_MODULE, 0x48000000, 0x800000);
	set_string(fdt, "/chosen/module@48000000", "bootargs", "quiet");
	add_module(fdt, "module@4a000000", COMPAT_RAMDISK, 0x4a000000, 0x300000);
	assert_string_equal(
	    fdt_get_name(fdt, fdt_first_subnode(fdt, node_at(fdt, "/chosen")), NULL),
	    "module@4a000000");
	parse_ok(fdt, &host);
	assert_region(&host.modules.ramdisk, 0x4a000000, 0x300000);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);
	assert_true(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "quiet");
}

static void test_parse_second_kernel(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	add_module(fdt, "module@4a000000", COMPAT_KERNEL, 0x4a000000, 0x800000);
	parse_fails(fdt, "second kernel");
	parse_fails(fdt, "/chosen/module@4");
}

static void test_parse_second_untyped_after_kernel_and_ramdisk(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	/* Seen in reverse: typed kernel, typed ramdisk, then one untyped module too many. */
	add_module(fdt, "module@4c000000", COMPAT_MODULE, 0x4c000000, 0x1000);
	add_module(fdt, "module@4a000000", COMPAT_RAMDISK, 0x4a000000, 0x1000);
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x1000);
	parse_fails(fdt, "/chosen/module@4c000000: a second ramdisk module");
}

static void test_parse_second_device_tree(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	add_module(fdt, "dtb@49000000", COMPAT_DTB, 0x49000000, 0x1000);
	add_module(fdt, "dtb@49100000", COMPAT_DTB, 0x49100000, 0x1000);
	parse_fails(fdt, "second device-tree");
}

static void test_parse_no_kernel(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@4a000000", COMPAT_RAMDISK, 0x4a000000, 0x300000);
	parse_fails(fdt, "no kernel module");
}

static void test_parse_device_tree_without_kernel(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@49000000", COMPAT_DTB, 0x49000000, 0x2000);
	parse_fails(fdt, "no kernel module");
}

static void test_parse_reg_wrong_cell_count(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);

	/* 1/1 cells in a 2/2 /chosen. */
	set_cells(fdt, "/chosen/module@48000000", "reg", 0x48000000, 0x800000);
	parse_fails(fdt, "/chosen/module@48000000: a module needs one reg entry of 4 cells");

	/* Two entries. */
	set_cells(fdt, "/chosen/module@48000000", "reg", 0, 0x48000000, 0, 0x1000, 0, 0x49000000, 0,
	          0x1000);
	parse_fails(fdt, "/chosen/module@48000000");

	/* Not a whole number of cells. */
	assert_int_equal(fdt_setprop(fdt, node_at(fdt, "/chosen/module@48000000"), "reg",
	                             "\0\0\0\0\x48\0\0\0\0\0\0\0\0\x80\0", 15),
	                 0);
	parse_fails(fdt, "/chosen/module@48000000: a module needs one reg entry");

	/* No reg at all. */
	assert_int_equal(fdt_delprop(fdt, node_at(fdt, "/chosen/module@48000000"), "reg"), 0);
	parse_fails(fdt, "/chosen/module@48000000: a module needs one reg entry");
}

static void test_parse_size_zero(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0);
	parse_fails(fdt, "/chosen/module@48000000: module reg 0x48000000 + 0x0 is empty or wraps");
}

static void test_parse_wrapping(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@ffffffffffff0000", COMPAT_KERNEL, 0xffffffffffff0000ULL, 0x10001);
	parse_fails(fdt, "/chosen/module@ffffffffffff0000: module reg 0xffffffffffff0000 + "
	                 "0x10001 is empty or wraps");

	set_cells(fdt, "/chosen/module@ffffffffffff0000", "reg", 0xffffffff, 0xffffffff, 0xffffffff,
	          0xffffffff);
	parse_fails(fdt, "is empty or wraps");

	/* Ending exactly at the top of the address space does not wrap. */
	set_cells(fdt, "/chosen/module@ffffffffffff0000", "reg", 0xffffffff, 0xffff0000, 0,
	          0x10000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0xffffffffffff0000ULL, 0x10000);
}

static void test_parse_bad_chosen_cells(void **state)
{
	void *fdt = chosen_2_2();

	(void)state;
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	set_cells(fdt, "/chosen", "#address-cells", 3);
	parse_fails(fdt, "/chosen: #address-cells 3 / #size-cells 2 cannot describe modules");
	set_cells(fdt, "/chosen", "#address-cells", 2);
	set_cells(fdt, "/chosen", "#size-cells", 0);
	parse_fails(fdt, "#size-cells 0 cannot describe modules");
}

static void test_parse_ignores_nodes_without_multiboot_module(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* Only "multiboot,kernel": not a module in the binding, so not even its reg is read. */
	add_node(fdt, "/chosen", "module@48000000");
	set_string(fdt, "/chosen/module@48000000", "compatible", "multiboot,kernel");
	set_cells(fdt, "/chosen/module@48000000", "reg", 0x48000000);
	set_string(fdt, "/chosen/module@48000000", "bootargs", "ignored");
	/* Other subnodes of /chosen, with or without compatible. */
	add_node(fdt, "/chosen", "framebuffer@0");
	set_string(fdt, "/chosen/framebuffer@0", "compatible", "simple-framebuffer");
	add_node(fdt, "/chosen", "empty");
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0, 0);
	assert_region(&host.modules.ramdisk, 0, 0);
	assert_region(&host.modules.dtb, 0, 0);
	assert_false(host.modules.has_bootargs);
	assert_false(modules_present(&host));
}

static void test_parse_one_cell_sizes(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/chosen", "#address-cells", 2);
	set_cells(fdt, "/chosen", "#size-cells", 1);
	add_node(fdt, "/chosen", "module@48000000");
	assert_int_equal(fdt_setprop(fdt, node_at(fdt, "/chosen/module@48000000"), "compatible",
	                             COMPAT_KERNEL, sizeof(COMPAT_KERNEL)),
	                 0);
	set_cells(fdt, "/chosen/module@48000000", "reg", 0x1, 0x48000000, 0x800000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x148000000ULL, 0x800000);

	/* The same reg in 2/2 cells is now the wrong length. */
	set_cells(fdt, "/chosen/module@48000000", "reg", 0, 0x48000000, 0, 0x800000);
	parse_fails(fdt, "a module needs one reg entry of 3 cells");
}

/* QEMU's guest-loader: module nodes under a /chosen with no cells, in the root's 2/2. */
static void test_parse_cells_inherited_from_the_root(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);
	int chosen = node_at(fdt, "/chosen");

	(void)state;
	fdt_delprop(fdt, chosen, "#address-cells");
	fdt_delprop(fdt, chosen, "#size-cells");
	set_cells(fdt, "/", "#address-cells", 2);
	set_cells(fdt, "/", "#size-cells", 2);
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);

	/* /chosen's own cells win over the root's: at 2/1 the 2/2 reg is the wrong length. */
	set_cells(fdt, "/chosen", "#size-cells", 1);
	parse_fails(fdt, "a module needs one reg entry of 3 cells");
}

static void test_parse_one_one_cells(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/chosen", "#address-cells", 1);
	set_cells(fdt, "/chosen", "#size-cells", 1);
	add_node(fdt, "/chosen", "module@48000000");
	set_string(fdt, "/chosen/module@48000000", "compatible", COMPAT_MODULE);
	set_cells(fdt, "/chosen/module@48000000", "reg", 0x48000000, 0x800000);
	parse_ok(fdt, &host);
	assert_region(&host.modules.kernel, 0x48000000, 0x800000);
}

static void test_parse_no_modules(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	parse_ok(qemu_v3, &host);
	assert_region(&host.modules.kernel, 0, 0);
	assert_region(&host.modules.ramdisk, 0, 0);
	assert_region(&host.modules.dtb, 0, 0);
	assert_false(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "");
	assert_false(modules_present(&host));

	/* /chosen with cells but no modules, and no /chosen at all. */
	parse_ok(fdt, &host);
	assert_int_equal(host.modules.kernel.size, 0);
	assert_int_equal(host.modules.ramdisk.size, 0);
	assert_int_equal(host.modules.dtb.size, 0);
	assert_false(host.modules.has_bootargs);
	assert_int_equal(fdt_del_node(fdt, node_at(fdt, "/chosen")), 0);
	parse_ok(fdt, &host);
	assert_int_equal(host.modules.kernel.size, 0);
	assert_false(host.modules.has_bootargs);
}

static void test_parse_bootargs_truncated(void **state)
{
	struct dt_host host;
	char args[400];
	void *fdt = chosen_2_2();

	(void)state;
	for (size_t i = 0; i < sizeof(args) - 1; i++)
		args[i] = 'a' + i % 26;
	args[sizeof(args) - 1] = '\0';
	add_module(fdt, "module@48000000", COMPAT_KERNEL, 0x48000000, 0x800000);
	set_string(fdt, "/chosen/module@48000000", "bootargs", args);
	parse_ok(fdt, &host);
	assert_true(host.modules.has_bootargs);
	assert_int_equal(strlen(host.modules.bootargs), sizeof(host.modules.bootargs) - 1);
	assert_memory_equal(host.modules.bootargs, args, sizeof(host.modules.bootargs) - 1);

	/* Exactly as long as the buffer allows: kept whole. */
	args[sizeof(host.modules.bootargs) - 1] = '\0';
	set_string(fdt, "/chosen/module@48000000", "bootargs", args);
	parse_ok(fdt, &host);
	assert_string_equal(host.modules.bootargs, args);

	/* Not NUL-terminated: stops at the property's end. */
	assert_int_equal(
	    fdt_setprop(fdt, node_at(fdt, "/chosen/module@48000000"), "bootargs", "abc", 3), 0);
	parse_ok(fdt, &host);
	assert_string_equal(host.modules.bootargs, "abc");

	/* Present but empty. */
	assert_int_equal(
	    fdt_setprop(fdt, node_at(fdt, "/chosen/module@48000000"), "bootargs", "", 0), 0);
	parse_ok(fdt, &host);
	assert_true(host.modules.has_bootargs);
	assert_string_equal(host.modules.bootargs, "");
}

/* ------------------------------------------------------------------------ */
/* modules_check                                                            */
/* ------------------------------------------------------------------------ */

static uint64_t ram_addr(uint64_t off)
{
	return (uint64_t)(uintptr_t)ram + off;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A fake arm64 Image header at @off: zeros but for the magic. */
static void put_image_header(uint64_t off)
{
	memset(ram + off, 0, 64);
	put_le32(ram + off + 0x38, ARM64_IMAGE_MAGIC);
}

/*
 * A host whose one RAM bank is the buffer, with a valid kernel (Image header),
 * ramdisk and device tree (the QEMU DTB's bytes) loaded into it.
 */
static void host_with_modules(struct dt_host *host)
{
	memset(host, 0, sizeof(*host));
	host->mem[0] = (struct dt_region){ram_addr(0), RAM_SIZE};
	host->nr_mem = 1;

	put_image_header(KERNEL_OFF);
	memset(ram + RAMDISK_OFF, 0x5a, 64);
	memcpy(ram + DTB_OFF, qemu_v3, fdt_totalsize(qemu_v3));
	host->modules.kernel = (struct dt_region){ram_addr(KERNEL_OFF), KERNEL_SIZE};
	host->modules.ramdisk = (struct dt_region){ram_addr(RAMDISK_OFF), RAMDISK_SZ};
	host->modules.dtb = (struct dt_region){ram_addr(DTB_OFF), DTB_SIZE};
}

static int check(const struct dt_host *host, struct dt_error *err)
{
	return modules_check(host, ram_addr(HYP_OFF), ram_addr(HYP_OFF + HYP_SIZE), err);
}

static void check_ok(const struct dt_host *host)
{
	struct dt_error err = {""};

	if (check(host, &err) != 0)
		fail_msg("modules_check failed: %s", err.msg);
	/* Also fine without an error buffer. */
	assert_int_equal(check(host, NULL), 0);
}

/* modules_check fails saying @needle (and @needle2 if not NULL); also without @err. */
static void check_fails2(const struct dt_host *host, const char *needle, const char *needle2)
{
	struct dt_error err;

	memset(&err, 0xa5, sizeof(err));
	assert_int_equal(check(host, &err), -1);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	assert_contains(err.msg, needle);
	if (needle2)
		assert_contains(err.msg, needle2);
	assert_int_equal(check(host, NULL), -1);
}

static void check_fails(const struct dt_host *host, const char *needle)
{
	check_fails2(host, needle, NULL);
}

static void test_check_valid_set(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	check_ok(&host);
	assert_true(modules_present(&host));
}

static void test_check_absent_modules_skipped(void **state)
{
	struct dt_host host;

	(void)state;
	/* No modules at all. */
	memset(&host, 0, sizeof(host));
	host.mem[0] = (struct dt_region){ram_addr(0), RAM_SIZE};
	host.nr_mem = 1;
	check_ok(&host);
	assert_false(modules_present(&host));

	/* Absent ones are neither read nor placed, wherever their base points. */
	host_with_modules(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(HYP_OFF), 0};
	host.modules.dtb = (struct dt_region){0xdead0000, 0};
	check_ok(&host);

	/* Kernel only. */
	host.modules.dtb.base = ram_addr(DTB_OFF);
	host.modules.ramdisk.base = ram_addr(KERNEL_OFF);
	check_ok(&host);

	/* Kernel and device tree. */
	host_with_modules(&host);
	host.modules.ramdisk.size = 0;
	check_ok(&host);
}

static void test_check_kernel_not_an_image(void **state)
{
	struct dt_host host;
	char want[80];

	(void)state;
	host_with_modules(&host);
	put_le32(ram + KERNEL_OFF + 0x38, 0x12345678);
	snprintf(want, sizeof(want), "boot module kernel at 0x%lx",
	         (unsigned long)ram_addr(KERNEL_OFF));
	check_fails2(&host, want, "is not an arm64 Image");
	check_fails(&host, "found 0x12345678");

	/* The magic one byte off. */
	memset(ram + KERNEL_OFF, 0, 64);
	put_le32(ram + KERNEL_OFF + 0x39, ARM64_IMAGE_MAGIC);
	check_fails(&host, "is not an arm64 Image");

	/* Big endian. */
	memset(ram + KERNEL_OFF, 0, 64);
	memcpy(ram + KERNEL_OFF + 0x38, "\x64MRA", 4);
	check_fails(&host, "is not an arm64 Image");

	/* "ARM\x64" in memory order is the magic. */
	memset(ram + KERNEL_OFF, 0, 64);
	memcpy(ram + KERNEL_OFF + 0x38, "ARM\x64", 4);
	check_ok(&host);
}

static void test_check_kernel_too_small(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	host.modules.kernel.size = 63;
	check_fails2(&host, "boot module kernel at 0x", "too small");
	host.modules.kernel.size = 1;
	check_fails(&host, "too small");
	/* Just the header is enough. */
	host.modules.kernel.size = 64;
	check_ok(&host);
}

static void test_check_kernel_at_end_of_ram(void **state)
{
	struct dt_host host;

	(void)state;
	/* A 64-byte kernel in the bank's last 64 bytes: the header read stays inside. */
	host_with_modules(&host);
	put_image_header(RAM_SIZE - 64);
	host.modules.kernel = (struct dt_region){ram_addr(RAM_SIZE - 64), 64};
	check_ok(&host);
}

static void test_check_past_end_of_ram(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(RAM_SIZE - 0x1000), 0x1001};
	check_fails2(&host, "boot module ramdisk at 0x", "is not inside RAM");

	/* Ending exactly at the end of the bank is fine. */
	host.modules.ramdisk.size = 0x1000;
	check_ok(&host);

	host_with_modules(&host);
	host.modules.kernel.size = RAM_SIZE;
	check_fails2(&host, "boot module kernel", "is not inside RAM");

	host_with_modules(&host);
	host.modules.dtb.size = RAM_SIZE - DTB_OFF + 1;
	check_fails2(&host, "boot module device-tree", "is not inside RAM");

	/* Starting below the bank and running into it. */
	host_with_modules(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(0) - 0x1000, 0x2000};
	check_fails2(&host, "boot module ramdisk", "is not inside RAM");
}

static void test_check_outside_ram(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(RAM_SIZE + 0x100000), 0x1000};
	check_fails2(&host, "boot module ramdisk", "is not inside RAM");

	host_with_modules(&host);
	host.modules.kernel = (struct dt_region){ram_addr(0) - 0x200000, 0x100000};
	check_fails2(&host, "boot module kernel", "is not inside RAM");

	/* Starting right at the end of the bank. */
	host_with_modules(&host);
	host.modules.dtb = (struct dt_region){ram_addr(RAM_SIZE), 0x1000};
	check_fails2(&host, "boot module device-tree", "is not inside RAM");

	/* No RAM at all. */
	host_with_modules(&host);
	host.nr_mem = 0;
	check_fails2(&host, "boot module kernel", "is not inside RAM");
}

static void test_check_several_banks(void **state)
{
	struct dt_host host;

	(void)state;
	/* The buffer as two adjacent banks, listed high one first. */
	host_with_modules(&host);
	host.mem[0] = (struct dt_region){ram_addr(RAM_SIZE / 2), RAM_SIZE / 2};
	host.mem[1] = (struct dt_region){ram_addr(0), RAM_SIZE / 2};
	host.nr_mem = 2;
	check_ok(&host);

	/* A module must lie inside one bank, even if they are adjacent. */
	host.modules.ramdisk = (struct dt_region){ram_addr(RAM_SIZE / 2 - 0x1000), 0x2000};
	check_fails2(&host, "boot module ramdisk", "is not inside RAM");
}

static void test_check_overlaps_hypervisor(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(HYP_OFF - 0x1000), 0x1001};
	check_fails2(&host, "boot module ramdisk", "overlaps the hypervisor image");

	/* Touching it on either side is fine. */
	host.modules.ramdisk.size = 0x1000;
	check_ok(&host);
	host.modules.ramdisk = (struct dt_region){ram_addr(HYP_OFF + HYP_SIZE), 0x1000};
	check_ok(&host);

	/* Starting inside it, or containing it. */
	host.modules.ramdisk.base = ram_addr(HYP_OFF + HYP_SIZE - 1);
	check_fails(&host, "overlaps the hypervisor image");
	host.modules.ramdisk = (struct dt_region){ram_addr(HYP_OFF - 0x1000), HYP_SIZE + 0x2000};
	check_fails(&host, "overlaps the hypervisor image");

	/* The kernel too, before its header is looked at. */
	host_with_modules(&host);
	put_image_header(HYP_OFF);
	host.modules.kernel = (struct dt_region){ram_addr(HYP_OFF), 0x1000};
	check_fails2(&host, "boot module kernel", "overlaps the hypervisor image");
}

static void test_check_module_overlaps(void **state)
{
	struct dt_host host;
	char want[80];

	(void)state;
	/* Ramdisk over the kernel's last byte. */
	host_with_modules(&host);
	host.modules.ramdisk.base = ram_addr(KERNEL_OFF + KERNEL_SIZE - 1);
	snprintf(want, sizeof(want), "overlaps module kernel at 0x%lx",
	         (unsigned long)ram_addr(KERNEL_OFF));
	check_fails2(&host, "boot module ramdisk", want);
	/* Right after it is fine. */
	host.modules.ramdisk.base = ram_addr(KERNEL_OFF + KERNEL_SIZE);
	check_ok(&host);

	/* Device tree inside the ramdisk. */
	host_with_modules(&host);
	memcpy(ram + RAMDISK_OFF + 0x1000, qemu_v3, fdt_totalsize(qemu_v3));
	host.modules.dtb.base = ram_addr(RAMDISK_OFF + 0x1000);
	check_fails2(&host, "boot module device-tree", "overlaps module ramdisk");

	/* Device tree over the kernel. */
	host_with_modules(&host);
	host.modules.dtb.base = ram_addr(KERNEL_OFF);
	check_fails2(&host, "boot module device-tree", "overlaps module kernel");

	/* Identical regions. */
	host_with_modules(&host);
	host.modules.ramdisk = host.modules.kernel;
	check_fails2(&host, "boot module ramdisk", "overlaps module kernel");
}

static void test_check_dtb_not_a_dtb(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	memset(ram + DTB_OFF, 0x11, 64);
	check_fails2(&host, "boot module device-tree at 0x", "is not a device tree");
	check_fails(&host, "first word 0x11111111");

	/* A DTB header with an unsupported version. */
	host_with_modules(&host);
	((fdt32_t *)(ram + DTB_OFF))[5] = cpu_to_fdt32(1); /* version */
	check_fails(&host, "is not a device tree");
}

static void test_check_dtb_larger_than_module(void **state)
{
	struct dt_host host;
	char want[80];

	(void)state;
	host_with_modules(&host);
	host.modules.dtb.size = fdt_totalsize(qemu_v3) - 1;
	snprintf(want, sizeof(want), "larger than the module: totalsize 0x%x",
	         fdt_totalsize(qemu_v3));
	check_fails2(&host, "boot module device-tree", want);

	/* Exactly the blob's size is enough. */
	host.modules.dtb.size = fdt_totalsize(qemu_v3);
	check_ok(&host);
}

/* Regressions of bugs these tests found in modules_check. */

/* An unaligned kernel module is fine: its magic is read a byte at a time. */
static void test_check_unaligned_kernel(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	put_image_header(KERNEL_OFF + 1);
	host.modules.kernel.base += 1;
	check_ok(&host);
}

/* A DTB must be 8-byte aligned, and is refused without an unaligned read. */
static void test_check_unaligned_dtb(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	host.modules.dtb.base += 2;
	check_fails(&host, "is not 8-byte aligned");
}

/* A device-tree module smaller than a DTB header is refused before its header is read. */
static void test_check_tiny_dtb_at_end_of_ram(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	put_le32(ram + RAM_SIZE - 8, 0xedfe0dd0); /* the DTB magic, big endian */
	host.modules.dtb = (struct dt_region){ram_addr(RAM_SIZE - 8), 8};
	check_fails(&host, "is too small for a DTB header");
}

/* Overlaps are found for a region ending at 2^64 (its end wraps to 0). */
static void test_check_overlap_at_top_of_address_space(void **state)
{
	struct dt_host host;
	struct dt_error err;

	(void)state;
	memset(&host, 0, sizeof(host));
	host.mem[0] = (struct dt_region){0xfffffffffff00000UL, 0x100000};
	host.nr_mem = 1;
	host.modules.kernel = host.mem[0];
	assert_int_equal(modules_check(&host, 0xfffffffffff80000UL, 0xfffffffffff90000UL, &err),
	                 -1);
	assert_contains(err.msg, "overlaps the hypervisor image");
}

static void test_check_err_may_be_null(void **state)
{
	struct dt_host host;

	(void)state;
	host_with_modules(&host);
	assert_int_equal(check(&host, NULL), 0);
	host.modules.kernel.size = 10;
	assert_int_equal(check(&host, NULL), -1);
	host_with_modules(&host);
	host.nr_mem = 0;
	assert_int_equal(check(&host, NULL), -1);
	host_with_modules(&host);
	host.modules.ramdisk = host.modules.kernel;
	assert_int_equal(check(&host, NULL), -1);
	host_with_modules(&host);
	memset(ram + DTB_OFF, 0, 64);
	assert_int_equal(check(&host, NULL), -1);
}

static void test_check_parsed_modules(void **state)
{
	struct dt_host host;
	void *fdt = chosen_2_2();

	(void)state;
	/* From the DT binding to the check: what the boot path does. */
	put_image_header(KERNEL_OFF);
	memcpy(ram + DTB_OFF, qemu_v3, fdt_totalsize(qemu_v3));
	add_module(fdt, "kernel", COMPAT_KERNEL, ram_addr(KERNEL_OFF), KERNEL_SIZE);
	add_module(fdt, "ramdisk", COMPAT_RAMDISK, ram_addr(RAMDISK_OFF), RAMDISK_SZ);
	add_module(fdt, "dtb", COMPAT_DTB, ram_addr(DTB_OFF), DTB_SIZE);
	parse_ok(fdt, &host);
	host.mem[0] = (struct dt_region){ram_addr(0), RAM_SIZE};
	host.nr_mem = 1;
	check_ok(&host);
}

#define TEST(f) cmocka_unit_test_teardown(f, free_copy)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_parse_kernel_ramdisk_bootargs),
	    TEST(test_parse_64bit_addresses_untranslated),
	    TEST(test_parse_device_tree_module),
	    TEST(test_parse_all_three_any_order),
	    TEST(test_parse_untyped_kernel_then_ramdisk),
	    TEST(test_parse_untyped_after_typed_ramdisk_is_kernel),
	    TEST(test_parse_second_kernel),
	    TEST(test_parse_second_untyped_after_kernel_and_ramdisk),
	    TEST(test_parse_second_device_tree),
	    TEST(test_parse_no_kernel),
	    TEST(test_parse_device_tree_without_kernel),
	    TEST(test_parse_reg_wrong_cell_count),
	    TEST(test_parse_size_zero),
	    TEST(test_parse_wrapping),
	    TEST(test_parse_bad_chosen_cells),
	    TEST(test_parse_ignores_nodes_without_multiboot_module),
	    TEST(test_parse_one_cell_sizes),
	    TEST(test_parse_cells_inherited_from_the_root),
	    TEST(test_parse_one_one_cells),
	    TEST(test_parse_no_modules),
	    TEST(test_parse_bootargs_truncated),
	    TEST(test_check_valid_set),
	    TEST(test_check_absent_modules_skipped),
	    TEST(test_check_kernel_not_an_image),
	    TEST(test_check_kernel_too_small),
	    TEST(test_check_kernel_at_end_of_ram),
	    TEST(test_check_past_end_of_ram),
	    TEST(test_check_outside_ram),
	    TEST(test_check_several_banks),
	    TEST(test_check_overlaps_hypervisor),
	    TEST(test_check_module_overlaps),
	    TEST(test_check_dtb_not_a_dtb),
	    TEST(test_check_dtb_larger_than_module),
	    TEST(test_check_unaligned_kernel),
	    TEST(test_check_unaligned_dtb),
	    TEST(test_check_tiny_dtb_at_end_of_ram),
	    TEST(test_check_overlap_at_top_of_address_space),
	    TEST(test_check_err_may_be_null),
	    TEST(test_check_parsed_modules),
	};
	return cmocka_run_group_tests_name("modules", tests, group_setup, group_teardown);
}
