/*
 * What the hypervisor learns from the host device tree (the DTB the firmware
 * or boot loader passes in x0). Parsing is plain libfdt and has no CPU
 * dependency, so it is unit-tested on the host against real DTBs.
 *
 * All addresses are CPU physical addresses: "reg" values are translated through
 * every parent's "ranges" before they land here. Interrupts are GIC INTIDs
 * (SPI n -> 32 + n, PPI n -> 16 + n).
 */
#ifndef CORE_DT_H
#define CORE_DT_H

#include "core/compiler.h"

#define DT_MAX_MEM_BANKS 8
#define DT_MAX_CPUS      16
#define DT_MAX_RESERVED  8

struct dt_region {
	uint64_t base;
	uint64_t size;
};

enum dt_cpu_enable {
	DT_CPU_ENABLE_NONE,       /* no enable-method: only the boot CPU can run */
	DT_CPU_ENABLE_PSCI,       /* enable-method = "psci" */
	DT_CPU_ENABLE_SPIN_TABLE, /* enable-method = "spin-table" + cpu-release-addr */
};

struct dt_cpu {
	uint64_t mpidr; /* the "reg" of the cpu node (MPIDR affinity bits) */
	enum dt_cpu_enable enable;
	uint64_t release_addr; /* spin-table only */
};

enum dt_psci_method {
	DT_PSCI_NONE, /* no /psci node (or no usable method) */
	DT_PSCI_SMC,
	DT_PSCI_HVC,
};

struct dt_gic {
	unsigned int version; /* 2 (arm,gic-400 / arm,cortex-a15-gic / ...) or 3 (arm,gic-v3) */
	char compatible[24];  /* the compatible string it was found by */
	struct dt_region gicd;
	struct dt_region gicc;  /* v2: CPU interface */
	struct dt_region gich;  /* v2: virtual interface control */
	struct dt_region gicv;  /* v2: virtual CPU interface */
	struct dt_region gicr;  /* v3: first redistributor region */
	unsigned int maint_irq; /* INTID of the maintenance interrupt, 0 if absent */
	int phandle;
};

enum dt_uart_type {
	DT_UART_NONE,
	DT_UART_PL011, /* compatible "arm,pl011" */
};

struct dt_uart {
	enum dt_uart_type type;
	struct dt_region reg;
	unsigned int irq; /* INTID, 0 if none */
	char path[64];    /* the node's full path, e.g. "/pl011@9000000" */
};

struct dt_timer {
	/* INTIDs, in the order of the arm,armv8-timer binding */
	unsigned int sec_phys_irq;
	unsigned int phys_irq;
	unsigned int virt_irq;
	unsigned int hyp_irq;
};

/*
 * Boot modules under /chosen, Xen's multiboot binding: what the boot loader
 * loaded for the first VM (U-Boot scripts, ImageBuilder). Sizes are 0 for a
 * module that is absent.
 */
struct dt_modules {
	struct dt_region kernel;  /* "multiboot,kernel" */
	struct dt_region ramdisk; /* "multiboot,ramdisk" */
	struct dt_region dtb;     /* "multiboot,device-tree" */
	char bootargs[256];       /* the kernel module's bootargs, "" if none */
	bool has_bootargs;
};

struct dt_host {
	struct dt_region mem[DT_MAX_MEM_BANKS];
	unsigned int nr_mem;
	struct dt_cpu cpus[DT_MAX_CPUS];
	unsigned int nr_cpus;
	enum dt_psci_method psci;
	struct dt_gic gic;
	struct dt_uart uart;
	struct dt_timer timer;
	/*
	 * The PMU's overflow interrupt ("arm,armv8-pmuv3"), if it is one PPI
	 * (every CPU's own): its INTID, else 0 (no PMU node, or one SPI per CPU).
	 */
	unsigned int pmu_irq;
	/* Memory that is not free RAM: /memreserve/ entries and /reserved-memory regions. */
	struct dt_region reserved[DT_MAX_RESERVED];
	unsigned int nr_reserved;
	/* BCM2835/2711 power management and watchdog block ("brcm,bcm2835-pm-wdt"), size 0 if none.
	 */
	struct dt_region pm_wdt;
	struct dt_modules modules;
	char model[64];
	char hyp_bootargs[128]; /* /chosen "xen,xen-bootargs": the hypervisor's options */
};

/* A parse error: a sentence naming the node or property and what is wrong. */
struct dt_error {
	char msg[160];
};

/*
 * Check the header of a DTB without libfdt (usable with the MMU off).
 * Returns the blob's total size, or 0 if @fdt does not look like a DTB.
 */
uint32_t dt_blob_size(const void *fdt);

/*
 * The whole check a DTB gets before anything looks inside it: the header,
 * every tag of the structure block (walked here with overflow-checked
 * lengths first), then libfdt's fdt_check_full(). Returns 0 or a libfdt
 * error (-FDT_ERR_*).
 */
int dt_check_tree(const void *fdt);

/*
 * Fill @out from the DTB at @fdt. Returns 0, or -1 with @err explaining what
 * is missing or malformed (never a partial silent success).
 */
int dt_parse_host(const void *fdt, struct dt_host *out, struct dt_error *err);

/*
 * Translate @addr, a "reg" address of the node at @node, through the "ranges"
 * of every ancestor into a CPU physical address. Returns 0 or -1 if a parent
 * has no mapping for it.
 */
int dt_translate_address(const void *fdt, int node, uint64_t addr, uint64_t *out);

const char *dt_psci_method_name(enum dt_psci_method m);

/* Write a message into @err (which may be NULL); returns -1 for `return dt_error(...)`. */
int dt_error(struct dt_error *err, const char *fmt, ...) __printf(2, 3);

/* @node's full path for a message, in @buf; ".../name" if too deep to spell out. */
const char *dt_node_path(const void *fdt, int node, char *buf, size_t size);

/*
 * #address-cells (@prop) or #size-cells of @node's children as Linux and Xen
 * read them: @node's own, else its nearest ancestor's, else @dflt (the spec's
 * 2 and 1). QEMU's guest-loader writes modules under a /chosen that has no
 * cells of its own, in the root's 2 and 2. Negative: a malformed property.
 */
int dt_inherited_cells(const void *fdt, int node, const char *prop, int dflt);

#endif
