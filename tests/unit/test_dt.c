/*
 * The host device-tree parser against real DTBs (QEMU virt with GICv3 and
 * GICv2, Debian's Raspberry Pi 4) and against copies of them edited with
 * libfdt to break one thing at a time.
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

#define QEMU_V3_DTB "../dtbs/qemu-virt-gicv3.dtb"
#define QEMU_V2_DTB "../dtbs/qemu-virt-gicv2.dtb"
#define RPI4_DTB    "../../build/guest/bcm2711-rpi-4-b.dtb"

/* Room for the properties and nodes a test adds to its copy. */
#define EDIT_ROOM 8192

static void *qemu_v3, *qemu_v2, *rpi4; /* the DTBs as read from disk */
static void *copy;                     /* a test's editable copy, freed by free_copy() */

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

static void del_node(void *fdt, const char *path)
{
	assert_int_equal(fdt_del_node(fdt, node_at(fdt, path)), 0);
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

static int translate(const void *fdt, const char *path, uint64_t addr, uint64_t *out)
{
	return dt_translate_address(fdt, node_at(fdt, path), addr, out);
}

/* The Pi DTB as the firmware would pass it: /memory@0 filled in. */
static void *rpi4_with_memory(void)
{
	void *fdt = dtb_copy(rpi4);

	/* A 4 GB Pi 4; the 0-sized entry is a placeholder the parser must skip. */
	set_cells(fdt, "/memory@0", "reg", 0x0, 0x0, 0x3b400000, 0x0, 0x3c000000, 0x0, 0x0,
	          0x40000000, 0xbc000000, 0x1, 0x0, 0x80000000);
	return fdt;
}

/* ------------------------------------------------------------------------ */
/* dt_blob_size                                                             */
/* ------------------------------------------------------------------------ */

static void test_blob_size_of_real_dtbs(void **state)
{
	(void)state;
	assert_int_equal(dt_blob_size(qemu_v3), fdt_totalsize(qemu_v3));
	assert_int_equal(dt_blob_size(qemu_v2), fdt_totalsize(qemu_v2));
	assert_int_equal(dt_blob_size(rpi4), fdt_totalsize(rpi4));
	assert_int_equal(dt_blob_size(rpi4), 27386); /* the file's size, checked at load */
}

static void test_blob_size_rejects(void **state)
{
	uint32_t zeros[16] = {0};
	uint32_t header[sizeof(struct fdt_header) / sizeof(uint32_t) + 1];
	void *fdt;

	(void)state;
	assert_int_equal(dt_blob_size(NULL), 0);
	assert_int_equal(dt_blob_size(zeros), 0);

	/* Unaligned: it would fault with the MMU off, so it is refused outright. */
	memcpy((uint8_t *)header + 1, qemu_v3, sizeof(struct fdt_header));
	assert_int_equal(dt_blob_size((uint8_t *)header + 1), 0);
	memcpy(header, qemu_v3, sizeof(struct fdt_header));
	assert_int_equal(dt_blob_size(header), fdt_totalsize(qemu_v3));

	fdt = dtb_copy(qemu_v3);

	fdt_set_magic(fdt, 0xfeedd00d);
	assert_int_equal(dt_blob_size(fdt), 0);
	fdt_set_magic(fdt, FDT_MAGIC);

	fdt_set_totalsize(fdt, sizeof(struct fdt_header) - 1);
	assert_int_equal(dt_blob_size(fdt), 0);
	fdt_set_totalsize(fdt, sizeof(struct fdt_header));
	assert_int_equal(dt_blob_size(fdt), sizeof(struct fdt_header));
	fdt_set_totalsize(fdt, fdt_totalsize(qemu_v3) + EDIT_ROOM);

	fdt_set_last_comp_version(fdt, 18);
	fdt_set_version(fdt, 18);
	assert_int_equal(dt_blob_size(fdt), 0); /* a layout newer than libfdt reads */
	fdt_set_last_comp_version(fdt, 16);
	fdt_set_version(fdt, 1);
	assert_int_equal(dt_blob_size(fdt), 0); /* older than it is compatible with */
	fdt_set_version(fdt, 17);
	assert_int_equal(dt_blob_size(fdt), fdt_totalsize(qemu_v3) + EDIT_ROOM);
}

/* ------------------------------------------------------------------------ */
/* The real DTBs                                                            */
/* ------------------------------------------------------------------------ */

static void assert_qemu_common(const struct dt_host *host)
{
	unsigned int i;

	assert_string_equal(host->model, "linux,dummy-virt");

	assert_int_equal(host->nr_mem, 1);
	assert_region(&host->mem[0], 0x40000000, 0x40000000);

	assert_int_equal(host->nr_cpus, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(host->cpus[i].mpidr, i);
		assert_int_equal(host->cpus[i].enable, DT_CPU_ENABLE_PSCI);
		assert_int_equal(host->cpus[i].release_addr, 0);
	}
	assert_int_equal(host->psci, DT_PSCI_SMC);

	assert_int_equal(host->gic.maint_irq, 25);
	assert_int_equal(host->gic.phandle, 0x8005);

	assert_int_equal(host->uart.type, DT_UART_PL011);
	assert_region(&host->uart.reg, 0x09000000, 0x1000);
	assert_int_equal(host->uart.irq, 33);
	assert_string_equal(host->uart.path, "/pl011@9000000");

	assert_int_equal(host->timer.sec_phys_irq, 29);
	assert_int_equal(host->timer.phys_irq, 30);
	assert_int_equal(host->timer.virt_irq, 27);
	assert_int_equal(host->timer.hyp_irq, 26);
	assert_int_equal(host->pmu_irq, 23); /* /pmu, arm,armv8-pmuv3, PPI 7 */
}

static void test_qemu_virt_gicv3(void **state)
{
	struct dt_host host;

	(void)state;
	parse_ok(qemu_v3, &host);
	assert_qemu_common(&host);
	assert_int_equal(host.gic.version, 3);
	assert_string_equal(host.gic.compatible, "arm,gic-v3");
	assert_region(&host.gic.gicd, 0x08000000, 0x10000);
	assert_region(&host.gic.gicr, 0x080a0000, 0xf60000);
	assert_region(&host.gic.gicc, 0, 0);
	assert_region(&host.gic.gich, 0, 0);
	assert_region(&host.gic.gicv, 0, 0);
}

static void test_qemu_virt_gicv2(void **state)
{
	struct dt_host host;

	(void)state;
	parse_ok(qemu_v2, &host);
	assert_qemu_common(&host);
	assert_int_equal(host.gic.version, 2);
	assert_string_equal(host.gic.compatible, "arm,cortex-a15-gic");
	assert_region(&host.gic.gicd, 0x08000000, 0x10000);
	assert_region(&host.gic.gicc, 0x08010000, 0x10000);
	assert_region(&host.gic.gich, 0x08030000, 0x10000);
	assert_region(&host.gic.gicv, 0x08040000, 0x10000);
	assert_region(&host.gic.gicr, 0, 0);
}

static void test_rpi4_unfilled_memory_is_an_error(void **state)
{
	(void)state;
	/* Debian's DTB has /memory@0 reg = <0 0 0>: the firmware fills it in. */
	parse_fails(rpi4, "no RAM: /memory@0 has no non-empty reg");
}

static void test_rpi4_with_memory(void **state)
{
	struct dt_host host;
	unsigned int i;

	(void)state;
	parse_ok(rpi4_with_memory(), &host);

	assert_string_equal(host.model, "Raspberry Pi 4 Model B");

	assert_int_equal(host.nr_mem, 3);
	assert_region(&host.mem[0], 0x0, 0x3b400000);
	assert_region(&host.mem[1], 0x40000000, 0xbc000000);
	assert_region(&host.mem[2], 0x100000000, 0x80000000);

	assert_int_equal(host.nr_cpus, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(host.cpus[i].mpidr, i);
		assert_int_equal(host.cpus[i].enable, DT_CPU_ENABLE_SPIN_TABLE);
		assert_int_equal(host.cpus[i].release_addr, 0xd8 + 8 * i);
	}
	assert_int_equal(host.psci, DT_PSCI_NONE);

	/* A GIC-400 under /soc: 0x40041000 is 0xff841000 through its ranges. */
	assert_int_equal(host.gic.version, 2);
	assert_string_equal(host.gic.compatible, "arm,gic-400");
	assert_region(&host.gic.gicd, 0xff841000, 0x1000);
	assert_region(&host.gic.gicc, 0xff842000, 0x2000);
	assert_region(&host.gic.gich, 0xff844000, 0x2000);
	assert_region(&host.gic.gicv, 0xff846000, 0x2000);
	assert_region(&host.gic.gicr, 0, 0);
	assert_int_equal(host.gic.maint_irq, 25);
	assert_int_equal(host.gic.phandle, 1);

	assert_int_equal(host.timer.sec_phys_irq, 29);
	assert_int_equal(host.timer.phys_irq, 30);
	assert_int_equal(host.timer.virt_irq, 27);
	assert_int_equal(host.timer.hyp_irq, 26);
	/* The BCM2711's PMU (arm,cortex-a72-pmu) has one SPI per CPU: no PMU PPI. */
	assert_int_equal(host.pmu_irq, 0);

	/*
	 * stdout-path is "serial1:115200n8": the mini UART (brcm,bcm2835-aux-uart),
	 * which is no PL011. Reported by path, but not a console to drive.
	 */
	assert_int_equal(host.uart.type, DT_UART_NONE);
	assert_string_equal(host.uart.path, "/soc/serial@7e215040");
	assert_region(&host.uart.reg, 0, 0);
	assert_int_equal(host.uart.irq, 0);
}

/* ------------------------------------------------------------------------ */
/* Console                                                                  */
/* ------------------------------------------------------------------------ */

static void assert_rpi4_pl011(const struct dt_host *host)
{
	assert_int_equal(host->uart.type, DT_UART_PL011);
	assert_region(&host->uart.reg, 0xfe201000, 0x200);
	assert_int_equal(host->uart.irq, 153); /* SPI 121 */
	assert_string_equal(host->uart.path, "/soc/serial@7e201000");
}

static void test_console_stdout_path_alias_with_options(void **state)
{
	struct dt_host host;
	void *fdt = rpi4_with_memory();

	(void)state;
	set_string(fdt, "/chosen", "stdout-path", "serial0:115200n8");
	parse_ok(fdt, &host);
	assert_rpi4_pl011(&host);
}

static void test_console_stdout_path_full_path_with_options(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_string(fdt, "/chosen", "stdout-path", "/pl011@9000000:115200n8");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_PL011);
	assert_region(&host.uart.reg, 0x09000000, 0x1000);
	assert_string_equal(host.uart.path, "/pl011@9000000");
}

