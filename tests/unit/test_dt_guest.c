/*
 * The guest device tree generator against the real host DTBs (QEMU virt with
 * GICv3 and GICv2, Debian's Raspberry Pi 4): each generated tree is read back
 * with the project's own host parser and with libfdt directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "core/dt.h"
#include "dt_test_helpers.h"
#include "core/dt_guest.h"

#define QEMU_V3_DTB "../dtbs/qemu-virt-gicv3.dtb"
#define QEMU_V2_DTB "../dtbs/qemu-virt-gicv2.dtb"
#define RPI4_DTB    "../../build/guest/bcm2711-rpi-4-b.dtb"

/* Room for a guest DT: far more than any of them needs. */
#define GUEST_ROOM 65536
/* Room for the properties a test adds to its copy of a host DT. */
#define EDIT_ROOM  8192

#define RAM_BASE     0x40000000UL
#define RAM_SIZE     (512UL << 20)
#define INITRD_START 0x48000000UL
#define INITRD_END   0x48123456UL
#define BOOTARGS     "console=ttyAMA0 earlycon rdinit=/init"
#define QEMU_PL011   "/pl011@9000000"
#define RPI4_PL011   "/soc/serial@7e201000"

static void *qemu_v3, *qemu_v2, *rpi4; /* the DTBs as read from disk */
static void *guest;                    /* a test's generated DT, freed by free_bufs() */
static void *copy;                     /* a test's editable host DT, freed by free_bufs() */

/* ------------------------------------------------------------------------ */
/* Fixtures and helpers                                                     */
/* ------------------------------------------------------------------------ */

static int load_dtbs(void **state)
{
	(void)state;
	qemu_v3 = read_dtb(QEMU_V3_DTB);
	qemu_v2 = read_dtb(QEMU_V2_DTB);
	rpi4 = read_dtb(RPI4_DTB);
	return qemu_v3 && qemu_v2 && rpi4 ? 0 : -1;
}

static int free_dtbs(void **state)
{
	(void)state;
	free(qemu_v3);
	free(qemu_v2);
	free(rpi4);
	return 0;
}

static int free_bufs(void **state)
{
	(void)state;
	free(guest);
	free(copy);
	guest = copy = NULL;
	return 0;
}

/* An editable copy of @src with EDIT_ROOM bytes to grow into. */
static void *dtb_copy(const void *src)
{
	return dt_test_copy(&copy, src, EDIT_ROOM);
}

/* The parameters of a 4-vCPU VM on QEMU virt with its PL011 as the console. */
static struct dt_guest_params qemu_params(unsigned int gic_version)
{
	struct dt_guest_params p = {
	    .ram = {RAM_BASE, RAM_SIZE},
	    .vcpu_mpidr = {0, 1, 2, 3},
	    .nr_vcpus = 4,
	    .psci_method = "hvc",
	    .gic_version = gic_version,
	    .gicd = {0x08000000, 0x10000},
	    .gic_maint_irq = 25,
	    .timer = {.sec_phys_irq = 29, .phys_irq = 30, .virt_irq = 27, .hyp_irq = 26},
	    .device_paths = {QEMU_PL011},
	    .nr_devices = 1,
	    .stdout_path = QEMU_PL011,
	    .bootargs = BOOTARGS,
	    .initrd_start = INITRD_START,
	    .initrd_end = INITRD_END,
	};

	if (gic_version == 3)
		p.gicr = (struct dt_region){0x080a0000, 4 * 0x20000};
	else
		p.gicc = (struct dt_region){0x08010000, 0x10000};
	return p;
}

/* dt_build_guest() into a fresh GUEST_ROOM buffer, which must succeed. */
static void *build(const void *host, const struct dt_guest_params *p)
{
	struct dt_error err;

	assert_null(guest);
	guest = malloc(GUEST_ROOM);
	assert_non_null(guest);
	memset(&err, 0xa5, sizeof(err));
	if (dt_build_guest(host, p, guest, GUEST_ROOM, &err) != 0)
		fail_msg("dt_build_guest failed: %s", err.msg);
	assert_string_equal(err.msg, "");
	assert_int_equal(fdt_check_full(guest, fdt_totalsize(guest)), 0);
	return guest;
}

/* dt_build_guest() fails and says @needle. */
static void build_fails(const void *host, const struct dt_guest_params *p, const char *needle)
{
	struct dt_error err;

	if (!guest)
		guest = malloc(GUEST_ROOM);
	assert_non_null(guest);
	memset(&err, 0xa5, sizeof(err));
	assert_int_equal(dt_build_guest(host, p, guest, GUEST_ROOM, &err), -1);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	assert_contains(err.msg, needle);
}

