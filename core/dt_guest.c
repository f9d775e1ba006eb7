/*
 * The guest's device tree, written from scratch with libfdt's sequential-write
 * API: the VM's RAM, vCPUs, PSCI conduit, virtual GIC and timer, plus copies of
 * the few host nodes handed to it (the devices and the clocks they name).
 * Nothing else of the host DT gets through: no host memory, no reserved
 * regions, no devices the guest has no stage-2 mapping for.
 *
 * Everything that can be wrong with the inputs is checked before the first
 * byte is written, so the writing itself can only run out of room.
 */
#include <libfdt.h>

#include "core/dt_guest.h"
#include "core/printf.h"

/* Devices plus the clock providers they name, each copied once. */
#define DT_GUEST_MAX_NODES (2 * DT_GUEST_MAX_DEVICES)

/* The GIC binding's interrupt specifier: type, number, flags. */
#define DT_GUEST_GIC_PPI         1
#define DT_GUEST_IRQ_LEVEL_HIGH  4
#define DT_GUEST_IRQ_CPUS_SHIFT  8 /* GICv2 only: PPI target CPU mask in flags[15:8] */
#define DT_GUEST_IRQ_SPEC_CELLS  3
#define DT_GUEST_FIRST_PPI_INTID 16
#define DT_GUEST_LAST_PPI_INTID  31

/* The root's #address-cells and #size-cells: any 64-bit region fits. */
#define DT_GUEST_ROOT_CELLS 2
#define DT_GUEST_REG_BYTES  (2 * DT_GUEST_ROOT_CELLS * (int)sizeof(fdt32_t))

/* Root compatible and model when the host root has none. */
#define DT_GUEST_DEFAULT_MACHINE "linux,dummy-virt"

/* A host node copied under the guest's root. */
struct dt_guest_node {
	int host;         /* its offset in the host DT */
	uint32_t phandle; /* its fresh phandle in the guest, 0 if the host node had none */
	bool device;      /* from device_paths; otherwise a clock provider one of them names */
};

struct dt_guest_ctx {
	const void *host;
	const struct dt_guest_params *p;
	void *fdt;
	size_t size;
	struct dt_error *err;
	int fdt_err;           /* first libfdt write error: later writes are skipped */
	uint32_t next_phandle; /* the next unused guest phandle */
	uint32_t gic_phandle;
	uint32_t vuart_clk_phandle;
	int stdout_node; /* index in nodes[] of the stdout device, -1: none */
	struct dt_guest_node nodes[DT_GUEST_MAX_NODES];
	unsigned int nr_nodes;
	char path[96]; /* scratch for the host path an error message names */
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Record why building stopped; returns -1 so callers can `return dt_guest_fail(...)`. */
#define dt_guest_fail(c, ...) dt_error((c)->err, __VA_ARGS__)

/* The full path of host node @node for an error message (only one per message). */
static const char *dt_guest_path(struct dt_guest_ctx *c, int node)
{
	return dt_node_path(c->host, node, c->path, sizeof(c->path));
}

/* "name@<base in hex>", the way Linux and QEMU spell unit addresses. */
static void dt_guest_unit_name(char *buf, size_t size, const char *name, uint64_t base)
{
	snprintk(buf, size, "%s@%lx", name, (unsigned long)base);
}

static bool dt_guest_is_ppi(unsigned int intid)
{
	return intid >= DT_GUEST_FIRST_PPI_INTID && intid <= DT_GUEST_LAST_PPI_INTID;
}

/* A big-endian number of @cells (0..2) cells; byte loads, so any alignment is fine. */
static uint64_t dt_guest_read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	while (cells-- > 0)
		v = (v << 32) | fdt32_ld(p++);
	return v;
}

static struct dt_guest_node *dt_guest_find(struct dt_guest_ctx *c, int host_node)
{
	unsigned int i;

	for (i = 0; i < c->nr_nodes; i++)
		if (c->nodes[i].host == host_node)
			return &c->nodes[i];
	return NULL;
}