static void test_console_falls_back_to_serial0(void **state)
{
	struct dt_host host;
	void *fdt = rpi4_with_memory();

	(void)state;
	del_prop(fdt, "/chosen", "stdout-path");
	parse_ok(fdt, &host);
	assert_rpi4_pl011(&host);
}

static void test_console_absent_is_not_an_error(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	del_prop(fdt, "/chosen", "stdout-path");
	del_prop(fdt, "/aliases", "serial0");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_NONE);
	assert_string_equal(host.uart.path, "");
	assert_int_equal(host.nr_cpus, 4); /* the rest is still there */
}

static void test_console_stdout_path_to_nowhere(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	/* stdout-path is authoritative: no falling back to serial0 behind it. */
	set_string(fdt, "/chosen", "stdout-path", "serial7:115200n8");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_NONE);

	set_string(fdt, "/chosen", "stdout-path", ":115200n8");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_NONE);
}

static void test_console_disabled(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_string(fdt, "/pl011@9000000", "status", "disabled");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_NONE);
	assert_string_equal(host.uart.path, "/pl011@9000000");

	set_string(fdt, "/pl011@9000000", "status", "okay");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_PL011);
}

static void test_console_irq_elsewhere_or_absent(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	/* Wired to a secondary interrupt controller: no GIC INTID to report. */
	add_node(fdt, "/", "gpio-intc");
	set_cells(fdt, "/gpio-intc", "#interrupt-cells", 2);
	set_cells(fdt, "/gpio-intc", "phandle", 0x4242);
	set_cells(fdt, "/pl011@9000000", "interrupt-parent", 0x4242);
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_PL011);
	assert_int_equal(host.uart.irq, 0);

	del_prop(fdt, "/pl011@9000000", "interrupt-parent");
	del_prop(fdt, "/pl011@9000000", "interrupts");
	parse_ok(fdt, &host);
	assert_int_equal(host.uart.type, DT_UART_PL011);
	assert_int_equal(host.uart.irq, 0);
}

