/*
 * Building VMs from their definitions: carve their RAM out of what the
 * hypervisor and the other VMs do not use, map it and their devices in stage
 * 2, load the kernel, write the guest DT, create the vCPUs. Every check that
 * a definition can be met comes first, so a refused VM takes nothing.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/stage2.h"
#include "arch/arm64/sysregs.h"
#include "core/dt_guest.h"
#include "core/irq.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/vm.h"
#include "core/vm_build.h"
#include "core/vm_console.h"
#include "drivers/gic.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic_v2.h"
#include "vgic/vgic_v3.h"

#define GUEST_IMAGE_OFFSET MiB(2)  /* kernel at RAM base + 2 MiB, like QEMU and U-Boot */
#define GUEST_DTB_MAX      MiB(2)  /* booting.rst: a DTB is at most 2 MiB */
#define GUEST_BSS_ROOM     MiB(32) /* Linux's Image needs room for its BSS after the file */

/* RAM not used by the hypervisor or a VM yet, in 2 MiB-aligned ranges. */
static struct dt_region free_ram[DT_MAX_MEM_BANKS + DT_MAX_RESERVED + DT_MAX_CPUS + 4 * MAX_VMS];
static unsigned int nr_free_ram;

static unsigned int ipa_bits;

/* Every device already given to a VM, so that no device is given twice. */
static struct vm_passthrough given[MAX_VMS * (VM_MAX_PASSTHROUGH + 1)];
static unsigned int nr_given;

static void free_ram_add(uint64_t start, uint64_t end)
{
	start = ALIGN_UP(start, MiB(2));
	end = ALIGN_DOWN(end, MiB(2));
	if (end > start && nr_free_ram < ARRAY_SIZE(free_ram))
		free_ram[nr_free_ram++] = (struct dt_region){start, end - start};
}

/* Take [start, end), widened to 2 MiB blocks, out of the free ranges. */
static void free_ram_remove(uint64_t start, uint64_t end)
{
	struct dt_region old[ARRAY_SIZE(free_ram)];
	unsigned int n = nr_free_ram;

	if (start == end)
		return;
	start = ALIGN_DOWN(start, MiB(2));
	end = ALIGN_UP(end, MiB(2));
	memcpy(old, free_ram, sizeof(old)); /* a split writes two entries for one read */
	nr_free_ram = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct dt_region r = old[i];
		uint64_t r_end = r.base + r.size;

		if (end <= r.base || start >= r_end) {
			free_ram_add(r.base, r_end);
			continue;
		}
		free_ram_add(r.base, MIN(start, r_end)); /* the part below the hole */
		free_ram_add(MAX(end, r.base), r_end);   /* the part above it */
	}
}

static void free_ram_remove_image(const struct guest_image *img)
{
	free_ram_remove((uint64_t)img->start, (uint64_t)img->end);
}

/*
 * Free RAM: every bank, minus the hypervisor's image, the regions the DT
 * reserves (firmware, /memreserve/), the pages secondary CPUs spin on and
 * every boot module (they stay where the loader put them: a VM reset loads
 * them again).
 */
static void free_ram_init(const struct dt_host *host, const struct vm_config *defs, unsigned int nr)
{
	for (unsigned int i = 0; i < host->nr_mem; i++)
		free_ram_add(host->mem[i].base, host->mem[i].base + host->mem[i].size);
	free_ram_remove(hyp_image_start(), hyp_image_end());
	for (unsigned int i = 0; i < host->nr_reserved; i++)
		free_ram_remove(host->reserved[i].base,
		                host->reserved[i].base + host->reserved[i].size);
	free_ram_remove(host->modules.kernel.base,
	                host->modules.kernel.base + host->modules.kernel.size);
	free_ram_remove(host->modules.ramdisk.base,
	                host->modules.ramdisk.base + host->modules.ramdisk.size);
	free_ram_remove(host->modules.dtb.base, host->modules.dtb.base + host->modules.dtb.size);
	for (unsigned int i = 0; i < nr; i++) {
		free_ram_remove_image(&defs[i].kernel);
		free_ram_remove_image(&defs[i].initrd);
		free_ram_remove_image(&defs[i].dtb);
	}
	for (unsigned int i = 0; i < host->nr_cpus; i++) {
		if (host->cpus[i].enable == DT_CPU_ENABLE_SPIN_TABLE)
			free_ram_remove(host->cpus[i].release_addr, host->cpus[i].release_addr + 8);
	}
}