static int dt_guest_alloc_phandle(struct dt_guest_ctx *c, uint32_t *phandle)
{
	if (c->next_phandle > FDT_MAX_PHANDLE)
		return dt_guest_fail(c, "guest DT: out of phandles");
	*phandle = c->next_phandle++;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Checking the parameters                                                  */
/* ------------------------------------------------------------------------ */

static int dt_guest_check_counts(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;
	unsigned int i, j;

	if (p->nr_vcpus == 0 || p->nr_vcpus > DT_MAX_CPUS)
		return dt_guest_fail(c, "guest DT: %u vCPUs, expected 1 to DT_MAX_CPUS (%d)",
		                     p->nr_vcpus, DT_MAX_CPUS);
	/* Two cpu nodes with one reg would be one CPU to the guest. */
	for (i = 0; i < p->nr_vcpus; i++)
		for (j = i + 1; j < p->nr_vcpus; j++)
			if (p->vcpu_mpidr[i] == p->vcpu_mpidr[j])
				return dt_guest_fail(c,
				                     "guest DT: vCPUs %u and %u have MPIDR 0x%lx",
				                     i, j, (unsigned long)p->vcpu_mpidr[i]);
	if (p->nr_devices > DT_GUEST_MAX_DEVICES)
		return dt_guest_fail(c, "guest DT: %u devices, more than DT_GUEST_MAX_DEVICES (%d)",
		                     p->nr_devices, DT_GUEST_MAX_DEVICES);
	return 0;
}

static int dt_guest_check_psci_gic(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;

	if (!p->psci_method || (strcmp(p->psci_method, "hvc") && strcmp(p->psci_method, "smc")))
		return dt_guest_fail(c, "guest DT: PSCI method %s, expected \"hvc\" or \"smc\"",
		                     p->psci_method ? p->psci_method : "(NULL)");
	if (p->gic_version != 2 && p->gic_version != 3)
		return dt_guest_fail(c, "guest DT: GIC version %u, expected 2 or 3",
		                     p->gic_version);
	if (p->ram.size == 0)
		return dt_guest_fail(c, "guest DT: the VM has no RAM (size 0)");
	if (p->gicd.size == 0 || (p->gic_version == 3 ? p->gicr.size : p->gicc.size) == 0)
		return dt_guest_fail(c, "guest DT: GICv%u needs non-empty GICD and %s regions",
		                     p->gic_version, p->gic_version == 3 ? "GICR" : "GICC");
	return 0;
}

/* The timer, the maintenance and the PMU interrupt are per-CPU: PPIs, INTIDs 16..31. */
static int dt_guest_check_irqs(struct dt_guest_ctx *c)
{
	const struct dt_timer *t = &c->p->timer;

	if (!dt_guest_is_ppi(t->sec_phys_irq) || !dt_guest_is_ppi(t->phys_irq) ||
	    !dt_guest_is_ppi(t->virt_irq) || !dt_guest_is_ppi(t->hyp_irq))
		return dt_guest_fail(c,
		                     "guest DT: timer INTIDs %u %u %u %u are not all PPIs (16..31)",
		                     t->sec_phys_irq, t->phys_irq, t->virt_irq, t->hyp_irq);
	if (c->p->gic_maint_irq && !dt_guest_is_ppi(c->p->gic_maint_irq))
		return dt_guest_fail(c, "guest DT: GIC maintenance INTID %u is not a PPI (16..31)",
		                     c->p->gic_maint_irq);
	if (c->p->pmu_irq && !dt_guest_is_ppi(c->p->pmu_irq))
		return dt_guest_fail(c, "guest DT: PMU INTID %u is not a PPI (16..31)",
		                     c->p->pmu_irq);
	return 0;
}

static int dt_guest_check_chosen(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;
	unsigned int i;

	if (p->vuart.size && (p->vuart_irq < 32 || p->vuart_irq > 1019))
		return dt_guest_fail(c, "guest DT: emulated UART INTID %u is not an SPI (32..1019)",
		                     p->vuart_irq);
	if (p->nr_shm > ARRAY_SIZE(p->shm))
		return dt_guest_fail(c, "guest DT: %u shared-memory regions, at most %zu",
		                     p->nr_shm, ARRAY_SIZE(p->shm));
	for (i = 0; i < p->nr_shm; i++) {
		if (!p->shm[i].id || !p->shm[i].reg.size ||
		    (p->shm[i].doorbell_irq &&
		     (p->shm[i].doorbell_irq < 32 || p->shm[i].doorbell_irq > 1019)))
			return dt_guest_fail(
			    c,
			    "guest DT: shared-memory region %u needs an id, a size "
			    "and an SPI doorbell (or none)",
			    i);
	}
	if (p->initrd_end < p->initrd_start)
		return dt_guest_fail(c, "guest DT: initrd ends (0x%lx) before it starts (0x%lx)",
		                     (unsigned long)p->initrd_end, (unsigned long)p->initrd_start);
	if (!p->stdout_path)
		return 0;
	/* nodes[] starts with the devices, in device_paths order. */
	for (i = 0; i < p->nr_devices; i++) {
		if (p->device_paths[i] && strcmp(p->device_paths[i], p->stdout_path) == 0) {
			c->stdout_node = (int)i;
			return 0;
		}
	}
	return dt_guest_fail(c, "guest DT: stdout device %s is not one of the VM's devices",
	                     p->stdout_path);
}

static int dt_guest_check_host(struct dt_guest_ctx *c)
{
	uint32_t max;
	int ret;

	ret = dt_check_tree(c->host);
	if (ret == 0)
		ret = fdt_find_max_phandle(c->host, &max);
	if (ret != 0)
		return dt_guest_fail(c, "guest DT: bad host DT: %s", fdt_strerror(ret));
	/*
	 * Start above every host phandle: a host phandle left in a copied
	 * property we do not rewrite then names nothing, rather than a guest node
	 * that happens to have the same number.
	 */
	c->next_phandle = max + 1;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Choosing the host nodes to copy                                          */
/* ------------------------------------------------------------------------ */

static int dt_guest_add_node(struct dt_guest_ctx *c, int host_node, bool device)
{
	struct dt_guest_node *n;

	if (c->nr_nodes == DT_GUEST_MAX_NODES)
		return dt_guest_fail(c, "guest DT: %s: more than %d devices and clocks to copy",
		                     dt_guest_path(c, host_node), DT_GUEST_MAX_NODES);
	n = &c->nodes[c->nr_nodes++];
	n->host = host_node;
	n->device = device;
	n->phandle = 0;
	/* Only nodes something can point at need one; a clock provider always has one. */
	if (fdt_get_phandle(c->host, host_node) != 0)
		return dt_guest_alloc_phandle(c, &n->phandle);
	return 0;
}

static int dt_guest_add_devices(struct dt_guest_ctx *c)
{
	const char *path;
	unsigned int i;
	int node;

	for (i = 0; i < c->p->nr_devices; i++) {
		path = c->p->device_paths[i];
		if (!path)
			return dt_guest_fail(c, "guest DT: device path %u is NULL", i);
		node = fdt_path_offset(c->host, path);
		if (node < 0)
			return dt_guest_fail(c,
			                     "guest DT: device %s: no such node in the host DT: %s",
			                     path, fdt_strerror(node));
		/* The root would become a nameless node under itself. */
		if (node == 0)
			return dt_guest_fail(c, "guest DT: device %s is the root node", path);
		if (dt_guest_find(c, node))
			return dt_guest_fail(c, "guest DT: device %s is given twice", path);
		if (dt_guest_add_node(c, node, true) != 0)
			return -1;
	}
	return 0;
}

/*
 * The entry of @node's "clocks" (@ncells cells) starting at cell @i: its
 * provider (-1 for phandle 0, which marks an unused slot) and its length in
 * cells, 1 + the provider's #clock-cells. Returns the length, or -1.
 */
static int dt_guest_clock_entry(struct dt_guest_ctx *c, int node, const fdt32_t *cells, int ncells,
                                int i, int *provider)
{
	uint32_t phandle = fdt32_ld(&cells[i]);
	const fdt32_t *nr;
	int len;

	*provider = -1;
	if (phandle == 0)
		return 1;
	*provider = fdt_node_offset_by_phandle(c->host, phandle);
	if (*provider < 0)
		return dt_guest_fail(c,
		                     "guest DT: %s: clocks names phandle 0x%x, which no node has",
		                     dt_guest_path(c, node), phandle);
	nr = fdt_getprop(c->host, *provider, "#clock-cells", &len);
	if (!nr || len != (int)sizeof(*nr))
		return dt_guest_fail(c, "guest DT: clock provider %s has no #clock-cells",
		                     dt_guest_path(c, *provider));
	if (fdt32_ld(nr) > (uint32_t)(ncells - i - 1))
		return dt_guest_fail(c, "guest DT: %s: clocks ends inside an entry",
		                     dt_guest_path(c, node));
	return 1 + (int)fdt32_ld(nr);
}

/* Add the providers named by the "clocks" of device @n, each once. */
static int dt_guest_add_clocks(struct dt_guest_ctx *c, const struct dt_guest_node *n)
{
	const fdt32_t *cells;
	int len, ncells, i, step, provider;

	cells = fdt_getprop(c->host, n->host, "clocks", &len);
	if (!cells)
		return 0;
	if (len % (int)sizeof(*cells) != 0)
		return dt_guest_fail(c, "guest DT: %s: clocks is %d bytes, not whole cells",
		                     dt_guest_path(c, n->host), len);
	ncells = len / (int)sizeof(*cells);
	for (i = 0; i < ncells; i += step) {
		step = dt_guest_clock_entry(c, n->host, cells, ncells, i, &provider);
		if (step < 0)
			return -1;
		if (provider >= 0 && !dt_guest_find(c, provider) &&
		    dt_guest_add_node(c, provider, false) != 0)
			return -1;
	}
	return 0;
}

/* The number of "reg" entries of host node @node, with its parent's cell counts. */
static int dt_guest_reg_open(struct dt_guest_ctx *c, int node, int *addr_cells, int *size_cells)
{
	int parent = fdt_parent_offset(c->host, node);
	int len, entry_bytes;

	if (!fdt_getprop(c->host, node, "reg", &len))
		return 0;
	*addr_cells = parent >= 0 ? fdt_address_cells(c->host, parent) : -1;
	*size_cells = parent >= 0 ? fdt_size_cells(c->host, parent) : -1;
	/* What fits a uint64_t: PCI's 3-cell addresses have no CPU address to copy. */
	if (*addr_cells < 1 || *addr_cells > 2 || *size_cells < 0 || *size_cells > 2)
		return dt_guest_fail(c,
		                     "guest DT: %s: unusable parent #address-cells %d, "
		                     "#size-cells %d",
		                     dt_guest_path(c, node), *addr_cells, *size_cells);
	entry_bytes = (*addr_cells + *size_cells) * (int)sizeof(fdt32_t);
	if (len % entry_bytes != 0)
		return dt_guest_fail(c, "guest DT: %s: reg is %d bytes, not a multiple of %d",
		                     dt_guest_path(c, node), len, entry_bytes);
	return len / entry_bytes;
}

/*
 * Translate the "reg" of host node @node to CPU physical addresses in the
 * root's 2+2 cells, into @out (NULL: only check that every entry translates).
 */
static int dt_guest_translate_reg(struct dt_guest_ctx *c, int node, void *out)
{
	const fdt32_t *reg = fdt_getprop(c->host, node, "reg", NULL);
	int addr_cells = 0, size_cells = 0, count, i;
	uint64_t addr, base;
	uint8_t *entry = out;

	count = dt_guest_reg_open(c, node, &addr_cells, &size_cells);
	if (count < 0)
		return -1;
	for (i = 0; i < count; i++, reg += addr_cells + size_cells) {
		addr = dt_guest_read_cells(reg, addr_cells);
		if (dt_translate_address(c->host, node, addr, &base) != 0)
			return dt_guest_fail(c,
			                     "guest DT: %s: reg 0x%lx is not translatable "
			                     "through the parents' ranges",
			                     dt_guest_path(c, node), (unsigned long)addr);
		if (!entry)
			continue;
		fdt64_st(entry, base);
		fdt64_st(entry + sizeof(fdt64_t),
		         dt_guest_read_cells(reg + addr_cells, size_cells));
		entry += DT_GUEST_REG_BYTES;
	}
	return count;
}

/* Everything copied sits directly under the root, so no two may share a name. */
static int dt_guest_check_names(struct dt_guest_ctx *c)
{
	static const char fixed[][8] = {"chosen", "cpus", "psci", "timer", "pmu"};
	char memory[32], gic[32];
	const char *name;
	unsigned int i, j;

	dt_guest_unit_name(memory, sizeof(memory), "memory", c->p->ram.base);
	dt_guest_unit_name(gic, sizeof(gic), "intc", c->p->gicd.base);
	for (i = 0; i < c->nr_nodes; i++) {
		name = fdt_get_name(c->host, c->nodes[i].host, NULL);
		for (j = 0; j < ARRAY_SIZE(fixed); j++)
			if (strcmp(name, fixed[j]) == 0)
				goto clash;
		if (strcmp(name, memory) == 0 || strcmp(name, gic) == 0)
			goto clash;
		for (j = 0; j < i; j++)
			if (strcmp(name, fdt_get_name(c->host, c->nodes[j].host, NULL)) == 0)
				goto clash;
	}
	return 0;
clash:
	return dt_guest_fail(c, "guest DT: %s would be a second node named %s under /",
	                     dt_guest_path(c, c->nodes[i].host), name);
}

/*
 * Pick the host nodes to copy and check everything about them that can fail.
 * Not inlined, like dt_guest_write(): the scratch names of both would
 * otherwise pile up in dt_build_guest()'s frame on top of the context.
 */
static __attribute__((noinline)) int dt_guest_collect(struct dt_guest_ctx *c)
{
	unsigned int i, nr_devices;

	if (dt_guest_add_devices(c) != 0)
		return -1;
	/* Providers are appended after the devices; their own clocks are not followed. */
	nr_devices = c->nr_nodes;
	for (i = 0; i < nr_devices; i++)
		if (dt_guest_add_clocks(c, &c->nodes[i]) != 0)
			return -1;
	for (i = 0; i < c->nr_nodes; i++)
		if (dt_guest_translate_reg(c, c->nodes[i].host, NULL) < 0)
			return -1;
	return dt_guest_check_names(c);
}

/* ------------------------------------------------------------------------ */
/* Writing: every libfdt call goes through these, which stop at the first   */
/* error (in practice -FDT_ERR_NOSPACE) and leave it in c->fdt_err.         */
/* ------------------------------------------------------------------------ */

static void dt_guest_begin(struct dt_guest_ctx *c, const char *name)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_begin_node(c->fdt, name);
}

static void dt_guest_begin_at(struct dt_guest_ctx *c, const char *name, uint64_t base)
{
	char unit_name[32];

	dt_guest_unit_name(unit_name, sizeof(unit_name), name, base);
	dt_guest_begin(c, unit_name);
}

static void dt_guest_end(struct dt_guest_ctx *c)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_end_node(c->fdt);
}