static void test_console_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	del_prop(fdt, "/pl011@9000000", "reg");
	parse_fails(fdt, "/pl011@9000000: the PL011 console has no reg");

	set_cells(fdt, "/pl011@9000000", "reg", 0x0, 0x09000000, 0x0);
	parse_fails(fdt, "/pl011@9000000: reg is 12 bytes, not a multiple of 16 (2+2 cells)");

	set_cells(fdt, "/pl011@9000000", "reg", 0x0, 0x09000000, 0x0, 0x1000);
	set_cells(fdt, "/pl011@9000000", "interrupts", 0x0, 0x1);
	parse_fails(fdt, "/pl011@9000000: interrupts is 8 bytes, not whole 3-cell GIC specifiers");
}

/* ------------------------------------------------------------------------ */
/* Address translation                                                      */
/* ------------------------------------------------------------------------ */

static void test_translate_rpi4(void **state)
{
	uint64_t pa = 0;

	(void)state;
	/* /soc: 1-cell children, 2-cell parent: 0x7e000000 -> 0xfe000000. */
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000", 0x7e201000, &pa), 0);
	assert_int_equal(pa, 0xfe201000);
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000", 0x7e000000, &pa), 0);
	assert_int_equal(pa, 0xfe000000);
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000", 0x7f7fffff, &pa), 0);
	assert_int_equal(pa, 0xff7fffff);
	/* The third window: the ARM local peripherals. */
	assert_int_equal(translate(rpi4, "/soc/interrupt-controller@40041000", 0x40041000, &pa), 0);
	assert_int_equal(pa, 0xff841000);

	/* Just past a window, and in none at all. */
	pa = 0x1234;
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000", 0x7f800000, &pa), -1);
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000", 0x10000000, &pa), -1);
	assert_int_equal(pa, 0x1234);

	/* 2-cell children: /emmc2bus, and /scb with its window above 4 GB. */
	assert_int_equal(translate(rpi4, "/emmc2bus/mmc@7e340000", 0x7e340000, &pa), 0);
	assert_int_equal(pa, 0xfe340000);
	assert_int_equal(translate(rpi4, "/scb/pcie@7d500000", 0x7d500000, &pa), 0);
	assert_int_equal(pa, 0xfd500000);
	assert_int_equal(translate(rpi4, "/scb/pcie@7d500000", 0x600001000, &pa), 0);
	assert_int_equal(pa, 0x600001000);

	/* A root child is already CPU physical. */
	assert_int_equal(translate(rpi4, "/memory@0", 0x12345678, &pa), 0);
	assert_int_equal(pa, 0x12345678);

	/* Parents without ranges (not memory-mapped) or with 3-cell PCI addresses. */
	assert_int_equal(translate(rpi4, "/scb/ethernet@7d580000/mdio@e14", 0xe14, &pa), -1);
	assert_int_equal(translate(rpi4, "/soc/serial@7e201000/bluetooth", 0x0, &pa), -1);
	assert_int_equal(translate(rpi4, "/scb/pcie@7d500000/pci@0,0", 0x0, &pa), -1);

	/* The root itself has no parent to interpret a reg; bad arguments. */
	assert_int_equal(dt_translate_address(rpi4, 0, 0x0, &pa), -1);
	assert_int_equal(dt_translate_address(rpi4, node_at(rpi4, "/soc"), 0x0, NULL), -1);
	assert_int_equal(dt_translate_address(NULL, 0, 0x0, &pa), -1);
	assert_int_equal(dt_translate_address(rpi4, -1, 0x0, &pa), -1);
}

static void test_translate_empty_ranges_is_identity(void **state)
{
	uint64_t pa = 0;

	(void)state;
	/* QEMU's GICv3 node has "ranges;" for its ITS child. */
	assert_int_equal(translate(qemu_v3, "/intc@8000000/its@8080000", 0x8080000, &pa), 0);
	assert_int_equal(pa, 0x8080000);
}

