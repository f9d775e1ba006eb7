/*
 * A tiny flattened device tree walker: the nodes the adversary needs (memory,
 * the GIC, the PL011, /cpus, /psci, /chosen). The guest DT's root has
 * #address-cells = #size-cells = 2, as the hypervisor writes it; the GIC and
 * the PL011 may also sit one level down on a bus with "ranges" (the Raspberry
 * Pi 4's /soc: 1-cell addresses, 0x7e000000 seen as 0xfe000000 by the CPU).
 */
#include "adv.h"
#include "fdt.h"

static uint64_t be64(const void *p)
{
	return (uint64_t)fdt_be32(p) << 32 | fdt_be32((const uint8_t *)p + 4);
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool str_starts(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix) {
		s++;
		prefix++;
	}
	return !*prefix;
}

/* Does the string list @val (@len bytes) hold @want? */
static bool list_has(const char *val, uint32_t len, const char *want)
{
	for (uint32_t i = 0; i < len;) {
		const char *s = val + i;
		uint32_t n = 0;

		while (i + n < len && s[n])
			n++;
		if (str_eq(s, want))
			return true;
		i += n + 1;
	}
	return false;
}

/* Big-endian cells at @p: one (32-bit) or two (64-bit). */
static uint64_t cells(const uint8_t *p, uint32_t n)
{
	return n == 1 ? fdt_be32(p) : be64(p);
}

/* A bus one level below the root: its address cells and its ranges. */
struct fdt_bus {
	uint32_t addr_cells, size_cells;
	const uint8_t *ranges; /* NULL: not a bus the CPU can see through */
	uint32_t ranges_len;
};

/* @addr on @bus as the CPU sees it, through the bus's ranges (parent: 2 cells). */
static uint64_t bus_translate(const struct fdt_bus *bus, uint64_t addr)
{
	uint32_t entry = (bus->addr_cells + 2 + bus->size_cells) * 4;

	if (!bus->ranges_len)
		return addr; /* empty ranges: the same addresses */
	for (uint32_t off = 0; off + entry <= bus->ranges_len; off += entry) {
		const uint8_t *e = bus->ranges + off;
		uint64_t child = cells(e, bus->addr_cells);
		uint64_t parent = be64(e + bus->addr_cells * 4);
		uint64_t size = cells(e + (bus->addr_cells + 2) * 4, bus->size_cells);

		if (addr >= child && addr - child < size)
			return parent + (addr - child);
	}
	return 0;
}

/* Region @i of a "reg" property with @ac/@sc cells: its base (translated) and size. */
static bool reg_region(const uint8_t *reg, uint32_t len, unsigned int i, uint32_t ac, uint32_t sc,
                       const struct fdt_bus *bus, uint64_t *base, uint64_t *size)
{
	uint32_t stride = (ac + sc) * 4;

	if (!reg || len < (i + 1) * stride)
		return false;
	*base = cells(reg + i * stride, ac);
	*size = cells(reg + i * stride + ac * 4, sc);
	if (bus)
		*base = bus_translate(bus, *base);
	return *base != 0;
}

enum node_kind { NODE_OTHER, NODE_MEMORY, NODE_GIC, NODE_UART, NODE_CPUS, NODE_CPU, NODE_PSCI };

