/*
 * The device tree a guest boots with, generated with libfdt from the host's:
 * only what the VM really has (its RAM, its vCPUs, its virtual GIC, the timer,
 * the devices handed to it) and nothing of the hypervisor's memory.
 *
 * The inputs are plain data (struct dt_guest_params), so generation is
 * unit-tested on the host.
 */
#ifndef CORE_DT_GUEST_H
#define CORE_DT_GUEST_H

#include "core/dt.h"

#define DT_GUEST_MAX_DEVICES 8

struct dt_guest_params {
	/* RAM: one bank at this IPA. */
	struct dt_region ram;
	/* vCPUs: their virtual MPIDRs, in vCPU order (cpu@N with reg = mpidr). */
	uint64_t vcpu_mpidr[DT_MAX_CPUS];
	unsigned int nr_vcpus;
	/* PSCI conduit the guest must use: "hvc" or "smc". */
	const char *psci_method;
	/* The virtual GIC, at guest physical addresses. */
	unsigned int gic_version;   /* 2 or 3 */
	struct dt_region gicd;      /* distributor */
	struct dt_region gicr;      /* v3: redistributors, one 128 KiB frame per vCPU */
	struct dt_region gicc;      /* v2: CPU interface */
	unsigned int gic_maint_irq; /* INTID of the maintenance interrupt, 0: omit */
	/* Timer INTIDs (as struct dt_timer). */
	struct dt_timer timer;
	/* The PMU's overflow PPI: a /pmu node ("arm,armv8-pmuv3") with it; 0: none. */
	unsigned int pmu_irq;
	/*
	 * Host DT paths of the devices given to the guest (e.g. "/pl011@9000000"),
	 * copied with their properties, plus the nodes their "clocks" phandles name.
	 */
	const char *device_paths[DT_GUEST_MAX_DEVICES];
	unsigned int nr_devices;
	/*
	 * Non-zero: a clock provider the devices name that is not a fixed clock
	 * (e.g. the Pi's cprman, whose registers the guest does not have) is
	 * written as a "fixed-clock" of this rate instead of being copied.
	 */
	uint32_t fixed_clock_hz;
	/* The device whose path becomes /chosen/stdout-path, or NULL. */
	const char *stdout_path;
	/*
	 * An emulated PL011 (size 0: none): a "arm,pl011" node with its own fixed
	 * 24 MHz clock and this SPI, which becomes /chosen/stdout-path.
	 */
	struct dt_region vuart;
	unsigned int vuart_irq; /* INTID (an SPI) */
	/*
	 * RAM shared with another VM: /reserved-memory/xen-shmem@<ipa> nodes, "no-map"
	 * so the kernel leaves them to a driver, with "xen,id" naming each region
	 * and the doorbell SPI the peer rings in "interrupts".
	 */
	struct dt_guest_shm {
		const char *id;
		struct dt_region reg;
		unsigned int doorbell_irq; /* INTID (an SPI), 0: none */
	} shm[2];
	unsigned int nr_shm;
	/* /chosen */
	const char *bootargs;              /* NULL: none */
	uint64_t initrd_start, initrd_end; /* IPAs; both 0: no initrd */
};

/*
 * Write the guest DT into @buf (@size bytes). Returns 0, or -1 with @err
 * saying what failed (e.g. a device path that does not exist in @host_fdt).
 */
int dt_build_guest(const void *host_fdt, const struct dt_guest_params *p, void *buf, size_t size,
                   struct dt_error *err);

#endif
