/*
 * Xen's dom0less binding (core/dt_domains.c): "xen,domain" nodes under
 * /chosen, each with cpus, memory (KiB), vpl011 and its multiboot modules,
 * parsed into VM definitions; a node that cannot be met is refused with a
 * sentence naming it and its property, and the others are kept. The modules
 * live in a real host buffer standing in for the machine's RAM.
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

#include "core/dt_domains.h"
#include "dt_test_helpers.h"

#define RAM_SIZE  (64UL << 20)
#define RAM_ALIGN (2UL << 20)
#define FDT_SIZE  16384

#define KERNEL_OFF  0x0200000UL /* where each domain's modules are, from the RAM's start */
#define KERNEL_SIZE 0x0100000UL
#define INITRD_OFF  0x0400000UL
#define INITRD_SIZE 0x0080000UL
#define DOMAIN_STEP 0x0800000UL /* the next domain's modules */

#define COMPAT_KERNEL  "multiboot,kernel\0multiboot,module"
#define COMPAT_RAMDISK "multiboot,ramdisk\0multiboot,module"

static uint8_t *ram;
static struct dt_host host;
static char fdt[FDT_SIZE];
static struct dt_domains doms;
static const struct vm_config defaults = {.ram_ipa = 0x40000000, .psci_conduit = SMCCC_CONDUIT_HVC};

static uint64_t ram_at(uint64_t off)
{
	return (uint64_t)(uintptr_t)ram + off;
}

/* An arm64 Image header at @off: what the kernel module check looks for. */
static void put_image(uint64_t off)
{
	memset(ram + off, 0, 64);
	memcpy(ram + off + 0x38, "ARM\x64", 4);
}