/* Property @prop of @path is exactly the cells given. */
static void assert_cells_n(const void *fdt, const char *path, const char *prop,
                           const uint32_t *cells, int n)
{
	const fdt32_t *val;
	int len, i;

	val = fdt_getprop(fdt, node_at(fdt, path), prop, &len);
	if (!val)
		fail_msg("%s has no %s", path, prop);
	assert_int_equal(len, n * (int)sizeof(fdt32_t));
	for (i = 0; i < n; i++)
		assert_int_equal(fdt32_ld(&val[i]), cells[i]);
}

#define assert_cells(fdt, path, prop, ...)                               \
	assert_cells_n(fdt, path, prop, (const uint32_t[]){__VA_ARGS__}, \
	               (int)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)))

static void assert_string_prop(const void *fdt, const char *path, const char *prop,
                               const char *value)
{
	const char *val;
	int len;

	val = fdt_getprop(fdt, node_at(fdt, path), prop, &len);
	if (!val)
		fail_msg("%s has no %s", path, prop);
	assert_int_equal(len, strlen(value) + 1);
	assert_string_equal(val, value);
}

static void assert_no_prop(const void *fdt, const char *path, const char *prop)
{
	if (fdt_getprop(fdt, node_at(fdt, path), prop, NULL))
		fail_msg("%s has %s", path, prop);
}

static void assert_u64_prop(const void *fdt, const char *path, const char *prop, uint64_t value)
{
	const fdt64_t *val;
	int len;

	val = fdt_getprop(fdt, node_at(fdt, path), prop, &len);
	if (!val)
		fail_msg("%s has no %s", path, prop);
	assert_int_equal(len, sizeof(*val));
	assert_int_equal(fdt64_ld(val), value);
}

static uint32_t u32_prop(const void *fdt, const char *path, const char *prop)
{
	const fdt32_t *val;
	int len;

	val = fdt_getprop(fdt, node_at(fdt, path), prop, &len);
	if (!val || len != sizeof(*val))
		fail_msg("%s has no one-cell %s", path, prop);
	return fdt32_ld(val);
}

/* The root's subnodes are exactly @names, in that order. */
static void assert_root_nodes(const void *fdt, const char *const *names, int n)
{
	int node, i = 0;

	fdt_for_each_subnode(node, fdt, 0)
	{
		if (i == n)
			fail_msg("extra node /%s", fdt_get_name(fdt, node, NULL));
		assert_string_equal(fdt_get_name(fdt, node, NULL), names[i]);
		i++;
	}
	assert_int_equal(i, n);
}

/* No node anywhere whose name starts with @prefix. */
static void assert_no_node_named(const void *fdt, const char *prefix)
{
	int node = 0, depth = 0;
	const char *name;

	while ((node = fdt_next_node(fdt, node, &depth)) >= 0 && depth > 0) {
		name = fdt_get_name(fdt, node, NULL);
		if (strncmp(name, prefix, strlen(prefix)) == 0)
			fail_msg("the guest DT has a node %s", name);
	}
}

static int count_memory_nodes(const void *fdt)
{
	int node = -1, n = 0;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory",
	                                             sizeof("memory"))) >= 0)
		n++;
	return n;
}

/* Every phandle in the tree is different from every other. */
static void assert_unique_phandles(const void *fdt)
{
	uint32_t seen[64];
	int node = 0, depth = 0, n = 0, i;
	uint32_t phandle;

	while ((node = fdt_next_node(fdt, node, &depth)) >= 0 && depth > 0) {
		phandle = fdt_get_phandle(fdt, node);
		if (!phandle)
			continue;
		for (i = 0; i < n; i++)
			assert_int_not_equal(seen[i], phandle);
		assert_true(n < 64);
		seen[n++] = phandle;
	}
}

/*
 * Fresh phandles start above the host's, so that a host phandle left in a
 * copied property names nothing rather than some guest node.
 */
static void assert_phandles_above_host(const void *fdt, const void *host_fdt)
{
	int node = 0, depth = 0;
	uint32_t host_max;

	assert_int_equal(fdt_find_max_phandle(host_fdt, &host_max), 0);
	while ((node = fdt_next_node(fdt, node, &depth)) >= 0 && depth > 0)
		if (fdt_get_phandle(fdt, node))
			assert_true(fdt_get_phandle(fdt, node) > host_max);
}

/* Packed: the header's totalsize ends where the strings block ends. */
static void assert_packed(const void *fdt)
{
	assert_int_equal(fdt_totalsize(fdt), fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt));
	assert_true(fdt_totalsize(fdt) < 2048);
}

/* ------------------------------------------------------------------------ */
/* QEMU virt                                                                */
/* ------------------------------------------------------------------------ */