static void test_translate_malformed_ranges(void **state)
{
	uint64_t pa = 0;
	void *fdt = dtb_copy(rpi4);

	(void)state;
	/* 11 cells are no whole number of 4-cell (1 + 2 + 1) entries. */
	set_cells(fdt, "/soc", "ranges", 0x7e000000, 0x0, 0xfe000000, 0x1800000, 0x7c000000, 0x0,
	          0xfc000000, 0x2000000, 0x40000000, 0x0, 0xff800000);
	assert_int_equal(translate(fdt, "/soc/serial@7e201000", 0x7e201000, &pa), -1);

	/* A 3-cell bus cannot be mapped into a uint64_t. */
	set_cells(fdt, "/soc", "ranges", 0x7e000000, 0x0, 0xfe000000, 0x1800000);
	assert_int_equal(translate(fdt, "/soc/serial@7e201000", 0x7e201000, &pa), 0);
	set_cells(fdt, "/soc", "#address-cells", 3);
	assert_int_equal(translate(fdt, "/soc/serial@7e201000", 0x7e201000, &pa), -1);
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

static void test_memory_banks_from_several_nodes(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	add_node(fdt, "/", "memory@100000000");
	set_string(fdt, "/memory@100000000", "device_type", "memory");
	set_cells(fdt, "/memory@100000000", "reg", 0x1, 0x0, 0x0, 0x20000000, 0x2, 0x0, 0x1, 0x0);
	/* Not RAM despite the name: device_type is what counts. */
	add_node(fdt, "/", "memory@200000000");
	set_string(fdt, "/memory@200000000", "device_type", "memoryx");
	set_cells(fdt, "/memory@200000000", "reg", 0x3, 0x0, 0x0, 0x1000);
	parse_ok(fdt, &host);
	/* In tree order, and fdt_add_subnode() puts a new node before its siblings. */
	assert_int_equal(host.nr_mem, 3);
	assert_region(&host.mem[0], 0x100000000, 0x20000000);
	assert_region(&host.mem[1], 0x200000000, 0x100000000);
	assert_region(&host.mem[2], 0x40000000, 0x40000000);
}

static void test_memory_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/memory@40000000", "reg", 0x0, 0x40000000, 0x0);
	parse_fails(fdt, "/memory@40000000: reg is 12 bytes, not a multiple of 16 (2+2 cells)");

	set_cells(fdt, "/memory@40000000", "reg", 0xffffffff, 0xfffff000, 0x0, 0x2000);
	parse_fails(fdt, "/memory@40000000: reg 0xfffffffffffff000 + 0x2000 wraps");

	del_prop(fdt, "/memory@40000000", "reg");
	parse_fails(fdt, "no RAM: /memory@40000000 has no non-empty reg");

	del_node(fdt, "/memory@40000000");
	parse_fails(fdt, "no RAM: no node has device_type = \"memory\"");
}

static void test_memory_too_many_banks(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	/* Eight banks fit... */
	set_cells(fdt, "/memory@40000000", "reg", 0x0, 0x40000000, 0x0, 0x1000, 0x1, 0x0, 0x0,
	          0x1000, 0x2, 0x0, 0x0, 0x1000, 0x3, 0x0, 0x0, 0x1000, 0x4, 0x0, 0x0, 0x1000, 0x5,
	          0x0, 0x0, 0x1000, 0x6, 0x0, 0x0, 0x1000, 0x7, 0x0, 0x0, 0x1000);
	parse_ok(fdt, &host);
	assert_int_equal(host.nr_mem, 8);
	assert_region(&host.mem[7], 0x700000000, 0x1000);

	/* ... a ninth does not (the new node comes first, so the old one overflows). */
	add_node(fdt, "/", "memory@800000000");
	set_string(fdt, "/memory@800000000", "device_type", "memory");
	set_cells(fdt, "/memory@800000000", "reg", 0x8, 0x0, 0x0, 0x1000);
	parse_fails(fdt, "too many RAM banks: /memory@40000000 goes past DT_MAX_MEM_BANKS (8)");
}

/* ------------------------------------------------------------------------ */
/* CPUs and PSCI                                                            */
/* ------------------------------------------------------------------------ */

static void add_cpu(void *fdt, unsigned int n)
{
	char name[16], path[32];

	snprintf(name, sizeof(name), "cpu@%u", n);
	snprintf(path, sizeof(path), "/cpus/%s", name);
	add_node(fdt, "/cpus", name);
	set_string(fdt, path, "device_type", "cpu");
	set_string(fdt, path, "enable-method", "psci");
	set_cells(fdt, path, "reg", n);
}

static void test_cpus_limit(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);
	unsigned int n, seen = 0;

	(void)state;
	for (n = 4; n < DT_MAX_CPUS; n++)
		add_cpu(fdt, n);
	parse_ok(fdt, &host);
	assert_int_equal(host.nr_cpus, DT_MAX_CPUS);
	/* Tree order, with the added nodes first: check the set of MPIDRs. */
	for (n = 0; n < DT_MAX_CPUS; n++)
		seen |= 1u << host.cpus[n].mpidr;
	assert_int_equal(seen, (1u << DT_MAX_CPUS) - 1);

	add_cpu(fdt, DT_MAX_CPUS);
	add_cpu(fdt, DT_MAX_CPUS + 1);
	parse_fails(fdt, "the DT describes 18 CPUs, more than DT_MAX_CPUS (16)");
}

static void test_cpus_two_cell_mpidr(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/cpus", "#address-cells", 2);
	set_cells(fdt, "/cpus/cpu@0", "reg", 0x1, 0x0);
	set_cells(fdt, "/cpus/cpu@1", "reg", 0x0, 0x100);
	set_cells(fdt, "/cpus/cpu@2", "reg", 0x0, 0x10000);
	set_cells(fdt, "/cpus/cpu@3", "reg", 0x0, 0x0);
	parse_ok(fdt, &host);
	assert_int_equal(host.cpus[0].mpidr, 0x100000000);
	assert_int_equal(host.cpus[1].mpidr, 0x100);
	assert_int_equal(host.cpus[2].mpidr, 0x10000);
	assert_int_equal(host.cpus[3].mpidr, 0x0);
}