static int group_setup(void **state)
{
	(void)state;
	ram = aligned_alloc(RAM_ALIGN, RAM_SIZE);
	return ram ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* A host with one RAM bank (the buffer) and an empty /chosen with 2/2 cells. */
static int setup(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	host.nr_mem = 1;
	host.mem[0] = (struct dt_region){ram_at(0), RAM_SIZE};
	assert_int_equal(fdt_create_empty_tree(fdt, FDT_SIZE), 0);
	assert_true(fdt_add_subnode(fdt, 0, "chosen") >= 0);
	set_cells(fdt, "/chosen", "#address-cells", 2);
	set_cells(fdt, "/chosen", "#size-cells", 2);
	return 0;
}

static void set_reg(const char *path, uint64_t base, uint64_t size)
{
	set_cells(fdt, path, "reg", (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
	          (uint32_t)size);
}

/*
 * /chosen/@name (libfdt adds a node before its siblings: add the last domain
 * first to get them in order): a domain of @cpus vCPUs and @kib KiB, a vpl011, and a kernel
 * (with bootargs) and an initrd in the RAM buffer at @mod_off.
 */
static void add_domain(const char *name, uint32_t cpus, uint32_t kib, uint64_t mod_off)
{
	char path[64], mod[96];
	int node;

	snprintf(path, sizeof(path), "/chosen/%s", name);
	assert_true(fdt_add_subnode(fdt, node_at(fdt, "/chosen"), name) >= 0);
	set_string(fdt, path, "compatible", "xen,domain");
	set_cells(fdt, path, "#address-cells", 2);
	set_cells(fdt, path, "#size-cells", 2);
	set_cells(fdt, path, "cpus", cpus);
	set_cells(fdt, path, "memory", 0, kib);
	assert_int_equal(fdt_setprop(fdt, node_at(fdt, path), "vpl011", NULL, 0), 0);

	put_image(mod_off + KERNEL_OFF);
	node = fdt_add_subnode(fdt, node_at(fdt, path), "module@kernel");
	assert_true(node >= 0);
	snprintf(mod, sizeof(mod), "%s/module@kernel", path);
	assert_int_equal(fdt_setprop(fdt, node, "compatible", COMPAT_KERNEL, sizeof(COMPAT_KERNEL)),
	                 0);
	set_reg(mod, ram_at(mod_off + KERNEL_OFF), KERNEL_SIZE);
	set_string(fdt, mod, "bootargs", "console=ttyAMA0 dom");

	node = fdt_add_subnode(fdt, node_at(fdt, path), "module@initrd");
	assert_true(node >= 0);
	snprintf(mod, sizeof(mod), "%s/module@initrd", path);
	assert_int_equal(
	    fdt_setprop(fdt, node, "compatible", COMPAT_RAMDISK, sizeof(COMPAT_RAMDISK)), 0);
	set_reg(mod, ram_at(mod_off + INITRD_OFF), INITRD_SIZE);
}

static int parse(void)
{
	return dt_parse_domains(fdt, &host, &defaults, ram_at(RAM_SIZE - RAM_ALIGN),
	                        ram_at(RAM_SIZE), &doms);
}

static void assert_refused(unsigned int i, const char *needle)
{
	assert_true(i < doms.nr_refused);
	assert_contains(doms.refused[i].msg, needle);
}

static void test_one_domain(void **state)
{
	const struct vm_config *vm = &doms.vms[0];

	(void)state;
	add_domain("domU1", 2, 0x60000, 0);
	assert_int_equal(parse(), 1);
	assert_int_equal(doms.nr_seen, 1);
	assert_int_equal(doms.nr_refused, 0);
	assert_string_equal(vm->name, "domU1");
	assert_int_equal(vm->nr_vcpus, 2);
	assert_int_equal(vm->ram_size, 384UL << 20);
	assert_int_equal(vm->ram_ipa, 0x40000000);
	assert_int_equal(vm->console, VM_CONSOLE_VPL011);
	assert_int_equal(vm->psci_conduit, SMCCC_CONDUIT_HVC);
	assert_ptr_equal(vm->kernel.start, ram + KERNEL_OFF);
	assert_ptr_equal(vm->kernel.end, ram + KERNEL_OFF + KERNEL_SIZE);
	assert_ptr_equal(vm->initrd.start, ram + INITRD_OFF);
	assert_ptr_equal(vm->initrd.end, ram + INITRD_OFF + INITRD_SIZE);
	assert_string_equal(vm->bootargs, "console=ttyAMA0 dom");
}

static void test_two_domains_in_dt_order(void **state)
{
	(void)state;
	add_domain("domU2", 1, 0x20000, DOMAIN_STEP);
	add_domain("domU1", 2, 0x40000, 0);
	assert_int_equal(parse(), 2);
	assert_string_equal(doms.vms[0].name, "domU1");
	assert_string_equal(doms.vms[1].name, "domU2");
	assert_int_equal(doms.vms[1].nr_vcpus, 1);
	assert_ptr_equal(doms.vms[1].kernel.start, ram + DOMAIN_STEP + KERNEL_OFF);
}

/* Each refusal names the node and what is wrong; the other domains are kept. */
static void test_bad_cpus_refused_others_kept(void **state)
{
	(void)state;
	add_domain("domU3", DT_MAX_CPUS + 1, 0x20000, 2 * DOMAIN_STEP);
	add_domain("domU2", 1, 0x20000, DOMAIN_STEP);
	add_domain("domU1", 0, 0x40000, 0);
	assert_int_equal(parse(), 1);
	assert_string_equal(doms.vms[0].name, "domU2");
	assert_int_equal(doms.nr_seen, 3);
	assert_int_equal(doms.nr_refused, 2);
	assert_refused(0, "/chosen/domU1: cpus = <0>: a domain has 1 to 16 vCPUs");
	assert_refused(1, "/chosen/domU3: cpus = <17>");
}

static void test_missing_cpus(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40000, 0);
	del_prop(fdt, "/chosen/domU1", "cpus");
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: no \"cpus\" property (it is required)");
}

static void test_memory_not_in_2mib(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40001, 0);
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: memory = <262145> KiB: must be a non-zero multiple of "
	                  "2048 KiB");
}

static void test_no_kernel(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40000, 0);
	assert_int_equal(fdt_del_node(fdt, node_at(fdt, "/chosen/domU1/module@kernel")), 0);
	assert_int_equal(parse(), 0);
	assert_refused(0, "no \"multiboot,kernel\" module (a domain needs a kernel)");
}