bool fdt_parse(uint64_t dtb, struct adv_platform *p)
{
	const uint8_t *base = (const uint8_t *)dtb;
	const uint8_t *st, *strings;
	const uint8_t *reg = NULL;
	uint32_t reg_len = 0, off = 0;
	unsigned int depth = 0;
	enum node_kind kind[8] = {NODE_OTHER};
	bool gic3 = false, gic2 = false, pl011 = false, disabled = false;
	bool uart_found = false; /* p->uart holds QEMU virt's PL011 until the DT names one */
	struct fdt_bus bus = {0};

	if (!dtb || (dtb & 3) || fdt_be32(base) != FDT_MAGIC)
		return false;
	p->dtb = dtb;
	p->dtb_size = fdt_be32(base + 4);
	st = base + fdt_be32(base + 8);
	strings = base + fdt_be32(base + 12);
	for (;;) {
		uint32_t tok = fdt_be32(st + off);

		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)(st + off);
			unsigned int n = 0;
			enum node_kind k = NODE_OTHER;

			while (name[n])
				n++;
			off = (off + n + 1 + 3) & ~3U;
			depth++;
			if (depth == 2 && str_starts(name, "memory"))
				k = NODE_MEMORY;
			else if (depth == 2 && str_eq(name, "cpus"))
				k = NODE_CPUS;
			else if (depth == 2 && str_eq(name, "psci"))
				k = NODE_PSCI;
			else if (depth == 3 && kind[2] == NODE_CPUS && str_starts(name, "cpu@"))
				k = NODE_CPU;
			if (depth < ARRAY_SIZE(kind))
				kind[depth] = k;
			if (depth == 2)
				bus = (struct fdt_bus){2, 2, NULL, 0};
			reg = NULL;
			gic3 = gic2 = pl011 = disabled = false;
		} else if (tok == FDT_END_NODE) {
			enum node_kind k = depth < ARRAY_SIZE(kind) ? kind[depth] : NODE_OTHER;

			/* "reg" may come before "compatible": decide at the node's end. */
			bool on_bus = depth == 3 && bus.ranges;
			uint32_t ac = on_bus ? bus.addr_cells : 2, sc = on_bus ? bus.size_cells : 2;
			const struct fdt_bus *via = on_bus ? &bus : NULL;

			if ((depth == 2 || on_bus) && (gic3 || gic2) && !p->gicd &&
			    reg_region(reg, reg_len, 0, ac, sc, via, &p->gicd, &p->gicd_size)) {
				p->gic_version = gic3 ? 3 : 2;
				if (gic3)
					reg_region(reg, reg_len, 1, ac, sc, via, &p->gicr,
					           &p->gicr_size);
				else
					reg_region(reg, reg_len, 1, ac, sc, via, &p->gicc,
					           &p->gicc_size);
			} else if ((depth == 2 || on_bus) && pl011 && !disabled && !uart_found) {
				uint64_t size;

				uart_found =
				    reg_region(reg, reg_len, 0, ac, sc, via, &p->uart, &size);
			} else if (k == NODE_MEMORY && reg && reg_len >= 16 && !p->ram_size) {
				p->ram_base = be64(reg);
				p->ram_size = be64(reg + 8);
			} else if (k == NODE_CPU && reg && p->nr_cpus < ADV_MAX_CPUS) {
				p->mpidr[p->nr_cpus++] = reg_len >= 8 ? be64(reg) : fdt_be32(reg);
			}
			reg = NULL;
			if (!depth--)
				return false;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_be32(st + off);
			const char *name = (const char *)(strings + fdt_be32(st + off + 4));
			const char *val = (const char *)(st + off + 8);
			enum node_kind k = depth < ARRAY_SIZE(kind) ? kind[depth] : NODE_OTHER;

			off = (off + 8 + len + 3) & ~3U;
			if (depth == 2 && str_eq(name, "#address-cells") && len == 4)
				bus.addr_cells = fdt_be32(val);
			else if (depth == 2 && str_eq(name, "#size-cells") && len == 4)
				bus.size_cells = fdt_be32(val);
			else if (depth == 2 && str_eq(name, "ranges")) {
				bus.ranges = (const uint8_t *)val;
				bus.ranges_len = len;
			}
			if (str_eq(name, "status"))
				disabled = !str_eq(val, "okay") && !str_eq(val, "ok");
			if (str_eq(name, "reg")) {
				reg = (const uint8_t *)val;
				reg_len = len;
			} else if (str_eq(name, "compatible")) {
				gic3 = list_has(val, len, "arm,gic-v3");
				gic2 = list_has(val, len, "arm,cortex-a15-gic") ||
				       list_has(val, len, "arm,gic-400");
				pl011 = list_has(val, len, "arm,pl011");
			} else if (k == NODE_PSCI && str_eq(name, "method")) {
				p->psci_smc = str_eq(val, "smc");
			}
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			return tok == FDT_END && p->ram_size && p->gicd && p->nr_cpus;
		}
	}
}