/* What the GICv3 and GICv2 guests share, read back with dt_parse_host(). */
static void assert_qemu_guest_parses(const void *fdt, const struct dt_host *host)
{
	unsigned int i;

	assert_string_equal(host->model, "linux,dummy-virt");
	assert_int_equal(host->nr_mem, 1);
	assert_region(&host->mem[0], RAM_BASE, RAM_SIZE);

	assert_int_equal(host->nr_cpus, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(host->cpus[i].mpidr, i);
		assert_int_equal(host->cpus[i].enable, DT_CPU_ENABLE_PSCI);
	}
	assert_int_equal(host->psci, DT_PSCI_HVC);

	assert_region(&host->gic.gicd, 0x08000000, 0x10000);
	assert_int_equal(host->gic.maint_irq, 25);
	assert_int_equal(host->gic.phandle, u32_prop(fdt, "/", "interrupt-parent"));

	assert_int_equal(host->uart.type, DT_UART_PL011);
	assert_region(&host->uart.reg, 0x09000000, 0x1000);
	assert_int_equal(host->uart.irq, 33);
	assert_string_equal(host->uart.path, QEMU_PL011);

	assert_int_equal(host->timer.sec_phys_irq, 29);
	assert_int_equal(host->timer.phys_irq, 30);
	assert_int_equal(host->timer.virt_irq, 27);
	assert_int_equal(host->timer.hyp_irq, 26);
}

/* What the GICv3 and GICv2 guests share, read with libfdt. */
static void assert_qemu_guest_tree(const void *fdt, const void *host_fdt)
{
	static const char *const nodes[] = {"chosen",        "memory@40000000", "cpus",
	                                    "psci",          "intc@8000000",    "timer",
	                                    "pl011@9000000", "apb-pclk"};
	uint32_t clk;
	int psci;

	assert_root_nodes(fdt, nodes, ARRAY_SIZE(nodes));
	assert_no_node_named(fdt, "virtio_mmio");
	assert_no_node_named(fdt, "pcie");
	assert_no_node_named(fdt, "flash");
	assert_int_equal(count_memory_nodes(fdt), 1);
	assert_unique_phandles(fdt);
	assert_packed(fdt);

	assert_cells(fdt, "/", "#address-cells", 2);
	assert_cells(fdt, "/", "#size-cells", 2);
	assert_string_prop(fdt, "/", "compatible", "linux,dummy-virt");

	assert_string_prop(fdt, "/chosen", "bootargs", BOOTARGS);
	assert_u64_prop(fdt, "/chosen", "linux,initrd-start", INITRD_START);
	assert_u64_prop(fdt, "/chosen", "linux,initrd-end", INITRD_END);
	assert_string_prop(fdt, "/chosen", "stdout-path", QEMU_PL011);
	assert_no_prop(fdt, "/chosen", "kaslr-seed");

	assert_cells(fdt, "/memory@40000000", "reg", 0, 0x40000000, 0, 0x20000000);
	assert_cells(fdt, "/cpus", "#address-cells", 1);
	assert_cells(fdt, "/cpus", "#size-cells", 0);
	assert_cells(fdt, "/cpus/cpu@3", "reg", 3);
	assert_string_prop(fdt, "/cpus/cpu@3", "compatible", "arm,armv8");

	psci = node_at(fdt, "/psci");
	assert_int_equal(fdt_stringlist_count(fdt, psci, "compatible"), 2);
	assert_string_equal(fdt_stringlist_get(fdt, psci, "compatible", 0, NULL), "arm,psci-1.0");
	assert_string_equal(fdt_stringlist_get(fdt, psci, "compatible", 1, NULL), "arm,psci-0.2");
	assert_string_prop(fdt, "/psci", "method", "hvc");

	/* The GIC has no ITS or v2m child: the guest has no MSIs. */
	assert_int_equal(fdt_first_subnode(fdt, node_at(fdt, "/intc@8000000")), -FDT_ERR_NOTFOUND);
	assert_cells(fdt, "/intc@8000000", "#interrupt-cells", 3);
	assert_cells(fdt, "/intc@8000000", "interrupts", 1, 9, 4);

	/* The PL011: verbatim but for its clocks, which name the copied apb-pclk. */
	assert_cells(fdt, "/pl011@9000000", "reg", 0, 0x09000000, 0, 0x1000);
	assert_cells(fdt, "/pl011@9000000", "interrupts", 0, 1, 4);
	assert_no_prop(fdt, "/pl011@9000000", "interrupt-parent");
	assert_memory_equal(fdt_getprop(fdt, node_at(fdt, "/pl011@9000000"), "clock-names", NULL),
	                    "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk"));
	clk = u32_prop(fdt, "/apb-pclk", "phandle");
	assert_int_not_equal(clk, 0);
	assert_cells(fdt, "/pl011@9000000", "clocks", clk, clk);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, clk), node_at(fdt, "/apb-pclk"));
	assert_cells(fdt, "/apb-pclk", "clock-frequency", 24000000);
	assert_cells(fdt, "/apb-pclk", "#clock-cells", 0);

	assert_phandles_above_host(fdt, host_fdt);
}

