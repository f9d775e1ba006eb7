/*
 * libFuzzer target: guest device-tree generation (core/dt_guest.c
 * dt_build_guest()) from a fuzzed host DT with fuzzed parameters.
 *
 * Input: PARAM_BYTES of parameters, then the host DTB (seeds: the QEMU DTBs
 * of tests/dtbs/ and Debian's bcm2711-rpi-4-b.dtb). The host blob lies in an
 * 8-byte aligned buffer of exactly its size (a totalsize larger than that is
 * cut down). The parameters pick the RAM, 0-9 vCPU MPIDRs (some equal), the
 * PSCI method, GIC version and frames, timer and maintenance INTIDs, up to 9
 * devices by host node (or a made-up path), the stdout device, bootargs,
 * initrd, the fixed-clock rate, and the output buffer's size (0 to 64 KiB,
 * allocated at exactly that size).
 *
 * Invariants: 0 or -1; -1 with a message; on 0 the output passes
 * fdt_check_header() and fdt_check_full(), its totalsize fits the buffer
 * (and ASan sees no write past it), and the host parser reads it back as
 * the parameters say: one RAM bank, the vCPUs' MPIDRs in order, the GIC
 * version and distributor.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "core/dt.h"
#include "core/dt_guest.h"
#include "fuzz_input.h"

#define PARAM_BYTES 160
#define MAX_NODES   512

static const char *const psci_methods[] = {"hvc", "smc", "hvc", "smc", "SMC", "", NULL, "hvcx"};
static const char *const made_up_paths[] = {"/",        "/nonexistent", "",  "pl011@9000000",
                                            "/chosen/", "serial0",      "//"};

/* The paths of the host's nodes (the blob passed fdt_check_full). */
static char paths[MAX_NODES][128];
static unsigned int nr_paths;

static void collect_paths(const void *fdt)
{
	nr_paths = 0;
	for (int node = 0; node >= 0 && nr_paths < MAX_NODES; node = fdt_next_node(fdt, node, NULL))
		if (fdt_get_path(fdt, node, paths[nr_paths], sizeof(paths[0])) == 0)
			nr_paths++;
}

static const char *pick_path(struct fuzz_in *in)
{
	uint16_t sel = fin_u16(in);

	if ((sel & 0x8000) || !nr_paths)
		return made_up_paths[sel % ARRAY_SIZE(made_up_paths)];
	return paths[sel % nr_paths];
}

static uint64_t pick_addr(struct fuzz_in *in)
{
	uint8_t how = fin_u8(in);

	switch (how & 3) {
	case 0:
		return (uint64_t)fin_u32(in) << 12;
	case 1:
		return fin_u64(in);
	default:
		return 0x08000000UL + ((uint64_t)fin_u16(in) << 16);
	}
}

static struct dt_region pick_region(struct fuzz_in *in)
{
	struct dt_region r;

	r.base = pick_addr(in);
	r.size = (fin_u8(in) & 1) ? fin_u64(in) : (uint64_t)fin_u16(in) << 12;
	return r;
}

static unsigned int pick_intid(struct fuzz_in *in)
{
	uint8_t v = fin_u8(in);

	return (v & 0x80) ? v : 16 + (v & 15);
}

