/* Xen dom0less "xen,domain" nodes -> struct vm_config (see dt_domains.h). */
#include <libfdt.h>

#include "core/dt_domains.h"
#include "core/lib.h"
#include "core/modules.h"
#include "core/printf.h"

#define SZ_2M     0x200000ULL
#define KIB_SHIFT 10

/* One domain being parsed: where it goes and what an error message names. */
struct dom_ctx {
	const void *fdt;
	int node;
	struct dt_error *err;
	struct vm_config *cfg;
	struct dt_modules *mods;
	char path[96];
};

#define dom_fail(d, fmt, ...) dt_error((d)->err, "%s: " fmt, (d)->path, ##__VA_ARGS__)

static bool dom_regions_overlap(const struct dt_region *a, const struct dt_region *b)
{
	return a->size && b->size && a->base <= b->base + (b->size - 1) &&
	       b->base <= a->base + (a->size - 1);
}

static bool dom_is(const struct dom_ctx *d, int node, const char *compatible)
{
	return fdt_node_check_compatible(d->fdt, node, compatible) == 0;
}

/* A number of 1 or 2 cells, the length of the property saying which. */
static int dom_read_number(const struct dom_ctx *d, const char *prop, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(d->fdt, d->node, prop, &len);

	if (!p)
		return dom_fail(d, "no \"%s\" property (it is required)", prop);
	if (len == 4)
		*out = fdt32_ld(p);
	else if (len == 8)
		*out = (uint64_t)fdt32_ld(p) << 32 | fdt32_ld(p + 1);
	else
		return dom_fail(d, "\"%s\" is %d bytes long, not a 1- or 2-cell number", prop, len);
	return 0;
}

static int dom_parse_name(struct dom_ctx *d, char *name)
{
	const char *n = fdt_get_name(d->fdt, d->node, NULL);
	size_t i;

	/* The node name without its unit address: "domU1@0" is "domU1". */
	for (i = 0; n && n[i] && n[i] != '@' && i < VM_NAME_MAX - 1; i++)
		name[i] = n[i];
	name[i] = '\0';
	if (!i)
		return dom_fail(d, "a domain node needs a name");
	d->cfg->name = name;
	return 0;
}

static int dom_parse_cpus(struct dom_ctx *d)
{
	uint64_t cpus;

	if (dom_read_number(d, "cpus", &cpus))
		return -1;
	if (cpus == 0 || cpus > DT_MAX_CPUS)
		return dom_fail(d, "cpus = <%lu>: a domain has 1 to %u vCPUs", (unsigned long)cpus,
		                DT_MAX_CPUS);
	d->cfg->nr_vcpus = (unsigned int)cpus;
	return 0;
}

/* "memory" is in KiB (Xen's binding); stage 2 maps RAM in whole 2 MiB blocks. */
/* "0-3,5": CPU numbers and ranges, as Xen's hard-affinity strings are written. */
static int dom_parse_cpu_set(const char *s, int len, uint64_t *mask)
{
	const char *end = s + len - 1; /* at the terminating NUL */

	*mask = 0;
	if (len < 2 || *end != '\0')
		return -1;
	while (s < end) {
		char *next;
		unsigned long lo = strtoul(s, &next, 10), hi = lo;

		if (next == s)
			return -1;
		if (*next == '-') {
			s = next + 1;
			hi = strtoul(s, &next, 10);
			if (next == s)
				return -1;
		}
		if (lo > hi || hi > 63 || (*next != ',' && next != end))
			return -1;
		for (unsigned long c = lo; c <= hi; c++)
			*mask |= 1ULL << c;
		s = *next == ',' ? next + 1 : next;
		if (*next == ',' && s == end)
			return -1;
	}
	return 0;
}