static void test_qemu_gicv3(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_host host;
	void *fdt;

	(void)state;
	fdt = build(qemu_v3, &p);
	parse_ok(fdt, &host);
	assert_qemu_guest_parses(fdt, &host);
	assert_int_equal(host.gic.version, 3);
	assert_region(&host.gic.gicr, 0x080a0000, 0x80000);
	assert_region(&host.gic.gicc, 0, 0);
	assert_qemu_guest_tree(fdt, qemu_v3);

	assert_string_prop(fdt, "/intc@8000000", "compatible", "arm,gic-v3");
	assert_cells(fdt, "/intc@8000000", "#redistributor-regions", 1);
	assert_cells(fdt, "/timer", "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4);
}

static void test_qemu_gicv2(void **state)
{
	struct dt_guest_params p = qemu_params(2);
	struct dt_host host;
	void *fdt;

	(void)state;
	fdt = build(qemu_v2, &p);
	parse_ok(fdt, &host);
	assert_qemu_guest_parses(fdt, &host);
	assert_int_equal(host.gic.version, 2);
	assert_region(&host.gic.gicc, 0x08010000, 0x10000);
	/* The guest gets no virtualization interface of its own. */
	assert_region(&host.gic.gich, 0, 0);
	assert_region(&host.gic.gicv, 0, 0);
	assert_region(&host.gic.gicr, 0, 0);
	assert_qemu_guest_tree(fdt, qemu_v2);

	assert_string_prop(fdt, "/intc@8000000", "compatible", "arm,cortex-a15-gic");
	assert_no_prop(fdt, "/intc@8000000", "#redistributor-regions");
	/* GICv2 PPIs carry the mask of the CPUs they reach: 4 vCPUs, 0xf. */
	assert_cells(fdt, "/timer", "interrupts", 1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10,
	             0xf04);
}

static void test_gicv2_cpu_mask_follows_vcpus(void **state)
{
	struct dt_guest_params p = qemu_params(2);
	void *fdt;

	(void)state;
	p.nr_vcpus = 2;
	fdt = build(qemu_v2, &p);
	assert_cells(fdt, "/timer", "interrupts", 1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10,
	             0x304);
}

/* The PMU node, with its overflow PPI; read back as the host parser reads QEMU's. */
static void test_pmu_node(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_host host;
	void *fdt;

	(void)state;
	assert_int_equal(fdt_path_offset(build(qemu_v3, &p), "/pmu"), -FDT_ERR_NOTFOUND);
	free(guest);
	guest = NULL;
	p.pmu_irq = 23;
	fdt = build(qemu_v3, &p);
	assert_string_prop(fdt, "/pmu", "compatible", "arm,armv8-pmuv3");
	assert_cells(fdt, "/pmu", "interrupts", 1, 7, 4);
	parse_ok(fdt, &host);
	assert_int_equal(host.pmu_irq, 23);

	free(guest);
	guest = NULL;
	p = qemu_params(2);
	p.pmu_irq = 23;
	assert_cells(build(qemu_v2, &p), "/pmu", "interrupts", 1, 7, 0xf04);

	p.pmu_irq = 40; /* an SPI: one per CPU is not what a guest's PMU gets */
	build_fails(qemu_v2, &p, "PMU INTID 40 is not a PPI");
}

/* Everything optional in /chosen left out, and no maintenance interrupt. */
static void test_minimal_chosen(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_host host;
	void *fdt;

	(void)state;
	p.bootargs = NULL;
	p.stdout_path = NULL;
	p.initrd_start = p.initrd_end = 0;
	p.gic_maint_irq = 0;
	p.psci_method = "smc";
	fdt = build(qemu_v3, &p);

	assert_no_prop(fdt, "/chosen", "bootargs");
	assert_no_prop(fdt, "/chosen", "stdout-path");
	assert_no_prop(fdt, "/chosen", "linux,initrd-start");
	assert_no_prop(fdt, "/chosen", "linux,initrd-end");
	assert_no_prop(fdt, "/intc@8000000", "interrupts");
	assert_string_prop(fdt, "/psci", "method", "smc");

	/* Without stdout-path the parser falls back to serial0, which the guest has no alias for.
	 */
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_NONE);
	assert_int_equal(host.gic.maint_irq, 0);
	assert_int_equal(host.psci, DT_PSCI_SMC);
}

static void test_no_devices(void **state)
{
	static const char *const nodes[] = {"chosen", "memory@40000000", "cpus",
	                                    "psci",   "intc@8000000",    "timer"};
	struct dt_guest_params p = qemu_params(3);
	void *fdt;

	(void)state;
	p.nr_devices = 0;
	p.stdout_path = NULL;
	fdt = build(qemu_v3, &p);
	assert_root_nodes(fdt, nodes, ARRAY_SIZE(nodes));
}