static void dt_guest_prop(struct dt_guest_ctx *c, const char *name, const void *val, int len)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_property(c->fdt, name, val, len);
}

static void dt_guest_u32(struct dt_guest_ctx *c, const char *name, uint32_t val)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_property_u32(c->fdt, name, val);
}

static void dt_guest_u64(struct dt_guest_ctx *c, const char *name, uint64_t val)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_property_u64(c->fdt, name, val);
}

static void dt_guest_string(struct dt_guest_ctx *c, const char *name, const char *val)
{
	if (!c->fdt_err)
		c->fdt_err = fdt_property_string(c->fdt, name, val);
}

/* Room for a @len-byte value, filled in by the caller; NULL after an error. */
static uint8_t *dt_guest_placeholder(struct dt_guest_ctx *c, const char *name, int len)
{
	void *val = NULL;

	if (!c->fdt_err)
		c->fdt_err = fdt_property_placeholder(c->fdt, name, len, &val);
	return c->fdt_err ? NULL : val;
}

/* "reg" with @n regions in the root's 2+2 cells. */
static void dt_guest_reg(struct dt_guest_ctx *c, const struct dt_region *regions, int n)
{
	uint8_t *val = dt_guest_placeholder(c, "reg", n * DT_GUEST_REG_BYTES);
	int i;

	for (i = 0; val && i < n; i++, val += DT_GUEST_REG_BYTES) {
		fdt64_st(val, regions[i].base);
		fdt64_st(val + sizeof(fdt64_t), regions[i].size);
	}
}