/* The free range @size bytes (0: the largest one) would come from, or NULL. */
static struct dt_region *free_ram_find(uint64_t size)
{
	struct dt_region *best = NULL;

	for (unsigned int i = 0; i < nr_free_ram; i++) {
		struct dt_region *r = &free_ram[i];

		if (size ? r->size >= size && (!best || r->size < best->size)
		         : (!best || r->size > best->size))
			best = r;
	}
	return best && best->size ? best : NULL;
}

static void free_ram_take(struct dt_region *from, uint64_t size, uint64_t *pa)
{
	*pa = from->base;
	from->base += size;
	from->size -= size;
}

/*
 * The stage-2 shape for this machine's IPA size (the PA size, so the guest can
 * be given any RAM): the same for every VM.
 */
static struct stage2_geometry vm_stage2_geometry(void)
{
	struct stage2_geometry geo;

	if (stage2_geometry(ipa_bits, mmu_pa_bits(), &geo))
		panic("stage 2: no table geometry for a %u-bit IPA space and %u-bit PAs", ipa_bits,
		      mmu_pa_bits());
	return geo;
}

uint64_t vm_vtcr(void)
{
	return vm_stage2_geometry().vtcr;
}

static void *s2_alloc_table(void)
{
	return page_alloc_zeroed();
}

static uint64_t s2_v2p(const void *p)
{
	return (uint64_t)p; /* the hypervisor is identity mapped */
}

static void *s2_p2v(uint64_t pa)
{
	return (void *)pa;
}

static void vm_init_stage2(struct vm *vm)
{
	struct stage2_geometry geo = vm_stage2_geometry();

	vm->s2 = (struct pagetable){
	    .start_level = geo.start_level,
	    .va_bits = geo.ipa_bits,
	    .alloc_table = s2_alloc_table,
	    .virt_to_phys = s2_v2p,
	    .phys_to_virt = s2_p2v,
	};
	/* Concatenated root tables are aligned to their total size (VTTBR_EL2.BADDR). */
	vm->s2.root = hyp_alloc(geo.root_size, geo.root_size);
	vm->vttbr = ((uint64_t)vm->vmid << 48) | (uint64_t)vm->s2.root;
}

static void vm_map_or_panic(struct vm *vm, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t attrs,
                            const char *what)
{
	if (pt_map(&vm->s2, ipa, pa, size, attrs))
		panic("%s: cannot map %s at IPA 0x%lx (+0x%lx) in stage 2", vm->name, what, ipa,
		      size);
}

static void vm_map_memory(struct vm *vm)
{
	vm_map_or_panic(vm, vm->ram_ipa, vm->ram_pa, vm->ram_size,
	                S2_MEMATTR_NORMAL_WB | S2_AP_RW | PTE_SH_INNER, "RAM");
	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		const struct vm_passthrough *d = &vm->devices[i];
		uint64_t start = ALIGN_DOWN(d->base, PAGE_SIZE);
		uint64_t end = ALIGN_UP(d->base + d->size, PAGE_SIZE);

		vm_map_or_panic(vm, start, start, end - start,
		                S2_MEMATTR_DEVICE_nGnRE | S2_AP_RW | S2_XN, d->dt_path);
	}
}

/*
 * The physical devices the VM gets: the host's console UART if it is this
 * VM's console, then its definition's list. Each one only once per machine.
 */
static int vm_collect_devices(struct vm *vm, const struct dt_host *host, const char **why)
{
	const struct vm_config *cfg = vm->cfg;

	if (cfg->console == VM_CONSOLE_UART) {
		if (host->uart.type == DT_UART_NONE) {
			*why = "console: the host DT names no UART in /chosen stdout-path";
			return -1;
		}
		vm->devices[vm->nr_devices++] = (struct vm_passthrough){
		    .dt_path = host->uart.path,
		    .base = host->uart.reg.base,
		    .size = host->uart.reg.size,
		    .irq = host->uart.irq,
		};
	}
	for (unsigned int i = 0; i < cfg->nr_passthrough; i++)
		vm->devices[vm->nr_devices++] = cfg->passthrough[i];

	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		for (unsigned int j = 0; j < nr_given; j++) {
			if (vm->devices[i].base == given[j].base ||
			    (vm->devices[i].irq && vm->devices[i].irq == given[j].irq)) {
				*why =
				    "passthrough: a device (or its interrupt) is already another "
				    "VM's";
				return -1;
			}
		}
	}
	return 0;
}

static void vm_claim_devices(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_devices && nr_given < ARRAY_SIZE(given); i++)
		given[nr_given++] = vm->devices[i];
}