/* Two devices naming one clock: the clock is copied once and both point at it. */
static void test_shared_clock_copied_once(void **state)
{
	static const char *const nodes[] = {
	    "chosen", "memory@40000000", "cpus",          "psci",          "intc@8000000",
	    "timer",  "pl011@9000000",   "pl031@9010000", "pl061@9030000", "apb-pclk"};
	struct dt_guest_params p = qemu_params(3);
	uint32_t clk;
	void *fdt;

	(void)state;
	p.device_paths[1] = "/pl031@9010000";
	p.device_paths[2] = "/pl061@9030000";
	p.nr_devices = 3;
	fdt = build(qemu_v3, &p);
	assert_root_nodes(fdt, nodes, ARRAY_SIZE(nodes));
	assert_unique_phandles(fdt);

	clk = u32_prop(fdt, "/apb-pclk", "phandle");
	assert_cells(fdt, "/pl011@9000000", "clocks", clk, clk);
	assert_cells(fdt, "/pl031@9010000", "clocks", clk);
	assert_cells(fdt, "/pl061@9030000", "clocks", clk);
	assert_cells(fdt, "/pl061@9030000", "reg", 0, 0x09030000, 0, 0x1000);

	/* The PL061 had a phandle in the host: a fresh one, not the host's 0x8007. */
	assert_int_not_equal(u32_prop(fdt, "/pl061@9030000", "phandle"), 0);
	assert_int_not_equal(u32_prop(fdt, "/pl061@9030000", "phandle"), 0x8007);
	/* The PL031 had none, and gets none. */
	assert_no_prop(fdt, "/pl031@9010000", "phandle");
}

/* A clock provider that is itself one of the devices is copied once, as a device. */
static void test_clock_provider_given_as_device(void **state)
{
	static const char *const nodes[] = {"chosen",        "memory@40000000", "cpus",
	                                    "psci",          "intc@8000000",    "timer",
	                                    "pl011@9000000", "apb-pclk"};
	struct dt_guest_params p = qemu_params(3);
	uint32_t clk;
	void *fdt;

	(void)state;
	p.device_paths[1] = "/apb-pclk";
	p.nr_devices = 2;
	fdt = build(qemu_v3, &p);
	assert_root_nodes(fdt, nodes, ARRAY_SIZE(nodes));
	clk = u32_prop(fdt, "/apb-pclk", "phandle");
	assert_cells(fdt, "/pl011@9000000", "clocks", clk, clk);
}

static void test_two_cell_mpidrs(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_host host;
	void *fdt;

	(void)state;
	p.vcpu_mpidr[0] = 0;
	p.vcpu_mpidr[1] = 0x100;
	p.vcpu_mpidr[2] = 0x100000000UL; /* Aff3 = 1 */
	p.nr_vcpus = 3;
	fdt = build(qemu_v3, &p);
	assert_cells(fdt, "/cpus", "#address-cells", 2);
	assert_cells(fdt, "/cpus/cpu@100", "reg", 0, 0x100);
	assert_cells(fdt, "/cpus/cpu@100000000", "reg", 1, 0);

	parse_ok(fdt, &host);
	assert_int_equal(host.nr_cpus, 3);
	assert_int_equal(host.cpus[1].mpidr, 0x100);
	assert_int_equal(host.cpus[2].mpidr, 0x100000000UL);
}

/* A host root without compatible or model: QEMU's name for a generic machine. */
static void test_root_without_compatible(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	void *host = dtb_copy(qemu_v3), *fdt;

	(void)state;
	assert_int_equal(fdt_delprop(host, 0, "compatible"), 0);
	assert_int_equal(fdt_delprop(host, 0, "model"), 0);
	fdt = build(host, &p);
	assert_string_prop(fdt, "/", "compatible", "linux,dummy-virt");
	assert_string_prop(fdt, "/", "model", "linux,dummy-virt");
}

/* ------------------------------------------------------------------------ */
/* Raspberry Pi 4                                                           */
/* ------------------------------------------------------------------------ */

static struct dt_guest_params rpi4_params(void)
{
	struct dt_guest_params p = qemu_params(2);

	p.ram = (struct dt_region){0x0, 0x20000000};
	p.device_paths[0] = RPI4_PL011;
	p.stdout_path = RPI4_PL011;
	p.initrd_start = 0x10000000;
	p.initrd_end = 0x10800000;
	return p;
}