static void test_cpus_enable_methods(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	del_prop(fdt, "/cpus/cpu@1", "enable-method");
	set_string(fdt, "/cpus/cpu@2", "enable-method", "brcm,bcm2836-smp");
	set_string(fdt, "/cpus/cpu@3", "enable-method", "spin-table");
	set_cells(fdt, "/cpus/cpu@3", "cpu-release-addr", 0x1, 0x8000fff8);
	/* Not a CPU: skipped rather than counted. */
	add_node(fdt, "/cpus", "l2-cache0");
	set_string(fdt, "/cpus/l2-cache0", "device_type", "cache");
	parse_ok(fdt, &host);
	assert_int_equal(host.nr_cpus, 4);
	assert_int_equal(host.cpus[0].enable, DT_CPU_ENABLE_PSCI);
	assert_int_equal(host.cpus[1].enable, DT_CPU_ENABLE_NONE);
	assert_int_equal(host.cpus[2].enable, DT_CPU_ENABLE_NONE);
	assert_int_equal(host.cpus[3].enable, DT_CPU_ENABLE_SPIN_TABLE);
	assert_int_equal(host.cpus[3].release_addr, 0x18000fff8);
}

static void test_cpus_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_string(fdt, "/cpus/cpu@3", "enable-method", "spin-table");
	parse_fails(fdt, "/cpus/cpu@3: spin-table needs a 2-cell cpu-release-addr");
	set_cells(fdt, "/cpus/cpu@3", "cpu-release-addr", 0xd8);
	parse_fails(fdt, "/cpus/cpu@3: spin-table needs a 2-cell cpu-release-addr");
	set_string(fdt, "/cpus/cpu@3", "enable-method", "psci");

	set_cells(fdt, "/cpus/cpu@2", "reg", 0x1);
	parse_fails(fdt, "/cpus: two CPUs have MPIDR 0x1");
	del_prop(fdt, "/cpus/cpu@2", "reg");
	parse_fails(fdt, "/cpus/cpu@2: reg is missing or shorter than /cpus #address-cells (1)");
	set_cells(fdt, "/cpus/cpu@2", "reg", 0x2);

	set_cells(fdt, "/cpus", "#address-cells", 3);
	parse_fails(fdt, "/cpus: #address-cells is 3, expected 1 or 2");
	set_cells(fdt, "/cpus", "#address-cells", 1);

	del_node(fdt, "/cpus/cpu@0");
	del_node(fdt, "/cpus/cpu@1");
	del_node(fdt, "/cpus/cpu@2");
	del_node(fdt, "/cpus/cpu@3");
	parse_fails(fdt, "/cpus has no node with device_type = \"cpu\"");

	del_node(fdt, "/cpus");
	parse_fails(fdt, "no /cpus node");
}

static void test_psci_methods(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_string(fdt, "/psci", "method", "hvc");
	parse_ok(fdt, &host);
	assert_int_equal(host.psci, DT_PSCI_HVC);

	set_string(fdt, "/psci", "method", "smcx");
	parse_ok(fdt, &host);
	assert_int_equal(host.psci, DT_PSCI_NONE);

	/* Found by compatible, whatever its name. */
	set_string(fdt, "/psci", "method", "smc");
	assert_int_equal(fdt_set_name(fdt, node_at(fdt, "/psci"), "firmware-psci"), 0);
	parse_ok(fdt, &host);
	assert_int_equal(host.psci, DT_PSCI_SMC);

	/* ... or by name, without a compatible. */
	del_prop(fdt, "/firmware-psci", "compatible");
	assert_int_equal(fdt_set_name(fdt, node_at(fdt, "/firmware-psci"), "psci"), 0);
	parse_ok(fdt, &host);
	assert_int_equal(host.psci, DT_PSCI_SMC);

	del_node(fdt, "/psci");
	parse_ok(fdt, &host);
	assert_int_equal(host.psci, DT_PSCI_NONE);
}

static void test_psci_method_name(void **state)
{
	(void)state;
	assert_string_equal(dt_psci_method_name(DT_PSCI_NONE), "none");
	assert_string_equal(dt_psci_method_name(DT_PSCI_SMC), "smc");
	assert_string_equal(dt_psci_method_name(DT_PSCI_HVC), "hvc");
	assert_string_equal(dt_psci_method_name((enum dt_psci_method)42), "unknown");
}

/* ------------------------------------------------------------------------ */
/* GIC and timer                                                            */
/* ------------------------------------------------------------------------ */

static void test_gic_compatibles(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v2);

	(void)state;
	set_string(fdt, "/intc@8000000", "compatible", "arm,cortex-a9-gic");
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.version, 2);
	set_string(fdt, "/intc@8000000", "compatible", "arm,gic-400");
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.version, 2);
	set_string(fdt, "/intc@8000000", "compatible", "arm,gic-v2");
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.version, 2);

	/* No virtualization extensions: GICH and GICV stay empty. */
	set_cells(fdt, "/intc@8000000", "reg", 0x0, 0x08000000, 0x0, 0x10000, 0x0, 0x08010000, 0x0,
	          0x10000);
	parse_ok(fdt, &host);
	assert_region(&host.gic.gicc, 0x08010000, 0x10000);
	assert_region(&host.gic.gich, 0, 0);
	assert_region(&host.gic.gicv, 0, 0);

	/* No maintenance interrupt: INTID 0. */
	del_prop(fdt, "/intc@8000000", "interrupts");
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.maint_irq, 0);
}

