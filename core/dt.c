/*
 * The host device-tree parser: turns the DTB the firmware passed in x0 into a
 * struct dt_host. Everything goes through libfdt, after fdt_check_full() has
 * walked the whole structure block once, so a corrupt blob ends in an error
 * message rather than in a wild read.
 */
#include <libfdt.h>

#include "core/dt.h"
#include "core/printf.h"

/* The GIC binding's interrupt types (first cell of a specifier). */
#define DT_GIC_SPI  0
#define DT_GIC_PPI  1
#define DT_GIC_ESPI 2
#define DT_GIC_EPPI 3

/* dt_get_irq() results besides 0 (found) and -1 (malformed, error set). */
#define DT_IRQ_ABSENT    1 /* the node has no such interrupt */
#define DT_IRQ_ELSEWHERE 2 /* it goes to another interrupt controller */

/* An interrupt-parent chain longer than this is a loop in a broken DT. */
#define DT_MAX_IRQ_PARENT_HOPS 32

/* What dt_parse_host() passes around while it fills the result. */
struct dt_ctx {
	const void *fdt;
	struct dt_host *host;
	struct dt_error *err;
	int gic_node;           /* the host GIC, once found */
	unsigned int gic_cells; /* its #interrupt-cells */
	int irq_node;           /* the last node dt_get_irq() read, and its controller */
	int irq_parent;
	char path[96]; /* scratch for the path of a node an error names */
};

/*
 * Arrays of plain characters rather than of pointers: the hypervisor is
 * position-independent and these then need no relocation at all.
 */
struct dt_gic_match {
	char compatible[20];
	unsigned int version;
};

static const struct dt_gic_match dt_gic_matches[] = {
    {.compatible = "arm,gic-v3", .version = 3},
    {.compatible = "arm,gic-400", .version = 2},
    {.compatible = "arm,cortex-a15-gic", .version = 2},
    {.compatible = "arm,cortex-a9-gic", .version = 2},
    {.compatible = "arm,gic-v2", .version = 2},
};

static const char dt_psci_compatibles[][16] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};

/* ------------------------------------------------------------------------ */
/* Header check without libfdt                                              */
/* ------------------------------------------------------------------------ */