static void test_rpi4_pl011(void **state)
{
	static const char *const nodes[] = {
	    "chosen", "memory@0",        "cpus",           "psci", "intc@8000000",
	    "timer",  "serial@7e201000", "cprman@7e101000"};
	struct dt_guest_params p = rpi4_params();
	struct dt_host host;
	uint32_t clk;
	void *fdt;

	(void)state;
	fdt = build(rpi4, &p);
	assert_root_nodes(fdt, nodes, ARRAY_SIZE(nodes));
	assert_unique_phandles(fdt);
	assert_packed(fdt);
	assert_no_node_named(fdt, "bluetooth");
	assert_phandles_above_host(fdt, rpi4);
	assert_int_equal(count_memory_nodes(fdt), 1);

	assert_string_prop(fdt, "/", "model", "Raspberry Pi 4 Model B");
	assert_memory_equal(fdt_getprop(fdt, 0, "compatible", NULL),
	                    "raspberrypi,4-model-b\0brcm,bcm2711",
	                    sizeof("raspberrypi,4-model-b\0brcm,bcm2711"));
	assert_string_prop(fdt, "/chosen", "stdout-path", "/serial@7e201000");

	/* 0x7e201000 on /soc's bus is 0xfe201000 to the CPU, now in 2+2 cells. */
	assert_cells(fdt, "/serial@7e201000", "reg", 0, 0xfe201000, 0, 0x200);
	assert_cells(fdt, "/serial@7e201000", "interrupts", 0, 121, 4);
	assert_cells(fdt, "/serial@7e201000", "arm,primecell-periphid", 0x341011);
	assert_string_prop(fdt, "/serial@7e201000", "status", "okay");
	assert_non_null(
	    fdt_getprop(fdt, node_at(fdt, "/serial@7e201000"), "uart-has-rtscts", NULL));
	/* The host's pin controller is not the guest's. */
	assert_no_prop(fdt, "/serial@7e201000", "pinctrl-0");
	assert_no_prop(fdt, "/serial@7e201000", "pinctrl-names");

	/* Both entries name cprman (phandle 7 in the host), with their clock numbers kept. */
	clk = u32_prop(fdt, "/cprman@7e101000", "phandle");
	assert_int_not_equal(clk, 7);
	assert_cells(fdt, "/serial@7e201000", "clocks", clk, 0x13, clk, 0x14);
	assert_cells(fdt, "/cprman@7e101000", "reg", 0, 0xfe101000, 0, 0x2000);
	assert_cells(fdt, "/cprman@7e101000", "#clock-cells", 1);
	/* Its own parents are not copied, so nor is the property naming them. */
	assert_no_prop(fdt, "/cprman@7e101000", "clocks");

	parse_ok(fdt, &host);
	assert_int_equal(host.nr_mem, 1);
	assert_region(&host.mem[0], 0, 0x20000000);
	assert_int_equal(host.uart.type, DT_UART_PL011);
	assert_region(&host.uart.reg, 0xfe201000, 0x200);
	assert_int_equal(host.uart.irq, 153);
	assert_string_equal(host.uart.path, "/serial@7e201000");
}

/*
 * What the rpi4 VM config asks for: cprman, whose registers the guest does
 * not get, becomes a fixed clock of the UART's rate; the PL011's two clock
 * entries (with their cells) still point at it. A fixed clock on QEMU virt
 * (apb-pclk) is copied as it is.
 */