static void test_gic_interrupt_types(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/intc@8000000", "interrupts", 0x0, 987, 0x4); /* the last SPI */
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.maint_irq, 1019);
	set_cells(fdt, "/intc@8000000", "interrupts", 0x2, 5, 0x4); /* extended SPI */
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.maint_irq, 4101);
	set_cells(fdt, "/intc@8000000", "interrupts", 0x3, 2, 0x4); /* extended PPI */
	parse_ok(fdt, &host);
	assert_int_equal(host.gic.maint_irq, 1058);

	set_cells(fdt, "/intc@8000000", "interrupts", 0x1, 16, 0x4);
	parse_fails(fdt, "/intc@8000000: interrupt 0 has an invalid GIC type 1 / number 16");
	set_cells(fdt, "/intc@8000000", "interrupts", 0x0, 988, 0x4);
	parse_fails(fdt, "invalid GIC type 0 / number 988");
	set_cells(fdt, "/intc@8000000", "interrupts", 0x7, 1, 0x4);
	parse_fails(fdt, "invalid GIC type 7 / number 1");
}

static void test_gic_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/intc@8000000", "#interrupt-cells", 2);
	parse_fails(fdt, "/intc@8000000: #interrupt-cells is missing or not 3 or 4");
	set_cells(fdt, "/intc@8000000", "#interrupt-cells", 3);

	set_cells(fdt, "/intc@8000000", "reg", 0x0, 0x08000000, 0x0, 0x10000);
	parse_fails(fdt, "/intc@8000000: reg has 1 entries, a GICv3 needs at least GICD and GICR");
	set_cells(fdt, "/intc@8000000", "reg", 0x0, 0x08000000, 0x0, 0x10000, 0x0);
	parse_fails(fdt, "/intc@8000000: reg is 20 bytes, not a multiple of 16");

	set_string(fdt, "/intc@8000000", "compatible", "arm,gic-v5");
	parse_fails(fdt, "no GIC: no node compatible with arm,gic-v3");

	/* A disabled GIC is no GIC. */
	set_string(fdt, "/intc@8000000", "compatible", "arm,gic-v3");
	set_string(fdt, "/intc@8000000", "status", "disabled");
	parse_fails(fdt, "no GIC");
}

static void test_gic_v2_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v2);

	(void)state;
	set_cells(fdt, "/intc@8000000", "reg", 0x0, 0x08000000, 0x0, 0x10000);
	parse_fails(fdt, "/intc@8000000: reg has 1 entries, a GICv2 needs at least GICD and GICC");
}

static void test_timer_errors(void **state)
{
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	set_cells(fdt, "/timer", "interrupts", 0x1, 0xd, 0x4, 0x1, 0xe, 0x4, 0x1, 0xb, 0x4);
	parse_fails(fdt, "/timer: has 3 interrupts, the arch timer needs 4");
	set_cells(fdt, "/timer", "interrupts", 0x1, 0xd, 0x4, 0x1, 0xe, 0x4, 0x1, 0xb, 0x4, 0x1);
	parse_fails(fdt, "/timer: interrupts is 40 bytes, not whole 3-cell GIC specifiers");
	set_cells(fdt, "/timer", "interrupts", 0x1, 0xd, 0x4, 0x1, 0xe, 0x4, 0x1, 0xb, 0x4, 0x1,
	          0x1a, 0x4);
	parse_fails(fdt, "/timer: interrupt 3 has an invalid GIC type 1 / number 26");

	/* An interrupt-parent loop must end, not hang. */
	set_cells(fdt, "/timer", "interrupts", 0x1, 0xd, 0x4, 0x1, 0xe, 0x4, 0x1, 0xb, 0x4, 0x1,
	          0xa, 0x4);
	set_cells(fdt, "/timer", "phandle", 0x777);
	set_cells(fdt, "/timer", "interrupt-parent", 0x777);
	parse_fails(fdt, "/timer: interrupts are not routed to the GIC");
	set_cells(fdt, "/timer", "interrupt-parent", 0x1, 0x2);
	parse_fails(fdt, "/timer: interrupts are not routed to the GIC");
	del_prop(fdt, "/timer", "interrupt-parent");

	del_prop(fdt, "/timer", "interrupts");
	parse_fails(fdt, "/timer: has 0 interrupts");

	set_string(fdt, "/timer", "compatible", "arm,armv7-timer");
	parse_fails(fdt, "no timer: no node compatible with arm,armv8-timer");
}

/* ------------------------------------------------------------------------ */
/* Broken blobs and arguments                                               */
/* ------------------------------------------------------------------------ */

static void test_null_arguments(void **state)
{
	static const struct dt_host zero;
	struct dt_host host;
	struct dt_error err;

	(void)state;
	memset(&host, 0xa5, sizeof(host));
	assert_int_equal(dt_parse_host(NULL, &host, &err), -1);
	assert_contains(err.msg, "NULL DTB pointer");
	/* Not left as it was either (found by tests/fuzz/fuzz_dt_host). */
	assert_memory_equal(&host, &zero, sizeof(host));
	assert_int_equal(dt_parse_host(qemu_v3, NULL, &err), -1);
	assert_contains(err.msg, "NULL output");
	/* No error buffer: still a clean result either way. */
	assert_int_equal(dt_parse_host(NULL, &host, NULL), -1);
	assert_int_equal(dt_parse_host(qemu_v3, &host, NULL), 0);
	assert_int_equal(host.nr_cpus, 4);
}

/*
 * A property whose length is -12 sends the walk of the libfdt we link back to
 * that same property for ever: the parser stops with an error instead (found
 * by tests/fuzz/fuzz_dt_host).
 */
static void test_property_length_wraps(void **state)
{
	uint8_t *fdt = dtb_copy(qemu_v3);
	int prop = fdt_first_property_offset(fdt, node_at(fdt, "/chosen"));
	fdt32_t *len = (fdt32_t *)(fdt + fdt_off_dt_struct(fdt) + prop + 4);

	(void)state;
	assert_true(prop >= 0);
	*len = cpu_to_fdt32(0xfffffff4);
	parse_fails(fdt, "corrupt DTB");
	*len = cpu_to_fdt32(0x7ffffff0); /* past the end of the block */
	parse_fails(fdt, "corrupt DTB");
}