static void check_output(const void *out, size_t size, const struct dt_guest_params *p)
{
	struct dt_host h;
	struct dt_error err = {{0}};

	FUZZ_CHECK(fdt_check_header(out) == 0, "output header");
	FUZZ_CHECK(fdt_totalsize(out) <= size, "totalsize %u in a %zu-byte buffer",
	           fdt_totalsize(out), size);
	FUZZ_CHECK(fdt_check_full(out, size) == 0, "output fails fdt_check_full: %s",
	           fdt_strerror(fdt_check_full(out, size)));
	/* Read back with the host parser: what the guest's kernel will be told. */
	if (p->ram.base + (p->ram.size - 1) < p->ram.base)
		return; /* a RAM region that wraps is the caller's error; the DT says so */
	if (dt_parse_host(out, &h, &err) != 0)
		return; /* e.g. a copied device with malformed properties of the host's own */
	FUZZ_CHECK(h.nr_mem == 1 && h.mem[0].base == p->ram.base && h.mem[0].size == p->ram.size,
	           "RAM read back as %u banks", h.nr_mem);
	FUZZ_CHECK(h.nr_cpus == p->nr_vcpus, "%u CPUs read back, %u vCPUs", h.nr_cpus, p->nr_vcpus);
	for (unsigned int i = 0; i < h.nr_cpus; i++)
		FUZZ_CHECK(h.cpus[i].mpidr == p->vcpu_mpidr[i] &&
		               h.cpus[i].enable == DT_CPU_ENABLE_PSCI,
		           "vCPU %u read back as MPIDR 0x%lx", i, (unsigned long)h.cpus[i].mpidr);
	FUZZ_CHECK(h.gic.version == p->gic_version && h.gic.gicd.base == p->gicd.base &&
	               h.gic.gicd.size == p->gicd.size,
	           "GIC read back as v%u", h.gic.version);
	/* (Unless a host root copied into the guest's claims to be PSCI itself.) */
	if (fdt_node_offset_by_compatible(out, -1, "arm,psci-1.0") == fdt_path_offset(out, "/psci"))
		FUZZ_CHECK(h.psci == (strcmp(p->psci_method, "smc") ? DT_PSCI_HVC : DT_PSCI_SMC),
		           "PSCI method read back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size < PARAM_BYTES ? size : PARAM_BYTES};
	struct dt_guest_params p;
	struct dt_error err = {{0}};
	char bootargs[32];
	size_t host_size, out_size;
	uint8_t *host, *out;
	uint8_t flags;
	int ret;

	if (size <= PARAM_BYTES + sizeof(struct fdt_header))
		return 0;
	host_size = size - PARAM_BYTES;
	host = malloc(host_size); /* malloc's alignment (16) is enough, and ASan sees its end */
	memcpy(host, data + PARAM_BYTES, host_size);
	if (fdt_magic(host) == FDT_MAGIC && fdt_totalsize(host) > host_size)
		fdt_set_totalsize(host, (uint32_t)host_size);
	nr_paths = 0;
	if (fdt_check_header(host) == 0 && fdt_check_full(host, fdt_totalsize(host)) == 0)
		collect_paths(host);

	memset(&p, 0, sizeof(p));
	flags = fin_u8(&in);
	p.ram = pick_region(&in);
	p.nr_vcpus = fin_u8(&in) % 10;
	for (unsigned int i = 0; i < DT_MAX_CPUS; i++) {
		uint8_t m = fin_u8(&in);

		p.vcpu_mpidr[i] = (m & 0x80) ? fin_u64(&in) & 0xff00ffffffUL : (BIT(31) | (m & 7));
	}
	p.psci_method = psci_methods[fin_u8(&in) % ARRAY_SIZE(psci_methods)];
	p.gic_version = (flags & 0x80) ? fin_u8(&in) % 5 : 2 + (flags & 1);
	p.gicd = pick_region(&in);
	p.gicr = pick_region(&in);
	p.gicc = pick_region(&in);
	p.gic_maint_irq = (flags & 2) ? pick_intid(&in) : 0;
	p.timer.sec_phys_irq = pick_intid(&in);
	p.timer.phys_irq = pick_intid(&in);
	p.timer.virt_irq = pick_intid(&in);
	p.timer.hyp_irq = pick_intid(&in);
	p.nr_devices = fin_u8(&in) % (DT_GUEST_MAX_DEVICES + 2);
	for (unsigned int i = 0; i < p.nr_devices && i < DT_GUEST_MAX_DEVICES; i++)
		p.device_paths[i] = (flags & 4) && i == 3 ? NULL : pick_path(&in);
	p.fixed_clock_hz = (flags & 8) ? fin_u32(&in) : 0;
	if (flags & 0x10)
		p.stdout_path = p.nr_devices && !(flags & 0x20)
		                    ? p.device_paths[fin_u8(&in) % MIN(p.nr_devices, 8u)]
		                    : pick_path(&in);
	if (flags & 0x40) {
		for (unsigned int i = 0; i < sizeof(bootargs); i++)
			bootargs[i] = (char)fin_u8(&in);
		bootargs[sizeof(bootargs) - 1] = '\0';
		p.bootargs = bootargs;
	}
	p.initrd_start = pick_addr(&in);
	p.initrd_end = (fin_u8(&in) & 1) ? p.initrd_start + fin_u32(&in) : pick_addr(&in);
	out_size = fin_u16(&in);
	out_size = (fin_u8(&in) & 1) ? out_size & ~(size_t)7 : out_size % 2048;

	out = malloc(out_size ? out_size : 1);
	ret = dt_build_guest(host, &p, out, out_size, &err);
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "dt_build_guest: %d %s\n", ret, err.msg);
	FUZZ_CHECK(ret == 0 || ret == -1, "dt_build_guest returned %d", ret);
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)), "message not terminated");
	if (ret == 0)
		check_output(out, out_size, &p);
	else
		FUZZ_CHECK(err.msg[0], "dt_build_guest failed without a message");
	free(out);
	free(host);
	return 0;
}