/* Xen's "xen,vcpu" children: id = <n>, hard-affinity = "0-3,5". */
static int dom_parse_vcpu_node(struct dom_ctx *d, int node)
{
	const char *name = fdt_get_name(d->fdt, node, NULL);
	int len, idlen;
	const fdt32_t *id = fdt_getprop(d->fdt, node, "id", &idlen);
	const char *aff;
	uint64_t mask;
	uint32_t v;

	if (!id || idlen != 4)
		return dom_fail(d, "%s: a \"xen,vcpu\" node needs id = <vCPU number>", name);
	v = fdt32_ld(id);
	if (v >= d->cfg->nr_vcpus)
		return dom_fail(d, "%s: id = <%u>, but the domain has %u vCPUs (cpus)", name, v,
		                d->cfg->nr_vcpus);
	aff = fdt_getprop(d->fdt, node, "hard-affinity", &len);
	if (!aff)
		return 0;
	if (dom_parse_cpu_set(aff, len, &mask))
		return dom_fail(d, "%s: hard-affinity must list CPUs 0-63 as \"0-3,5\", not \"%s\"",
		                name, len > 0 && aff[len - 1] == '\0' ? aff : "(not a string)");
	if (d->cfg->vcpu_affinity[v])
		return dom_fail(d, "%s: a second \"xen,vcpu\" node for vCPU %u", name, v);
	d->cfg->vcpu_affinity[v] = mask;
	return 0;
}

static int dom_parse_vcpus(struct dom_ctx *d)
{
	int node;

	fdt_for_each_subnode(node, d->fdt, d->node)
	{
		if (dom_is(d, node, "xen,vcpu") && dom_parse_vcpu_node(d, node))
			return -1;
	}
	return 0;
}

/*
 * Xen's "capabilities" (public/bootfdt.h): DOMAIN_CAPS_HARDWARE makes the
 * domain the one whose SYSTEM_OFF/RESET are the machine's, as Xen's hardware
 * domain's are. CONTROL and XENSTORE have no meaning here and change nothing.
 */
#define DOMAIN_CAPS_CONTROL  (1U << 0)
#define DOMAIN_CAPS_HARDWARE (1U << 1)
#define DOMAIN_CAPS_XENSTORE (1U << 2)

static int dom_parse_capabilities(struct dom_ctx *d, const struct dt_domains *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(d->fdt, d->node, "capabilities", &len);
	uint32_t caps;

	if (!p)
		return 0;
	if (len != 4)
		return dom_fail(d, "capabilities is %d bytes long, not one 32-bit cell", len);
	caps = fdt32_ld(p);
	if (caps & ~(DOMAIN_CAPS_CONTROL | DOMAIN_CAPS_HARDWARE | DOMAIN_CAPS_XENSTORE))
		return dom_fail(d,
		                "capabilities = <0x%x>: Xen defines CONTROL (1), HARDWARE (2) and "
		                "XENSTORE (4) only",
		                caps);
	if (!(caps & DOMAIN_CAPS_HARDWARE))
		return 0;
	for (unsigned int i = 0; i < out->nr; i++)
		if (out->vms[i].owns_machine)
			return dom_fail(
			    d,
			    "capabilities: DOMAIN_CAPS_HARDWARE asked for, but %s has it "
			    "(one domain owns the machine)",
			    out->names[i]);
	d->cfg->owns_machine = true;
	return 0;
}

/*
 * "hyp,smc-forward" (ours: Xen's binding has none): the SMCCC owner ranges
 * whose SMCs this domain may send on to EL3, e.g. "trusted-os" for OP-TEE.
 * Without it a domain reaches none; PSCI and the Arm architecture calls are
 * the hypervisor's whatever it says.
 */
static const struct {
	const char *name;
	uint64_t owners;
} dom_smc_owners[] = {
    {"sip", SMCCC_OWNERS_SIP},
    {"oem", SMCCC_OWNERS_OEM},
    {"trusted-app", SMCCC_OWNERS_TRUSTED_APP},
    {"trusted-os", SMCCC_OWNERS_TRUSTED_OS},
};