static void test_bad_header(void **state)
{
	uint8_t *fdt = dtb_copy(qemu_v3);

	(void)state;
	fdt_set_magic(fdt, 0x12345678);
	parse_fails(fdt, "bad DTB header at 0x");
	parse_fails(fdt, "FDT_ERR_BADMAGIC");
	fdt_set_magic(fdt, FDT_MAGIC);

	fdt_set_version(fdt, 18);
	fdt_set_last_comp_version(fdt, 18);
	parse_fails(fdt, "FDT_ERR_BADVERSION");
	fdt_set_version(fdt, 17);
	fdt_set_last_comp_version(fdt, 16);

	/* The strings block runs past totalsize: a blob cut short. */
	fdt_set_totalsize(fdt, fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt) - 1);
	parse_fails(fdt, "FDT_ERR_TRUNCATED");
	fdt_set_totalsize(fdt, fdt_totalsize(qemu_v3) + EDIT_ROOM);
}

static void test_unaligned_blob(void **state)
{
	uint32_t size = fdt_totalsize(qemu_v3);
	uint8_t *shifted = malloc(size + 1);

	(void)state;
	/* A whole, valid DTB, only one byte off: refused before libfdt touches it. */
	assert_non_null(shifted);
	memcpy(shifted + 1, qemu_v3, size);
	parse_fails(shifted + 1, "is not 4-byte aligned");
	free(shifted);
}

/* The structure offset of the FDT_END_NODE tag closing the (childless) node at @path. */
static int end_node_tag(const void *fdt, const char *path)
{
	int next, offset = node_at(fdt, path);
	uint32_t tag;

	while ((tag = fdt_next_tag(fdt, offset, &next)) != FDT_END_NODE) {
		assert_int_not_equal(tag, FDT_END);
		offset = next;
	}
	return offset;
}

static void test_corrupt_structure(void **state)
{
	uint8_t *fdt = dtb_copy(qemu_v3);
	fdt32_t *word;
	int prop;

	(void)state;
	prop = fdt_first_property_offset(fdt, node_at(fdt, "/cpus/cpu@2"));
	assert_true(prop >= 0);
	word = (fdt32_t *)(fdt + fdt_off_dt_struct(fdt) + prop);

	/* An unknown tag in the middle of the tree. */
	word[0] = cpu_to_fdt32(0xdeadbeef);
	parse_fails(fdt, "corrupt DTB at 0x");
	parse_fails(fdt, "FDT_ERR_BADSTRUCTURE");
	word[0] = cpu_to_fdt32(FDT_PROP);

	/* A property longer than the structure block. */
	word[1] = cpu_to_fdt32(0x7ffffff0);
	parse_fails(fdt, "corrupt DTB");
	word[1] = cpu_to_fdt32(fdt_totalsize(fdt));
	parse_fails(fdt, "corrupt DTB");

	/* A property name outside the strings block. */
	free_copy(NULL);
	fdt = dtb_copy(qemu_v3);
	word = (fdt32_t *)(fdt + fdt_off_dt_struct(fdt) + prop);
	word[2] = cpu_to_fdt32(0x7ffffff0);
	parse_fails(fdt, "corrupt DTB");

	/* A structure block that stops before FDT_END. */
	free_copy(NULL);
	fdt = dtb_copy(qemu_v3);
	fdt_set_size_dt_struct(fdt, prop + 4);
	parse_fails(fdt, "corrupt DTB");

	/* An unterminated node: its END_NODE turned into a NOP. */
	free_copy(NULL);
	fdt = dtb_copy(qemu_v3);
	word = (fdt32_t *)(fdt + fdt_off_dt_struct(fdt) + end_node_tag(fdt, "/timer"));
	word[0] = cpu_to_fdt32(FDT_NOP);
	parse_fails(fdt, "corrupt DTB");
}

static void test_broken_translation(void **state)
{
	void *fdt = rpi4_with_memory();

	(void)state;
	del_prop(fdt, "/soc", "ranges");
	parse_fails(fdt, "/soc/interrupt-controller@40041000: reg 0x40041000 is not translatable "
	                 "through the parents' ranges");
}

/* An error about a node too deep to name in full still names it, within bounds. */
static void test_error_message_long_path(void **state)
{
	static const char long_name[] = "a-bus-with-a-very-long-name-that-goes-on-and-on-"
					"and-on-until-it-no-longer-fits-in-a-path-buffer";
	char path[256];
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	add_node(fdt, "/", long_name);
	snprintf(path, sizeof(path), "/%s", long_name);
	set_cells(fdt, path, "#address-cells", 2);
	set_cells(fdt, path, "#size-cells", 2);
	assert_int_equal(fdt_setprop_empty(fdt, node_at(fdt, path), "ranges"), 0);
	add_node(fdt, path, "memory@80000000");
	strcat(path, "/memory@80000000");
	set_string(fdt, path, "device_type", "memory");
	set_cells(fdt, path, "reg", 0x0, 0x80000000, 0x0);
	parse_fails(fdt, ".../memory@80000000: reg is 12 bytes");
}