static void *vm_ipa_to_hyp(const struct vm *vm, uint64_t ipa)
{
	return (void *)(vm->ram_pa + (ipa - vm->ram_ipa));
}

static void vm_boot_source(struct vm *vm, const void *host_fdt)
{
	const struct vm_config *cfg = vm->cfg;

	vm->src = (struct vm_boot_source){
	    .kernel = cfg->kernel.start,
	    .kernel_size = (size_t)(cfg->kernel.end - cfg->kernel.start),
	    .initrd = cfg->initrd.start,
	    .initrd_size = (size_t)(cfg->initrd.end - cfg->initrd.start),
	    .bootargs = cfg->bootargs,
	    .fdt = cfg->dtb.end > cfg->dtb.start ? (const void *)cfg->dtb.start : host_fdt,
	};
}

/* The RAM the images need: kernel at +2 MiB and its BSS, the initrd, the DTB at the top. */
static uint64_t vm_ram_needed(const struct vm *vm)
{
	return GUEST_IMAGE_OFFSET + ALIGN_UP(vm->src.kernel_size, PAGE_SIZE) + GUEST_BSS_ROOM +
	       ALIGN_UP(vm->src.initrd_size, PAGE_SIZE) + GUEST_DTB_MAX;
}

/* Copy the kernel to RAM base + 2 MiB, where an arm64 Image expects to run from. */
static void vm_load_kernel(struct vm *vm)
{
	vm->entry_ipa = vm->ram_ipa + GUEST_IMAGE_OFFSET;
	memcpy(vm_ipa_to_hyp(vm, vm->entry_ipa), vm->src.kernel, vm->src.kernel_size);
	/* The guest starts with its MMU and caches off: make the image visible to it. */
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->entry_ipa), vm->src.kernel_size);
}

/* The initrd goes just below the DTB, at the top of RAM, clear of the kernel. */
static void vm_load_initrd(struct vm *vm)
{
	uint64_t size = vm->src.initrd_size;

	vm->initrd_size = size;
	if (!size)
		return;
	vm->initrd_ipa = ALIGN_DOWN(vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX - size, PAGE_SIZE);
	memcpy(vm_ipa_to_hyp(vm, vm->initrd_ipa), vm->src.initrd, size);
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->initrd_ipa), size);
}

static void vm_guest_dt_params(const struct vm *vm, struct dt_guest_params *p)
{
	const struct dt_host *host = vm->host;

	*p = (struct dt_guest_params){
	    .ram = {vm->ram_ipa, vm->ram_size},
	    .nr_vcpus = vm->nr_vcpus,
	    .psci_method = vm->cfg->psci_conduit == SMCCC_CONDUIT_SMC ? "smc" : "hvc",
	    .gic_version = vm->vgic.version,
	    .gicd = {vm->vgic.gicd_base,
	             vm->vgic.version == 3 ? VGIC_V3_GICD_SIZE : VGIC_V2_GICD_SIZE},
	    .gicc = {vm->vgic.gicc_base, VGIC_V2_GICC_SIZE},
	    .gicr = {vm->vgic.gicr_base, (uint64_t)vm->nr_vcpus * VGIC_V3_GICR_STRIDE},
	    .gic_maint_irq = host->gic.maint_irq,
	    .timer = host->timer,
	    .pmu_irq = VPMU_IRQ_ENABLED ? host->pmu_irq : 0,
	    .bootargs = vm->src.bootargs,
	    .fixed_clock_hz = vm->cfg->fixed_clock_hz,
	    .initrd_start = vm->initrd_ipa,
	    .initrd_end = vm->initrd_ipa + vm->initrd_size,
	};
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		p->vcpu_mpidr[i] = vm->vcpus[i]->vmpidr & MPIDR_AFF_MASK;
	for (unsigned int i = 0; i < vm->nr_devices; i++)
		p->device_paths[p->nr_devices++] = vm->devices[i].dt_path;
	if (vm->cfg->console == VM_CONSOLE_UART)
		p->stdout_path = host->uart.path;
	vm_console_dt_params(vm, p);
}

static int vm_write_dtb(struct vm *vm, struct dt_error *err)
{
	struct dt_guest_params params;

	vm_guest_dt_params(vm, &params);
	vm->dtb_ipa = vm->ram_ipa + vm->ram_size - GUEST_DTB_MAX;
	if (dt_build_guest(vm->src.fdt, &params, vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX,
	                   err))
		return -1;
	dcache_clean_range(vm_ipa_to_hyp(vm, vm->dtb_ipa), GUEST_DTB_MAX);
	return 0;
}