static void test_kernel_not_an_image(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40000, 0);
	memset(ram + KERNEL_OFF + 0x38, 0, 4);
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: boot module kernel at 0x");
	assert_refused(0, "is not an arm64 Image (no \"ARM\\x64\" at 0x38): found 0x0");
}

static void test_modules_of_two_domains_overlap(void **state)
{
	(void)state;
	add_domain("domU2", 1, 0x40000, 0x200000); /* its kernel is over domU1's initrd */
	add_domain("domU1", 1, 0x40000, 0);
	assert_int_equal(parse(), 1);
	assert_refused(0, "/chosen/domU2: module at 0x");
	assert_refused(0, "(1048576 bytes) overlaps a module of domU1 at 0x");
}

static void test_module_outside_ram(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40000, 0);
	set_reg("/chosen/domU1/module@initrd", ram_at(RAM_SIZE) + 0x1000000, INITRD_SIZE);
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: boot module ramdisk at 0x");
	assert_refused(0, "is not inside RAM");
}

static void test_module_over_the_hypervisor(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x40000, RAM_SIZE - RAM_ALIGN - KERNEL_OFF);
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: boot module kernel at 0x");
	assert_refused(0, "overlaps the hypervisor image");
}

static void test_more_domains_than_slots(void **state)
{
	char name[16];

	(void)state;
	for (int i = DT_MAX_DOMAINS; i >= 0; i--) {
		snprintf(name, sizeof(name), "domU%d", i + 1);
		add_domain(name, 1, 0x20000, i * DOMAIN_STEP);
	}
	assert_int_equal(parse(), DT_MAX_DOMAINS);
	assert_int_equal(doms.nr_seen, DT_MAX_DOMAINS + 1);
	assert_refused(0, "refused: more than 4 \"xen,domain\" nodes");
}

/* /chosen/@dom/@name: a "xen,vcpu" node for vCPU @id, with @affinity unless NULL. */
static void add_vcpu(const char *dom, const char *name, uint32_t id, const char *affinity)
{
	char path[96], parent[64];

	snprintf(parent, sizeof(parent), "/chosen/%s", dom);
	snprintf(path, sizeof(path), "%s/%s", parent, name);
	assert_true(fdt_add_subnode(fdt, node_at(fdt, parent), name) >= 0);
	set_string(fdt, path, "compatible", "xen,vcpu");
	set_cells(fdt, path, "id", id);
	if (affinity)
		set_string(fdt, path, "hard-affinity", affinity);
}

static void test_vcpu_hard_affinity(void **state)
{
	const struct vm_config *vm = &doms.vms[0];

	(void)state;
	add_domain("domU1", 3, 0x20000, 0);
	add_vcpu("domU1", "vcpu2", 2, "5");
	add_vcpu("domU1", "vcpu1", 1, "0-3,6,8-9");
	add_vcpu("domU1", "vcpu0", 0, NULL); /* no hard-affinity: any CPU */
	assert_int_equal(parse(), 1);
	assert_int_equal(vm->vcpu_affinity[0], 0);
	assert_int_equal(vm->vcpu_affinity[1], 0x34f);
	assert_int_equal(vm->vcpu_affinity[2], 0x20);
	assert_int_equal(vm->vcpu_affinity[3], 0);
}

static void test_vcpu_bad_nodes_refused(void **state)
{
	static const char *const bad[] = {"", "1-", "-2", "3-1", "64", "1,,2", "1,", "a", "0-3 5"};
	char name[16];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		setup(state);
		add_domain("domU1", 2, 0x20000, 0);
		add_vcpu("domU1", "vcpu0", 0, bad[i]);
		assert_int_equal(parse(), 0);
		assert_refused(0, "/chosen/domU1: vcpu0: hard-affinity must list CPUs 0-63 as "
		                  "\"0-3,5\", not \"");
		assert_contains(doms.refused[0].msg, bad[i]);
	}
	setup(state);
	add_domain("domU1", 2, 0x20000, 0);
	add_vcpu("domU1", "vcpu2", 2, "1");
	assert_int_equal(parse(), 0);
	assert_refused(0, "/chosen/domU1: vcpu2: id = <2>, but the domain has 2 vCPUs (cpus)");

	setup(state);
	add_domain("domU1", 2, 0x20000, 0);
	add_vcpu("domU1", "vcpu0", 0, "1");
	snprintf(name, sizeof(name), "vcpu0b");
	add_vcpu("domU1", name, 0, "2");
	assert_int_equal(parse(), 0);
	assert_refused(0, "a second \"xen,vcpu\" node for vCPU 0");
}