/* A small DT built from nothing: 1-cell root, no console, no PSCI, no GICH/GICV. */
static void test_minimal_one_cell_tree(void **state)
{
	struct dt_host host;
	void *fdt;

	(void)state;
	assert_null(copy);
	copy = fdt = malloc(EDIT_ROOM);
	assert_non_null(fdt);
	assert_int_equal(fdt_create_empty_tree(fdt, EDIT_ROOM), 0);
	set_cells(fdt, "/", "#address-cells", 1);
	set_cells(fdt, "/", "#size-cells", 1);
	set_cells(fdt, "/", "interrupt-parent", 1);

	add_node(fdt, "/", "memory@80000000");
	set_string(fdt, "/memory@80000000", "device_type", "memory");
	set_cells(fdt, "/memory@80000000", "reg", 0x80000000, 0x10000000);

	add_node(fdt, "/", "cpus");
	set_cells(fdt, "/cpus", "#address-cells", 1);
	set_cells(fdt, "/cpus", "#size-cells", 0);
	add_node(fdt, "/cpus", "cpu@0");
	set_string(fdt, "/cpus/cpu@0", "device_type", "cpu");
	set_cells(fdt, "/cpus/cpu@0", "reg", 0x0);

	add_node(fdt, "/", "interrupt-controller@2c001000");
	set_string(fdt, "/interrupt-controller@2c001000", "compatible", "arm,cortex-a15-gic");
	set_cells(fdt, "/interrupt-controller@2c001000", "#interrupt-cells", 3);
	set_cells(fdt, "/interrupt-controller@2c001000", "reg", 0x2c001000, 0x1000, 0x2c002000,
	          0x100);
	set_cells(fdt, "/interrupt-controller@2c001000", "phandle", 1);

	add_node(fdt, "/", "timer");
	set_string(fdt, "/timer", "compatible", "arm,armv8-timer");
	set_cells(fdt, "/timer", "interrupts", 1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10,
	          0xf08);

	parse_ok(fdt, &host);
	assert_string_equal(host.model, "");
	assert_int_equal(host.nr_mem, 1);
	assert_region(&host.mem[0], 0x80000000, 0x10000000);
	assert_int_equal(host.nr_cpus, 1);
	assert_int_equal(host.cpus[0].mpidr, 0);
	assert_int_equal(host.cpus[0].enable, DT_CPU_ENABLE_NONE);
	assert_int_equal(host.psci, DT_PSCI_NONE);
	assert_int_equal(host.gic.version, 2);
	assert_region(&host.gic.gicd, 0x2c001000, 0x1000);
	assert_region(&host.gic.gicc, 0x2c002000, 0x100);
	assert_region(&host.gic.gich, 0, 0);
	assert_region(&host.gic.gicv, 0, 0);
	assert_int_equal(host.gic.maint_irq, 0);
	assert_int_equal(host.gic.phandle, 1);
	assert_int_equal(host.timer.hyp_irq, 26);
	assert_int_equal(host.uart.type, DT_UART_NONE);
	assert_string_equal(host.uart.path, "");
}

static void test_model_truncated(void **state)
{
	struct dt_host host;
	char model[100];
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	memset(model, 'm', sizeof(model) - 1);
	model[sizeof(model) - 1] = '\0';
	set_string(fdt, "/", "model", model);
	parse_ok(fdt, &host);
	assert_int_equal(strlen(host.model), sizeof(host.model) - 1);
	assert_memory_equal(host.model, model, sizeof(host.model) - 1);

	/* Not NUL-terminated: stops at the property's end. */
	assert_int_equal(fdt_setprop(fdt, 0, "model", "abc", 3), 0);
	parse_ok(fdt, &host);
	assert_string_equal(host.model, "abc");
}

/* The hypervisor's options: Xen's /chosen "xen,xen-bootargs", empty when absent. */
static void test_hyp_bootargs(void **state)
{
	struct dt_host host;
	void *fdt = dtb_copy(qemu_v3);

	(void)state;
	parse_ok(fdt, &host);
	assert_string_equal(host.hyp_bootargs, "");
	set_string(fdt, "/chosen", "xen,xen-bootargs", "trace=psci other");
	parse_ok(fdt, &host);
	assert_string_equal(host.hyp_bootargs, "trace=psci other");
}

#define TEST(f) cmocka_unit_test_teardown(f, free_copy)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_blob_size_of_real_dtbs),
	    TEST(test_blob_size_rejects),
	    TEST(test_qemu_virt_gicv3),
	    TEST(test_qemu_virt_gicv2),
	    TEST(test_rpi4_unfilled_memory_is_an_error),
	    TEST(test_rpi4_with_memory),
	    TEST(test_console_stdout_path_alias_with_options),
	    TEST(test_console_stdout_path_full_path_with_options),
	    TEST(test_console_falls_back_to_serial0),
	    TEST(test_console_absent_is_not_an_error),
	    TEST(test_console_stdout_path_to_nowhere),
	    TEST(test_console_disabled),
	    TEST(test_console_irq_elsewhere_or_absent),
	    TEST(test_console_errors),
	    TEST(test_translate_rpi4),
	    TEST(test_translate_empty_ranges_is_identity),
	    TEST(test_translate_malformed_ranges),
	    TEST(test_memory_banks_from_several_nodes),
	    TEST(test_memory_errors),
	    TEST(test_memory_too_many_banks),
	    TEST(test_cpus_limit),
	    TEST(test_cpus_two_cell_mpidr),
	    TEST(test_cpus_enable_methods),
	    TEST(test_cpus_errors),
	    TEST(test_psci_methods),
	    TEST(test_psci_method_name),
	    TEST(test_gic_compatibles),
	    TEST(test_gic_interrupt_types),
	    TEST(test_gic_errors),
	    TEST(test_gic_v2_errors),
	    TEST(test_timer_errors),
	    TEST(test_null_arguments),
	    TEST(test_bad_header),
	    TEST(test_property_length_wraps),
	    TEST(test_unaligned_blob),
	    TEST(test_corrupt_structure),
	    TEST(test_broken_translation),
	    TEST(test_error_message_long_path),
	    TEST(test_minimal_one_cell_tree),
	    TEST(test_model_truncated),
	    TEST(test_hyp_bootargs),
	};
	return cmocka_run_group_tests_name("dt", tests, load_dtbs, free_dtbs);
}