/* "interrupts" with one GIC PPI specifier per INTID in @intids. */
static void dt_guest_ppis(struct dt_guest_ctx *c, const unsigned int *intids, int n, uint32_t flags)
{
	const int spec_bytes = DT_GUEST_IRQ_SPEC_CELLS * (int)sizeof(fdt32_t);
	uint8_t *val = dt_guest_placeholder(c, "interrupts", n * spec_bytes);
	int i;

	for (i = 0; val && i < n; i++, val += spec_bytes) {
		fdt32_st(val, DT_GUEST_GIC_PPI);
		fdt32_st(val + 4, intids[i] - DT_GUEST_FIRST_PPI_INTID);
		fdt32_st(val + 8, flags);
	}
}

/* ------------------------------------------------------------------------ */
/* The nodes the guest gets from the parameters                             */
/* ------------------------------------------------------------------------ */

/* The host root's @name if it has one: the guest runs on the same machine. */
static void dt_guest_write_machine(struct dt_guest_ctx *c, const char *name)
{
	int len;
	const void *val = fdt_getprop(c->host, 0, name, &len);

	if (val)
		dt_guest_prop(c, name, val, len);
	else
		dt_guest_string(c, name, DT_GUEST_DEFAULT_MACHINE);
}

static void dt_guest_write_chosen(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;
	const char *name;
	uint8_t *val;
	int len;

	dt_guest_begin(c, "chosen");
	if (p->bootargs)
		dt_guest_string(c, "bootargs", p->bootargs);
	if (p->initrd_end > p->initrd_start) {
		dt_guest_u64(c, "linux,initrd-start", p->initrd_start);
		dt_guest_u64(c, "linux,initrd-end", p->initrd_end);
	}
	if (p->vuart.size) {
		char path[32];

		snprintk(path, sizeof(path), "/pl011@%lx", (unsigned long)p->vuart.base);
		dt_guest_string(c, "stdout-path", path);
	} else if (c->stdout_node >= 0) {
		/* Devices sit under the root in the guest: "/" + the host node's name. */
		name = fdt_get_name(c->host, c->nodes[c->stdout_node].host, &len);
		val = dt_guest_placeholder(c, "stdout-path", len + 2);
		if (val) {
			val[0] = '/';
			memcpy(val + 1, name, len);
			val[len + 1] = '\0';
		}
	}
	dt_guest_end(c);
}