static int dom_parse_smc_forward(struct dom_ctx *d)
{
	int len, off = 0;
	const char *list = fdt_getprop(d->fdt, d->node, "hyp,smc-forward", &len);

	if (!list)
		return 0;
	if (len < 1 || list[len - 1] != '\0')
		return dom_fail(d, "hyp,smc-forward must be a list of strings");
	while (off < len) {
		const char *name = list + off;
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(dom_smc_owners); i++)
			if (strcmp(name, dom_smc_owners[i].name) == 0)
				break;
		if (i == ARRAY_SIZE(dom_smc_owners))
			return dom_fail(d,
			                "hyp,smc-forward: \"%s\" is not one of \"sip\", \"oem\", "
			                "\"trusted-app\", \"trusted-os\"",
			                name);
		d->cfg->smc_forward_owners |= dom_smc_owners[i].owners;
		off += (int)strlen(name) + 1;
	}
	return 0;
}

static int dom_parse_memory(struct dom_ctx *d)
{
	uint64_t kib;

	if (dom_read_number(d, "memory", &kib))
		return -1;
	if (kib == 0 || kib > (1ULL << 40) || !IS_ALIGNED(kib << KIB_SHIFT, SZ_2M))
		return dom_fail(d,
		                "memory = <%lu> KiB: must be a non-zero multiple of 2048 KiB "
		                "(2 MiB)",
		                (unsigned long)kib);
	d->cfg->ram_size = kib << KIB_SHIFT;
	return 0;
}

static int dom_module_reg(struct dom_ctx *d, int node, struct dt_region *r)
{
	int ac = dt_inherited_cells(d->fdt, d->node, "#address-cells", 2);
	int sc = dt_inherited_cells(d->fdt, d->node, "#size-cells", 1);
	const fdt32_t *p;
	int len;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return dom_fail(d, "#address-cells %d / #size-cells %d cannot describe modules", ac,
		                sc);
	p = fdt_getprop(d->fdt, node, "reg", &len);
	if (!p || len != (ac + sc) * 4)
		return dom_fail(d, "module %s: needs one reg entry of %d cells",
		                fdt_get_name(d->fdt, node, NULL), ac + sc);
	r->base = ac == 2 ? (uint64_t)fdt32_ld(p) << 32 | fdt32_ld(p + 1) : fdt32_ld(p);
	p += ac;
	r->size = sc == 2 ? (uint64_t)fdt32_ld(p) << 32 | fdt32_ld(p + 1) : fdt32_ld(p);
	if (!r->size || r->base + r->size - 1 < r->base)
		return dom_fail(d, "module %s: reg 0x%lx + 0x%lx is empty or wraps",
		                fdt_get_name(d->fdt, node, NULL), (unsigned long)r->base,
		                (unsigned long)r->size);
	return 0;
}

static void dom_copy_bootargs(struct dom_ctx *d, int node, char *buf)
{
	int len, i;
	const char *args = fdt_getprop(d->fdt, node, "bootargs", &len);

	if (!args)
		return;
	for (i = 0; i < len && i < DT_BOOTARGS_MAX - 1 && args[i]; i++)
		buf[i] = args[i];
	buf[i] = '\0';
	d->cfg->bootargs = buf;
}

/* As in Xen: an untyped "multiboot,module" is the kernel if none is known yet, else the ramdisk. */
static struct dt_region *dom_module_slot(struct dom_ctx *d, int node, const char **kind)
{
	struct dt_modules *m = d->mods;

	if (dom_is(d, node, "multiboot,kernel") ||
	    (!dom_is(d, node, "multiboot,ramdisk") && !dom_is(d, node, "multiboot,device-tree") &&
	     !m->kernel.size)) {
		*kind = "kernel";
		return &m->kernel;
	}
	if (dom_is(d, node, "multiboot,device-tree")) {
		*kind = "device-tree";
		return &m->dtb;
	}
	*kind = "ramdisk";
	return &m->ramdisk;
}