static void test_fixed_clock_substitution(void **state)
{
	struct dt_guest_params p = rpi4_params();
	const char *compat;
	uint32_t clk;
	void *fdt;

	(void)state;
	p.fixed_clock_hz = 48000000;
	fdt = build(rpi4, &p);
	compat = fdt_getprop(fdt, node_at(fdt, "/cprman@7e101000"), "compatible", NULL);
	assert_non_null(compat);
	assert_string_equal(compat, "fixed-clock");
	assert_cells(fdt, "/cprman@7e101000", "clock-frequency", 48000000);
	assert_cells(fdt, "/cprman@7e101000", "#clock-cells", 1);
	assert_no_prop(fdt, "/cprman@7e101000", "reg");
	clk = u32_prop(fdt, "/cprman@7e101000", "phandle");
	assert_cells(fdt, "/serial@7e201000", "clocks", clk, 0x13, clk, 0x14);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static void test_missing_device(void **state)
{
	struct dt_guest_params p = qemu_params(3);

	(void)state;
	p.device_paths[0] = "/pl011@12345678";
	p.stdout_path = NULL;
	build_fails(qemu_v3, &p, "/pl011@12345678");

	p.device_paths[0] = NULL;
	build_fails(qemu_v3, &p, "device path 0 is NULL");

	p.device_paths[0] = "/";
	build_fails(qemu_v3, &p, "device / is the root node");
}

static void test_buffer_too_small(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_error err;
	char expect[64];
	uint32_t need;
	void *fdt;

	(void)state;
	need = fdt_totalsize(build(qemu_v3, &p));
	fdt = malloc(need);
	assert_non_null(fdt);

	/* Exactly the packed size is enough... */
	assert_int_equal(dt_build_guest(qemu_v3, &p, fdt, need, &err), 0);
	assert_int_equal(fdt_totalsize(fdt), need);
	assert_memory_equal(fdt, guest, need);

	/* ...one byte less is not. */
	assert_int_equal(dt_build_guest(qemu_v3, &p, fdt, need - 1, &err), -1);
	snprintf(expect, sizeof(expect), "guest DT does not fit in %u bytes", need - 1);
	assert_string_equal(err.msg, expect);

	assert_int_equal(dt_build_guest(qemu_v3, &p, fdt, 16, &err), -1);
	assert_string_equal(err.msg, "guest DT does not fit in 16 bytes");
	free(fdt);
}

static void test_null_arguments(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_error err;

	(void)state;
	build_fails(NULL, &p, "NULL host DT");
	build_fails(qemu_v3, NULL, "NULL parameters");
	assert_int_equal(dt_build_guest(qemu_v3, &p, NULL, GUEST_ROOM, &err), -1);
	assert_contains(err.msg, "NULL buffer");

	/* No error to fill in is fine, either way. */
	assert_int_equal(dt_build_guest(NULL, &p, guest, GUEST_ROOM, NULL), -1);
	assert_int_equal(dt_build_guest(qemu_v3, &p, guest, GUEST_ROOM, NULL), 0);
}

static void test_unaligned_buffer(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	struct dt_error err;

	(void)state;
	guest = malloc(GUEST_ROOM);
	assert_non_null(guest);
	assert_int_equal(dt_build_guest(qemu_v3, &p, (char *)guest + 4, GUEST_ROOM - 4, &err), -1);
	assert_contains(err.msg, "not 8-byte aligned");
}

static void test_bad_vcpus(void **state)
{
	struct dt_guest_params p = qemu_params(3);

	(void)state;
	p.nr_vcpus = 0;
	build_fails(qemu_v3, &p, "0 vCPUs, expected 1 to DT_MAX_CPUS (16)");
	p.nr_vcpus = DT_MAX_CPUS + 1;
	build_fails(qemu_v3, &p, "17 vCPUs");

	p.nr_vcpus = 4;
	p.vcpu_mpidr[3] = 1;
	build_fails(qemu_v3, &p, "vCPUs 1 and 3 have MPIDR 0x1");
}

static void test_bad_gic(void **state)
{
	struct dt_guest_params p = qemu_params(3);

	(void)state;
	p.gic_version = 4;
	build_fails(qemu_v3, &p, "GIC version 4, expected 2 or 3");
	p.gic_version = 0;
	build_fails(qemu_v3, &p, "GIC version 0");

	/* A v3 needs GICR, a v2 GICC. */
	p.gic_version = 2;
	build_fails(qemu_v3, &p, "GICv2 needs non-empty GICD and GICC");
	p = qemu_params(2);
	p.gic_version = 3;
	build_fails(qemu_v3, &p, "GICv3 needs non-empty GICD and GICR");

	p = qemu_params(3);
	p.gic_maint_irq = 32;
	build_fails(qemu_v3, &p, "maintenance INTID 32 is not a PPI");
}

static void test_bad_params(void **state)
{
	struct dt_guest_params p = qemu_params(3);

	(void)state;
	p.psci_method = "svc";
	build_fails(qemu_v3, &p, "PSCI method svc");
	p.psci_method = NULL;
	build_fails(qemu_v3, &p, "PSCI method (NULL)");

	p = qemu_params(3);
	p.ram.size = 0;
	build_fails(qemu_v3, &p, "no RAM");

	p = qemu_params(3);
	p.timer.virt_irq = 15;
	build_fails(qemu_v3, &p, "timer INTIDs 29 30 15 26 are not all PPIs");

	p = qemu_params(3);
	p.initrd_end = p.initrd_start - 1;
	build_fails(qemu_v3, &p, "initrd ends");

	p = qemu_params(3);
	p.nr_devices = DT_GUEST_MAX_DEVICES + 1;
	build_fails(qemu_v3, &p, "9 devices, more than DT_GUEST_MAX_DEVICES");

	p = qemu_params(3);
	p.stdout_path = "/pl031@9010000";
	build_fails(qemu_v3, &p, "stdout device /pl031@9010000 is not one of the VM's devices");
}

static void test_duplicate_names(void **state)
{
	struct dt_guest_params p = qemu_params(3);

	(void)state;
	p.device_paths[1] = QEMU_PL011;
	p.nr_devices = 2;
	build_fails(qemu_v3, &p, "device /pl011@9000000 is given twice");

	/* The host's own timer would clash with the guest's. */
	p.device_paths[1] = "/timer";
	build_fails(qemu_v3, &p, "/timer would be a second node named timer under /");

	p.device_paths[1] = "/intc@8000000";
	build_fails(qemu_v3, &p, "second node named intc@8000000");
}

static void test_bad_clocks(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	fdt32_t cells[2] = {cpu_to_fdt32(0x1234), cpu_to_fdt32(0)};
	void *host = dtb_copy(qemu_v3);
	int pl011 = node_at(host, QEMU_PL011);

	(void)state;
	assert_int_equal(fdt_setprop(host, pl011, "clocks", cells, 4), 0);
	build_fails(host, &p, "/pl011@9000000: clocks names phandle 0x1234, which no node has");

	assert_int_equal(fdt_setprop(host, pl011, "clocks", cells, 3), 0);
	build_fails(host, &p, "clocks is 3 bytes, not whole cells");

	/* A provider with one clock cell, but the entry stops after the phandle. */
	cells[0] = cpu_to_fdt32(0x8000);
	assert_int_equal(fdt_setprop(host, pl011, "clocks", cells, 4), 0);
	assert_int_equal(fdt_setprop_u32(host, node_at(host, "/apb-pclk"), "#clock-cells", 1), 0);
	build_fails(host, &p, "/pl011@9000000: clocks ends inside an entry");

	assert_int_equal(fdt_delprop(host, node_at(host, "/apb-pclk"), "#clock-cells"), 0);
	build_fails(host, &p, "clock provider /apb-pclk has no #clock-cells");
}

/* One more clock provider than there is room to copy. */
static void test_too_many_clocks(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	fdt32_t cells[16];
	void *host = dtb_copy(qemu_v3);
	char name[16];
	int i, clk;

	(void)state;
	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "clk%d", i);
		clk = fdt_add_subnode(host, 0, name);
		assert_true(clk >= 0);
		assert_int_equal(fdt_setprop_u32(host, clk, "#clock-cells", 0), 0);
		assert_int_equal(fdt_setprop_u32(host, clk, "phandle", 0x9000 + i), 0);
		cells[i] = cpu_to_fdt32(0x9000 + i);
	}
	assert_int_equal(fdt_setprop(host, node_at(host, QEMU_PL011), "clocks", cells, 16 * 4), 0);
	build_fails(host, &p, "/clk15: more than 16 devices and clocks to copy");

	/* With one fewer, all 15 are copied. */
	assert_int_equal(fdt_setprop(host, node_at(host, QEMU_PL011), "clocks", cells, 15 * 4), 0);
	free(guest);
	guest = NULL;
	build(host, &p);
	assert_int_equal(u32_prop(guest, "/clk14", "phandle"),
	                 fdt32_ld(&((const fdt32_t *)fdt_getprop(guest, node_at(guest, QEMU_PL011),
	                                                         "clocks", NULL))[14]));
}