static void dt_guest_write_memory(struct dt_guest_ctx *c)
{
	dt_guest_begin_at(c, "memory", c->p->ram.base);
	dt_guest_string(c, "device_type", "memory");
	dt_guest_reg(c, &c->p->ram, 1);
	dt_guest_end(c);
}

static void dt_guest_write_cpus(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;
	unsigned int i;
	int cells = 1;

	/* One cell holds Aff2..Aff0; Aff3 (bits 39:32) needs two. */
	for (i = 0; i < p->nr_vcpus; i++)
		if (p->vcpu_mpidr[i] > 0xffffffffUL)
			cells = 2;

	dt_guest_begin(c, "cpus");
	dt_guest_u32(c, "#address-cells", cells);
	dt_guest_u32(c, "#size-cells", 0);
	for (i = 0; i < p->nr_vcpus; i++) {
		dt_guest_begin_at(c, "cpu", p->vcpu_mpidr[i]);
		dt_guest_string(c, "device_type", "cpu");
		dt_guest_string(c, "compatible", "arm,armv8");
		if (cells == 2)
			dt_guest_u64(c, "reg", p->vcpu_mpidr[i]);
		else
			dt_guest_u32(c, "reg", (uint32_t)p->vcpu_mpidr[i]);
		dt_guest_string(c, "enable-method", "psci");
		dt_guest_end(c);
	}
	dt_guest_end(c);
}