static int dom_parse_modules(struct dom_ctx *d, char *bootargs)
{
	int node;

	fdt_for_each_subnode(node, d->fdt, d->node)
	{
		struct dt_region r, *slot;
		const char *kind;

		if (!dom_is(d, node, "multiboot,module"))
			continue;
		if (dom_module_reg(d, node, &r))
			return -1;
		slot = dom_module_slot(d, node, &kind);
		if (slot->size)
			return dom_fail(d, "a second %s module (%s)", kind,
			                fdt_get_name(d->fdt, node, NULL));
		*slot = r;
		if (slot == &d->mods->kernel)
			dom_copy_bootargs(d, node, bootargs);
	}
	if (!d->mods->kernel.size)
		return dom_fail(d, "no \"multiboot,kernel\" module (a domain needs a kernel)");
	return 0;
}

/* A module of this domain must not share a byte with anyone else's. */
static int dom_check_modules_clear(struct dom_ctx *d, const struct dt_modules *other,
                                   const char *whose)
{
	const struct dt_region *mine[] = {&d->mods->kernel, &d->mods->ramdisk, &d->mods->dtb};
	const struct dt_region *theirs[] = {&other->kernel, &other->ramdisk, &other->dtb};

	for (unsigned int i = 0; i < ARRAY_SIZE(mine); i++)
		for (unsigned int j = 0; j < ARRAY_SIZE(theirs); j++)
			if (dom_regions_overlap(mine[i], theirs[j]))
				return dom_fail(
				    d,
				    "module at 0x%lx (%lu bytes) overlaps a module of %s "
				    "at 0x%lx",
				    (unsigned long)mine[i]->base, (unsigned long)mine[i]->size,
				    whose, (unsigned long)theirs[j]->base);
	return 0;
}

static void dom_set_images(struct dom_ctx *d)
{
	const struct dt_modules *m = d->mods;

	d->cfg->kernel =
	    (struct guest_image){(const uint8_t *)(uintptr_t)m->kernel.base,
	                         (const uint8_t *)(uintptr_t)(m->kernel.base + m->kernel.size)};
	d->cfg->initrd =
	    (struct guest_image){(const uint8_t *)(uintptr_t)m->ramdisk.base,
	                         (const uint8_t *)(uintptr_t)(m->ramdisk.base + m->ramdisk.size)};
}

/* ------------------------------------------------------------------------ */
/* The partial device tree: /passthrough devices                            */
/* ------------------------------------------------------------------------ */

static uint64_t dom_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	while (cells-- > 0)
		v = v << 32 | fdt32_ld(p++);
	return v;
}

/* The first interrupt of a passthrough node, GIC 3-cell form: <0 n f> is SPI n (INTID 32 + n). */
static int dom_passthrough_irq(struct dom_ctx *d, const void *pfdt, int node, unsigned int *irq)
{
	int len;
	const fdt32_t *p = fdt_getprop(pfdt, node, "interrupts", &len);

	*irq = 0;
	if (!p)
		return 0;
	if (len < 12 || fdt32_ld(p) != 0 || fdt32_ld(p + 1) > 987)
		return dom_fail(d,
		                "passthrough %s: interrupts must start with a GIC SPI <0 n flags>",
		                fdt_get_name(pfdt, node, NULL));
	*irq = 32 + fdt32_ld(p + 1);
	return 0;
}