static uint32_t dt_be32_to_cpu(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

/* One header field, read as an aligned 32-bit word (Device memory allows no less). */
#define DT_HEADER_FIELD(hdr, field) \
	dt_be32_to_cpu((hdr)[offsetof(struct fdt_header, field) / sizeof(uint32_t)])

uint32_t dt_blob_size(const void *fdt)
{
	const uint32_t *hdr = fdt;
	uint32_t totalsize, version, last_comp_version;

	/* With the MMU off an unaligned load faults, so do not even try one. */
	if (!fdt || !IS_ALIGNED((uintptr_t)fdt, sizeof(uint32_t)))
		return 0;
	if (DT_HEADER_FIELD(hdr, magic) != FDT_MAGIC)
		return 0;

	totalsize = DT_HEADER_FIELD(hdr, totalsize);
	version = DT_HEADER_FIELD(hdr, version);
	last_comp_version = DT_HEADER_FIELD(hdr, last_comp_version);

	/* The same version rules as fdt_check_header(), so libfdt will take it. */
	if (totalsize < sizeof(struct fdt_header))
		return 0;
	if (version < FDT_FIRST_SUPPORTED_VERSION ||
	    last_comp_version > FDT_LAST_SUPPORTED_VERSION || version < last_comp_version)
		return 0;
	return totalsize;
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

int dt_error(struct dt_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintk(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *dt_node_path(const void *fdt, int node, char *buf, size_t size)
{
	const char *name;

	if (fdt_get_path(fdt, node, buf, (int)size) == 0)
		return buf;
	/* Too deep to spell out: the node's own name still identifies it. */
	name = fdt_get_name(fdt, node, NULL);
	snprintk(buf, size, ".../%s", name ? name : "?");
	return buf;
}

/* Record why parsing stopped; returns -1 so callers can `return dt_fail(...)`. */
#define dt_fail(c, ...) dt_error((c)->err, __VA_ARGS__)

/* The full path of @node for an error message (only one per message). */
static const char *dt_path(struct dt_ctx *c, int node)
{
	return dt_node_path(c->fdt, node, c->path, sizeof(c->path));
}

/* libfdt always places the root node at structure offset 0. */
static bool dt_is_root(int node)
{
	return node == 0;
}

/* A cell count whose value fits the uint64_t this parser reads it into. */
static bool dt_cells_ok(int cells, int min)
{
	return cells >= min && cells <= 2;
}

/* A big-endian number of @cells (0..2) cells; byte loads, so any alignment is fine. */
static uint64_t dt_read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	while (cells-- > 0)
		v = (v << 32) | fdt32_ld(p++);
	return v;
}

/* Is @name exactly the string @value (not merely a prefix of it)? */
static bool dt_prop_is(const void *fdt, int node, const char *name, const char *value)
{
	int len;
	const char *prop = fdt_getprop(fdt, node, name, &len);

	return prop && len == (int)strlen(value) + 1 && memcmp(prop, value, len) == 0;
}

/* status absent, "okay" or the older "ok": the device is there to be used. */
static bool dt_node_is_available(const void *fdt, int node)
{
	return !fdt_getprop(fdt, node, "status", NULL) || dt_prop_is(fdt, node, "status", "okay") ||
	       dt_prop_is(fdt, node, "status", "ok");
}

/* The first node compatible with @compatible whose status lets us use it. */
static int dt_find_available_compatible(const void *fdt, const char *compatible)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compatible);

	while (node >= 0 && !dt_node_is_available(fdt, node))
		node = fdt_node_offset_by_compatible(fdt, node, compatible);
	return node;
}

/* ------------------------------------------------------------------------ */
/* Addresses                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Move @addr from the address space of @bus's children to that of @bus's
 * own parent through @bus's "ranges". No "ranges" at all means the bus is
 * not memory-mapped (an I2C bus, a CPU's cache node, ...), so that fails.
 */
static int dt_ranges_translate(const void *fdt, int bus, int parent, uint64_t *addr)
{
	const fdt32_t *ranges;
	int len, child_cells, parent_cells, size_cells, entry_cells, i;
	uint64_t child_base, parent_base, size;

	ranges = fdt_getprop(fdt, bus, "ranges", &len);
	if (!ranges)
		return -1;
	if (len == 0)
		return 0; /* empty "ranges": the child address space is the parent's */

	child_cells = fdt_address_cells(fdt, bus);
	size_cells = fdt_size_cells(fdt, bus);
	parent_cells = fdt_address_cells(fdt, parent);
	if (!dt_cells_ok(child_cells, 1) || !dt_cells_ok(size_cells, 1) ||
	    !dt_cells_ok(parent_cells, 1))
		return -1;

	entry_cells = child_cells + parent_cells + size_cells;
	if (len % (entry_cells * (int)sizeof(fdt32_t)) != 0)
		return -1;

	for (i = 0; i < len / (int)sizeof(fdt32_t); i += entry_cells) {
		child_base = dt_read_cells(ranges + i, child_cells);
		parent_base = dt_read_cells(ranges + i + child_cells, parent_cells);
		size = dt_read_cells(ranges + i + child_cells + parent_cells, size_cells);
		/* Written as a difference so a window at the top of the space cannot wrap. */
		if (*addr >= child_base && *addr - child_base < size) {
			*addr = parent_base + (*addr - child_base);
			return 0;
		}
	}
	return -1;
}

int dt_translate_address(const void *fdt, int node, uint64_t addr, uint64_t *out)
{
	int bus, parent;

	if (!fdt || !out)
		return -1;

	/* @addr is in the space of node's parent; climb until it is the root's. */
	bus = fdt_parent_offset(fdt, node);
	while (bus >= 0 && !dt_is_root(bus)) {
		parent = fdt_parent_offset(fdt, bus);
		if (parent < 0 || dt_ranges_translate(fdt, bus, parent, &addr) != 0)
			return -1;
		bus = parent;
	}
	if (bus < 0)
		return -1;
	*out = addr;
	return 0;
}

/* The "reg" of one node, decoded with its parent's #address-cells and #size-cells. */
struct dt_reg {
	const fdt32_t *cells;
	int addr_cells;
	int size_cells;
	int count; /* entries; 0 if the node has no (or an empty) "reg" */
};

static int dt_reg_open(struct dt_ctx *c, int node, struct dt_reg *reg)
{
	int parent, len, entry_bytes;

	parent = fdt_parent_offset(c->fdt, node);
	if (parent < 0)
		return dt_fail(c, "%s: reg has no parent bus to decode it", dt_path(c, node));

	reg->addr_cells = fdt_address_cells(c->fdt, parent);
	reg->size_cells = fdt_size_cells(c->fdt, parent);
	if (!dt_cells_ok(reg->addr_cells, 1) || !dt_cells_ok(reg->size_cells, 0))
		return dt_fail(c, "%s: unusable parent #address-cells %d, #size-cells %d",
		               dt_path(c, node), reg->addr_cells, reg->size_cells);

	reg->count = 0;
	reg->cells = fdt_getprop(c->fdt, node, "reg", &len);
	if (!reg->cells)
		return 0;

	entry_bytes = (reg->addr_cells + reg->size_cells) * (int)sizeof(fdt32_t);
	if (len % entry_bytes != 0)
		return dt_fail(c, "%s: reg is %d bytes, not a multiple of %d (%d+%d cells)",
		               dt_path(c, node), len, entry_bytes, reg->addr_cells,
		               reg->size_cells);
	reg->count = len / entry_bytes;
	return 0;
}

/* Entry @index of @reg as a CPU physical region. */
static int dt_reg_get(struct dt_ctx *c, int node, const struct dt_reg *reg, int index,
                      struct dt_region *out)
{
	const fdt32_t *entry = reg->cells + index * (reg->addr_cells + reg->size_cells);
	uint64_t addr = dt_read_cells(entry, reg->addr_cells);
	uint64_t size = dt_read_cells(entry + reg->addr_cells, reg->size_cells);

	if (dt_translate_address(c->fdt, node, addr, &out->base) != 0)
		return dt_fail(c, "%s: reg 0x%lx is not translatable through the parents' ranges",
		               dt_path(c, node), (unsigned long)addr);
	if (size && out->base + size - 1 < out->base)
		return dt_fail(c, "%s: reg 0x%lx + 0x%lx wraps past the end of the address space",
		               dt_path(c, node), (unsigned long)out->base, (unsigned long)size);
	out->size = size;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Interrupts                                                               */
/* ------------------------------------------------------------------------ */

/* GIC specifier (type, number) to INTID, rejecting numbers outside each range. */
static int dt_gic_intid(uint32_t type, uint32_t number, unsigned int *intid)
{
	switch (type) {
	case DT_GIC_SPI: /* INTIDs 32..1019 */
		if (number > 1019 - 32)
			return -1;
		*intid = 32 + number;
		return 0;
	case DT_GIC_PPI: /* INTIDs 16..31 */
		if (number > 15)
			return -1;
		*intid = 16 + number;
		return 0;
	case DT_GIC_ESPI: /* GICv3.1 extended SPIs: INTIDs 4096..5119 */
		if (number > 1023)
			return -1;
		*intid = 4096 + number;
		return 0;
	case DT_GIC_EPPI: /* GICv3.1 extended PPIs: INTIDs 1056..1119 */
		if (number > 63)
			return -1;
		*intid = 1056 + number;
		return 0;
	default:
		return -1;
	}
}

/*
 * The interrupt controller @node's "interrupts" refer to, found the way Linux
 * does: follow interrupt-parent (inherited from the ancestors) or the tree
 * parent until a node that has #interrupt-cells.
 */
static int dt_interrupt_parent(const void *fdt, int node)
{
	const fdt32_t *phandle;
	int len, hops;

	for (hops = 0; hops < DT_MAX_IRQ_PARENT_HOPS; hops++) {
		phandle = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (phandle && len != (int)sizeof(*phandle))
			return -FDT_ERR_BADVALUE;
		if (phandle)
			node = fdt_node_offset_by_phandle(fdt, fdt32_ld(phandle));
		else
			node = fdt_parent_offset(fdt, node);
		if (node < 0)
			return node;
		if (fdt_getprop(fdt, node, "#interrupt-cells", NULL))
			return node;
	}
	return -FDT_ERR_BADSTRUCTURE;
}

/*
 * The INTID of interrupt @index of @node. Returns 0, DT_IRQ_ABSENT,
 * DT_IRQ_ELSEWHERE (not wired to the host GIC, so it has no INTID), or -1
 * with the error set if the property is malformed.
 */
static int dt_get_irq(struct dt_ctx *c, int node, int index, unsigned int *intid)
{
	const fdt32_t *spec;
	int len, spec_bytes;
	uint32_t type, number;

	spec = fdt_getprop(c->fdt, node, "interrupts", &len);
	if (!spec)
		return DT_IRQ_ABSENT;
	/*
	 * Each lookup walks the tree from its root, twice (libfdt finds a parent
	 * and a phandle by scanning): the timer's four interrupts share one.
	 */
	if (node != c->irq_node) {
		c->irq_node = node;
		c->irq_parent = dt_interrupt_parent(c->fdt, node);
	}
	if (c->irq_parent != c->gic_node)
		return DT_IRQ_ELSEWHERE;

	spec_bytes = (int)(c->gic_cells * sizeof(fdt32_t));
	if (len % spec_bytes != 0)
		return dt_fail(c, "%s: interrupts is %d bytes, not whole %u-cell GIC specifiers",
		               dt_path(c, node), len, c->gic_cells);
	if (index >= len / spec_bytes)
		return DT_IRQ_ABSENT;

	spec += index * c->gic_cells;
	type = fdt32_ld(&spec[0]);
	number = fdt32_ld(&spec[1]);
	if (dt_gic_intid(type, number, intid) != 0)
		return dt_fail(c, "%s: interrupt %d has an invalid GIC type %u / number %u",
		               dt_path(c, node), index, type, number);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The parts of struct dt_host                                              */
/* ------------------------------------------------------------------------ */

/* Copy a string property up to its NUL, its end or @size - 1 bytes, whichever comes first. */
static void dt_copy_string(const char *prop, int len, char *buf, size_t size)
{
	int i;

	for (i = 0; prop && i < len && i < (int)size - 1 && prop[i]; i++)
		buf[i] = prop[i];
	buf[i] = '\0';
}

static void dt_parse_model(struct dt_ctx *c)
{
	const char *prop;
	int len;

	prop = fdt_getprop(c->fdt, 0, "model", &len); /* offset 0: the root */
	dt_copy_string(prop, len, c->host->model, sizeof(c->host->model));
}

/* The hypervisor's own command line: Xen's /chosen "xen,xen-bootargs". */
static void dt_parse_hyp_bootargs(struct dt_ctx *c)
{
	int chosen = fdt_path_offset(c->fdt, "/chosen"), len = 0;
	const char *prop =
	    chosen >= 0 ? fdt_getprop(c->fdt, chosen, "xen,xen-bootargs", &len) : NULL;

	dt_copy_string(prop, len, c->host->hyp_bootargs, sizeof(c->host->hyp_bootargs));
}

/* Append the non-empty reg entries of one memory node to host->mem. */
static int dt_parse_memory_node(struct dt_ctx *c, int node)
{
	struct dt_host *host = c->host;
	struct dt_reg reg;
	struct dt_region bank;
	int i;

	if (dt_reg_open(c, node, &reg) != 0)
		return -1;
	for (i = 0; i < reg.count; i++) {
		if (dt_reg_get(c, node, &reg, i, &bank) != 0)
			return -1;
		/* Size 0 is a placeholder the firmware did not fill in (the Pi's /memory@0). */
		if (bank.size == 0)
			continue;
		if (host->nr_mem == DT_MAX_MEM_BANKS)
			return dt_fail(c, "too many RAM banks: %s goes past DT_MAX_MEM_BANKS (%d)",
			               dt_path(c, node), DT_MAX_MEM_BANKS);
		host->mem[host->nr_mem++] = bank;
	}
	return 0;
}

/* The first node after @prev (-1: from the start) with device_type = "memory". */
static int dt_next_memory_node(const void *fdt, int prev)
{
	return fdt_node_offset_by_prop_value(fdt, prev, "device_type", "memory", sizeof("memory"));
}

static int dt_parse_memory(struct dt_ctx *c)
{
	int node, first_empty = -1;
	unsigned int before;

	for (node = dt_next_memory_node(c->fdt, -1); node >= 0;
	     node = dt_next_memory_node(c->fdt, node)) {
		before = c->host->nr_mem;
		if (dt_parse_memory_node(c, node) != 0)
			return -1;
		if (c->host->nr_mem == before && first_empty < 0)
			first_empty = node;
	}

	if (c->host->nr_mem > 0)
		return 0;
	if (first_empty >= 0)
		return dt_fail(c, "no RAM: %s has no non-empty reg", dt_path(c, first_empty));
	return dt_fail(c, "no RAM: no node has device_type = \"memory\"");
}

static int dt_parse_cpu(struct dt_ctx *c, int node, int addr_cells, struct dt_cpu *cpu)
{
	const fdt32_t *reg, *release;
	int len;

	/* With SMT a cpu node lists several threads: the first one is the node's. */
	reg = fdt_getprop(c->fdt, node, "reg", &len);
	if (!reg || len < addr_cells * (int)sizeof(fdt32_t))
		return dt_fail(c, "%s: reg is missing or shorter than /cpus #address-cells (%d)",
		               dt_path(c, node), addr_cells);
	cpu->mpidr = dt_read_cells(reg, addr_cells);

	if (fdt_stringlist_search(c->fdt, node, "enable-method", "psci") >= 0) {
		cpu->enable = DT_CPU_ENABLE_PSCI;
	} else if (fdt_stringlist_search(c->fdt, node, "enable-method", "spin-table") >= 0) {
		release = fdt_getprop(c->fdt, node, "cpu-release-addr", &len);
		if (!release || len != 2 * (int)sizeof(fdt32_t))
			return dt_fail(c, "%s: spin-table needs a 2-cell cpu-release-addr",
			               dt_path(c, node));
		cpu->enable = DT_CPU_ENABLE_SPIN_TABLE;
		cpu->release_addr = dt_read_cells(release, 2);
	} else {
		/* Platform-specific methods we cannot drive: the CPU stays off. */
		cpu->enable = DT_CPU_ENABLE_NONE;
	}
	return 0;
}

/* Two CPUs with one MPIDR would make every per-CPU lookup ambiguous. */
static int dt_check_unique_mpidrs(struct dt_ctx *c)
{
	const struct dt_host *host = c->host;
	unsigned int i, j;

	for (i = 0; i < host->nr_cpus; i++)
		for (j = i + 1; j < host->nr_cpus; j++)
			if (host->cpus[i].mpidr == host->cpus[j].mpidr)
				return dt_fail(c, "/cpus: two CPUs have MPIDR 0x%lx",
				               (unsigned long)host->cpus[i].mpidr);
	return 0;
}

static int dt_parse_cpus(struct dt_ctx *c)
{
	int cpus, node, addr_cells;
	unsigned int found = 0;

	cpus = fdt_path_offset(c->fdt, "/cpus");
	if (cpus < 0)
		return dt_fail(c, "no /cpus node");
	addr_cells = fdt_address_cells(c->fdt, cpus);
	if (!dt_cells_ok(addr_cells, 1))
		return dt_fail(c, "/cpus: #address-cells is %d, expected 1 or 2", addr_cells);

	for (node = fdt_first_subnode(c->fdt, cpus); node >= 0;
	     node = fdt_next_subnode(c->fdt, node)) {
		if (!dt_prop_is(c->fdt, node, "device_type", "cpu"))
			continue; /* cpu-map, l2-cache, ... */
		/* Keep counting past the limit so the error can say how many there are. */
		if (found < DT_MAX_CPUS && dt_parse_cpu(c, node, addr_cells, &c->host->cpus[found]))
			return -1;
		found++;
	}

	if (found == 0)
		return dt_fail(c, "/cpus has no node with device_type = \"cpu\"");
	if (found > DT_MAX_CPUS)
		return dt_fail(c, "the DT describes %u CPUs, more than DT_MAX_CPUS (%d)", found,
		               DT_MAX_CPUS);
	c->host->nr_cpus = found;
	return dt_check_unique_mpidrs(c);
}

static int dt_find_psci(const void *fdt)
{
	unsigned int i;
	int node;

	for (i = 0; i < ARRAY_SIZE(dt_psci_compatibles); i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, dt_psci_compatibles[i]);
		if (node >= 0)
			return node;
	}
	return fdt_path_offset(fdt, "/psci");
}

static void dt_parse_psci(struct dt_ctx *c)
{
	int node = dt_find_psci(c->fdt);

	c->host->psci = DT_PSCI_NONE;
	if (node < 0)
		return;
	if (dt_prop_is(c->fdt, node, "method", "smc"))
		c->host->psci = DT_PSCI_SMC;
	else if (dt_prop_is(c->fdt, node, "method", "hvc"))
		c->host->psci = DT_PSCI_HVC;
}

static int dt_find_gic(const void *fdt, unsigned int *version, const char **compatible)
{
	unsigned int i;
	int node;

	for (i = 0; i < ARRAY_SIZE(dt_gic_matches); i++) {
		node = dt_find_available_compatible(fdt, dt_gic_matches[i].compatible);
		if (node >= 0) {
			*version = dt_gic_matches[i].version;
			*compatible = dt_gic_matches[i].compatible;
			return node;
		}
	}
	return -FDT_ERR_NOTFOUND;
}

/* The GIC's register frames: v3 has GICD + GICR, v2 GICD + GICC [+ GICH + GICV]. */
static int dt_parse_gic_regs(struct dt_ctx *c, int node)
{
	struct dt_gic *gic = &c->host->gic;
	struct dt_reg reg;

	if (dt_reg_open(c, node, &reg) != 0)
		return -1;
	if (reg.count < 2)
		return dt_fail(c, "%s: reg has %d entries, a GICv%u needs at least GICD and %s",
		               dt_path(c, node), reg.count, gic->version,
		               gic->version == 3 ? "GICR" : "GICC");
	if (dt_reg_get(c, node, &reg, 0, &gic->gicd) != 0)
		return -1;
	if (gic->version == 3)
		return dt_reg_get(c, node, &reg, 1, &gic->gicr);

	if (dt_reg_get(c, node, &reg, 1, &gic->gicc) != 0)
		return -1;
	/* Without virtualization extensions there is no GICH/GICV: left at size 0. */
	if (reg.count > 2 && dt_reg_get(c, node, &reg, 2, &gic->gich) != 0)
		return -1;
	if (reg.count > 3 && dt_reg_get(c, node, &reg, 3, &gic->gicv) != 0)
		return -1;
	return 0;
}

static int dt_parse_gic(struct dt_ctx *c)
{
	struct dt_gic *gic = &c->host->gic;
	const char *compatible = "";
	const fdt32_t *cells;
	int node, len, ret;

	node = dt_find_gic(c->fdt, &gic->version, &compatible);
	if (node < 0)
		return dt_fail(c, "no GIC: no node compatible with arm,gic-v3, arm,gic-400, "
		                  "arm,cortex-a15-gic, arm,cortex-a9-gic or arm,gic-v2");
	c->gic_node = node;
	for (len = 0; compatible[len] && len < (int)sizeof(gic->compatible) - 1; len++)
		gic->compatible[len] = compatible[len];
	gic->compatible[len] = '\0';

	/* Three cells (type, number, flags); GICv3 may add a fourth (PPI partition). */
	cells = fdt_getprop(c->fdt, node, "#interrupt-cells", &len);
	if (!cells || len != (int)sizeof(*cells) || fdt32_ld(cells) < 3 || fdt32_ld(cells) > 4)
		return dt_fail(c, "%s: #interrupt-cells is missing or not 3 or 4",
		               dt_path(c, node));
	c->gic_cells = fdt32_ld(cells);

	if (dt_parse_gic_regs(c, node) != 0)
		return -1;
	gic->phandle = (int)fdt_get_phandle(c->fdt, node);

	ret = dt_get_irq(c, node, 0, &gic->maint_irq);
	if (ret < 0)
		return -1;
	if (ret != 0)
		gic->maint_irq = 0;
	return 0;
}

static int dt_parse_timer(struct dt_ctx *c)
{
	struct dt_timer *timer = &c->host->timer;
	/* The order of the arm,armv8-timer binding's interrupts. */
	unsigned int *const intids[] = {&timer->sec_phys_irq, &timer->phys_irq, &timer->virt_irq,
	                                &timer->hyp_irq};
	int node, i, ret;

	node = dt_find_available_compatible(c->fdt, "arm,armv8-timer");
	if (node < 0)
		return dt_fail(c, "no timer: no node compatible with arm,armv8-timer");

	for (i = 0; i < (int)ARRAY_SIZE(intids); i++) {
		ret = dt_get_irq(c, node, i, intids[i]);
		if (ret < 0)
			return -1;
		if (ret == DT_IRQ_ABSENT)
			return dt_fail(c, "%s: has %d interrupts, the arch timer needs 4",
			               dt_path(c, node), i);
		if (ret == DT_IRQ_ELSEWHERE)
			return dt_fail(c, "%s: interrupts are not routed to the GIC",
			               dt_path(c, node));
	}
	return 0;
}

/*
 * The PMU interrupt, if the host DT describes the PMU by the generic binding
 * with a PPI (QEMU virt does). Boards that wire one SPI per CPU (the BCM2711)
 * get no PMU interrupt for their guests: a guest sees a PMU, not its IRQ.
 */
static int dt_parse_pmu(struct dt_ctx *c)
{
	int node = dt_find_available_compatible(c->fdt, "arm,armv8-pmuv3");
	unsigned int intid;
	int ret;

	c->host->pmu_irq = 0;
	if (node < 0)
		return 0;
	ret = dt_get_irq(c, node, 0, &intid);
	if (ret < 0)
		return -1;
	if (ret == 0 && intid >= 16 && intid < 32)
		c->host->pmu_irq = intid;
	return 0;
}

/*
 * The console node: /chosen/stdout-path up to any ":options" (it may name an
 * alias rather than a path; fdt_path_offset_namelen resolves both), else the
 * serial0 alias.
 */
static int dt_find_console(const void *fdt)
{
	const char *path = NULL;
	int chosen, len = 0, namelen;

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0) {
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
		if (!path)
			path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	}
	if (!path) {
		path = "serial0";
		len = sizeof("serial0");
	}

	for (namelen = 0; namelen < len && path[namelen] && path[namelen] != ':'; namelen++)
		;
	if (namelen == 0)
		return -FDT_ERR_NOTFOUND;
	return fdt_path_offset_namelen(fdt, path, namelen);
}

static int dt_parse_uart(struct dt_ctx *c)
{
	struct dt_uart *uart = &c->host->uart;
	struct dt_reg reg;
	int node, ret;

	/* No console is fine: the caller keeps its early one. */
	node = dt_find_console(c->fdt);
	if (node < 0)
		return 0;

	/* The path is filled even for a console we cannot drive, so it can be reported. */
	if (fdt_get_path(c->fdt, node, uart->path, sizeof(uart->path)) != 0)
		uart->path[0] = '\0';
	if (!dt_node_is_available(c->fdt, node) ||
	    fdt_node_check_compatible(c->fdt, node, "arm,pl011") != 0)
		return 0;

	if (dt_reg_open(c, node, &reg) != 0)
		return -1;
	if (reg.count < 1)
		return dt_fail(c, "%s: the PL011 console has no reg", dt_path(c, node));
	if (dt_reg_get(c, node, &reg, 0, &uart->reg) != 0)
		return -1;

	ret = dt_get_irq(c, node, 0, &uart->irq);
	if (ret < 0)
		return -1;
	if (ret != 0)
		uart->irq = 0;
	uart->type = DT_UART_PL011;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */
/* ------------------------------------------------------------------------ */

/*
 * Every tag of the structure block, each one's length checked against what
 * is left of the block. libfdt's own walk (fdt_next_tag() in the Debian
 * libfdt 1.6.1 we link) adds a property's length to its offset unchecked: a
 * length of -12 brings fdt_check_full() back to the same property, for
 * ever. Versions before 16 (8-byte aligned values) are not taken.
 */
static int dt_check_tags(const void *fdt)
{
	const uint8_t *s = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	uint64_t limit = fdt_totalsize(fdt) - (uint64_t)fdt_off_dt_struct(fdt), pos = 0;

	if (fdt_version(fdt) < 16 || fdt_off_dt_struct(fdt) > fdt_totalsize(fdt))
		return -FDT_ERR_BADVERSION;
	if (fdt_version(fdt) >= 17 && fdt_size_dt_struct(fdt) < limit)
		limit = fdt_size_dt_struct(fdt);
	while (pos <= limit && limit - pos >= FDT_TAGSIZE) { /* alignment may overshoot */
		uint32_t tag = fdt32_ld((const fdt32_t *)(s + pos)), len;

		pos += FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			while (pos < limit && s[pos])
				pos++;
			if (pos == limit)
				return -FDT_ERR_TRUNCATED;
			pos = ALIGN_UP(pos + 1, FDT_TAGSIZE);
			break;
		case FDT_PROP:
			if (limit - pos < 2 * sizeof(fdt32_t))
				return -FDT_ERR_TRUNCATED;
			len = fdt32_ld((const fdt32_t *)(s + pos));
			pos += 2 * sizeof(fdt32_t);
			if (len > limit - pos)
				return -FDT_ERR_BADSTRUCTURE;
			pos = ALIGN_UP(pos + len, FDT_TAGSIZE);
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
	}
	return -FDT_ERR_TRUNCATED;
}

int dt_check_tree(const void *fdt)
{
	int ret = fdt_check_header(fdt);

	if (ret == 0)
		ret = dt_check_tags(fdt);
	if (ret == 0)
		ret = fdt_check_full(fdt, fdt_totalsize(fdt));
	return ret;
}

static int dt_check_blob(struct dt_ctx *c)
{
	int ret;

	/* libfdt reads cells with plain 32-bit loads; unaligned they fault at EL2. */
	if (!IS_ALIGNED((uintptr_t)c->fdt, sizeof(uint32_t)))
		return dt_fail(c, "DTB at %p is not 4-byte aligned", c->fdt);
	ret = fdt_check_header(c->fdt);
	if (ret != 0)
		return dt_fail(c, "bad DTB header at %p: %s", c->fdt, fdt_strerror(ret));
	/* One full walk now, so that no later lookup can run off a corrupt structure. */
	ret = dt_check_tree(c->fdt);
	if (ret != 0)
		return dt_fail(c, "corrupt DTB at %p: %s", c->fdt, fdt_strerror(ret));
	return 0;
}

static int dt_add_reserved(struct dt_ctx *c, uint64_t base, uint64_t size, const char *what)
{
	struct dt_host *host = c->host;

	if (!size)
		return 0;
	if (host->nr_reserved == DT_MAX_RESERVED)
		return dt_fail(c, "too many reserved memory regions (%s goes past %d)", what,
		               DT_MAX_RESERVED);
	host->reserved[host->nr_reserved++] = (struct dt_region){base, size};
	return 0;
}

/* /memreserve/ entries and every region under /reserved-memory: never given to a guest. */
static int dt_parse_reserved(struct dt_ctx *c)
{
	int n = fdt_num_mem_rsv(c->fdt), parent, node;

	for (int i = 0; i < n; i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(c->fdt, i, &addr, &size) == 0 &&
		    dt_add_reserved(c, addr, size, "/memreserve/") != 0)
			return -1;
	}
	parent = fdt_path_offset(c->fdt, "/reserved-memory");
	if (parent < 0)
		return 0;
	fdt_for_each_subnode(node, c->fdt, parent)
	{
		struct dt_reg reg;
		struct dt_region r;

		if (!fdt_getprop(c->fdt, node, "reg", NULL))
			continue; /* a dynamic pool (size + alloc-ranges): the OS places it */
		if (dt_reg_open(c, node, &reg) != 0)
			return -1;
		for (int i = 0; i < reg.count; i++) {
			if (dt_reg_get(c, node, &reg, i, &r) != 0 ||
			    dt_add_reserved(c, r.base, r.size, dt_path(c, node)) != 0)
				return -1;
		}
	}
	return 0;
}

/* The Pi's PM block (power off and reset without PSCI): its first reg entry. */
static int dt_parse_pm_wdt(struct dt_ctx *c)
{
	int node = dt_find_available_compatible(c->fdt, "brcm,bcm2835-pm-wdt");
	struct dt_reg reg;

	if (node < 0)
		return 0;
	if (dt_reg_open(c, node, &reg) != 0)
		return -1;
	return reg.count ? dt_reg_get(c, node, &reg, 0, &c->host->pm_wdt) : 0;
}

int dt_inherited_cells(const void *fdt, int node, const char *prop, int dflt)
{
	for (; node >= 0; node = node ? fdt_parent_offset(fdt, node) : -1) {
		int len;
		const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

		if (p)
			return len == 4 ? (int)fdt32_ld(p) : -FDT_ERR_BADNCELLS;
	}
	return dflt;
}

/* A module's reg, in /chosen's cells (or the root's): boot loaders write CPU addresses there. */
static int dt_module_reg(struct dt_ctx *c, int chosen, int node, struct dt_region *r)
{
	int ac = dt_inherited_cells(c->fdt, chosen, "#address-cells", 2);
	int sc = dt_inherited_cells(c->fdt, chosen, "#size-cells", 1);
	const fdt32_t *cells;
	int len;

	if (!dt_cells_ok(ac, 1) || !dt_cells_ok(sc, 1))
		return dt_fail(c,
		               "/chosen: #address-cells %d / #size-cells %d cannot describe "
		               "modules (the binding uses 2 and 2)",
		               ac, sc);
	cells = fdt_getprop(c->fdt, node, "reg", &len);
	if (!cells || len != (ac + sc) * (int)sizeof(*cells))
		return dt_fail(c, "%s: a module needs one reg entry of %d cells", dt_path(c, node),
		               ac + sc);
	r->base = dt_read_cells(cells, ac);
	r->size = dt_read_cells(cells + ac, sc);
	if (!r->size || r->base + r->size - 1 < r->base)
		return dt_fail(c, "%s: module reg 0x%lx + 0x%lx is empty or wraps",
		               dt_path(c, node), (unsigned long)r->base, (unsigned long)r->size);
	return 0;
}

static int dt_module_store(struct dt_ctx *c, int node, struct dt_region *slot, const char *kind,
                           struct dt_region r)
{
	if (slot->size)
		return dt_fail(c, "%s: a second %s module (only one is used)", dt_path(c, node),
		               kind);
	*slot = r;
	return 0;
}

static void dt_module_bootargs(struct dt_ctx *c, int node)
{
	struct dt_modules *m = &c->host->modules;
	const char *args;
	int len, i;

	args = fdt_getprop(c->fdt, node, "bootargs", &len);
	if (!args)
		return;
	for (i = 0; i < len && i < (int)sizeof(m->bootargs) - 1 && args[i]; i++)
		m->bootargs[i] = args[i];
	m->bootargs[i] = '\0';
	m->has_bootargs = true;
}

/*
 * Module nodes under /chosen. Typed ones ("multiboot,kernel", "multiboot,ramdisk",
 * "multiboot,device-tree") go where they say; as in Xen, an untyped
 * "multiboot,module" is the kernel if none is known yet, else the ramdisk.
 */
static int dt_parse_modules(struct dt_ctx *c)
{
	struct dt_modules *m = &c->host->modules;
	int chosen = fdt_path_offset(c->fdt, "/chosen"), node;

	if (chosen < 0)
		return 0;
	fdt_for_each_subnode(node, c->fdt, chosen)
	{
		struct dt_region r = {0, 0};
		int ret;

		if (fdt_node_check_compatible(c->fdt, node, "multiboot,module") != 0)
			continue;
		if (dt_module_reg(c, chosen, node, &r) != 0)
			return -1;
		if (fdt_node_check_compatible(c->fdt, node, "multiboot,kernel") == 0 ||
		    (fdt_node_check_compatible(c->fdt, node, "multiboot,ramdisk") != 0 &&
		     fdt_node_check_compatible(c->fdt, node, "multiboot,device-tree") != 0 &&
		     !m->kernel.size)) {
			ret = dt_module_store(c, node, &m->kernel, "kernel", r);
			dt_module_bootargs(c, node);
		} else if (fdt_node_check_compatible(c->fdt, node, "multiboot,device-tree") == 0) {
			ret = dt_module_store(c, node, &m->dtb, "device-tree", r);
		} else {
			ret = dt_module_store(c, node, &m->ramdisk, "ramdisk", r);
		}
		if (ret != 0)
			return -1;
	}
	if ((m->ramdisk.size || m->dtb.size) && !m->kernel.size)
		return dt_fail(c,
		               "/chosen: boot modules but no kernel module (\"multiboot,kernel\")");
	return 0;
}

int dt_parse_host(const void *fdt, struct dt_host *out, struct dt_error *err)
{
	struct dt_ctx c = {.fdt = fdt, .host = out, .err = err, .gic_node = -1, .irq_node = -1};

	if (err)
		err->msg[0] = '\0';
	/* Nothing half-filled, or left as it was, for a caller that ignores the result. */
	if (out)
		memset(out, 0, sizeof(*out));
	if (!fdt || !out)
		return dt_fail(&c, "dt_parse_host: NULL %s", fdt ? "output" : "DTB pointer");

	if (dt_check_blob(&c) != 0 || dt_parse_memory(&c) != 0 || dt_parse_cpus(&c) != 0 ||
	    dt_parse_gic(&c) != 0 || dt_parse_timer(&c) != 0 || dt_parse_pmu(&c) != 0 ||
	    dt_parse_uart(&c) != 0 || dt_parse_reserved(&c) != 0 || dt_parse_pm_wdt(&c) != 0 ||
	    dt_parse_modules(&c) != 0) {
		/* Nothing half-filled for a caller that ignores the return value. */
		memset(out, 0, sizeof(*out));
		return -1;
	}
	dt_parse_model(&c);
	dt_parse_hyp_bootargs(&c);
	dt_parse_psci(&c);
	return 0;
}

const char *dt_psci_method_name(enum dt_psci_method m)
{
	switch (m) {
	case DT_PSCI_NONE:
		return "none";
	case DT_PSCI_SMC:
		return "smc";
	case DT_PSCI_HVC:
		return "hvc";
	}
	return "unknown";
}