void vm_reload(struct vm *vm)
{
	struct dt_error err;

	vm_load_kernel(vm);
	vm_load_initrd(vm);
	/* Built once already from the same inputs: it cannot fail now. */
	if (vm_write_dtb(vm, &err))
		panic("%s: cannot build its device tree again: %s", vm->name, err.msg);
}

/*
 * The virtual GIC sits where the host's is. Its distributor (and GICv3
 * redistributors) trap; a GICv2 guest's CPU interface is the GICV frame.
 */
static void vm_init_vgic(struct vm *vm, const struct dt_host *host)
{
	const struct dt_gic *g = &host->gic;

	vgic_dist_init(vm, g->version, gic_nr_lrs());
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vgic_cpu_reset(vm->vcpus[i]);
	if (g->version == 3)
		vgic_v3_init(vm, g->gicd.base, g->gicr.base);
	else
		vgic_v2_init(vm, g->gicd.base, g->gicc.base, g->gicv.base);
	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		if (vm->devices[i].irq)
			irq_assign_to_vm(vm->devices[i].irq, vm);
	}
}

static unsigned int free_pcpus(void)
{
	unsigned int n = 0;

	for (unsigned int p = 0; p < nr_pcpus; p++)
		n += !pcpus[p].vcpu;
	return n;
}

/* The lowest-numbered online CPU no vCPU is pinned to yet (one exists: checked first). */
static unsigned int next_free_pcpu(void)
{
	for (unsigned int p = 0; p < nr_pcpus; p++) {
		if (!pcpus[p].vcpu)
			return p;
	}
	panic("no free CPU left");
}

static bool vm_is_auto(const struct vm_config *cfg)
{
	return cfg->nr_vcpus == 0 || cfg->ram_size == 0;
}

static void vm_refuse(const struct vm_config *cfg, const char *fmt, ...) __printf(2, 3);
static void vm_refuse(const struct vm_config *cfg, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("hyp: %s: refused: %s\n", cfg->name, msg);
}

/* How many vCPUs @cfg gets, or 0 if it cannot be given them. */
static unsigned int vm_plan_vcpus(const struct vm_config *cfg)
{
	unsigned int avail = free_pcpus();
	unsigned int n = cfg->nr_vcpus ? cfg->nr_vcpus : MIN(avail, VM_MAX_VCPUS);

	if (n == 0 || n > avail || n > VM_MAX_VCPUS) {
		vm_refuse(cfg,
		          "cpus: %u vCPUs asked for, %u CPUs of the %u online are free "
		          "(each vCPU needs a CPU of its own, at most %u per VM)",
		          cfg->nr_vcpus, avail, nr_pcpus, VM_MAX_VCPUS);
		return 0;
	}
	return n;
}

/* Find the VM's RAM: its own size, or the largest free range. */
static struct dt_region *vm_plan_ram(struct vm *vm, uint64_t *size)
{
	const struct vm_config *cfg = vm->cfg;
	struct dt_region *from = free_ram_find(cfg->ram_size);
	uint64_t need = vm_ram_needed(vm);

	if (!IS_ALIGNED(cfg->ram_size, MiB(2)) || !IS_ALIGNED(cfg->ram_ipa, MiB(2))) {
		vm_refuse(cfg, "memory: 0x%lx bytes at IPA 0x%lx are not in whole 2 MiB blocks",
		          cfg->ram_size, cfg->ram_ipa);
		return NULL;
	}
	if (!from) {
		vm_refuse(cfg, "memory: no free block of %lu MiB of RAM is left",
		          cfg->ram_size >> 20);
		return NULL;
	}
	*size = cfg->ram_size ? cfg->ram_size : from->size;
	if (*size < need) {
		vm_refuse(cfg,
		          "memory: its kernel (%zu bytes) and initrd (%zu bytes) need %lu MiB of "
		          "RAM, it %s %lu MiB",
		          vm->src.kernel_size, vm->src.initrd_size, ALIGN_UP(need, MiB(1)) >> 20,
		          cfg->ram_size ? "asks for" : "can have", *size >> 20);
		return NULL;
	}
	return from;
}

static bool vm_check_kernel(const struct vm *vm)
{
	if (!vm->src.kernel_size) {
		vm_refuse(vm->cfg,
		          "kernel: none linked in (GUEST=none) and no \"multiboot,kernel\" "
		          "module");
		return false;
	}
	return true;
}

static struct vm vm_candidate;