static int dom_passthrough_device(struct dom_ctx *d, const void *pfdt, int pt, int node)
{
	int ac = fdt_address_cells(pfdt, pt), sc = fdt_size_cells(pfdt, pt), len, plen;
	const fdt32_t *reg = fdt_getprop(pfdt, node, "xen,reg", &len);
	const char *path = fdt_getprop(pfdt, node, "xen,path", &plen);
	const char *name = fdt_get_name(pfdt, node, NULL);
	struct vm_passthrough *dev;
	uint64_t paddr, size, gaddr;

	if (d->cfg->nr_passthrough == VM_MAX_PASSTHROUGH)
		return dom_fail(d, "passthrough %s: more than %u devices", name,
		                VM_MAX_PASSTHROUGH);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || !reg || len != (2 * ac + sc) * 4)
		return dom_fail(d, "passthrough %s: needs xen,reg = <paddr size gaddr> (%d cells)",
		                name, 2 * ac + sc);
	if (!path || plen < 2 || path[plen - 1] != '\0')
		return dom_fail(d, "passthrough %s: needs xen,path, the host DT node it is", name);
	paddr = dom_cells(reg, ac);
	size = dom_cells(reg + ac, sc);
	gaddr = dom_cells(reg + ac + sc, ac);
	if (paddr != gaddr)
		return dom_fail(d,
		                "passthrough %s: xen,reg maps 0x%lx at 0x%lx; devices are passed "
		                "through at their own address only",
		                name, (unsigned long)paddr, (unsigned long)gaddr);
	if (!size || !IS_ALIGNED(paddr | size, 0x1000))
		return dom_fail(d, "passthrough %s: xen,reg 0x%lx + 0x%lx is not whole 4 KiB pages",
		                name, (unsigned long)paddr, (unsigned long)size);
	dev = &d->cfg->passthrough[d->cfg->nr_passthrough];
	*dev = (struct vm_passthrough){.dt_path = path, .base = paddr, .size = size};
	if (dom_passthrough_irq(d, pfdt, node, &dev->irq))
		return -1;
	d->cfg->nr_passthrough++;
	return 0;
}