static void test_capabilities_hardware_owns_the_machine(void **state)
{
	(void)state;
	add_domain("domU3", 1, 0x20000, 2 * DOMAIN_STEP);
	add_domain("domU2", 1, 0x20000, DOMAIN_STEP);
	add_domain("domU1", 1, 0x20000, 0);
	set_cells(fdt, "/chosen/domU1", "capabilities", 7); /* a Xen dom0's: all three */
	set_cells(fdt, "/chosen/domU2", "capabilities", 2);
	set_cells(fdt, "/chosen/domU3", "capabilities", 8);
	assert_int_equal(parse(), 1);
	assert_true(doms.vms[0].owns_machine);
	assert_int_equal(doms.nr_refused, 2);
	assert_refused(0, "/chosen/domU2: capabilities: DOMAIN_CAPS_HARDWARE asked for, but domU1 "
	                  "has it (one domain owns the machine)");
	assert_refused(1, "/chosen/domU3: capabilities = <0x8>: Xen defines CONTROL (1), HARDWARE "
	                  "(2) and XENSTORE (4) only");
}

static void test_smc_forward_owner_ranges(void **state)
{
	static const char ok[] = "trusted-os\0sip";
	static const char bad[] = "sip\0secure-world";
	int node;

	(void)state;
	add_domain("domU3", 1, 0x20000, 2 * DOMAIN_STEP);
	add_domain("domU2", 1, 0x20000, DOMAIN_STEP);
	add_domain("domU1", 1, 0x20000, 0);
	node = node_at(fdt, "/chosen/domU1");
	assert_int_equal(fdt_setprop(fdt, node, "hyp,smc-forward", ok, sizeof(ok)), 0);
	node = node_at(fdt, "/chosen/domU2");
	assert_int_equal(fdt_setprop(fdt, node, "hyp,smc-forward", bad, sizeof(bad)), 0);
	assert_int_equal(parse(), 2);
	assert_int_equal(doms.vms[0].smc_forward_owners,
	                 SMCCC_OWNERS_TRUSTED_OS | SMCCC_OWNERS_SIP);
	assert_int_equal(doms.vms[1].smc_forward_owners, 0); /* domU3: none said, none reached */
	assert_refused(0, "/chosen/domU2: hyp,smc-forward: \"secure-world\" is not one of \"sip\", "
	                  "\"oem\", \"trusted-app\", \"trusted-os\"");
}

static void test_no_capabilities_owns_nothing(void **state)
{
	(void)state;
	add_domain("domU1", 1, 0x20000, 0);
	assert_int_equal(parse(), 1);
	assert_false(doms.vms[0].owns_machine);
}

static void test_no_domains(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_int_equal(doms.nr_seen, 0);
	assert_true(fdt_del_node(fdt, node_at(fdt, "/chosen")) == 0);
	assert_int_equal(parse(), 0);
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_one_domain),
	    TEST(test_two_domains_in_dt_order),
	    TEST(test_bad_cpus_refused_others_kept),
	    TEST(test_missing_cpus),
	    TEST(test_memory_not_in_2mib),
	    TEST(test_no_kernel),
	    TEST(test_kernel_not_an_image),
	    TEST(test_modules_of_two_domains_overlap),
	    TEST(test_module_outside_ram),
	    TEST(test_module_over_the_hypervisor),
	    TEST(test_more_domains_than_slots),
	    TEST(test_no_domains),
	    TEST(test_vcpu_hard_affinity),
	    TEST(test_vcpu_bad_nodes_refused),
	    TEST(test_capabilities_hardware_owns_the_machine),
	    TEST(test_no_capabilities_owns_nothing),
	    TEST(test_smc_forward_owner_ranges),
	};
	return cmocka_run_group_tests_name("dt_domains", tests, group_setup, group_teardown);
}