/*
 * Everything that can refuse a VM, before anything is taken: vCPUs, RAM,
 * devices, kernel, shared memory. Fills @vm's plan; NULL if refused.
 */
static struct dt_region *vm_plan(struct vm *vm, const struct vm_config *cfg, const void *host_fdt,
                                 uint64_t *ram_size)
{
	const struct dt_host *host = vm->host;
	const char *why = NULL;

	*vm = (struct vm){.name = cfg->name, .cfg = cfg, .host = host};
	vm_boot_source(vm, host_fdt);
	if (!vm_check_kernel(vm))
		return NULL;
	vm->nr_vcpus = vm_plan_vcpus(cfg);
	if (!vm->nr_vcpus)
		return NULL;
	if (vm_collect_devices(vm, vm->host, &why)) {
		vm_refuse(cfg, "%s", why);
		return NULL;
	}
	if (cfg->nr_shm) {
		vm_refuse(cfg, "xen,shared-mem: shared memory is not supported by this build yet");
		return NULL;
	}
	return vm_plan_ram(vm, ram_size);
}

static struct vm *vm_build(const struct vm_config *cfg, const struct dt_host *host,
                           const void *host_fdt)
{
	struct vm *vm = &vm_candidate;
	struct dt_region *ram;
	struct dt_error err;
	uint64_t size;

	vm->host = host;
	ram = vm_plan(vm, cfg, host_fdt, &size);
	if (!ram)
		return NULL;
	/* From here on nothing refuses: the VM gets its slot and its resources. */
	vm = vm_new(&vm_candidate);
	if (!vm) {
		vm_refuse(cfg, "more than %u VMs", MAX_VMS);
		return NULL;
	}
	free_ram_take(ram, size, &vm->ram_pa);
	vm->ram_size = size;
	vm->ram_ipa = cfg->ram_ipa;
	vm_claim_devices(vm);
	vm_init_stage2(vm);
	vm_map_memory(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i] = vcpu_create(vm, i, next_free_pcpu());
	vm_init_vgic(vm, host);
	vm_console_attach(vm);
	vm_load_kernel(vm);
	vm_load_initrd(vm);
	if (vm_write_dtb(vm, &err))
		panic("%s: cannot build its device tree: %s", vm->name, err.msg);

	printk("hyp: %s: %u vCPU(s) on CPU%u-%u, RAM IPA 0x%lx-0x%lx at PA 0x%lx (%lu MiB), "
	       "kernel at 0x%lx, DTB at 0x%lx, console %s\n",
	       vm->name, vm->nr_vcpus, vm->vcpus[0]->pcpu, vm->vcpus[vm->nr_vcpus - 1]->pcpu,
	       vm->ram_ipa, vm->ram_ipa + vm->ram_size - 1, vm->ram_pa, vm->ram_size >> 20,
	       vm->entry_ipa, vm->dtb_ipa,
	       cfg->console == VM_CONSOLE_UART     ? "the UART"
	       : cfg->console == VM_CONSOLE_VPL011 ? "emulated PL011"
	                                           : "none");
	return vm;
}

/* One line for the user: what this CPU's address size gives every VM's stage 2. */
static void vm_print_stage2(void)
{
	static const unsigned int parange_bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned int parange = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
	struct stage2_geometry geo = vm_stage2_geometry();

	printk("hyp: stage 2: CPU PA size %u bits, %u-bit IPAs, walks from level %u, %u root "
	       "table%s\n",
	       parange < ARRAY_SIZE(parange_bits) ? parange_bits[parange] : 0, geo.ipa_bits,
	       geo.start_level, geo.root_tables, geo.root_tables == 1 ? "" : "s");
}

unsigned int vm_build_all(const struct vm_config *defs, unsigned int nr, const struct dt_host *host,
                          const void *host_fdt)
{
	unsigned int built = 0;

	ipa_bits = mmu_pa_bits();
	vm_print_stage2();
	free_ram_init(host, defs, nr);
	/* Explicit sizes first: "the rest" is what is left once they are served. */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < nr; i++) {
			if (vm_is_auto(&defs[i]) == (pass == 1) &&
			    vm_build(&defs[i], host, host_fdt))
				built++;
		}
	}
	if (built && built < nr)
		printk("hyp: %u of %u VMs built; the refused ones do not start\n", built, nr);
	/* Secondary CPUs sleep until their vCPU pointer is set: it is now. */
	dsb(ish);
	for (unsigned int p = 1; p < nr_pcpus; p++) {
		if (pcpus[p].vcpu)
			gic_send_sgi(p, SGI_KICK);
	}
	return built;
}