static void dt_guest_write_psci(struct dt_guest_ctx *c)
{
	static const char compatible[] = "arm,psci-1.0\0arm,psci-0.2";

	dt_guest_begin(c, "psci");
	dt_guest_prop(c, "compatible", compatible, sizeof(compatible));
	dt_guest_string(c, "method", c->p->psci_method);
	dt_guest_end(c);
}

static void dt_guest_write_gic(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;
	const struct dt_region regs[] = {p->gicd, p->gic_version == 3 ? p->gicr : p->gicc};

	dt_guest_begin_at(c, "intc", p->gicd.base);
	if (p->gic_version == 3) {
		dt_guest_string(c, "compatible", "arm,gic-v3");
		dt_guest_u32(c, "#redistributor-regions", 1);
	} else {
		dt_guest_string(c, "compatible", "arm,cortex-a15-gic");
	}
	/* GICD then GICR (v3) or GICC (v2); no GICH/GICV: the guest gets no vGIC of its own. */
	dt_guest_reg(c, regs, ARRAY_SIZE(regs));
	dt_guest_prop(c, "interrupt-controller", NULL, 0);
	dt_guest_u32(c, "#interrupt-cells", DT_GUEST_IRQ_SPEC_CELLS);
	dt_guest_u32(c, "#address-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_u32(c, "#size-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_prop(c, "ranges", NULL, 0);
	if (p->gic_maint_irq)
		dt_guest_ppis(c, &p->gic_maint_irq, 1, DT_GUEST_IRQ_LEVEL_HIGH);
	dt_guest_u32(c, "phandle", c->gic_phandle);
	dt_guest_end(c);
}

/*
 * The emulated PL011 (core/vpl011.c) and the clock Linux's AMBA bus and
 * amba-pl011 driver ask for ("uartclk", "apb_pclk"): a fixed 24 MHz one, as
 * QEMU gives its own PL011. Its rate only matters to the baud-rate divisors,
 * which the emulation ignores.
 */
static void dt_guest_write_vuart(struct dt_guest_ctx *c)
{
	static const char compatible[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const struct dt_guest_params *p = c->p;
	uint32_t clocks[2], spi[3];

	if (!p->vuart.size)
		return;
	dt_guest_begin(c, "vuart-clk");
	dt_guest_string(c, "compatible", "fixed-clock");
	dt_guest_u32(c, "#clock-cells", 0);
	dt_guest_u32(c, "clock-frequency", 24000000);
	dt_guest_string(c, "clock-output-names", "vuart-clk");
	dt_guest_u32(c, "phandle", c->vuart_clk_phandle);
	dt_guest_end(c);

	dt_guest_begin_at(c, "pl011", p->vuart.base);
	dt_guest_prop(c, "compatible", compatible, sizeof(compatible));
	dt_guest_reg(c, &p->vuart, 1);
	spi[0] = cpu_to_fdt32(0); /* SPI */
	spi[1] = cpu_to_fdt32(p->vuart_irq - 32);
	spi[2] = cpu_to_fdt32(DT_GUEST_IRQ_LEVEL_HIGH);
	dt_guest_prop(c, "interrupts", spi, sizeof(spi));
	clocks[0] = clocks[1] = cpu_to_fdt32(c->vuart_clk_phandle);
	dt_guest_prop(c, "clocks", clocks, sizeof(clocks));
	dt_guest_prop(c, "clock-names", clock_names, sizeof(clock_names));
	dt_guest_end(c);
}

/*
 * Shared memory: reserved so the guest kernel never uses it as RAM, and
 * described so a driver (or a user-space program through /dev/mem or UIO)
 * can find it by its id.
 */
static void dt_guest_write_shm(struct dt_guest_ctx *c)
{
	const struct dt_guest_params *p = c->p;

	if (!p->nr_shm)
		return;
	dt_guest_begin(c, "reserved-memory");
	dt_guest_u32(c, "#address-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_u32(c, "#size-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_prop(c, "ranges", NULL, 0);
	for (unsigned int i = 0; i < p->nr_shm; i++) {
		const struct dt_guest_shm *m = &p->shm[i];

		dt_guest_begin_at(c, "xen-shmem", m->reg.base); /* Xen's name for it */
		dt_guest_string(c, "compatible", "xen,shared-memory-v1");
		dt_guest_reg(c, &m->reg, 1);
		dt_guest_string(c, "xen,id", m->id);
		dt_guest_prop(c, "no-map", NULL, 0);
		if (m->doorbell_irq) {
			uint32_t spi[3] = {cpu_to_fdt32(0), cpu_to_fdt32(m->doorbell_irq - 32),
			                   cpu_to_fdt32(1) /* edge rising */};

			dt_guest_prop(c, "interrupts", spi, sizeof(spi));
		}
		dt_guest_end(c);
	}
	dt_guest_end(c);
}

/* A level-high PPI's flags; the GICv2 binding wants the CPUs it reaches, as QEMU writes it. */
static uint32_t dt_guest_ppi_flags(const struct dt_guest_ctx *c)
{
	uint32_t flags = DT_GUEST_IRQ_LEVEL_HIGH;

	if (c->p->gic_version == 2)
		flags |= ((1U << c->p->nr_vcpus) - 1) << DT_GUEST_IRQ_CPUS_SHIFT;
	return flags;
}

/* The PMU, by the generic binding, with its overflow PPI (each vCPU's own). */
static void dt_guest_write_pmu(struct dt_guest_ctx *c)
{
	if (!c->p->pmu_irq)
		return;
	dt_guest_begin(c, "pmu");
	dt_guest_string(c, "compatible", "arm,armv8-pmuv3");
	dt_guest_ppis(c, &c->p->pmu_irq, 1, dt_guest_ppi_flags(c));
	dt_guest_end(c);
}

static void dt_guest_write_timer(struct dt_guest_ctx *c)
{
	const struct dt_timer *t = &c->p->timer;
	/* The order of the arm,armv8-timer binding. */
	const unsigned int intids[] = {t->sec_phys_irq, t->phys_irq, t->virt_irq, t->hyp_irq};
	uint32_t flags = dt_guest_ppi_flags(c);

	dt_guest_begin(c, "timer");
	dt_guest_string(c, "compatible", "arm,armv8-timer");
	dt_guest_ppis(c, intids, ARRAY_SIZE(intids), flags);
	dt_guest_prop(c, "always-on", NULL, 0);
	dt_guest_end(c);
}

/* ------------------------------------------------------------------------ */
/* Copies of host nodes                                                     */
/* ------------------------------------------------------------------------ */

static void dt_guest_write_reg_of(struct dt_guest_ctx *c, int node)
{
	int addr_cells, size_cells, count;

	/* Checked by dt_guest_collect(): cannot fail now. */
	count = dt_guest_reg_open(c, node, &addr_cells, &size_cells);
	if (count > 0)
		dt_guest_translate_reg(c, node,
		                       dt_guest_placeholder(c, "reg", count * DT_GUEST_REG_BYTES));
	else if (count == 0)
		dt_guest_prop(c, "reg", NULL, 0);
}

/* @node's "clocks" (@cells, @len bytes) with every phandle replaced by the guest's. */
static void dt_guest_write_clocks(struct dt_guest_ctx *c, int node, const fdt32_t *cells, int len)
{
	uint8_t *val = dt_guest_placeholder(c, "clocks", len);
	int ncells = len / (int)sizeof(*cells);
	int i, step, provider;

	if (!val)
		return;
	memcpy(val, cells, len);
	/* Checked by dt_guest_collect(): every entry parses and its provider is copied. */
	for (i = 0; i < ncells; i += step) {
		step = dt_guest_clock_entry(c, node, cells, ncells, i, &provider);
		if (step < 0)
			return;
		if (provider >= 0)
			fdt32_st(val + i * sizeof(*cells), dt_guest_find(c, provider)->phandle);
	}
}

/*
 * Properties that are not copied verbatim: "reg" and "clocks" are rewritten,
 * the phandle is renumbered, and interrupt-parent goes because the guest root
 * names its GIC. The pin mux is the host's business (the guest has no pin
 * controller), and Linux fails the probe of a device whose pinctrl-N names a
 * missing node. A clock provider's own parents are not copied, so its
 * "clocks" would only name nodes the guest does not have.
 */
static bool dt_guest_prop_is_verbatim(const char *name, bool device)
{
	static const char pinctrl[] = "pinctrl-";

	if (strcmp(name, "reg") == 0 || strcmp(name, "interrupt-parent") == 0 ||
	    strcmp(name, "phandle") == 0 || strcmp(name, "linux,phandle") == 0)
		return false;
	if (strlen(name) >= sizeof(pinctrl) - 1 && memcmp(name, pinctrl, sizeof(pinctrl) - 1) == 0)
		return false;
	return device || strcmp(name, "clocks") != 0;
}

/*
 * A clock provider the guest cannot drive, as a fixed clock of the configured
 * rate. It keeps its #clock-cells so the devices' "clocks" entries still
 * parse; a fixed clock ignores the cells.
 */
static bool dt_guest_write_fixed_clock(struct dt_guest_ctx *c, const struct dt_guest_node *n)
{
	const fdt32_t *cells;
	int len;

	if (n->device || !c->p->fixed_clock_hz ||
	    fdt_node_check_compatible(c->host, n->host, "fixed-clock") == 0)
		return false;
	cells = fdt_getprop(c->host, n->host, "#clock-cells", &len);
	dt_guest_begin(c, fdt_get_name(c->host, n->host, NULL));
	dt_guest_prop(c, "compatible", "fixed-clock", sizeof("fixed-clock"));
	dt_guest_u32(c, "#clock-cells", cells && len == 4 ? fdt32_to_cpu(*cells) : 0);
	dt_guest_u32(c, "clock-frequency", c->p->fixed_clock_hz);
	dt_guest_u32(c, "phandle", n->phandle);
	dt_guest_end(c);
	return true;
}

/* A host node and its properties (not its subnodes), directly under the guest root. */
static void dt_guest_write_copy(struct dt_guest_ctx *c, const struct dt_guest_node *n)
{
	const void *val;
	const char *name;
	int prop, len;

	if (dt_guest_write_fixed_clock(c, n))
		return;

	dt_guest_begin(c, fdt_get_name(c->host, n->host, NULL));
	fdt_for_each_property_offset(prop, c->host, n->host)
	{
		val = fdt_getprop_by_offset(c->host, prop, &name, &len);
		if (!val)
			continue;
		if (strcmp(name, "reg") == 0)
			dt_guest_write_reg_of(c, n->host);
		else if (n->device && strcmp(name, "clocks") == 0)
			dt_guest_write_clocks(c, n->host, val, len);
		else if (dt_guest_prop_is_verbatim(name, n->device))
			dt_guest_prop(c, name, val, len);
	}
	if (n->phandle)
		dt_guest_u32(c, "phandle", n->phandle);
	dt_guest_end(c);
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */
/* ------------------------------------------------------------------------ */

static __attribute__((noinline)) void dt_guest_write(struct dt_guest_ctx *c)
{
	/* Sequential write takes an int size; no guest DT comes near 2 GiB. */
	int size = c->size > 0x7fffffff ? 0x7fffffff : (int)c->size;
	unsigned int i;

	c->fdt_err = fdt_create(c->fdt, size);
	if (!c->fdt_err)
		c->fdt_err = fdt_finish_reservemap(c->fdt);

	dt_guest_begin(c, "");
	dt_guest_write_machine(c, "compatible");
	dt_guest_write_machine(c, "model");
	dt_guest_u32(c, "#address-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_u32(c, "#size-cells", DT_GUEST_ROOT_CELLS);
	dt_guest_u32(c, "interrupt-parent", c->gic_phandle);

	dt_guest_write_chosen(c);
	dt_guest_write_memory(c);
	dt_guest_write_cpus(c);
	dt_guest_write_psci(c);
	dt_guest_write_gic(c);
	dt_guest_write_timer(c);
	dt_guest_write_pmu(c);
	dt_guest_write_vuart(c);
	dt_guest_write_shm(c);
	for (i = 0; i < c->nr_nodes; i++)
		dt_guest_write_copy(c, &c->nodes[i]);
	dt_guest_end(c);

	/* Moves the strings next to the structure block: totalsize is what is used. */
	if (!c->fdt_err)
		c->fdt_err = fdt_finish(c->fdt);
}

static int dt_guest_check_args(struct dt_guest_ctx *c)
{
	if (!c->host)
		return dt_guest_fail(c, "dt_build_guest: NULL host DT");
	if (!c->p)
		return dt_guest_fail(c, "dt_build_guest: NULL parameters");
	if (!c->fdt)
		return dt_guest_fail(c, "dt_build_guest: NULL buffer");
	/* The arm64 boot protocol wants the DTB 8-byte aligned, and so does libfdt. */
	if (!IS_ALIGNED((uintptr_t)c->fdt, 8))
		return dt_guest_fail(c, "guest DT: buffer at %p is not 8-byte aligned", c->fdt);
	return 0;
}

int dt_build_guest(const void *host_fdt, const struct dt_guest_params *p, void *buf, size_t size,
                   struct dt_error *err)
{
	struct dt_guest_ctx c = {
	    .host = host_fdt, .p = p, .fdt = buf, .size = size, .err = err, .stdout_node = -1};

	if (err)
		err->msg[0] = '\0';
	if (dt_guest_check_args(&c) != 0 || dt_guest_check_counts(&c) != 0 ||
	    dt_guest_check_psci_gic(&c) != 0 || dt_guest_check_irqs(&c) != 0 ||
	    dt_guest_check_chosen(&c) != 0 || dt_guest_check_host(&c) != 0 ||
	    dt_guest_alloc_phandle(&c, &c.gic_phandle) != 0 ||
	    dt_guest_alloc_phandle(&c, &c.vuart_clk_phandle) != 0 || dt_guest_collect(&c) != 0)
		return -1;

	dt_guest_write(&c);
	if (c.fdt_err == -FDT_ERR_NOSPACE)
		return dt_guest_fail(&c, "guest DT does not fit in %lu bytes", (unsigned long)size);
	if (c.fdt_err)
		return dt_guest_fail(&c, "guest DT: libfdt: %s", fdt_strerror(c.fdt_err));
	return 0;
}