/* A 0 phandle is an unused slot: kept as it is, and nothing copied for it. */
static void test_clocks_with_empty_slot(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	fdt32_t cells[2] = {cpu_to_fdt32(0), cpu_to_fdt32(0x8000)};
	void *host = dtb_copy(qemu_v3), *fdt;
	uint32_t clk;

	(void)state;
	assert_int_equal(fdt_setprop(host, node_at(host, QEMU_PL011), "clocks", cells, 8), 0);
	fdt = build(host, &p);
	clk = u32_prop(fdt, "/apb-pclk", "phandle");
	assert_cells(fdt, "/pl011@9000000", "clocks", 0, clk);
}

static void test_untranslatable_reg(void **state)
{
	struct dt_guest_params p = rpi4_params();
	void *host = dtb_copy(rpi4);

	(void)state;
	/* Outside every window of /soc's ranges. */
	assert_int_equal(fdt_setprop_u64(host, node_at(host, RPI4_PL011), "reg", 0x10000000000200),
	                 0);
	build_fails(host, &p, "/soc/serial@7e201000: reg 0x100000 is not translatable");

	/* A reg that is not whole entries of /soc's 1+1 cells. */
	assert_int_equal(fdt_setprop_u32(host, node_at(host, RPI4_PL011), "reg", 0x7e201000), 0);
	build_fails(host, &p, "reg is 4 bytes, not a multiple of 8");
}

static void test_bad_host_dt(void **state)
{
	struct dt_guest_params p = qemu_params(3);
	void *host = dtb_copy(qemu_v3);

	(void)state;
	fdt_set_magic(host, 0);
	build_fails(host, &p, "bad host DT");
}

#define TEST(f) cmocka_unit_test_teardown(f, free_bufs)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_qemu_gicv3),
	    TEST(test_qemu_gicv2),
	    TEST(test_gicv2_cpu_mask_follows_vcpus),
	    TEST(test_minimal_chosen),
	    TEST(test_pmu_node),
	    TEST(test_no_devices),
	    TEST(test_shared_clock_copied_once),
	    TEST(test_clock_provider_given_as_device),
	    TEST(test_two_cell_mpidrs),
	    TEST(test_root_without_compatible),
	    TEST(test_rpi4_pl011),
	    TEST(test_fixed_clock_substitution),
	    TEST(test_missing_device),
	    TEST(test_buffer_too_small),
	    TEST(test_null_arguments),
	    TEST(test_unaligned_buffer),
	    TEST(test_bad_vcpus),
	    TEST(test_bad_gic),
	    TEST(test_bad_params),
	    TEST(test_duplicate_names),
	    TEST(test_bad_clocks),
	    TEST(test_too_many_clocks),
	    TEST(test_clocks_with_empty_slot),
	    TEST(test_untranslatable_reg),
	    TEST(test_bad_host_dt),
	};
	return cmocka_run_group_tests_name("dt_guest", tests, load_dtbs, free_dtbs);
}