static int dom_parse_partial_dt(struct dom_ctx *d)
{
	const void *pfdt = (const void *)(uintptr_t)d->mods->dtb.base;
	int pt, node;

	if (!d->mods->dtb.size)
		return 0;
	if (dt_check_tree(pfdt) != 0)
		return dom_fail(d, "the \"multiboot,device-tree\" module is not a well-formed DTB");
	pt = fdt_path_offset(pfdt, "/passthrough");
	if (pt < 0)
		return 0;
	fdt_for_each_subnode(node, pfdt, pt)
	{
		if (dom_passthrough_device(d, pfdt, pt, node))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Shared memory: "xen,domain-shared-memory-v1" children                    */
/* ------------------------------------------------------------------------ */

static int dom_parse_shm_node(struct dom_ctx *d, int node)
{
	int ac = fdt_address_cells(d->fdt, d->node), sc = fdt_size_cells(d->fdt, d->node), len,
	    ilen;
	const fdt32_t *p = fdt_getprop(d->fdt, node, "xen,shared-mem", &len);
	const char *id = fdt_getprop(d->fdt, node, "xen,shm-id", &ilen);
	const char *name = fdt_get_name(d->fdt, node, NULL), *role;
	struct vm_shm_config *shm;
	int rlen;

	if (d->cfg->nr_shm == VM_MAX_SHM)
		return dom_fail(d, "%s: more than %u shared-memory regions", name, VM_MAX_SHM);
	if (!id || ilen < 2 || id[ilen - 1] != '\0')
		return dom_fail(d, "%s: needs xen,shm-id, the name both domains use", name);
	/* Xen's <host-paddr guest-addr size>; the host address is ours to choose and ignored. */
	if (!p || len != (2 * ac + sc) * 4)
		return dom_fail(d, "%s: xen,shared-mem must be <paddr gaddr size> (%d cells)", name,
		                2 * ac + sc);
	shm = &d->cfg->shm[d->cfg->nr_shm];
	shm->id = id;
	shm->ipa = dom_cells(p + ac, ac);
	shm->size = dom_cells(p + 2 * ac, sc);
	role = fdt_getprop(d->fdt, node, "role", &rlen);
	/* Xen: the owner (the default) provides the memory, a borrower maps it too. */
	shm->owner = !(role && rlen == sizeof("borrower") && strcmp(role, "borrower") == 0);
	if (!shm->size || !IS_ALIGNED(shm->ipa | shm->size, SZ_2M))
		return dom_fail(d,
		                "%s: xen,shared-mem at IPA 0x%lx, 0x%lx bytes: not whole 2 MiB "
		                "blocks",
		                name, (unsigned long)shm->ipa, (unsigned long)shm->size);
	d->cfg->nr_shm++;
	return 0;
}

static int dom_parse_shm(struct dom_ctx *d)
{
	int node;

	fdt_for_each_subnode(node, d->fdt, d->node)
	{
		if (dom_is(d, node, "xen,domain-shared-memory-v1") && dom_parse_shm_node(d, node))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* One domain, all domains                                                  */
/* ------------------------------------------------------------------------ */

static void dom_init_config(struct vm_config *cfg, const struct vm_config *defaults)
{
	*cfg = (struct vm_config){
	    .ram_ipa = defaults->ram_ipa,
	    .psci_conduit = defaults->psci_conduit,
	    .fixed_clock_hz = defaults->fixed_clock_hz,
	    .console = VM_CONSOLE_NONE,
	};
}

static int dom_parse_one(struct dom_ctx *d, const struct dt_host *host, uint64_t hyp_start,
                         uint64_t hyp_end, struct dt_domains *out, unsigned int slot)
{
	if (dom_parse_name(d, out->names[slot]) || dom_parse_cpus(d) || dom_parse_vcpus(d) ||
	    dom_parse_memory(d) || dom_parse_capabilities(d, out) || dom_parse_smc_forward(d))
		return -1;
	if (fdt_getprop(d->fdt, d->node, "vpl011", NULL))
		d->cfg->console = VM_CONSOLE_VPL011;
	/* Ours: its exits are counted from boot, and it may ask for the counts. */
	if (fdt_getprop(d->fdt, d->node, "hyp,stats", NULL))
		d->cfg->stats = true;
	if (dom_parse_modules(d, out->bootargs[slot]))
		return -1;
	if (modules_check_set(host, d->mods, hyp_start, hyp_end, d->err)) {
		char why[sizeof(d->err->msg)];

		snprintk(why, sizeof(why), "%s", d->err->msg);
		return dom_fail(d, "%s", why);
	}
	if (dom_check_modules_clear(d, &host->modules, "the boot loader's /chosen"))
		return -1;
	for (unsigned int i = 0; i < out->nr; i++)
		if (dom_check_modules_clear(d, &out->modules[i], out->names[i]))
			return -1;
	if (dom_parse_partial_dt(d) || dom_parse_shm(d))
		return -1;
	dom_set_images(d);
	return 0;
}

static void dom_refuse(struct dt_domains *out, const struct dt_error *err)
{
	if (out->nr_refused < DT_MAX_REFUSED)
		out->refused[out->nr_refused] = *err;
	out->nr_refused++;
}

int dt_parse_domains(const void *fdt, const struct dt_host *host, const struct vm_config *defaults,
                     uint64_t hyp_start, uint64_t hyp_end, struct dt_domains *out)
{
	int chosen, node;

	memset(out, 0, sizeof(*out));
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, chosen)
	{
		unsigned int slot = out->nr;
		struct dt_error err = {{0}};
		struct dom_ctx d = {.fdt = fdt, .node = node, .err = &err};

		if (fdt_node_check_compatible(fdt, node, "xen,domain") != 0)
			continue;
		out->nr_seen++;
		dt_node_path(fdt, node, d.path, sizeof(d.path));
		if (slot == DT_MAX_DOMAINS) {
			dom_fail(&d, "refused: more than %u \"xen,domain\" nodes", DT_MAX_DOMAINS);
			dom_refuse(out, &err);
			continue;
		}
		d.cfg = &out->vms[slot];
		d.mods = &out->modules[slot];
		dom_init_config(d.cfg, defaults);
		memset(d.mods, 0, sizeof(*d.mods));
		if (dom_parse_one(&d, host, hyp_start, hyp_end, out, slot)) {
			dom_refuse(out, &err);
			continue;
		}
		out->nr++;
	}
	return (int)out->nr;
}
